import { k8s } from 'cdk8s-plus-28';
import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { ZeroTrustNamespace } from '../src/patterns/zero-trust-namespace';
import { IGatewayWorkload } from '../src/references';
import { findings, synthManifests, testApp } from '../src/testing';
import { MeshWorkload } from '../src/mesh-workload';

const gateway: IGatewayWorkload = {
  namespace: 'istio-ingress',
  selector: { istio: 'ingressgateway' },
  serviceAccountName: 'istio-ingressgateway',
};
const web = MeshWorkload.fromLabels('shop', { app: 'web' }, { serviceAccountName: 'web' });
const api = MeshWorkload.fromLabels('shop', { 'app.kubernetes.io/name': 'api' }, { serviceAccountName: 'api' });
const checkout = MeshWorkload.fromLabels('billing', { app: 'checkout' }, { serviceAccountName: 'checkout' });

function chart(): IstioChart {
  const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new k8s.KubeNamespace(c, 'ns', { metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } } });
  for (const ns of ['monitoring', 'billing', 'ops', 'istio-ingress']) {
    MeshContext.of(c).declareExternalNamespace(ns);
  }
  return c;
}

function byName(manifests: Json[]): Record<string, Json> {
  return Object.fromEntries(manifests.filter((m) => m.kind !== 'Namespace').map((m) => [`${String(m.kind)}/${String((m.metadata as Json).name)}`, m]));
}

describe('ZeroTrustNamespace', () => {
  test('STRICT mTLS, allow-nothing, and each explicit allow, field by field', () => {
    const c = chart();
    new ZeroTrustNamespace(c, 'zero-trust', {
      namespace: 'shop',
      ingress: { gateway, workloads: [web, api] },
      allowNamespaces: ['monitoring'],
      allowServiceAccounts: ['billing/checkout', MeshWorkload.fromLabels('ops', { app: 'prober' }, { serviceAccountName: 'prober' })],
    });
    const objects = byName(synthManifests(c));
    expect(Object.keys(objects)).toEqual([
      'PeerAuthentication/default',
      'AuthorizationPolicy/allow-nothing',
      'AuthorizationPolicy/allow-ingress-to-web',
      'AuthorizationPolicy/allow-ingress-to-api',
      'AuthorizationPolicy/allow-from-namespaces',
      'AuthorizationPolicy/allow-from-service-accounts',
    ]);
    for (const m of Object.values(objects)) {
      expect((m.metadata as Json).namespace).toBe('shop');
      expect(m.apiVersion).toBe('security.istio.io/v1');
    }
    expect(objects['PeerAuthentication/default'].spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(objects['AuthorizationPolicy/allow-nothing'].spec).toEqual({});
    expect(objects['AuthorizationPolicy/allow-ingress-to-web'].spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'web' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }] }],
    });
    expect(objects['AuthorizationPolicy/allow-ingress-to-api'].spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }] }],
    });
    expect(objects['AuthorizationPolicy/allow-from-namespaces'].spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['monitoring'] } }] }],
    });
    expect(objects['AuthorizationPolicy/allow-from-service-accounts'].spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/billing/sa/checkout', 'cluster.local/ns/ops/sa/prober'] } }] }],
    });
    expect(synthManifests(c)).toMatchSnapshot();
  });

  test('starts closed: with no allows, only STRICT mTLS and allow-nothing', () => {
    const c = chart();
    const zt = new ZeroTrustNamespace(c, 'zt', { namespace: { name: 'shop' } });
    expect(zt.namespace).toBe('shop');
    const objects = byName(synthManifests(c));
    expect(Object.keys(objects)).toEqual(['PeerAuthentication/default', 'AuthorizationPolicy/allow-nothing']);
    expect(objects['AuthorizationPolicy/allow-nothing'].metadata).toEqual({ name: 'allow-nothing', namespace: 'shop' });
  });

  test('opening later adds rules to the same policies; other trust domains are honoured', () => {
    const c = chart();
    const zt = new ZeroTrustNamespace(c, 'zt', { namespace: 'shop', trustDomain: 'prod.example' });
    zt.allowNamespaces('monitoring');
    zt.allowNamespaces({ name: 'shop' });
    zt.allowServiceAccounts(checkout);
    zt.allowIngress(gateway, web);
    const objects = byName(synthManifests(c));
    expect(objects['AuthorizationPolicy/allow-from-namespaces'].spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['monitoring'] } }] }, { from: [{ source: { namespaces: ['shop'] } }] }],
    });
    expect(objects['AuthorizationPolicy/allow-from-service-accounts'].spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { principals: ['prod.example/ns/billing/sa/checkout'] } }] }],
    });
    expect(((objects['AuthorizationPolicy/allow-ingress-to-web'].spec as Json).rules as Json[])[0])
      .toEqual({ from: [{ source: { principals: ['prod.example/ns/istio-ingress/sa/istio-ingressgateway'] } }] });
  });

  test('a namespace allow that names an undeclared namespace is reported (IST0101)', () => {
    const c = chart();
    new ZeroTrustNamespace(c, 'zt', { namespace: 'shop', allowNamespaces: ['monitorin'] });
    const f = findings(c).filter((x) => x.code === 'IST0101');
    expect(f).toHaveLength(1);
    expect(f[0].constructPath).toBe('c/zt/allow-from-namespaces/Resource');
    expect(f[0].field).toBe('spec.rules[0].from[0].source.namespaces[0]');
  });

  test('refuses workloads of another namespace, unnamed workloads, a gateway without identity and malformed service accounts', () => {
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'shop', ingress: { gateway, workloads: [checkout] } }))
      .toThrow(/^\[c\/zt\] ingress\.workloads\[0\]: a workload in namespace billing is not in shop/);
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'shop', ingress: { gateway, workloads: [MeshWorkload.fromLabels('shop', { tier: 'x' })] } }))
      .toThrow(/^\[c\/zt\] ingress\.workloads: the workload \(tier=x\) has no name or app label/);
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'shop', ingress: { gateway: { ...gateway, serviceAccountName: undefined }, workloads: [web] } }))
      .toThrow(/^\[c\/zt\/allow-ingress-to-web\] spec\.rules\[0\]\.from\[0\]\.source\.principals: the gateway workload/);
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'shop', allowServiceAccounts: ['checkout'] }))
      .toThrow(/^\[c\/zt\] allowServiceAccounts\[0\]: "checkout" is not namespace\/serviceaccount/);
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'shop', allowServiceAccounts: [MeshWorkload.fromLabels('ops', { app: 'x' })] }))
      .toThrow(/^\[c\/zt\] allowServiceAccounts\[0\]: the workload in namespace ops has no service account/);
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'Shop' }))
      .toThrow(/^\[c\/zt\] namespace: "Shop" is not a valid namespace name/);
  });
});

describe('an ingress gateway whose pods live in the closed namespace', () => {
  test('is opened to its clients, once, with an identity-free rule', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const gateway = { namespace: 'shop', selector: { istio: 'shop-gateway' }, serviceAccountName: 'shop-gateway' };
    const zt = new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop', ingress: { gateway, workloads: [MeshWorkload.fromLabels('shop', { app: 'web' })] } });
    zt.allowIngress(gateway, MeshWorkload.fromLabels('shop', { app: 'api' }));
    const policies = synthManifests(chart).filter((m) => m.kind === 'AuthorizationPolicy');
    const open = policies.filter((m) => (m.metadata as { name: string }).name.startsWith('allow-clients-to-gateway'));
    expect(open.map((m) => m.spec)).toEqual([{ action: 'ALLOW', selector: { matchLabels: { istio: 'shop-gateway' } }, rules: [{}] }]);
  });

  test('a gateway in another namespace is left alone', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const gateway = { namespace: 'istio-system', selector: { istio: 'ingressgateway' }, serviceAccountName: 'istio-ingressgateway' };
    new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop', ingress: { gateway, workloads: [MeshWorkload.fromLabels('shop', { app: 'web' })] } });
    expect(synthManifests(chart).map((m) => (m.metadata as { name: string }).name)).not.toContain('allow-clients-to-gateway');
  });
});

describe('the mesh root namespace', () => {
  test('is refused: a selectorless allow-nothing there denies the whole mesh', () => {
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'istio-system' }))
      .toThrow(/^\[c\/zt\] namespace: istio-system is the mesh's root namespace: allow-nothing and STRICT there apply to every namespace/);
    expect(() => new ZeroTrustNamespace(chart(), 'zt', { namespace: 'istio-config', rootNamespace: 'istio-config' }))
      .toThrow(/istio-config is the mesh's root namespace/);
  });

  test('meshWide: true is the explicit opt-in to a mesh-wide deny-by-default', () => {
    const c = chart();
    new ZeroTrustNamespace(c, 'zt', { namespace: 'istio-system', meshWide: true });
    const objs = byName(synthManifests(c));
    expect(objs['AuthorizationPolicy/allow-nothing']).toMatchObject({ metadata: { namespace: 'istio-system' }, spec: {} });
    expect(objs['PeerAuthentication/default']).toMatchObject({ metadata: { namespace: 'istio-system' }, spec: { mtls: { mode: 'STRICT' } } });
  });

  test('two ingress workloads with one name are the pattern\'s error at the prop, not the constructs library\'s', () => {
    const zt = new ZeroTrustNamespace(chart(), 'zt', { namespace: 'shop' });
    const twin = MeshWorkload.fromLabels('shop', { app: 'web', track: 'canary' }, { name: 'web', serviceAccountName: 'web' });
    expect(() => zt.allowIngressWith({ gateway, workloads: [web, twin] }))
      .toThrow(/^\[c\/zt\] ingress\.workloads\[1\]: a workload named web is already opened to the gateway \(ingress\.workloads\[0\]\)/);
  });
});
