/**
 * Sidecar: limits which hosts a namespace's proxies know about (and may reach, with
 * REGISTRY_ONLY), which keeps their configuration small and their egress explicit.
 */
import { Lazy } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { propError } from './errors';
import { namespacedHostProblem, portProblem } from './host';
import * as l1 from './l1';
import { INamespaceRef, IServiceRef, IWorkloadRef, resolveNamespace } from './references';
import { Json, kplusServiceHost } from './routing-internal';
import { PortProtocol, ServiceEntry } from './service-entry';

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

export interface SidecarProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
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

export class Sidecar extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  private readonly defaultHosts: string[] = [];
  private readonly listeners: Array<{ hosts: string[]; port?: Json }> = [];

  public constructor(scope: Construct, id: string, props: SidecarProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = resolveNamespace(this, props.namespace);
    let selector: Record<string, string> | undefined;
    if (props.workloadSelector) {
      const ws = props.workloadSelector as IWorkloadRef;
      if (typeof ws.selector === 'object' && typeof ws.namespace === 'string') {
        if (ws.namespace !== this.namespace) {
          propError(this, 'spec.workloadSelector', `the workload is in namespace ${ws.namespace}, the Sidecar in ${this.namespace}`,
            'create the Sidecar in the workload\'s namespace');
        }
        selector = { ...ws.selector };
      } else {
        selector = { ...(props.workloadSelector as Record<string, string>) };
      }
      if (Object.keys(selector).length === 0) {
        propError(this, 'spec.workloadSelector.labels', 'is empty', 'give labels, or leave workloadSelector out to cover the namespace');
      }
    }
    this.addHosts(this.defaultHosts, CATCH_ALL_HOSTS, props.egressHosts ?? ['./*', 'istio-system/*']);

    new l1.Sidecar(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({
        produce: (): Json => ({
          workloadSelector: selector && { labels: selector },
          // istiod refuses a portless listener anywhere but last: it catches every port not
          // claimed by a listener before it.
          egress: [...this.listeners.map((l) => ({ port: l.port, hosts: [...l.hosts] })), { hosts: [...this.defaultHosts] }],
          outboundTrafficPolicy: props.outboundTrafficPolicy && { mode: props.outboundTrafficPolicy },
        }),
      }) as l1.SidecarSpec,
    });
  }

  /** Lets the proxies reach these hosts on any port. */
  public allowEgressTo(...targets: EgressTarget[]): this {
    this.addHosts(this.defaultHosts, CATCH_ALL_HOSTS, targets);
    return this;
  }

  /** Adds an egress listener for one port with its own hosts. */
  public addEgress(props: SidecarEgressProps): this {
    const index = this.listeners.length;
    let port: Json | undefined;
    if (props.port) {
      const problem = portProblem(props.port.number);
      if (problem) {
        propError(this, `spec.egress[${index}].port.number`, problem, 'use a port from 1 to 65535');
      }
      if (this.listeners.some((l) => (l.port as { number?: number } | undefined)?.number === props.port?.number)) {
        propError(this, `spec.egress[${index}].port.number`, `port ${props.port.number} has a listener already`, 'add the hosts to that listener');
      }
      port = { number: props.port.number, protocol: props.port.protocol, name: props.port.name ?? `${props.port.protocol.toLowerCase()}-${props.port.number}` };
    } else {
      propError(this, `spec.egress[${index}].port`, 'only the last, catch-all egress listener may omit the port, and this construct writes it itself', 'use allowEgressTo() for hosts on any port');
    }
    const hosts: string[] = [];
    this.addHosts(hosts, `spec.egress[${index}].hosts`, props.hosts);
    if (hosts.length === 0) {
      propError(this, `spec.egress[${index}].hosts`, 'is empty', 'list namespace/host entries');
    }
    this.listeners.push({ hosts, port });
    return this;
  }

  private addHosts(into: string[], field: string, targets: readonly EgressTarget[]): void {
    for (const t of targets) {
      for (const entry of this.entriesFor(t)) {
        const i = into.length;
        if (!entry.includes('/')) {
          propError(this, `${field}[${i}]`, `"${entry}" has no namespace part`, `write it as namespace/host, e.g. */${entry} or ./${entry}`);
        }
        const problem = namespacedHostProblem(entry);
        if (problem) {
          propError(this, `${field}[${i}]`, `"${entry}": ${problem}`, 'use namespace/host with a fully qualified host, e.g. istio-system/* or */api.example.com');
        }
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
