/**
 * The bundled examples, as `npm run synth` renders them: the fields each example exists to show,
 * then a snapshot of the whole output.
 */
import { Json } from '../src/analysis/rendered';
import { buildExamples, exampleFiles } from '../src/main';
import { topologyMarkdown } from '../src/topology';

const built = buildExamples();

function manifests(name: string): Json[] {
  const example = built.find((e) => e.name === name);
  if (!example) {
    throw new Error(`no example ${name}`);
  }
  return example.built.result.render.objects.map((o) => o.manifest);
}

function get(name: string, kind: string, objectName: string): Json {
  const found = manifests(name).find((m) => m.kind === kind && (m.metadata as Json).name === objectName);
  if (!found) {
    throw new Error(`${name}: no ${kind} ${objectName}`);
  }
  return found;
}

const spec = (m: Json) => m.spec as Json;
const labels = (m: Json) => (m.metadata as Json).labels as Record<string, string>;
const kinds = (name: string) => manifests(name).map((m) => m.kind);

test('every values file in examples/ is an example, and all build without errors', () => {
  expect(built.map((e) => e.name)).toEqual(exampleFiles().map((e) => e.name));
  expect(built.map((e) => e.name).sort()).toEqual(['bookinfo', 'cluster-bootstrap', 'gateway-api-ambient', 'ml-platform', 'vendor-platform', 'vendor-platform-edge', 'vendor-platform-no-gateway']);
  for (const e of built) {
    expect(e.built.result.errors).toEqual([]);
  }
});

describe('vendor-platform: an app with its own gateway on a cluster that runs Istio by revision', () => {
  test('the namespace and the gateway pods follow revision stable, never istio-injection', () => {
    expect(labels(get('vendor-platform', 'Namespace', 'acme'))).toEqual({ 'istio.io/rev': 'stable' });
    const pod = (spec(get('vendor-platform', 'Deployment', 'acme-gateway')).template as Json);
    expect(labels(pod)).toMatchObject({ 'istio.io/rev': 'stable', 'sidecar.istio.io/inject': 'true' });
    expect(((pod.spec as Json).containers as Json[])[0]).toMatchObject({ name: 'istio-proxy', image: 'auto' });
  });

  test('HTTPS with the customer\'s certificate Secret, TLS 1.2 at least, HTTP redirected', () => {
    expect(spec(get('vendor-platform', 'Gateway', 'acme-gateway')).servers).toEqual([
      {
        port: { number: 443, name: 'https-443', protocol: 'HTTPS' },
        hosts: ['./acme.customer.example.com'],
        tls: { mode: 'SIMPLE', credentialName: 'acme-tls', minProtocolVersion: 'TLSV1_2' },
      },
      { port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['./acme.customer.example.com'], tls: { httpsRedirect: true } },
    ]);
  });

  test('the API under /api/ first, the UI at the root', () => {
    expect(spec(get('vendor-platform', 'VirtualService', 'acme'))).toEqual({
      hosts: ['acme.customer.example.com'],
      gateways: ['acme/acme-gateway'],
      http: [
        { name: 'acme-api', match: [{ uri: { prefix: '/api/' } }], route: [{ destination: { host: 'acme-api.acme.svc.cluster.local', port: { number: 8080 } } }], timeout: '30s' },
        { name: 'acme-ui', route: [{ destination: { host: 'acme-ui.acme.svc.cluster.local', port: { number: 8080 } } }] },
      ],
    });
  });

  test('closed namespace: STRICT, allow nothing, the gateway to exactly the two services', () => {
    expect(spec(get('vendor-platform', 'PeerAuthentication', 'default'))).toEqual({ mtls: { mode: 'STRICT' } });
    expect(spec(get('vendor-platform', 'AuthorizationPolicy', 'allow-nothing'))).toEqual({});
    for (const svc of ['acme-ui', 'acme-api']) {
      expect(spec(get('vendor-platform', 'AuthorizationPolicy', `allow-ingress-to-${svc}`))).toEqual({
        action: 'ALLOW',
        selector: { matchLabels: { app: svc } },
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/acme/sa/acme-gateway'] } }] }],
      });
    }
    // DestinationRules leave TLS to auto mTLS.
    expect(spec(get('vendor-platform', 'DestinationRule', 'acme-api'))).toEqual({ host: 'acme-api.acme.svc.cluster.local' });
  });
});

describe('vendor-platform-edge: behind the customer\'s shared edge gateway', () => {
  test('the app gateway is reachable inside the cluster only', () => {
    expect(spec(get('vendor-platform-edge', 'Service', 'acme-gateway')).type).toBe('ClusterIP');
  });

  test('the edge route forwards the API and UI prefixes to the app gateway', () => {
    const dest = { destination: { host: 'acme-gateway.acme.svc.cluster.local', port: { number: 443 } } };
    expect(spec(get('vendor-platform-edge', 'VirtualService', 'acme-edge'))).toEqual({
      hosts: ['acme.customer.example.com'],
      gateways: ['istio-system/shared-gateway'],
      http: [
        { name: 'acme-edge-api', match: [{ uri: { prefix: '/api/' } }], route: [dest] },
        { name: 'acme-edge-root', route: [dest] },
      ],
    });
  });

  test('the hop is Istio mTLS: the edge originates ISTIO_MUTUAL, the app gateway terminates it', () => {
    expect(spec(get('vendor-platform-edge', 'DestinationRule', 'acme-edge-hop'))).toEqual({
      host: 'acme-gateway.acme.svc.cluster.local',
      trafficPolicy: { portLevelSettings: [{ port: { number: 443 }, tls: { mode: 'ISTIO_MUTUAL' } }] },
    });
    expect(spec(get('vendor-platform-edge', 'Gateway', 'acme-gateway')).servers).toEqual([
      { port: { number: 443, name: 'https-443', protocol: 'HTTPS' }, hosts: ['./*'], tls: { mode: 'ISTIO_MUTUAL' } },
    ]);
  });

  test('only the edge gateway may reach the app gateway, which trusts the one hop in front of it', () => {
    expect(spec(get('vendor-platform-edge', 'AuthorizationPolicy', 'allow-clients-to-gateway'))).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'acme-gateway', istio: 'acme-gateway' } },
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }],
    });
    const pod = spec(get('vendor-platform-edge', 'Deployment', 'acme-gateway')).template as Json;
    expect(JSON.parse(((pod.metadata as Json).annotations as Json)['proxy.istio.io/config'] as string)).toEqual({ gatewayTopology: { numTrustedProxies: 1 } });
  });
});

describe('vendor-platform-no-gateway: the bundled gateway turned off', () => {
  test('no gateway is deployed and the routes bind to the shared Gateway', () => {
    expect(kinds('vendor-platform-no-gateway')).not.toContain('Deployment');
    expect(kinds('vendor-platform-no-gateway')).not.toContain('Gateway');
    expect(spec(get('vendor-platform-no-gateway', 'VirtualService', 'acme')).gateways).toEqual(['istio-system/shared-gateway']);
  });

  test('the services admit the shared gateway by its identity', () => {
    expect(spec(get('vendor-platform-no-gateway', 'AuthorizationPolicy', 'allow-ingress-to-acme-api')).rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] },
    ]);
  });
});

describe('gateway-api-ambient: Gateway API ingress into an ambient namespace with a waypoint and an L7 policy', () => {
  const name = 'gateway-api-ambient';
  test('the namespace is ambient and uses the waypoint, a Gateway of class istio-waypoint with the HBONE listener', () => {
    expect(labels(get(name, 'Namespace', 'storefront'))).toEqual({ 'istio.io/dataplane-mode': 'ambient', 'istio.io/use-waypoint': 'waypoint' });
    expect(spec(get(name, 'Gateway', 'waypoint'))).toEqual({ gatewayClassName: 'istio-waypoint', listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }] });
    // Applied after its Namespace, as kubectl needs.
    const order = manifests(name).map((m) => `${String(m.kind)}/${String((m.metadata as Json).name)}`);
    expect(order.indexOf('Namespace/storefront')).toBeLessThan(order.indexOf('Gateway/waypoint'));
  });

  test('ingress is a Gateway API Gateway and HTTPRoute: HTTPS from the Secret, /api to the catalog, the rest to web, plain HTTP redirected', () => {
    const gw = get(name, 'Gateway', 'storefront-gateway');
    expect(gw.apiVersion).toBe('gateway.networking.k8s.io/v1');
    expect((spec(gw).listeners as Json[]).map((l) => [l.protocol, l.port, l.hostname, ((l.tls as Json | undefined)?.certificateRefs as Json[] | undefined)?.[0]?.name])).toEqual([
      ['HTTPS', 443, 'store.example.com', 'store-tls'],
      ['HTTP', 80, 'store.example.com', undefined],
    ]);
    expect((spec(get(name, 'HTTPRoute', 'storefront')).rules as Json[]).map((r) => [((r.matches as Json[] | undefined)?.[0]?.path as Json | undefined)?.value ?? '/', (r.backendRefs as Json[])[0].name])).toEqual([['/api', 'catalog'], ['/', 'web']]);
    expect((spec(get(name, 'HTTPRoute', 'storefront-http')).rules as Json[])[0].filters).toEqual([{ type: 'RequestRedirect', requestRedirect: { scheme: 'https', statusCode: 301 } }]);
  });

  test('zero trust in two places: the gateway\'s identity where the pods are, the waypoint\'s admitted by ztunnel, and the L7 rule on the waypoint', () => {
    expect(spec(get(name, 'AuthorizationPolicy', 'allow-ingress-to-catalog')).rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/storefront/sa/storefront-gateway-istio'] } }] }]);
    expect(spec(get(name, 'AuthorizationPolicy', 'allow-from-waypoint')).rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/storefront/sa/waypoint'] } }] }]);
    expect(spec(get(name, 'AuthorizationPolicy', 'allow-nothing-at-waypoint'))).toEqual({ targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'waypoint' }] });
    expect(spec(get(name, 'AuthorizationPolicy', 'catalog-read-only'))).toEqual({
      action: 'ALLOW',
      targetRefs: [{ group: '', kind: 'Service', name: 'catalog' }],
      rules: [{ from: [{ source: { principals: ['cluster.local/ns/storefront/sa/web'] } }], to: [{ operation: { methods: ['GET'], paths: ['/api/*'] } }] }],
    });
  });
});

test('gateway-api-ambient topology: ingress edges carry the policies ztunnel enforces, not the waypoint\'s', () => {
  const md = topologyMarkdown('gateway-api-ambient', manifests('gateway-api-ambient'));
  const edge = (service: string) => md.split('\n').find((l) => l.includes(`| host_${service}_storefront_svc_cluster_local`))!;
  expect(edge('web')).toContain('allow-ingress-to-web: ALLOW from sa storefront/storefront-gateway-istio');
  expect(edge('catalog')).toContain('allow-ingress-to-catalog: ALLOW from sa storefront/storefront-gateway-istio');
  for (const service of ['web', 'catalog']) {
    expect(edge(service)).not.toMatch(/catalog-read-only|allow-nothing-at-waypoint/);
  }
});

describe('ml-platform: a brought-your-own gateway in the style of deployKF', () => {
  test('nothing is deployed; the Gateway selects the platform\'s pods on their internal ports', () => {
    expect(kinds('ml-platform')).not.toContain('Deployment');
    const gw = spec(get('ml-platform', 'Gateway', 'mlp-gateway'));
    expect(gw.selector).toEqual({ app: 'mlp-gateway', istio: 'mlp-gateway' });
    // matchSni off: the HTTPS server accepts any SNI; the certificate Secret is referenced only.
    expect(gw.servers).toEqual([{
      port: { number: 8443, name: 'https-8443', protocol: 'HTTPS' },
      hosts: ['./*'],
      tls: { mode: 'SIMPLE', credentialName: 'mlp-gateway-cert', minProtocolVersion: 'TLSV1_2' },
    }]);
  });

  test('plain HTTP gets a 307 to https on 443 from its own Gateway and VirtualService', () => {
    expect(spec(get('ml-platform', 'Gateway', 'mlp-gateway-http')).servers).toEqual([
      expect.objectContaining({ port: expect.objectContaining({ number: 8080, protocol: 'HTTP' }) }),
    ]);
    expect(spec(get('ml-platform', 'VirtualService', 'mlp-gateway-http')).http).toEqual([
      { name: 'https-redirect', redirect: { scheme: 'https', port: 443, redirectCode: 307 } },
    ]);
  });

  test('longest prefixes first', () => {
    const http = spec(get('ml-platform', 'VirtualService', 'mlp')).http as Json[];
    expect(http.map((r) => r.name)).toEqual(['ml-pipeline-ui', 'mlflow', 'central-dashboard']);
  });
});

describe('bookinfo: the traffic-management tasks', () => {
  const dest = (host: string, subset: string, weight?: number) => ({
    destination: { host: `${host}.bookinfo.svc.cluster.local`, port: { number: 9080 }, subset },
    ...(weight === undefined ? {} : { weight }),
  });
  const jason = { headers: { 'end-user': { exact: 'jason' } } };

  test('reviews: subsets, jason pinned to v2, everyone else 90/10', () => {
    expect(spec(get('bookinfo', 'DestinationRule', 'reviews')).subsets).toEqual([
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { version: 'v2' } },
    ]);
    expect(spec(get('bookinfo', 'VirtualService', 'reviews')).http).toEqual([
      { name: 'pinned-to-canary', match: [jason], route: [dest('reviews', 'v2')] },
      { name: 'split', route: [dest('reviews', 'v1', 90), dest('reviews', 'v2', 10)] },
    ]);
  });

  test('ratings: a 7s delay for jason; details: HTTP 500 for jason', () => {
    expect((spec(get('bookinfo', 'VirtualService', 'ratings')).http as Json[])[0]).toEqual({
      name: 'delay-for-jason', match: [jason], fault: { delay: { fixedDelay: '7s', percentage: { value: 100 } } }, route: [dest('ratings', 'v1')],
    });
    expect((spec(get('bookinfo', 'VirtualService', 'details')).http as Json[])[0]).toEqual({
      name: 'abort-for-jason', match: [jason], fault: { abort: { httpStatus: 500, percentage: { value: 100 } } }, route: [dest('details', 'v1')],
    });
  });

  test('STRICT mTLS with the internal callers allowed by service account', () => {
    expect(spec(get('bookinfo', 'PeerAuthentication', 'default'))).toEqual({ mtls: { mode: 'STRICT' } });
    expect(spec(get('bookinfo', 'AuthorizationPolicy', 'allow-from-service-accounts')).rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/bookinfo/sa/bookinfo-productpage', 'cluster.local/ns/bookinfo/sa/bookinfo-reviews'] } }] },
    ]);
  });
});

test.each(exampleFiles().map((e) => e.name))('%s snapshot', (name) => {
  expect(manifests(name)).toMatchSnapshot();
});

describe('cluster-bootstrap: Istio from its charts, then an app, as an app-of-apps', () => {
  test('base, then istiod as revision 1-30-3 serving stable, then the shop rendered by the plugin', () => {
    const apps = manifests('cluster-bootstrap');
    expect(apps.map((a) => [(a.metadata as Json).name, ((a.metadata as Json).annotations as Json)['argocd.argoproj.io/sync-wave']])).toEqual([
      ['istio-base', '-10'], ['istio-istiod-1-30-3', '-9'], ['shop', '-7'],
    ]);
    const istiod = ((apps[1].spec as Json).source as Json).helm as Json;
    expect(istiod.valuesObject).toMatchObject({ revision: '1-30-3', revisionTags: ['stable'], autoscaleMin: 3, base: { validationFailurePolicy: 'Fail' } });
    expect(((apps[2].spec as Json).source as Json).plugin).toEqual({ name: 'cdk8s-istio-v1', parameters: [{ name: 'values', array: ['shop.yaml'] }] });
  });
});
