import * as kplus from 'cdk8s-plus-28';
import { CKI5001, CKI5002, CKI5003, CKI5004, CKI5005 } from '../src/analysis/checks/ambient';
import { ZeroTrustNamespace } from '../src/patterns/zero-trust-namespace';
import { Waypoint } from '../src/waypoint';
import { buildFromValues } from '../src/patterns/values';
import { Finding } from '../src/analysis/finding';
import { AuthorizationPolicy, PolicyAction } from '../src/authorization-policy';
import { Operation, Source, Condition } from '../src/authorization-rule';
import { DestinationRule } from '../src/destination-rule';
import { InjectionMode } from '../src/injection';
import { IstioChart } from '../src/istio-chart';
import { MeshContext } from '../src/mesh-context';
import { MeshNamespace } from '../src/mesh-namespace';
import { MeshWorkload } from '../src/mesh-workload';
import { PolicyTargetRef } from '../src/policy-scope';
import { Destination } from '../src/route-destination';
import { findings, synthManifests, testApp } from '../src/testing';
import { VirtualService } from '../src/virtual-service';
import { KubernetesHttpRoute } from '../src/kubernetes-http-route';
import { RouteBackend, RouteParent } from '../src/route-parts';

function chart(labels: Record<string, string> = {}): IstioChart {
  const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new MeshNamespace(c, 'ns', { name: 'shop', injection: InjectionMode.ambient(), labels });
  MeshContext.of(c).declareExternalNamespace('ops');
  return c;
}

function only(c: IstioChart, code: string): Finding[] {
  return findings(c).filter((f) => f.code === code);
}

function service(c: IstioChart, labels: Record<string, string> = {}): kplus.Service {
  return new kplus.Service(c, 'reviews-svc', { metadata: { name: 'reviews', labels }, ports: [{ port: 9080, name: 'http' }], selector: kplus.Pods.select(c, 'sel', { labels: { app: 'reviews' } }) });
}

function subsetSplit(c: IstioChart, reviews: kplus.Service): void {
  const dr = new DestinationRule(c, 'dr', { name: 'reviews', host: reviews });
  const v1 = dr.addSubset('v1', { version: 'v1' });
  const v2 = dr.addSubset('v2', { version: 'v2' });
  new VirtualService(c, 'vs', { name: 'reviews', hosts: [reviews], http: [{ to: [Destination.to(v1, { weight: 90 }), Destination.to(v2, { weight: 10 })] }] });
}

describe('CKI5001: mesh routes for an ambient Service without a waypoint', () => {
  test('a subset split on the mesh is reported on the VirtualService host', () => {
    const c = chart();
    subsetSplit(c, service(c));
    const found = only(c, CKI5001.code);
    expect(found.map((f) => [f.object, f.field, f.severity])).toEqual([['VirtualService shop/reviews', 'spec.hosts[0]', 'warning']]);
    expect(found[0].message).toMatch(/^reviews\.shop\.svc\.cluster\.local is Service shop\/reviews in ambient namespace shop, which has no waypoint: .*ztunnel, which ignores VirtualServices and DestinationRules, so these routes and their subset split apply only to gateway and sidecar clients$/);
  });

  test('a waypoint on the namespace or the Service, a sidecar namespace, or a Service outside the app say nothing', () => {
    const onNamespace = chart({ 'istio.io/use-waypoint': 'waypoint' });
    subsetSplit(onNamespace, service(onNamespace));
    expect(only(onNamespace, CKI5001.code)).toEqual([]);

    const onService = chart();
    subsetSplit(onService, service(onService, { 'istio.io/use-waypoint': 'reviews-waypoint' }));
    expect(only(onService, CKI5001.code)).toEqual([]);

    const sidecars = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new MeshNamespace(sidecars, 'ns', { name: 'shop', injection: InjectionMode.enabled() });
    subsetSplit(sidecars, service(sidecars));
    expect(only(sidecars, CKI5001.code)).toEqual([]);

    const unknown = chart();
    new VirtualService(unknown, 'vs', { hosts: ['ratings.shop.svc.cluster.local'], http: [{ to: [Destination.to({ host: 'ratings.shop.svc.cluster.local', port: 9080 })] }] });
    expect(only(unknown, CKI5001.code)).toEqual([]);
  });
});

describe('CKI5001 for Gateway API mesh routes (a Service as parent)', () => {
  const split = (c: IstioChart, reviews: kplus.Service) => new KubernetesHttpRoute(c, 'route', {
    name: 'reviews', parents: [RouteParent.service(c, reviews)],
    rules: [{ backends: [RouteBackend.to(reviews, { weight: 90 }), RouteBackend.to('reviews-v2', { port: 9080, weight: 10 })] }],
  });

  test('an HTTPRoute on a Service of an ambient namespace without a waypoint applies to sidecar clients only', () => {
    const c = chart();
    split(c, service(c));
    const found = only(c, CKI5001.code);
    expect(found.map((f) => [f.object, f.field, f.severity])).toEqual([['HTTPRoute shop/reviews', 'spec.parentRefs[0]', 'warning']]);
    expect(found[0].message).toMatch(/Service shop\/reviews in ambient namespace shop, which has no waypoint: ztunnel carries its traffic and applies no HTTP routes/);
  });

  test('with a waypoint the namespace uses, the route is the waypoint\'s and passes', () => {
    const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
    new Waypoint(c, 'wp', { namespace: 'shop' });
    split(c, service(c));
    expect(findings(c).filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('CKI5002: AuthorizationPolicy that ztunnel enforces differently', () => {
  const reviews = MeshWorkload.fromLabels('shop', { app: 'reviews' }, { serviceAccountName: 'reviews' });

  test('an ALLOW rule with HTTP attributes is dropped (an error); a DENY loses them (a warning)', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'allow-get', { selector: reviews, rules: [
      { from: [Source.namespaces('ops')], to: [Operation.methods('GET'), Operation.paths('/reviews/*')] },
      { from: [Source.namespaces('ops')] },
    ] });
    new AuthorizationPolicy(c, 'deny-admin', { selector: reviews, action: PolicyAction.DENY, rules: [{ to: [Operation.paths('/admin')], when: [Condition.requestHeader('x-debug', ['1'])] }] });
    const found = only(c, CKI5002.code);
    expect(found.map((f) => [f.object, f.field, f.severity])).toEqual([
      ['AuthorizationPolicy shop/allow-get', 'spec.rules[0].to[0].operation.methods', 'error'],
      ['AuthorizationPolicy shop/deny-admin', 'spec.rules[0].to[0].operation.paths', 'warning'],
    ]);
    expect(found[0].message).toBe('namespace shop is ambient and the policy has a selector, so ztunnel drops rule 0 for its HTTP attributes (methods, paths): the traffic it was to allow is denied');
    expect(found[1].message).toMatch(/enforces it without its HTTP attributes \(paths, key\): rule 0 denies more than written$/);
  });

  test('CUSTOM is not enforced by ztunnel at all', () => {
    const c = chart();
    MeshContext.of(c).declareInstall({ extensionProviders: ['oauth2-proxy'] });
    new AuthorizationPolicy(c, 'ext', { selector: reviews, action: PolicyAction.custom('oauth2-proxy'), rules: [{ to: [Operation.paths('/admin/*')] }] });
    expect(only(c, CKI5002.code).map((f) => [f.field, f.severity])).toEqual([['spec.action', 'error']]);
  });

  test('L4-only rules, targetRefs (a waypoint enforces them) and sidecar namespaces are fine', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'l4', { selector: reviews, rules: [{ from: [Source.namespaces('ops')], to: [Operation.ports(9080)], when: [Condition.sourceNamespace('ops')] }] });
    new AuthorizationPolicy(c, 'l7-on-waypoint', { targetRefs: [PolicyTargetRef.service('reviews')], rules: [{ to: [Operation.methods('GET')] }] });
    expect(only(c, CKI5002.code)).toEqual([]);

    const sidecars = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new MeshNamespace(sidecars, 'ns', { name: 'shop', injection: InjectionMode.enabled() });
    new AuthorizationPolicy(sidecars, 'allow-get', { selector: reviews, rules: [{ to: [Operation.methods('GET')] }] });
    expect(only(sidecars, CKI5002.code)).toEqual([]);
  });
});

describe('Waypoint and istio.io/use-waypoint', () => {
  test('a Waypoint is a Gateway of class istio-waypoint with the HBONE listener; the namespace points at it', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const ns = new MeshNamespace(c, 'ns', { name: 'shop', injection: InjectionMode.ambient(), useWaypoint: 'waypoint' });
    // Given the namespace object, the waypoint is applied after it.
    new Waypoint(c, 'wp', { namespace: ns });
    const manifests = synthManifests(c);
    expect(manifests.map((m) => m.kind)).toEqual(['Namespace', 'Gateway']);
    expect(manifests[0].metadata).toEqual({ name: 'shop', labels: { 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' } });
    expect(manifests[1]).toEqual({
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: { name: 'waypoint', namespace: 'shop', labels: { 'istio.io/waypoint-for': 'service' } },
      spec: { gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] },
    });
    expect(findings(c).filter((f) => f.code.startsWith('CKI500'))).toEqual([]);
  });

  test('a waypoint in another namespace is named with istio.io/use-waypoint-namespace', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const waypointNs = new MeshNamespace(c, 'wp-ns', { name: 'mesh-waypoints' });
    const shared = new Waypoint(c, 'wp', { namespace: waypointNs, name: 'shared' });
    new MeshNamespace(c, 'ns', { name: 'shop', injection: InjectionMode.ambient(), useWaypoint: shared });
    expect((synthManifests(c).find((m) => (m.metadata as { name: string }).name === 'shop')!.metadata as { labels: unknown }).labels)
      .toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'shared', 'istio.io/use-waypoint-namespace': 'mesh-waypoints' });
    expect(findings(c).filter((f) => f.code === CKI5003.code)).toEqual([]);
  });

  test('CKI5003: a use-waypoint label naming a waypoint the app does not have; CKI5004: on a namespace that is not ambient', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new MeshNamespace(c, 'ns', { name: 'shop', injection: InjectionMode.ambient(), useWaypoint: 'missing' });
    new MeshNamespace(c, 'sidecars', { name: 'legacy', injection: InjectionMode.enabled(), useWaypoint: 'waypoint' });
    new Waypoint(c, 'wp', { namespace: 'legacy' });
    const f = findings(c).filter((x) => x.code.startsWith('CKI500'));
    expect(f.map((x) => [x.code, x.object, x.severity])).toEqual([
      [CKI5003.code, 'Namespace shop', 'error'],
      [CKI5004.code, 'Namespace legacy', 'warning'],
    ]);
    expect(f[0].message).toMatch(/^no waypoint shop\/missing \(a Gateway of class istio-waypoint\) is in the app/);
  });

  test('with a waypoint, mesh routes for the ambient namespace are no longer CKI5001', () => {
    const c = chart();
    subsetSplit(c, service(c));
    expect(only(c, CKI5001.code)).toHaveLength(1);
    const withWaypoint = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new MeshNamespace(withWaypoint, 'ns', { name: 'shop', injection: InjectionMode.ambient(), useWaypoint: new Waypoint(withWaypoint, 'wp', { namespace: 'shop' }) });
    MeshContext.of(withWaypoint).declareExternalNamespace('ops');
    subsetSplit(withWaypoint, service(withWaypoint));
    expect(only(withWaypoint, CKI5001.code)).toEqual([]);
  });
});

describe('waypoints in a values file', () => {
  test('an ambient namespace using a waypoint of the file: the Namespace first, no findings', () => {
    const chart = new IstioChart(testApp(), 'amb');
    buildFromValues(chart, { namespaces: [{ name: 'shop', injection: 'ambient', useWaypoint: 'waypoint' }], waypoints: [{ namespace: 'shop' }] });
    const manifests = synthManifests(chart);
    expect(manifests.map((m) => `${String(m.kind)}/${String((m.metadata as { name: string }).name)}`)).toEqual(['Namespace/shop', 'Gateway/waypoint']);
    expect(findings(chart).filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('CKI5005: ztunnel policies on pods behind a waypoint must admit the waypoint', () => {
  const reviews = MeshWorkload.fromLabels('shop', { app: 'reviews' }, { serviceAccountName: 'reviews' });

  test('an ALLOW for the callers alone refuses everything the waypoint forwards; admitting the waypoint passes', () => {
    const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
    new Waypoint(c, 'wp', { namespace: 'shop' });
    service(c);
    new AuthorizationPolicy(c, 'allow-ops', { name: 'allow-ops', selector: reviews, rules: [{ from: [Source.namespaces('ops')] }] });
    const found = only(c, CKI5005.code);
    expect(found.map((f) => [f.object, f.severity])).toEqual([['Service shop/reviews', 'error']]);
    expect(found[0].message).toBe('Service shop/reviews uses waypoint shop/waypoint, whose traffic reaches the pods from cluster.local/ns/shop/sa/waypoint, and the ztunnel policies on them (allow-ops) admit no such identity: every request through the waypoint is refused');

    const ok = chart({ 'istio.io/use-waypoint': 'waypoint' });
    new Waypoint(ok, 'wp', { namespace: 'shop' });
    service(ok);
    new AuthorizationPolicy(ok, 'allow-ops', { name: 'allow-ops', selector: reviews, rules: [{ from: [Source.namespaces('ops')] }, { from: [Source.principals('cluster.local/ns/shop/sa/waypoint')] }] });
    expect(only(ok, CKI5005.code)).toEqual([]);
  });

  test('ZeroTrustNamespace with the waypoint: ztunnel admits it, the waypoint starts closed, east-west allows are attached to it', () => {
    const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
    const wp = new Waypoint(c, 'wp', { namespace: 'shop' });
    service(c);
    new ZeroTrustNamespace(c, 'zt', { namespace: 'shop', waypoint: wp, allowNamespaces: ['ops'], allowServiceAccounts: ['ops/debugger'] });
    const policies = Object.fromEntries(synthManifests(c).filter((o) => o.kind === 'AuthorizationPolicy').map((p) => [String((p.metadata as Record<string, unknown>).name), p.spec]));
    const attached = { targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] };
    expect(policies).toEqual({
      'allow-nothing': {},
      'allow-from-waypoint': { action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/waypoint'] } }] }] },
      'allow-nothing-at-waypoint': attached,
      'allow-from-namespaces': { ...attached, action: 'ALLOW', rules: [{ from: [{ source: { namespaces: ['ops'] } }] }] },
      'allow-from-service-accounts': { ...attached, action: 'ALLOW', rules: [{ from: [{ source: { principals: ['cluster.local/ns/ops/sa/debugger'] } }] }] },
    });
    expect(findings(c).filter((f) => f.severity !== 'info')).toEqual([]);
    // Without the waypoint prop, the same namespace would refuse the waypoint's traffic.
    const without = chart({ 'istio.io/use-waypoint': 'waypoint' });
    new Waypoint(without, 'wp', { namespace: 'shop' });
    service(without);
    new ZeroTrustNamespace(without, 'zt', { namespace: 'shop', allowNamespaces: ['ops'] });
    expect(only(without, CKI5005.code)).toHaveLength(1);
  });

  test('a waypoint of another namespace cannot carry this namespace\'s policies', () => {
    const c = chart();
    const wp = new Waypoint(c, 'wp', { namespace: 'mesh-waypoints', name: 'shared' });
    expect(() => new ZeroTrustNamespace(c, 'zt', { namespace: 'shop', waypoint: wp })).toThrow(/waypoint: waypoint mesh-waypoints\/shared is in another namespace/);
  });
});

describe('authorizationPolicies in a values file', () => {
  test('an L7 rule attached to a Service, and mistakes named by key', () => {
    const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
    buildFromValues(c, { waypoints: [{ namespace: 'shop' }], authorizationPolicies: [{ name: 'reviews-read', namespace: 'shop', targetServices: ['reviews'], rules: [{ fromServiceAccounts: ['shop/productpage'], methods: ['GET'], paths: ['/reviews/*'], ports: [9080] }] }] });
    const [p] = synthManifests(c).filter((o) => o.kind === 'AuthorizationPolicy');
    expect(p.spec).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: '', kind: 'Service', name: 'reviews' }],
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/productpage'] } }], to: [{ operation: { methods: ['GET'], paths: ['/reviews/*'], ports: ['9080'] } }] }],
    });
    expect(() => buildFromValues(chart(), { authorizationPolicies: [{ name: 'x', namespace: 'shop', selector: { app: 'a' }, targetServices: ['a'], rules: [{ fromServiceAccounts: ['nobody'] }] }] }))
      .toThrow(/selector: a policy either selects pods or attaches to Services or a waypoint, not both[\s\S]*rules\[0\]\.fromServiceAccounts\[0\]: "nobody" is not namespace\/serviceaccount/);
  });
});

describe('CKI4003: a policy attached to a Service the app does not know', () => {
  test('a misspelt targetServices entry is a warning with the likely name; the right name passes', () => {
    const build = (target: string) => {
      const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
      buildFromValues(c, {
        waypoints: [{ namespace: 'shop' }],
        exposedApplications: [{ name: 'shop', namespace: { name: 'shop', create: false }, hosts: ['shop.example.com'], api: 'gateway-api', frontend: { name: 'web', port: 8080 }, backends: [{ name: 'catalog', port: 8080, pathPrefix: 'api' }], gateway: { internal: true } }],
        authorizationPolicies: [{ name: 'catalog-read-only', namespace: 'shop', targetServices: [target], rules: [{ fromServiceAccounts: ['shop/web'], methods: ['GET'] }] }],
      });
      return findings(c).filter((f) => f.code === 'CKI4003').map((f) => [f.severity, f.field, f.message]);
    };
    expect(build('catalogue')).toEqual([['warning', 'spec.targetRefs[0].name', 'Service shop/catalogue is not one the app creates or routes to in shop (catalog, web); did you mean catalog?']]);
    expect(build('catalog')).toEqual([]);
  });
});

describe('from a review', () => {
  const reviews = MeshWorkload.fromLabels('shop', { app: 'reviews' }, { serviceAccountName: 'reviews' });

  test('CKI5005 reads principals and namespaces as Istio matches them: a *suffix admits the waypoint', () => {
    for (const from of [Source.principals('*/ns/shop/sa/waypoint'), Source.namespaces('sh*')]) {
      const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
      new Waypoint(c, 'wp', { namespace: 'shop' });
      service(c);
      new AuthorizationPolicy(c, 'p', { name: 'p', selector: reviews, rules: [{ from: [from] }] });
      expect(only(c, CKI5005.code)).toEqual([]);
    }
  });

  test('CKI4003 knows the parent Service of a mesh route', () => {
    const c = chart({ 'istio.io/use-waypoint': 'waypoint' });
    new Waypoint(c, 'wp', { namespace: 'shop' });
    const svc = service(c);
    new KubernetesHttpRoute(c, 'route', { name: 'reviews', parents: [RouteParent.service(c, svc)], rules: [{ backends: [RouteBackend.to('reviews-v1', { port: 9080 }), RouteBackend.to('reviews-v2', { port: 9080 })] }] });
    new AuthorizationPolicy(c, 'p', { name: 'p', targetRefs: [PolicyTargetRef.service('reviews')], rules: [{ from: [Source.namespaces('ops')] }] });
    expect(findings(c).filter((f) => f.code === 'CKI4003')).toEqual([]);
  });
});
