/**
 * The values file: the L3 patterns as YAML, for teams that do not write TypeScript. Each list
 * holds the props of one pattern, key for key, so the TypeScript docs are the values docs too.
 * `schemas/values.schema.json` is generated from `IstioValues` (`npm run schema`).
 */
import { Construct } from 'constructs';
import { MeshContext } from '../mesh-context';
import { GatewayWorkload } from '../gateway-workload';
import { ArgoCdApplication, ArgoCdApplicationProps } from '../argocd-application';
import { MeshInstall, MeshInstallProps } from '../mesh-install';
import { MeshRequirement, MeshRequirementProps, requireMesh } from '../mesh-requirement';
import { Waypoint, WaypointProps } from '../waypoint';
import type { IMeshNamespaceRef } from '../mesh-namespace';
import { istioVersionProblem } from '../istio-version';
import { MeshWorkload } from '../mesh-workload';
import { MtlsMode, PeerAuthentication } from '../peer-authentication';
import { AuthorizationPolicy, PolicyAction } from '../authorization-policy';
import { Operation, Source } from '../authorization-rule';
import { PolicyTargetRef } from '../policy-scope';
import { principalOf, ServiceRef } from '../references';
import { dnsLabelProblem, dnsSubdomainProblem, Problems } from '../validation';
import { CanaryRelease, CanaryReleaseProps } from './canary-release';
import { meshNamespaceFrom, NamespaceValues } from './common';
import { EdgeRoute, EdgeRouteProps } from './edge-route';
import { ExposedApplication, ExposedApplicationProps } from './exposed-application';
import { ServiceRoutes, ServiceRoutesProps } from './service-routes';
import { ZeroTrustNamespace } from './zero-trust-namespace';

/** What the target cluster's Istio looks like, as far as the checks need to know. */
export interface MeshValues {
  /** Revisions and revision tags that have an injector. @default [] */
  readonly revisions?: string[];
  /**
   * Whether a default injector exists (a `default` revision or tag, or a revision-less install).
   * False for revision-only installs, where every pod must carry `istio.io/rev`.
   * @default true
   */
  readonly defaultInjector?: boolean;
  /** meshConfig extension providers, for CUSTOM authorization. @default [] */
  readonly extensionProviders?: string[];
  /** Namespaces that exist in the cluster outside this app, which policies may name. @default [] */
  readonly externalNamespaces?: string[];
  /** The mesh's SPIFFE trust domain (meshConfig.trustDomain), which the policies' principals name. @default 'cluster.local' */
  readonly trustDomain?: string;
  /** The mesh's root namespace (meshConfig.rootNamespace). @default 'istio-system' */
  readonly rootNamespace?: string;
  /**
   * Write a mesh-wide STRICT PeerAuthentication (`default` in the root namespace): every
   * workload of the mesh accepts Istio mTLS only.
   * @default false
   */
  readonly strictMtls?: boolean;
  /**
   * The Istio version the cluster runs (`1.24` or `1.24.6`, from 1.20 to 1.30): the output uses
   * the apiVersions it serves and is validated against its CRDs.
   * @default '1.30'
   */
  readonly istioVersion?: string;
  /**
   * Whether the cluster's install starts proxies before the app's containers
   * (meshConfig.defaultConfig.holdApplicationUntilProxyStarts), for `requires`; a meshInstall
   * says it itself.
   * @default - unknown
   */
  readonly holdApplicationUntilProxyStarts?: boolean;
  /** Whether the cluster's install has DNS capture on (ISTIO_META_DNS_CAPTURE), for `requires`. @default - unknown */
  readonly dnsCapture?: boolean;
  /**
   * What platforms on this mesh need from it (deployKF: holdApplicationUntilProxyStarts and
   * dnsCapture; a vendor: minimumIstioVersion, gatewaysMatchIstiod), checked against the
   * meshInstall or the facts above.
   * @default - none
   */
  readonly requires?: MeshRequirementProps[];
}

/** A gateway's pods, identified for authorization. */
export interface GatewayIdentityValues {
  readonly namespace: string;
  /** Pod labels of the gateway. */
  readonly selector: Record<string, string>;
  readonly serviceAccountName: string;
}

/** A workload, by labels, in the namespace being closed. */
export interface WorkloadValues {
  /** Used in policy names. */
  readonly name: string;
  readonly selector: Record<string, string>;
  /** @default - unknown */
  readonly serviceAccountName?: string;
}

/** ZeroTrustNamespace as values. */
export interface ZeroTrustNamespaceValues {
  /** The namespace to close. */
  readonly namespace: string;
  /** Let an ingress gateway reach these workloads. @default - no ingress */
  readonly ingress?: { readonly gateway: GatewayIdentityValues; readonly workloads: WorkloadValues[] };
  /** Namespaces whose workloads may call every workload here. @default - none */
  readonly allowNamespaces?: string[];
  /** Service accounts, `namespace/name`, that may call every workload here. @default - none */
  readonly allowServiceAccounts?: string[];
  /** Allow closing the mesh's root namespace, which closes every namespace. @default false */
  readonly meshWide?: boolean;
  /** The namespace's waypoint (ambient), a `waypoints` entry of the same namespace. @default - none */
  readonly waypoint?: string;
}

/** MeshInstall as values: its props, with requirements written as plain objects. */
export interface MeshInstallValues extends Omit<MeshInstallProps, 'requires'> {
  /** What platforms running on this mesh need from it, checked against this install. @default - none */
  readonly requires?: MeshRequirementProps[];
}

/** One rule of an AuthorizationPolicy entry: who (any of the sources) may do what (all of the operation). */
export interface AuthorizationRuleValues {
  /** Callers by service account, `namespace/name`. @default - any caller, unless fromNamespaces is given */
  readonly fromServiceAccounts?: string[];
  /** Callers by namespace. @default - any caller, unless fromServiceAccounts is given */
  readonly fromNamespaces?: string[];
  /** HTTP methods (L7: needs a sidecar, a gateway or a waypoint). @default - any */
  readonly methods?: string[];
  /** URL paths, `/api/*` style (L7). @default - any */
  readonly paths?: string[];
  /** Destination ports. @default - any */
  readonly ports?: number[];
}

/** An AuthorizationPolicy, attached to Services or a waypoint (ambient L7), or selecting pods. */
export interface AuthorizationPolicyValues {
  readonly name: string;
  readonly namespace: string;
  /** @default 'ALLOW' */
  readonly action?: 'ALLOW' | 'DENY';
  /** Services of the namespace the policy attaches to; in ambient their waypoint enforces it. @default - none */
  readonly targetServices?: string[];
  /** A waypoint of the namespace the policy attaches to, for all its traffic. @default - none */
  readonly targetWaypoint?: string;
  /** Pods by labels, when not attached. @default - every pod of the namespace */
  readonly selector?: Record<string, string>;
  readonly rules: AuthorizationRuleValues[];
}

export interface IstioValues {
  /** @default - Istio with a default injector and nothing else declared */
  readonly mesh?: MeshValues;
  /** Namespaces to create (or reference) on their own, with their injection mode. @default - none */
  readonly namespaces?: NamespaceValues[];
  /** @default - none */
  readonly exposedApplications?: ExposedApplicationProps[];
  /** Ambient waypoints (Gateways of class istio-waypoint), which namespaces name with useWaypoint. @default - none */
  readonly waypoints?: Array<Omit<WaypointProps, 'namespace'> & { readonly namespace: string }>;
  /** Istio's control plane, as Argo CD Applications of its Helm charts. @default - none */
  readonly meshInstall?: MeshInstallValues;
  /** Argo CD Applications, e.g. one per team rendering its directory with the plugin (app-of-apps). @default - none */
  readonly argocdApplications?: ArgoCdApplicationProps[];
  /** @default - none */
  readonly edgeRoutes?: EdgeRouteProps[];
  /** @default - none */
  readonly canaryReleases?: CanaryReleaseProps[];
  /** @default - none */
  readonly serviceRoutes?: ServiceRoutesProps[];
  /** @default - none */
  readonly zeroTrustNamespaces?: ZeroTrustNamespaceValues[];
  /** Further AuthorizationPolicies, such as L7 rules on an ambient namespace's waypoint. @default - none */
  readonly authorizationPolicies?: AuthorizationPolicyValues[];
}

/** Construct ids of values entries are their list name and index, e.g. `exposedApplications[0]`. */
function entryId(list: string, index: number): string {
  return `${list}[${index}]`;
}

/** Builds the patterns the values describe under `scope` (usually an IstioChart). */
export function buildFromValues(scope: Construct, values: IstioValues): void {
  const mesh = values.mesh ?? {};
  const ctx = MeshContext.of(scope);
  // Every entry is built even when an earlier one is refused, so one run reports them all.
  const problems = new Problems(scope);
  if (mesh.istioVersion !== undefined) {
    const problem = istioVersionProblem(String(mesh.istioVersion));
    problems.check('mesh.istioVersion', problem);
    if (!problem) {
      ctx.targetIstioVersion(String(mesh.istioVersion));
    }
  }
  if (mesh.trustDomain !== undefined) {
    problems.check('mesh.trustDomain', dnsSubdomainProblem(mesh.trustDomain, 'trust domain'));
  }
  ctx.declareInstall({
    revisions: mesh.revisions ?? [],
    hasDefaultInjector: mesh.defaultInjector ?? true,
    extensionProviders: mesh.extensionProviders ?? [],
    trustDomain: mesh.trustDomain ?? 'cluster.local',
    holdApplicationUntilProxyStarts: mesh.holdApplicationUntilProxyStarts,
    dnsCapture: mesh.dnsCapture,
  });
  requireMesh(scope, (mesh.requires ?? []).map((r) => MeshRequirement.of(r)), 'mesh.requires');
  (mesh.externalNamespaces ?? []).forEach((ns, i) => {
    problems.check(`mesh.externalNamespaces[${i}]`, dnsLabelProblem(ns, 'namespace name'));
    ctx.declareExternalNamespace(ns);
  });
  if (mesh.strictMtls) {
    problems.run(() => new PeerAuthentication(scope, 'mesh-mtls', { name: 'default', meshWide: true, rootNamespace: mesh.rootNamespace, mode: MtlsMode.STRICT }));
  }

  // Two entries that would write the same objects are one mistake: say it once, at the second
  // entry's key, instead of once per colliding object, and build only the first.
  const firstOnly = <T>(list: string, entries: readonly T[] | undefined, keyField: string, key: (e: T) => string | undefined, what: (k: string) => string): Array<[T, number]> => {
    const seen = new Map<string, number>();
    const kept: Array<[T, number]> = [];
    (entries ?? []).forEach((e, i) => {
      const k = key(e);
      const first = k === undefined ? undefined : seen.get(k);
      if (k === undefined || first === undefined) {
        if (k !== undefined) {
          seen.set(k, i);
        }
        kept.push([e, i]);
        return;
      }
      problems.check(`${list}[${i}].${keyField}`, {
        problem: `${list}[${first}] already is ${what(k)}; both entries would write the same objects`,
        fix: `merge the two entries, or give ${list}[${i}] another ${keyField}`,
      });
    });
    return kept;
  };
  const nsName = (ns: unknown): string => (typeof ns === 'string' ? ns : (ns as { name?: string } | undefined)?.name ?? '');

  if (values.meshInstall) {
    const { requires, ...install } = values.meshInstall;
    problems.run(() => new MeshInstall(scope, 'meshInstall', { ...install, requires: requires?.map((r) => MeshRequirement.of(r)) }));
  }
  firstOnly('argocdApplications', values.argocdApplications, 'name', (p) => p.name, (k) => `Application ${k}`)
    .forEach(([p, i]) => problems.run(() => new ArgoCdApplication(scope, entryId('argocdApplications', i), { ...p, name: p.name ?? `application-${i}` })));
  const created = new Map<string, IMeshNamespaceRef>();
  firstOnly('namespaces', values.namespaces, 'name', (ns) => nsName(ns), (k) => `namespace ${k}`)
    .forEach(([ns, i]) => problems.run(() => created.set(nsName(ns), meshNamespaceFrom(scope, entryId('namespaces', i), ns, entryId('namespaces', i)))));
  firstOnly('exposedApplications', values.exposedApplications, 'name', (p) => `${nsName(p.namespace)}/${p.name}`, (k) => `application ${k}`)
    .forEach(([p, i]) => problems.run(() => {
      const app = new ExposedApplication(scope, entryId('exposedApplications', i), p);
      if (!created.has(app.namespace.name) && typeof p.namespace === 'object' && p.namespace.create !== false) {
        created.set(app.namespace.name, app.namespace);
      }
    }));
  // After the namespaces (the file's own, and those its applications create), and given theirs,
  // so they are applied first.
  firstOnly('waypoints', values.waypoints, 'name', (w) => `${w.namespace}/${w.name ?? 'waypoint'}`, (k) => `waypoint ${k}`)
    .forEach(([w, i]) => problems.run(() => new Waypoint(scope, entryId('waypoints', i), { ...w, namespace: created.get(w.namespace) ?? w.namespace })));
  firstOnly('edgeRoutes', values.edgeRoutes, 'name', (p) => (p.name === undefined ? undefined : `${p.namespace ?? ''}/${p.name}`), (k) => `edge route ${k}`)
    .forEach(([p, i]) => problems.run(() => new EdgeRoute(scope, entryId('edgeRoutes', i), p)));
  firstOnly('canaryReleases', values.canaryReleases, 'service', (p) => `${p.namespace}/${p.service}`, (k) => `the canary release of ${k}`)
    .forEach(([p, i]) => problems.run(() => new CanaryRelease(scope, entryId('canaryReleases', i), p)));
  firstOnly('serviceRoutes', values.serviceRoutes, 'service', (p) => `${p.namespace}/${p.service}`, (k) => `the routes of ${k}`)
    .forEach(([p, i]) => problems.run(() => new ServiceRoutes(scope, entryId('serviceRoutes', i), p)));
  firstOnly('zeroTrustNamespaces', values.zeroTrustNamespaces, 'namespace', (v) => v.namespace, (k) => `zero trust for namespace ${k}`)
    .forEach(([v, i]) => problems.run(() => {
    const zt = new ZeroTrustNamespace(scope, entryId('zeroTrustNamespaces', i), {
      namespace: v.namespace,
      allowNamespaces: v.allowNamespaces,
      allowServiceAccounts: v.allowServiceAccounts,
      meshWide: v.meshWide,
      rootNamespace: mesh.rootNamespace,
      waypoint: v.waypoint,
    });
    if (v.ingress) {
      const gateway = GatewayWorkload.fromSelector(zt, 'gateway', {
        selector: v.ingress.gateway.selector,
        namespace: v.ingress.gateway.namespace,
        serviceAccountName: v.ingress.gateway.serviceAccountName,
      });
      zt.allowIngressWith({
        gateway,
        workloads: v.ingress.workloads.map((w) => MeshWorkload.fromLabels(v.namespace, w.selector, { name: w.name, serviceAccountName: w.serviceAccountName })),
      });
    }
  }));
  firstOnly('authorizationPolicies', values.authorizationPolicies, 'name', (p) => `${p.namespace}/${p.name}`, (k) => `policy ${k}`)
    .forEach(([p, i]) => problems.run(() => authorizationPolicyFrom(scope, entryId('authorizationPolicies', i), p, ctx.install.trustDomain)));
  problems.throwIfAny();
}

function authorizationPolicyFrom(scope: Construct, id: string, v: AuthorizationPolicyValues, trustDomain: string): AuthorizationPolicy {
  const problems = new Problems(`${scope.node.path}/${id}`);
  if (v.selector && (v.targetServices?.length || v.targetWaypoint)) {
    problems.check('selector', { problem: 'a policy either selects pods or attaches to Services or a waypoint, not both', fix: 'drop selector, or drop targetServices and targetWaypoint' });
  }
  const rules = (v.rules ?? []).map((r, i) => {
    const principals = (r.fromServiceAccounts ?? []).map((sa, j) => {
      const [ns, name, extra] = sa.split('/');
      if (!ns || !name || extra !== undefined) {
        problems.check(`rules[${i}].fromServiceAccounts[${j}]`, { problem: `"${sa}" is not namespace/serviceaccount`, fix: 'write it as namespace/name, e.g. storefront/web' });
      }
      return principalOf(ns, name, trustDomain);
    });
    const from = [
      ...(principals.length ? [Source.principals(...principals)] : []),
      ...(r.fromNamespaces?.length ? [Source.namespaces(...r.fromNamespaces)] : []),
    ];
    const parts = [
      ...(r.methods?.length ? [Operation.methods(...r.methods)] : []),
      ...(r.paths?.length ? [Operation.paths(...r.paths)] : []),
      ...(r.ports?.length ? [Operation.ports(...r.ports)] : []),
    ];
    const operation = parts.reduce<Operation | undefined>((all, o) => (all ? all.and(o) : o), undefined);
    return { ...(from.length ? { from } : {}), ...(operation ? { to: [operation] } : {}) };
  });
  problems.throwIfAny();
  return new AuthorizationPolicy(scope, id, {
    name: v.name,
    namespace: v.namespace,
    action: v.action === 'DENY' ? PolicyAction.DENY : PolicyAction.ALLOW,
    selector: v.selector ? MeshWorkload.fromLabels(v.namespace, v.selector) : undefined,
    targetRefs: [
      ...(v.targetServices ?? []).map((svc) => PolicyTargetRef.service(ServiceRef.fromName(svc, v.namespace))),
      ...(v.targetWaypoint ? [PolicyTargetRef.gateway(v.targetWaypoint)] : []),
    ],
    rules,
  });
}

/** `a.b[0]["c.d/e"]` → ['a', 'b', '0', 'c.d/e']. */
export function fieldSegments(field: string): string[] {
  const out: string[] = [];
  const re = /\["((?:[^"\\]|\\.)*)"\]|\[(\d+)\]|([^.[\]]+)/g;
  for (const m of field.matchAll(re)) {
    out.push(m[1] !== undefined ? JSON.parse(`"${m[1]}"`) as string : m[2] ?? m[3]);
  }
  return out;
}

/**
 * The JSON pointer into the values of whatever a construct path and field point at: the entry
 * (`/exposedApplications/0`) and, when the field is one of the entry's props, the prop
 * (`/exposedApplications/0/backends/1/pathPrefix`).
 */
export function valuesPointer(constructPath: string, field?: string): string | undefined {
  const pointer = (segs: string[]) => segs.map((s) => `/${s.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
  const segments = constructPath.split('/');
  if (segments[0] === 'meshInstall') {
    // The one values key that is an object rather than a list of entries.
    return segments.length === 1 && field ? `/meshInstall${pointer(fieldSegments(field))}` : '/meshInstall';
  }
  const at = segments.findIndex((s) => /^[A-Za-z]+\[\d+\]$/.test(s));
  if (at < 0) {
    // Reported by the chart itself (a `namespaces` entry): the field names the entry.
    return field ? pointer(fieldSegments(field)) : undefined;
  }
  const [, list, index] = /^([A-Za-z]+)\[(\d+)\]$/.exec(segments[at])!;
  const entry = `/${list}/${index}`;
  // A field belongs to the entry's own props only when the pattern construct itself reported it.
  if (!field || at !== segments.length - 1) {
    return entry;
  }
  return `${entry}${pointer(fieldSegments(field))}`;
}
