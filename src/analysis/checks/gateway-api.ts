/**
 * Gateway API objects across each other, as the Gateway API's own status conditions would report
 * them after apply (Accepted=False, ResolvedRefs=False), but at synth:
 * - a route's parent Gateway or listener does not exist, or admits none of the route's namespace,
 *   kind or hostnames (`allowedRoutes`, listener hostnames; gateway-api's "Route attachment");
 * - a backend, mirror or certificate in another namespace without a ReferenceGrant there;
 * - a rule whose every backend weighs 0 (the Gateway API answers its requests with 500);
 * - a VirtualService and an HTTPRoute claiming one host on the same gateway pods (an Istio
 *   Gateway selecting the pods Istio deployed for a Gateway API Gateway, or the Service a Gateway
 *   names in `spec.addresses`), where which of the two Envoy uses is not defined.
 */
import { defineCode, Severity } from '../finding';
import { labelsMatch, ObjectIndex } from '../object-index';
import { AppCheck, CheckContext } from '../registry';
import { GK, Json, metaOf, objectsOf, RenderedObject, stringsOf } from '../rendered';
import { viewsOf } from '../views';
import { wildcardCovers } from '../../host';
import { CKI2002, INTERNAL_LB_ANNOTATIONS } from './edge';
import { externalGatewayApiKey } from '../../mesh-context';

export const CKI7001 = defineCode('CKI7001', Severity.ERROR, 'Gateway API route attached to a Gateway or listener that does not exist');
export const CKI7002 = defineCode('CKI7002', Severity.ERROR, 'Gateway API route that none of its Gateway\'s listeners admits (namespace, kind or hostname)');
export const CKI7003 = defineCode('CKI7003', Severity.ERROR, 'Reference to another namespace without a ReferenceGrant there');
export const CKI7004 = defineCode('CKI7004', Severity.WARNING, 'Gateway API rule whose backends all weigh 0: its requests get a 500');
export const CKI7006 = defineCode('CKI7006', Severity.ERROR, 'Gateway API Gateway on a revision the install does not have');
export const CKI7005 = defineCode('CKI7005', Severity.ERROR, 'A VirtualService and an HTTPRoute claim the same host on the same gateway pods');

const GROUP = 'gateway.networking.k8s.io';
const ROUTE_KINDS = [GK.HTTPRoute, GK.GRPCRoute, GK.TLSRoute];

/** The kinds a listener admits when `allowedRoutes.kinds` is not given (by protocol). */
const DEFAULT_KINDS: Record<string, string[]> = { HTTP: ['HTTPRoute', 'GRPCRoute'], HTTPS: ['HTTPRoute', 'GRPCRoute'], TLS: ['TLSRoute'] };


function overlaps(a: string, b: string): boolean {
  return wildcardCovers(a, b) || wildcardCovers(b, a);
}

interface Route {
  readonly obj: RenderedObject;
  readonly kind: string;
  readonly namespace: string;
  readonly spec: Json;
  readonly hostnames: readonly string[];
}

/** The app's routes, read once for all the checks here. */
function routesOf(index: ObjectIndex): Route[] {
  return index.memo('gateway-api:routes', () => ROUTE_KINDS.flatMap((gk) => index.byGroupKind(gk).map((obj) => {
    const spec = (obj.manifest.spec ?? {}) as Json;
    return { obj, kind: String(obj.manifest.kind), namespace: index.namespaceOf(obj), spec, hostnames: stringsOf(spec.hostnames) };
  })));
}

/** Whether the namespace's labels satisfy a label selector; undefined when its labels are unknown. */
function selects(index: ObjectIndex, selector: Json | undefined, namespace: string): boolean | undefined {
  // Only a Namespace the app writes has labels the app knows; one declared to exist outside it
  // carries the labels it was declared with at most (often none, though it may have more).
  const known = index.find(GK.Namespace, undefined, namespace) ? index.namespaceLabels(namespace) : undefined;
  // Every namespace carries its name as a label; that much is known even for one outside the app.
  const labels: Record<string, string> = { ...(known ?? {}), 'kubernetes.io/metadata.name': namespace };
  const onlyName = (key: string) => key === 'kubernetes.io/metadata.name';
  const matchLabels = (selector?.matchLabels ?? {}) as Record<string, string>;
  const expressions = objectsOf(selector?.matchExpressions);
  if (!known && (!Object.keys(matchLabels).every(onlyName) || !expressions.every((e) => onlyName(String(e.key))))) {
    return undefined;
  }
  if (!labelsMatch(matchLabels, labels)) {
    return false;
  }
  return expressions.every((e) => {
    const value = labels[String(e.key)];
    const values = stringsOf(e.values);
    switch (e.operator) {
      case 'In': return value !== undefined && values.includes(value);
      case 'NotIn': return value === undefined || !values.includes(value);
      case 'Exists': return value !== undefined;
      case 'DoesNotExist': return value === undefined;
      default: return false;
    }
  });
}

/** Why a listener does not admit a route, or undefined when it does (or cannot be told). */
function refusal(index: ObjectIndex, listener: Json, gwNamespace: string, route: Route): string | undefined {
  const allowed = (listener.allowedRoutes ?? {}) as Json;
  const namespaces = (allowed.namespaces ?? {}) as Json;
  const from = String(namespaces.from ?? 'Same');
  if (from === 'Same' && route.namespace !== gwNamespace) {
    return `listener ${String(listener.name)} admits routes of namespace ${gwNamespace} only`;
  }
  if (from === 'Selector' && selects(index, namespaces.selector as Json | undefined, route.namespace) === false) {
    return `listener ${String(listener.name)} admits namespaces matching ${JSON.stringify(namespaces.selector ?? {})}, which ${route.namespace} does not`;
  }
  const kinds = objectsOf(allowed.kinds);
  const admitted = kinds.length > 0 ? kinds.filter((k) => String(k.group ?? GROUP) === GROUP).map((k) => String(k.kind)) : DEFAULT_KINDS[String(listener.protocol)] ?? [];
  if (!admitted.includes(route.kind)) {
    return `listener ${String(listener.name)} (${String(listener.protocol)}) admits ${admitted.join(', ') || 'no route kinds'}, not ${route.kind}`;
  }
  const hostname = typeof listener.hostname === 'string' ? listener.hostname : undefined;
  if (hostname && route.hostnames.length > 0 && !route.hostnames.some((h) => overlaps(h, hostname))) {
    return `listener ${String(listener.name)} serves ${hostname}, none of the route's hostnames (${route.hostnames.join(', ')})`;
  }
  return undefined;
}

const routeAttachment: AppCheck = {
  id: 'gateway-api-route-attachment',
  check(ctx) {
    const index = ctx.index;
    for (const route of routesOf(index)) {
      objectsOf(route.spec.parentRefs).forEach((ref, i) => {
        const group = ref.group === undefined ? GROUP : String(ref.group);
        const kind = ref.kind === undefined ? 'Gateway' : String(ref.kind);
        if (group !== GROUP || kind !== 'Gateway') {
          return;
        }
        const ns = typeof ref.namespace === 'string' ? ref.namespace : route.namespace;
        const name = String(ref.name);
        const gateway = index.find(GK.KubernetesGateway, ns, name);
        const field = `spec.parentRefs[${i}]`;
        if (!gateway) {
          if (!index.context.isExternalGateway(externalGatewayApiKey(ns, name))) {
            ctx.report(route.obj, {
              code: CKI7001.code, field,
              message: `Gateway ${ns}/${name} is not in the app, so no gateway serves this route`,
              fix: `create the KubernetesGateway, correct the name, or declare a Gateway outside the app with KubernetesGateway.fromName(scope, '${ns}', '${name}')`,
            });
          }
          return;
        }
        const gwSpec = (gateway.manifest.spec ?? {}) as Json;
        let listeners = objectsOf(gwSpec.listeners);
        if (typeof ref.sectionName === 'string') {
          listeners = listeners.filter((l) => l.name === ref.sectionName);
          if (listeners.length === 0) {
            ctx.report(route.obj, {
              code: CKI7001.code, field: `${field}.sectionName`,
              message: `Gateway ${ns}/${name} has no listener ${ref.sectionName} (listeners: ${objectsOf(gwSpec.listeners).map((l) => String(l.name)).join(', ') || 'none'})`,
              fix: 'name one of its listeners, or drop sectionName to attach to every listener that admits the route',
            });
            return;
          }
        }
        if (typeof ref.port === 'number') {
          listeners = listeners.filter((l) => l.port === ref.port);
        }
        const reasons = listeners.map((l) => refusal(index, l, ns, route));
        if (objectsOf(gwSpec.listeners).length === 0) {
          // Listeners from ListenerSets, which the app may not show: nothing to judge here.
          return;
        }
        if (listeners.length > 0 && reasons.every((r) => r !== undefined)) {
          ctx.report(route.obj, {
            code: CKI7002.code, field,
            message: `no listener of Gateway ${ns}/${name} admits this ${route.kind}: ${reasons.join('; ')}`,
            fix: 'widen the listener\'s allowedRoutes (AllowedRoutes.namespaces(...)) or its hostname, or attach the route to a listener meant for it',
          });
        } else if (listeners.length === 0) {
          ctx.report(route.obj, {
            code: CKI7002.code, field,
            message: `Gateway ${ns}/${name} has no listener on port ${String(ref.port)}`,
            fix: 'name a port one of its listeners has',
          });
        }
      });
    }
  },
};

/** Whether a ReferenceGrant in `toNamespace` lets `fromKind` objects of `fromNamespace` refer to `toKind` `toName`. */
function granted(index: ObjectIndex, toNamespace: string, fromKind: string, fromNamespace: string, toGroup: string, toKind: string, toName: string): boolean {
  const grants = [
    ...index.byGroupKind(GK.ReferenceGrant).map((g) => ({ namespace: index.namespaceOf(g), manifest: g.manifest })),
    // Grants other teams keep, declared with ReferenceGrant.fromExisting.
    ...index.context.externalReferenceGrants().map((m) => ({ namespace: String(((m.metadata ?? {}) as Json).namespace), manifest: m as Json })),
  ];
  return grants.some((g) => {
    if (g.namespace !== toNamespace) {
      return false;
    }
    const spec = (g.manifest.spec ?? {}) as Json;
    const fromOk = objectsOf(spec.from).some((f) => String(f.group ?? '') === GROUP && f.kind === fromKind && f.namespace === fromNamespace);
    const toOk = objectsOf(spec.to).some((t) => String(t.group ?? '') === toGroup && t.kind === toKind && (t.name === undefined || t.name === toName));
    return fromOk && toOk;
  });
}

function grantFix(toNamespace: string, fromKind: string, fromNamespace: string, toKind: string, toName: string): string {
  return `add a ReferenceGrant in ${toNamespace} from ${fromKind} in ${fromNamespace} to ${toKind} ${toName} (the L2 routes and KubernetesGateway create it; ReferenceGrant.fromExisting declares one another team keeps), or move the ${toKind} into ${fromNamespace}`;
}

const crossNamespaceReferences: AppCheck = {
  id: 'gateway-api-reference-grants',
  check(ctx) {
    const index = ctx.index;
    for (const route of routesOf(index)) {
      objectsOf(route.spec.rules).forEach((rule, r) => {
        const refs: Array<[string, Json]> = objectsOf(rule.backendRefs).map((b, i) => [`spec.rules[${r}].backendRefs[${i}]`, b]);
        const mirrors = (filters: unknown, at: string) => objectsOf(filters).forEach((f, i) => {
          const mirror = ((f.requestMirror ?? {}) as Json).backendRef as Json | undefined;
          if (mirror) {
            refs.push([`${at}.filters[${i}].requestMirror.backendRef`, mirror]);
          }
        });
        mirrors(rule.filters, `spec.rules[${r}]`);
        objectsOf(rule.backendRefs).forEach((b, i) => mirrors(b.filters, `spec.rules[${r}].backendRefs[${i}]`));
        for (const [field, ref] of refs) {
          const ns = typeof ref.namespace === 'string' ? ref.namespace : route.namespace;
          const group = String(ref.group ?? '');
          const kind = String(ref.kind ?? 'Service');
          if (ns === route.namespace || granted(index, ns, route.kind, route.namespace, group, kind, String(ref.name))) {
            continue;
          }
          ctx.report(route.obj, {
            code: CKI7003.code, field: `${field}.namespace`,
            message: `${kind} ${ns}/${String(ref.name)} is in another namespace and no ReferenceGrant there lets ${route.kind}s of ${route.namespace} use it: the backend is refused (RefNotPermitted) and its share of requests gets a 500`,
            fix: grantFix(ns, route.kind, route.namespace, kind, String(ref.name)),
          });
        }
        const weights = objectsOf(rule.backendRefs).map((b) => (typeof b.weight === 'number' ? b.weight : 1));
        if (weights.length > 0 && weights.every((w) => w === 0)) {
          ctx.report(route.obj, {
            code: CKI7004.code, field: `spec.rules[${r}].backendRefs`,
            message: 'every backend of the rule has weight 0, so matching requests get a 500',
            fix: 'give one backend a weight above 0, or remove the rule',
          });
        }
      });
    }
    for (const gateway of index.byGroupKind(GK.KubernetesGateway)) {
      const ns = index.namespaceOf(gateway);
      const spec = (gateway.manifest.spec ?? {}) as Json;
      // Every object a Gateway names by reference: listener certificates, and the Gateway-level
      // TLS settings' CA bundles and client certificate.
      const refs: Array<[string, Json, string, string]> = [];
      objectsOf(spec.listeners).forEach((l, i) => objectsOf(((l.tls ?? {}) as Json).certificateRefs)
        .forEach((c, j) => refs.push([`spec.listeners[${i}].tls.certificateRefs[${j}]`, c, 'Secret', 'the listener has no certificate (InvalidCertificateRef)'])));
      const tls = (spec.tls ?? {}) as Json;
      const frontend = (tls.frontend ?? {}) as Json;
      const caRefs = (validation: unknown, at: string) => objectsOf(((validation ?? {}) as Json).caCertificateRefs)
        .forEach((c, j) => refs.push([`${at}.caCertificateRefs[${j}]`, c, 'ConfigMap', 'client certificates cannot be verified against it']));
      caRefs(((frontend.default ?? {}) as Json).validation, 'spec.tls.frontend.default.validation');
      objectsOf(frontend.perPort).forEach((p, i) => caRefs(((p.tls ?? {}) as Json).validation, `spec.tls.frontend.perPort[${i}].tls.validation`));
      const client = ((tls.backend ?? {}) as Json).clientCertificateRef as Json | undefined;
      if (client) {
        refs.push(['spec.tls.backend.clientCertificateRef', client, 'Secret', 'the gateway cannot present its client certificate to backends']);
      }
      for (const [field, c, defaultKind, effect] of refs) {
        const refNs = typeof c.namespace === 'string' ? c.namespace : ns;
        const kind = String(c.kind ?? defaultKind);
        if (refNs === ns || granted(index, refNs, 'Gateway', ns, String(c.group ?? ''), kind, String(c.name))) {
          continue;
        }
        ctx.report(gateway, {
          code: CKI7003.code, field: `${field}.namespace`,
          message: `${kind} ${refNs}/${String(c.name)} is in another namespace and no ReferenceGrant there lets Gateways of ${ns} read it: ${effect}`,
          fix: grantFix(refNs, 'Gateway', ns, kind, String(c.name)),
        });
      }
    }
  },
};

/** Pods a Gateway API Gateway runs on: Istio's deployment for it, or the Service in its addresses. */
function gatewayPods(index: ObjectIndex, gateway: RenderedObject): { namespace?: string; labels: Record<string, string> } | undefined {
  const ns = index.namespaceOf(gateway);
  const name = metaOf(gateway.manifest).name ?? '';
  const spec = (gateway.manifest.spec ?? {}) as Json;
  const address = objectsOf(spec.addresses).find((a) => a.type === 'Hostname' && typeof a.value === 'string');
  if (address) {
    // Istio's manual deployment: the Gateway configures the pods behind this Service.
    const m = /^([^.]+)\.([^.]+)\.svc(\.cluster\.local)?$/.exec(String(address.value));
    const svc = m ? index.find(GK.Service, m[2], m[1]) : undefined;
    const selector = ((svc?.manifest.spec ?? {}) as Json).selector as Record<string, string> | undefined;
    return svc && selector ? { namespace: m![2], labels: selector } : undefined;
  }
  if (spec.gatewayClassName !== 'istio') {
    return undefined;
  }
  return { namespace: ns, labels: { 'gateway.networking.k8s.io/gateway-name': name, 'istio.io/gateway-name': name } };
}

const sameHostBothApis: AppCheck = {
  id: 'gateway-api-virtualservice-host-conflict',
  check(ctx: CheckContext) {
    const index = ctx.index;
    const views = viewsOf(index);
    const routes = routesOf(index).filter((r) => r.kind === 'HTTPRoute');
    if (routes.length === 0 || views.virtualServices.length === 0) {
      return;
    }
    for (const route of routes) {
      objectsOf(route.spec.parentRefs).forEach((ref) => {
        if ((ref.kind ?? 'Gateway') !== 'Gateway' || String(ref.group ?? GROUP) !== GROUP) {
          return;
        }
        const gwNs = typeof ref.namespace === 'string' ? ref.namespace : route.namespace;
        const gateway = index.find(GK.KubernetesGateway, gwNs, String(ref.name));
        const pods = gateway && gatewayPods(index, gateway);
        if (!gateway || !pods) {
          return;
        }
        const listenerHosts = objectsOf(((gateway.manifest.spec ?? {}) as Json).listeners)
          .filter((l) => ref.sectionName === undefined || l.name === ref.sectionName)
          .map((l) => (typeof l.hostname === 'string' ? l.hostname : '*'));
        const claimed = route.hostnames.length > 0 ? route.hostnames : listenerHosts;
        for (const istioGw of views.gateways) {
          if (Object.keys(istioGw.selector).length === 0 || !labelsMatch(istioGw.selector, pods.labels)) {
            continue;
          }
          for (const vs of views.virtualServices) {
            if (!vs.gateways.some((g) => (g.includes('/') ? g : `${vs.namespace}/${g}`) === istioGw.key)) {
              continue;
            }
            const shared = vs.hosts.filter((h) => claimed.some((c) => overlaps(h, c)));
            if (shared.length > 0) {
              ctx.report(route.obj, {
                code: CKI7005.code, field: 'spec.hostnames',
                message: `${shared.join(', ')} is also routed by VirtualService ${vs.namespace}/${vs.name} through Istio Gateway ${istioGw.key}, which configures the same gateway pods as Gateway ${gwNs}/${String(ref.name)}: the gateway gets two route tables for one host and which applies is not defined`,
                fix: 'serve each host through one API: move the VirtualService\'s routes into the HTTPRoute (or the other way round) before switching DNS',
              });
            }
          }
        }
      });
    }
  },
};

/**
 * CKI2002 for Gateway API Gateways Istio deploys: an HTTP listener that routes (not only
 * redirects) on the LoadBalancer Istio creates, unless an internal load balancer annotation is
 * among the infrastructure annotations. The Service type is the Gateway's
 * `networking.istio.io/service-type` annotation, LoadBalancer when absent.
 */
const plaintextListener: AppCheck = {
  id: 'gateway-api-plaintext-public',
  check(ctx) {
    const index = ctx.index;
    const routes = routesOf(index).filter((r) => r.kind === 'HTTPRoute' || r.kind === 'GRPCRoute');
    for (const gateway of index.byGroupKind(GK.KubernetesGateway)) {
      const spec = (gateway.manifest.spec ?? {}) as Json;
      const annotations = metaOf(gateway.manifest).annotations ?? {};
      const infra = (((spec.infrastructure ?? {}) as Json).annotations ?? {}) as Record<string, string>;
      if (spec.gatewayClassName !== 'istio' || objectsOf(spec.addresses).length > 0 || (annotations['networking.istio.io/service-type'] ?? 'LoadBalancer') !== 'LoadBalancer'
        || Object.entries(INTERNAL_LB_ANNOTATIONS).some(([k, isInternal]) => infra[k] !== undefined && isInternal(infra[k]))) {
        continue;
      }
      const ns = index.namespaceOf(gateway);
      const name = metaOf(gateway.manifest).name;
      objectsOf(spec.listeners).forEach((l, i) => {
        if (l.protocol !== 'HTTP') {
          return;
        }
        const serving = routes.filter((r) => objectsOf(r.spec.parentRefs).some((p) => String(p.group ?? GROUP) === GROUP && String(p.kind ?? 'Gateway') === 'Gateway'
          && String(p.name) === name && (typeof p.namespace === 'string' ? p.namespace : r.namespace) === ns
          && (p.sectionName === undefined || p.sectionName === l.name) && (p.port === undefined || p.port === l.port)));
        const routesTraffic = serving.some((r) => objectsOf(r.spec.rules).some((rule) => !objectsOf(rule.filters).some((f) => f.type === 'RequestRedirect' && String(((f.requestRedirect ?? {}) as Json).scheme ?? '').toLowerCase() === 'https')));
        if (!routesTraffic) {
          return;
        }
        ctx.report(gateway, {
          code: CKI2002.code,
          field: `spec.listeners[${i}]`,
          message: `listener ${String(l.name)} serves plain HTTP on port ${String(l.port)} of the LoadBalancer Istio creates for this Gateway, which any address can reach: requests and credentials travel unencrypted`,
          fix: 'add an HTTPS listener and redirect this one (RouteFilter.httpsRedirect(); a values file\'s tls.credentialName), or make the gateway internal (gateway.internal, serviceType ClusterIP, an internal load balancer annotation), or suppress CKI2002 with the reason when TLS ends in front of the load balancer',
        });
      });
    }
  },
};

/**
 * An istiod deploys and programs the Gateways of its classes (istio, istio-waypoint) whose
 * revision is its own or one of its tags: the Gateway's `istio.io/rev`, else its namespace's
 * (istio/istio pkg/revisions/tag_watcher.go, IsMine). Unlabelled ones belong to the revision the
 * base chart's `defaultRevision` names, which the app cannot always see, so only a revision the
 * install lacks is reported.
 */
const gatewayRevision: AppCheck = {
  id: 'gateway-api-revision',
  check(ctx) {
    const install = ctx.index.context.install;
    if (install.revisions.length === 0) {
      return;
    }
    for (const gateway of ctx.index.byGroupKind(GK.KubernetesGateway)) {
      const cls = String(((gateway.manifest.spec ?? {}) as Json).gatewayClassName ?? '');
      if (cls !== 'istio' && cls !== 'istio-waypoint') {
        continue;
      }
      const own = (metaOf(gateway.manifest).labels ?? {})['istio.io/rev'];
      const fromNamespace = (ctx.index.namespaceLabels(ctx.index.namespaceOf(gateway)) ?? {})['istio.io/rev'];
      const rev = own ?? fromNamespace;
      if (rev === undefined || install.revisions.includes(rev)) {
        continue;
      }
      ctx.report(gateway, {
        code: CKI7006.code, field: own !== undefined ? 'metadata.labels["istio.io/rev"]' : 'metadata.namespace',
        message: `the Gateway asks for revision ${rev}${own === undefined ? ` (its namespace's istio.io/rev)` : ''}, which the mesh install does not have (revisions: ${install.revisions.join(', ')}): no istiod deploys or programs it`,
        fix: 'use an installed revision or tag, or declare it (mesh.revisions in a values file, MeshContext.of(app).declareInstall({ revisions }) in code)',
      });
    }
  },
};

export const gatewayApiChecks = [routeAttachment, crossNamespaceReferences, sameHostBothApis, plaintextListener, gatewayRevision];
