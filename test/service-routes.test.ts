import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { ServiceRoutes, ServiceRoutesProps } from '../src/patterns/service-routes';
import { findings, synthManifests, testApp } from '../src/testing';

const VERSIONS = { v1: { version: 'v1' }, v2: { version: 'v2' }, v3: { version: 'v3' } };

/** Bookinfo's reviews service: jason sees v2, everyone else is split 90/10 between v1 and v3. */
const reviews: ServiceRoutesProps = {
  namespace: 'bookinfo',
  service: 'reviews',
  port: 9080,
  subsets: VERSIONS,
  routes: [
    { name: 'jason', match: { headers: { 'end-user': 'jason' } }, to: [{ subset: 'v2' }] },
    { name: 'split', to: [{ subset: 'v1', weight: 90 }, { subset: 'v3', weight: 10 }] },
  ],
};

/** Bookinfo's fault-injection task on ratings: a 7s delay for jason. */
const ratings: ServiceRoutesProps = {
  namespace: 'bookinfo',
  service: 'ratings',
  subsets: { v1: { version: 'v1' } },
  routes: [
    { name: 'jason-delay', match: { headers: { 'end-user': 'jason' } }, fault: { delay: { fixedDelay: '7s' } }, to: [{ subset: 'v1' }] },
    { name: 'default', to: [{ subset: 'v1' }] },
  ],
};

function chart(): IstioChart {
  return new IstioChart(testApp(), 'c');
}

function byName(manifests: Json[]): Record<string, Json> {
  return Object.fromEntries(manifests.map((m) => [`${String(m.kind)}/${String((m.metadata as Json).name)}`, m]));
}

function problems(c: IstioChart): string[] {
  return findings(c).filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code} ${f.constructPath} ${f.field ?? ''}: ${f.message}`);
}

const reviewsTo = (subset: string, weight?: number): Json => ({
  destination: { host: 'reviews.bookinfo.svc.cluster.local', subset, port: { number: 9080 } },
  ...(weight === undefined ? {} : { weight }),
});
const ratingsTo = (subset: string): Json => ({ destination: { host: 'ratings.bookinfo.svc.cluster.local', subset } });
const JASON = [{ headers: { 'end-user': { exact: 'jason' } } }];

describe('ServiceRoutes', () => {
  test('bookinfo: subsets v1/v2/v3, jason to v2, a 90/10 split, and a 7s delay for jason on ratings', () => {
    const c = chart();
    const r = new ServiceRoutes(c, 'reviews', reviews);
    new ServiceRoutes(c, 'ratings', ratings);
    const manifests = synthManifests(c);
    const objs = byName(manifests);
    expect(Object.keys(objs)).toEqual(['DestinationRule/reviews', 'VirtualService/reviews', 'DestinationRule/ratings', 'VirtualService/ratings']);
    for (const m of manifests) {
      expect((m.metadata as Json).namespace).toBe('bookinfo');
      expect(m.apiVersion).toBe('networking.istio.io/v1');
    }

    expect(objs['DestinationRule/reviews'].spec).toEqual({
      host: 'reviews.bookinfo.svc.cluster.local',
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
        { name: 'v3', labels: { version: 'v3' } },
      ],
    });
    expect(r.destinationRule?.subsets.map((s) => s.name)).toEqual(['v1', 'v2', 'v3']);
    expect(objs['VirtualService/reviews'].spec).toEqual({
      hosts: ['reviews.bookinfo.svc.cluster.local'],
      http: [
        { name: 'jason', match: JASON, route: [reviewsTo('v2')] },
        { name: 'split', route: [reviewsTo('v1', 90), reviewsTo('v3', 10)] },
      ],
    });

    expect(objs['VirtualService/ratings'].spec).toEqual({
      hosts: ['ratings.bookinfo.svc.cluster.local'],
      http: [
        {
          name: 'jason-delay',
          match: JASON,
          fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } },
          route: [ratingsTo('v1')],
        },
        { name: 'default', route: [ratingsTo('v1')] },
      ],
    });
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('the abort variant: HTTP 500 for jason', () => {
    const c = chart();
    new ServiceRoutes(c, 'ratings', {
      ...ratings,
      routes: [
        { name: 'jason-abort', match: { headers: { 'end-user': 'jason' } }, fault: { abort: { httpStatus: 500 } }, to: [{ subset: 'v1' }] },
        { name: 'default', to: [{ subset: 'v1' }] },
      ],
    });
    const manifests = synthManifests(c);
    const http = (byName(manifests)['VirtualService/ratings'].spec as Json).http as Json[];
    expect(http[0]).toEqual({
      name: 'jason-abort',
      match: JASON,
      fault: { abort: { httpStatus: 500, percentage: { value: 100 } } },
      route: [ratingsTo('v1')],
    });
    expect(http[1]).toEqual({ name: 'default', route: [ratingsTo('v1')] });
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('a delay and an abort together, each for a share of requests', () => {
    const c = chart();
    new ServiceRoutes(c, 'ratings', {
      ...ratings,
      routes: [{ to: [{ subset: 'v1' }], fault: { delay: { fixedDelay: '1m30s', percentage: 10 }, abort: { httpStatus: 503, percentage: 5 } } }],
    });
    const [route] = (byName(synthManifests(c))['VirtualService/ratings'].spec as Json).http as Json[];
    expect(route.fault).toEqual({
      delay: { fixedDelay: '90s', percentage: { value: 10 } },
      abort: { httpStatus: 503, percentage: { value: 5 } },
    });
    expect(problems(c)).toEqual([]);
  });

  test('headers and a path prefix in one match, timeout and retries', () => {
    const c = chart();
    new ServiceRoutes(c, 'reviews', {
      ...reviews,
      routes: [
        {
          name: 'beta-api',
          match: { headers: { 'x-beta': 'true' }, pathPrefix: 'api' },
          to: [{ subset: 'v3' }],
          timeout: '10s',
          retries: { attempts: 3, perTryTimeout: '2s' },
        },
        { to: [{ subset: 'v1' }] },
      ],
    });
    const http = (byName(synthManifests(c))['VirtualService/reviews'].spec as Json).http as Json[];
    expect(http[0]).toEqual({
      name: 'beta-api',
      match: [{ headers: { 'x-beta': { exact: 'true' } }, uri: { prefix: '/api/' } }],
      route: [reviewsTo('v3')],
      timeout: '10s',
      retries: { attempts: 3, perTryTimeout: '2s' },
    });
    expect(http[1]).toEqual({ route: [reviewsTo('v1')] });
    expect(problems(c)).toEqual([]);
  });

  test('no subsets: no DestinationRule, unless istio-mutual is asked for', () => {
    const plain = chart();
    const r = new ServiceRoutes(plain, 'details', { namespace: 'bookinfo', service: 'details', routes: [{ to: [{}], timeout: '5s' }] });
    expect(r.destinationRule).toBeUndefined();
    const plainObjs = byName(synthManifests(plain));
    expect(Object.keys(plainObjs)).toEqual(['VirtualService/details']);
    expect((plainObjs['VirtualService/details'].spec as Json).http).toEqual([
      { route: [{ destination: { host: 'details.bookinfo.svc.cluster.local' } }], timeout: '5s' },
    ]);

    const mutual = chart();
    new ServiceRoutes(mutual, 'details', { namespace: 'bookinfo', service: 'details', mtls: 'istio-mutual', routes: [{ to: [{}] }] });
    expect(byName(synthManifests(mutual))['DestinationRule/details'].spec).toEqual({
      host: 'details.bookinfo.svc.cluster.local',
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
    });
    expect(problems(mutual)).toEqual([]);
  });

  test('wrong input names the construct path and the field', () => {
    const withRoutes = (routes: ServiceRoutesProps['routes']) => () => new ServiceRoutes(chart(), 'reviews', { ...reviews, routes });
    expect(withRoutes([{ to: [{ subset: 'v1' }] }, { to: [{ subset: 'v4' }] }]))
      .toThrow(/^\[c\/reviews\] routes\[1\]\.to\[0\]\.subset: no subset "v4" \(fix: define it under subsets, or use one of: v1, v2, v3\)/);
    expect(withRoutes([{ to: [{ subset: 'v1' }], fault: { delay: { fixedDelay: '0.1ms' } } }]))
      .toThrow(/^\[c\/reviews\] routes\[0\]\.fault\.delay\.fixedDelay: 0\.1 ms is below Istio's minimum of 1 ms/);
    expect(withRoutes([{ to: [{ subset: 'v1' }], timeout: '0.1ms' }])).toThrow(/^\[c\/reviews\] routes\[0\]\.timeout: /);
    expect(withRoutes([{ to: [{ subset: 'v1' }], timeout: 'ten seconds' }])).toThrow(/^\[c\/reviews\] routes\[0\]\.timeout: /);
    expect(withRoutes([{ to: [{ subset: 'v1' }], retries: { attempts: 2, perTryTimeout: '0.5ms' } }]))
      .toThrow(/^\[c\/reviews\] routes\[0\]\.retries\.perTryTimeout: /);
    expect(withRoutes([{ to: [{ subset: 'v1' }], fault: {} }])).toThrow(/^\[c\/reviews\] routes\[0\]\.fault: a fault needs a delay or an abort/);
    expect(withRoutes([{ to: [] }])).toThrow(/^\[c\/reviews\] routes\[0\]\.to: the route has no destination/);
    expect(withRoutes([])).toThrow(/^\[c\/reviews\] routes: no routes/);
    expect(withRoutes([{ to: [{ subset: 'v1', weight: 90 }, { subset: 'v3' }] }]))
      .toThrow(/^\[c\/reviews\] routes\[0\]\.to\[1\]\.weight: the route splits traffic between 2 targets but this one has no weight/);
    expect(withRoutes([{ to: [{ subset: 'v1', weight: 90 }, { subset: 'v3', weight: 20 }] }]))
      .toThrow(/^\[c\/reviews\] routes\[0\]\.to: the weights total 110, not 100/);
    expect(withRoutes([{ to: [{ subset: 'v1' }] }, { to: [{ subset: 'v1', weight: 50 }] }]))
      .toThrow(/^\[c\/reviews\] routes\[1\]\.to\[0\]\.weight: a single target with weight 50/);
  });
});
