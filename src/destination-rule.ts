/**
 * DestinationRule: what happens to traffic after routing picked a host (TLS, load balancing,
 * connection limits, outlier detection) and the subsets that routes can name.
 */
import { Construct } from 'constructs';
import { DestinationTarget, resolveTarget } from './destination-target';
import * as l1 from './l1';
import { IstioResource, IstioResourceProps } from './resource';
import { renderTrafficPolicy, TrafficPolicy } from './traffic-policy';
import { check, dnsLabelProblem, exportToProblem, labelsProblem } from './validation';

type DestinationRuleSpec = l1.Wire<l1.DestinationRuleSpec>;
type SubsetSpec = NonNullable<DestinationRuleSpec['subsets']>[number];

export interface DestinationRuleProps extends IstioResourceProps {
  /**
   * The host the rule applies to: a cdk8s-plus Service, a reference (a ServiceEntry, `ServiceRef`)
   * or a host string (short names resolve in the rule's namespace).
   */
  readonly host: DestinationTarget;
  /** Host-wide traffic policy. @default - none: Istio's defaults, TLS decided by auto mTLS */
  readonly trafficPolicy?: TrafficPolicy;
  /** Namespaces that see this rule (`.`, `*` or names). @default - every namespace (Istio's default) */
  readonly exportTo?: string[];
}

export interface SubsetOptions {
  /** Policy for this subset only; overrides the host-wide policy. @default - the host-wide policy */
  readonly trafficPolicy?: TrafficPolicy;
}

/** A named group of a host's endpoints, selected by labels. Routes point at it. */
export class Subset {
  /** @internal */
  public constructor(
    public readonly destinationRule: DestinationRule,
    public readonly name: string,
    public readonly labels: Readonly<Record<string, string>>,
    /** @internal */
    public readonly _trafficPolicy?: SubsetSpec['trafficPolicy'],
  ) {}

  /** The host the subset belongs to, as Istio resolves it. */
  public get host(): string {
    return this.destinationRule.hostFqdn;
  }
}

/** Checks a list of `exportTo` entries, naming the one at fault. */
export function checkExportTo(scope: Construct, exportTo: readonly string[] | undefined): void {
  (exportTo ?? []).forEach((value, i) => check(scope, `spec.exportTo[${i}]`, exportToProblem(value)));
}

export class DestinationRule extends IstioResource<DestinationRuleSpec> {
  /** The host as written into the rule. */
  public readonly host: string;
  /** The host as Istio resolves it (short names become `name.namespace.svc.cluster.local`). */
  public readonly hostFqdn: string;
  /** What the rule was given as its host, so a route to one of its subsets knows the Service's ports. @internal */
  public readonly _target: DestinationTarget;
  private readonly subsetList: Subset[] = [];
  private readonly trafficPolicy?: DestinationRuleSpec['trafficPolicy'];
  private readonly exportTo?: readonly string[];

  public constructor(scope: Construct, id: string, props: DestinationRuleProps) {
    super(scope, id, props, l1.DestinationRule.GVK);
    const resolved = resolveTarget(this, 'spec.host', props.host, this.namespace);
    this._target = props.host;
    this.host = resolved.host;
    this.hostFqdn = resolved.fqdn;
    checkExportTo(this, props.exportTo);
    this.exportTo = props.exportTo && [...props.exportTo];
    this.trafficPolicy = props.trafficPolicy && renderTrafficPolicy(this, 'spec.trafficPolicy', props.trafficPolicy);
  }

  /**
   * Adds a subset: the host's endpoints whose pods carry `labels` (e.g. `{ version: 'v1' }`).
   * Returns the Subset that routes reference.
   */
  public addSubset(name: string, labels: Record<string, string> = {}, options: SubsetOptions = {}): Subset {
    const field = `spec.subsets[${this.subsetList.length}]`;
    check(this, `${field}.name`, dnsLabelProblem(name, 'subset name'));
    if (this.subsetList.some((s) => s.name === name)) {
      check(this, `${field}.name`, { problem: `subset "${name}" is defined twice`, fix: 'give each subset its own name' });
    }
    const labelProblem = labelsProblem(labels);
    if (labelProblem) {
      check(this, `${field}.labels`, { ...labelProblem, problem: `${labelProblem.problem}, so the subset selects no pod` });
    }
    const policy = options.trafficPolicy && renderTrafficPolicy(this, `${field}.trafficPolicy`, options.trafficPolicy);
    const subset = new Subset(this, name, { ...labels }, policy);
    this.subsetList.push(subset);
    return subset;
  }

  public get subsets(): readonly Subset[] {
    return [...this.subsetList];
  }

  /** The subset called `name`; throws if there is none. */
  public subset(name: string): Subset {
    const found = this.subsetList.find((s) => s.name === name);
    if (!found) {
      check(this, 'spec.subsets', {
        problem: `no subset "${name}"`,
        fix: `add it with addSubset('${name}', labels) or use one of: ${this.subsetList.map((s) => s.name).join(', ') || '(none)'}`,
      });
    }
    return found!;
  }

  protected renderSpec(): DestinationRuleSpec {
    return {
      host: this.host,
      trafficPolicy: this.trafficPolicy,
      subsets: this.subsetList.length > 0
        ? this.subsetList.map((s) => ({
          name: s.name,
          labels: Object.keys(s.labels).length > 0 ? { ...s.labels } : undefined,
          trafficPolicy: s._trafficPolicy,
        }))
        : undefined,
      exportTo: this.exportTo && [...this.exportTo],
    };
  }
}
