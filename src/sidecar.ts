/**
 * Sidecar: limits which hosts a namespace's proxies know about (and may reach, with
 * REGISTRY_ONLY), which keeps their configuration small and their egress explicit.
 */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { kplusServiceHost } from './destination-target';
import * as l1 from './l1';
import { IServiceRef, IWorkloadRef } from './references';
import { dependOn, IstioResource, IstioResourceProps } from './resource';
import { PortProtocol, ServiceEntry } from './service-entry';
import { check, namespacedHostProblem, portProblem, selectorProblem, withFix } from './validation';

type SidecarSpec = l1.Wire<l1.SidecarSpec>;
type EgressPortSpec = NonNullable<NonNullable<SidecarSpec['egress']>[number]['port']>;

export enum OutboundTrafficMode {
  /** Only hosts in the service registry (Services, ServiceEntries) are reachable. */
  REGISTRY_ONLY = 'REGISTRY_ONLY',
  /** Unknown hosts are passed through. */
  ALLOW_ANY = 'ALLOW_ANY',
}

/** Something the proxies may call: a `namespace/host` string, a Service, a reference or a ServiceEntry. */
export type EgressTarget = string | IServiceRef | kplus.Service | ServiceEntry;

export interface SidecarEgressPort {
  readonly number: number;
  readonly protocol: PortProtocol;
  /** @default - `<protocol>-<number>` */
  readonly name?: string;
}

export interface SidecarEgressProps {
  /** `namespace/host` entries: `./*` for the own namespace, `istio-system/*`, or any namespace with a `*` before the slash. */
  readonly hosts: EgressTarget[];
  /** Apply to this port only. @default - all ports */
  readonly port?: SidecarEgressPort;
}

export interface SidecarProps extends IstioResourceProps {
  /** Pods this Sidecar applies to. @default - every pod of the namespace (one such Sidecar per namespace) */
  readonly workloadSelector?: IWorkloadRef | Record<string, string>;
  /**
   * Hosts of the default egress listener; `allowEgressTo()` adds more.
   * @default ['./*', 'istio-system/*']: the namespace's own services and the control plane
   */
  readonly egressHosts?: EgressTarget[];
  /** @default - the mesh-wide setting */
  readonly outboundTrafficPolicy?: OutboundTrafficMode;
}

/** Field name of the portless listener in messages: it is always rendered last. */
const CATCH_ALL_HOSTS = 'spec.egress[last].hosts';

export class Sidecar extends IstioResource<SidecarSpec> {
  private readonly defaultHosts: string[] = [];
  private readonly listeners: Array<{ hosts: string[]; port?: EgressPortSpec }> = [];
  private readonly selector?: Record<string, string>;
  private readonly outboundTrafficPolicy?: OutboundTrafficMode;

  public constructor(scope: Construct, id: string, props: SidecarProps = {}) {
    super(scope, id, props, l1.Sidecar.GVK);
    if (props.workloadSelector) {
      const ws = props.workloadSelector as IWorkloadRef;
      if (typeof ws.selector === 'object' && typeof ws.namespace === 'string') {
        if (ws.namespace !== this.namespace) {
          check(this, 'spec.workloadSelector', {
            problem: `the workload is in namespace ${ws.namespace}, the Sidecar in ${this.namespace}`,
            fix: 'create the Sidecar in the workload\'s namespace',
          });
        }
        this.selector = { ...ws.selector };
      } else {
        this.selector = { ...(props.workloadSelector as Record<string, string>) };
      }
      check(this, 'spec.workloadSelector.labels', withFix(selectorProblem(this.selector),
        'give the labels of the pods, or leave workloadSelector out to cover the namespace'));
    }
    this.outboundTrafficPolicy = props.outboundTrafficPolicy;
    this.addHosts(this.defaultHosts, CATCH_ALL_HOSTS, props.egressHosts ?? ['./*', 'istio-system/*']);
  }

  /** Lets the proxies reach these hosts on any port. */
  public allowEgressTo(...targets: EgressTarget[]): this {
    this.addHosts(this.defaultHosts, CATCH_ALL_HOSTS, targets);
    return this;
  }

  /** Adds an egress listener for one port with its own hosts. */
  public addEgress(props: SidecarEgressProps): this {
    const index = this.listeners.length;
    if (!props.port) {
      check(this, `spec.egress[${index}].port`, {
        problem: 'only the last, catch-all egress listener may omit the port, and this construct writes it itself',
        fix: 'use allowEgressTo() for hosts on any port',
      });
    }
    const p = props.port!;
    check(this, `spec.egress[${index}].port.number`, portProblem(p.number, 'use a port from 1 to 65535'));
    if (this.listeners.some((l) => l.port?.number === p.number)) {
      check(this, `spec.egress[${index}].port.number`, { problem: `port ${p.number} has a listener already`, fix: 'add the hosts to that listener' });
    }
    const port = { number: p.number, protocol: p.protocol, name: p.name ?? `${p.protocol.toLowerCase()}-${p.number}` };
    const hosts: string[] = [];
    this.addHosts(hosts, `spec.egress[${index}].hosts`, props.hosts);
    if (hosts.length === 0) {
      check(this, `spec.egress[${index}].hosts`, { problem: 'is empty', fix: 'list namespace/host entries' });
    }
    this.listeners.push({ hosts, port });
    return this;
  }

  protected renderSpec(): SidecarSpec {
    return {
      workloadSelector: this.selector && { labels: this.selector },
      // istiod refuses a portless listener anywhere but last: it catches every port not
      // claimed by a listener before it.
      egress: [...this.listeners.map((l) => ({ port: l.port, hosts: [...l.hosts] })), { hosts: [...this.defaultHosts] }],
      outboundTrafficPolicy: this.outboundTrafficPolicy && { mode: this.outboundTrafficPolicy },
    };
  }

  private addHosts(into: string[], field: string, targets: readonly EgressTarget[]): void {
    for (const t of targets) {
      dependOn(this, t);
      for (const entry of this.entriesFor(t)) {
        const i = into.length;
        if (!entry.includes('/')) {
          check(this, `${field}[${i}]`, { problem: `"${entry}" has no namespace part`, fix: `write it as namespace/host, e.g. */${entry} or ./${entry}` });
        }
        check(this, `${field}[${i}]`, withFix(namespacedHostProblem(entry), 'use namespace/host with a fully qualified host, e.g. istio-system/* or */api.example.com'));
        if (!into.includes(entry)) {
          into.push(entry);
        }
      }
    }
  }

  private entriesFor(t: EgressTarget): string[] {
    if (typeof t === 'string') {
      return [t];
    }
    if (t instanceof ServiceEntry) {
      return t.hosts.map((h) => `${t.namespace}/${h}`);
    }
    if (t instanceof kplus.Service) {
      const host = kplusServiceHost(t);
      return [`${host.split('.')[1]}/${host}`];
    }
    return [`${t.namespace ?? '*'}/${t.host}`];
  }
}
