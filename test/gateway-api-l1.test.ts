/**
 * The Gateway API's L1 classes: pinned versions, lossless rendering (a field the generated
 * mappers do not know reaches the schema check instead of vanishing), and the subpath they
 * load from, so apps that do not use them do not load their 750 kB module.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as gwl1 from '../src/gateway-api-l1';
import { IstioChart } from '../src/istio-chart';
import { renderApp } from '../src/render';
import { findings, testApp } from '../src/testing';
import { PROJECT_ROOT } from './shared';

describe('Gateway API L1', () => {
  test('each class is pinned to its served version', () => {
    const pinned = Object.fromEntries(['Gateway', 'GatewayClass', 'HttpRoute', 'GrpcRoute', 'BackendTlsPolicy', 'ListenerSet', 'TlsRoute', 'ReferenceGrant']
      .map((k) => [k, ((gwl1 as unknown as Record<string, { GVK: { apiVersion: string; kind: string } }>)[k]).GVK]));
    expect(pinned).toEqual({
      Gateway: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' },
      GatewayClass: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass' },
      HttpRoute: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' },
      GrpcRoute: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute' },
      BackendTlsPolicy: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'BackendTLSPolicy' },
      ListenerSet: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'ListenerSet' },
      TlsRoute: { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'TLSRoute' },
      ReferenceGrant: { apiVersion: 'gateway.networking.k8s.io/v1beta1', kind: 'ReferenceGrant' },
    });
  });

  test('a misspelt field is kept and reported by the schema check, from the pinned class and from the raw generated one', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const spec = { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'api', port: 80, wieght: 5 }] }] } as unknown as gwl1.HttpRouteSpec;
    new gwl1.HttpRoute(c, 'pinned', { metadata: { name: 'pinned' }, spec });
    new gwl1.HttpRouteV1Beta1(c, 'raw', { metadata: { name: 'raw' }, spec: spec as unknown as gwl1.HttpRouteV1Beta1Spec });
    // Rendered as they are: the schema check below refuses them, so synthManifests would throw.
    const routes = renderApp(testAppOf(c)).objects.map((o) => o.manifest);
    expect(routes.map((r) => ((((r.spec as Record<string, unknown>).rules as Array<Record<string, unknown>>)[0].backendRefs as Array<Record<string, unknown>>)[0].wieght))).toEqual([5, 5]);
    expect(findings(c).filter((f) => f.code === 'CKI1002').map((f) => [f.object, f.field])).toEqual([
      ['HTTPRoute shop/pinned', 'spec.rules[0].backendRefs[0].wieght'],
      ['HTTPRoute shop/raw', 'spec.rules[0].backendRefs[0].wieght'],
    ]);
  });

  test('the main entry does not load the generated module; the subpath does', () => {
    const index = fs.readFileSync(path.join(PROJECT_ROOT, 'src', 'index.ts'), 'utf8');
    expect(index).not.toMatch(/from '\.\/gateway-api-l1'/);
    const pkg = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { exports: Record<string, { default: string }> };
    expect(pkg.exports['./gateway-api-l1'].default).toBe('./lib/src/gateway-api-l1.js');
  });
});

function testAppOf(c: IstioChart): Parameters<typeof renderApp>[0] {
  return c.node.root as Parameters<typeof renderApp>[0];
}
