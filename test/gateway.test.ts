import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';
import { Certificate, CertificateIssuer } from '../src/certificate';
import { IstioDuration } from '../src/duration';
import { Gateway } from '../src/gateway';
import { GatewayTls, Server, TlsMinVersion } from '../src/gateway-server';
import { GatewayWorkload } from '../src/gateway-workload';
import { HttpsRedirect, RedirectStatus } from '../src/https-redirect';
import { IngressGateway } from '../src/ingress-gateway';
import { IstioChart } from '../src/istio-chart';
import { ServiceRef } from '../src/references';
import { findings, synthManifests, testApp } from '../src/testing';

function setup() {
  const app = testApp();
  const edge = new IstioChart(app, 'edge', { namespace: 'istio-ingress' });
  const ingress = new IngressGateway(edge, 'ingress', { name: 'istio-ingress' });
  const c = new IstioChart(app, 'c', { namespace: 'shop' });
  return { app, edge, ingress, c };
}

type Manifest = Json & { metadata: { name: string; namespace?: string }; spec: Json };
const ofKind = (manifests: Json[], kind: string) => manifests.filter((m) => m.kind === kind) as Manifest[];
const servers = (gw: Json) => (gw.spec as { servers: Json[] }).servers;

describe('Gateway', () => {
  test('selects its gateway deployment by reference and serves HTTPS with TLS 1.2 stated explicitly', () => {
    const { c, ingress } = setup();
    const gw = new Gateway(c, 'shop-gateway', {
      workload: ingress,
      servers: [Server.https({ hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') })],
    });
    const manifests = synthManifests(c);
    expect(manifests).toEqual([{
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'shop-gateway', namespace: 'shop' },
      spec: {
        selector: { app: 'istio-ingress', istio: 'ingress' },
        servers: [{
          port: { number: 443, name: 'https-443', protocol: 'HTTPS' },
          hosts: ['shop.example.com'],
          tls: { mode: 'SIMPLE', credentialName: 'shop-tls', minProtocolVersion: 'TLSV1_2' },
        }],
      },
    }]);
    expect(gw.gatewayRef).toBe('shop/shop-gateway');
    expect(manifests).toMatchSnapshot();
  });

  test.each([
    ['MUTUAL', GatewayTls.mutual('mtls-cred', { subjectAltNames: ['spiffe://partner/client'], caCertCredentialName: 'partner-ca' }),
      { mode: 'MUTUAL', credentialName: 'mtls-cred', minProtocolVersion: 'TLSV1_2', subjectAltNames: ['spiffe://partner/client'], caCertCredentialName: 'partner-ca' }],
    ['OPTIONAL_MUTUAL', GatewayTls.optionalMutual('opt-cred'), { mode: 'OPTIONAL_MUTUAL', credentialName: 'opt-cred', minProtocolVersion: 'TLSV1_2' }],
    ['SIMPLE with TLS 1.3 and ciphers', GatewayTls.simple('c13', { minProtocolVersion: TlsMinVersion.TLS_1_3, cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] }),
      { mode: 'SIMPLE', credentialName: 'c13', minProtocolVersion: 'TLSV1_3', cipherSuites: ['ECDHE-ECDSA-AES256-GCM-SHA384'] }],
    ['PASSTHROUGH', GatewayTls.passthrough(), { mode: 'PASSTHROUGH' }],
  ])('HTTPS with %s', (_name, tls, expected) => {
    const { c, ingress } = setup();
    new Gateway(c, 'gw', { workload: ingress, servers: [Server.https({ hosts: ['a.example.com'], tls })] });
    expect(servers(ofKind(synthManifests(c), 'Gateway')[0])[0].tls).toEqual(expected);
  });

  test('TLS servers: auto passthrough and Istio mTLS carry no certificate or protocol fields; TCP has no TLS', () => {
    const { c, ingress } = setup();
    new Gateway(c, 'gw', {
      workload: ingress,
      servers: [
        Server.tls({ hosts: ['*.local'], port: 15443, tls: GatewayTls.autoPassthrough() }),
        Server.tls({ hosts: ['*'], port: 15012, tls: GatewayTls.istioMutual() }),
        Server.tcp({ port: 5432 }),
      ],
    });
    expect(servers(ofKind(synthManifests(c), 'Gateway')[0])).toEqual([
      { port: { number: 15443, name: 'tls-15443', protocol: 'TLS' }, hosts: ['*.local'], tls: { mode: 'AUTO_PASSTHROUGH' } },
      { port: { number: 15012, name: 'tls-15012', protocol: 'TLS' }, hosts: ['*'], tls: { mode: 'ISTIO_MUTUAL' } },
      { port: { number: 5432, name: 'tcp-5432', protocol: 'TCP' }, hosts: ['*'] },
    ]);
  });

  test('the httpsRedirect flag on an HTTP server; namespace/host hosts', () => {
    const { c, ingress } = setup();
    new Gateway(c, 'gw', {
      workload: ingress,
      servers: [Server.http({ hosts: ['shop/shop.example.com', './*.shop.example.com', '*/api.example.com'], httpsRedirect: true })],
    });
    expect(servers(ofKind(synthManifests(c), 'Gateway')[0])).toEqual([{
      port: { number: 80, name: 'http-80', protocol: 'HTTP' },
      hosts: ['shop/shop.example.com', './*.shop.example.com', '*/api.example.com'],
      tls: { httpsRedirect: true },
    }]);
  });

  test('matchSni off writes `*` for load balancers that drop SNI, and the certificate still covers the real names', () => {
    const { c, ingress } = setup();
    new Gateway(c, 'gw', {
      workload: ingress,
      servers: [Server.https({
        hosts: ['kf.example.com'], matchSni: false, tls: GatewayTls.simple('kf-tls'),
        certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt') },
      })],
    });
    const manifests = synthManifests(App(c));
    expect(servers(ofKind(manifests, 'Gateway')[0])[0].hosts).toEqual(['*']);
    expect(ofKind(manifests, 'Certificate')[0].spec.dnsNames).toEqual(['kf.example.com']);
  });

  test('addServer after construction lands in the output, with unique port names per port', () => {
    const { c, ingress } = setup();
    const gw = new Gateway(c, 'gw', { workload: ingress, servers: [Server.https({ hosts: ['a.example.com'], tls: GatewayTls.simple('a-tls') })] });
    gw.addServer(Server.https({ hosts: ['b.example.com'], tls: GatewayTls.simple('b-tls') }));
    gw.addServer(Server.http({ hosts: ['a.example.com'], portName: 'https-443-2', name: 'plain' }));
    expect(servers(ofKind(synthManifests(c), 'Gateway')[0]).map((s) => (s.port as Json).name)).toEqual(['https-443', 'https-443-3', 'https-443-2']);
  });

  test('a Gateway with no server fails synth', () => {
    const { c, ingress } = setup();
    new Gateway(c, 'gw', { workload: ingress });
    expect(findings(c).filter((f) => f.severity === 'error')).toEqual([
      expect.objectContaining({ code: 'CKI0001', constructPath: 'c/gw', field: 'spec.servers', message: 'the Gateway has no servers', fix: 'pass servers or call addServer()' }),
    ]);
  });

  test('Gateway.fromName declares a Gateway outside the app', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const ref = Gateway.fromName(c, 'istio-system', 'shared-gateway');
    expect(ref.gatewayRef).toBe('istio-system/shared-gateway');
    expect(MeshContext.of(c).isExternalGateway('istio-system/shared-gateway')).toBe(true);
    expect(() => Gateway.fromName(c, 'istio-system', 'Bad')).toThrow(/\[c\] name: "Bad" is not a valid Gateway name/);
  });
});

describe('Gateway: wrong input names the construct path and the field', () => {
  const build = (server: () => Server) => () => {
    const { c, ingress } = setup();
    new Gateway(c, 'gw', { workload: ingress, servers: [server()] });
  };

  test('an HTTPS server without a credential', () => {
    expect(build(() => Server.https({ hosts: ['a.example.com'], tls: GatewayTls.simple('') })))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.tls\.credentialName: SIMPLE TLS needs a certificate and none is named/);
    expect(build(() => Server.https({ hosts: ['a.example.com'] } as unknown as Parameters<typeof Server.https>[0])))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.tls: an HTTPS server needs TLS settings/);
    expect(build(() => Server.https({ hosts: ['a.example.com'], tls: GatewayTls.mutual('Not A Secret') })))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.tls\.credentialName: "Not A Secret" is not a valid Secret name/);
  });

  test.each([
    ['a short name', 'shop', /hosts\[0\]: "shop" is not a valid host: a short name is ambiguous/],
    ['a wildcard in the middle', 'a.*.example.com', /hosts\[0\]: "a\.\*\.example\.com" is not a valid host: a wildcard may only stand at the start/],
    ['a bad namespace part', 'Team_A/a.example.com', /hosts\[0\]: "Team_A\/a\.example\.com": "Team_A" is not a namespace/],
    ['an empty label', 'a..example.com', /hosts\[0\]: "a\.\.example\.com" is not a valid host: the host has an empty label/],
  ])('a bad host: %s', (_name, host, pattern) => {
    expect(build(() => Server.http({ hosts: [host] }))).toThrow(new RegExp(`\\[c/gw\\] spec\\.servers\\[0\\]\\.${pattern.source}`));
  });

  test('`*` on an HTTPS server only with the opt-in', () => {
    expect(build(() => Server.https({ hosts: ['*'], tls: GatewayTls.simple('any') })))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.hosts\[0\]: an HTTPS server for any host .*fix: list the hostnames, or pass allowAnyHost: true/);
    expect(build(() => Server.https({ hosts: ['ns/*'], tls: GatewayTls.simple('any') }))).toThrow(/hosts\[0\]: an HTTPS server for any host/);
    expect(build(() => Server.https({ hosts: ['*'], tls: GatewayTls.simple('any'), allowAnyHost: true }))).not.toThrow();
    expect(build(() => Server.http({ hosts: ['*'] }))).not.toThrow();
  });

  test('no hosts, bad ports, matchSni off with passthrough, certificates for servers without one', () => {
    expect(build(() => Server.http({ hosts: [] }))).toThrow(/\[c\/gw\] spec\.servers\[0\]\.hosts: the server has no hosts/);
    expect(build(() => Server.tcp({ port: 0 }))).toThrow(/\[c\/gw\] spec\.servers\[0\]\.port\.number: 0 is not a port number/);
    expect(build(() => Server.https({ hosts: ['a.example.com'], tls: GatewayTls.passthrough(), matchSni: false })))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.hosts: matchSni: false leaves PASSTHROUGH nothing to route on/);
    expect(build(() => Server.tls({ hosts: ['a.example.com'], tls: GatewayTls.passthrough(), certificate: { issuer: CertificateIssuer.issuer('ca') } })))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.tls\.credentialName: a certificate was requested for a server that holds none/);
    expect(build(() => Server.https({ hosts: ['*'], allowAnyHost: true, tls: GatewayTls.simple('x'), certificate: { issuer: CertificateIssuer.issuer('ca') } })))
      .toThrow(/\[c\/gw\] spec\.servers\[0\]\.hosts: a certificate cannot cover `\*`/);
  });

  test('duplicate port names or server names', () => {
    const { c, ingress } = setup();
    const gw = new Gateway(c, 'gw', { workload: ingress, servers: [Server.http({ hosts: ['a.example.com'], portName: 'web', name: 'one' })] });
    expect(() => gw.addServer(Server.http({ hosts: ['b.example.com'], port: 8080, portName: 'web' }))).toThrow(/\[c\/gw\] spec\.servers\[1\]\.port\.name: port name web is used by another server/);
    expect(() => gw.addServer(Server.http({ hosts: ['b.example.com'], port: 8080, name: 'one' }))).toThrow(/\[c\/gw\] spec\.servers\[1\]\.name: server name one is used twice/);
    expect(() => gw.addServer(Server.http({ hosts: ['b.example.com'], portName: 'Web' }))).toThrow(/\[c\/gw\] spec\.servers\[1\]\.port\.name: "Web" is not a valid port name/);
  });
});

describe('cert-manager Certificate for a server', () => {
  test('is created in the gateway pods\' namespace with the credentialName as secretName and the hosts as DNS names', () => {
    const { app, c, ingress } = setup();
    ingress.addPort({ name: 'https-alt', port: 8443 });
    new Gateway(c, 'gw', {
      workload: ingress,
      servers: [
        Server.https({ hosts: ['shop/shop.example.com', '*.shop.example.com'], tls: GatewayTls.simple('shop-tls'),
          certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt-prod'), duration: IstioDuration.hours(2160), renewBefore: IstioDuration.hours(360) } }),
        Server.https({ hosts: ['api.example.com'], port: 8443, tls: GatewayTls.simple('shop-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('letsencrypt-prod') } }),
      ],
    });
    const manifests = synthManifests(app);
    const certs = ofKind(manifests, 'Certificate');
    expect(certs).toEqual([{
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: 'shop-tls', namespace: 'istio-ingress' },
      spec: {
        secretName: 'shop-tls',
        dnsNames: ['shop.example.com', '*.shop.example.com', 'api.example.com'],
        issuerRef: { name: 'letsencrypt-prod', kind: 'ClusterIssuer', group: 'cert-manager.io' },
        duration: '7776000s',
        renewBefore: '1296000s',
        privateKey: { rotationPolicy: 'Always' },
      },
    }]);
    expect(certs).toMatchSnapshot();
    expect(findings(app).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('two servers asking different issuers for one Secret are refused', () => {
    const { c, ingress } = setup();
    const gw = new Gateway(c, 'gw', { workload: ingress, servers: [Server.https({ hosts: ['a.example.com'], tls: GatewayTls.simple('t'), certificate: { issuer: CertificateIssuer.issuer('a') } })] });
    expect(() => gw.addServer(Server.https({ hosts: ['b.example.com'], port: 8443, tls: GatewayTls.simple('t'), certificate: { issuer: CertificateIssuer.issuer('b') } })))
      .toThrow(/\[c\/gw\] spec\.servers\[1\]\.tls\.credentialName: two servers request certificates for Secret t from different issuers/);
  });

  test('the Certificate construct on its own validates its fields', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'istio-ingress' });
    const cert = new Certificate(c, 'cert', { secretName: 'x-tls', issuer: CertificateIssuer.external('pca', 'AWSPCAClusterIssuer', 'awspca.cert-manager.io') });
    cert.addDnsName('x.example.com');
    cert.addDnsName('x.example.com');
    expect(ofKind(synthManifests(c), 'Certificate')[0].spec).toMatchObject({ dnsNames: ['x.example.com'], issuerRef: { kind: 'AWSPCAClusterIssuer', group: 'awspca.cert-manager.io' } });
    expect(() => new Certificate(c, 'bad', { secretName: 'Bad', issuer: CertificateIssuer.issuer('a') })).toThrow(/\[c\/bad\] spec\.secretName: "Bad" is not a valid Secret name/);
    expect(() => cert.addDnsName('*')).toThrow(/\[c\/cert\] spec\.dnsNames: "\*" is not a valid host: `\*` matches every host/);
    expect(() => cert.addDnsName('*foo.example.com')).toThrow(/\[c\/cert\] spec\.dnsNames: "\*foo\.example\.com": a certificate wildcard covers one whole label/);
    expect(() => new Certificate(c, 'r', { secretName: 'r', issuer: CertificateIssuer.issuer('a'), dnsNames: ['r.example.com'], duration: IstioDuration.hours(1), renewBefore: IstioDuration.hours(2) }))
      .toThrow(/\[c\/r\] spec\.renewBefore/);
    const empty = new IstioChart(testApp(), 'e', { namespace: 'x' });
    new Certificate(empty, 'none', { secretName: 'n', issuer: CertificateIssuer.issuer('a') });
    expect(findings(empty)).toEqual([expect.objectContaining({ code: 'CKI0001', field: 'spec.dnsNames', message: 'the certificate covers no name' })]);
  });
});

describe('HttpsRedirect (deployKF pattern)', () => {
  test('a separate HTTP Gateway limited to its namespace, and a VirtualService redirecting with the chosen code and port', () => {
    const { c, ingress } = setup();
    const redirect = new HttpsRedirect(c, 'https-redirect', {
      workload: ingress, hosts: ['shop.example.com', '*.shop.example.com'], statusCode: RedirectStatus.TEMPORARY_REDIRECT, httpsPort: 8443,
    });
    const manifests = synthManifests(c);
    expect(manifests).toEqual([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'Gateway',
        metadata: { name: 'https-redirect', namespace: 'shop' },
        spec: {
          selector: { app: 'istio-ingress', istio: 'ingress' },
          servers: [{ port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['shop/shop.example.com', 'shop/*.shop.example.com'] }],
        },
      },
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'https-redirect', namespace: 'shop' },
        spec: {
          hosts: ['shop.example.com', '*.shop.example.com'],
          gateways: ['shop/https-redirect'],
          http: [{ name: 'https-redirect', redirect: { scheme: 'https', port: 8443, redirectCode: 307 } }],
        },
      },
    ]);
    expect(redirect.gatewayRef).toBe('shop/https-redirect');
    expect(manifests).toMatchSnapshot();
  });

  test('defaults: port 80, 301 to 443', () => {
    const { c, ingress } = setup();
    new HttpsRedirect(c, 'r', { workload: ingress, hosts: ['a.example.com'] });
    const [vs] = ofKind(synthManifests(c), 'VirtualService');
    expect((vs.spec.http as Json[])[0].redirect).toEqual({ scheme: 'https', port: 443, redirectCode: 301 });
  });

  test('with the redirect off it routes plain HTTP, or leaves the Gateway for your own VirtualServices', () => {
    const { c, ingress } = setup();
    new HttpsRedirect(c, 'plain', { workload: ingress, hosts: ['a.example.com'], port: 8080, redirect: false,
      plainHttpTo: { service: ServiceRef.fromName('web', 'shop'), port: 80 } });
    new HttpsRedirect(c, 'bare', { workload: ingress, hosts: ['b.example.com'], port: 8081, redirect: false });
    const manifests = synthManifests(c);
    const vss = ofKind(manifests, 'VirtualService');
    expect(vss).toHaveLength(1);
    expect(vss[0].spec.http).toEqual([{ name: 'plain-http', route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 80 } } }] }]);
    expect(ofKind(manifests, 'Gateway').map((g) => g.metadata.name)).toEqual(['plain', 'bare']);
  });

  test('wrong input names the construct path and the field', () => {
    const { c, ingress } = setup();
    expect(() => new HttpsRedirect(c, 'a', { workload: ingress, hosts: ['shop'] })).toThrow(/\[c\/a\] hosts\[0\]: "shop" is not a valid host: a short name is ambiguous/);
    expect(() => new HttpsRedirect(c, 'b', { workload: ingress, hosts: [] })).toThrow(/\[c\/b\] hosts: no hosts/);
    expect(() => new HttpsRedirect(c, 'd', { workload: ingress, hosts: ['a.example.com'], httpsPort: 0 })).toThrow(/\[c\/d\] httpsPort: 0 is not a port number/);
    expect(() => new HttpsRedirect(c, 'e', { workload: ingress, hosts: ['a.example.com'], plainHttpTo: { service: ServiceRef.fromName('web', 'shop') } }))
      .toThrow(/\[c\/e\] plainHttpTo: a plain HTTP route is set but the redirect is on/);
    expect(() => new HttpsRedirect(c, 'f', { workload: ingress, hosts: ['a.example.com'], statusCode: 200 as RedirectStatus })).toThrow(/\[c\/f\] statusCode: 200 is not a redirect status/);
  });
});

describe('a Gateway on a brought-your-own gateway', () => {
  test('selects it by its labels and passes the analysis', () => {
    const c = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const shared = GatewayWorkload.fromSelector(c, 'shared-ingress', { selector: { istio: 'ingressgateway' }, servicePorts: [80, 443] });
    new Gateway(c, 'gw', { workload: shared, servers: [Server.https({ hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') })] });
    const [gw] = ofKind(synthManifests(c), 'Gateway');
    expect(gw.spec.selector).toEqual({ istio: 'ingressgateway' });
    expect(findings(c)).toEqual([]);
  });
});

/** The app of a chart, for synthManifests over every chart. */
function App(chart: IstioChart) {
  return chart.node.root as ReturnType<typeof testApp>;
}
