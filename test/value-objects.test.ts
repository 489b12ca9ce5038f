import { Duration } from 'cdk8s';
import { IstioDuration, renderDuration } from '../src/duration';
import { hostProblem, namespacedHostProblem, portProblem } from '../src/validation';
import * as lib from '../src';
import { principalOf, ServiceRef } from '../src/references';

describe('Duration', () => {
  test.each([
    [IstioDuration.seconds(5), '5s'],
    [IstioDuration.millis(250), '250ms'],
    [IstioDuration.minutes(2), '120s'],
    [IstioDuration.hours(1), '3600s'],
    [IstioDuration.millis(1500), '1500ms'],
    [IstioDuration.parse('1m30s'), '90s'],
    [IstioDuration.parse('1.5s'), '1500ms'],
    [IstioDuration.parse('250ms'), '250ms'],
    [Duration.seconds(5), '5s'],
    [Duration.millis(250), '250ms'],
    [Duration.minutes(2), '120s'],
  ])('%o renders as %s', (d, text) => {
    expect(renderDuration('app/vs', 'spec.timeout', d)).toBe(text);
  });

  test('below 1 ms is refused, naming the construct and the field', () => {
    expect(() => renderDuration('app/vs', 'spec.http[0].timeout', IstioDuration.millis(0.5)))
      .toThrow(/^\[app\/vs\] spec\.http\[0\]\.timeout: 0\.5 ms is below Istio's minimum of 1 ms/);
    expect(() => renderDuration('app/vs', 'spec.http[0].timeout', Duration.millis(0.5))).toThrow(/below Istio's minimum/);
  });

  test('finer than a millisecond is refused: istiod accepts millisecond precision only', () => {
    expect(IstioDuration.millis(1.5).problem()?.problem).toMatch(/finer than a millisecond/);
    expect(IstioDuration.parse('1.0005s').problem()?.problem).toMatch(/finer than a millisecond/);
    expect(() => renderDuration('x', 'timeout', IstioDuration.millis(1.5))).toThrow(/1\.5 ms is finer than a millisecond/);
    expect(IstioDuration.millis(1).problem()).toBeUndefined();
  });

  test('longer than Istio reads (Go time.ParseDuration: an int64 of nanoseconds, ~292 years) is refused, though protobuf would hold it', () => {
    expect(IstioDuration.millis(9_223_372_036_854).problem()).toBeUndefined();
    expect(IstioDuration.millis(9_223_372_036_855).problem()?.problem).toMatch(/longer than Istio reads \(at most 9223372036\.854 s/);
    expect(IstioDuration.seconds(315_576_000_000).problem()?.problem).toMatch(/longer than Istio reads/);
    expect(IstioDuration.parse('2562047h47m16s').problem()).toBeUndefined();
    expect(IstioDuration.parse('2562048h').problem()?.problem).toMatch(/longer than Istio reads/);
  });

  test('text that is not a duration, and NaN, are refused by the construct that uses them, not where they are made', () => {
    const made = [IstioDuration.parse('5'), IstioDuration.parse('5 s'), IstioDuration.parse('1d'), IstioDuration.parse('abc'), IstioDuration.seconds(NaN), IstioDuration.seconds(-1)];
    expect(made.map((d) => d.problem()?.problem)).toEqual([
      expect.stringMatching(/^"5" is not a duration/),
      expect.stringMatching(/not a duration/),
      expect.stringMatching(/not a duration/),
      expect.stringMatching(/^"abc" is not a duration/),
      expect.stringMatching(/NaN ms is not a length of time/),
      expect.stringMatching(/below Istio's minimum/),
    ]);
    expect(() => renderDuration('app/vs', 'spec.http[0].timeout', IstioDuration.parse('abc')))
      .toThrow(/^\[app\/vs\] spec\.http\[0\]\.timeout: "abc" is not a duration/);
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
    expect(hostProblem(h)?.problem).toMatch(why);
  });

  test('short names and * only where allowed', () => {
    expect(hostProblem('reviews')).toBeUndefined();
    expect(hostProblem('reviews', { allowShortNames: false })?.problem).toMatch(/short name is ambiguous/);
    expect(hostProblem('*', { allowWildcardAll: false })?.problem).toMatch(/not allowed here/);
  });

  test('namespace/host as Gateway and Sidecar hosts write it', () => {
    expect(namespacedHostProblem('istio-system/*.example.com')).toBeUndefined();
    expect(namespacedHostProblem('./reviews.default.svc.cluster.local')).toBeUndefined();
    expect(namespacedHostProblem('*/*')).toBeUndefined();
    expect(namespacedHostProblem('prod/reviews')?.problem).toMatch(/short name/);
    expect(namespacedHostProblem('Prod/x.example.com')?.problem).toMatch(/is not a namespace/);
  });

  test('ports', () => {
    expect(portProblem(443)).toBeUndefined();
    expect(portProblem(0)?.problem).toMatch(/not a port number/);
    expect(portProblem(70000)?.problem).toMatch(/1–65535/);
    expect(portProblem(80.5)?.problem).toMatch(/not a port number/);
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
