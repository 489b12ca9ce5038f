/**
 * PeerAuthentication: whether workloads accept plain-text traffic from their peers.
 */
import { Construct } from 'constructs';
import * as l1 from './l1';
import { PolicyScopeProps, renderSelector, resolvePolicyScope } from './policy-scope';
import { IWorkloadRef } from './references';
import { IstioResource } from './resource';
import { check, portProblem } from './validation';

type PeerAuthenticationSpec = l1.Wire<l1.PeerAuthenticationSpec>;
type Mode = NonNullable<NonNullable<PeerAuthenticationSpec['mtls']>['mode']>;

/** How workloads treat incoming connections. */
export enum MtlsMode {
  /** Only mutual TLS; plain-text connections are refused. */
  STRICT = 'STRICT',
  /** Mutual TLS and plain text both accepted, for migrating workloads into the mesh. */
  PERMISSIVE = 'PERMISSIVE',
  /** Plain text only: no peer identity, so no principal-based authorization. */
  DISABLE = 'DISABLE',
}

const MODE: Record<MtlsMode, Mode> = {
  [MtlsMode.STRICT]: 'STRICT',
  [MtlsMode.PERMISSIVE]: 'PERMISSIVE',
  [MtlsMode.DISABLE]: 'DISABLE',
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
export class PeerAuthentication extends IstioResource<PeerAuthenticationSpec> {
  public readonly mode: MtlsMode;
  public readonly selector?: IWorkloadRef;
  private readonly ports = new Map<number, MtlsMode>();

  public constructor(scope: Construct, id: string, props: PeerAuthenticationProps = {}) {
    const resolved = resolvePolicyScope(`${scope.node.path}/${id}`, scope, props);
    super(scope, id, { ...props, namespace: resolved.namespace }, l1.PeerAuthentication.GVK);
    this.mode = props.mode ?? MtlsMode.STRICT;
    if (!(this.mode in MODE)) {
      check(this, 'spec.mtls.mode', { problem: `"${String(this.mode)}" is not an mTLS mode`, fix: 'use MtlsMode.STRICT, PERMISSIVE or DISABLE' });
    }
    this.selector = resolved.selector;
    for (const [port, mode] of Object.entries(props.portLevelMtls ?? {})) {
      this.addPortMtls(Number(port), mode);
    }
  }

  /** Override the mode for one container port of the selected workload. */
  public addPortMtls(port: number, mode: MtlsMode): this {
    const field = `spec.portLevelMtls.${port}`;
    if (!this.selector) {
      check(this, 'spec.portLevelMtls', {
        problem: 'port-level mTLS needs a workload selector (Istio\'s CEL rule): ports only mean something for one workload',
        fix: 'pass `selector` with the workload whose ports these are',
      });
    }
    if (!(mode in MODE)) {
      check(this, `${field}.mode`, { problem: `"${String(mode)}" is not an mTLS mode`, fix: 'use MtlsMode.STRICT, PERMISSIVE or DISABLE' });
    }
    check(this, field, portProblem(port, 'use the container port the workload listens on'));
    if (this.ports.has(port)) {
      check(this, field, { problem: `port ${port} is given twice`, fix: 'set each port once' });
    }
    this.ports.set(port, mode);
    return this;
  }

  protected renderSpec(): PeerAuthenticationSpec {
    const ports = [...this.ports.entries()].sort(([a], [b]) => a - b);
    return {
      selector: renderSelector(this.selector),
      mtls: { mode: MODE[this.mode] },
      portLevelMtls: ports.length > 0
        ? Object.fromEntries(ports.map(([port, mode]) => [String(port), { mode: MODE[mode] }]))
        : undefined,
    };
  }
}
