/**
 * Where a security policy applies, shared by AuthorizationPolicy, PeerAuthentication and
 * RequestAuthentication: the whole mesh (the root namespace), a namespace, the pods of one
 * workload (a label selector), or named objects (`targetRefs`).
 */
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { DEFAULT_ROOT_NAMESPACE } from './analysis/rendered';
import { INamespaceRef, IServiceRef, IWorkloadRef, resolveNamespace } from './references';

export { DEFAULT_ROOT_NAMESPACE } from './analysis/rendered';

/** Scope props every security policy shares. */
export interface PolicyScopeProps {
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
  public problem(policyNamespace: string): { problem: string; fix: string } | undefined {
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

/** Why a label selector is unusable in an Istio `selector.matchLabels`, or undefined. */
export function selectorProblem(selector: Readonly<Record<string, string>>): { problem: string; fix: string } | undefined {
  const entries = Object.entries(selector);
  if (entries.length === 0) {
    return {
      problem: 'the workload selects no labels, which Istio treats as no selector at all',
      fix: 'give the workload labels, or drop `selector` to apply the policy to the whole namespace',
    };
  }
  for (const [k, v] of entries) {
    if (k.length === 0) {
      return { problem: 'a label key is empty', fix: 'use non-empty label keys' };
    }
    if (k.includes('*') || v.includes('*')) {
      return {
        problem: `"${k}=${v}" contains a wildcard; Istio selectors match labels exactly`,
        fix: 'list the exact label keys and values of the pods',
      };
    }
    if (v.length > 63) {
      return { problem: `the value of label "${k}" is longer than 63 characters`, fix: 'use label values of at most 63 characters' };
    }
  }
  return undefined;
}

export interface ResolvedPolicyScope {
  readonly namespace: string;
  readonly selector?: IWorkloadRef;
}

/**
 * The namespace a policy lands in, after checking that its scope props agree with each other.
 * `targetRefs` are checked here too so all three policy kinds refuse the same combinations.
 */
export function resolvePolicyScope(
  scope: IConstruct,
  props: PolicyScopeProps,
  targetRefs: readonly PolicyTargetRef[] = [],
): ResolvedPolicyScope {
  const selector = props.selector;
  if (selector && targetRefs.length > 0) {
    propError(scope, 'spec.targetRefs', 'cannot be combined with spec.selector: Istio accepts only one of selector, targetRef and targetRefs',
      'use `selector` for sidecar-enforced policy, or `targetRefs` for a Gateway API gateway or a waypoint, not both');
  }
  const rootNamespace = props.rootNamespace ?? DEFAULT_ROOT_NAMESPACE;
  if (props.meshWide) {
    if (selector) {
      propError(scope, 'spec.selector', 'a mesh-wide policy cannot have a selector',
        'drop `meshWide` to scope the policy to the workload, or drop `selector`');
    }
    if (targetRefs.length > 0) {
      propError(scope, 'spec.targetRefs', 'a mesh-wide policy cannot have targetRefs',
        'drop `meshWide`, and create the policy in the target\'s namespace');
    }
    if (props.namespace !== undefined && props.namespace !== rootNamespace) {
      propError(scope, 'metadata.namespace', `a mesh-wide policy lives in the root namespace ${rootNamespace}, not ${props.namespace}`,
        'drop `namespace`, or set `rootNamespace` if the mesh uses another root namespace');
    }
    return { namespace: rootNamespace };
  }
  if (selector) {
    const problem = selectorProblem(selector.selector);
    if (problem) {
      propError(scope, 'spec.selector.matchLabels', problem.problem, problem.fix);
    }
    if (props.namespace !== undefined && props.namespace !== selector.namespace) {
      propError(scope, 'metadata.namespace', `the selected workload is in namespace ${selector.namespace}, the policy in ${props.namespace}; a selector only applies in the policy's own namespace`,
        'drop `namespace`: the policy takes the workload\'s namespace');
    }
    return { namespace: selector.namespace, selector };
  }
  const namespace = resolveNamespace(scope, props.namespace);
  targetRefs.forEach((ref, i) => {
    const problem = ref.problem(namespace);
    if (problem) {
      propError(scope, `spec.targetRefs[${i}]`, problem.problem, problem.fix);
    }
  });
  return { namespace };
}

/** `selector.matchLabels` as written; read when rendering, so labels added later still count. */
export function renderSelector(selector: IWorkloadRef | undefined): { matchLabels: Record<string, string> } | undefined {
  return selector ? { matchLabels: { ...selector.selector } } : undefined;
}
