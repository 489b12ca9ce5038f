/**
 * A ReferenceGrant (gateway.networking.k8s.io/v1beta1: the storage version, and served by older
 * Gateway API releases too, where v1 is not; v1.5.1 serves both): the namespace that owns a Service or Secret lets objects of another namespace refer
 * to it. Routes and Gateways of the app create theirs when they cross namespaces; this class
 * is also there for grants to things outside the app.
 */
import { Construct, IConstruct } from 'constructs';
import { MeshContext } from './mesh-context';
import type * as gw from '../imports/gateway.networking.k8s.io';
import type { Wire } from './l1';
import { IstioResource, IstioResourceProps } from './resource';
import { check, dnsLabelProblem } from './validation';

type ReferenceGrantSpec = Wire<gw.ReferenceGrantSpec>;

/** Who may refer: objects of one kind in one namespace. */
export interface ReferenceGrantFrom {
  /** @default 'gateway.networking.k8s.io' */
  readonly group?: string;
  /** `HTTPRoute`, `GRPCRoute`, `Gateway`, ... */
  readonly kind: string;
  readonly namespace: string;
}

/** What may be referred to: objects of one kind here, all of them or one by name. */
export interface ReferenceGrantTo {
  /** @default '' (the core group) */
  readonly group?: string;
  /** `Service` or `Secret`. */
  readonly kind: string;
  /** @default - every object of the kind in this namespace */
  readonly name?: string;
}

export interface ReferenceGrantProps extends IstioResourceProps {
  /** More can be added with allowFrom(). @default - none */
  readonly from?: ReferenceGrantFrom[];
  /** More can be added with allowTo(). @default - none */
  readonly to?: ReferenceGrantTo[];
}

export class ReferenceGrant extends IstioResource<ReferenceGrantSpec> {
  /**
   * A ReferenceGrant another team keeps in `namespace`, outside the app: declared so that routes
   * and Gateways relying on it are not reported as missing a grant (CKI7003). Nothing is written.
   */
  public static fromExisting(scope: IConstruct, namespace: string, grant: { readonly from: ReferenceGrantFrom[]; readonly to: ReferenceGrantTo[] }): void {
    check(scope, 'namespace', dnsLabelProblem(namespace, 'namespace name'));
    MeshContext.of(scope).declareExternalReferenceGrant({
      metadata: { namespace },
      spec: {
        from: grant.from.map((f) => ({ group: f.group ?? 'gateway.networking.k8s.io', kind: f.kind, namespace: f.namespace })),
        to: grant.to.map((t) => ({ group: t.group ?? '', kind: t.kind, ...(t.name !== undefined ? { name: t.name } : {}) })),
      },
    });
  }

  private readonly from: ReferenceGrantFrom[] = [];
  private readonly to: ReferenceGrantTo[] = [];

  public constructor(scope: Construct, id: string, props: ReferenceGrantProps = {}) {
    super(scope, id, props, { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant' });
    (props.from ?? []).forEach((f) => this.allowFrom(f));
    (props.to ?? []).forEach((t) => this.allowTo(t));
    this.addLateCheck(() => [
      ...(this.from.length === 0 ? [{ field: 'spec.from', problem: 'the grant names no one it lets in', fix: 'pass from or call allowFrom()' }] : []),
      ...(this.to.length === 0 ? [{ field: 'spec.to', problem: 'the grant names nothing it lets them refer to', fix: 'pass to or call allowTo()' }] : []),
    ]);
  }

  /** Let objects of `from.kind` in `from.namespace` refer here (once per kind and namespace). */
  public allowFrom(from: ReferenceGrantFrom): void {
    check(this, `spec.from[${this.from.length}].namespace`, dnsLabelProblem(from.namespace, 'namespace name'));
    if (!this.from.some((f) => (f.group ?? 'gateway.networking.k8s.io') === (from.group ?? 'gateway.networking.k8s.io') && f.kind === from.kind && f.namespace === from.namespace)) {
      this.from.push(from);
    }
  }

  /** Let them refer to `to` (once per kind and name). */
  public allowTo(to: ReferenceGrantTo): void {
    if (!this.to.some((t) => (t.group ?? '') === (to.group ?? '') && t.kind === to.kind && t.name === to.name)) {
      this.to.push(to);
    }
  }

  protected renderSpec(): ReferenceGrantSpec {
    return {
      from: this.from.map((f) => ({ group: f.group ?? 'gateway.networking.k8s.io', kind: f.kind, namespace: f.namespace })),
      to: this.to.map((t) => ({ group: t.group ?? '', kind: t.kind, ...(t.name !== undefined ? { name: t.name } : {}) })),
    };
  }
}

/**
 * The ReferenceGrants an object of the app needs: one in each namespace it refers into, named
 * `<kind>-<name>-from-<namespace>`, letting objects of its kind from its namespace refer there.
 * KubernetesGateway (Secrets) and the routes (Services) create theirs through this.
 */
export class GrantsFrom {
  private readonly grants = new Map<string, ReferenceGrant>();

  public constructor(private readonly owner: Construct & { readonly name: string; readonly namespace: string }, private readonly kind: string) {}

  /** The grant in `namespace`, created on first use. */
  public in(namespace: string): ReferenceGrant {
    let grant = this.grants.get(namespace);
    if (!grant) {
      grant = new ReferenceGrant(this.owner, `grant-${namespace}`, {
        name: `${this.kind.toLowerCase()}-${this.owner.name}-from-${this.owner.namespace}`,
        namespace,
        from: [{ kind: this.kind, namespace: this.owner.namespace }],
      });
      this.grants.set(namespace, grant);
    }
    return grant;
  }
}
