import {
  EgressGateway, EgressRoute, EgressTls, findings, GatewayWorkload, IstioChart, synthManifests, testApp,
} from '../src';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

const EGW = 'istio-egressgateway.istio-system.svc.cluster.local';

function setup() {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  const egressGateway = GatewayWorkload.fromSelector(chart, 'egw', {
    selector: { istio: 'egressgateway' },
    namespace: 'istio-system',
    servicePorts: [80, 443],
    serviceName: 'istio-egressgateway',
  });
  return { chart, egressGateway };
}

function byKind(chart: IstioChart): Record<string, Json[]> {
  const out: Record<string, Json[]> = {};
  for (const m of synthManifests(chart)) {
    (out[m.kind as string] ??= []).push(m as Json);
  }
  return out;
}

describe('EgressRoute', () => {
  test('TLS passthrough (default): ServiceEntry, Gateway, VirtualService by SNI, DestinationRule for the gateway', () => {
    const { chart, egressGateway } = setup();
    const route = new EgressRoute(chart, 'payments', { host: 'api.payments.example.com', egressGateway });
    const k = byKind(chart);
    expect(k.ServiceEntry.map((m) => m.spec)).toEqual([{
      hosts: ['api.payments.example.com'],
      ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    }]);
    expect(k.Gateway).toHaveLength(1);
    expect(k.Gateway[0].metadata).toEqual({ name: 'payments-egress', namespace: 'shop' });
    expect(k.Gateway[0].spec).toEqual({
      selector: { istio: 'egressgateway' },
      servers: [{ port: { number: 443, name: 'tls-443', protocol: 'TLS' }, hosts: ['api.payments.example.com'], tls: { mode: 'PASSTHROUGH' } }],
    });
    expect(k.DestinationRule.map((m) => m.spec)).toEqual([{ host: EGW, subsets: [{ name: 'payments' }] }]);
    expect(k.VirtualService).toHaveLength(1);
    expect(k.VirtualService[0].spec).toEqual({
      hosts: ['api.payments.example.com'],
      gateways: ['shop/payments-egress', 'mesh'],
      tls: [
        {
          match: [{ gateways: ['mesh'], port: 443, sniHosts: ['api.payments.example.com'] }],
          route: [{ destination: { host: EGW, subset: 'payments', port: { number: 443 } } }],
        },
        {
          match: [{ gateways: ['shop/payments-egress'], port: 443, sniHosts: ['api.payments.example.com'] }],
          route: [{ destination: { host: 'api.payments.example.com', port: { number: 443 } } }],
        },
      ],
    });
    expect(route.gatewayRef).toBe('shop/payments-egress');
    expect(route.hostDestinationRule).toBeUndefined();
    // The whole set passes the analysis (gateway found, host on the gateway, subset defined).
    expect(findings(chart).filter((f) => f.severity !== 'info')).toEqual([]);
    expect(synthManifests(chart)).toMatchSnapshot();
  });

  test('TLS origination at the egress gateway, with Istio mTLS from the sidecar to the gateway', () => {
    const { chart, egressGateway } = setup();
    new EgressRoute(chart, 'cnn', {
      host: 'edition.cnn.com',
      egressGateway,
      tls: EgressTls.originate({ caCertificates: '/etc/ssl/certs/ca-certificates.crt' }),
    });
    const k = byKind(chart);
    expect(k.ServiceEntry[0].spec.ports).toEqual([{ number: 80, protocol: 'HTTP', name: 'http-80' }, { number: 443, protocol: 'HTTPS', name: 'https-443' }]);
    expect(k.Gateway[0].spec.servers).toEqual([{ port: { number: 80, name: 'https-80', protocol: 'HTTPS' }, hosts: ['edition.cnn.com'], tls: { mode: 'ISTIO_MUTUAL' } }]);
    const [gatewayDr, hostDr] = k.DestinationRule;
    expect(gatewayDr.metadata.name).toBe('cnn-egress-gateway');
    expect(gatewayDr.spec).toEqual({
      host: EGW,
      subsets: [{ name: 'cnn', trafficPolicy: { portLevelSettings: [{ port: { number: 80 }, tls: { mode: 'ISTIO_MUTUAL', sni: 'edition.cnn.com' } }] } }],
    });
    expect(hostDr.metadata.name).toBe('cnn');
    expect(hostDr.spec).toEqual({
      host: 'edition.cnn.com',
      trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'SIMPLE', caCertificates: '/etc/ssl/certs/ca-certificates.crt', sni: 'edition.cnn.com' } }] },
    });
    expect(k.VirtualService[0].spec.http).toEqual([
      {
        name: 'mesh-to-egress-gateway',
        match: [{ port: 80, gateways: ['mesh'] }],
        route: [{ destination: { host: EGW, subset: 'cnn', port: { number: 80 } } }],
      },
      {
        name: 'egress-gateway-to-host',
        match: [{ port: 80, gateways: ['shop/cnn-egress'] }],
        route: [{ destination: { host: 'edition.cnn.com', port: { number: 443 } } }],
      },
    ]);
    expect(findings(chart).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('works with an EgressGateway deployment owned by the app', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const egw = new EgressGateway(chart, 'egw', { name: 'egress', namespace: 'shop' });
    new EgressRoute(chart, 'payments', { host: 'api.payments.example.com', egressGateway: egw });
    const k = byKind(chart);
    const gateway = k.Gateway.find((g) => g.metadata.name === 'payments-egress') as Json;
    expect(gateway.spec.selector).toEqual({ ...egw.selector });
    const dr = k.DestinationRule.find((d) => d.metadata.name === 'payments-egress-gateway') as Json;
    expect(dr.spec.host).toBe(egw.service?.host);
    expect(findings(chart).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('wrong input names the construct path and the field', () => {
    const { chart, egressGateway } = setup();
    expect(() => new EgressRoute(chart, 'a', { host: 'payments', egressGateway })).toThrow(/\[c\/a\] host: "payments" is not a valid host: a short name is ambiguous/);
    expect(() => new EgressRoute(chart, 'b', { host: '*.example.com', egressGateway })).toThrow(/\[c\/b\] host: "\*\.example\.com" is not an external host/);
    expect(() => new EgressRoute(chart, 'c', { host: 'a.example.com', egressGateway, port: 0 })).toThrow(/\[c\/c\] port: 0 is not a port number/);
    expect(() => new EgressRoute(chart, 'd', { host: 'a.example.com', egressGateway, gatewayPort: 8443 }))
      .toThrow(/\[c\/d\] gatewayPort: the egress gateway's Service exposes 80, 443, not 8443/);
    expect(() => new EgressRoute(chart, 'e', { host: 'a.example.com', egressGateway: { namespace: 'istio-system', selector: { istio: 'egressgateway' } } }))
      .toThrow(/\[c\/e\] egressGateway\.service: the egress gateway has no Service/);
    expect(() => new EgressRoute(chart, 'Bad_Name', { host: 'a.example.com', egressGateway })).toThrow(/\[c\/Bad_Name\] name: "Bad_Name" is not a valid name/);
  });
});
