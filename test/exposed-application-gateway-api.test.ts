/**
 * ExposedApplication with `api: 'gateway-api'`: the same application as with Istio's API, hosts,
 * paths and backends alike, through a Gateway of class istio and an HTTPRoute, with the same TLS
 * Secret, redirect and authorization.
 */
import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { ExposedApplication, ExposedApplicationProps } from '../src/patterns/exposed-application';
import { findings, synthManifests, testApp } from '../src/testing';
import { topologyMarkdown } from '../src/topology';

const shop: ExposedApplicationProps = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com', 'www.shop.example.com'],
  frontend: { name: 'web', port: 80, pathPrefix: '' },
  backends: [{ name: 'api', port: 8080, pathPrefix: 'api', timeout: '30s' }, { name: 'search', port: 9200, pathPrefix: '/api/search/' }],
  tls: { credentialName: 'shop-tls' },
};

function build(props: ExposedApplicationProps): { objs: Json[]; chart: IstioChart; app: ExposedApplication } {
  const chart = new IstioChart(testApp(), 'c');
  const app = new ExposedApplication(chart, 'app', props);
  return { objs: synthManifests(chart), chart, app };
}

const kind = (objs: Json[], k: string) => objs.filter((o) => o.kind === k && String(o.apiVersion).startsWith(k === 'Gateway' || k === 'HTTPRoute' ? 'gateway.networking' : ''));
const spec = (o: Json) => o.spec as Json;
const nameOf = (o: Json) => String((o.metadata as Json).name);

/** host → [path prefix, Service FQDN:port, timeout] in match order, as the gateway routes HTTPS requests. */
function istioRouting(objs: Json[]): Record<string, string[][]> {
  const vs = objs.find((o) => o.kind === 'VirtualService')!;
  const rows = (spec(vs).http as Json[]).map((r) => {
    const prefix = ((r.match as Json[] | undefined)?.[0]?.uri as Json | undefined)?.prefix as string | undefined;
    const dest = ((r.route as Json[])[0].destination as Json);
    return [prefix?.replace(/\/$/, '') ?? '/', `${String(dest.host)}:${String((dest.port as Json).number)}`, String(r.timeout ?? '-')];
  });
  return Object.fromEntries((spec(vs).hosts as string[]).map((h) => [h, rows]));
}

function gatewayApiRouting(objs: Json[]): Record<string, string[][]> {
  const route = kind(objs, 'HTTPRoute').find((r) => nameOf(r) === 'shop')!;
  const ns = String((route.metadata as Json).namespace);
  const rows = (spec(route).rules as Json[]).map((r) => {
    const path = (((r.matches as Json[] | undefined)?.[0]?.path ?? { value: '/' }) as Json).value as string;
    const b = (r.backendRefs as Json[])[0];
    return [path, `${String(b.name)}.${String(b.namespace ?? ns)}.svc.cluster.local:${String(b.port)}`, String((r.timeouts as Json | undefined)?.request ?? '-')];
  });
  return Object.fromEntries((spec(route).hostnames as string[]).map((h) => [h, rows]));
}

describe('ExposedApplication api: gateway-api', () => {
  test('routes the same hosts, paths and backends as with Istio\'s API, longest prefix first', () => {
    const istio = build(shop);
    const gatewayApi = build({ ...shop, api: 'gateway-api' });
    expect(gatewayApiRouting(gatewayApi.objs)).toEqual(istioRouting(istio.objs));
    expect(gatewayApiRouting(gatewayApi.objs)['shop.example.com']).toEqual([
      ['/api/search', 'search.shop.svc.cluster.local:9200', '-'],
      ['/api', 'api.shop.svc.cluster.local:8080', '30s'],
      ['/', 'web.shop.svc.cluster.local:80', '-'],
    ]);
    expect(kind(gatewayApi.objs, 'VirtualService')).toEqual([]);
    expect(findings(gatewayApi.chart).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('TLS from the same Secret on one HTTPS listener per host, plain HTTP redirected by its own HTTPRoute, routes of the app\'s namespace only', () => {
    const { objs, app } = build({ ...shop, api: 'gateway-api' });
    const [gw] = kind(objs, 'Gateway');
    expect(nameOf(gw)).toBe('shop-gateway');
    expect((gw.metadata as Json).annotations).toEqual({ 'networking.istio.io/service-type': 'LoadBalancer' });
    const same = { namespaces: { from: 'Same' } };
    const cert = { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-tls' }] };
    expect(spec(gw).listeners).toEqual([
      { name: 'https-shop-example-com', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: cert, allowedRoutes: same },
      { name: 'http-shop-example-com', port: 80, protocol: 'HTTP', hostname: 'shop.example.com', allowedRoutes: same },
      { name: 'https-www-shop-example-com', port: 443, protocol: 'HTTPS', hostname: 'www.shop.example.com', tls: cert, allowedRoutes: same },
      { name: 'http-www-shop-example-com', port: 80, protocol: 'HTTP', hostname: 'www.shop.example.com', allowedRoutes: same },
    ]);
    const routes = Object.fromEntries(kind(objs, 'HTTPRoute').map((r) => [nameOf(r), spec(r)]));
    expect((routes.shop.parentRefs as Json[]).map((p) => p.sectionName)).toEqual(['https-shop-example-com', 'https-www-shop-example-com']);
    expect(routes['shop-http']).toEqual({
      parentRefs: ['http-shop-example-com', 'http-www-shop-example-com'].map((sectionName) => ({ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop-gateway', namespace: 'shop', sectionName })),
      hostnames: ['shop.example.com', 'www.shop.example.com'],
      rules: [{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }],
    });
    expect(app.kubernetesGateway?.workload.serviceAccountName).toBe('shop-gateway-istio');
  });

  test('the same zero trust, admitting the identity of the gateway Istio deploys', () => {
    const { objs } = build({ ...shop, api: 'gateway-api' });
    const policies = Object.fromEntries(objs.filter((o) => o.kind === 'AuthorizationPolicy').map((p) => [nameOf(p), spec(p)]));
    expect(Object.keys(policies)).toEqual(['allow-nothing', 'allow-clients-to-gateway', 'allow-ingress-to-web', 'allow-ingress-to-api', 'allow-ingress-to-search']);
    expect(policies['allow-ingress-to-api']).toEqual({
      selector: { matchLabels: { app: 'api' } }, action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/shop-gateway-istio'] } }] }],
    });
    expect(policies['allow-clients-to-gateway'].selector).toEqual({ matchLabels: { 'gateway.networking.k8s.io/gateway-name': 'shop-gateway' } });
    expect(objs.find((o) => o.kind === 'PeerAuthentication')!.spec).toEqual({ mtls: { mode: 'STRICT' } });
  });

  test('plain HTTP on the public load balancer is CKI2002, as with Istio\'s API; gateway.internal silences it', () => {
    const plain = build({ ...shop, tls: undefined, api: 'gateway-api' });
    expect(findings(plain.chart).filter((f) => f.code === 'CKI2002').map((f) => [f.object, f.field])).toEqual([
      ['Gateway shop/shop-gateway', 'spec.listeners[0]'],
      ['Gateway shop/shop-gateway', 'spec.listeners[1]'],
    ]);
    const internal = build({ ...shop, tls: undefined, api: 'gateway-api', gateway: { internal: true } });
    expect(findings(internal.chart).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('binding to the platform\'s Gateway API Gateway: no Gateway of its own, the route attached to it', () => {
    const { objs, chart } = build({ ...shop, tls: undefined, api: 'gateway-api', gateway: { existingGateway: 'istio-ingress/public', existingGatewayIdentity: { namespace: 'istio-ingress', serviceAccountName: 'public-istio' } } });
    expect(kind(objs, 'Gateway')).toEqual([]);
    const [route] = kind(objs, 'HTTPRoute');
    expect(spec(route).parentRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'istio-ingress' }]);
    expect(findings(chart).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('what the Gateway API cannot do here is refused by key, all at once', () => {
    expect(() => build({
      ...shop, api: 'gateway-api',
      gateway: { replicas: 3, selector: { istio: 'ingressgateway' }, serviceAccountName: 'x' },
      backends: [{ name: 'api', port: 8080, pathPrefix: 'api', canary: { stable: { version: 'v1' }, canary: { version: 'v2' }, canaryWeight: 10 } }],
    })).toThrow(/gateway\.selector: gateway\.selector is not supported with api: gateway-api[\s\S]*gateway\.replicas: gateway\.replicas is not supported[\s\S]*backends\[0\]\.canary: canary splits route to DestinationRule subsets, which an HTTPRoute cannot name/);
  });
});

describe('the topology picture shows both APIs', () => {
  test('Gateway API Gateways with their listeners, routes to the Services, the redirect, and the policies on each edge', () => {
    const { objs } = build({ ...shop, api: 'gateway-api' });
    const md = topologyMarkdown('shop', objs);
    expect(md).toContain('kgw_shop_shop_gateway{{"Gateway API shop/shop-gateway (istio)<br/>:443 HTTPS shop.example.com TLS<br/>:80 HTTP shop.example.com<br/>:443 HTTPS www.shop.example.com TLS<br/>:80 HTTP www.shop.example.com"}}');
    expect(md).toContain('kgw_shop_shop_gateway -->|"shop.example.com, www.shop.example.com /api* [timeout 30s]<br/>mTLS STRICT; allow-nothing: allow nothing; allow-ingress-to-api: ALLOW from sa shop/shop-gateway-istio"| host_api_shop_svc_cluster_local');
    expect(md).toMatch(/kgw_shop_shop_gateway -->\|"shop\.example\.com, www\.shop\.example\.com"\| redirect_shop_http_\d+/);
    expect(md).toContain('redirect https:// 301');
  });

  test('an app with both: a VirtualService and an HTTPRoute side by side in one picture', () => {
    const chart = new IstioChart(testApp(), 'c');
    new ExposedApplication(chart, 'old', { ...shop, name: 'legacy', namespace: 'legacy', hosts: ['legacy.example.com'] });
    new ExposedApplication(chart, 'new', { ...shop, api: 'gateway-api' });
    const md = topologyMarkdown('both', synthManifests(chart));
    expect(md).toContain('gw_legacy_legacy_gateway{{"Gateway legacy/legacy-gateway');
    expect(md).toContain('kgw_shop_shop_gateway{{"Gateway API shop/shop-gateway (istio)');
  });
});

test('two hosts whose listener names would coincide get distinct ones', () => {
  const { objs } = build({ ...shop, hosts: ['*.example.com', 'wildcard.example.com'], api: 'gateway-api' });
  expect((spec(kind(objs, 'Gateway')[0]).listeners as Json[]).map((l) => l.name)).toEqual(['https-wildcard-example-com', 'http-wildcard-example-com', 'https-wildcard-example-com-2', 'http-wildcard-example-com-2']);
});

test('a redirect to HTTPS without TLS is refused the same way with either API', () => {
  for (const api of ['istio', 'gateway-api'] as const) {
    expect(() => build({ ...shop, tls: undefined, httpsRedirect: true, api })).toThrow(/httpsRedirect: a redirect to HTTPS needs TLS on the gateway \(fix: set tls\.credentialName, or drop httpsRedirect\)/);
  }
});
