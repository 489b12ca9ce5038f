/**
 * AuthorizationPolicy: who may call a workload, a namespace or the whole mesh, and how.
 */
import { Construct } from 'constructs';
import { AuthorizationRule, Condition, Operation, Source } from './authorization-rule';
import * as l1 from './l1';
import { MeshContext } from './mesh-context';
import { checkTargetRefs, PolicyScopeProps, PolicyTargetRef, renderSelector, resolvePolicyScope } from './policy-scope';
import { IGatewayWorkload, INamespaceRef, IWorkloadRef, principalOf } from './references';
import { ResourceMetadata, IstioResource } from './resource';
import { check, checkAll, FieldProblem } from './validation';

type AuthorizationPolicySpec = l1.Wire<l1.AuthorizationPolicySpec>;
type Action = NonNullable<AuthorizationPolicySpec['action']>;

/** What a matching request gets. */
export class PolicyAction {
  /** Let matching requests through. Once any ALLOW policy applies to a workload, everything else is denied. */
  public static readonly ALLOW = new PolicyAction('ALLOW');
  /** Refuse matching requests; evaluated before ALLOW policies. */
  public static readonly DENY = new PolicyAction('DENY');
  /** Mark matching requests for auditing; never changes whether they are allowed. */
  public static readonly AUDIT = new PolicyAction('AUDIT');

  /**
   * Delegate the decision for matching requests to an external authorizer: an extension
   * provider declared in meshConfig (`extensionProviders[].name`). Evaluated first.
   */
  public static custom(provider: string): PolicyAction {
    return new PolicyAction('CUSTOM', provider);
  }

  private constructor(public readonly action: Action, public readonly provider?: string) {}
}

export interface AuthorizationPolicyProps extends PolicyScopeProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default PolicyAction.ALLOW */
  readonly action?: PolicyAction;
  /**
   * Rules; a request matching any of them gets the action. More can be added with `addRule()`.
   * An ALLOW policy without rules allows nothing.
   * @default - none
   */
  readonly rules?: AuthorizationRule[];
  /**
   * Attach the policy to a Gateway API Gateway or (for waypoints) a Service in the policy's
   * namespace instead of selecting pods. Cannot be combined with `selector`.
   * @default - none
   */
  readonly targetRefs?: PolicyTargetRef[];
}

/** Options of `AuthorizationPolicy.allowNothing`. */
export interface AllowNothingOptions {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - none */
  readonly metadata?: ResourceMetadata;
  /** @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
  /** Close only these pods instead of the whole namespace. @default - every workload in the namespace */
  readonly selector?: IWorkloadRef;
}

/** Options of `AuthorizationPolicy.allowFromIngressGateway`. */
export interface AllowFromIngressGatewayOptions {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - none */
  readonly metadata?: ResourceMetadata;
  /** The ingress gateway pods; their service account is the principal allowed. */
  readonly gateway: IGatewayWorkload;
  /** The workload the gateway may call; the policy lands in its namespace. */
  readonly to: IWorkloadRef;
  /** Limit what the gateway may ask for. @default - any operation */
  readonly operations?: Operation[];
  /** SPIFFE trust domain of the mesh. @default - the install's (MeshContext), `cluster.local` unless declared */
  readonly trustDomain?: string;
}

/** Options of `AuthorizationPolicy.allowFromNamespaces`. */
export interface AllowFromNamespacesOptions {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - none */
  readonly metadata?: ResourceMetadata;
  /** Namespaces whose workloads may call. */
  readonly namespaces: Array<string | INamespaceRef>;
  /** Only this workload may be called. @default - every workload in `namespace` */
  readonly to?: IWorkloadRef;
  /** Namespace of the policy when `to` is not given. @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
  /** Limit what callers may ask for. @default - any operation */
  readonly operations?: Operation[];
}

/** Options of `AuthorizationPolicy.allowFromWorkloads`. */
export interface AllowFromWorkloadsOptions {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - none */
  readonly metadata?: ResourceMetadata;
  /** The callers; each must have a service account. */
  readonly from: IWorkloadRef[];
  /** The workload they may call; the policy lands in its namespace. */
  readonly to: IWorkloadRef;
  /** Limit what callers may ask for. @default - any operation */
  readonly operations?: Operation[];
  /** SPIFFE trust domain of the mesh. @default - the install's (MeshContext), `cluster.local` unless declared */
  readonly trustDomain?: string;
}

// CUSTOM policies are evaluated by the external authorizer before the peer's identity or the
// JWT is available to it, so istiod refuses rules that depend on them.
const CUSTOM_FORBIDDEN_SOURCE_FIELDS = new Set([
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals',
  'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts',
]);

function customForbiddenKey(key: string): boolean {
  return key === 'source.namespace' || key === 'source.principal' || key === 'source.serviceAccount' || key.startsWith('request.auth.');
}

/**
 * An Istio AuthorizationPolicy (security.istio.io/v1).
 *
 * Scope it to the mesh (`meshWide`), a namespace (the default), a workload (`selector`) or a
 * Gateway API gateway or waypoint (`targetRefs`); add rules built from `Source`, `Operation` and
 * `Condition`. For the usual cases use the static helpers: `allowNothing`,
 * `allowFromIngressGateway`, `allowFromNamespaces`, `allowFromWorkloads`.
 */
export class AuthorizationPolicy extends IstioResource<AuthorizationPolicySpec> {
  /**
   * The policy that closes a namespace (or one workload): an ALLOW policy with no rules, which
   * turns on deny-by-default and allows nothing, rendered as Istio's documented `spec: {}`.
   *
   * Not a DENY policy: DENY is evaluated before every ALLOW, so a DENY-everything would also
   * override the explicit allows meant to open the namespace back up. An empty ALLOW only
   * changes the default; any other ALLOW policy still lets its requests through.
   */
  public static allowNothing(scope: Construct, id: string, options: AllowNothingOptions = {}): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, { name: options.name, metadata: options.metadata, namespace: options.namespace, selector: options.selector });
  }

  /**
   * Allow the ingress gateway pods to call a workload, identified by the gateway's service
   * account (mTLS principal), not by IP.
   */
  public static allowFromIngressGateway(scope: Construct, id: string, options: AllowFromIngressGatewayOptions): AuthorizationPolicy {
    const gw = options.gateway;
    if (!gw.serviceAccountName) {
      check(`${scope.node.path}/${id}`, 'spec.rules[0].from[0].source.principals', {
        problem: `the gateway workload in namespace ${gw.namespace} has no serviceAccountName, so its identity is unknown`,
        fix: 'set serviceAccountName on the IGatewayWorkload (istio-ingressgateway-service-account for the default Helm install)',
      });
    }
    return new AuthorizationPolicy(scope, id, {
      name: options.name,
      metadata: options.metadata,
      selector: options.to,
      action: PolicyAction.ALLOW,
      rules: [{
        from: [Source.principals(principalOf(gw.namespace, gw.serviceAccountName!, options.trustDomain ?? MeshContext.of(scope).install.trustDomain))],
        to: options.operations,
      }],
    });
  }

  /** Allow every workload of some namespaces to call a workload, or a whole namespace. */
  public static allowFromNamespaces(scope: Construct, id: string, options: AllowFromNamespacesOptions): AuthorizationPolicy {
    return new AuthorizationPolicy(scope, id, {
      name: options.name,
      metadata: options.metadata,
      selector: options.to,
      namespace: options.to ? undefined : options.namespace,
      action: PolicyAction.ALLOW,
      rules: [{ from: [Source.namespaces(...options.namespaces)], to: options.operations }],
    });
  }

  /** Allow some workloads to call another, identified by their service accounts' principals. */
  public static allowFromWorkloads(scope: Construct, id: string, options: AllowFromWorkloadsOptions): AuthorizationPolicy {
    const from = options.from.map((w, i) => {
      if (!w.serviceAccountName) {
        check(`${scope.node.path}/${id}`, `spec.rules[0].from[0].source.principals[${i}]`, {
          problem: `the caller in namespace ${w.namespace} has no service account, so it has no identity to allow`,
          fix: 'give the caller a dedicated ServiceAccount and pass serviceAccountName',
        });
      }
      return principalOf(w.namespace, w.serviceAccountName!, options.trustDomain ?? MeshContext.of(scope).install.trustDomain);
    });
    return new AuthorizationPolicy(scope, id, {
      name: options.name,
      metadata: options.metadata,
      selector: options.to,
      action: PolicyAction.ALLOW,
      rules: [{ from: [Source.principals(...from)], to: options.operations }],
    });
  }

  public readonly action: PolicyAction;
  /** The pods the policy applies to. @default - the whole namespace, the mesh, or the targets */
  public readonly selector?: IWorkloadRef;
  private readonly targetRefs: readonly PolicyTargetRef[];
  private readonly rules: AuthorizationRule[] = [];

  public constructor(scope: Construct, id: string, props: AuthorizationPolicyProps = {}) {
    const targetRefs = props.targetRefs ?? [];
    const resolved = resolvePolicyScope(`${scope.node.path}/${id}`, scope, props, targetRefs);
    super(scope, id, { ...props, namespace: resolved.namespace }, l1.AuthorizationPolicy.GVK);
    this.action = props.action ?? PolicyAction.ALLOW;
    this.targetRefs = targetRefs;
    this.selector = resolved.selector;
    checkTargetRefs(this, this.namespace, targetRefs);
    if (this.action.action === 'CUSTOM' && !this.action.provider?.trim()) {
      check(this, 'spec.provider.name', { problem: 'a CUSTOM policy needs an extension provider name', fix: 'pass the meshConfig extensionProviders name to PolicyAction.custom()' });
    }
    for (const rule of props.rules ?? []) {
      this.addRule(rule);
    }
    this.addLateCheck((): FieldProblem[] => {
      const a = this.action.action;
      return this.rules.length === 0 && (a === 'DENY' || a === 'CUSTOM') ? [{
        field: 'spec.rules',
        problem: `a ${a} policy without rules never matches a request, so it does nothing`,
        fix: 'add a rule; an empty rule {} matches every request',
      }] : [];
    });
  }

  /** Add a rule; a request matching any rule gets the policy's action. */
  public addRule(rule: AuthorizationRule): this {
    const base = `spec.rules[${this.rules.length}]`;
    const fail = (field: string, p: { problem: string; fix: string }) => check(this, `${base}.${field}`, p);
    const custom = this.action.action === 'CUSTOM';

    if (rule.from && rule.from.length === 0) {
      fail('from', { problem: 'the list is empty', fix: 'leave `from` out to match any source' });
    }
    (rule.from ?? []).forEach((source, j) => {
      checkAll(this, `${base}.from[${j}].source`, source.validate());
      if (custom) {
        for (const field of Object.keys(source.render())) {
          if (CUSTOM_FORBIDDEN_SOURCE_FIELDS.has(field)) {
            fail(`from[${j}].source.${field}`, {
              problem: `${field} is not supported with the CUSTOM action`,
              fix: 'match CUSTOM requests by IP blocks, operations or headers, and check identities in an ALLOW/DENY policy',
            });
          }
        }
      }
    });
    if (rule.to && rule.to.length === 0) {
      fail('to', { problem: 'the list is empty', fix: 'leave `to` out to match any operation' });
    }
    (rule.to ?? []).forEach((op, j) => checkAll(this, `${base}.to[${j}].operation`, op.validate()));
    (rule.when ?? []).forEach((cond, j) => {
      checkAll(this, `${base}.when[${j}]`, cond.validate());
      if (custom && customForbiddenKey(cond.key)) {
        fail(`when[${j}].key`, {
          problem: `${cond.key} is not supported with the CUSTOM action`,
          fix: 'check identities and JWT claims in an ALLOW/DENY policy',
        });
      }
    });
    this.rules.push(rule);
    return this;
  }

  protected renderSpec(): AuthorizationPolicySpec {
    const allowNothing = this.action === PolicyAction.ALLOW && this.rules.length === 0;
    return {
      selector: renderSelector(this.selector),
      targetRefs: this.targetRefs.length > 0 ? this.targetRefs.map((t) => t.render()) : undefined,
      // Istio's documented allow-nothing form has no action; an explicit ALLOW reads as an
      // allow to reviewers, so it is left out only there.
      action: allowNothing ? undefined : this.action.action,
      provider: this.action.provider !== undefined ? { name: this.action.provider } : undefined,
      rules: this.rules.length > 0 ? this.rules.map(renderRule) : undefined,
    };
  }
}

function renderRule(rule: AuthorizationRule): NonNullable<AuthorizationPolicySpec['rules']>[number] {
  return {
    from: rule.from?.map((s: Source) => ({ source: s.render() })),
    to: rule.to?.map((o: Operation) => ({ operation: o.render() })),
    when: rule.when?.map((c: Condition) => c.render()),
  };
}
