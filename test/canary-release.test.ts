import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { CanaryRelease, CanaryReleaseProps } from '../src/patterns/canary-release';
import { ServiceRef } from '../src/references';
import { Destination } from '../src/route-destination';
import { findings, synthManifests, testApp } from '../src/testing';
import { VirtualService } from '../src/virtual-service';

const props: CanaryReleaseProps = {
  namespace: 'shop',
  service: 'reviews',
  port: 9080,
  stable: { version: 'v1' },
  canary: { version: 'v2' },
  canaryWeight: 10,
};

const HOST = 'reviews.shop.svc.cluster.local';

function chart(): IstioChart {
  return new IstioChart(testApp(), 'c');
}

function byName(manifests: Json[]): Record<string, Json> {
  return Object.fromEntries(manifests.map((m) => [`${String(m.kind)}/${String((m.metadata as Json).name)}`, m]));
}

function problems(c: IstioChart): string[] {
  return findings(c).filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code} ${f.constructPath} ${f.field ?? ''}: ${f.message}`);
}

const to = (subset: string, weight?: number): Json => ({
  destination: { host: HOST, subset, port: { number: 9080 } },
  ...(weight === undefined ? {} : { weight }),
});

const PINNED = { name: 'pinned-to-canary', match: [{ headers: { 'x-canary': { exact: 'always' } } }], route: [to('v2')] };
const SPLIT_90_10 = { name: 'split', route: [to('v1', 90), to('v2', 10)] };

describe('CanaryRelease', () => {
  test('subsets named after the versions; on the mesh a 90/10 split, and no pin header nobody asked for', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'canary', props);
    const manifests = synthManifests(c);
    const objs = byName(manifests);
    expect(Object.keys(objs)).toEqual(['DestinationRule/reviews', 'VirtualService/reviews']);

    expect(objs['DestinationRule/reviews'].metadata).toEqual({ name: 'reviews', namespace: 'shop' });
    expect(objs['DestinationRule/reviews'].spec).toEqual({
      host: HOST,
      subsets: [
        { name: 'v1', labels: { version: 'v1' } },
        { name: 'v2', labels: { version: 'v2' } },
      ],
    });
    expect(release.stableSubset.name).toBe('v1');
    expect(release.canarySubset.name).toBe('v2');

    expect(objs['VirtualService/reviews'].metadata).toEqual({ name: 'reviews', namespace: 'shop' });
    expect(objs['VirtualService/reviews'].spec).toEqual({ hosts: [HOST], http: [SPLIT_90_10] });
    expect(JSON.stringify(manifests)).not.toContain('x-canary');
    expect(release.virtualServices.map((v) => v.gateways)).toEqual([[]]);
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('with gateways and hosts: a second VirtualService splits gateway traffic the same way, so IST0140 does not fire', () => {
    const c = chart();
    const release = new CanaryRelease(c, 'canary', { ...props, gateways: ['istio-system/shared-gateway'], hosts: ['reviews.example.com'] });
    const manifests = synthManifests(c);
    const objs = byName(manifests);
    expect(Object.keys(objs)).toEqual(['DestinationRule/reviews', 'VirtualService/reviews', 'VirtualService/reviews-gateway']);
    expect(objs['VirtualService/reviews'].spec).toEqual({ hosts: [HOST], http: [SPLIT_90_10] });
    expect(objs['VirtualService/reviews-gateway'].metadata).toEqual({ name: 'reviews-gateway', namespace: 'shop' });
    expect(objs['VirtualService/reviews-gateway'].spec).toEqual({
      hosts: ['reviews.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: [SPLIT_90_10],
    });
    expect(release.virtualServices.map((v) => v.name)).toEqual(['reviews', 'reviews-gateway']);
    expect(findings(c).filter((f) => f.code === 'IST0140')).toEqual([]);
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('the counter-case: a gateway route without subsets next to a mesh-only release is IST0140', () => {
    const c = chart();
    new CanaryRelease(c, 'canary', props);
    const edge = new VirtualService(c, 'edge', { namespace: 'shop', hosts: ['reviews.example.com'], gateways: ['istio-system/shared-gateway'] });
    edge.addHttpRoute({ to: [Destination.to(ServiceRef.fromName('reviews', 'shop', { ports: [9080] }))] });
    const ist0140 = findings(c).filter((f) => f.code === 'IST0140');
    expect(ist0140.map((f) => [f.severity, f.constructPath, f.field])).toEqual([
      ['warning', 'c/edge/Resource', 'spec.http[0].route[0].destination'],
    ]);
  });

  test.each([
    [0, [to('v1')]],
    [100, [to('v2')]],
  ])('canaryWeight %i sends the split to a single subset, unweighted', (canaryWeight, route) => {
    const c = chart();
    new CanaryRelease(c, 'canary', { ...props, canaryWeight, gateways: ['istio-system/shared-gateway'], hosts: ['reviews.example.com'] });
    const objs = byName(synthManifests(c));
    for (const vs of ['VirtualService/reviews', 'VirtualService/reviews-gateway']) {
      expect((objs[vs].spec as Json).http).toEqual([{ name: 'split', route }]);
    }
    expect(problems(c)).toEqual([]);
  });

  test('pinning is opt-in: a pin header routes testers to the canary first, on the mesh and the gateway', () => {
    const c = chart();
    new CanaryRelease(c, 'canary', { ...props, pinHeader: { name: 'x-canary', value: 'always' }, gateways: ['istio-system/shared-gateway'], hosts: ['reviews.example.com'] });
    const objs = byName(synthManifests(c));
    for (const vs of ['VirtualService/reviews', 'VirtualService/reviews-gateway']) {
      expect((objs[vs].spec as Json).http).toEqual([PINNED, SPLIT_90_10]);
    }
  });

  test('track labels, a custom pin header, istio-mutual and no port', () => {
    const c = chart();
    new CanaryRelease(c, 'canary', {
      namespace: 'shop',
      service: 'reviews',
      stable: { version: 'v1', labels: { track: 'stable' } },
      canary: { version: 'v2-rc1', labels: { track: 'canary', version: 'ignored' } },
      canaryWeight: 25,
      pinHeader: { name: 'x-tester', value: 'yes' },
      mtls: 'istio-mutual',
    });
    const objs = byName(synthManifests(c));
    expect(objs['DestinationRule/reviews'].spec).toEqual({
      host: HOST,
      trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } },
      subsets: [
        { name: 'v1', labels: { track: 'stable', version: 'v1' } },
        // The version label always matches the subset name.
        { name: 'v2-rc1', labels: { track: 'canary', version: 'v2-rc1' } },
      ],
    });
    expect((objs['VirtualService/reviews'].spec as Json).http).toEqual([
      { name: 'pinned-to-canary', match: [{ headers: { 'x-tester': { exact: 'yes' } } }], route: [{ destination: { host: HOST, subset: 'v2-rc1' } }] },
      {
        name: 'split',
        route: [
          { destination: { host: HOST, subset: 'v1' }, weight: 75 },
          { destination: { host: HOST, subset: 'v2-rc1' }, weight: 25 },
        ],
      },
    ]);
    expect(problems(c)).toEqual([]);
  });

  test('wrong input names the construct path and the field', () => {
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, canaryWeight: 101 }))
      .toThrow(/^\[c\/canary\] canaryWeight: 101 is not a whole percentage/);
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, canaryWeight: -1 })).toThrow(/^\[c\/canary\] canaryWeight: /);
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, canaryWeight: 12.5 })).toThrow(/^\[c\/canary\] canaryWeight: /);
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, canary: { version: 'v1' } }))
      .toThrow(/^\[c\/canary\] canary\.version: stable and canary are both v1/);
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, stable: { version: 'V1' } })).toThrow(/^\[c\/canary\] stable\.version: /);
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, gateways: ['istio-system/shared-gateway'] }))
      .toThrow(/^\[c\/canary\] hosts: gateways are given but no public hosts/);
    expect(() => new CanaryRelease(chart(), 'canary', { ...props, hosts: ['reviews.example.com'] }))
      .toThrow(/^\[c\/canary\] gateways: public hosts are given but no gateway/);
  });
});
