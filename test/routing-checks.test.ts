/**
 * The routing checks, each with a failing and a passing case. Objects are written with L1 (or
 * raw ApiObjects) on purpose: the checks read manifests, whatever wrote them.
 */
import { ApiObject } from 'cdk8s';
import {
  ClientTls, Destination, DestinationRule, Finding, findings, IstioChart, l1, Match, MeshContext, suppress, testApp, VirtualService,
} from '../src';
import { portNameHasProtocol } from '../src/analysis/checks/service';
import { CKI3001, CKI3002, CKI3003 } from '../src/analysis/checks/virtual-service';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function chart(ns = 'shop') {
  return new IstioChart(testApp(), 'c', { namespace: ns });
}

function vs(scope: IstioChart, name: string, spec: Json, namespace?: string) {
  return new l1.VirtualService(scope, name, { metadata: { name, namespace }, spec: spec as l1.VirtualServiceSpec });
}

function gateway(scope: IstioChart, name: string, hosts: string[], namespace?: string) {
  MeshContext.of(scope).declareExternalGatewayWorkload({ constructPath: 'test', labels: { istio: 'ingressgateway' }, servicePorts: [80, 443] });
  return new l1.Gateway(scope, `gw-${name}-${namespace ?? ''}`, {
    metadata: { name, namespace },
    spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts }] },
  });
}

function dr(scope: IstioChart, name: string, host: string, subsets: string[], namespace?: string) {
  return new l1.DestinationRule(scope, `dr-${name}`, {
    metadata: { name, namespace },
    spec: { host, subsets: subsets.map((s) => ({ name: s, labels: { version: s } })) },
  });
}

const route = (host: string, subset?: string) => ({ route: [{ destination: { host, subset } }] });

function only(c: IstioChart, code: string): Finding[] {
  return findings(c).filter((f) => f.code === code);
}

describe('IST0101: VirtualService gateway not found', () => {
  test('a gateway neither in the app nor declared external is an error', () => {
    const c = chart();
    vs(c, 'routes', { hosts: ['shop.example.com'], gateways: ['missing-gateway', 'mesh'], http: [route('api')] });
    expect(only(c, 'IST0101')).toEqual([expect.objectContaining({
      severity: 'error',
      constructPath: 'c/routes',
      object: 'VirtualService shop/routes',
      field: 'spec.gateways[0]',
      message: expect.stringContaining('gateway "missing-gateway" is neither a Gateway of the app nor declared external'),
      fix: expect.stringContaining('shop/missing-gateway'),
    })]);
  });

  test('match-level gateways are checked too', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'routes', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ gateways: ['other/gw'] }], ...route('api') }, route('api')] });
    expect(only(c, 'IST0101').map((f) => f.field)).toEqual(['spec.http[0].match[0].gateways[0]']);
  });

  test('a short name resolves in the VirtualService namespace; mesh and declared external gateways are fine', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    MeshContext.of(c).declareExternalGateway('istio-system/shared');
    vs(c, 'routes', { hosts: ['shop.example.com'], gateways: ['gw', 'shop/gw', 'mesh', 'istio-system/shared'], http: [route('api')] });
    expect(only(c, 'IST0101')).toEqual([]);
  });

  test('a short name does not find a Gateway of another namespace', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com'], 'edge');
    vs(c, 'routes', { hosts: ['shop.example.com'], gateways: ['gw'], http: [route('api')] });
    expect(only(c, 'IST0101').map((f) => f.field)).toEqual(['spec.gateways[0]']);
  });
});

describe('IST0101: subset not defined by any DestinationRule for the host', () => {
  test('an undefined subset, a subset of a host without any rule, and a mirror subset are errors', () => {
    const c = chart();
    dr(c, 'reviews', 'reviews', ['v1', 'v2']);
    vs(c, 'routes', {
      hosts: ['reviews'],
      http: [
        { match: [{ uri: { prefix: '/a' } }], ...route('reviews', 'v3'), mirror: { host: 'reviews', subset: 'v4' } },
        route('ratings', 'v1'),
      ],
      tcp: [route('reviews.shop.svc.cluster.local', 'v5')],
    });
    const found = only(c, 'IST0101');
    expect(found.map((f) => [f.field, f.severity])).toEqual([
      ['spec.http[0].mirror.subset', 'error'],
      ['spec.http[0].route[0].destination.subset', 'error'],
      ['spec.http[1].route[0].destination.subset', 'error'],
      ['spec.tcp[0].route[0].destination.subset', 'error'],
    ]);
    expect(found[1].message).toBe('route subset "v3" of host reviews.shop.svc.cluster.local is not defined by any DestinationRule for that host');
    expect(found[2].message).toContain('no DestinationRule in the app is for that host');
    expect(found[0].message).toContain('mirror subset "v4"');
  });

  test('short and fully qualified hosts meet; wildcard rules count; routes without subsets are fine', () => {
    const c = chart();
    dr(c, 'reviews', 'reviews.shop.svc.cluster.local', ['v1']);
    dr(c, 'ratings', 'ratings', ['v1'], 'other');
    dr(c, 'ext', '*.example.com', ['eu']);
    vs(c, 'routes', {
      hosts: ['reviews'],
      http: [
        { match: [{ uri: { prefix: '/a' } }], ...route('reviews', 'v1') },
        { match: [{ uri: { prefix: '/b' } }], ...route('ratings.other.svc.cluster.local', 'v1') },
        { match: [{ uri: { prefix: '/c' } }], ...route('api.example.com', 'eu') },
        route('details'),
      ],
    });
    expect(only(c, 'IST0101')).toEqual([]);
  });

  test('a short host in another namespace than the rule is not the same host', () => {
    const c = chart();
    dr(c, 'ratings', 'ratings', ['v1'], 'other');
    vs(c, 'routes', { hosts: ['ratings'], http: [route('ratings', 'v1')] });
    expect(only(c, 'IST0101').map((f) => f.field)).toEqual(['spec.http[0].route[0].destination.subset']);
  });
});

describe('IST0132: VirtualService host not on its Gateway', () => {
  test('a gateway that serves none of the hosts', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'routes', { hosts: ['other.example.com'], gateways: ['gw'], http: [route('api')] });
    expect(only(c, 'IST0132')).toEqual([expect.objectContaining({
      severity: 'warning',
      field: 'spec.gateways[0]',
      message: expect.stringContaining('none of the hosts (other.example.com) is served by Gateway shop/gw'),
    })]);
  });

  test('one host of a gateway-only VirtualService missing from its gateways', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'routes', { hosts: ['shop.example.com', 'api.example.com'], gateways: ['gw'], http: [route('api')] });
    expect(only(c, 'IST0132').map((f) => f.field)).toEqual(['spec.hosts[1]']);
  });

  test('a namespace-scoped gateway host for another namespace does not serve the VirtualService', () => {
    const c = chart();
    gateway(c, 'gw', ['payments/shop.example.com'], 'edge');
    vs(c, 'routes', { hosts: ['shop.example.com'], gateways: ['edge/gw'], http: [route('api')] });
    expect(only(c, 'IST0132').map((f) => f.field)).toEqual(['spec.gateways[0]']);
  });

  test('exact, wildcard, namespace/host and ./host gateway hosts serve the VirtualService', () => {
    const c = chart();
    gateway(c, 'exact', ['shop.example.com']);
    gateway(c, 'wild', ['*.example.com']);
    gateway(c, 'scoped', ['shop/shop.example.com'], 'edge');
    gateway(c, 'dot', ['./shop.example.com']);
    gateway(c, 'any', ['*/*']);
    vs(c, 'routes', { hosts: ['shop.example.com'], gateways: ['exact', 'wild', 'edge/scoped', 'dot', 'any'], http: [route('api')] });
    // External gateways are not checked: their hosts are unknown.
    MeshContext.of(c).declareExternalGateway('istio-system/shared');
    vs(c, 'external', { hosts: ['x.example.org'], gateways: ['istio-system/shared'], http: [route('api')] });
    expect(only(c, 'IST0132')).toEqual([]);
  });
});

describe('IST0109: several mesh-bound VirtualServices for one host', () => {
  test('two mesh VirtualServices claiming the same host, written short and qualified', () => {
    const c = chart();
    vs(c, 'a', { hosts: ['reviews'], http: [route('reviews')] });
    vs(c, 'b', { hosts: ['reviews.shop.svc.cluster.local'], gateways: ['mesh'], http: [route('reviews')] });
    const found = only(c, 'IST0109');
    expect(found.map((f) => [f.constructPath, f.field, f.severity])).toEqual([
      ['c/a', 'spec.hosts[0]', 'error'],
      ['c/b', 'spec.hosts[0]', 'error'],
    ]);
    expect(found[0].message).toContain('host reviews.shop.svc.cluster.local is also claimed on the mesh by shop/b');
  });

  test('gateway-only VirtualServices and disjoint exportTo scopes do not conflict', () => {
    const c = chart();
    gateway(c, 'gw', ['*']);
    vs(c, 'mesh', { hosts: ['reviews.shop.svc.cluster.local'], http: [route('reviews')] });
    vs(c, 'edge', { hosts: ['reviews.shop.svc.cluster.local'], gateways: ['gw'], http: [route('reviews')] });
    vs(c, 'x', { hosts: ['api.example.com'], exportTo: ['.'], http: [route('api.example.com')] }, 'team-a');
    vs(c, 'y', { hosts: ['api.example.com'], exportTo: ['.'], http: [route('api.example.com')] }, 'team-b');
    expect(only(c, 'IST0109')).toEqual([]);
  });
});

describe('IST0130 / IST0131: unreachable routes and duplicate matches', () => {
  test('routes after a catch-all are unreachable', () => {
    const c = chart();
    vs(c, 'routes', {
      hosts: ['api'],
      http: [{ name: 'all', match: [{ uri: { prefix: '/' } }], ...route('api') }, { name: 'v2', match: [{ uri: { prefix: '/v2' } }], ...route('api') }, route('api')],
    });
    const found = only(c, 'IST0130');
    expect(found.map((f) => [f.field, f.severity])).toEqual([['spec.http[1]', 'warning'], ['spec.http[2]', 'warning']]);
    expect(found[0].message).toBe('route "v2" (spec.http[1]) is never used: route "all" (spec.http[0]) before it matches every request');
  });

  test('a route without match that is not last makes the rest unreachable', () => {
    const c = chart();
    vs(c, 'routes', { hosts: ['api'], http: [route('api'), { match: [{ headers: { 'end-user': { exact: 'jason' } } }], ...route('api') }] });
    expect(only(c, 'IST0130').map((f) => f.field)).toEqual(['spec.http[1]']);
  });

  test('duplicate matches: IST0131 per match, IST0130 when all of a route\'s matches are taken', () => {
    const c = chart();
    vs(c, 'routes', {
      hosts: ['api'],
      http: [
        { match: [{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }], ...route('api') },
        { match: [{ name: 'again', uri: { prefix: '/a' } }, { uri: { prefix: '/c' } }], ...route('api') },
        { match: [{ uri: { prefix: '/b' } }], ...route('api') },
        route('api'),
      ],
    });
    expect(only(c, 'IST0131').map((f) => [f.field, f.severity])).toEqual([['spec.http[1].match[0]', 'info'], ['spec.http[2].match[0]', 'info']]);
    expect(only(c, 'IST0130').map((f) => f.field)).toEqual(['spec.http[2]']);
  });

  test('routes from most to least specific, ending with a catch-all, are fine', () => {
    const c = chart();
    vs(c, 'routes', {
      hosts: ['api'],
      http: [
        { match: [{ uri: { prefix: '/' }, headers: { 'end-user': { exact: 'jason' } } }], ...route('api') },
        { match: [{ uri: { prefix: '/api/v2' } }], ...route('api') },
        { match: [{ uri: { prefix: '/' }, gateways: ['mesh'] }], ...route('api') },
        { match: [{ uri: { prefix: '/' } }], ...route('api') },
      ],
    });
    expect(only(c, 'IST0130')).toEqual([]);
    expect(only(c, 'IST0131')).toEqual([]);
  });

  test('the L2 VirtualService is checked the same way', () => {
    const c = chart();
    const v = new VirtualService(c, 'l2', { hosts: ['api'] });
    v.addHttpRoute({ to: [Destination.to('api')] });
    v.addHttpRoute({ match: [Match.prefix('/late')], to: [Destination.to('api')] });
    expect(only(c, 'IST0130').map((f) => [f.constructPath, f.field])).toEqual([['c/l2/Resource', 'spec.http[1]']]);
  });
});

describe('IST0140: subsets on the mesh, none on the gateway', () => {
  test('a gateway route without subset for a host routed by subsets on the mesh', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    dr(c, 'reviews', 'reviews', ['v1', 'v2']);
    vs(c, 'mesh', { hosts: ['reviews'], http: [route('reviews', 'v1')] });
    vs(c, 'edge', { hosts: ['shop.example.com'], gateways: ['gw'], http: [route('reviews.shop.svc.cluster.local')] });
    expect(only(c, 'IST0140')).toEqual([expect.objectContaining({
      severity: 'warning',
      constructPath: 'c/edge',
      field: 'spec.http[0].route[0].destination',
      message: expect.stringContaining('reviews.shop.svc.cluster.local is routed to subsets on the mesh (VirtualService shop/mesh)'),
    })]);
  });

  test('the gateway route naming a subset, or a host without mesh subsets, is fine', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    dr(c, 'reviews', 'reviews', ['v1', 'v2']);
    vs(c, 'mesh', { hosts: ['reviews'], http: [route('reviews', 'v1')] });
    vs(c, 'edge', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/r' } }], ...route('reviews', 'v2') }, route('details')] });
    expect(only(c, 'IST0140')).toEqual([]);
  });
});

describe('CKI3001 / CKI3002: colliding paths on one gateway host across VirtualServices', () => {
  test('the same prefix in two VirtualServices on the same gateway and host is an error on both', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'team-a', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('a') }] });
    vs(c, 'team-b', { hosts: ['shop.example.com'], gateways: ['shop/gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('b') }] });
    const found = only(c, CKI3001.code);
    expect(found.map((f) => [f.constructPath, f.field, f.severity])).toEqual([
      ['c/team-a', 'spec.http[0].match[0].uri', 'error'],
      ['c/team-b', 'spec.http[0].match[0].uri', 'error'],
    ]);
    expect(found[0].message).toContain('prefix /api is also routed by VirtualService shop/team-b on gateway shop/gw for host shop.example.com');
  });

  test('two catch-all routes for the same gateway host collide', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'a', { hosts: ['shop.example.com'], gateways: ['gw'], http: [route('a')] });
    vs(c, 'b', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/' } }], ...route('b') }] });
    expect(only(c, CKI3001.code).map((f) => f.field)).toEqual(['spec.http[0]', 'spec.http[0].match[0].uri']);
  });

  test('a nested prefix is a warning on the VirtualService whose path may be shadowed', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'team-a', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('a') }] });
    vs(c, 'team-b', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api/v2' } }, { uri: { exact: '/api' } }], ...route('b') }] });
    const found = only(c, CKI3002.code);
    expect(found.map((f) => [f.constructPath, f.field, f.severity])).toEqual([
      ['c/team-b', 'spec.http[0].match[0].uri', 'warning'],
      ['c/team-b', 'spec.http[0].match[1].uri', 'warning'],
    ]);
    expect(found[0].message).toContain('prefix /api/v2 lies under prefix /api of VirtualService shop/team-a');
    expect(only(c, CKI3001.code)).toEqual([]);
  });

  test('different hosts, different gateways, other conditions, the mesh, and one VirtualService are fine', () => {
    const c = chart();
    gateway(c, 'gw', ['*.example.com']);
    gateway(c, 'gw2', ['shop.example.com']);
    vs(c, 'a', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('a') }] });
    vs(c, 'b', { hosts: ['admin.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('b') }] });
    vs(c, 'c', { hosts: ['shop.example.com'], gateways: ['gw2'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('c') }] });
    vs(c, 'd', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' }, headers: { 'x-beta': { exact: '1' } } }], ...route('d') }] });
    vs(c, 'e', { hosts: ['reviews'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('e') }] });
    vs(c, 'f', { hosts: ['other.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api/v2' } }], ...route('f') }, { match: [{ uri: { prefix: '/api' } }], ...route('f') }] });
    expect(only(c, CKI3001.code)).toEqual([]);
    expect(only(c, CKI3002.code)).toEqual([]);
  });

  test('a scoped gateway host (./host) admits only its own namespace: a VirtualService elsewhere takes no paths and collides with none', () => {
    const c = chart();
    gateway(c, 'gw', ['./shop.example.com']);
    vs(c, 'own', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('a') }] });
    vs(c, 'intruder', { hosts: ['shop.example.com'], gateways: ['shop/gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('b') }] }, 'other');
    expect(only(c, CKI3001.code)).toEqual([]);
    expect(only(c, 'IST0132').map((f) => f.object)).toEqual(['VirtualService other/intruder']);
    // The same two in the Gateway's namespace do collide.
    vs(c, 'neighbour', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('b') }] });
    expect(only(c, CKI3001.code).map((f) => f.object)).toEqual(['VirtualService shop/neighbour', 'VirtualService shop/own']);
  });

  test('a finding can be suppressed with a reason', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'a', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api' } }], ...route('a') }] });
    const b = vs(c, 'b', { hosts: ['shop.example.com'], gateways: ['gw'], http: [{ match: [{ uri: { prefix: '/api/v2' } }], ...route('b') }] });
    suppress(b, CKI3002.code, 'team-a\'s VirtualService is applied after ours by the pipeline');
    expect(only(c, CKI3002.code)).toEqual([]);
  });
});

describe('CKI3003: delegation Istio does not follow', () => {
  test('a delegate that delegates, a route delegating to its own VirtualService, and a delegate target with hosts', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'root', { hosts: ['shop.example.com'], gateways: ['gw'], http: [
      { match: [{ uri: { prefix: '/a' } }], delegate: { name: 'child' } },
      { match: [{ uri: { prefix: '/b' } }], delegate: { name: 'root', namespace: 'shop' } },
      { match: [{ uri: { prefix: '/c' } }], delegate: { name: 'plain' } },
    ] });
    vs(c, 'child', { http: [{ delegate: { name: 'grandchild' } }] });
    vs(c, 'grandchild', { http: [route('a')] });
    vs(c, 'plain', { hosts: ['plain'], http: [route('p')] });
    const found = only(c, CKI3003.code);
    expect(found.map((f) => [f.object, f.field, f.severity])).toEqual([
      ['VirtualService shop/child', 'spec.http[0].delegate', 'error'],
      ['VirtualService shop/root', 'spec.http[1].delegate', 'error'],
      ['VirtualService shop/root', 'spec.http[2].delegate', 'error'],
    ]);
    expect(found[1].message).toBe('the route delegates to its own VirtualService; Istio drops the route');
    expect(found[2].message).toMatch(/^shop\/plain lists hosts, so Istio does not take it as a delegate/);
  });

  test('one level to a host-less VirtualService, or to one outside the app, is fine', () => {
    const c = chart();
    gateway(c, 'gw', ['shop.example.com']);
    vs(c, 'root', { hosts: ['shop.example.com'], gateways: ['gw'], http: [
      { match: [{ uri: { prefix: '/a' } }], delegate: { name: 'child' } },
      { match: [{ uri: { prefix: '/b' } }], delegate: { name: 'elsewhere', namespace: 'team' } },
    ] });
    vs(c, 'child', { http: [route('a')] });
    expect(only(c, CKI3003.code)).toEqual([]);
  });
});

describe('IST0128: DestinationRule TLS without CA certificates', () => {
  test('SIMPLE and MUTUAL without caCertificates or credentialName warn, at every level', () => {
    const c = chart();
    new l1.DestinationRule(c, 'ext', {
      metadata: { name: 'ext' },
      spec: {
        host: 'api.example.com',
        trafficPolicy: {
          tls: { mode: l1.DestinationRuleSpecTrafficPolicyTlsMode.SIMPLE },
          portLevelSettings: [{ port: { number: 8443 }, tls: { mode: l1.DestinationRuleSpecTrafficPolicyPortLevelSettingsTlsMode.MUTUAL, clientCertificate: '/c.pem', privateKey: '/k.pem' } }],
        },
        subsets: [{ name: 'eu', labels: { region: 'eu' }, trafficPolicy: { tls: { mode: l1.DestinationRuleSpecSubsetsTrafficPolicyTlsMode.SIMPLE } } }],
      },
    });
    const found = only(c, 'IST0128');
    expect(found.map((f) => [f.field, f.severity])).toEqual([
      ['spec.subsets[0].trafficPolicy.tls', 'warning'],
      ['spec.trafficPolicy.portLevelSettings[0].tls', 'warning'],
      ['spec.trafficPolicy.tls', 'warning'],
    ]);
    expect(found[2].message).toContain('TLS mode SIMPLE for api.example.com sets neither caCertificates nor credentialName');
  });

  test('caCertificates, credentialName, ISTIO_MUTUAL and unset TLS are fine', () => {
    const c = chart();
    new DestinationRule(c, 'a', { host: 'a.example.com', trafficPolicy: { tls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }) } });
    new DestinationRule(c, 'b', { host: 'b.example.com', trafficPolicy: { tls: ClientTls.mutual({ credentialName: 'b-client' }) } });
    new DestinationRule(c, 'c', { host: 'c', trafficPolicy: { tls: ClientTls.istioMutual() } });
    new DestinationRule(c, 'd', { host: 'd' });
    expect(only(c, 'IST0128')).toEqual([]);
  });
});

describe('IST0118: Service port names without a protocol', () => {
  function service(c: IstioChart, name: string, ports: Json[], namespace?: string) {
    new ApiObject(c, `svc-${name}-${namespace ?? ''}`, { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, spec: { ports } });
  }

  test('names without a protocol prefix, and unnamed ports, are reported as info', () => {
    const c = chart();
    service(c, 'web', [{ name: 'web', port: 80 }, { port: 9090 }]);
    const found = only(c, 'IST0118');
    expect(found.map((f) => [f.field, f.severity])).toEqual([['spec.ports[0].name', 'info'], ['spec.ports[1].name', 'info']]);
    expect(found[0].message).toContain('port 80 is named "web"');
  });

  test('<protocol>[-suffix] names, appProtocol, UDP and system namespaces are fine', () => {
    const c = chart();
    service(c, 'ok', [
      { name: 'http', port: 80 }, { name: 'http-web', port: 81 }, { name: 'grpc-web-api', port: 82 }, { name: 'HTTPS', port: 443 },
      { name: 'tcp-db', port: 5432 }, { name: 'metrics', port: 9090, appProtocol: 'http' }, { name: 'dns', port: 53, protocol: 'UDP' },
    ]);
    service(c, 'dns', [{ name: 'dns', port: 53 }], 'kube-system');
    // Istio's gateway chart names the proxy's health port this way; the proxy answers it itself.
    service(c, 'gateway', [{ name: 'status-port', port: 15021 }, { name: 'http2', port: 80 }]);
    expect(only(c, 'IST0118')).toEqual([]);
    expect(['http2', 'tls-passthrough', 'mongo', 'redis-cache', 'mysql'].every(portNameHasProtocol)).toBe(true);
    expect(['web', 'httpx', 'grpcweb', ''].some(portNameHasProtocol)).toBe(false);
  });
});
