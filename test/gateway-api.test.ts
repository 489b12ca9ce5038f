/**
 * Gateway API constructs (KubernetesGateway, KubernetesHttpRoute, KubernetesGrpcRoute,
 * ReferenceGrant) and the cross-object checks for them (CKI7001–CKI7005). Every construct's
 * output goes through the Gateway API CRD schema and CEL rules in these tests' synths.
 */
import { ApiObject, Chart, Testing } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { Json } from '../src/analysis/rendered';
import { IstioDuration } from '../src/duration';
import { AllowedRoutes, GatewayListener } from '../src/gateway-listener';
import { IstioApp } from '../src/istio-app';
import { Gateway } from '../src/gateway';
import { Server } from '../src/gateway-server';
import { IstioChart } from '../src/istio-chart';
import { KubernetesGateway } from '../src/kubernetes-gateway';
import { GrpcMatch, KubernetesGrpcRoute } from '../src/kubernetes-grpc-route';
import { KubernetesHttpRoute } from '../src/kubernetes-http-route';
import { MeshNamespace } from '../src/mesh-namespace';
import { MeshContext } from '../src/mesh-context';
import { InjectionMode } from '../src/injection';
import { MeshInstall } from '../src/mesh-install';
import { Waypoint } from '../src/waypoint';
import { ReferenceGrant } from '../src/reference-grant';
import { ServiceRef } from '../src/references';
import { RouteBackend, RouteFilter, RouteMatch, RouteParent } from '../src/route-parts';
import { findings, synthManifests, testApp } from '../src/testing';

const byKind = (objs: Json[], kind: string) => objs.filter((o) => o.kind === kind);
const spec = (o: Json) => o.spec as Json;
const meta = (o: Json) => o.metadata as Json;

function edge(app: IstioApp, listeners: GatewayListener[] = [GatewayListener.https({ hostname: 'shop.example.com', certificate: 'shop-cert', allowedRoutes: AllowedRoutes.namespaces('shop') })]): KubernetesGateway {
  return new KubernetesGateway(new IstioChart(app, 'edge', { namespace: 'edge' }), 'gw', { name: 'public', listeners });
}

describe('KubernetesGateway', () => {
  test('class istio, listeners with allowedRoutes written out, the certificate by Secret name, the Service type as Istio reads it', () => {
    const app = testApp();
    const gw = new KubernetesGateway(new IstioChart(app, 'edge', { namespace: 'edge' }), 'gw', {
      name: 'public',
      serviceType: 'ClusterIP',
      revision: 'stable',
      infrastructure: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' }, parametersConfigMap: 'public-gateway-options' },
      listeners: [GatewayListener.http(), GatewayListener.https({ hostname: 'shop.example.com', certificate: 'shop-cert' })],
    });
    const [out] = synthManifests(app);
    expect(meta(out)).toEqual({ name: 'public', namespace: 'edge', labels: { 'istio.io/rev': 'stable' }, annotations: { 'networking.istio.io/service-type': 'ClusterIP' } });
    expect(spec(out)).toEqual({
      gatewayClassName: 'istio',
      infrastructure: { annotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' }, parametersRef: { group: '', kind: 'ConfigMap', name: 'public-gateway-options' } },
      listeners: [
        { name: 'http', port: 80, protocol: 'HTTP', allowedRoutes: { namespaces: { from: 'Same' } } },
        { name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', allowedRoutes: { namespaces: { from: 'Same' } }, tls: { mode: 'Terminate', certificateRefs: [{ group: '', kind: 'Secret', name: 'shop-cert' }] } },
      ],
    });
    // What Istio deploys for it, for policies: `<name>-istio` with the gateway-name pod label.
    expect(gw.workload).toEqual({ namespace: 'edge', selector: { 'gateway.networking.k8s.io/gateway-name': 'public' }, serviceAccountName: 'public-istio' });
    expect(findings(app)).toEqual([]);
  });

  test('a certificate Secret in another namespace comes with the ReferenceGrant that lets the Gateway read it', () => {
    const app = testApp();
    edge(app, [GatewayListener.https({ hostname: 'shop.example.com', certificate: { name: 'shop-cert', namespace: 'certs' } })]);
    const [grant] = byKind(synthManifests(app), 'ReferenceGrant');
    expect(grant).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant', metadata: { name: 'gateway-public-from-edge', namespace: 'certs' },
      spec: { from: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', namespace: 'edge' }], to: [{ group: '', kind: 'Secret', name: 'shop-cert' }] },
    });
    expect(findings(app)).toEqual([]);
  });

  test('listener mistakes are prop errors naming the field', () => {
    const gw = () => edge(testApp(), []);
    expect(() => gw().addListener(GatewayListener.http({ hostname: 'bad_host' }))).toThrow(/spec\.listeners\[0\]\.hostname: "bad_host" is not a valid host/);
    const g = gw();
    g.addListener(GatewayListener.http());
    expect(() => g.addListener(GatewayListener.http({ port: 8080 }))).toThrow(/spec\.listeners\[1\]\.name: listener name http is used twice/);
    expect(() => g.addListener(GatewayListener.http({ name: 'http-2' }))).toThrow(/listener http already takes HTTP on 80/);
    expect(() => g.listener('https')).toThrow(/the Gateway has no listener https \(listeners: http\)/);
    const empty = testApp();
    edge(empty, []);
    expect(() => synthManifests(empty)).toThrow(/spec\.listeners: the Gateway has no listeners/);
  });
});

describe('KubernetesHttpRoute', () => {
  function shop(app: IstioApp): { chart: IstioChart; api: kplus.Service } {
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    return { chart, api: new kplus.Service(chart, 'api', { metadata: { name: 'api' }, ports: [{ port: 8080, name: 'http' }] }) };
  }

  test('matches, filters, weighted backends and timeouts in the Gateway API\'s forms; a backend in another namespace gets its ReferenceGrant', () => {
    const app = testApp();
    const gw = edge(app);
    const { chart, api } = shop(app);
    const route = new KubernetesHttpRoute(chart, 'r', {
      name: 'shop', parents: [gw.listener('https')], hostnames: ['shop.example.com'],
    });
    // Added after construction, as with the other L2s.
    route.addRule({
      matches: [RouteMatch.pathPrefix('/api').withHeader('x-canary', 'yes').withMethod('GET'), RouteMatch.exact('/health')],
      filters: [RouteFilter.requestHeaders({ set: { 'x-shop': 'web' }, remove: ['x-debug'] }), RouteFilter.mirror(RouteBackend.to(ServiceRef.fromName('shadow', 'shop', { ports: [8080] })), { percent: 5 })],
      backends: [RouteBackend.to(api, { weight: 90 }), RouteBackend.to(ServiceRef.fromName('api', 'shop-canary', { ports: [8080] }), { weight: 10 })],
      timeout: IstioDuration.seconds(150),
      backendTimeout: IstioDuration.millis(2500),
    });
    const out = synthManifests(app);
    const [r] = byKind(out, 'HTTPRoute');
    expect(spec(r)).toEqual({
      parentRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public', namespace: 'edge', sectionName: 'https' }],
      hostnames: ['shop.example.com'],
      rules: [{
        matches: [
          { path: { type: 'PathPrefix', value: '/api' }, headers: [{ name: 'x-canary', value: 'yes', type: 'Exact' }], method: 'GET' },
          { path: { type: 'Exact', value: '/health' } },
        ],
        filters: [
          { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-shop', value: 'web' }], remove: ['x-debug'] } },
          { type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', port: 8080 }, percent: 5 } },
        ],
        backendRefs: [{ name: 'api', port: 8080, weight: 90 }, { name: 'api', namespace: 'shop-canary', port: 8080, weight: 10 }],
        timeouts: { request: '2m30s', backendRequest: '2s500ms' },
      }],
    });
    // The mirror is in the route's namespace and needs none.
    expect(byKind(out, 'ReferenceGrant').map((g) => [meta(g).namespace, meta(g).name, spec(g)])).toEqual([
      ['shop-canary', 'httproute-shop-from-shop', { from: [{ group: 'gateway.networking.k8s.io', kind: 'HTTPRoute', namespace: 'shop' }], to: [{ group: '', kind: 'Service', name: 'api' }] }],
    ]);
    expect(findings(app)).toEqual([]);
  });

  test('an HTTPS redirect rule on the plain listener; a prefix rewrite; a redirect with backends and a rule with nowhere to go are refused', () => {
    const app = testApp();
    const gw = edge(app, [GatewayListener.http({ hostname: 'shop.example.com', allowedRoutes: AllowedRoutes.namespaces('shop') }), GatewayListener.https({ hostname: 'shop.example.com', certificate: 'shop-cert', allowedRoutes: AllowedRoutes.namespaces('shop') })]);
    const { chart, api } = shop(app);
    new KubernetesHttpRoute(chart, 'redirect', { name: 'shop-http', parents: [gw.listener('http')], rules: [{ filters: [RouteFilter.httpsRedirect()] }] });
    new KubernetesHttpRoute(chart, 'rewrite', { name: 'shop-v2', parents: [gw.listener('https')], rules: [{ matches: [RouteMatch.pathPrefix('/v2')], filters: [RouteFilter.rewritePrefix('/')], backends: [RouteBackend.to(api)] }] });
    const routes = byKind(synthManifests(app), 'HTTPRoute');
    expect(spec(routes[0]).rules).toEqual([{ filters: [{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }] }]);
    expect((spec(routes[1]).rules as Json[])[0].filters).toEqual([{ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/' } } }]);
    expect(findings(app)).toEqual([]);

    const r = new KubernetesHttpRoute(chart, 'bad', { parents: [gw] });
    expect(() => r.addRule({ filters: [RouteFilter.httpsRedirect()], backends: [RouteBackend.to(api)] })).toThrow(/spec\.rules\[0\]\.backendRefs: a redirecting rule answers the request itself/);
    expect(() => r.addRule({})).toThrow(/the rule sends matching requests nowhere \(Istio answers them with a 500\)/);
    expect(() => r.addRule({ matches: [RouteMatch.exact('/a')], filters: [RouteFilter.rewritePrefix('/')], backends: [RouteBackend.to(api)] })).toThrow(/a prefix rewrite needs exactly one PathPrefix match/);
    expect(() => r.addRule({ backends: [RouteBackend.to(api)], timeout: IstioDuration.seconds(1), backendTimeout: IstioDuration.seconds(2) })).toThrow(/timeouts\.backendRequest: one try at a backend may not take longer than the whole request/);
    expect(() => r.addRule({ backends: [RouteBackend.to(api, { weight: -1 })] })).toThrow(/backendRefs\[0\]\.weight: -1 is not a weight/);
  });

  test('the backend port is the Service\'s when it has one, and must be given when it has several', () => {
    const app = testApp();
    const gw = edge(app);
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    const svc = new kplus.Service(chart, 'api', { metadata: { name: 'api' }, ports: [{ port: 8080, name: 'http' }, { port: 9090, name: 'grpc' }] });
    new KubernetesHttpRoute(chart, 'r', { parents: [gw], hostnames: ['shop.example.com'], rules: [{ backends: [RouteBackend.to(svc)] }] });
    expect(() => synthManifests(app)).toThrow(/backendRefs\[0\]\.port: Service shop\/api exposes 2 ports \(8080, 9090\), so the backend needs its port/);
  });

  test('a route without parents, and a host that is not one, are refused', () => {
    expect(() => new KubernetesHttpRoute(new IstioChart(testApp(), 'shop', { namespace: 'shop' }), 'h', { hostnames: ['*'] })).toThrow(/hostnames\[0\]/);
    const app = testApp();
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    new KubernetesHttpRoute(chart, 'r', { rules: [{ backends: [RouteBackend.to('api', { port: 80 })] }] });
    expect(() => synthManifests(app)).toThrow(/spec\.parentRefs: the route attaches to nothing/);
  });
});

describe('KubernetesGrpcRoute', () => {
  test('service and method matches, header changes, weighted backends; redirects are not GRPCRoute filters', () => {
    const app = testApp();
    const gw = edge(app);
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    const cart = new kplus.Service(chart, 'cart', { metadata: { name: 'cart' }, ports: [{ port: 9090, name: 'grpc' }] });
    const route = new KubernetesGrpcRoute(chart, 'g', {
      name: 'cart', parents: [gw], hostnames: ['shop.example.com'],
      rules: [{ matches: [GrpcMatch.service('shop.v1.Cart'), GrpcMatch.method('Checkout', 'shop.v1.Orders').withHeader('x-tenant', 'a')], filters: [RouteFilter.responseHeaders({ add: { 'x-served-by': 'cart' } })], backends: [RouteBackend.to(cart)] }],
    });
    const [r] = byKind(synthManifests(app), 'GRPCRoute');
    expect((spec(r).rules as Json[])[0]).toEqual({
      matches: [{ method: { type: 'Exact', service: 'shop.v1.Cart' } }, { method: { type: 'Exact', method: 'Checkout', service: 'shop.v1.Orders' }, headers: [{ name: 'x-tenant', value: 'a', type: 'Exact' }] }],
      filters: [{ type: 'ResponseHeaderModifier', responseHeaderModifier: { add: [{ name: 'x-served-by', value: 'cart' }] } }],
      backendRefs: [{ name: 'cart', port: 9090 }],
    });
    expect(findings(app)).toEqual([]);
    expect(() => route.addRule({ filters: [RouteFilter.httpsRedirect()], backends: [RouteBackend.to(cart)] })).toThrow(/a GRPCRoute has no RequestRedirect filter/);
  });
});

describe('cross-object checks of the Gateway API', () => {
  const raw = (chart: Chart, id: string, kind: string, name: string, s: Json, namespace?: string) =>
    new ApiObject(chart, id, { apiVersion: kind === 'ReferenceGrant' ? 'gateway.networking.k8s.io/v1beta1' : 'gateway.networking.k8s.io/v1', kind, metadata: { name, ...(namespace ? { namespace } : {}) }, spec: s });
  const route = (parentRefs: Json[], extra: Json = {}) => ({ parentRefs, hostnames: ['shop.example.com'], rules: [{ backendRefs: [{ name: 'api', port: 8080 }] }], ...extra });
  const codes = (app: IstioApp, prefix = 'CKI70') => findings(app).filter((f) => f.code.startsWith(prefix)).map((f) => [f.code, f.object, f.field, f.message]);

  test('CKI7001: a parent Gateway that is not in the app, or a listener it does not have; declared external passes', () => {
    const app = testApp();
    edge(app);
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    raw(chart, 'a', 'HTTPRoute', 'missing', route([{ name: 'private', namespace: 'edge' }]));
    raw(chart, 'b', 'HTTPRoute', 'no-listener', route([{ name: 'public', namespace: 'edge', sectionName: 'http' }]));
    raw(chart, 'c', 'HTTPRoute', 'external', route([KubernetesGateway.fromName(chart, 'platform', 'shared').parentReference]));
    expect(codes(app)).toEqual([
      ['CKI7001', 'HTTPRoute shop/missing', 'spec.parentRefs[0]', 'Gateway edge/private is not in the app, so no gateway serves this route'],
      ['CKI7001', 'HTTPRoute shop/no-listener', 'spec.parentRefs[0].sectionName', 'Gateway edge/public has no listener http (listeners: https)'],
    ]);
  });

  test('CKI7002: listeners that admit neither the route\'s namespace, its kind nor its hostnames; each passing twin is admitted', () => {
    const app = testApp();
    const gwChart = new IstioChart(app, 'edge', { namespace: 'edge' });
    new KubernetesGateway(gwChart, 'same', { name: 'same-ns', listeners: [GatewayListener.http()] });
    new KubernetesGateway(gwChart, 'labelled', { name: 'labelled', listeners: [GatewayListener.http({ allowedRoutes: AllowedRoutes.namespacesWithLabels({ 'shop.example.com/edge': 'allowed' }) })] });
    new KubernetesGateway(gwChart, 'hosted', { name: 'hosted', listeners: [GatewayListener.http({ hostname: '*.example.org', allowedRoutes: AllowedRoutes.allNamespaces() })] });
    new MeshNamespace(new IstioChart(app, 'ns'), 'shop', { name: 'shop' });
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    raw(chart, 'a', 'HTTPRoute', 'a', route([{ name: 'same-ns', namespace: 'edge' }]));
    raw(chart, 'b', 'HTTPRoute', 'b', route([{ name: 'labelled', namespace: 'edge' }]));
    raw(chart, 'c', 'HTTPRoute', 'c', route([{ name: 'hosted', namespace: 'edge' }]));
    raw(chart, 'd', 'HTTPRoute', 'd', route([{ name: 'hosted', namespace: 'edge' }], { hostnames: ['shop.example.org'] }));
    expect(codes(app).map((c) => [c[1], c[3]])).toEqual([
      ['HTTPRoute shop/a', 'no listener of Gateway edge/same-ns admits this HTTPRoute: listener http admits routes of namespace edge only'],
      ['HTTPRoute shop/b', 'no listener of Gateway edge/labelled admits this HTTPRoute: listener http admits namespaces matching {"matchLabels":{"shop.example.com/edge":"allowed"}}, which shop does not'],
      ['HTTPRoute shop/c', 'no listener of Gateway edge/hosted admits this HTTPRoute: listener http serves *.example.org, none of the route\'s hostnames (shop.example.com)'],
    ]);

    // The namespace with the label is admitted.
    const ok = testApp();
    new KubernetesGateway(new IstioChart(ok, 'edge', { namespace: 'edge' }), 'labelled', { name: 'labelled', listeners: [GatewayListener.http({ allowedRoutes: AllowedRoutes.namespacesWithLabels({ 'shop.example.com/edge': 'allowed' }) })] });
    new MeshNamespace(new IstioChart(ok, 'ns'), 'shop', { name: 'shop', labels: { 'shop.example.com/edge': 'allowed' } });
    raw(new IstioChart(ok, 'shop', { namespace: 'shop' }), 'b', 'HTTPRoute', 'b', route([{ name: 'labelled', namespace: 'edge' }]));
    expect(codes(ok)).toEqual([]);
  });

  test('CKI7003: a backend or certificate in another namespace without a ReferenceGrant there; with one it passes', () => {
    const build = (grant: boolean) => {
      const app = testApp();
      const gwChart = new IstioChart(app, 'edge', { namespace: 'edge' });
      raw(gwChart, 'gw', 'Gateway', 'public', { gatewayClassName: 'istio', listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-cert', namespace: 'certs' }] }, allowedRoutes: { namespaces: { from: 'All' } } }] });
      const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
      raw(chart, 'r', 'HTTPRoute', 'shop', route([{ name: 'public', namespace: 'edge' }], { rules: [{ backendRefs: [{ name: 'api', namespace: 'payments', port: 8080 }] }] }));
      if (grant) {
        new ReferenceGrant(new IstioChart(app, 'payments', { namespace: 'payments' }), 'g', { name: 'from-shop', from: [{ kind: 'HTTPRoute', namespace: 'shop' }], to: [{ kind: 'Service' }] });
        new ReferenceGrant(new IstioChart(app, 'certs', { namespace: 'certs' }), 'g', { name: 'from-edge', from: [{ kind: 'Gateway', namespace: 'edge' }], to: [{ kind: 'Secret', name: 'shop-cert' }] });
      }
      return codes(app);
    };
    expect(build(false).map((c) => [c[0], c[1], c[2]])).toEqual([
      ['CKI7003', 'Gateway edge/public', 'spec.listeners[0].tls.certificateRefs[0].namespace'],
      ['CKI7003', 'HTTPRoute shop/shop', 'spec.rules[0].backendRefs[0].namespace'],
    ]);
    expect(build(false)[1][3]).toMatch(/Service payments\/api is in another namespace and no ReferenceGrant there lets HTTPRoutes of shop use it/);
    expect(build(true)).toEqual([]);
  });

  test('the Gateway\'s own TLS settings: a CA bundle and a client certificate in other namespaces need grants too', () => {
    const app = testApp();
    raw(new IstioChart(app, 'edge', { namespace: 'edge' }), 'gw', 'Gateway', 'mtls', {
      gatewayClassName: 'istio',
      listeners: [{ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls: { mode: 'Terminate', certificateRefs: [{ name: 'shop-cert' }] } }],
      tls: { frontend: { default: { validation: { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'clients-ca', namespace: 'pki' }] } } }, backend: { clientCertificateRef: { name: 'gw-client', namespace: 'pki' } } },
    });
    expect(codes(app).map((c) => [c[0], c[2]])).toEqual([
      ['CKI7003', 'spec.tls.backend.clientCertificateRef.namespace'],
      ['CKI7003', 'spec.tls.frontend.default.validation.caCertificateRefs[0].namespace'],
    ]);
  });

  test('a grant another team keeps, declared with ReferenceGrant.fromExisting, counts; one for another kind does not', () => {
    const build = (fromKind: string) => {
      const app = testApp();
      edge(app, [GatewayListener.http({ allowedRoutes: AllowedRoutes.allNamespaces() })]);
      const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
      ReferenceGrant.fromExisting(chart, 'payments', { from: [{ kind: fromKind, namespace: 'shop' }], to: [{ kind: 'Service', name: 'api' }] });
      raw(chart, 'r', 'HTTPRoute', 'shop', route([{ name: 'public', namespace: 'edge' }], { rules: [{ backendRefs: [{ name: 'api', namespace: 'payments', port: 8080 }] }] }));
      return codes(app).map((c) => c[0]);
    };
    expect(build('HTTPRoute')).toEqual([]);
    expect(build('GRPCRoute')).toEqual(['CKI7003']);
  });

  test('CKI7004: a rule whose backends all weigh 0', () => {
    const app = testApp();
    edge(app, [GatewayListener.http({ allowedRoutes: AllowedRoutes.allNamespaces() })]);
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    new KubernetesHttpRoute(chart, 'r', { name: 'drained', parents: [KubernetesGateway.fromName(chart, 'edge', 'public')], rules: [{ backends: [RouteBackend.to('api', { port: 80, weight: 0 }), RouteBackend.to('api-v2', { port: 80, weight: 0 })] }] });
    new KubernetesHttpRoute(chart, 's', { name: 'split', parents: [KubernetesGateway.fromName(chart, 'edge', 'public')], rules: [{ backends: [RouteBackend.to('api', { port: 80, weight: 0 }), RouteBackend.to('api-v2', { port: 80 })] }] });
    expect(codes(app)).toEqual([['CKI7004', 'HTTPRoute shop/drained', 'spec.rules[0].backendRefs', 'every backend of the rule has weight 0, so matching requests get a 500']]);
  });

  test('CKI7005: a VirtualService on an Istio Gateway selecting the pods Istio runs for a Gateway API Gateway, claiming a host an HTTPRoute there claims', () => {
    const build = (vsHost: string) => {
      const app = testApp();
      const gw = edge(app, [GatewayListener.http({ allowedRoutes: AllowedRoutes.allNamespaces() })]);
      const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
      new KubernetesHttpRoute(chart, 'r', { name: 'shop', parents: [gw], hostnames: ['shop.example.com'], rules: [{ backends: [RouteBackend.to('api', { port: 8080 })] }] });
      new ApiObject(chart, 'igw', { apiVersion: 'networking.istio.io/v1', kind: 'Gateway', metadata: { name: 'legacy' }, spec: { selector: { 'gateway.networking.k8s.io/gateway-name': 'public' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] } });
      new ApiObject(chart, 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'legacy' }, spec: { hosts: [vsHost], gateways: ['legacy'], http: [{ route: [{ destination: { host: 'api' } }] }] } });
      return codes(app, 'CKI7005');
    };
    const [hit] = build('shop.example.com');
    expect(hit.slice(0, 3)).toEqual(['CKI7005', 'HTTPRoute shop/shop', 'spec.hostnames']);
    expect(hit[3]).toMatch(/shop\.example\.com is also routed by VirtualService shop\/legacy through Istio Gateway shop\/legacy, which configures the same gateway pods as Gateway edge\/public/);
    expect(build('admin.example.com')).toEqual([]);
  });

  test('a mesh route attaches to a Service (GAMMA) and passes the CRD\'s checks', () => {
    const app = testApp();
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    const api = new kplus.Service(chart, 'api', { metadata: { name: 'api' }, ports: [{ port: 8080, name: 'http' }] });
    new KubernetesHttpRoute(chart, 'r', { name: 'api-split', parents: [RouteParent.service(chart, api, { port: 8080 })], rules: [{ backends: [RouteBackend.to(api, { weight: 9 }), RouteBackend.to('api-v2', { port: 8080, weight: 1 })] }] });
    const [r] = byKind(Testing.synth(chart) as Json[], 'HTTPRoute');
    expect(spec(r).parentRefs).toEqual([{ group: '', kind: 'Service', name: 'api', namespace: 'shop', port: 8080 }]);
    expect(findings(app).filter((f) => f.severity === 'error')).toEqual([]);
  });
});

describe('both APIs on one gateway while migrating', () => {
  test('an Istio Gateway selecting the pods Istio deploys for a KubernetesGateway is not IST0101 (they will exist)', () => {
    const app = testApp();
    const gw = edge(app, [GatewayListener.http({ allowedRoutes: AllowedRoutes.allNamespaces() })]);
    const chart = new IstioChart(app, 'legacy', { namespace: 'edge' });
    new Gateway(chart, 'igw', { name: 'legacy', workload: gw.workload, servers: [Server.http({ hosts: ['legacy.example.com'] })] });
    expect(findings(app).filter((f) => f.code === 'IST0101')).toEqual([]);
  });
});

describe('one mistake, one error', () => {
  test('a backend without the port a two-port Service needs is the construct\'s error alone, not the CRD rule\'s again', () => {
    const app = testApp();
    const gw = edge(app, [GatewayListener.http({ allowedRoutes: AllowedRoutes.allNamespaces() })]);
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    const svc = new kplus.Service(chart, 'api', { metadata: { name: 'api' }, ports: [{ port: 8080, name: 'http' }, { port: 9090, name: 'grpc' }] });
    new KubernetesHttpRoute(chart, 'r', { parents: [gw], hostnames: ['shop.example.com'], rules: [{ backends: [RouteBackend.to(svc)] }] });
    expect(findings(app).filter((f) => f.severity === 'error').map((f) => [f.code, f.field])).toEqual([['CKI0001', 'spec.rules[0].backendRefs[0].port']]);
  });
});

test('a backend named by a string finds the port of the app\'s Service of that name', () => {
  const app = testApp();
  const gw = edge(app, [GatewayListener.http({ allowedRoutes: AllowedRoutes.allNamespaces() })]);
  const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
  new KubernetesHttpRoute(chart, 'r', { name: 'shop', parents: [gw], hostnames: ['shop.example.com'], rules: [{ backends: [RouteBackend.to('web')] }] });
  // Declared after the route: ports are read when the app renders.
  new kplus.Service(chart, 'web', { metadata: { name: 'web' }, ports: [{ port: 8080, name: 'http' }] });
  const [r] = byKind(synthManifests(app), 'HTTPRoute');
  expect((spec(r).rules as Json[])[0].backendRefs).toEqual([{ name: 'web', port: 8080 }]);
});

describe('CKI7006: a Gateway on a revision the install does not have', () => {
  const build = (revision?: string, nsRevision?: string) => {
    const app = testApp();
    new MeshInstall(new Chart(app, 'bootstrap'), 'istio', { revision: '1-30-3', revisionTags: ['stable'] });
    const c = new IstioChart(app, 'edge', { namespace: 'edge' });
    const ns = new MeshNamespace(c, 'ns', { name: 'edge', injection: nsRevision ? InjectionMode.revision(nsRevision) : undefined });
    new KubernetesGateway(c, 'gw', { name: 'public', namespace: ns, revision, listeners: [GatewayListener.http()] });
    new Waypoint(c, 'wp', { namespace: ns, revision });
    return findings(app).filter((f) => f.code === 'CKI7006').map((f) => [f.object, f.field, f.message]);
  };

  test('its own label or its namespace\'s naming a revision the install lacks; the install\'s tag, and an unlabelled Gateway (the default revision\'s), pass', () => {
    expect(build('canary').map((f) => f[0])).toEqual(['Gateway edge/public', 'Gateway edge/waypoint']);
    expect(build('canary')[0].slice(1)).toEqual(['metadata.labels["istio.io/rev"]', 'the Gateway asks for revision canary, which the mesh install does not have (revisions: 1-30-3, stable): no istiod deploys or programs it']);
    expect(build(undefined, 'canary')[0].slice(1)).toEqual(['metadata.namespace', 'the Gateway asks for revision canary (its namespace\'s istio.io/rev), which the mesh install does not have (revisions: 1-30-3, stable): no istiod deploys or programs it']);
    expect(build('stable')).toEqual([]);
    expect(build(undefined, 'stable')).toEqual([]);
    expect(build()).toEqual([]);
  });
});

describe('CKI7002 and namespaces outside the app', () => {
  test('a Selector listener and a route from a namespace declared to exist, whose labels the app does not know: not reported', () => {
    const app = testApp();
    new KubernetesGateway(new IstioChart(app, 'edge', { namespace: 'edge' }), 'gw', { name: 'shared', listeners: [GatewayListener.http({ allowedRoutes: AllowedRoutes.namespacesWithLabels({ 'shared-gateway-access': 'true' }) })] });
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    MeshContext.of(app).declareExternalNamespace('shop');
    new KubernetesHttpRoute(chart, 'r', { name: 'shop', parents: [KubernetesGateway.fromName(chart, 'edge', 'shared')], rules: [{ backends: [RouteBackend.to('api', { port: 80 })] }] });
    expect(findings(app).filter((f) => f.code === 'CKI7002')).toEqual([]);
  });
});

describe('from a review', () => {
  test('a waypoint-class KubernetesGateway runs as the Gateway\'s own name, not <name>-istio-waypoint', () => {
    const gw = new KubernetesGateway(new IstioChart(testApp(), 'c', { namespace: 'shop' }), 'wp', { name: 'waypoint', gatewayClassName: 'istio-waypoint', listeners: [] });
    expect(gw.workload.serviceAccountName).toBe('waypoint');
  });
});

describe('from a review, cross-namespace references', () => {
  test('CKI7003 also sees a mirror inside a backend\'s filters; CKI7002 leaves a Gateway whose listeners come from ListenerSets alone', () => {
    const app = testApp();
    const edgeChart = new IstioChart(app, 'edge', { namespace: 'edge' });
    new ApiObject(edgeChart, 'gw', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway', metadata: { name: 'sets' }, spec: { gatewayClassName: 'istio', allowedListeners: { namespaces: { from: 'All' } } } });
    const chart = new IstioChart(app, 'shop', { namespace: 'shop' });
    new ApiObject(chart, 'r', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'shop' }, spec: { parentRefs: [{ name: 'sets', namespace: 'edge' }], rules: [{ backendRefs: [{ name: 'api', port: 80, filters: [{ type: 'RequestMirror', requestMirror: { backendRef: { name: 'shadow', namespace: 'lab', port: 80 } } }] }] }] } });
    expect(findings(app).filter((f) => f.code.startsWith('CKI70')).map((f) => [f.code, f.field])).toEqual([['CKI7003', 'spec.rules[0].backendRefs[0].filters[0].requestMirror.backendRef.namespace']]);
  });
});
