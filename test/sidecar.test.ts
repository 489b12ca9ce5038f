import * as kplus from 'cdk8s-plus-28';
import { IstioChart, OutboundTrafficMode, PortProtocol, ServiceEntry, Sidecar, synthManifests, testApp } from '../src';
import { ServiceRef } from '../src/references';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function chart() {
  return new IstioChart(testApp(), 'c', { namespace: 'shop' });
}

function sidecarSpec(c: IstioChart, name = 'default'): Json {
  const sc = synthManifests(c).find((m) => m.kind === 'Sidecar' && (m.metadata as Json).name === name);
  expect(sc).toBeDefined();
  return (sc as Json).spec;
}

describe('Sidecar', () => {
  test('defaults scope egress to the own namespace and the control plane', () => {
    const c = chart();
    new Sidecar(c, 'default');
    expect(sidecarSpec(c)).toEqual({ egress: [{ hosts: ['./*', 'istio-system/*'] }] });
  });

  test('allowEgressTo a ServiceEntry, a Service, a reference and a string, with REGISTRY_ONLY', () => {
    const c = chart();
    const se = new ServiceEntry(c, 'payments', { hosts: ['api.payments.example.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }] });
    const svc = new kplus.Service(c, 'cart', { metadata: { name: 'cart', namespace: 'orders' }, ports: [{ port: 80, name: 'http' }] });
    const sidecar = new Sidecar(c, 'default', { outboundTrafficPolicy: OutboundTrafficMode.REGISTRY_ONLY });
    sidecar.allowEgressTo(se, svc, ServiceRef.fromName('ratings', 'reviews'), '*/api.github.com', './*');
    expect(sidecarSpec(c)).toEqual({
      egress: [{
        hosts: ['./*', 'istio-system/*', 'shop/api.payments.example.com', 'orders/cart.orders.svc.cluster.local',
          'reviews/ratings.reviews.svc.cluster.local', '*/api.github.com'],
      }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
    expect(synthManifests(c)).toMatchSnapshot();
  });

  test('workload selector and a per-port listener, the portless catch-all last as istiod requires', () => {
    const c = chart();
    new Sidecar(c, 'web', { workloadSelector: { namespace: 'shop', selector: { app: 'web' } }, egressHosts: ['./*'] })
      .addEgress({ port: { number: 5432, protocol: PortProtocol.TCP }, hosts: ['data/*'] });
    expect(sidecarSpec(c, 'web')).toEqual({
      workloadSelector: { labels: { app: 'web' } },
      egress: [{ port: { number: 5432, protocol: 'TCP', name: 'tcp-5432' }, hosts: ['data/*'] }, { hosts: ['./*'] }],
    });
  });

  test('wrong input names the construct path and the field', () => {
    const c = chart();
    expect(() => new Sidecar(c, 'a', { egressHosts: ['api.github.com'] })).toThrow(/\[c\/a\] spec\.egress\[last\]\.hosts\[0\]: "api\.github\.com" has no namespace part/);
    expect(() => new Sidecar(c, 'b', { egressHosts: ['*/payments'] })).toThrow(/\[c\/b\] spec\.egress\[last\]\.hosts\[0\]: "\*\/payments" is not a valid host: a short name is ambiguous/);
    expect(() => new Sidecar(c, 'c', { egressHosts: ['Bad_NS/*'] })).toThrow(/\[c\/c\] spec\.egress\[last\]\.hosts\[0\]: "Bad_NS\/\*": "Bad_NS" is not a namespace/);
    expect(() => new Sidecar(c, 'd', { egressHosts: ['*/'] })).toThrow(/\[c\/d\] spec\.egress\[last\]\.hosts\[0\]: "\*\/" is not a valid host: the host is empty/);
    expect(() => new Sidecar(c, 'e', { workloadSelector: { namespace: 'other', selector: { app: 'x' } } })).toThrow(/\[c\/e\] spec\.workloadSelector: the workload is in namespace other/);
    expect(() => new Sidecar(c, 'f').addEgress({ port: { number: 0, protocol: PortProtocol.TCP }, hosts: ['./*'] })).toThrow(/\[c\/f\] spec\.egress\[0\]\.port\.number: 0 is not a port number/);
    expect(() => new Sidecar(c, 'g').addEgress({ hosts: ['./*'] })).toThrow(/\[c\/g\] spec\.egress\[0\]\.port: only the last, catch-all egress listener may omit the port/);
  });
});
