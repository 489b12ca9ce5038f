import { Testing } from 'cdk8s';
import * as l1 from '../src/l1';
import { IstioChart } from '../src/istio-chart';
import { synthManifests, testApp } from '../src/testing';

// The pinned API version of every kind we re-export. A re-import that changes which version
// the generator names bare (it picks the CRD's first listed version) fails here.
const PINNED: Array<[string, { GVK: { apiVersion: string; kind: string } }, string, string]> = [
  ['DestinationRule', l1.DestinationRule, 'networking.istio.io/v1', 'DestinationRule'],
  ['Gateway', l1.Gateway, 'networking.istio.io/v1', 'Gateway'],
  ['ServiceEntry', l1.ServiceEntry, 'networking.istio.io/v1', 'ServiceEntry'],
  ['Sidecar', l1.Sidecar, 'networking.istio.io/v1', 'Sidecar'],
  ['VirtualService', l1.VirtualService, 'networking.istio.io/v1', 'VirtualService'],
  ['WorkloadEntry', l1.WorkloadEntry, 'networking.istio.io/v1', 'WorkloadEntry'],
  ['WorkloadGroup', l1.WorkloadGroup, 'networking.istio.io/v1', 'WorkloadGroup'],
  ['EnvoyFilter', l1.EnvoyFilter, 'networking.istio.io/v1alpha3', 'EnvoyFilter'],
  ['ProxyConfig', l1.ProxyConfig, 'networking.istio.io/v1beta1', 'ProxyConfig'],
  ['AuthorizationPolicy', l1.AuthorizationPolicy, 'security.istio.io/v1', 'AuthorizationPolicy'],
  ['PeerAuthentication', l1.PeerAuthentication, 'security.istio.io/v1', 'PeerAuthentication'],
  ['RequestAuthentication', l1.RequestAuthentication, 'security.istio.io/v1', 'RequestAuthentication'],
  ['Telemetry', l1.Telemetry, 'telemetry.istio.io/v1', 'Telemetry'],
  ['WasmPlugin', l1.WasmPlugin, 'extensions.istio.io/v1alpha1', 'WasmPlugin'],
  ['TrafficExtension', l1.TrafficExtension, 'extensions.istio.io/v1alpha1', 'TrafficExtension'],
];

describe('L1 re-exports', () => {
  test('all 15 Istio kinds are exported', () => {
    expect(new Set(PINNED.map(([, , , kind]) => kind)).size).toBe(15);
  });

  test.each(PINNED)('%s is pinned to its newest stable served version', (_name, cls, apiVersion, kind) => {
    expect(cls.GVK).toEqual({ apiVersion, kind });
    const chart = new IstioChart(Testing.app(), 'c', { namespace: 'ns' });
    const Ctor = cls as unknown as new (scope: IstioChart, id: string, props: object) => { toJson(): Record<string, unknown> };
    const manifest = new Ctor(chart, 'obj', { metadata: { name: 'x' } }).toJson();
    expect(manifest.apiVersion).toBe(apiVersion);
    expect(manifest.kind).toBe(kind);
  });
});

describe('documented field names', () => {
  test('VirtualService mirrorPercent is emitted as mirrorPercentage', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new l1.VirtualService(chart, 'vs', {
      metadata: { name: 'reviews' },
      spec: {
        hosts: ['reviews.shop.svc.cluster.local'],
        http: [{
          route: [{ destination: { host: 'reviews.shop.svc.cluster.local' } }],
          mirror: { host: 'reviews-shadow.shop.svc.cluster.local' },
          mirrorPercent: 25,
        }],
      },
    });
    const [vs] = synthManifests(chart);
    const route = (vs.spec as { http: Array<Record<string, unknown>> }).http[0];
    expect(route.mirrorPercentage).toEqual({ value: 25 });
    expect(route).not.toHaveProperty('mirror_percent');
    expect(route).not.toHaveProperty('mirrorPercent');
  });

  test('VirtualService with both mirrorPercent and mirrorPercentage is refused', () => {
    const chart = new IstioChart(Testing.app(), 'c', { namespace: 'shop' });
    const vs = new l1.VirtualService(chart, 'vs', {
      metadata: { name: 'reviews' },
      spec: { hosts: ['r'], http: [{ mirrorPercent: 5, mirrorPercentage: { value: 5 } }] },
    });
    expect(() => vs.toJson()).toThrow(/mirrorPercentage are both set/);
  });

  test('RequestAuthentication jwksUri is emitted as jwksUri, not jwks_uri', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new l1.RequestAuthentication(chart, 'ra', {
      metadata: { name: 'jwt' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        jwtRules: [{ issuer: 'https://issuer.example.com', jwksUri: 'https://issuer.example.com/jwks.json' }],
      },
    });
    const [ra] = synthManifests(chart);
    const rule = (ra.spec as { jwtRules: Array<Record<string, unknown>> }).jwtRules[0];
    expect(rule.jwksUri).toBe('https://issuer.example.com/jwks.json');
    expect(rule).not.toHaveProperty('jwks_uri');
  });
});
