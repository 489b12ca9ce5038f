/**
 * PeerAuthentication: whether workloads accept plain-text traffic from their peers.
 */
import { Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { propError } from './errors';
import { portProblem } from './host';
import * as l1 from './l1';
import { PolicyScopeProps, renderSelector, resolvePolicyScope } from './policy-scope';
import { IWorkloadRef } from './references';

/** How workloads treat incoming connections. */
export enum MtlsMode {
  /** Only mutual TLS; plain-text connections are refused. */
  STRICT = 'STRICT',
  /** Mutual TLS and plain text both accepted, for migrating workloads into the mesh. */
  PERMISSIVE = 'PERMISSIVE',
  /** Plain text only: no peer identity, so no principal-based authorization. */
  DISABLE = 'DISABLE',
}

const WORKLOAD_MODE: Record<MtlsMode, l1.PeerAuthenticationSpecMtlsMode> = {
  [MtlsMode.STRICT]: l1.PeerAuthenticationSpecMtlsMode.STRICT,
  [MtlsMode.PERMISSIVE]: l1.PeerAuthenticationSpecMtlsMode.PERMISSIVE,
  [MtlsMode.DISABLE]: l1.PeerAuthenticationSpecMtlsMode.DISABLE,
};

const PORT_MODE: Record<MtlsMode, l1.PeerAuthenticationSpecPortLevelMtlsMode> = {
  [MtlsMode.STRICT]: l1.PeerAuthenticationSpecPortLevelMtlsMode.STRICT,
  [MtlsMode.PERMISSIVE]: l1.PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE,
  [MtlsMode.DISABLE]: l1.PeerAuthenticationSpecPortLevelMtlsMode.DISABLE,
};

export interface PeerAuthenticationProps extends PolicyScopeProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default MtlsMode.STRICT */
  readonly mode?: MtlsMode;
  /**
   * Modes for single container ports of the selected workload, overriding `mode` there
   * (a metrics port scraped in plain text, say). Only with a `selector`.
   * @default - none
   */
  readonly portLevelMtls?: Readonly<Record<number, MtlsMode>>;
}

/**
 * An Istio PeerAuthentication (security.istio.io/v1). STRICT unless told otherwise: the
 * mesh-wide, namespace-wide or workload-wide (`selector`) mTLS mode, with per-port overrides for
 * a selected workload.
 */
export class PeerAuthentication extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly mode: MtlsMode;
  public readonly selector?: IWorkloadRef;
  private readonly ports = new Map<number, MtlsMode>();

  public constructor(scope: Construct, id: string, props: PeerAuthenticationProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.mode = props.mode ?? MtlsMode.STRICT;
    if (!(this.mode in WORKLOAD_MODE)) {
      propError(this, 'spec.mtls.mode', `"${String(this.mode)}" is not an mTLS mode`, 'use MtlsMode.STRICT, PERMISSIVE or DISABLE');
    }
    const resolved = resolvePolicyScope(this, props);
    this.namespace = resolved.namespace;
    this.selector = resolved.selector;
    for (const [port, mode] of Object.entries(props.portLevelMtls ?? {})) {
      this.addPortMtls(Number(port), mode);
    }

    new l1.PeerAuthentication(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.renderSpec() }) as unknown as l1.PeerAuthenticationSpec,
    });
  }

  /** Override the mode for one container port of the selected workload. */
  public addPortMtls(port: number, mode: MtlsMode): this {
    const field = `spec.portLevelMtls.${port}`;
    if (!this.selector) {
      propError(this, 'spec.portLevelMtls', 'port-level mTLS needs a workload selector (Istio\'s CEL rule): ports only mean something for one workload',
        'pass `selector` with the workload whose ports these are');
    }
    if (!(mode in PORT_MODE)) {
      propError(this, `${field}.mode`, `"${String(mode)}" is not an mTLS mode`, 'use MtlsMode.STRICT, PERMISSIVE or DISABLE');
    }
    const problem = portProblem(port);
    if (problem) {
      propError(this, field, problem, 'use the container port the workload listens on');
    }
    if (this.ports.has(port)) {
      propError(this, field, `port ${port} is given twice`, 'set each port once');
    }
    this.ports.set(port, mode);
    return this;
  }

  private renderSpec(): l1.PeerAuthenticationSpec {
    const ports = [...this.ports.entries()].sort(([a], [b]) => a - b);
    return {
      selector: renderSelector(this.selector),
      mtls: { mode: WORKLOAD_MODE[this.mode] },
      portLevelMtls: ports.length > 0
        ? Object.fromEntries(ports.map(([port, mode]) => [String(port), { mode: PORT_MODE[mode] }]))
        : undefined,
    };
  }
}
