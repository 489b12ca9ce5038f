/**
 * DestinationRule: what happens to traffic after routing picked a host (TLS, load balancing,
 * connection limits, outlier detection) and the subsets that routes can name.
 */
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { propError } from './errors';
import * as l1 from './l1';
import { INamespaceRef, resolveNamespace } from './references';
import {
  checkExportTo, dnsLabelProblem, DestinationTarget, Json, renderTrafficPolicy, resolveTarget,
} from './routing-internal';
import { TrafficPolicy } from './traffic-policy';

export interface DestinationRuleProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
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
    public readonly _trafficPolicy?: Json,
  ) {}

  /** The host the subset belongs to, as Istio resolves it. */
  public get host(): string {
    return this.destinationRule.hostFqdn;
  }
}

export class DestinationRule extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  /** The host as written into the rule. */
  public readonly host: string;
  /** The host as Istio resolves it (short names become `name.namespace.svc.cluster.local`). */
  public readonly hostFqdn: string;
  private readonly subsetList: Subset[] = [];

  public constructor(scope: Construct, id: string, props: DestinationRuleProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = resolveNamespace(this, props.namespace);
    const resolved = resolveTarget(this, 'spec.host', props.host, this.namespace);
    this.host = resolved.host;
    this.hostFqdn = resolved.fqdn;
    checkExportTo(this, props.exportTo);
    const trafficPolicy = props.trafficPolicy && renderTrafficPolicy(this, 'spec.trafficPolicy', props.trafficPolicy);

    new l1.DestinationRule(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({
        produce: (): Json => ({
          host: this.host,
          trafficPolicy,
          subsets: this.subsetList.length > 0
            ? this.subsetList.map((s) => ({ name: s.name, labels: Object.keys(s.labels).length > 0 ? { ...s.labels } : undefined, trafficPolicy: s._trafficPolicy }))
            : undefined,
          exportTo: props.exportTo && [...props.exportTo],
        }),
      }) as l1.DestinationRuleSpec,
    });
  }

  /**
   * Adds a subset: the host's endpoints whose pods carry `labels` (e.g. `{ version: 'v1' }`).
   * Returns the Subset that routes reference.
   */
  public addSubset(name: string, labels: Record<string, string> = {}, options: SubsetOptions = {}): Subset {
    const index = this.subsetList.length;
    const problem = dnsLabelProblem(name);
    if (problem) {
      propError(this, `spec.subsets[${index}].name`, `"${name}" is not a subset name: ${problem}`, 'use a name such as v1 or canary');
    }
    if (this.subsetList.some((s) => s.name === name)) {
      propError(this, `spec.subsets[${index}].name`, `subset "${name}" is defined twice`, 'give each subset its own name');
    }
    for (const [k, v] of Object.entries(labels)) {
      if (k.length === 0 || typeof v !== 'string') {
        propError(this, `spec.subsets[${index}].labels`, `label ${JSON.stringify(k)} is invalid`, 'use string labels such as { version: \'v1\' }');
      }
    }
    const policy = options.trafficPolicy && renderTrafficPolicy(this, `spec.subsets[${index}].trafficPolicy`, options.trafficPolicy);
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
      return propError(this, 'spec.subsets', `no subset "${name}"`, `add it with addSubset('${name}', labels) or use one of: ${this.subsetList.map((s) => s.name).join(', ') || '(none)'}`);
    }
    return found;
  }
}
