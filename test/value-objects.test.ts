import { Duration } from '../src/duration';
import { hostProblem, namespacedHostProblem, portProblem } from '../src/host';
import * as lib from '../src';
import { principalOf, ServiceRef } from '../src/references';

describe('Duration', () => {
  test.each([
    [Duration.seconds(5), '5s'],
    [Duration.millis(250), '250ms'],
    [Duration.minutes(2), '120s'],
    [Duration.hours(1), '3600s'],
    [Duration.millis(1500), '1500ms'],
    [Duration.parse('1m30s'), '90s'],
    [Duration.parse('1.5s'), '1500ms'],
    [Duration.parse('250ms'), '250ms'],
  ])('%o renders as %s', (d, text) => {
    expect(d.toIstio()).toBe(text);
  });

  test('below 1 ms is refused, naming the field', () => {
    expect(() => Duration.millis(0.5).toIstio({ path: 'app/vs', field: 'spec.http[0].timeout' }))
      .toThrow(/^\[app\/vs\] spec\.http\[0\]\.timeout: 0\.5 ms is below Istio's minimum of 1 ms/);
  });

  test('finer than a millisecond is refused: istiod accepts millisecond precision only', () => {
    expect(Duration.millis(1.5).problem()).toMatch(/finer than a millisecond/);
    expect(Duration.parse('1.0005s').problem()).toMatch(/finer than a millisecond/);
    expect(() => Duration.millis(1.5).toIstio()).toThrow(/1\.5 ms is finer than a millisecond/);
    expect(Duration.millis(1).problem()).toBeUndefined();
  });

  test('text that is not a duration is refused', () => {
    expect(() => Duration.parse('5')).toThrow(/"5" is not a duration/);
    expect(() => Duration.parse('5 s')).toThrow(/not a duration/);
    expect(() => Duration.parse('1d')).toThrow(/not a duration/);
    expect(() => Duration.seconds(-1)).toThrow(/non-negative/);
  });
});

describe('hosts and ports', () => {
  test.each(['reviews.default.svc.cluster.local', '*.example.com', 'example.com', '*'])('%s is a valid host', (h) => {
    expect(hostProblem(h)).toBeUndefined();
  });

  test.each([
    ['', /empty/],
    ['a..b', /empty label/],
    ['foo.*.com', /wildcard may only stand at the start/],
    ['under_score.com', /letters, digits and inner hyphens/],
    [`${'a'.repeat(64)}.com`, /longer than 63/],
  ])('%s is refused', (h, why) => {
    expect(hostProblem(h)).toMatch(why);
  });

  test('short names and * only where allowed', () => {
    expect(hostProblem('reviews')).toBeUndefined();
    expect(hostProblem('reviews', { allowShortNames: false })).toMatch(/short name is ambiguous/);
    expect(hostProblem('*', { allowWildcardAll: false })).toMatch(/not allowed here/);
  });

  test('namespace/host as Gateway and Sidecar hosts write it', () => {
    expect(namespacedHostProblem('istio-system/*.example.com')).toBeUndefined();
    expect(namespacedHostProblem('./reviews.default.svc.cluster.local')).toBeUndefined();
    expect(namespacedHostProblem('*/*')).toBeUndefined();
    expect(namespacedHostProblem('prod/reviews')).toMatch(/short name/);
    expect(namespacedHostProblem('Prod/x.example.com')).toMatch(/is not a namespace/);
  });

  test('ports', () => {
    expect(portProblem(443)).toBeUndefined();
    expect(portProblem(0)).toMatch(/not a port number/);
    expect(portProblem(70000)).toMatch(/1–65535/);
    expect(portProblem(80.5)).toMatch(/not a port number/);
  });
});

describe('references', () => {
  test('a Service by name is its cluster FQDN', () => {
    expect(ServiceRef.fromName('api', 'shop', { ports: [8080] })).toEqual({ host: 'api.shop.svc.cluster.local', serviceName: 'api', namespace: 'shop', ports: [8080] });
    expect(ServiceRef.fromHost('api.example.com')).toEqual({ host: 'api.example.com' });
  });

  test('SPIFFE principals', () => {
    expect(principalOf('istio-system', 'istio-ingressgateway')).toBe('cluster.local/ns/istio-system/sa/istio-ingressgateway');
    expect(principalOf('a', 'b', 'corp.example')).toBe('corp.example/ns/a/sa/b');
  });
});

describe('namespaces given as references', () => {
  test('constructs take a MeshNamespace wherever they take a namespace name', () => {
    const chart = new lib.IstioChart(lib.testApp(), 'c');
    const ns = new lib.MeshNamespace(chart, 'ns', { name: 'shop', injection: lib.InjectionMode.enabled() });
    const dr = new lib.DestinationRule(chart, 'dr', { namespace: ns, host: 'api' });
    new lib.VirtualService(chart, 'vs', { namespace: ns, hosts: ['api'] }).addHttpRoute({ to: [lib.Destination.to('api')] });
    new lib.PeerAuthentication(chart, 'pa', { namespace: ns });
    const manifests = lib.synthManifests(chart);
    expect(dr.namespace).toBe('shop');
    expect(manifests.filter((m) => m.kind !== 'Namespace').map((m) => (m.metadata as { namespace: string }).namespace)).toEqual(['shop', 'shop', 'shop']);
  });
});
