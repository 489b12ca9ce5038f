import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { ExposedApplication, ExposedApplicationProps } from '../src/patterns/exposed-application';
import { ZeroTrustNamespace } from '../src/patterns/zero-trust-namespace';
import { findings, synthManifests, testApp } from '../src/testing';

/** The app most tests vary: a UI at the site root and an API under /api/. */
const shop: ExposedApplicationProps = {
  name: 'shop',
  namespace: 'shop',
  hosts: ['shop.example.com'],
  frontend: { name: 'web', port: 80, pathPrefix: '' },
  backends: [{ name: 'api', port: 8080, pathPrefix: 'api' }],
};

function chart(): IstioChart {
  return new IstioChart(testApp(), 'c');
}

/** Manifests by `Kind/namespace/name` (`Kind/name` for cluster-scoped ones), in output order. */
function objects(manifests: Json[]): Record<string, Json> {
  return Object.fromEntries(manifests.map((m) => {
    const meta = m.metadata as Json;
    return [meta.namespace ? `${String(m.kind)}/${String(meta.namespace)}/${String(meta.name)}` : `${String(m.kind)}/${String(meta.name)}`, m];
  }));
}

function spec(objs: Record<string, Json>, key: string): Json {
  const o = objs[key];
  if (!o) {
    throw new Error(`no ${key} among ${Object.keys(objs).join(', ')}`);
  }
  return o.spec as Json;
}

function podTemplate(objs: Record<string, Json>, key: string): Json {
  return ((spec(objs, key).template as Json).metadata as Json);
}

/** Errors and warnings: a correct scenario has none of either. */
function problems(c: IstioChart): string[] {
  return findings(c).filter((f) => f.severity !== 'info').map((f) => `${f.severity} ${f.code} ${f.constructPath} ${f.field ?? ''}: ${f.message}`);
}

const SHOP_ROUTES = [
  {
    name: 'api',
    match: [{ uri: { prefix: '/api/' } }],
    route: [{ destination: { host: 'api.shop.svc.cluster.local', port: { number: 8080 } } }],
  },
  {
    name: 'web',
    route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 80 } } }],
  },
];

const GATEWAY_PRINCIPAL = 'cluster.local/ns/shop/sa/shop-gateway';

/** The shop without tls serves plain HTTP on a public load balancer, which is worth a warning. */
const PLAIN_HTTP = 'warning CKI2002 c/app/gateway/Resource spec.servers[0]: port 80 serves plain HTTP on LoadBalancer Service shop/shop-gateway, which any address can reach: requests and credentials travel unencrypted';

describe('ExposedApplication with its own gateway', () => {
  test('TLS: IngressGateway, HTTPS server with credentialName and TLS 1.2, HTTP server with the redirect flag, routes, rules and zero trust', () => {
    const c = chart();
    const app = new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls' } });
    const manifests = synthManifests(c);
    const objs = objects(manifests);

    expect(Object.keys(objs)).toEqual([
      'Namespace/shop',
      'ServiceAccount/shop/shop-gateway',
      'Role/shop/shop-gateway',
      'RoleBinding/shop/shop-gateway',
      'Deployment/shop/shop-gateway',
      'Service/shop/shop-gateway',
      'HorizontalPodAutoscaler/shop/shop-gateway',
      'Gateway/shop/shop-gateway',
      'VirtualService/shop/shop',
      'DestinationRule/shop/api',
      'DestinationRule/shop/web',
      'PeerAuthentication/shop/default',
      'AuthorizationPolicy/shop/allow-nothing',
      'AuthorizationPolicy/shop/allow-clients-to-gateway',
      'AuthorizationPolicy/shop/allow-ingress-to-web',
      'AuthorizationPolicy/shop/allow-ingress-to-api',
    ]);
    expect(problems(c)).toEqual([]);

    // Managed Istio by default: the namespace asks the default injector.
    expect((objs['Namespace/shop'].metadata as Json).labels).toEqual({ 'istio-injection': 'enabled' });

    // The gateway deployment: its pods are what the Gateway selects and whose identity is allowed.
    const gatewayLabels = { app: 'shop-gateway', istio: 'shop-gateway' };
    const deployment = spec(objs, 'Deployment/shop/shop-gateway');
    expect((deployment.selector as Json).matchLabels).toEqual(gatewayLabels);
    expect(((deployment.template as Json).spec as Json).serviceAccountName).toBe('shop-gateway');
    expect(podTemplate(objs, 'Deployment/shop/shop-gateway').labels).toMatchObject(gatewayLabels);
    const service = spec(objs, 'Service/shop/shop-gateway');
    expect(service.type).toBe('LoadBalancer');
    expect((service.ports as Json[]).map((p) => p.port)).toEqual([15021, 80, 443]);
    expect(app.ingressGateway?.name).toBe('shop-gateway');

    const gateway = spec(objs, 'Gateway/shop/shop-gateway');
    expect(gateway.selector).toEqual(gatewayLabels);
    expect(gateway.servers).toEqual([
      {
        hosts: ['./shop.example.com'],
        port: { name: 'https-443', number: 443, protocol: 'HTTPS' },
        tls: { mode: 'SIMPLE', credentialName: 'shop-tls', minProtocolVersion: 'TLSV1_2' },
      },
      {
        hosts: ['./shop.example.com'],
        port: { name: 'http-80', number: 80, protocol: 'HTTP' },
        tls: { httpsRedirect: true },
      },
    ]);
    expect(app.gateway?.gatewayRef).toBe('shop/shop-gateway');

    // /api/ before the catch-all, to each Service's FQDN and port.
    expect(spec(objs, 'VirtualService/shop/shop')).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['shop/shop-gateway'],
      http: SHOP_ROUTES,
    });

    // Auto mTLS: no TLS settings in the rules.
    expect(spec(objs, 'DestinationRule/shop/api')).toEqual({ host: 'api.shop.svc.cluster.local' });
    expect(spec(objs, 'DestinationRule/shop/web')).toEqual({ host: 'web.shop.svc.cluster.local' });

    expect(spec(objs, 'PeerAuthentication/shop/default')).toEqual({ mtls: { mode: 'STRICT' } });
    expect(spec(objs, 'AuthorizationPolicy/shop/allow-nothing')).toEqual({});
    for (const svc of ['web', 'api']) {
      expect(spec(objs, `AuthorizationPolicy/shop/allow-ingress-to-${svc}`)).toEqual({
        action: 'ALLOW',
        selector: { matchLabels: { app: svc } },
        rules: [{ from: [{ source: { principals: [GATEWAY_PRINCIPAL] } }] }],
      });
    }
    // allow-nothing also covers the gateway pods, which must keep accepting outside traffic.
    expect(spec(objs, 'AuthorizationPolicy/shop/allow-clients-to-gateway')).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: gatewayLabels },
      rules: [{}],
    });

    expect(manifests).toMatchSnapshot();
  });

  test('without TLS: one plain HTTP server, no redirect', () => {
    const c = chart();
    new ExposedApplication(c, 'app', shop);
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'Gateway/shop/shop-gateway').servers).toEqual([
      { hosts: ['./shop.example.com'], port: { name: 'http-80', number: 80, protocol: 'HTTP' } },
    ]);
    expect(spec(objs, 'VirtualService/shop/shop').http).toEqual(SHOP_ROUTES);
    expect(problems(c)).toEqual([PLAIN_HTTP]);
  });

  test('httpsRedirect: false keeps serving plain HTTP next to HTTPS', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls' }, httpsRedirect: false });
    const servers = spec(objects(synthManifests(c)), 'Gateway/shop/shop-gateway').servers as Json[];
    expect(servers.map((s) => (s.port as Json).protocol)).toEqual(['HTTPS', 'HTTP']);
    expect(servers[1].tls).toBeUndefined();
  });

  test('redirect style route with 307: HTTPS-only app Gateway, plus an HTTP Gateway and a redirecting VirtualService', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls' }, httpsRedirect: { style: 'route', statusCode: 307 } });
    const manifests = synthManifests(c);
    const objs = objects(manifests);
    const gatewayLabels = { app: 'shop-gateway', istio: 'shop-gateway' };

    expect(spec(objs, 'Gateway/shop/shop-gateway').servers).toEqual([{
      hosts: ['./shop.example.com'],
      port: { name: 'https-443', number: 443, protocol: 'HTTPS' },
      tls: { mode: 'SIMPLE', credentialName: 'shop-tls', minProtocolVersion: 'TLSV1_2' },
    }]);
    expect(spec(objs, 'Gateway/shop/shop-gateway-http')).toEqual({
      selector: gatewayLabels,
      servers: [{ hosts: ['shop/shop.example.com'], port: { name: 'http-80', number: 80, protocol: 'HTTP' } }],
    });
    expect(spec(objs, 'VirtualService/shop/shop-gateway-http')).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['shop/shop-gateway-http'],
      http: [{ name: 'https-redirect', redirect: { scheme: 'https', port: 443, redirectCode: 307 } }],
    });
    // The application's routes stay on the HTTPS Gateway only.
    expect(spec(objs, 'VirtualService/shop/shop').gateways).toEqual(['shop/shop-gateway']);
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('a status code other than 301 picks the route style by itself', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls' }, httpsRedirect: { statusCode: 308 } });
    const objs = objects(synthManifests(c));
    expect((spec(objs, 'VirtualService/shop/shop-gateway-http').http as Json[])[0].redirect).toEqual({ scheme: 'https', port: 443, redirectCode: 308 });
  });

  test('redirect settings that cannot be honoured are refused, naming the field', () => {
    const tls = { credentialName: 'shop-tls' };
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, tls, httpsRedirect: { style: 'flag', statusCode: 307 } }))
      .toThrow(/^\[c\/app\] httpsRedirect\.statusCode: the Gateway's httpsRedirect flag always answers 301, not 307/);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, tls, httpsRedirect: { statusCode: 303 as 301 } }))
      .toThrow(/^\[c\/app\] httpsRedirect\.statusCode: 303 is not a redirect status/);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, httpsRedirect: true }))
      .toThrow(/^\[c\/app\] httpsRedirect: a redirect to HTTPS needs TLS/);
    // Turning the redirect off needs no TLS.
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, httpsRedirect: { enabled: false } });
    expect(problems(c)).toEqual([PLAIN_HTTP]);
  });

  test('matchSni: false accepts any host on the HTTPS server', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls', matchSni: false } });
    const servers = spec(objects(synthManifests(c)), 'Gateway/shop/shop-gateway').servers as Json[];
    expect(servers[0].hosts).toEqual(['./*']);
    expect(servers[0].tls).toEqual({ mode: 'SIMPLE', credentialName: 'shop-tls', minProtocolVersion: 'TLSV1_2' });
    expect(servers[1].hosts).toEqual(['./shop.example.com']);
    expect(problems(c)).toEqual([]);
  });

  test('tls.issuer: cert-manager issues the Secret where the gateway pods run', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls', issuer: { name: 'letsencrypt' } } });
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'Certificate/shop/shop-tls')).toMatchObject({
      secretName: 'shop-tls',
      dnsNames: ['shop.example.com'],
      issuerRef: { name: 'letsencrypt', kind: 'ClusterIssuer' },
    });
    expect(problems(c)).toEqual([]);
  });

  test('gateway.ports: the Service exposes the ports the Gateway servers listen on', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, tls: { credentialName: 'shop-tls' }, gateway: { ports: { http: 8080, https: 8443 } } });
    const objs = objects(synthManifests(c));
    expect((spec(objs, 'Service/shop/shop-gateway').ports as Json[]).map((p) => [p.name, p.port, p.targetPort])).toEqual([
      ['status-port', 15021, 15021], ['http2', 8080, 8080], ['https', 8443, 8443],
    ]);
    expect((spec(objs, 'Gateway/shop/shop-gateway').servers as Json[]).map((s) => (s.port as Json).number)).toEqual([8443, 8080]);
    // Without the matching Service ports this is istioctl's IST0162.
    expect(problems(c)).toEqual([]);
  });

  test('gateway.replicas: a fixed count or an autoscaling range', () => {
    const fixed = chart();
    new ExposedApplication(fixed, 'app', { ...shop, gateway: { replicas: 3 } });
    const fixedObjs = objects(synthManifests(fixed));
    expect(spec(fixedObjs, 'Deployment/shop/shop-gateway').replicas).toBe(3);
    expect(fixedObjs['HorizontalPodAutoscaler/shop/shop-gateway']).toBeUndefined();

    const ranged = chart();
    new ExposedApplication(ranged, 'app', { ...shop, gateway: { name: 'edge', replicas: { min: 2, max: 6 } } });
    const rangedObjs = objects(synthManifests(ranged));
    expect(spec(rangedObjs, 'HorizontalPodAutoscaler/shop/edge')).toMatchObject({ minReplicas: 2, maxReplicas: 6 });
    expect(spec(rangedObjs, 'Gateway/shop/edge').selector).toEqual({ app: 'edge', istio: 'edge' });
    expect(spec(rangedObjs, 'VirtualService/shop/shop').gateways).toEqual(['shop/edge']);
  });
});

describe('ExposedApplication routes and DestinationRules', () => {
  test('longest prefix first, whatever the order given; per-service timeout; istio-mutual on request', () => {
    const c = chart();
    const app = new ExposedApplication(c, 'app', {
      ...shop,
      backends: [
        { name: 'api', port: 8080, pathPrefix: '/api/', timeout: '30s', mtls: 'istio-mutual' },
        { name: 'admin', port: 9090, pathPrefix: 'api/admin', selector: { 'app.kubernetes.io/name': 'admin' }, mtls: 'auto' },
      ],
    });
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'VirtualService/shop/shop').http).toEqual([
      {
        name: 'admin',
        match: [{ uri: { prefix: '/api/admin/' } }],
        route: [{ destination: { host: 'admin.shop.svc.cluster.local', port: { number: 9090 } } }],
      },
      {
        name: 'api',
        match: [{ uri: { prefix: '/api/' } }],
        route: [{ destination: { host: 'api.shop.svc.cluster.local', port: { number: 8080 } } }],
        timeout: '30s',
      },
      SHOP_ROUTES[1],
    ]);
    expect(spec(objs, 'DestinationRule/shop/api')).toEqual({ host: 'api.shop.svc.cluster.local', trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
    expect(spec(objs, 'DestinationRule/shop/admin')).toEqual({ host: 'admin.shop.svc.cluster.local' });
    expect(spec(objs, 'DestinationRule/shop/web')).toEqual({ host: 'web.shop.svc.cluster.local' });
    expect(app.destinationRules.map((d) => d.name).sort()).toEqual(['admin', 'api', 'web']);
    // A selector given for a service is what its allow policy selects.
    expect((spec(objs, 'AuthorizationPolicy/shop/allow-ingress-to-admin').selector as Json).matchLabels).toEqual({ 'app.kubernetes.io/name': 'admin' });
    expect(problems(c)).toEqual([PLAIN_HTTP]);
  });

  test('backends alone, without a frontend', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, frontend: undefined });
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'VirtualService/shop/shop').http).toEqual([SHOP_ROUTES[0]]);
    expect(Object.keys(objs).filter((k) => k.startsWith('AuthorizationPolicy/shop/allow-ingress-to-'))).toEqual(['AuthorizationPolicy/shop/allow-ingress-to-api']);
  });

  test('wrong input names the construct path and the field', () => {
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, backends: [{ name: 'api', port: 8080, pathPrefix: '/' }] }))
      .toThrow(/^\[c\/app\] backends\[0\]\.pathPrefix: api and web both claim \//);
    expect(() => new ExposedApplication(chart(), 'app', {
      ...shop,
      backends: [{ name: 'api', port: 8080, pathPrefix: 'api' }, { name: 'api2', port: 8080, pathPrefix: '/api' }],
    })).toThrow(/^\[c\/app\] backends\[1\]\.pathPrefix: /);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, hosts: [] })).toThrow(/^\[c\/app\] hosts: no hosts/);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, frontend: undefined, backends: [] })).toThrow(/^\[c\/app\] backends: no services/);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, name: 'Shop' })).toThrow(/^\[c\/app\] name: "Shop" is not a valid name/);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, backends: [{ name: 'api', port: 8080, pathPrefix: 'api', timeout: 'soon' }] }))
      .toThrow(/^\[c\/app\] backends\[0\]\.timeout: /);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, frontend: { name: 'web', port: 80, timeout: '0.1ms' } }))
      .toThrow(/^\[c\/app\] frontend\.timeout: .*below Istio's minimum/);
  });
});

describe('ExposedApplication authorization', () => {
  test('zeroTrust: false writes only the gateway allow policies: per service, and into the gateway pods', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, zeroTrust: false });
    const objs = objects(synthManifests(c));
    const security = Object.keys(objs).filter((k) => /^(PeerAuthentication|AuthorizationPolicy)\//.test(k));
    expect(security).toEqual([
      'AuthorizationPolicy/shop/allow-gateway-to-web',
      'AuthorizationPolicy/shop/allow-gateway-to-api',
      'AuthorizationPolicy/shop/shop-gateway-ingress',
    ]);
    expect(spec(objs, 'AuthorizationPolicy/shop/shop-gateway-ingress')).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'shop-gateway', istio: 'shop-gateway' } },
      rules: [{}],
    });
    for (const svc of ['web', 'api']) {
      expect(spec(objs, `AuthorizationPolicy/shop/allow-gateway-to-${svc}`)).toEqual({
        action: 'ALLOW',
        selector: { matchLabels: { app: svc } },
        rules: [{ from: [{ source: { principals: [GATEWAY_PRINCIPAL] } }] }],
      });
    }
    expect(problems(c)).toEqual([PLAIN_HTTP]);
  });

  test('zeroTrust: false next to a ZeroTrustNamespace closing the same namespace: the gateway stays open to clients (no CKI4002)', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, zeroTrust: false });
    new ZeroTrustNamespace(c, 'closed', { namespace: 'shop', allowServiceAccounts: ['shop/web'] });
    expect(findings(c).filter((f) => f.code === 'CKI4002')).toEqual([]);
    expect(problems(c)).toEqual([PLAIN_HTTP]);
  });
});

describe('ExposedApplication: bring your own Istio vs managed', () => {
  const revisionOnly = (c: IstioChart) => MeshContext.of(c).declareInstall({ revisions: ['stable'], hasDefaultInjector: false });

  test('revision: istio.io/rev on the namespace and on the gateway pods, never istio-injection', () => {
    const c = chart();
    revisionOnly(c);
    new ExposedApplication(c, 'app', { ...shop, namespace: { name: 'shop', revision: 'stable' }, tls: { credentialName: 'shop-tls' } });
    const manifests = synthManifests(c);
    const objs = objects(manifests);
    expect((objs['Namespace/shop'].metadata as Json).labels).toEqual({ 'istio.io/rev': 'stable' });
    expect(podTemplate(objs, 'Deployment/shop/shop-gateway').labels).toMatchObject({ 'istio.io/rev': 'stable', 'sidecar.istio.io/inject': 'true' });
    expect(JSON.stringify(manifests)).not.toContain('istio-injection');
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('the same app renders either way; only the namespace and gateway pod labels differ', () => {
    const managed = chart();
    new ExposedApplication(managed, 'app', { ...shop, tls: { credentialName: 'shop-tls' } });
    const byo = chart();
    revisionOnly(byo);
    new ExposedApplication(byo, 'app', { ...shop, namespace: { name: 'shop', revision: 'stable' }, tls: { credentialName: 'shop-tls' } });
    const a = objects(synthManifests(managed));
    const b = objects(synthManifests(byo));
    expect(Object.keys(b)).toEqual(Object.keys(a));
    const differing = Object.keys(a).filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]));
    expect(differing).toEqual(['Namespace/shop', 'Deployment/shop/shop-gateway']);
    expect(podTemplate(a, 'Deployment/shop/shop-gateway').labels).not.toHaveProperty('istio.io/rev');
  });

  test('an existing namespace (create: false) is not rendered, and its revision still reaches the gateway pods', () => {
    const c = chart();
    revisionOnly(c);
    new ExposedApplication(c, 'app', { ...shop, namespace: { name: 'shop', revision: 'stable', create: false } });
    const objs = objects(synthManifests(c));
    expect(objs['Namespace/shop']).toBeUndefined();
    expect(MeshContext.of(c).externalNamespace('shop')).toEqual({ 'istio.io/rev': 'stable' });
    expect(podTemplate(objs, 'Deployment/shop/shop-gateway').labels).toMatchObject({ 'istio.io/rev': 'stable' });
    expect(problems(c)).toEqual([PLAIN_HTTP]);
  });

  test('injection and revision together are refused, naming the field', () => {
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, namespace: { name: 'shop', revision: 'stable', injection: 'enabled' } }))
      .toThrow(/^\[c\/app\] namespace\.injection: both injection: enabled and revision: stable are set/);
  });
});

describe('ExposedApplication with a brought-your-own gateway deployment', () => {
  const mlGateway = {
    selector: { app: 'ml-gateway', istio: 'ml-gateway' },
    namespace: 'istio-system',
    serviceAccountName: 'ml-gateway',
    servicePorts: [80, 443],
  };

  test('selected by labels: nothing deployed, the Gateway selects those pods, their identity is allowed', () => {
    const c = chart();
    const app = new ExposedApplication(c, 'app', {
      ...shop,
      name: 'ml',
      gateway: mlGateway,
      tls: { credentialName: 'ml-tls', matchSni: false },
      httpsRedirect: { statusCode: 307 },
    });
    const manifests = synthManifests(c);
    const objs = objects(manifests);
    expect(app.ingressGateway).toBeUndefined();
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'HorizontalPodAutoscaler']) {
      expect(manifests.filter((m) => m.kind === kind)).toEqual([]);
    }
    expect(spec(objs, 'Gateway/shop/ml-gateway')).toEqual({
      selector: mlGateway.selector,
      servers: [{
        hosts: ['./*'],
        port: { name: 'https-443', number: 443, protocol: 'HTTPS' },
        tls: { mode: 'SIMPLE', credentialName: 'ml-tls', minProtocolVersion: 'TLSV1_2' },
      }],
    });
    expect(spec(objs, 'Gateway/shop/ml-gateway-http').selector).toEqual(mlGateway.selector);
    expect((spec(objs, 'VirtualService/shop/ml-gateway-http').http as Json[])[0].redirect).toEqual({ scheme: 'https', port: 443, redirectCode: 307 });
    for (const svc of ['web', 'api']) {
      expect((spec(objs, `AuthorizationPolicy/shop/allow-ingress-to-${svc}`).rules as Json[])).toEqual([
        { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/ml-gateway'] } }] },
      ]);
    }
    // The gateway pods live outside the closed namespace: no policy for them here.
    expect(objs['AuthorizationPolicy/shop/ml-gateway-ingress']).toBeUndefined();
    expect(MeshContext.of(c).externalGatewayWorkloads()).toEqual([
      { constructPath: 'c/app/gateway-workload', namespace: 'istio-system', labels: mlGateway.selector, servicePorts: [80, 443] },
    ]);
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('servicePorts are checked: a server port the Service does not expose is IST0162', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, gateway: { ...mlGateway, ports: { https: 8443 } }, tls: { credentialName: 'ml-tls' } });
    const ist0162 = findings(c).filter((f) => f.code === 'IST0162');
    expect(ist0162.map((f) => [f.severity, f.constructPath, f.field])).toEqual([
      ['warning', 'c/app/gateway/Resource', 'spec.servers[0].port.number'],
    ]);
  });

  test('gateway pods in the application namespace keep accepting outside traffic under zero trust', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, gateway: { selector: { istio: 'shop-edge' }, serviceAccountName: 'shop-edge', servicePorts: [80] } });
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'AuthorizationPolicy/shop/allow-clients-to-gateway')).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { istio: 'shop-edge' } },
      rules: [{}],
    });
    expect((spec(objs, 'AuthorizationPolicy/shop/allow-ingress-to-api').rules as Json[])[0]).toEqual({
      from: [{ source: { principals: ['cluster.local/ns/shop/sa/shop-edge'] } }],
    });
    expect(problems(c)).toEqual([]);
  });

  test('zero trust without the gateway service account is refused: nothing could reach the services', () => {
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, gateway: { selector: { istio: 'ml-gateway' }, namespace: 'istio-system' } }))
      .toThrow(/^\[c\/app\] gateway\.serviceAccountName: .*no request could reach the services/);
    // Without zero trust nothing denies, so an unknown identity only means no allow policies.
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, zeroTrust: false, gateway: { selector: { istio: 'ml-gateway' }, namespace: 'istio-system' } });
    expect(synthManifests(c).filter((m) => m.kind === 'AuthorizationPolicy')).toEqual([]);
  });
});

describe('ExposedApplication bound to a Gateway it does not own', () => {
  test('gateway.enabled: false binds the routes to existingGateway; nothing of a gateway is rendered', () => {
    const c = chart();
    const app = new ExposedApplication(c, 'app', {
      ...shop,
      gateway: {
        enabled: false,
        existingGateway: 'istio-system/shared-gateway',
        existingGatewayIdentity: { namespace: 'istio-system', serviceAccountName: 'istio-ingressgateway' },
      },
    });
    const manifests = synthManifests(c);
    const objs = objects(manifests);
    expect(app.gateway).toBeUndefined();
    expect(app.ingressGateway).toBeUndefined();
    expect(manifests.filter((m) => ['Gateway', 'Deployment', 'Service'].includes(String(m.kind)))).toEqual([]);
    expect(spec(objs, 'VirtualService/shop/shop')).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: SHOP_ROUTES,
    });
    // Declared external, so the analysis does not report the Gateway as missing (IST0101).
    expect(MeshContext.of(c).isExternalGateway('istio-system/shared-gateway')).toBe(true);
    expect(findings(c).filter((f) => f.severity === 'error')).toEqual([]);
    expect((spec(objs, 'AuthorizationPolicy/shop/allow-ingress-to-web').rules as Json[])[0]).toEqual({
      from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway'] } }],
    });
    expect(objs['AuthorizationPolicy/shop/shop-gateway-ingress']).toBeUndefined();
    expect(objs['AuthorizationPolicy/shop/allow-clients-to-gateway']).toBeUndefined();
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('without zero trust the identity may stay unknown', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, zeroTrust: false, gateway: { enabled: false, existingGateway: 'istio-system/shared-gateway' } });
    const manifests = synthManifests(c);
    expect(manifests.map((m) => m.kind)).toEqual(['Namespace', 'VirtualService', 'DestinationRule', 'DestinationRule']);
    expect(problems(c)).toEqual([]);
  });

  test('wrong input names the field', () => {
    const shared = { enabled: false, existingGateway: 'istio-system/shared-gateway' };
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, gateway: { enabled: false } }))
      .toThrow(/^\[c\/app\] gateway\.existingGateway: /);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, gateway: shared }))
      .toThrow(/^\[c\/app\] gateway\.existingGatewayIdentity: /);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, zeroTrust: false, gateway: shared, tls: { credentialName: 'x' } }))
      .toThrow(/^\[c\/app\] tls: TLS and redirects belong to the Gateway/);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, zeroTrust: false, gateway: { enabled: false, existingGateway: 'shared-gateway' } }))
      .toThrow(/^\[c\/app\/routes\] spec\.gateways\[0\]: "shared-gateway" is not a namespace\/name/);
  });
});

describe('ExposedApplication behind a shared edge gateway', () => {
  const EDGE = { gateway: 'istio-system/shared-gateway', identity: { namespace: 'istio-system', serviceAccountName: 'istio-ingressgateway-service-account' } };
  const EDGE_PRINCIPAL = 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account';

  test('edge: the hop is Istio mTLS, the app gateway admits only the edge, trusts its X-Forwarded headers and is ClusterIP', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, edge: EDGE });
    const manifests = synthManifests(c);
    const objs = objects(manifests);
    expect(spec(objs, 'Service/shop/shop-gateway').type).toBe('ClusterIP');
    // The edge sends to the gateway's https port, and a rule asks for Istio mTLS there: gateway
    // pods get no auto mTLS, so the hop was plain text.
    const toAppGateway = [{ destination: { host: 'shop-gateway.shop.svc.cluster.local', port: { number: 443 } } }];
    expect(spec(objs, 'VirtualService/shop/shop-edge')).toEqual({
      hosts: ['shop.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: [
        { name: 'shop-edge-api', match: [{ uri: { prefix: '/api/' } }], route: toAppGateway },
        { name: 'shop-edge-root', route: toAppGateway },
      ],
    });
    expect(spec(objs, 'DestinationRule/shop/shop-edge-hop')).toEqual({
      host: 'shop-gateway.shop.svc.cluster.local',
      trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL' } }] },
    });
    // The app gateway takes Istio mTLS only, for routes of its own namespace: no plain HTTP server.
    expect(spec(objs, 'Gateway/shop/shop-gateway').servers).toEqual([
      { hosts: ['./*'], port: { name: 'https-443', number: 443, protocol: 'HTTPS' }, tls: { mode: 'ISTIO_MUTUAL' } },
    ]);
    // Only the edge's identity may call the gateway pods; before, `rules: [{}]` let any pod skip the edge.
    expect(spec(objs, 'AuthorizationPolicy/shop/allow-clients-to-gateway')).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'shop-gateway', istio: 'shop-gateway' } },
      rules: [{ from: [{ source: { principals: [EDGE_PRINCIPAL] } }] }],
    });
    expect(podTemplate(objs, 'Deployment/shop/shop-gateway').annotations).toEqual(expect.objectContaining({
      'proxy.istio.io/config': '{"gatewayTopology":{"numTrustedProxies":1}}',
    }));
    // Behind the edge, the app's own routes are unchanged.
    expect(spec(objs, 'VirtualService/shop/shop')).toEqual({ hosts: ['shop.example.com'], gateways: ['shop/shop-gateway'], http: SHOP_ROUTES });
    expect(MeshContext.of(c).isExternalGateway('istio-system/shared-gateway')).toBe(true);
    expect(problems(c)).toEqual([]);
    expect(manifests).toMatchSnapshot();
  });

  test('without zero trust, too, only the edge may call the gateway pods', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, edge: EDGE, zeroTrust: false });
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'AuthorizationPolicy/shop/shop-gateway-ingress').rules).toEqual([{ from: [{ source: { principals: [EDGE_PRINCIPAL] } }] }]);
  });

  test('TLS, a redirect or an unknown edge identity are refused behind an edge, all in one error', () => {
    expect(() => new ExposedApplication(chart(), 'app', {
      ...shop, tls: { credentialName: 'shop-tls' }, httpsRedirect: true, edge: { gateway: 'istio-system/shared-gateway' } as typeof EDGE,
    })).toThrow(/^\[c\/app\] tls: behind an edge, public TLS terminates at the edge gateway.*\n\[c\/app\] edge\.identity: the app's gateway admits only the edge gateway/s);
  });

  test('edge hosts, a mount path and a custom HTTPS port reach the EdgeRoute', () => {
    const c = chart();
    new ExposedApplication(c, 'app', {
      ...shop,
      gateway: { ports: { https: 8443 }, serviceType: 'NodePort' },
      edge: { ...EDGE, hosts: ['apps.example.com'], mountPath: 'shop' },
    });
    const objs = objects(synthManifests(c));
    expect(spec(objs, 'Service/shop/shop-gateway').type).toBe('NodePort');
    const toAppGateway = [{ destination: { host: 'shop-gateway.shop.svc.cluster.local', port: { number: 8443 } } }];
    expect(spec(objs, 'VirtualService/shop/shop-edge')).toEqual({
      hosts: ['apps.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: [
        { name: 'shop-edge-api', match: [{ uri: { prefix: '/shop/api/' } }], rewrite: { uri: '/api/' }, route: toAppGateway },
        { name: 'shop-edge-root', match: [{ uri: { prefix: '/shop/' } }], rewrite: { uri: '/' }, route: toAppGateway },
      ],
    });
    expect((spec(objs, 'Gateway/shop/shop-gateway').servers as Json[])[0].port).toEqual({ name: 'https-8443', number: 8443, protocol: 'HTTPS' });
    // Forwarded requests keep the edge's Host, so the app's routes answer to it too.
    expect(spec(objs, 'VirtualService/shop/shop').hosts).toEqual(['shop.example.com', 'apps.example.com']);
    expect(problems(c)).toEqual([]);
  });

  test('an edge needs the app\'s own gateway deployment', () => {
    expect(() => new ExposedApplication(chart(), 'app', {
      ...shop,
      gateway: { selector: { istio: 'ml-gateway' }, namespace: 'istio-system', serviceAccountName: 'ml-gateway' },
      edge: EDGE,
    })).toThrow(/^\[c\/app\] edge: /);
  });
});

describe('a canary on an application service', () => {
  const props: ExposedApplicationProps = {
    ...shop,
    backends: [{
      name: 'api', port: 8080, pathPrefix: 'api',
      canary: { stable: { version: 'v1' }, canary: { version: 'v2' }, canaryWeight: 10, pinHeader: { name: 'x-tester', value: 'yes' } },
    }],
  };

  test('splits the gateway route and the mesh alike, with subsets on the service\'s own DestinationRule', () => {
    const c = chart();
    new ExposedApplication(c, 'app', props);
    const objs = objects(synthManifests(c));
    const dest = (subset: string, weight?: number) => ({ destination: { host: 'api.shop.svc.cluster.local', port: { number: 8080 }, subset }, ...(weight === undefined ? {} : { weight }) });
    expect(spec(objs, 'DestinationRule/shop/api').subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    expect(spec(objs, 'VirtualService/shop/shop').http).toEqual([
      { name: 'api-pinned-to-canary', match: [{ uri: { prefix: '/api/' }, headers: { 'x-tester': { exact: 'yes' } } }], route: [dest('v2')] },
      { name: 'api-split', match: [{ uri: { prefix: '/api/' } }], route: [dest('v1', 90), dest('v2', 10)] },
      { name: 'web', route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 80 } } }] },
    ]);
    const mesh = spec(objs, 'VirtualService/shop/api');
    expect(mesh.hosts).toEqual(['api.shop.svc.cluster.local']);
    expect(mesh.gateways).toBeUndefined();
    expect(mesh.http).toEqual([
      { name: 'pinned-to-canary', match: [{ headers: { 'x-tester': { exact: 'yes' } } }], route: [dest('v2')] },
      { name: 'split', route: [dest('v1', 90), dest('v2', 10)] },
    ]);
    expect(findings(c).map((f) => f.code)).not.toContain('IST0140');
  });

  test('a bad split names the service\'s field', () => {
    const c = chart();
    const bad = { ...props, backends: [{ ...props.backends![0], canary: { ...props.backends![0].canary!, canaryWeight: 101 } }] };
    expect(() => new ExposedApplication(c, 'app', bad)).toThrow(/\[c\/app\] backends\[0\]\.canary\.canaryWeight: 101 is not a whole percentage/);
  });
});

describe('plain HTTP on the public load balancer (CKI2002)', () => {
  const codes = (c: IstioChart) => findings(c).filter((f) => f.code === 'CKI2002').map((f) => [f.object, f.field]);

  test('an application without tls behind its own LoadBalancer gateway is warned about', () => {
    const c = chart();
    new ExposedApplication(c, 'app', shop);
    expect(codes(c)).toEqual([['Gateway shop/shop-gateway', 'spec.servers[0]']]);
  });

  test('gateway.internal, gateway.publicPlaintext, tls with the redirect, or a ClusterIP Service say nothing', () => {
    for (const props of [
      { ...shop, gateway: { internal: true, serviceAnnotations: { 'networking.gke.io/load-balancer-type': 'Internal' } } },
      { ...shop, gateway: { internal: true } },
      { ...shop, gateway: { publicPlaintext: true } },
      { ...shop, tls: { credentialName: 'shop-tls' } },
      { ...shop, gateway: { serviceType: 'ClusterIP' as const } },
    ]) {
      const c = chart();
      new ExposedApplication(c, 'app', props);
      expect(codes(c)).toEqual([]);
    }
  });
});

describe('what the user wrote, and only that (issue-found defects)', () => {
  test('existingGateway alone means no gateway of the app\'s own; with enabled: true both keys are named', () => {
    const c = chart();
    new ExposedApplication(c, 'app', { ...shop, zeroTrust: false, gateway: { existingGateway: 'istio-system/shared-gateway' } });
    const manifests = synthManifests(c);
    expect(manifests.filter((m) => ['Deployment', 'Service', 'Gateway'].includes(String(m.kind)))).toEqual([]);
    expect(spec(objects(manifests), 'VirtualService/shop/shop').gateways).toEqual(['istio-system/shared-gateway']);
    expect(() => new ExposedApplication(chart(), 'app', { ...shop, gateway: { enabled: true, existingGateway: 'istio-system/shared-gateway' } }))
      .toThrow(/^\[c\/app\] gateway\.enabled: gateway\.enabled: true deploys a gateway of the app's own, and gateway\.existingGateway binds the routes to the platform's instead/);
  });

  test('an owned Gateway admits only the app\'s namespace (./host); gateway.shared lists the hosts bare', () => {
    const scoped = chart();
    new ExposedApplication(scoped, 'app', { ...shop, tls: { credentialName: 'shop-tls' } });
    const servers = spec(objects(synthManifests(scoped)), 'Gateway/shop/shop-gateway').servers as Json[];
    expect(servers.map((s) => s.hosts)).toEqual([['./shop.example.com'], ['./shop.example.com']]);
    const shared = chart();
    new ExposedApplication(shared, 'app', { ...shop, tls: { credentialName: 'shop-tls' }, gateway: { shared: true } });
    expect((spec(objects(synthManifests(shared)), 'Gateway/shop/shop-gateway').servers as Json[]).map((s) => s.hosts)).toEqual([['shop.example.com'], ['shop.example.com']]);
  });

  test('every independent problem of the props is reported in one error', () => {
    let message = '';
    try {
      new ExposedApplication(chart(), 'app', {
        ...shop,
        backends: [{ name: 'api', port: 8080, pathPrefix: 'api' }, { name: 'api', port: 0, pathPrefix: 'v2' }],
        gateway: { enabled: true, existingGateway: 'istio-system/shared-gateway' },
      });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('gateway.enabled: gateway.enabled: true deploys');
    expect(message).toContain('backends[1].name: backends[0] is also called api');
  });
});
