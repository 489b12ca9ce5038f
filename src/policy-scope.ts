/**
 * Where a security policy applies, shared by AuthorizationPolicy, PeerAuthentication and
 * RequestAuthentication: the whole mesh (the root namespace), a namespace, the pods of one
 * workload (a label selector), or named objects (`targetRefs`).
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { DEFAULT_ROOT_NAMESPACE } from './mesh-context';
import { INamespaceRef, IServiceRef, IWorkloadRef } from './references';
import { IstioResourceProps, namespaceName } from './resource';
import { check, Problem, selectorProblem } from './validation';

/** Scope props every security policy shares. */
export interface PolicyScopeProps extends IstioResourceProps {
  /**
   * Namespace of the policy. A policy without a selector applies to every workload in it.
   * @default - the selector's namespace, the root namespace when `meshWide`, else the chart's namespace
   */
  readonly namespace?: string | INamespaceRef;
  /**
   * Apply only to these pods. Their namespace becomes the policy's.
   * @default - every workload in the namespace (or the mesh)
   */
  readonly selector?: IWorkloadRef;
  /**
   * Apply to the whole mesh: the policy lands in the root namespace, without a selector.
   * @default false
   */
  readonly meshWide?: boolean;
  /**
   * The mesh's root namespace (meshConfig.rootNamespace), used when `meshWide` is set.
   * @default 'istio-system'
   */
  readonly rootNamespace?: string;
}

const SERVICE_GROUP = '';
const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const ISTIO_NETWORKING_GROUP = 'networking.istio.io';

/** Group/kind pairs Istio accepts in `targetRefs` (anything else is rejected by istiod's validation). */
const ALLOWED_TARGET_KINDS = new Set([
  `${GATEWAY_API_GROUP}/Gateway`,
  `${GATEWAY_API_GROUP}/GatewayClass`,
  `${SERVICE_GROUP}/Service`,
  `${ISTIO_NETWORKING_GROUP}/ServiceEntry`,
]);

/**
 * An object a policy attaches to through `targetRefs`: a Kubernetes Gateway API Gateway (the
 * gateway's own pods enforce it) or a Service or ServiceEntry (its waypoint enforces it).
 * Always in the policy's own namespace: Istio does not support cross-namespace target refs.
 */
export class PolicyTargetRef {
  /** A `gateway.networking.k8s.io` Gateway, never an Istio `networking.istio.io` Gateway. */
  public static gateway(name: string, namespace?: string): PolicyTargetRef {
    return new PolicyTargetRef(GATEWAY_API_GROUP, 'Gateway', name, namespace);
  }

  /** A Service, for policies a waypoint proxy enforces (ambient mode). */
  public static service(service: IServiceRef | string): PolicyTargetRef {
    if (typeof service === 'string') {
      return new PolicyTargetRef(SERVICE_GROUP, 'Service', service);
    }
    return new PolicyTargetRef(SERVICE_GROUP, 'Service', service.serviceName ?? '', service.namespace, service.host);
  }

  /** A ServiceEntry, for policies a waypoint proxy enforces on traffic to it. */
  public static serviceEntry(name: string, namespace?: string): PolicyTargetRef {
    return new PolicyTargetRef(ISTIO_NETWORKING_GROUP, 'ServiceEntry', name, namespace);
  }

  /**
   * Any group and kind. The policy refuses the ones Istio does not accept (Gateway API Gateway
   * and GatewayClass, Service, ServiceEntry).
   */
  public static of(group: string, kind: string, name: string, namespace?: string): PolicyTargetRef {
    return new PolicyTargetRef(group, kind, name, namespace);
  }

  private constructor(
    public readonly group: string,
    public readonly kind: string,
    public readonly name: string,
    /** Namespace of the target, when known; must be the policy's own. */
    public readonly namespace?: string,
    private readonly externalHost?: string,
  ) {}

  /** Why this ref cannot be used by a policy in `policyNamespace`, or undefined. */
  public problem(policyNamespace: string): Problem | undefined {
    if (this.group === ISTIO_NETWORKING_GROUP && this.kind === 'Gateway') {
      return {
        problem: 'targets an Istio networking.istio.io Gateway, which Istio does not accept as a policy target',
        fix: 'select the gateway pods with `selector` (the IGatewayWorkload), or target a gateway.networking.k8s.io Gateway',
      };
    }
    if (!ALLOWED_TARGET_KINDS.has(`${this.group}/${this.kind}`)) {
      return {
        problem: `${this.group || 'core'}/${this.kind} is not a kind Istio accepts as a policy target`,
        fix: 'target a gateway.networking.k8s.io Gateway or GatewayClass, a Service or a ServiceEntry',
      };
    }
    if (!this.name) {
      return {
        problem: this.externalHost ? `the service ${this.externalHost} has no Service name (an external host)` : 'the target has no name',
        fix: 'target a Service in the cluster by name',
      };
    }
    if (this.namespace !== undefined && this.namespace !== policyNamespace) {
      return {
        problem: `${this.kind} ${this.namespace}/${this.name} is in another namespace than the policy (${policyNamespace}); Istio does not support cross-namespace target refs`,
        fix: `create the policy in namespace ${this.namespace}`,
      };
    }
    return undefined;
  }

  /** The `targetRefs` entry. `namespace` is never written: the CRD only accepts it empty. */
  public render(): { group: string; kind: string; name: string } {
    return { group: this.group, kind: this.kind, name: this.name };
  }
}

export interface ResolvedPolicyScope {
  /** What to give the resource as its namespace: a name, or the reference the props held (which orders the output). */
  readonly namespace: string | INamespaceRef | undefined;
  readonly selector?: IWorkloadRef;
}

/**
 * The namespace a policy lands in, after checking that its scope props agree with each other.
 * Runs before the policy construct exists, so errors name `path` (the construct it becomes).
 * Namespaces are compared by name: a MeshNamespace and its name are the same namespace.
 */
export function resolvePolicyScope(path: string, scope: IConstruct, props: PolicyScopeProps, targetRefs: readonly PolicyTargetRef[] = []): ResolvedPolicyScope {
  const selector = props.selector;
  const given = props.namespace === undefined ? undefined : namespaceName(props.namespace);
  if (selector && targetRefs.length > 0) {
    check(path, 'spec.targetRefs', {
      problem: 'cannot be combined with spec.selector: Istio accepts only one of selector, targetRef and targetRefs',
      fix: 'use `selector` for sidecar-enforced policy, or `targetRefs` for a Gateway API gateway or a waypoint, not both',
    });
  }
  const rootNamespace = props.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  if (props.meshWide) {
    if (selector) {
      check(path, 'spec.selector', { problem: 'a mesh-wide policy cannot have a selector', fix: 'drop `meshWide` to scope the policy to the workload, or drop `selector`' });
    }
    if (targetRefs.length > 0) {
      check(path, 'spec.targetRefs', { problem: 'a mesh-wide policy cannot have targetRefs', fix: 'drop `meshWide`, and create the policy in the target\'s namespace' });
    }
    if (given !== undefined && given !== rootNamespace) {
      check(path, 'metadata.namespace', {
        problem: `a mesh-wide policy lives in the root namespace ${rootNamespace}, not ${given}`,
        fix: 'drop `namespace`, or set `rootNamespace` if the mesh uses another root namespace',
      });
    }
    return { namespace: props.namespace ?? rootNamespace };
  }
  if (selector) {
    const problem = selectorProblem(selector.selector, { what: 'pods' });
    if (problem) {
      check(path, 'spec.selector.matchLabels', {
        problem: problem.problem,
        fix: Object.keys(selector.selector).length === 0 ? 'give the workload labels, or drop `selector` to apply the policy to the whole namespace' : problem.fix,
      });
    }
    if (given !== undefined && given !== selector.namespace) {
      check(path, 'metadata.namespace', {
        problem: `the selected workload is in namespace ${selector.namespace}, the policy in ${given}; a selector only applies in the policy's own namespace`,
        fix: 'drop `namespace`: the policy takes the workload\'s namespace',
      });
    }
    return { namespace: props.namespace ?? selector.namespace, selector };
  }
  if (given === undefined && !Chart.of(scope).namespace) {
    check(path, 'namespace', { problem: 'no namespace: the construct has none and neither does its chart', fix: 'pass `namespace` in the props or give the chart a namespace' });
  }
  return { namespace: props.namespace };
}

/** Refuses targetRefs a policy in `namespace` cannot use. */
export function checkTargetRefs(scope: IConstruct, namespace: string, targetRefs: readonly PolicyTargetRef[]): void {
  targetRefs.forEach((ref, i) => check(scope, `spec.targetRefs[${i}]`, ref.problem(namespace)));
}

/** `selector.matchLabels` as written; read when rendering, so labels added later still count. */
export function renderSelector(selector: IWorkloadRef | undefined): { matchLabels: Record<string, string> } | undefined {
  return selector ? { matchLabels: { ...selector.selector } } : undefined;
}
