import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { EdgeRoute, EdgeRouteProps } from '../src/patterns/edge-route';
import { ServiceRef } from '../src/references';
import { findings, synthManifests, testApp } from '../src/testing';

const props: EdgeRouteProps = {
  name: 'shop-edge',
  namespace: 'shop',
  gateway: 'istio-system/shared-gateway',
  hosts: ['shop.example.com'],
  to: { service: 'shop-gateway', namespace: 'shop', port: 443 },
};

function chart(namespace?: string): IstioChart {
  return new IstioChart(testApp(), 'c', namespace ? { namespace } : {});
}

function virtualServices(c: IstioChart): Json[] {
  return synthManifests(c).filter((m) => m.kind === 'VirtualService');
}

function problems(c: IstioChart): string[] {
  return findings(c).filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code} ${f.constructPath} ${f.field ?? ''}: ${f.message}`);
}

const TO_APP_GATEWAY = [{ destination: { host: 'shop-gateway.shop.svc.cluster.local', port: { number: 443 } } }];

/** The rule that makes the hop to the app's gateway Istio mTLS on its https port. */
const HOP_MTLS = {
  host: 'shop-gateway.shop.svc.cluster.local',
  trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL' } }] },
};

describe('EdgeRoute', () => {
  test('one route per path prefix, longest first, bound to the shared Gateway', () => {
    const c = chart();
    const edge = new EdgeRoute(c, 'edge', { ...props, paths: ['', 'api', '/api/v2/'] });
    const manifests = synthManifests(c);
    expect(manifests.map((m) => m.kind)).toEqual(['VirtualService', 'DestinationRule']);
    const [vs, dr] = manifests;
    // Gateway pods get no auto mTLS (the gateway injection template sets no tlsMode label): the
    // rule asks for Istio mTLS on the hop, so the app's gateway sees the edge's identity.
    expect(dr.metadata).toEqual({ name: 'shop-edge-hop', namespace: 'shop' });
    expect(dr.spec).toEqual(HOP_MTLS);
    expect(vs.apiVersion).toBe('networking.istio.io/v1');
    expect(vs.metadata).toEqual({ name: 'shop-edge', namespace: 'shop' });
    expect(vs.spec).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: [
        { name: 'shop-edge-api-v2', match: [{ uri: { prefix: '/api/v2/' } }], route: TO_APP_GATEWAY },
        { name: 'shop-edge-api', match: [{ uri: { prefix: '/api/' } }], route: TO_APP_GATEWAY },
        { name: 'shop-edge-root', route: TO_APP_GATEWAY },
      ],
    });
    expect(edge.virtualService.gateways).toEqual(['istio-system/shared-gateway']);
    // The shared Gateway lives outside the app and is declared so (no IST0101).
    expect(MeshContext.of(c).isExternalGateway('istio-system/shared-gateway')).toBe(true);
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('mountPath: shop matches /shop/api/ and /shop/ and rewrites them to /api/ and /', () => {
    const c = chart();
    new EdgeRoute(c, 'edge', { ...props, paths: ['', 'api'], mountPath: '/shop/' });
    const [vs] = virtualServices(c);
    expect((vs.spec as Json).http).toEqual([
      { name: 'shop-edge-api', match: [{ uri: { prefix: '/shop/api/' } }], rewrite: { uri: '/api/' }, route: TO_APP_GATEWAY },
      { name: 'shop-edge-root', match: [{ uri: { prefix: '/shop/' } }], rewrite: { uri: '/' }, route: TO_APP_GATEWAY },
    ]);
    expect(problems(c)).toEqual([]);
    expect(virtualServices(c)).toMatchSnapshot();
  });

  test('a mount path of / is no mount path: nothing is rewritten', () => {
    const c = chart();
    new EdgeRoute(c, 'edge', { ...props, paths: ['api'], mountPath: '/' });
    const [vs] = virtualServices(c);
    expect((vs.spec as Json).http).toEqual([
      { name: 'shop-edge-api', match: [{ uri: { prefix: '/api/' } }], route: TO_APP_GATEWAY },
    ]);
  });

  test('defaults: everything to the https port 443 of the target in the route\'s namespace, over Istio mTLS, named after the construct id', () => {
    const c = chart('shop');
    new EdgeRoute(c, 'edge', { gateway: 'istio-system/shared-gateway', hosts: ['a.example.com', 'b.example.com'], to: { service: 'shop-gateway' } });
    const [vs] = virtualServices(c);
    expect(vs.metadata).toEqual({ name: 'edge', namespace: 'shop' });
    expect(vs.spec).toEqual({
      hosts: ['a.example.com', 'b.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: [{ name: 'edge-root', route: TO_APP_GATEWAY }],
    });
    expect(synthManifests(c).find((m) => m.kind === 'DestinationRule')?.spec).toEqual(HOP_MTLS);
  });

  test('mtls: auto leaves the hop to auto mTLS and writes no rule', () => {
    const c = chart();
    new EdgeRoute(c, 'edge', { ...props, mtls: 'auto' });
    expect(synthManifests(c).map((m) => m.kind)).toEqual(['VirtualService']);
  });

  test('a Service reference as target: its only port is used', () => {
    const c = chart();
    new EdgeRoute(c, 'edge', { ...props, to: ServiceRef.fromName('frontend', 'web', { ports: [8080] }) });
    const [vs] = virtualServices(c);
    expect((vs.spec as Json).http).toEqual([
      { name: 'shop-edge-root', route: [{ destination: { host: 'frontend.web.svc.cluster.local', port: { number: 8080 } } }] },
    ]);
    expect(problems(c)).toEqual([]);
  });

  test('wrong input names the construct path and the field', () => {
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, gateway: 'shared-gateway' }))
      .toThrow(/^\[c\/edge\] gateway: "shared-gateway" is not a namespace\/name reference to a Gateway/);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, gateway: 'mesh' })).toThrow(/^\[c\/edge\] gateway: /);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, gateway: 'Istio-System/shared' })).toThrow(/^\[c\/edge\] gateway: /);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, hosts: [] })).toThrow(/^\[c\/edge\] hosts: no public hosts/);
    // The index is the one written, not the one after sorting by length.
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, paths: ['api', '', '/api/'] }))
      .toThrow(/^\[c\/edge\] paths\[2\]: \/api\/ is listed twice \(also paths\[0\]\)/);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, paths: ['', '/'] })).toThrow(/^\[c\/edge\] paths\[1\]: \/ is listed twice/);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, paths: [] })).toThrow(/^\[c\/edge\] paths: an empty list forwards nothing/);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, name: 'Shop_Edge' })).toThrow(/^\[c\/edge\] name: "Shop_Edge" is not a valid name/);
    expect(() => new EdgeRoute(chart(), 'edge', { ...props, hosts: ['not a host'] })).toThrow(/^\[c\/edge\/routes\] spec\.hosts\[0\]: /);
  });
});
