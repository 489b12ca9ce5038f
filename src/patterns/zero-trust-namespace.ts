/**
 * A namespace that starts closed: STRICT mTLS, a default allow-nothing policy, and explicit
 * allows for exactly the callers a team names.
 */
import { Construct } from 'constructs';
import { AuthorizationPolicy, PolicyAction } from '../authorization-policy';
import { Source } from '../authorization-rule';
import { MtlsMode, PeerAuthentication } from '../peer-authentication';
import { IGatewayWorkload, INamespaceRef, IWorkloadRef, principalOf } from '../references';
import { DEFAULT_ROOT_NAMESPACE, MeshContext } from '../mesh-context';
import { dependOn, namespaceName } from '../resource';
import { check, dnsLabelProblem, refuse } from '../validation';
import { PolicyTargetRef } from '../policy-scope';
import type { Waypoint } from '../waypoint';

/** Ingress gateway pods and the workloads they may reach. */
export interface ZeroTrustIngress {
  /** The ingress gateway pods; their service account is the principal allowed. */
  readonly gateway: IGatewayWorkload;
  /** Workloads of the namespace the gateway may call (one policy each). */
  readonly workloads: IWorkloadRef[];
  /**
   * When the gateway pods live in this namespace: the SPIFFE principals that may call them. A
   * gateway behind another one (an edge) admits only that one; a gateway clients reach from
   * outside the mesh cannot tell them by identity.
   * @default - any client (outside clients carry no identity)
   */
  readonly gatewayClients?: string[];
}

export interface ZeroTrustNamespaceProps {
  /** The namespace to close, owned by the app or existing already. */
  readonly namespace: INamespaceRef | string;
  /** Let the ingress gateway reach these workloads. @default - no ingress */
  readonly ingress?: ZeroTrustIngress;
  /** Namespaces whose workloads may call every workload here. @default - none */
  readonly allowNamespaces?: Array<string | INamespaceRef>;
  /**
   * Service accounts (`namespace/name`, or workloads with a service account) that may call
   * every workload here.
   * @default - none
   */
  readonly allowServiceAccounts?: Array<string | IWorkloadRef>;
  /** SPIFFE trust domain of the mesh. @default - the install's (MeshContext), `cluster.local` unless declared */
  readonly trustDomain?: string;
  /**
   * Close the mesh's root namespace too. Policies without a selector there apply to every
   * namespace, so zero trust on it denies every request in the mesh that no policy allows.
   * @default false - the root namespace is refused
   */
  readonly meshWide?: boolean;
  /** The mesh's root namespace (meshConfig.rootNamespace). @default 'istio-system' */
  readonly rootNamespace?: string;
  /**
   * The waypoint the namespace's Services use (ambient), in this namespace. Traffic through it
   * reaches the pods from the waypoint's identity, so ztunnel admits that identity
   * (`allow-from-waypoint`), the waypoint itself starts closed (`allow-nothing-at-waypoint`),
   * and the namespace and service-account allows are attached to the waypoint, where the
   * callers' identities are seen. The ingress gateway's allows stay with ztunnel: ingress
   * traffic skips the waypoint (unless the Service says istio.io/ingress-use-waypoint).
   * @default - no waypoint: every policy is enforced where the pods are
   */
  readonly waypoint?: Waypoint | string;
}

/**
 * Zero trust for one namespace: a STRICT PeerAuthentication named `default`, an
 * `allow-nothing` AuthorizationPolicy, and ALLOW policies for the ingress gateway
 * (`allow-ingress-to-<workload>`), for named namespaces (`allow-from-namespaces`) and for named
 * service accounts (`allow-from-service-accounts`). Open more later with `allowIngress`,
 * `allowNamespaces` and `allowServiceAccounts`.
 */
export class ZeroTrustNamespace extends Construct {
  public readonly namespace: string;
  public readonly peerAuthentication: PeerAuthentication;
  public readonly allowNothing: AuthorizationPolicy;
  private readonly trustDomain?: string;
  private namespacePolicy?: AuthorizationPolicy;
  private serviceAccountPolicy?: AuthorizationPolicy;
  private readonly openedGateways = new Map<string, AuthorizationPolicy>();
  /** The namespace's waypoint, where east-west allows are attached. */
  private waypointTarget?: PolicyTargetRef;

  public constructor(scope: Construct, id: string, props: ZeroTrustNamespaceProps) {
    super(scope, id);
    this.namespace = namespaceName(props.namespace);
    check(this, 'namespace', dnsLabelProblem(this.namespace, 'namespace name'));
    const root = props.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
    if (this.namespace === root && !props.meshWide) {
      // Istio applies selectorless policies in the root namespace to every namespace
      // (istio/api security/v1beta1/authorization_policy.proto, the `selector` field).
      check(this, 'namespace', {
        problem: `${root} is the mesh's root namespace: allow-nothing and STRICT there apply to every namespace, closing the whole mesh`,
        fix: 'close the namespaces of your applications instead, or set meshWide: true if a mesh-wide deny-by-default is what you want',
      });
    }
    // The Namespace must exist before the policies that close it.
    dependOn(this, props.namespace);
    this.trustDomain = props.trustDomain ?? MeshContext.of(this).install.trustDomain;

    this.peerAuthentication = new PeerAuthentication(this, 'default', {
      name: 'default',
      namespace: this.namespace,
      mode: MtlsMode.STRICT,
    });
    this.allowNothing = AuthorizationPolicy.allowNothing(this, 'allow-nothing', { namespace: this.namespace });
    if (props.waypoint !== undefined) {
      const waypoint = typeof props.waypoint === 'string' ? props.waypoint : props.waypoint.name;
      if (typeof props.waypoint !== 'string' && props.waypoint.namespace !== this.namespace) {
        check(this, 'waypoint', {
          problem: `waypoint ${props.waypoint.namespace}/${waypoint} is in another namespace, and policies attach only to a waypoint of their own namespace`,
          fix: `give ${this.namespace} a waypoint of its own, or close it without one`,
        });
      }
      check(this, 'waypoint', dnsLabelProblem(waypoint, 'waypoint name'));
      dependOn(this, props.waypoint);
      this.waypointTarget = PolicyTargetRef.gateway(waypoint);
      // Istio runs an istio-waypoint Gateway as a Deployment and ServiceAccount of its own name.
      new AuthorizationPolicy(this, 'allow-from-waypoint', {
        name: 'allow-from-waypoint',
        namespace: this.namespace,
        action: PolicyAction.ALLOW,
        rules: [{ from: [Source.principals(principalOf(this.namespace, waypoint, this.trustDomain))] }],
      });
      new AuthorizationPolicy(this, 'allow-nothing-at-waypoint', {
        name: 'allow-nothing-at-waypoint',
        namespace: this.namespace,
        targetRefs: [this.waypointTarget],
        action: PolicyAction.ALLOW,
      });
    }

    if (props.ingress) {
      this.allowIngressWith(props.ingress);
    }
    if (props.allowNamespaces && props.allowNamespaces.length > 0) {
      this.allowNamespaces(...props.allowNamespaces);
    }
    if (props.allowServiceAccounts && props.allowServiceAccounts.length > 0) {
      this.allowServiceAccounts(...props.allowServiceAccounts);
    }
  }

  /**
   * Let the ingress gateway call these workloads of the namespace, one policy each. A gateway
   * whose pods live in this namespace is also opened to its clients (`allow-clients-to-gateway`):
   * they come from outside the mesh with no identity, so allow-nothing would refuse them all.
   */
  public allowIngress(gateway: IGatewayWorkload, ...workloads: IWorkloadRef[]): AuthorizationPolicy[] {
    return this.allowIngressWith({ gateway, workloads });
  }

  /**
   * `allowIngress` with who may call the gateway pods when they live here: `gatewayClients`
   * (principals) instead of anyone.
   */
  public allowIngressWith(ingress: ZeroTrustIngress): AuthorizationPolicy[] {
    const { gateway, workloads } = ingress;
    if (workloads.length === 0) {
      check(this, 'ingress.workloads', { problem: 'no workloads given', fix: 'name the workloads the gateway may reach' });
    }
    if (ingress.gatewayClients && ingress.gatewayClients.length === 0) {
      check(this, 'ingress.gatewayClients', { problem: 'is empty, so nobody could reach the gateway', fix: 'leave it out to admit any client, or list the principals that may call' });
    }
    if (gateway.namespace === this.namespace) {
      const key = JSON.stringify(Object.entries(gateway.selector).sort());
      if (!this.openedGateways.has(key)) {
        const name = this.openedGateways.size === 0 ? 'allow-clients-to-gateway' : `allow-clients-to-gateway-${this.openedGateways.size + 1}`;
        this.openedGateways.set(key, new AuthorizationPolicy(this, name, {
          name,
          namespace: this.namespace,
          selector: gateway,
          action: PolicyAction.ALLOW,
          rules: [ingress.gatewayClients ? { from: [Source.principals(...ingress.gatewayClients)] } : {}],
        }));
      }
    }
    const names = new Map<string, number>();
    return workloads.map((workload, i) => {
      if (workload.namespace !== this.namespace) {
        check(this, `ingress.workloads[${i}]`, { problem: `a workload in namespace ${workload.namespace} is not in ${this.namespace}`, fix: 'open workloads of other namespaces with their own ZeroTrustNamespace or AuthorizationPolicy' });
      }
      const workload_ = workloadName(this, workload);
      const first = names.get(workload_);
      if (first !== undefined || this.node.tryFindChild(`allow-ingress-to-${workload_}`)) {
        check(this, `ingress.workloads[${i}]`, {
          problem: `a workload named ${workload_} is already opened to the gateway${first !== undefined ? ` (ingress.workloads[${first}])` : ''}; one policy per workload is named after it`,
          fix: 'give each workload its own name, or list it once',
        });
      }
      names.set(workload_, i);
      const name = `allow-ingress-to-${workload_}`;
      return AuthorizationPolicy.allowFromIngressGateway(this, name, { name, gateway, to: workload, trustDomain: this.trustDomain });
    });
  }

  /** Let every workload of these namespaces call every workload here. */
  public allowNamespaces(...namespaces: Array<string | INamespaceRef>): AuthorizationPolicy {
    if (namespaces.length === 0) {
      check(this, 'allowNamespaces', { problem: 'no namespaces given', fix: 'name at least one namespace' });
    }
    const policy = this.namespacePolicy ??= new AuthorizationPolicy(this, 'allow-from-namespaces', {
      name: 'allow-from-namespaces',
      namespace: this.namespace,
      action: PolicyAction.ALLOW,
      targetRefs: this.waypointTarget ? [this.waypointTarget] : undefined,
    });
    policy.addRule({ from: [Source.namespaces(...namespaces)] });
    return policy;
  }

  /** Let these service accounts (`namespace/name`, or workloads) call every workload here. */
  public allowServiceAccounts(...accounts: Array<string | IWorkloadRef>): AuthorizationPolicy {
    if (accounts.length === 0) {
      check(this, 'allowServiceAccounts', { problem: 'no service accounts given', fix: 'name at least one service account' });
    }
    const principals = accounts.map((a, i) => {
      if (typeof a !== 'string') {
        if (!a.serviceAccountName) {
          refuse(this, `allowServiceAccounts[${i}]`, { problem: `the workload in namespace ${a.namespace} has no service account`, fix: 'give it a dedicated ServiceAccount and pass serviceAccountName' });
        }
        return principalOf(a.namespace, a.serviceAccountName, this.trustDomain);
      }
      const parts = a.split('/');
      if (parts.length !== 2 || !parts[0] || !parts[1] || a.includes('*')) {
        check(this, `allowServiceAccounts[${i}]`, { problem: `"${a}" is not namespace/serviceaccount`, fix: 'write it as namespace/name, e.g. shop/frontend' });
      }
      return principalOf(parts[0], parts[1], this.trustDomain);
    });
    const policy = this.serviceAccountPolicy ??= new AuthorizationPolicy(this, 'allow-from-service-accounts', {
      name: 'allow-from-service-accounts',
      namespace: this.namespace,
      action: PolicyAction.ALLOW,
      targetRefs: this.waypointTarget ? [this.waypointTarget] : undefined,
    });
    policy.addRule({ from: [Source.principals(...principals)] });
    return policy;
  }
}

/** A name for the workload in policy names: a Workload's own name, else its app label. */
function workloadName(scope: Construct, workload: IWorkloadRef): string {
  const named = (workload as { readonly name?: unknown }).name;
  const name = typeof named === 'string' && named ? named : workload.selector.app ?? workload.selector['app.kubernetes.io/name'];
  if (!name) {
    return refuse(scope, 'ingress.workloads', { problem: `the workload (${Object.entries(workload.selector).map(([k, v]) => `${k}=${v}`).join(',')}) has no name or app label to name its policy after`, fix: 'use Workload.fromLabels(namespace, labels, { name })' });
  }
  return name;
}
