import * as kplus from 'cdk8s-plus-28';
import {
  CorsUnmatchedPreflights, Destination, DestinationRule, Fault, findings, Gateway, GatewayWorkload, IstioChart, l1, Match, MESH_GATEWAY,
  MeshContext, RedirectPort, RetryOn, Server, StringMatch, synthManifests, testApp, VirtualService,
} from '../src';
import { IstioDuration } from '../src/duration';
import { ServiceRef } from '../src/references';
import { CKI3003 } from '../src/analysis/checks/virtual-service';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function setup() {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  const api = new kplus.Service(chart, 'api-svc', { metadata: { name: 'api' }, ports: [{ port: 8080, name: 'http' }] });
  const dr = new DestinationRule(chart, 'api-dr', { name: 'api', host: api });
  return { chart, api, dr, v1: dr.addSubset('v1', { version: 'v1' }), v2: dr.addSubset('v2', { version: 'v2' }) };
}

function vsSpec(chart: IstioChart, name = 'routes'): Json {
  const vs = synthManifests(chart).find((m) => m.kind === 'VirtualService' && (m.metadata as Json).name === name);
  expect(vs).toBeDefined();
  return (vs as Json).spec;
}

describe('VirtualService hosts and bindings', () => {
  test('hosts from a cdk8s-plus Service, a reference and a string; mesh by default', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', {
      hosts: [api, ServiceRef.fromName('cart', 'shop'), 'shop.example.com'],
    });
    vs.addHttpRoute({ to: [Destination.to(api)] });
    const spec = vsSpec(chart);
    expect(spec.hosts).toEqual(['api.shop.svc.cluster.local', 'cart.shop.svc.cluster.local', 'shop.example.com']);
    expect(spec.gateways).toBeUndefined();
    expect(vs.hosts).toEqual(spec.hosts);
  });

  test('bindTo a gateway object, the mesh, and an external gateway by namespace/name', () => {
    const { chart, api } = setup();
    new l1.Gateway(chart, 'gw', {
      metadata: { name: 'shop-gateway' },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['shop.example.com'] }] },
    });
    MeshContext.of(chart).declareExternalGatewayWorkload({ constructPath: 'test', labels: { istio: 'ingressgateway' } });
    const vs = new VirtualService(chart, 'routes', { hosts: ['shop.example.com'] })
      .bindTo({ gatewayRef: 'shop/shop-gateway' })
      .bindToMesh()
      .bindTo('istio-system/shared-gateway')
      .bindTo(MESH_GATEWAY);
    vs.addHttpRoute({ to: [Destination.to(api)] });
    expect(vsSpec(chart).gateways).toEqual(['shop/shop-gateway', 'mesh', 'istio-system/shared-gateway']);
    expect(MeshContext.of(chart).isExternalGateway('istio-system/shared-gateway')).toBe(true);
    // The external gateway is declared, so the analysis does not report it as missing.
    expect(findings(chart).filter((f) => f.code === 'IST0101')).toEqual([]);
  });

  test('bindTo the edge Gateway construct: the analysis finds it and its host', () => {
    const { chart, api } = setup();
    const workload = GatewayWorkload.fromSelector(chart, 'ingress', { selector: { istio: 'ingressgateway' }, servicePorts: [80, 443] });
    const gw = new Gateway(chart, 'gw', { name: 'shop-gateway', workload, servers: [Server.http({ hosts: ['shop.example.com'] })] });
    new VirtualService(chart, 'routes', { hosts: ['shop.example.com'] }).bindTo(gw).addHttpRoute({ to: [Destination.to(api)] });
    expect(vsSpec(chart).gateways).toEqual([gw.gatewayRef]);
    expect(findings(chart).filter((f) => ['IST0101', 'IST0132'].includes(f.code))).toEqual([]);
  });

  test('a gateway string without a namespace is refused', () => {
    const { chart } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: ['shop.example.com'] });
    expect(() => vs.bindTo('shared-gateway')).toThrow(/\[c\/routes\] spec\.gateways\[0\]: "shared-gateway" is not a namespace\/name gateway reference/);
  });

  test('empty hosts, an empty host and duplicates are refused with path and field', () => {
    const { chart } = setup();
    expect(() => new VirtualService(chart, 'none', { hosts: [] })).toThrow(/\[c\/none\] spec\.hosts: no hosts/);
    expect(() => new VirtualService(chart, 'empty', { hosts: [''] })).toThrow(/\[c\/empty\] spec\.hosts\[0\]: "" is not a valid host: the host is empty/);
    expect(() => new VirtualService(chart, 'bad', { hosts: ['a..b'] })).toThrow(/\[c\/bad\] spec\.hosts\[0\]/);
    expect(() => new VirtualService(chart, 'dup', { hosts: ['a.example.com', 'a.example.com'] })).toThrow(/\[c\/dup\] spec\.hosts\[1\]: "a\.example\.com" is listed twice/);
  });

  test('"*" is only allowed when bound to gateways', () => {
    const { chart, api } = setup();
    new VirtualService(chart, 'routes', { hosts: ['*'] }).addHttpRoute({ to: [Destination.to(api)] });
    const found = findings(chart).filter((f) => f.severity === 'error');
    expect(found.map((f) => [f.code, f.constructPath, f.field])).toEqual([['CKI1101', 'c/routes/Resource', 'spec.hosts[0]']]);
    expect(found[0].message).toContain('not allowed on a VirtualService bound to the mesh');
  });

  test('a VirtualService without routes fails at synthesis', () => {
    const { chart } = setup();
    new VirtualService(chart, 'routes', { hosts: ['a.example.com'] });
    expect(() => synthManifests(chart)).toThrow(/\[c\/routes\].*spec: the VirtualService has no routes/);
  });
});

describe('HTTP routes', () => {
  test('render lazily in the order added, including routes added after other constructs', () => {
    const { chart, api, v1, v2 } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api], http: [{ name: 'first', match: [Match.prefix('/a/')], to: [Destination.to(api, { subset: v1 })] }] });
    vs.addHttpRoute({ name: 'second', match: [Match.exact('/b')], to: [Destination.to(api, { subset: v2 })] });
    new kplus.Service(chart, 'later', { metadata: { name: 'later' }, ports: [{ port: 80, name: 'http' }] });
    const last = vs.addHttpRoute({ name: 'third' });
    last.to(api, { subset: v1 });
    const spec = vsSpec(chart);
    expect(spec.http.map((r: Json) => r.name)).toEqual(['first', 'second', 'third']);
    expect(spec.http[0].match).toEqual([{ uri: { prefix: '/a/' } }]);
    expect(spec.http[1].match).toEqual([{ uri: { exact: '/b' } }]);
    expect(spec.http[2].route).toEqual([{ destination: { host: 'api.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } } }]);
  });

  test('every match kind renders as Istio documents it', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    vs.addHttpRoute({
      name: 'all',
      match: [
        Match.regex('^/v[0-9]+/items$').and(Match.method('GET'), Match.header('x-tenant', StringMatch.prefix('acme-'))),
        Match.queryParam('debug', 'true').and(Match.port(8080), Match.authority(StringMatch.regex('.*\\.example\\.com'))),
        Match.sourceLabels({ app: 'web' }).and(Match.sourceNamespace('frontend'), Match.withoutHeader('x-canary')).named('from-web'),
        Match.prefix('/Docs').ignoringUriCase().and(Match.scheme('https')),
      ],
      to: [Destination.to(api)],
    });
    expect(vsSpec(chart).http[0].match).toEqual([
      { uri: { regex: '^/v[0-9]+/items$' }, method: { exact: 'GET' }, headers: { 'x-tenant': { prefix: 'acme-' } } },
      { queryParams: { debug: { exact: 'true' } }, port: 8080, authority: { regex: '.*\\.example\\.com' } },
      { name: 'from-web', sourceLabels: { app: 'web' }, sourceNamespace: 'frontend', withoutHeaders: { 'x-canary': {} } },
      { uri: { prefix: '/Docs' }, ignoreUriCase: true, scheme: { exact: 'https' } },
    ]);
  });

  test('rewrite, retries, timeout, CORS, headers, mirror with percentage', () => {
    const { chart, api, v1, v2 } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    vs.addHttpRoute({
      name: 'api',
      match: [Match.prefix('/api/')],
      rewrite: { uri: '/', authority: 'api.internal' },
      timeout: IstioDuration.seconds(5),
      retries: { attempts: 3, perTryTimeout: IstioDuration.millis(1500), retryOn: [RetryOn.GATEWAY_ERROR, RetryOn.CONNECT_FAILURE, RetryOn.statusCode(503)] },
      corsPolicy: {
        allowOrigins: [StringMatch.exact('https://shop.example.com')],
        allowMethods: ['GET', 'POST'],
        allowHeaders: ['content-type'],
        maxAge: IstioDuration.hours(24),
        allowCredentials: true,
        unmatchedPreflights: CorsUnmatchedPreflights.IGNORE,
      },
      headers: { request: { set: { 'x-route': 'api' } }, response: { remove: ['server'] } },
      mirror: Destination.to(api, { subset: v2 }),
      mirrorPercentage: 10,
      to: [Destination.to(api, { subset: v1, headers: { request: { add: { 'x-subset': 'v1' } } } })],
    });
    const route = vsSpec(chart).http[0];
    expect(route.rewrite).toEqual({ uri: '/', authority: 'api.internal' });
    expect(route.timeout).toBe('5s');
    expect(route.retries).toEqual({ attempts: 3, perTryTimeout: '1500ms', retryOn: 'gateway-error,connect-failure,503' });
    expect(route.corsPolicy).toEqual({
      allowOrigins: [{ exact: 'https://shop.example.com' }],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type'],
      maxAge: '86400s',
      allowCredentials: true,
      unmatchedPreflights: 'IGNORE',
    });
    expect(route.headers).toEqual({ request: { set: { 'x-route': 'api' } }, response: { remove: ['server'] } });
    expect(route.mirror).toEqual({ host: 'api.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } });
    expect(route.mirrorPercentage).toEqual({ value: 10 });
    expect(route).not.toHaveProperty('mirror_percent');
    expect(route).not.toHaveProperty('mirrorPercent');
    expect(route.route).toEqual([{
      destination: { host: 'api.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } },
      headers: { request: { add: { 'x-subset': 'v1' } } },
    }]);
  });

  test('redirect, direct response and regex rewrite', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: ['shop.example.com'] }).bindTo('istio-system/shared');
    vs.addHttpRoute({ name: 'old', match: [Match.prefix('/old/')], redirect: { uri: '/new/', port: RedirectPort.FROM_PROTOCOL_DEFAULT, scheme: 'https', redirectCode: 308 } });
    vs.addHttpRoute({ name: 'moved', match: [Match.exact('/moved')], redirect: { authority: 'new.example.com', port: 8443 } });
    vs.addHttpRoute({ name: 'health', match: [Match.exact('/healthz')], directResponse: { status: 200, body: 'ok' } });
    vs.addHttpRoute({ name: 'regex', match: [Match.regex('^/v1/(.*)')], rewrite: { uriRegex: { match: '^/v1/(.*)', rewrite: '/\\1' } }, to: [Destination.to(api)] });
    const http = vsSpec(chart).http;
    expect(http[0].redirect).toEqual({ uri: '/new/', derivePort: 'FROM_PROTOCOL_DEFAULT', scheme: 'https', redirectCode: 308 });
    expect(http[1].redirect).toEqual({ authority: 'new.example.com', port: 8443 });
    expect(http[2].directResponse).toEqual({ status: 200, body: { string: 'ok' } });
    expect(http[2].route).toBeUndefined();
    expect(http[3].rewrite).toEqual({ uriRegexRewrite: { match: '^/v1/(.*)', rewrite: '/\\1' } });
  });

  test('fault injection: delay, abort, both, gRPC', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    vs.addHttpRoute({ match: [Match.prefix('/a')], fault: Fault.delay(IstioDuration.seconds(7), 50).and(Fault.abort(503, 10)), to: [Destination.to(api)] });
    vs.addHttpRoute({ match: [Match.prefix('/b')], fault: Fault.grpcAbort('UNAVAILABLE'), to: [Destination.to(api)] });
    const http = vsSpec(chart).http;
    expect(http[0].fault).toEqual({ delay: { fixedDelay: '7s', percentage: { value: 50 } }, abort: { httpStatus: 503, percentage: { value: 10 } } });
    expect(http[1].fault).toEqual({ abort: { grpcStatus: 'UNAVAILABLE', percentage: { value: 100 } } });
    // Combining two delays is refused by the route that takes the fault, naming its construct and field.
    const twoDelays = Fault.delay(IstioDuration.seconds(1)).and(Fault.delay(IstioDuration.seconds(2)));
    expect(() => vs.addHttpRoute({ fault: twoDelays, to: [Destination.to(api)] }))
      .toThrow(/^\[c\/routes\] spec\.http\[\d+\]\.fault: Fault\.and\(\) combines two faults with a delay each; a fault holds at most one delay and one abort/);
  });

  test('delegation to a delegate VirtualService', () => {
    const { chart, api } = setup();
    const child = new VirtualService(chart, 'child', { delegate: true });
    child.addHttpRoute({ match: [Match.prefix('/api/v2/')], to: [Destination.to(api)] });
    const parent = new VirtualService(chart, 'routes', { hosts: ['shop.example.com'], gateways: ['istio-system/shared'] });
    parent.addHttpRoute({ match: [Match.prefix('/api/')], delegate: child });
    expect(vsSpec(chart).http[0]).toEqual({ match: [{ uri: { prefix: '/api/' } }], delegate: { name: 'child', namespace: 'shop' } });
    const childSpec = vsSpec(chart, 'child');
    expect(childSpec.hosts).toBeUndefined();
    expect(childSpec.gateways).toBeUndefined();
    const notDelegate = new VirtualService(chart, 'plain', { hosts: ['x.example.com'] });
    expect(() => parent.addHttpRoute({ delegate: notDelegate })).toThrow(/\[c\/routes\] spec\.http\[1\]\.delegate: VirtualService shop\/plain is not a delegate/);
    expect(() => child.bindTo('istio-system/shared')).toThrow(/\[c\/child\] spec\.gateways: a delegate VirtualService/);
    expect(() => new VirtualService(chart, 'bad-child', { delegate: true, hosts: ['a.example.com'] })).toThrow(/\[c\/bad-child\] spec\.hosts: a delegate VirtualService must not list hosts/);
  });

  test('Destination.to(subset) routes to the subset of its rule\'s host; a second subset in the options is refused', () => {
    const { chart, v1, v2 } = setup();
    new VirtualService(chart, 'routes', { hosts: ['api'], http: [{ to: [Destination.to(v1, { weight: 90 }), Destination.to(v2, { weight: 10 })] }] });
    expect(vsSpec(chart).http[0].route).toEqual([
      { destination: { host: 'api.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } }, weight: 90 },
      { destination: { host: 'api.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } }, weight: 10 },
    ]);
    const other = setup();
    const vs = new VirtualService(other.chart, 'routes', { hosts: ['api'] });
    expect(() => vs.addHttpRoute({ to: [Destination.to(other.v1, { subset: other.v2 })] }))
      .toThrow(/spec\.http\[0\]\.route\[0\]\.destination\.subset: the destination is subset "v1" and options\.subset names "v2" as well/);
  });

  test('one level of delegation: a delegate that delegates again, or a reference that does, is refused', () => {
    const { chart, api } = setup();
    const grandchild = new VirtualService(chart, 'grandchild', { delegate: true });
    grandchild.addHttpRoute({ to: [Destination.to(api)] });
    const child = new VirtualService(chart, 'child', { delegate: true });
    child.addHttpRoute({ match: [Match.prefix('/api/v2/')], delegate: grandchild });
    const parent = new VirtualService(chart, 'routes', { hosts: ['shop.example.com'], gateways: ['istio-system/shared'] });
    parent.addHttpRoute({ match: [Match.prefix('/api/')], delegate: child });
    const nested = findings(chart).filter((f) => f.code === CKI3003.code);
    expect(nested.map((f) => [f.constructPath, f.field])).toEqual([['c/child/Resource', 'spec.http[0].delegate']]);
    expect(nested[0].message).toMatch(/so it is a delegate itself, and its route hands over again to shop\/grandchild: istiod refuses nested delegation/);
    expect(() => synthManifests(chart)).toThrow(/CKI3003/);

    const other = setup();
    const outside = { virtualServiceName: 'team-routes', namespace: 'team', isDelegate: true, delegates: true };
    const root = new VirtualService(other.chart, 'routes', { hosts: ['shop.example.com'], gateways: ['istio-system/shared'] });
    root.addHttpRoute({ delegate: outside });
    expect(() => synthManifests(other.chart)).toThrow(/CKI0001 \[c\/routes\] \(construct\) spec\.http\[0\]\.delegate: team\/team-routes delegates further, and Istio follows one level of delegation/);
  });

  test('the port comes from the Service when it has exactly one, must be given when it has several', () => {
    const { chart, api } = setup();
    const multi = new kplus.Service(chart, 'multi', { metadata: { name: 'multi' }, ports: [{ port: 80, name: 'http' }, { port: 9090, name: 'http-metrics' }] });
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    vs.addHttpRoute({ match: [Match.prefix('/m')], to: [Destination.to(multi, { port: 80 })] });
    vs.addHttpRoute({ match: [Match.prefix('/s')], to: [Destination.to('ext.example.com')] });
    vs.addHttpRoute({ to: [Destination.to(api)] });
    const http = vsSpec(chart).http;
    expect(http[0].route[0].destination).toEqual({ host: 'multi.shop.svc.cluster.local', port: { number: 80 } });
    expect(http[1].route[0].destination).toEqual({ host: 'ext.example.com' });
    expect(http[2].route[0].destination).toEqual({ host: 'api.shop.svc.cluster.local', port: { number: 8080 } });

    vs.addHttpRoute({ match: [Match.prefix('/x')], to: [Destination.to(multi)] });
    expect(() => synthManifests(chart)).toThrow(/\[c\/routes\].*spec\.http\[3\]\.route\[0\]\.destination\.port: multi\.shop\.svc\.cluster\.local exposes several ports \(80, 9090\)/);
    expect(() => vs.addHttpRoute({ to: [Destination.to(api, { port: 9999 })] }))
      .toThrow(/\[c\/routes\] spec\.http\[4\]\.route\[0\]\.destination\.port\.number: api\.shop\.svc\.cluster\.local exposes ports 8080, not 9999/);
  });

  test('snapshot of a full route', () => {
    const { chart, api, v1, v2 } = setup();
    new VirtualService(chart, 'routes', { hosts: [api] }).addHttpRoute({
      name: 'canary',
      match: [Match.prefix('/api/')],
      timeout: IstioDuration.seconds(10),
      to: [Destination.to(api, { subset: v1, weight: 80 }), Destination.to(api, { subset: v2, weight: 20 })],
    });
    const spec = vsSpec(chart);
    expect(spec.http[0].route.map((r: Json) => r.weight)).toEqual([80, 20]);
    expect(synthManifests(chart)).toMatchSnapshot();
  });
});

describe('wrong input names the construct path and the field', () => {
  test('weights not totalling 100', () => {
    const { chart, api, v1, v2 } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    expect(() => vs.addHttpRoute({ name: 'split', to: [Destination.to(api, { subset: v1, weight: 90 }), Destination.to(api, { subset: v2, weight: 20 })] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.route: route "split" splits 90 \+ 20 = 110%, more than 100/);
    vs.addHttpRoute({ name: 'short', to: [Destination.to(api, { subset: v1, weight: 60 }), Destination.to(api, { subset: v2, weight: 30 })] });
    expect(() => synthManifests(chart)).toThrow(/\[c\/routes\].*spec\.http\[0\]\.route: route "short" splits 60 \+ 30 = 90%, not 100/);
  });

  test('a split where one destination has no weight', () => {
    const { chart, api, v1, v2 } = setup();
    new VirtualService(chart, 'routes', { hosts: [api] }).addHttpRoute({ to: [Destination.to(api, { subset: v1, weight: 100 }), Destination.to(api, { subset: v2 })] });
    expect(() => synthManifests(chart)).toThrow(/spec\.http\[0\]\.route\[1\]\.weight: route #0 splits traffic between 2 destinations but this one has no weight/);
  });

  test('a subset of a DestinationRule for another host', () => {
    const { chart, api } = setup();
    const other = new DestinationRule(chart, 'other', { host: 'cart' });
    const cartV1 = other.addSubset('v1', { version: 'v1' });
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    expect(() => vs.addHttpRoute({ to: [Destination.to(api, { subset: cartV1 })] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.route\[0\]\.destination\.subset: subset "v1" is defined by DestinationRule shop\/other for host cart\.shop\.svc\.cluster\.local, not for api\.shop\.svc\.cluster\.local/);
  });

  test('durations below 1 ms', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    expect(() => vs.addHttpRoute({ timeout: IstioDuration.millis(0.5), to: [Destination.to(api)] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.timeout: 0\.5 ms is below Istio's minimum of 1 ms/);
    expect(() => vs.addHttpRoute({ retries: { attempts: 2, perTryTimeout: IstioDuration.millis(0) }, to: [Destination.to(api)] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.retries\.perTryTimeout: 0 ms is below/);
    expect(() => vs.addHttpRoute({ fault: Fault.delay(IstioDuration.millis(0.1)), to: [Destination.to(api)] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.fault\.delay\.fixedDelay: 0\.1 ms is below/);
  });

  test('invalid regular expressions', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    expect(() => vs.addHttpRoute({ match: [Match.regex('/api/(v1')], to: [Destination.to(api)] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.match\[0\]\.uri\.regex: regular expression "\/api\/\(v1" is invalid/);
    expect(() => vs.addHttpRoute({ match: [Match.prefix('/'), Match.header('x-user', StringMatch.regex('(?=admin).*'))], to: [Destination.to(api)] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.match\[1\]\.headers\.x-user\.regex: .*lookahead assertions .* are not supported by RE2/);
    expect(() => vs.addHttpRoute({ corsPolicy: { allowOrigins: [StringMatch.regex('[')] }, to: [Destination.to(api)] }))
      .toThrow(/spec\.http\[0\]\.corsPolicy\.allowOrigins\[0\]\.regex/);
    // RE2 syntax that JavaScript lacks is accepted.
    expect(() => vs.addHttpRoute({ match: [Match.regex('(?i)^/(?P<ver>v[0-9]+)/.*')], to: [Destination.to(api)] })).not.toThrow();
  });

  test('ports out of range', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    expect(() => vs.addHttpRoute({ match: [Match.port(70000)], to: [Destination.to(api)] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.match\[0\]\.port: 70000 is not a port number/);
    expect(() => vs.addHttpRoute({ to: [Destination.to('ext.example.com', { port: 0 })] }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.route\[0\]\.destination\.port\.number: 0 is not a port number/);
    expect(() => vs.addHttpRoute({ redirect: { port: 65536 } }))
      .toThrow(/\[c\/routes\] spec\.http\[0\]\.redirect\.port: 65536 is not a port number/);
  });

  test('other route mistakes', () => {
    const { chart, api } = setup();
    const vs = new VirtualService(chart, 'routes', { hosts: [api] });
    expect(() => vs.addHttpRoute({ redirect: { uri: '/x' }, to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]: route #0 sets to and redirect/);
    expect(() => vs.addHttpRoute({ redirect: { uri: '/x' }, rewrite: { uri: '/y' } })).toThrow(/spec\.http\[0\]\.rewrite: a route cannot both rewrite and redirect/);
    expect(() => vs.addHttpRoute({ redirect: { uri: '/x', redirectCode: 200 } })).toThrow(/spec\.http\[0\]\.redirect\.redirectCode: 200 is not a redirect status/);
    expect(() => vs.addHttpRoute({ directResponse: { status: 99 } })).toThrow(/spec\.http\[0\]\.directResponse\.status/);
    expect(() => vs.addHttpRoute({ fault: Fault.abort(700), to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.fault\.abort\.httpStatus: 700/);
    expect(() => vs.addHttpRoute({ fault: Fault.abort(500, 120), to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.fault\.abort\.percentage\.value: 120 is not a percentage/);
    expect(() => vs.addHttpRoute({ mirrorPercentage: 5, to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.mirrorPercentage: set without a mirror/);
    expect(() => vs.addHttpRoute({ mirror: Destination.to(api, { weight: 10 }), to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.mirror\.weight: a mirror takes no weight/);
    expect(() => vs.addHttpRoute({ match: [Match.header('End-User', 'jason')], to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.match\[0\]\.headers\.End-User: "End-User" is not a lowercase HTTP header name/);
    expect(() => vs.addHttpRoute({ match: [Match.queryParam('q', StringMatch.prefix('a'))], to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.match\[0\]\.queryParams\.q\.prefix/);
    expect(() => vs.addHttpRoute({ match: [Match.prefix('/a').and(Match.prefix('/b'))], to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.match\[0\]: conditions contradict each other: uri is set twice/);
    expect(() => vs.addHttpRoute({ match: [Match.prefix('api')], to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.match\[0\]\.uri\.prefix: "api" does not start with \//);
    expect(() => vs.addHttpRoute({ headers: { request: { set: { host: 'x' } } }, to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.headers\.request\.set: "host" cannot be changed here/);
    expect(() => vs.addHttpRoute({ retries: { attempts: -1 }, to: [Destination.to(api)] })).toThrow(/spec\.http\[0\]\.retries\.attempts: -1 is not a whole number/);
    expect(() => vs.addHttpRoute({ to: [Destination.to('bad host')] })).toThrow(/spec\.http\[0\]\.route\[0\]\.destination\.host: "bad host" is not a valid host/);
    const redirect = vs.addHttpRoute({ redirect: { uri: '/x' } });
    expect(() => redirect.to(api)).toThrow(/spec\.http\[0\]\.route: route #0 has redirect set and cannot also forward/);
  });

  test('a route that does nothing fails at synthesis', () => {
    const { chart, api } = setup();
    new VirtualService(chart, 'routes', { hosts: [api] }).addHttpRoute({ name: 'empty', match: [Match.prefix('/')] });
    expect(() => synthManifests(chart)).toThrow(/spec\.http\[0\]: route "empty" has no destination, redirect, direct response or delegate/);
  });
});

describe('TCP and TLS routes', () => {
  test('TCP route by port with a weighted split', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'db' });
    const mysql = new kplus.Service(chart, 'mysql', { metadata: { name: 'mysql' }, ports: [{ port: 3306, name: 'tcp-mysql' }] });
    const dr = new DestinationRule(chart, 'dr', { name: 'mysql', host: mysql });
    const primary = dr.addSubset('primary', { role: 'primary' });
    const replica = dr.addSubset('replica', { role: 'replica' });
    const vs = new VirtualService(chart, 'routes', { hosts: [mysql] });
    vs.addTcpRoute({ match: [{ port: 3306, sourceLabels: { app: 'reporting' }, destinationSubnets: ['10.0.0.0/16'] }] })
      .to(mysql, { subset: replica, weight: 70 })
      .to(mysql, { subset: primary, weight: 30 });
    const spec = vsSpec(chart);
    expect(spec.tcp).toEqual([{
      match: [{ port: 3306, sourceLabels: { app: 'reporting' }, destinationSubnets: ['10.0.0.0/16'] }],
      route: [
        { destination: { host: 'mysql.db.svc.cluster.local', subset: 'replica', port: { number: 3306 } }, weight: 70 },
        { destination: { host: 'mysql.db.svc.cluster.local', subset: 'primary', port: { number: 3306 } }, weight: 30 },
      ],
    }]);
    expect(() => vs.addTcpRoute({ match: [{ destinationSubnets: ['10.0.0.0/40'] }] })).toThrow(/\[c\/routes\] spec\.tcp\[1\]\.match\[0\]\.destinationSubnets\[0\]: "10\.0\.0\.0\/40" is not a CIDR block: the prefix length must be 0–32/);
    expect(() => vs.addTcpRoute({ match: [{ port: 0 }] })).toThrow(/spec\.tcp\[1\]\.match\[0\]\.port: 0 is not a port number/);
    const bad = vs.addTcpRoute({ to: [Destination.to(mysql, { subset: primary, weight: 50 })] });
    bad.to(mysql, { subset: replica, weight: 40 });
    expect(() => synthManifests(chart)).toThrow(/spec\.tcp\[1\]\.route: route #1 splits 50 \+ 40 = 90%, not 100/);
  });

  test('TLS route by SNI, which must be one of the hosts', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'edge' });
    const vs = new VirtualService(chart, 'routes', { hosts: ['*.example.com'], gateways: ['istio-system/passthrough'] });
    vs.addTlsRoute({ match: [{ sniHosts: ['a.example.com'], port: 443 }], to: [Destination.to('a.backend.svc.cluster.local', { port: 8443 })] });
    expect(vsSpec(chart).tls).toEqual([{
      match: [{ sniHosts: ['a.example.com'], port: 443 }],
      route: [{ destination: { host: 'a.backend.svc.cluster.local', port: { number: 8443 } } }],
    }]);
    expect(() => vs.addTlsRoute({ match: [{ sniHosts: ['other.org'] }] })).toThrow(/\[c\/routes\] spec\.tls\[1\]\.match\[0\]\.sniHosts\[0\]: "other\.org" is not one of the VirtualService's hosts/);
    expect(() => vs.addTlsRoute({ match: [] })).toThrow(/spec\.tls\[1\]\.match: a TLS route needs at least one match/);
    expect(() => vs.addTlsRoute({ match: [{ sniHosts: [] }] })).toThrow(/spec\.tls\[1\]\.match\[0\]\.sniHosts: is empty/);
    expect(() => vs.addTlsRoute({ match: [{ sniHosts: ['b.example.com'] }], to: [Destination.to('b.example.com', { headers: {} })] }))
      .toThrow(/spec\.tls\[1\]\.route\[0\]\.destination\.headers: header operations apply only to HTTP route destinations/);
  });
});
