/**
 * Ambient namespaces: configuration that ztunnel, the node proxy that carries ambient traffic
 * without a waypoint, does not act on.
 *
 * ztunnel is L4 only. Its configuration is built in `pilot/pkg/serviceregistry/ambient/` and
 * reads neither VirtualServices nor DestinationRules, so their routes, subsets, retries and
 * timeouts take effect only where an Envoy sends the request (a gateway, a sidecar in another
 * namespace, a waypoint). An AuthorizationPolicy attached by `selector` (or to a whole namespace)
 * is enforced by the receiving ztunnel whether a waypoint exists or not; `ambient/authorization.go`
 * drops every ALLOW rule that names an HTTP attribute, enforces a DENY without its HTTP parts,
 * and does not apply CUSTOM or AUDIT at all. Policies for a waypoint use `targetRefs`.
 */
import { defineCode, Severity } from '../finding';
import { ObjectIndex } from '../object-index';
import { AppCheck } from '../registry';
import { GK, Json, metaOf, objectsOf, stringsOf } from '../rendered';
import { viewsOf } from '../views';
import { fqdnIn, serviceOfHost } from '../../host';

export const CKI5001 = defineCode('CKI5001', Severity.WARNING,
  'Mesh routing for a Service in an ambient namespace without a waypoint: ambient clients ignore it');
export const CKI5002 = defineCode('CKI5002', Severity.ERROR,
  'AuthorizationPolicy in an ambient namespace that ztunnel cannot enforce as written');

const DATAPLANE_MODE = 'istio.io/dataplane-mode';
const USE_WAYPOINT = 'istio.io/use-waypoint';

function isAmbient(index: ObjectIndex, namespace: string): boolean {
  return index.namespaceLabels(namespace)?.[DATAPLANE_MODE] === 'ambient';
}

/**
 * Whether traffic to the Service goes through a waypoint: undefined when the app cannot tell
 * (the Service is not in the app, so its labels are unknown).
 */
function hasWaypoint(index: ObjectIndex, name: string, namespace: string): boolean | undefined {
  if (index.namespaceLabels(namespace)?.[USE_WAYPOINT] !== undefined) {
    return true;
  }
  const svc = index.find(GK.Service, namespace, name);
  if (!svc) {
    return undefined;
  }
  return metaOf(svc.manifest).labels?.[USE_WAYPOINT] !== undefined;
}

const meshRoutesWithoutWaypoint: AppCheck = {
  id: 'ambient-mesh-routes-without-waypoint',
  check(ctx) {
    for (const v of viewsOf(ctx.index).virtualServices) {
      if (!v.meshBound) {
        continue;
      }
      const usesSubsets = v.http.some((r) => objectsOf(r.route).some((d) => typeof (d.destination as Json | undefined)?.subset === 'string'));
      v.hosts.forEach((host, i) => {
        const svc = serviceOfHost(fqdnIn(host.toLowerCase(), v.namespace));
        if (!svc || !isAmbient(ctx.index, svc.namespace) || hasWaypoint(ctx.index, svc.name, svc.namespace) !== false) {
          return;
        }
        ctx.report(v.obj, {
          code: CKI5001.code,
          field: `spec.hosts[${i}]`,
          message: `${host} is Service ${svc.namespace}/${svc.name} in ambient namespace ${svc.namespace}, which has no waypoint: ambient clients reach it through ztunnel, which ignores VirtualServices and DestinationRules, so these routes${usesSubsets ? ' and their subset split' : ''} apply only to gateway and sidecar clients`,
          fix: `give ${svc.namespace} a waypoint (a Waypoint construct, or label the namespace or Service istio.io/use-waypoint), or bind the routes to a gateway only`,
        });
      });
    }
    // Gateway API mesh routes (a Service as parent): in ambient, only a waypoint applies them.
    for (const gk of [GK.HTTPRoute, GK.GRPCRoute]) {
      for (const route of ctx.index.byGroupKind(gk)) {
        const routeNs = ctx.index.namespaceOf(route);
        objectsOf(((route.manifest.spec ?? {}) as Json).parentRefs).forEach((p, i) => {
          if (p.kind !== 'Service' || String(p.group ?? '') !== '') {
            return;
          }
          const ns = typeof p.namespace === 'string' ? p.namespace : routeNs;
          const name = String(p.name);
          if (!isAmbient(ctx.index, ns) || hasWaypoint(ctx.index, name, ns) !== false) {
            return;
          }
          ctx.report(route, {
            code: CKI5001.code,
            field: `spec.parentRefs[${i}]`,
            message: `the route attaches to Service ${ns}/${name} in ambient namespace ${ns}, which has no waypoint: ztunnel carries its traffic and applies no HTTP routes, so this ${String(route.manifest.kind)} applies to sidecar clients only`,
            fix: `give ${ns} a waypoint (a Waypoint construct, or label the namespace or Service istio.io/use-waypoint)`,
          });
        });
      }
    }
  },
};

/** The `when` keys ztunnel evaluates (istio.io docs, ambient L4 policy); every other key is HTTP. */
const L4_CONDITION_KEYS = new Set(['source.ip', 'source.namespace', 'source.principal', 'destination.ip', 'destination.port']);
const L7_SOURCE_FIELDS = ['requestPrincipals', 'notRequestPrincipals', 'remoteIpBlocks', 'notRemoteIpBlocks'];
const L7_OPERATION_FIELDS = ['hosts', 'notHosts', 'methods', 'notMethods', 'paths', 'notPaths'];

/** Field paths of the HTTP attributes in one rule. */
function httpAttributes(rule: Json, i: number): string[] {
  const out: string[] = [];
  objectsOf(rule.from).forEach((from, j) => {
    const source = (from.source ?? {}) as Json;
    for (const f of L7_SOURCE_FIELDS) {
      if (stringsOf(source[f]).length > 0) {
        out.push(`spec.rules[${i}].from[${j}].source.${f}`);
      }
    }
  });
  objectsOf(rule.to).forEach((to, j) => {
    const operation = (to.operation ?? {}) as Json;
    for (const f of L7_OPERATION_FIELDS) {
      if (stringsOf(operation[f]).length > 0) {
        out.push(`spec.rules[${i}].to[${j}].operation.${f}`);
      }
    }
  });
  objectsOf(rule.when).forEach((when, j) => {
    if (typeof when.key === 'string' && !L4_CONDITION_KEYS.has(when.key)) {
      out.push(`spec.rules[${i}].when[${j}].key`);
    }
  });
  return out;
}

const TARGET_FIX = 'attach the policy to the Service or its waypoint with targetRefs (PolicyTargetRef.service(...)), which needs a waypoint, or keep to L4 attributes (principals, namespaces, ipBlocks, ports)';

const ztunnelPolicies: AppCheck = {
  id: 'ambient-authorization-policy',
  check(ctx) {
    for (const p of viewsOf(ctx.index).authorizationPolicies) {
      if (p.targeted || !isAmbient(ctx.index, p.namespace)) {
        continue;
      }
      const action = p.action.toUpperCase();
      if (action === 'CUSTOM' || action === 'AUDIT') {
        ctx.report(p.obj, {
          code: CKI5002.code,
          field: 'spec.action',
          message: `ztunnel does not apply ${action} policies, and namespace ${p.namespace} is ambient: this policy is not enforced`,
          fix: 'attach it to a waypoint with targetRefs (a waypoint enforces CUSTOM and AUDIT)',
        });
        continue;
      }
      p.rules.forEach((rule, i) => {
        const l7 = httpAttributes(rule as Json, i);
        if (l7.length === 0) {
          return;
        }
        const names = l7.map((f) => f.slice(f.lastIndexOf('.') + 1)).join(', ');
        if (action === 'DENY') {
          ctx.report(p.obj, {
            code: CKI5002.code,
            severity: Severity.WARNING,
            field: l7[0],
            message: `namespace ${p.namespace} is ambient and the policy has a selector, so ztunnel enforces it without its HTTP attributes (${names}): rule ${i} denies more than written`,
            fix: TARGET_FIX,
          });
          return;
        }
        ctx.report(p.obj, {
          code: CKI5002.code,
          field: l7[0],
          message: `namespace ${p.namespace} is ambient and the policy has a selector, so ztunnel drops rule ${i} for its HTTP attributes (${names}): the traffic it was to allow is denied`,
          fix: TARGET_FIX,
        });
      });
    }
  },
};

export const CKI5005 = defineCode('CKI5005', Severity.ERROR,
  'ztunnel policy on pods behind a waypoint that does not admit the waypoint: traffic through it is refused');

/**
 * Traffic a waypoint forwards reaches the destination ztunnel from the waypoint's identity, not
 * the caller's (istio.io docs, ambient/usage/l4-policy and l7-features: policies are "targeted"
 * for ztunnel or "attached" with targetRefs for the waypoint). Istio runs an istio-waypoint
 * Gateway as a Deployment and ServiceAccount of the Gateway's own name. So once any ztunnel ALLOW
 * policy applies to pods behind a waypoint, one of them must admit that identity. Ingress
 * gateways skip the waypoint unless the Service says `istio.io/ingress-use-waypoint`, so their
 * identity is fine where it is.
 */
const waypointIdentityAdmitted: AppCheck = {
  id: 'ambient-waypoint-identity-admitted',
  check(ctx) {
    const index = ctx.index;
    const views = viewsOf(index);
    const trustDomain = index.context.install.trustDomain;
    for (const svc of index.byGroupKind(GK.Service)) {
      const ns = index.namespaceOf(svc);
      if (!isAmbient(index, ns)) {
        continue;
      }
      const labels = metaOf(svc.manifest).labels ?? {};
      const nsLabels = index.namespaceLabels(ns) ?? {};
      const waypoint = labels[USE_WAYPOINT] ?? nsLabels[USE_WAYPOINT];
      if (waypoint === undefined || waypoint === 'none') {
        continue;
      }
      const waypointNs = labels[USE_WAYPOINT] !== undefined ? labels['istio.io/use-waypoint-namespace'] ?? ns : nsLabels['istio.io/use-waypoint-namespace'] ?? ns;
      const principal = `${trustDomain}/ns/${waypointNs}/sa/${waypoint}`;
      const podLabels = (((svc.manifest.spec ?? {}) as Json).selector ?? {}) as Record<string, string>;
      if (Object.keys(podLabels).length === 0) {
        continue;
      }
      const applies = (p: (typeof views.authorizationPolicies)[number]) => !p.targeted && p.namespace === ns && (!p.selector || Object.entries(p.selector).every(([k, v]) => podLabels[k] === v));
      const allows = views.authorizationPolicies.filter((p) => applies(p) && p.action.toUpperCase() === 'ALLOW');
      if (allows.length === 0) {
        continue;
      }
      const admits = allows.some((p) => p.rules.some((rule) => {
        const from = objectsOf((rule as Json).from);
        return from.length === 0 || from.some((f) => {
          const source = (f.source ?? {}) as Json;
          const principals = stringsOf(source.principals);
          const namespaces = stringsOf(source.namespaces);
          // Istio's string matching: exact, `*`, `prefix*` or `*suffix`.
          const matches = (pattern: string, value: string) => pattern === value || pattern === '*'
            || (pattern.endsWith('*') && value.startsWith(pattern.slice(0, -1))) || (pattern.startsWith('*') && value.endsWith(pattern.slice(1)));
          return principals.some((x) => matches(x, principal)) || namespaces.some((x) => matches(x, waypointNs))
            || (principals.length === 0 && namespaces.length === 0 && stringsOf(source.ipBlocks).length === 0);
        });
      }));
      if (admits) {
        continue;
      }
      const name = metaOf(svc.manifest).name;
      ctx.report(svc, {
        code: CKI5005.code,
        message: `Service ${ns}/${name} uses waypoint ${waypointNs}/${waypoint}, whose traffic reaches the pods from ${principal}, and the ztunnel policies on them (${allows.map((p) => p.name).join(', ')}) admit no such identity: every request through the waypoint is refused`,
        fix: `allow ${principal} at L4 (ZeroTrustNamespace with waypoint, or an ALLOW from that principal) and put the callers' rules on the waypoint with targetRefs`,
      });
    }
  },
};

export const CKI5003 = defineCode('CKI5003', Severity.ERROR, 'istio.io/use-waypoint names a waypoint the app does not have');
export const CKI5004 = defineCode('CKI5004', Severity.WARNING, 'istio.io/use-waypoint on a namespace that is not in ambient mode has no effect');

/** Waypoints of the app: Gateway API Gateways of class istio-waypoint, as `namespace/name`. */
function waypointsOf(index: ObjectIndex): Set<string> {
  return index.memo('ambient:waypoints', () => new Set(index.byGroupKind(GK.KubernetesGateway)
    .filter((g) => ((g.manifest.spec ?? {}) as Json).gatewayClassName === 'istio-waypoint')
    .map((g) => `${index.namespaceOf(g)}/${metaOf(g.manifest).name}`)));
}

const useWaypointLabels: AppCheck = {
  id: 'ambient-use-waypoint',
  check(ctx) {
    const waypoints = waypointsOf(ctx.index);
    const subjects = [...ctx.index.byGroupKind(GK.Namespace), ...ctx.index.byGroupKind(GK.Service)];
    for (const obj of subjects) {
      const labels = metaOf(obj.manifest).labels ?? {};
      const name = labels[USE_WAYPOINT];
      if (name === undefined || name === 'none') {
        continue;
      }
      const isNamespace = obj.manifest.kind === 'Namespace';
      const home = isNamespace ? metaOf(obj.manifest).name : ctx.index.namespaceOf(obj);
      const nsLabels = ctx.index.namespaceLabels(home) ?? {};
      const waypointNs = labels['istio.io/use-waypoint-namespace'] ?? (isNamespace ? undefined : nsLabels['istio.io/use-waypoint-namespace']) ?? home;
      const field = `metadata.labels["${USE_WAYPOINT}"]`;
      if (!waypoints.has(`${waypointNs}/${name}`) && !(waypointNs !== home && ctx.index.context.externalNamespace(waypointNs) !== undefined)) {
        ctx.report(obj, {
          code: CKI5003.code,
          field,
          message: `no waypoint ${waypointNs}/${name} (a Gateway of class istio-waypoint) is in the app, so this traffic has no L7 processing and policies aimed at the waypoint never apply`,
          fix: `add a Waypoint named ${name} in ${waypointNs}, correct the label, or declare the waypoint's namespace external when the platform runs it`,
        });
      }
      if (isNamespace && labels[DATAPLANE_MODE] !== 'ambient') {
        ctx.report(obj, {
          code: CKI5004.code,
          field,
          message: `namespace ${home} is not in ambient mode (istio.io/dataplane-mode: ambient), so its pods never use waypoint ${name}`,
          fix: 'set injection: InjectionMode.ambient() on the namespace (injection: ambient in a values file), or drop useWaypoint',
        });
      }
    }
  },
};

export const ambientChecks: AppCheck[] = [meshRoutesWithoutWaypoint, ztunnelPolicies, useWaypointLabels, waypointIdentityAdmitted];
