import * as kplus from 'cdk8s-plus-28';
import {
  ClientTls, DestinationRule, findings, H2UpgradePolicy, HashKey, IstioChart, LoadBalancer, synthManifests, testApp,
} from '../src';
import { IstioDuration } from '../src/duration';
import { ServiceRef } from '../src/references';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function chart() {
  return new IstioChart(testApp(), 'c', { namespace: 'shop' });
}

function drSpec(c: IstioChart, name: string): Json {
  const dr = synthManifests(c).find((m) => m.kind === 'DestinationRule' && (m.metadata as Json).name === name);
  expect(dr).toBeDefined();
  return (dr as Json).spec;
}

describe('DestinationRule', () => {
  test('host from a Service, subsets by labels, TLS left unset by default', () => {
    const c = chart();
    const reviews = new kplus.Service(c, 'svc', { metadata: { name: 'reviews' }, ports: [{ port: 9080, name: 'http' }] });
    const dr = new DestinationRule(c, 'reviews', { host: reviews });
    const v1 = dr.addSubset('v1', { version: 'v1' });
    dr.addSubset('v2', { version: 'v2' }, { trafficPolicy: { loadBalancer: LoadBalancer.random() } });
    const spec = drSpec(c, 'reviews');
    expect(spec).toEqual({
      host: 'reviews.shop.svc.cluster.local',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' }, trafficPolicy: { loadBalancer: { simple: 'RANDOM' } } },
      ],
    });
    // Auto mTLS decides: no trafficPolicy.tls unless asked for.
    expect(spec.trafficPolicy).toBeUndefined();
    expect(v1.host).toBe('reviews.shop.svc.cluster.local');
    expect(v1.destinationRule).toBe(dr);
    expect(dr.subset('v1')).toBe(v1);
    expect(dr.subsets.map((s) => s.name)).toEqual(['v1', 'v2']);
  });

  test('short host names resolve in the rule namespace; references keep their host', () => {
    const c = chart();
    const a = new DestinationRule(c, 'a', { host: 'ratings' });
    const b = new DestinationRule(c, 'b', { host: ServiceRef.fromName('details', 'other') });
    expect(a.host).toBe('ratings');
    expect(a.hostFqdn).toBe('ratings.shop.svc.cluster.local');
    expect(b.hostFqdn).toBe('details.other.svc.cluster.local');
    expect(drSpec(c, 'a').host).toBe('ratings');
  });

  test('ISTIO_MUTUAL on request, load balancer, connection pool, outlier detection, port-level settings', () => {
    const c = chart();
    new DestinationRule(c, 'api', {
      host: 'api',
      exportTo: ['.'],
      trafficPolicy: {
        tls: ClientTls.istioMutual(),
        loadBalancer: LoadBalancer.consistentHash(HashKey.cookie('session', { ttl: IstioDuration.minutes(30), path: '/' }), { minimumRingSize: 2048 }),
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: IstioDuration.millis(500), keepalive: { time: IstioDuration.minutes(2), interval: IstioDuration.seconds(30), probes: 3 } },
          http: { http1MaxPendingRequests: 50, http2MaxRequests: 1000, maxRequestsPerConnection: 10, maxRetries: 3, idleTimeout: IstioDuration.minutes(5), h2UpgradePolicy: H2UpgradePolicy.UPGRADE },
        },
        outlierDetection: {
          consecutive5xxErrors: 5,
          consecutiveGatewayErrors: 3,
          interval: IstioDuration.seconds(10),
          baseEjectionTime: IstioDuration.seconds(30),
          maxEjectionPercent: 50,
        },
        portLevelSettings: [
          { port: 9090, loadBalancer: LoadBalancer.leastRequest({ warmup: IstioDuration.seconds(60) }), connectionPool: { http: { useClientProtocol: true } } },
        ],
      },
    });
    expect(drSpec(c, 'api')).toEqual({
      host: 'api',
      exportTo: ['.'],
      trafficPolicy: {
        tls: { mode: 'ISTIO_MUTUAL' },
        loadBalancer: { consistentHash: { httpCookie: { name: 'session', path: '/', ttl: '1800s' }, ringHash: { minimumRingSize: 2048 } } },
        connectionPool: {
          tcp: { maxConnections: 100, connectTimeout: '500ms', tcpKeepalive: { time: '120s', interval: '30s', probes: 3 } },
          http: { http1MaxPendingRequests: 50, http2MaxRequests: 1000, maxRequestsPerConnection: 10, maxRetries: 3, idleTimeout: '300s', h2UpgradePolicy: 'UPGRADE' },
        },
        outlierDetection: { consecutive5xxErrors: 5, consecutiveGatewayErrors: 3, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
        portLevelSettings: [
          { port: { number: 9090 }, loadBalancer: { simple: 'LEAST_REQUEST', warmup: { duration: '60s' } }, connectionPool: { http: { useClientProtocol: true } } },
        ],
      },
    });
    expect(findings(c).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('locality load balancing with failover and outlier detection', () => {
    const c = chart();
    new DestinationRule(c, 'geo', {
      host: 'geo',
      trafficPolicy: {
        loadBalancer: LoadBalancer.roundRobin({ locality: { failover: [{ from: 'us-east', to: 'us-west' }] } }),
        outlierDetection: { consecutive5xxErrors: 3 },
      },
    });
    new DestinationRule(c, 'split', {
      host: 'split',
      trafficPolicy: { loadBalancer: LoadBalancer.leastRequest({ locality: { distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] } }) },
    });
    expect(drSpec(c, 'geo').trafficPolicy).toEqual({
      loadBalancer: { simple: 'ROUND_ROBIN', localityLbSetting: { failover: [{ from: 'us-east', to: 'us-west' }] } },
      outlierDetection: { consecutive5xxErrors: 3 },
    });
    expect(drSpec(c, 'split').trafficPolicy.loadBalancer.localityLbSetting).toEqual({ distribute: [{ from: 'us-east/*', to: { 'us-east/*': 80, 'us-west/*': 20 } }] });
  });

  test('SIMPLE and MUTUAL origination reference CA and client certificates, never inline keys', () => {
    const c = chart();
    new DestinationRule(c, 'ext', {
      host: 'api.partner.com',
      trafficPolicy: {
        portLevelSettings: [
          { port: 443, tls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'api.partner.com', subjectAltNames: ['api.partner.com'] }) },
          { port: 8443, tls: ClientTls.mutual({ credentialName: 'partner-client-cert', sni: 'mtls.partner.com' }) },
        ],
      },
    });
    const ports = drSpec(c, 'ext').trafficPolicy.portLevelSettings;
    expect(ports[0]).toEqual({ port: { number: 443 }, tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'api.partner.com', subjectAltNames: ['api.partner.com'] } });
    expect(ports[1]).toEqual({ port: { number: 8443 }, tls: { mode: 'MUTUAL', credentialName: 'partner-client-cert', sni: 'mtls.partner.com' } });
    expect(JSON.stringify(ports)).not.toMatch(/privateKey|clientCertificate/);
    expect(synthManifests(c)).toMatchSnapshot();
  });

  test('ClientTls.disable()', () => {
    const c = chart();
    new DestinationRule(c, 'legacy', { host: 'legacy', trafficPolicy: { tls: ClientTls.disable() } });
    expect(drSpec(c, 'legacy').trafficPolicy.tls).toEqual({ mode: 'DISABLE' });
  });
});

describe('DestinationRule wrong input', () => {
  test('hosts, subsets and TLS', () => {
    const c = chart();
    expect(() => new DestinationRule(c, 'empty', { host: '' })).toThrow(/\[c\/empty\] spec\.host: "" is not a valid host: the host is empty/);
    expect(() => new DestinationRule(c, 'star', { host: '*' })).toThrow(/\[c\/star\] spec\.host/);
    const dr = new DestinationRule(c, 'dr', { host: 'api' });
    dr.addSubset('v1', { version: 'v1' });
    expect(() => dr.addSubset('v1', { version: 'v1' })).toThrow(/\[c\/dr\] spec\.subsets\[1\]\.name: subset "v1" is defined twice/);
    expect(() => dr.addSubset('V_2')).toThrow(/\[c\/dr\] spec\.subsets\[1\]\.name: "V_2" is not a valid subset name/);
    expect(() => dr.subset('v9')).toThrow(/\[c\/dr\] spec\.subsets: no subset "v9"/);
    expect(() => new DestinationRule(c, 'both', { host: 'x.example.com', trafficPolicy: { tls: ClientTls.simple({ caCertificates: '/ca.pem', credentialName: 'x-ca' }) } }))
      .toThrow(/\[c\/both\] spec\.trafficPolicy\.tls\.caCertificates: is set together with credentialName/);
    expect(() => new DestinationRule(c, 'inline', { host: 'x.example.com', trafficPolicy: { tls: ClientTls.simple({ caCertificates: '-----BEGIN CERTIFICATE-----' }) } }))
      .toThrow(/\[c\/inline\] spec\.trafficPolicy\.tls\.caCertificates: .* is not a file path/);
    expect(() => new DestinationRule(c, 'badsecret', { host: 'x.example.com', trafficPolicy: { tls: ClientTls.mutual({ credentialName: 'Bad_Name' }) } }))
      .toThrow(/\[c\/badsecret\] spec\.trafficPolicy\.tls\.credentialName/);
    expect(() => new DestinationRule(c, 'sni', { host: 'x.example.com', trafficPolicy: { tls: ClientTls.simple({ sni: '*.example.com' }) } }))
      .toThrow(/\[c\/sni\] spec\.trafficPolicy\.tls\.sni/);
  });

  test('durations, counts, percentages, ports', () => {
    const c = chart();
    expect(() => new DestinationRule(c, 'd1', { host: 'a', trafficPolicy: { outlierDetection: { interval: IstioDuration.millis(0) } } }))
      .toThrow(/\[c\/d1\] spec\.trafficPolicy\.outlierDetection\.interval: 0 ms is below Istio's minimum of 1 ms/);
    expect(() => new DestinationRule(c, 'd2', { host: 'a', trafficPolicy: { connectionPool: { tcp: { maxConnections: 0 } } } }))
      .toThrow(/\[c\/d2\] spec\.trafficPolicy\.connectionPool\.tcp\.maxConnections: 0 is not a whole number of at least 1/);
    expect(() => new DestinationRule(c, 'd3', { host: 'a', trafficPolicy: { outlierDetection: { maxEjectionPercent: 150 } } }))
      .toThrow(/\[c\/d3\] spec\.trafficPolicy\.outlierDetection\.maxEjectionPercent: 150 is not a percentage/);
    expect(() => new DestinationRule(c, 'd4', { host: 'a', trafficPolicy: { portLevelSettings: [{ port: 70000 }] } }))
      .toThrow(/\[c\/d4\] spec\.trafficPolicy\.portLevelSettings\[0\]\.port\.number: 70000 is not a port number/);
    expect(() => new DestinationRule(c, 'd5', { host: 'a', trafficPolicy: { portLevelSettings: [{ port: 80 }, { port: 80 }] } }))
      .toThrow(/\[c\/d5\] spec\.trafficPolicy\.portLevelSettings\[1\]\.port\.number: port 80 has settings twice/);
    expect(() => new DestinationRule(c, 'd6', { host: 'a', trafficPolicy: { outlierDetection: { consecutiveLocalOriginFailures: 3 } } }))
      .toThrow(/\[c\/d6\] spec\.trafficPolicy\.outlierDetection\.consecutiveLocalOriginFailures: has no effect unless splitExternalLocalOriginErrors is true/);
  });

  test('load balancer rules', () => {
    const c = chart();
    expect(() => new DestinationRule(c, 'l1', { host: 'a', trafficPolicy: { loadBalancer: LoadBalancer.roundRobin({ locality: { failover: [{ from: 'eu', to: 'us' }] } }) } }))
      .toThrow(/\[c\/l1\] spec\.trafficPolicy\.loadBalancer\.localityLbSetting: locality failover is configured without outlier detection/);
    expect(() => new DestinationRule(c, 'l2', { host: 'a', trafficPolicy: { loadBalancer: LoadBalancer.roundRobin({ locality: { distribute: [{ from: 'eu/*', to: { 'eu/*': 70 } }] } }) } }))
      .toThrow(/\[c\/l2\] spec\.trafficPolicy\.loadBalancer\.localityLbSetting\.distribute\[0\]\.to: weights from eu\/\* total 70, not 100/);
    expect(() => new DestinationRule(c, 'l3', { host: 'a', trafficPolicy: { loadBalancer: LoadBalancer.random({ warmup: IstioDuration.seconds(10) }) } }))
      .toThrow(/\[c\/l3\] spec\.trafficPolicy\.loadBalancer\.warmup: warm-up works only with ROUND_ROBIN and LEAST_REQUEST/);
    expect(() => new DestinationRule(c, 'l4', { host: 'a', trafficPolicy: { loadBalancer: LoadBalancer.consistentHash(HashKey.httpHeader('Bad Header')) } }))
      .toThrow(/\[c\/l4\] spec\.trafficPolicy\.loadBalancer\.consistentHash\.httpHeaderName/);
    const dr = new DestinationRule(c, 'l5', { host: 'a' });
    expect(() => dr.addSubset('v1', {}, { trafficPolicy: { connectionPool: { http: { idleTimeout: IstioDuration.millis(0.2) } } } }))
      .toThrow(/\[c\/l5\] spec\.subsets\[0\]\.trafficPolicy\.connectionPool\.http\.idleTimeout: 0\.2 ms is below/);
  });

  test('source IP and header hashing', () => {
    const c = chart();
    new DestinationRule(c, 'h1', { host: 'a', trafficPolicy: { loadBalancer: LoadBalancer.consistentHash(HashKey.sourceIp()) } });
    new DestinationRule(c, 'h2', { host: 'b', trafficPolicy: { loadBalancer: LoadBalancer.consistentHash(HashKey.httpHeader('x-user')) } });
    new DestinationRule(c, 'h3', { host: 'c', trafficPolicy: { loadBalancer: LoadBalancer.consistentHash(HashKey.queryParameter('user')) } });
    expect(drSpec(c, 'h1').trafficPolicy.loadBalancer).toEqual({ consistentHash: { useSourceIp: true } });
    expect(drSpec(c, 'h2').trafficPolicy.loadBalancer).toEqual({ consistentHash: { httpHeaderName: 'x-user' } });
    expect(drSpec(c, 'h3').trafficPolicy.loadBalancer).toEqual({ consistentHash: { httpQueryParameterName: 'user' } });
  });
});
