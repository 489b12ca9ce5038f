/**
 * Typed views of the synthesized objects the cross-object checks and the topology picture read:
 * Gateways, VirtualServices, DestinationRules, security policies and Services, each parsed once
 * per analysis and shared.
 *
 * Manifests come from anywhere (L2 constructs, L1 classes, raw ApiObjects, Include), so a view
 * trusts nothing it reads: lists that are not lists read as empty and items that are not objects
 * are skipped. Inside an item the L1 wire types describe what Istio's schema allows; values of
 * the wrong type are reported by the schema check, and readers compare rather than call methods
 * on them.
 */
import { fqdnIn } from '../host';
import * as l1 from '../l1';
import { ObjectIndex } from './object-index';
import { GK, Json, metaOf, objectsOf, RenderedObject, stringsOf } from './rendered';

export type GatewayServer = l1.Wire<l1.GatewaySpecServers>;
export type HttpRoute = l1.Wire<l1.VirtualServiceSpecHttp>;
export type HttpMatch = l1.Wire<l1.VirtualServiceSpecHttpMatch>;
export type L4Route = l1.Wire<l1.VirtualServiceSpecTcp>;
export type TlsRoute = l1.Wire<l1.VirtualServiceSpecTls>;
export type RouteDestination = l1.Wire<l1.VirtualServiceSpecHttpRouteDestination>;
export type TrafficPolicy = l1.Wire<l1.DestinationRuleSpecTrafficPolicy>;
export type AuthorizationRule = l1.Wire<l1.AuthorizationPolicySpecRules>;
export type ServicePort = { readonly name?: string; readonly port?: number; readonly targetPort?: number | string; readonly protocol?: string; readonly appProtocol?: string };

/** The `gateways` value that binds a VirtualService to the sidecars. */
export const MESH = 'mesh';

function stringMap(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {};
  }
  return Object.fromEntries(Object.entries(value as Json).filter((e): e is [string, string] => typeof e[1] === 'string'));
}

function specOf(obj: RenderedObject): Json {
  const spec = obj.manifest.spec;
  return spec && typeof spec === 'object' && !Array.isArray(spec) ? spec as Json : {};
}

interface ObjectView {
  readonly obj: RenderedObject;
  readonly name: string;
  /** Where the object lands (kubectl's `default` when it has none). */
  readonly namespace: string;
}

export interface GatewayView extends ObjectView {
  /** `namespace/name`, as VirtualServices refer to it. */
  readonly key: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly servers: readonly GatewayServer[];
}

export interface VirtualServiceView extends ObjectView {
  readonly hosts: readonly string[];
  /** `spec.gateways` as written. */
  readonly gateways: readonly string[];
  /** Bound to the sidecars: no gateways, or `mesh` among them. */
  readonly meshBound: boolean;
  readonly http: readonly HttpRoute[];
  readonly tcp: readonly L4Route[];
  readonly tls: readonly TlsRoute[];
  readonly exportTo: readonly string[];
}

export interface DestinationRuleView extends ObjectView {
  /** The host as written, and as Istio resolves it in the rule's namespace. */
  readonly host?: string;
  readonly hostFqdn?: string;
  readonly trafficPolicy?: TrafficPolicy;
  readonly subsets: ReadonlyArray<{ readonly name?: string; readonly labels: Readonly<Record<string, string>>; readonly trafficPolicy?: TrafficPolicy }>;
}

export interface PolicyView extends ObjectView {
  /** `ALLOW` when unset. */
  readonly action: string;
  /** `matchLabels`, or undefined for a policy without a selector. */
  readonly selector?: Readonly<Record<string, string>>;
  /** Attached by `targetRef(s)` rather than a selector. */
  readonly targeted: boolean;
  readonly rules: readonly AuthorizationRule[];
  /** PeerAuthentication's mTLS mode. */
  readonly mtlsMode?: string;
  readonly providerName?: string;
}

export interface ServiceView extends ObjectView {
  readonly host: string;
  readonly type?: string;
  readonly selector: Readonly<Record<string, string>>;
  readonly ports: readonly ServicePort[];
}

export interface AppViews {
  readonly gateways: readonly GatewayView[];
  readonly gatewaysByKey: ReadonlyMap<string, GatewayView>;
  readonly gatewayOf: ReadonlyMap<RenderedObject, GatewayView>;
  readonly virtualServices: readonly VirtualServiceView[];
  readonly virtualServiceOf: ReadonlyMap<RenderedObject, VirtualServiceView>;
  readonly destinationRules: readonly DestinationRuleView[];
  readonly destinationRuleOf: ReadonlyMap<RenderedObject, DestinationRuleView>;
  readonly authorizationPolicies: readonly PolicyView[];
  readonly peerAuthentications: readonly PolicyView[];
  readonly services: readonly ServiceView[];
  readonly serviceOf: ReadonlyMap<RenderedObject, ServiceView>;
}

function base(obj: RenderedObject, index: ObjectIndex): ObjectView {
  return { obj, name: metaOf(obj.manifest).name, namespace: index.namespaceOf(obj) };
}

function gatewayView(obj: RenderedObject, index: ObjectIndex): GatewayView {
  const spec = specOf(obj);
  const b = base(obj, index);
  return { ...b, key: `${b.namespace}/${b.name}`, selector: stringMap(spec.selector), servers: objectsOf(spec.servers) as GatewayServer[] };
}

function virtualServiceView(obj: RenderedObject, index: ObjectIndex): VirtualServiceView {
  const spec = specOf(obj);
  const gateways = stringsOf(spec.gateways);
  return {
    ...base(obj, index),
    hosts: stringsOf(spec.hosts),
    gateways,
    meshBound: gateways.length === 0 || gateways.includes(MESH),
    http: objectsOf(spec.http) as HttpRoute[],
    tcp: objectsOf(spec.tcp) as L4Route[],
    tls: objectsOf(spec.tls) as TlsRoute[],
    exportTo: stringsOf(spec.exportTo),
  };
}

function policyObject(value: unknown): TrafficPolicy | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? value as TrafficPolicy : undefined;
}

function destinationRuleView(obj: RenderedObject, index: ObjectIndex): DestinationRuleView {
  const spec = specOf(obj);
  const b = base(obj, index);
  const host = typeof spec.host === 'string' ? spec.host : undefined;
  return {
    ...b,
    host,
    hostFqdn: host === undefined ? undefined : fqdnIn(host.toLowerCase(), b.namespace),
    trafficPolicy: policyObject(spec.trafficPolicy),
    subsets: objectsOf(spec.subsets).map((s) => ({
      name: typeof s.name === 'string' ? s.name : undefined,
      labels: stringMap(s.labels),
      trafficPolicy: policyObject(s.trafficPolicy),
    })),
  };
}

function policyView(obj: RenderedObject, index: ObjectIndex): PolicyView {
  const spec = specOf(obj);
  const selector = spec.selector && typeof spec.selector === 'object' ? (spec.selector as Json).matchLabels : undefined;
  const mtls = spec.mtls && typeof spec.mtls === 'object' ? (spec.mtls as Json).mode : undefined;
  const provider = spec.provider && typeof spec.provider === 'object' ? (spec.provider as Json).name : undefined;
  return {
    ...base(obj, index),
    action: typeof spec.action === 'string' ? spec.action : 'ALLOW',
    selector: selector === undefined ? undefined : stringMap(selector),
    targeted: !!spec.targetRef || objectsOf(spec.targetRefs).length > 0,
    rules: objectsOf(spec.rules) as AuthorizationRule[],
    mtlsMode: typeof mtls === 'string' ? mtls : undefined,
    providerName: typeof provider === 'string' ? provider : undefined,
  };
}

function serviceView(obj: RenderedObject, index: ObjectIndex): ServiceView {
  const spec = specOf(obj);
  const b = base(obj, index);
  return {
    ...b,
    host: `${b.name}.${b.namespace}.svc.cluster.local`,
    type: typeof spec.type === 'string' ? spec.type : undefined,
    selector: stringMap(spec.selector),
    ports: objectsOf(spec.ports) as ServicePort[],
  };
}

/** The views of an analysis, built on first use and shared by every check. */
export function viewsOf(index: ObjectIndex): AppViews {
  return index.memo('views', () => {
    const gateways = index.byGroupKind(GK.Gateway).map((o) => gatewayView(o, index));
    const virtualServices = index.byGroupKind(GK.VirtualService).map((o) => virtualServiceView(o, index));
    const destinationRules = index.byGroupKind(GK.DestinationRule).map((o) => destinationRuleView(o, index));
    const services = index.byGroupKind(GK.Service).filter((o) => o.manifest.apiVersion === 'v1').map((o) => serviceView(o, index));
    return {
      gateways,
      gatewaysByKey: new Map(gateways.map((g) => [g.key, g])),
      gatewayOf: new Map(gateways.map((g) => [g.obj, g])),
      virtualServices,
      virtualServiceOf: new Map(virtualServices.map((v) => [v.obj, v])),
      destinationRules,
      destinationRuleOf: new Map(destinationRules.map((d) => [d.obj, d])),
      authorizationPolicies: index.byGroupKind(GK.AuthorizationPolicy).map((o) => policyView(o, index)),
      peerAuthentications: index.byGroupKind(GK.PeerAuthentication).map((o) => policyView(o, index)),
      services,
      serviceOf: new Map(services.map((v) => [v.obj, v])),
    };
  });
}

/** Views of a bare list of manifests (the topology picture, outside an analysis). */
export function viewsOfManifests(manifests: readonly Json[]): AppViews {
  const objects = manifests.map((manifest, i): RenderedObject => ({ manifest, constructPath: `#${i}`, chartPath: '' }));
  return viewsOf(new ObjectIndex(objects));
}

/** A gateway reference as a VirtualService writes it, resolved to `namespace/name` (or `mesh`). */
export function gatewayKey(ref: string, vsNamespace: string): string {
  return ref === MESH || ref.includes('/') ? ref : `${vsNamespace}/${ref}`;
}

/** A destination of a VirtualService (routes and mirrors) with its field path. */
export interface DestinationRef {
  readonly field: string;
  readonly destination: RouteDestination;
  readonly kind: 'route' | 'mirror';
}

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** Every destination of a VirtualService (routes and mirrors) with its field path. */
export function destinationsOf(v: VirtualServiceView): DestinationRef[] {
  const out: DestinationRef[] = [];
  v.http.forEach((route, i) => {
    objectsOf(route.route).forEach((r, j) => {
      if (isObject(r.destination)) {
        out.push({ field: `spec.http[${i}].route[${j}].destination`, destination: r.destination as RouteDestination, kind: 'route' });
      }
    });
    if (isObject(route.mirror)) {
      out.push({ field: `spec.http[${i}].mirror`, destination: route.mirror as RouteDestination, kind: 'mirror' });
    }
    objectsOf(route.mirrors).forEach((m, k) => {
      if (isObject(m.destination)) {
        out.push({ field: `spec.http[${i}].mirrors[${k}].destination`, destination: m.destination as RouteDestination, kind: 'mirror' });
      }
    });
  });
  for (const [key, routes] of [['tcp', v.tcp], ['tls', v.tls]] as const) {
    routes.forEach((route, i) => objectsOf(route.route).forEach((r, j) => {
      if (isObject(r.destination)) {
        out.push({ field: `spec.${key}[${i}].route[${j}].destination`, destination: r.destination as RouteDestination, kind: 'route' });
      }
    }));
  }
  return out;
}
