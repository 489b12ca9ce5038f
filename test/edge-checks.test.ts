import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { MeshContext } from '../src/mesh-context';
import { Finding } from '../src/analysis/finding';
import { CKI2001, CKI2002 } from '../src/analysis/checks/edge';
import { GatewayServiceType } from '../src/gateway-deployment';
import { Gateway } from '../src/gateway';
import { GatewayTls, Server } from '../src/gateway-server';
import { GatewayWorkload } from '../src/gateway-workload';
import { CertificateIssuer } from '../src/certificate';
import { EgressGateway } from '../src/egress-gateway';
import { GatewayScaling } from '../src/gateway-deployment';
import { IngressGateway } from '../src/ingress-gateway';
import { InjectionMode } from '../src/injection';
import { IstioChart } from '../src/istio-chart';
import * as l1 from '../src/l1';
import { MeshNamespace } from '../src/mesh-namespace';
import { findings, testApp } from '../src/testing';
import { suppress } from '../src/analysis/suppressions';

function chart(namespace = 'istio-ingress') {
  return new IstioChart(testApp(), 'c', { namespace });
}

/** Findings of one code, without the unrelated ones other checks raise. */
function only(c: IstioChart, code: string): Finding[] {
  return findings(c).filter((f) => f.code === code);
}

/** A bare Deployment (as a Helm chart or hand-written YAML would give) with an `image: auto` proxy. */
function autoDeployment(scope: Construct, id: string, labels: Record<string, string>, namespace?: string, annotations?: Record<string, string>) {
  return new k8s.KubeDeployment(scope, id, {
    metadata: { name: id, ...(namespace ? { namespace } : {}) },
    spec: {
      selector: { matchLabels: { app: id } },
      template: {
        metadata: { labels: { app: id, ...labels }, ...(annotations ? { annotations } : {}) },
        spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] },
      },
    },
  });
}

function rawGateway(scope: Construct, id: string, selector: Record<string, string>, serversSpec: l1.GatewaySpecServers[], namespace?: string) {
  return new l1.Gateway(scope, id, { metadata: { name: id, ...(namespace ? { namespace } : {}) }, spec: { selector, servers: serversSpec } });
}

const http = (port: number, hosts: string[]): l1.GatewaySpecServers => ({ port: { number: port, name: `http-${port}`, protocol: 'HTTP' }, hosts });
const https = (port: number, hosts: string[], credentialName: string): l1.GatewaySpecServers => ({
  port: { number: port, name: `https-${port}`, protocol: 'HTTPS' },
  hosts,
  tls: { mode: l1.GatewaySpecServersTlsMode.SIMPLE, credentialName },
});

describe('IST0147: a pod with image auto that no injector takes', () => {
  test('an IngressGateway in a namespace with injection disabled is an error', () => {
    const c = chart();
    new MeshNamespace(c, 'ns', { name: 'istio-ingress', injection: InjectionMode.disabled() });
    new IngressGateway(c, 'gw');
    expect(only(c, 'IST0147')).toEqual([expect.objectContaining({
      severity: 'error', constructPath: 'c/gw/Deployment', object: 'Deployment istio-ingress/gw', field: 'metadata.namespace',
      message: expect.stringMatching(/istio-injection=disabled, which wins over the pod's own labels/),
    })]);
  });

  test('an existing namespace declared disabled is caught too', () => {
    const c = chart();
    new IngressGateway(c, 'gw', { namespace: MeshNamespace.fromExisting(c, 'legacy', InjectionMode.disabled()) });
    expect(only(c, 'IST0147').map((f) => f.object)).toEqual(['Deployment legacy/gw']);
  });

  test.each([
    ['enabled', InjectionMode.enabled()],
    ['no label', InjectionMode.none()],
    ['ambient', InjectionMode.ambient()],
    ['a revision', InjectionMode.revision('stable')],
  ])('a namespace with %s injection passes', (_name, mode) => {
    const c = chart();
    const ns = new MeshNamespace(c, 'ns', { name: 'istio-ingress', injection: mode });
    new IngressGateway(c, 'gw', { namespace: ns });
    expect(only(c, 'IST0147')).toEqual([]);
  });

  test('a namespace the app does not know is not reported', () => {
    const c = chart('somewhere');
    autoDeployment(c, 'raw', {});
    expect(only(c, 'IST0147')).toEqual([]);
  });

  test('a hand-written Deployment that does not ask for injection in a known namespace is an error', () => {
    const c = chart();
    new MeshNamespace(c, 'ns', { name: 'istio-ingress' });
    autoDeployment(c, 'raw', {});
    autoDeployment(c, 'asking', { 'sidecar.istio.io/inject': 'true' });
    expect(only(c, 'IST0147')).toEqual([expect.objectContaining({
      constructPath: 'c/raw', field: 'spec.template.metadata.labels', message: expect.stringMatching(/neither namespace istio-ingress nor the pod asks for injection/),
    })]);
  });

  test('a pod that opts out is an error; a bare Pod names its own metadata', () => {
    const c = chart();
    new MeshNamespace(c, 'ns', { name: 'istio-ingress', injection: InjectionMode.enabled() });
    autoDeployment(c, 'optout', {}, undefined, { 'sidecar.istio.io/inject': 'false' });
    new k8s.KubePod(c, 'pod', { metadata: { name: 'pod', labels: { 'sidecar.istio.io/inject': 'false' } }, spec: { containers: [{ name: 'istio-proxy', image: 'auto' }] } });
    expect(only(c, 'IST0147').map((f) => [f.constructPath, f.field])).toEqual([['c/optout', 'spec.template.metadata'], ['c/pod', 'metadata']]);
  });

  test('a revision-only install: a gateway without a revision is an error, one with an installed revision passes', () => {
    const c = chart();
    MeshContext.of(c).declareInstall({ hasDefaultInjector: false, revisions: ['1-30-3', 'stable'] });
    new MeshNamespace(c, 'ns', { name: 'istio-ingress' });
    new IngressGateway(c, 'plain');
    new IngressGateway(c, 'pinned', { revision: 'stable' });
    new IngressGateway(c, 'unknown', { revision: 'canary' });
    const f = only(c, 'IST0147');
    expect(f.map((x) => [x.constructPath, x.field])).toEqual([
      ['c/plain/Deployment', 'metadata.namespace'],
      ['c/unknown/Deployment', 'spec.template.metadata.labels'],
    ]);
    expect(f[0].message).toMatch(/the mesh install is revision-only/);
    expect(f[1].message).toMatch(/revision canary, which the mesh install does not have \(revisions: 1-30-3, stable\)/);
  });

  test('a revision namespace in a revision-only install decides for the pod', () => {
    const c = chart();
    MeshContext.of(c).declareInstall({ hasDefaultInjector: false, revisions: ['stable'] });
    const good = new MeshNamespace(c, 'good', { injection: InjectionMode.revision('stable') });
    const gone = new MeshNamespace(c, 'gone', { injection: InjectionMode.revision('old') });
    new EgressGateway(c, 'e1', { namespace: good });
    new EgressGateway(c, 'e2', { namespace: gone });
    expect(only(c, 'IST0147').map((x) => x.object)).toEqual(['Deployment gone/e2']);
  });

  test('with no revisions declared, a revision label is trusted', () => {
    const c = chart();
    new MeshNamespace(c, 'ns', { name: 'istio-ingress' });
    new IngressGateway(c, 'gw', { revision: 'anything' });
    expect(only(c, 'IST0147')).toEqual([]);
  });
});

describe('IST0101: a Gateway selecting no gateway pods', () => {
  test('a raw Gateway whose selector matches nothing in the app is an error', () => {
    const c = chart('shop');
    rawGateway(c, 'orphan', { istio: 'nothing' }, [http(80, ['a.example.com'])]);
    expect(only(c, 'IST0101')).toEqual([expect.objectContaining({
      severity: 'error', constructPath: 'c/orphan', field: 'spec.selector', message: expect.stringMatching(/selector istio=nothing matches no gateway pods/),
    })]);
  });

  test('an owned gateway, a brought-your-own gateway, or a Gateway declared external passes', () => {
    const app = testApp();
    const edge = new IstioChart(app, 'edge', { namespace: 'istio-ingress' });
    const owned = new IngressGateway(edge, 'gw');
    const c = new IstioChart(app, 'c', { namespace: 'shop' });
    GatewayWorkload.fromSelector(c, 'byo', { selector: { istio: 'shared' } });
    new Gateway(c, 'on-owned', { workload: owned, servers: [Server.http({ hosts: ['a.example.com'] })] });
    rawGateway(c, 'on-byo', { istio: 'shared' }, [http(80, ['b.example.com'])]);
    Gateway.fromName(c, 'shop', 'declared');
    rawGateway(c, 'declared', { istio: 'elsewhere' }, [http(80, ['c.example.com'])]);
    expect(findings(app).filter((f) => f.code === 'IST0101')).toEqual([]);
  });
});

describe('IST0162: a Gateway port the gateway Service does not expose', () => {
  test('a port missing from the Service is a warning', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw');
    new Gateway(c, 'g', { workload: gw, servers: [Server.http({ hosts: ['a.example.com'], port: 8080 }), Server.http({ hosts: ['a.example.com'] })] });
    expect(only(c, 'IST0162')).toEqual([expect.objectContaining({
      severity: 'warning', constructPath: 'c/g/Resource', field: 'spec.servers[0].port.number',
      message: 'port 8080 is not served: the gateway Service exposes port(s) 80, 443, 15021',
    })]);
  });

  test('a Service port and its numeric targetPort both pass, as in istioctl (gateway.go collects target ports and maps ports onto them)', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw', { ports: [{ name: 'http2', port: 80, targetPort: 8080 }] });
    new Gateway(c, 'g', { workload: gw, servers: [
      Server.http({ hosts: ['a.example.com'], port: 80 }),
      Server.http({ hosts: ['b.example.com'], port: 8080, portName: 'direct' }),
      Server.http({ hosts: ['c.example.com'], port: 9090, portName: 'neither' }),
    ] });
    expect(only(c, 'IST0162')).toEqual([expect.objectContaining({
      severity: 'warning', field: 'spec.servers[2].port.number',
      message: 'port 9090 is not served: the gateway Service exposes port(s) 80, 15021 with target port(s) 8080',
    })]);
  });

  test('deployKF\'s layout is clean: servers on 8080/8443 behind Service ports 80/443, in the app or declared', () => {
    const c = chart('shop');
    const gw = new IngressGateway(c, 'gw', { ports: [{ name: 'http', port: 80, targetPort: 8080 }, { name: 'https', port: 443, targetPort: 8443 }] });
    new Gateway(c, 'owned', { workload: gw, servers: [Server.http({ hosts: ['a.example.com'], port: 8080 })] });
    const byo = GatewayWorkload.fromSelector(c, 'byo', { selector: { app: 'deploykf-gateway' }, servicePorts: [80, 443], targetPorts: [8080, 8443] });
    new Gateway(c, 'declared', { workload: byo, servers: [Server.http({ hosts: ['b.example.com'], port: 8080 }), Server.http({ hosts: ['c.example.com'], port: 80, portName: 'svc' })] });
    expect(only(c, 'IST0162')).toEqual([]);
  });

  test('gateway pods with no Service in the app', () => {
    const c = chart();
    new MeshNamespace(c, 'ns', { name: 'istio-ingress', injection: InjectionMode.enabled() });
    autoDeployment(c, 'bare', { istio: 'bare' });
    rawGateway(c, 'g', { istio: 'bare' }, [http(80, ['a.example.com'])]);
    expect(only(c, 'IST0162')).toEqual([expect.objectContaining({ message: 'port 80 is not served: no Service in the app selects the gateway pods' })]);
  });

  test('a brought-your-own gateway is checked against its declared ports, and skipped when they are unknown', () => {
    const c = chart('shop');
    const known = GatewayWorkload.fromSelector(c, 'known', { selector: { istio: 'known' }, servicePorts: [80, 443] });
    const unknown = GatewayWorkload.fromSelector(c, 'unknown', { selector: { istio: 'unknown' } });
    new Gateway(c, 'g1', { workload: known, servers: [Server.http({ hosts: ['a.example.com'], port: 8080 }), Server.http({ hosts: ['a.example.com'], port: 80 })] });
    new Gateway(c, 'g2', { workload: unknown, servers: [Server.http({ hosts: ['b.example.com'], port: 8080 })] });
    expect(only(c, 'IST0162').map((f) => [f.constructPath, f.field])).toEqual([['c/g1/Resource', 'spec.servers[0].port.number']]);
  });

  test('a Service in another namespace does not serve the pods', () => {
    const app = testApp();
    const c = new IstioChart(app, 'c', { namespace: 'istio-ingress' });
    new IngressGateway(c, 'gw', { selectorLabels: { istio: 'x' }, ports: [{ name: 'http2', port: 80 }] });
    new k8s.KubeService(c, 'other-ns', { metadata: { name: 'other', namespace: 'elsewhere' }, spec: { selector: { istio: 'x' }, ports: [{ port: 9090 }] } });
    rawGateway(c, 'g', { istio: 'x' }, [http(9090, ['a.example.com'])]);
    expect(findings(app).filter((f) => f.code === 'IST0162').map((f) => f.message)).toEqual(['port 9090 is not served: the gateway Service exposes port(s) 80, 15021']);
  });
});

describe('IST0145: conflicting Gateways', () => {
  function edge() {
    const c = chart('shop');
    GatewayWorkload.fromSelector(c, 'byo', { selector: { istio: 'ingressgateway' } });
    return c;
  }
  const sel = { istio: 'ingressgateway' };

  test('same selector, same port, same host on two Gateways: both are reported', () => {
    const c = edge();
    rawGateway(c, 'a', sel, [https(443, ['shop.example.com'], 'a-tls')]);
    rawGateway(c, 'b', sel, [https(443, ['shop.example.com'], 'b-tls')]);
    const f = only(c, 'IST0145');
    expect(f.map((x) => [x.constructPath, x.field, x.severity])).toEqual([['c/a', 'spec.servers[0]', 'error'], ['c/b', 'spec.servers[0]', 'error']]);
    expect(f[0].message).toMatch(/port 443 hosts shop\.example\.com overlap with Gateway shop\/b on the same selector \(istio=ingressgateway\)/);
  });

  test.each([
    ['a wildcard covering a name', '*.example.com', 'shop.example.com'],
    ['two wildcards, one covering the other', '*.example.com', '*.shop.example.com'],
    ['any host', '*', 'shop.example.com'],
    ['the same name with namespace parts that overlap', '*/shop.example.com', 'shop/shop.example.com'],
  ])('overlap: %s', (_name, h1, h2) => {
    const c = edge();
    rawGateway(c, 'a', sel, [http(80, [h1])]);
    rawGateway(c, 'b', sel, [http(80, [h2])]);
    expect(only(c, 'IST0145')).toHaveLength(2);
  });

  test.each([
    ['different ports', [http(80, ['a.example.com'])], [http(8080, ['a.example.com'])], sel],
    ['different hosts', [http(80, ['a.example.com'])], [http(80, ['b.example.com'])], sel],
    ['a wildcard that does not cover the name', [http(80, ['*.example.com'])], [http(80, ['example.com'])], sel],
    ['different selectors', [http(80, ['a.example.com'])], [http(80, ['a.example.com'])], { istio: 'other' }],
    ['HTTP hosts limited to different namespaces', [http(80, ['team-a/*'])], [http(80, ['team-b/*'])], sel],
  ])('no conflict: %s', (_name, s1, s2, sel2) => {
    const c = edge();
    GatewayWorkload.fromSelector(c, 'other', { selector: { istio: 'other' } });
    rawGateway(c, 'a', sel, s1);
    rawGateway(c, 'b', sel2, s2);
    expect(only(c, 'IST0145')).toEqual([]);
  });

  test('TLS hosts are SNI names: namespace parts do not keep them apart', () => {
    const c = edge();
    rawGateway(c, 'a', sel, [https(443, ['team-a/shop.example.com'], 'a')]);
    rawGateway(c, 'b', sel, [https(443, ['team-b/shop.example.com'], 'b')]);
    expect(only(c, 'IST0145')).toHaveLength(2);
  });

  test('servers of one Gateway never conflict with each other', () => {
    const c = edge();
    rawGateway(c, 'a', sel, [http(80, ['a.example.com']), http(80, ['a.example.com'])]);
    expect(only(c, 'IST0145')).toEqual([]);
  });

  test('many conflicting Gateways are summarised', () => {
    const c = edge();
    for (let i = 0; i < 8; i++) {
      rawGateway(c, `g${i}`, sel, [http(80, ['*'])]);
    }
    const f = only(c, 'IST0145');
    expect(f).toHaveLength(8);
    expect(f[0].message).toMatch(/overlap with Gateway shop\/g1, shop\/g2, shop\/g3, shop\/g4, shop\/g5 and 2 more/);
  });

  test('a large app: 3,000 Gateways on one selector and port, found through the host index', () => {
    const c = edge();
    for (let i = 0; i < 3000; i++) {
      rawGateway(c, `g${i}`, sel, [http(80, [`app${i}.team${i % 50}.example.com`])]);
    }
    rawGateway(c, 'wild', sel, [http(80, ['*.team7.example.com'])]);
    const f = only(c, 'IST0145');
    // 60 Gateways under team7 overlap the wildcard, and the wildcard overlaps them all.
    expect(f).toHaveLength(61);
  });
});

describe('CKI2001: a TLS credential created where the gateway cannot read it', () => {
  test('a Secret in the Gateway\'s namespace while the gateway pods run elsewhere is an error', () => {
    const app = testApp();
    const edge = new IstioChart(app, 'edge', { namespace: 'istio-ingress' });
    const ingress = new IngressGateway(edge, 'gw');
    const c = new IstioChart(app, 'c', { namespace: 'shop' });
    new k8s.KubeSecret(c, 'tls', { metadata: { name: 'shop-tls' }, type: 'kubernetes.io/tls' });
    new Gateway(c, 'g', { workload: ingress, servers: [Server.https({ hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') })] });
    expect(findings(app).filter((f) => f.code === CKI2001.code)).toEqual([expect.objectContaining({
      severity: 'error', constructPath: 'c/g/Resource', field: 'spec.servers[0].tls.credentialName',
      message: 'Secret shop-tls is created in shop, but the gateway pods this Gateway selects run in istio-ingress, where Istio reads it',
    })]);
  });

  test('a cert-manager Certificate in the wrong namespace is an error too', () => {
    const app = testApp();
    const edge = new IstioChart(app, 'edge', { namespace: 'istio-ingress' });
    const ingress = new IngressGateway(edge, 'gw');
    const c = new IstioChart(app, 'c', { namespace: 'shop' });
    new ApiObject(c, 'cert', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'shop' },
      spec: { secretName: 'shop-tls', dnsNames: ['shop.example.com'], issuerRef: { name: 'le', kind: 'ClusterIssuer' } } });
    new Gateway(c, 'g', { workload: ingress, servers: [Server.https({ hosts: ['shop.example.com'], tls: GatewayTls.mutual('shop-tls', { caCertCredentialName: 'shop-tls' }) })] });
    expect(findings(app).filter((f) => f.code === CKI2001.code).map((f) => f.field)).toEqual([
      'spec.servers[0].tls.caCertCredentialName', 'spec.servers[0].tls.credentialName',
    ]);
  });

  test('a Secret in the gateway namespace, the certificate option, or a Secret the app does not create pass', () => {
    const app = testApp();
    const edge = new IstioChart(app, 'edge', { namespace: 'istio-ingress' });
    const ingress = new IngressGateway(edge, 'gw', { scaling: GatewayScaling.fixed(2) });
    new k8s.KubeSecret(edge, 'tls', { metadata: { name: 'a-tls' }, type: 'kubernetes.io/tls' });
    const c = new IstioChart(app, 'c', { namespace: 'shop' });
    new Gateway(c, 'g', {
      workload: ingress,
      servers: [
        Server.https({ hosts: ['a.example.com'], tls: GatewayTls.simple('a-tls') }),
        Server.https({ hosts: ['b.example.com'], tls: GatewayTls.simple('b-tls'), certificate: { issuer: CertificateIssuer.clusterIssuer('le') } }),
        Server.https({ hosts: ['c.example.com'], tls: GatewayTls.simple('made-elsewhere') }),
      ],
    });
    expect(findings(app).filter((f) => f.severity !== 'info')).toEqual([]);
  });

  test('a brought-your-own gateway uses its declared namespace', () => {
    const c = chart('shop');
    const byo = GatewayWorkload.fromSelector(c, 'byo', { selector: { istio: 'ingressgateway' }, namespace: 'edge' });
    new k8s.KubeSecret(c, 'tls', { metadata: { name: 'shop-tls' } });
    new Gateway(c, 'g', { workload: byo, servers: [Server.https({ hosts: ['shop.example.com'], tls: GatewayTls.simple('shop-tls') })] });
    expect(only(c, CKI2001.code).map((f) => f.message)).toEqual(['Secret shop-tls is created in shop, but the gateway pods this Gateway selects run in edge, where Istio reads it']);
  });
});

describe('CKI2002: plain HTTP on a LoadBalancer any address can reach', () => {
  test('an HTTP server on a public LoadBalancer gateway is a warning; a redirect or HTTPS is not', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw');
    new Gateway(c, 'plain', { workload: gw, servers: [Server.http({ hosts: ['a.example.com'] })] });
    new Gateway(c, 'redirect', { workload: gw, servers: [
      Server.https({ hosts: ['b.example.com'], tls: GatewayTls.simple('b-tls') }),
      Server.http({ hosts: ['b.example.com'], httpsRedirect: true }),
    ] });
    new k8s.KubeSecret(c, 'b-tls', { metadata: { name: 'b-tls' }, type: 'kubernetes.io/tls' });
    const found = only(c, CKI2002.code);
    expect(found.map((f) => [f.object, f.field, f.severity])).toEqual([['Gateway istio-ingress/plain', 'spec.servers[0]', 'warning']]);
    expect(found[0].message).toBe('port 80 serves plain HTTP on LoadBalancer Service istio-ingress/gw, which any address can reach: requests and credentials travel unencrypted');
  });

  test('ClusterIP, source ranges, an internal load balancer annotation, or a suppression keep it quiet', () => {
    const c = chart();
    const cases: Array<[string, ConstructorParameters<typeof IngressGateway>[2]]> = [
      ['cluster-ip', { serviceType: GatewayServiceType.CLUSTER_IP }],
      ['ranges', { loadBalancerSourceRanges: ['10.0.0.0/8'] }],
      ['aws', { serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internal' } }],
      ['gke', { serviceAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' } }],
    ];
    for (const [name, props] of cases) {
      const gw = new IngressGateway(c, `gw-${name}`, { ...props, selectorLabels: { istio: name } });
      new Gateway(c, `g-${name}`, { workload: gw, servers: [Server.http({ hosts: [`${name}.example.com`] })] });
    }
    const open = new IngressGateway(c, 'gw-open', { selectorLabels: { istio: 'open' }, loadBalancerSourceRanges: ['0.0.0.0/0'] });
    const g = new Gateway(c, 'g-open', { workload: open, servers: [Server.http({ hosts: ['open.example.com'] })] });
    expect(only(c, CKI2002.code).map((f) => f.object)).toEqual(['Gateway istio-ingress/g-open']);
    suppress(g, CKI2002.code, 'TLS ends at the CDN in front of the load balancer');
    expect(only(c, CKI2002.code)).toEqual([]);
  });
});
