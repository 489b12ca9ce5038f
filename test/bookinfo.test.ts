/**
 * Istio's bookinfo traffic-management tasks (request routing, traffic shifting, fault injection,
 * TLS origination for egress), written with the routing constructs and checked field by field.
 */
import * as kplus from 'cdk8s-plus-28';
import {
  ClientTls, Destination, DestinationRule, Fault, findings, IstioChart, Match, OutboundTrafficMode, PortProtocol, ServiceEntry,
  Sidecar, Subset, synthManifests, testApp, VirtualService,
} from '../src';
import { IstioDuration } from '../src/duration';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const NS = 'bookinfo';
const fqdn = (name: string) => `${name}.${NS}.svc.cluster.local`;

interface Bookinfo {
  readonly chart: IstioChart;
  readonly services: Record<'productpage' | 'reviews' | 'ratings' | 'details', kplus.Service>;
  readonly subsets: Record<string, Record<string, Subset>>;
}

/** The bookinfo Services and the DestinationRules of Istio's destination-rule-all.yaml. */
function bookinfo(): Bookinfo {
  const chart = new IstioChart(testApp(), 'bookinfo', { namespace: NS });
  const versions: Record<string, string[]> = {
    productpage: ['v1'],
    reviews: ['v1', 'v2', 'v3'],
    ratings: ['v1', 'v2', 'v2-mysql', 'v2-mysql-vm'],
    details: ['v1', 'v2'],
  };
  const services = {} as Bookinfo['services'];
  const subsets: Bookinfo['subsets'] = {};
  for (const [name, vs] of Object.entries(versions)) {
    const svc = new kplus.Service(chart, `${name}-svc`, { metadata: { name }, ports: [{ port: 9080, name: 'http' }] });
    svc.selectLabel('app', name);
    services[name as keyof Bookinfo['services']] = svc;
    const dr = new DestinationRule(chart, `${name}-dr`, { name, host: svc });
    subsets[name] = Object.fromEntries(vs.map((v) => [v, dr.addSubset(v, { version: v })]));
  }
  return { chart, services, subsets };
}

function manifest(chart: IstioChart, kind: string, name: string): Json {
  const m = synthManifests(chart).find((x) => x.kind === kind && (x.metadata as Json).name === name);
  expect(m).toBeDefined();
  return m as Json;
}

function dest(name: string, subset: string): Json {
  return { host: fqdn(name), subset, port: { number: 9080 } };
}

/** No errors and no warnings: the scenario is clean under the analysis. */
function expectClean(chart: IstioChart): void {
  expect(findings(chart).filter((f) => f.severity !== 'info')).toEqual([]);
}

describe('bookinfo: request routing', () => {
  test('route all traffic to v1', () => {
    const b = bookinfo();
    for (const name of ['productpage', 'reviews', 'ratings', 'details'] as const) {
      new VirtualService(b.chart, `${name}-vs`, { name, hosts: [b.services[name]] })
        .addHttpRoute({ to: [Destination.to(b.services[name], { subset: b.subsets[name].v1 })] });
    }
    for (const name of ['productpage', 'reviews', 'ratings', 'details']) {
      const vs = manifest(b.chart, 'VirtualService', name);
      expect(vs.apiVersion).toBe('networking.istio.io/v1');
      expect(vs.metadata).toEqual({ name, namespace: NS });
      expect(vs.spec).toEqual({ hosts: [fqdn(name)], http: [{ route: [{ destination: dest(name, 'v1') }] }] });
    }
    expect(manifest(b.chart, 'DestinationRule', 'reviews').spec).toEqual({
      host: fqdn('reviews'),
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
        { name: 'v3', labels: { version: 'v3' } },
      ],
    });
    expectClean(b.chart);
    expect(synthManifests(b.chart)).toMatchSnapshot();
  });

  test('route all traffic to v1, with short host names as the Istio docs write them', () => {
    const chart = new IstioChart(testApp(), 'bookinfo', { namespace: NS });
    const dr = new DestinationRule(chart, 'reviews-dr', { name: 'reviews', host: 'reviews' });
    const v1 = dr.addSubset('v1', { version: 'v1' });
    new VirtualService(chart, 'reviews', { hosts: ['reviews'] }).addHttpRoute({ to: [Destination.to('reviews', { subset: v1 })] });
    expect(manifest(chart, 'VirtualService', 'reviews').spec).toEqual({
      hosts: ['reviews'],
      http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' } }] }],
    });
    expect(manifest(chart, 'DestinationRule', 'reviews').spec).toEqual({ host: 'reviews', subsets: [{ name: 'v1', labels: { version: 'v1' } }] });
    expectClean(chart);
  });

  test('route one user (end-user: jason) to reviews v2, everyone else to v1', () => {
    const b = bookinfo();
    const { reviews } = b.services;
    const vs = new VirtualService(b.chart, 'reviews-vs', { name: 'reviews', hosts: [reviews] });
    vs.addHttpRoute({ match: [Match.header('end-user', 'jason')], to: [Destination.to(reviews, { subset: b.subsets.reviews.v2 })] });
    vs.addHttpRoute({ to: [Destination.to(reviews, { subset: b.subsets.reviews.v1 })] });
    const spec = manifest(b.chart, 'VirtualService', 'reviews').spec;
    expect(spec.hosts).toEqual([fqdn('reviews')]);
    expect(spec.http).toHaveLength(2);
    expect(spec.http[0].match).toEqual([{ headers: { 'end-user': { exact: 'jason' } } }]);
    expect(spec.http[0].route).toEqual([{ destination: dest('reviews', 'v2') }]);
    expect(spec.http[1].match).toBeUndefined();
    expect(spec.http[1].route).toEqual([{ destination: dest('reviews', 'v1') }]);
    expectClean(b.chart);
  });
});

describe('bookinfo: traffic shifting', () => {
  test('weighted 90/10 between reviews v1 and v2', () => {
    const b = bookinfo();
    const { reviews } = b.services;
    new VirtualService(b.chart, 'reviews-vs', { name: 'reviews', hosts: [reviews] }).addHttpRoute()
      .to(reviews, { subset: b.subsets.reviews.v1, weight: 90 })
      .to(reviews, { subset: b.subsets.reviews.v2, weight: 10 });
    const route = manifest(b.chart, 'VirtualService', 'reviews').spec.http[0].route;
    expect(route).toEqual([
      { destination: dest('reviews', 'v1'), weight: 90 },
      { destination: dest('reviews', 'v2'), weight: 10 },
    ]);
    expectClean(b.chart);
  });

  test('weighted 50/50 between reviews v1 and v3', () => {
    const b = bookinfo();
    const { reviews } = b.services;
    new VirtualService(b.chart, 'reviews-vs', {
      name: 'reviews',
      hosts: [reviews],
      http: [{ to: [Destination.to(reviews, { subset: b.subsets.reviews.v1, weight: 50 }), Destination.to(reviews, { subset: b.subsets.reviews.v3, weight: 50 })] }],
    });
    const route = manifest(b.chart, 'VirtualService', 'reviews').spec.http[0].route;
    expect(route).toEqual([
      { destination: dest('reviews', 'v1'), weight: 50 },
      { destination: dest('reviews', 'v3'), weight: 50 },
    ]);
    expectClean(b.chart);
  });

  test('a split that does not total 100 names the VirtualService, the field and the route', () => {
    const b = bookinfo();
    const { reviews } = b.services;
    new VirtualService(b.chart, 'reviews-vs', { name: 'reviews', hosts: [reviews] }).addHttpRoute({ name: 'shift' })
      .to(reviews, { subset: b.subsets.reviews.v1, weight: 50 })
      .to(reviews, { subset: b.subsets.reviews.v3, weight: 40 });
    expect(() => synthManifests(b.chart)).toThrow(/\[bookinfo\/reviews-vs\].*spec\.http\[0\]\.route: route "shift" splits 50 \+ 40 = 90%, not 100/);
  });
});

describe('bookinfo: fault injection', () => {
  function ratingsWithFault(fault: Fault): IstioChart {
    const b = bookinfo();
    const { ratings } = b.services;
    const vs = new VirtualService(b.chart, 'ratings-vs', { name: 'ratings', hosts: [ratings] });
    vs.addHttpRoute({ match: [Match.header('end-user', 'jason')], fault, to: [Destination.to(ratings, { subset: b.subsets.ratings.v1 })] });
    vs.addHttpRoute({ to: [Destination.to(ratings, { subset: b.subsets.ratings.v1 })] });
    return b.chart;
  }

  test('a 7s delay for jason', () => {
    const chart = ratingsWithFault(Fault.delay(IstioDuration.seconds(7)));
    const spec = manifest(chart, 'VirtualService', 'ratings').spec;
    expect(spec.http[0]).toEqual({
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } },
      route: [{ destination: dest('ratings', 'v1') }],
    });
    expect(spec.http[1]).toEqual({ route: [{ destination: dest('ratings', 'v1') }] });
    expectClean(chart);
  });

  test('an HTTP 500 abort for jason', () => {
    const chart = ratingsWithFault(Fault.abort(500));
    const spec = manifest(chart, 'VirtualService', 'ratings').spec;
    expect(spec.http[0]).toEqual({
      match: [{ headers: { 'end-user': { exact: 'jason' } } }],
      fault: { abort: { httpStatus: 500, percentage: { value: 100 } } },
      route: [{ destination: dest('ratings', 'v1') }],
    });
    expect(spec.http[1]).toEqual({ route: [{ destination: dest('ratings', 'v1') }] });
    expectClean(chart);
  });

  test('a delay below 1 ms is refused with path and field', () => {
    expect(() => ratingsWithFault(Fault.delay(IstioDuration.millis(0.5))))
      .toThrow(/\[bookinfo\/ratings-vs\] spec\.http\[0\]\.fault\.delay\.fixedDelay: 0\.5 ms is below Istio's minimum of 1 ms/);
  });
});

describe('bookinfo: TLS origination to an external API', () => {
  test('ServiceEntry + DestinationRule originate TLS for plain-HTTP calls on port 80', () => {
    const chart = new IstioChart(testApp(), 'egress', { namespace: NS });
    const cnn = new ServiceEntry(chart, 'edition-cnn-com', {
      hosts: ['edition.cnn.com'],
      ports: [
        { number: 80, name: 'http-port', protocol: PortProtocol.HTTP, targetPort: 443 },
        { number: 443, name: 'https-port', protocol: PortProtocol.HTTPS },
      ],
    });
    new DestinationRule(chart, 'edition-cnn-com-dr', {
      name: 'edition-cnn-com',
      host: cnn,
      trafficPolicy: {
        portLevelSettings: [{ port: 80, tls: ClientTls.simple({ caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'edition.cnn.com' }) }],
      },
    });
    new Sidecar(chart, 'default', { outboundTrafficPolicy: OutboundTrafficMode.REGISTRY_ONLY }).allowEgressTo(cnn);

    expect(manifest(chart, 'ServiceEntry', 'edition-cnn-com').spec).toEqual({
      hosts: ['edition.cnn.com'],
      ports: [
        { number: 80, name: 'http-port', protocol: 'HTTP', targetPort: 443 },
        { number: 443, name: 'https-port', protocol: 'HTTPS' },
      ],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    });
    expect(manifest(chart, 'DestinationRule', 'edition-cnn-com').spec).toEqual({
      host: 'edition.cnn.com',
      trafficPolicy: {
        portLevelSettings: [{
          port: { number: 80 },
          tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'edition.cnn.com' },
        }],
      },
    });
    expect(manifest(chart, 'Sidecar', 'default').spec).toEqual({
      egress: [{ hosts: ['./*', 'istio-system/*', `${NS}/edition.cnn.com`] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    expectClean(chart);
  });

  test('without a CA the analysis warns (IST0128) but synthesis goes on', () => {
    const chart = new IstioChart(testApp(), 'egress', { namespace: NS });
    const cnn = new ServiceEntry(chart, 'cnn', { hosts: ['edition.cnn.com'], ports: [{ number: 443, protocol: PortProtocol.HTTPS }] });
    new DestinationRule(chart, 'cnn-dr', { host: cnn, trafficPolicy: { portLevelSettings: [{ port: 443, tls: ClientTls.simple() }] } });
    const warnings = findings(chart).filter((f) => f.code === 'IST0128');
    expect(warnings).toEqual([expect.objectContaining({ severity: 'warning', field: 'spec.trafficPolicy.portLevelSettings[0].tls', constructPath: 'egress/cnn-dr/Resource' })]);
    expect(() => synthManifests(chart)).not.toThrow();
  });
});
