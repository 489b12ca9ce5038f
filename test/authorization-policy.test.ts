import * as plus from 'cdk8s-plus-28';
import { AuthorizationPolicy, PolicyAction } from '../src/authorization-policy';
import { Condition, Operation, Source } from '../src/authorization-rule';
import { IstioChart } from '../src/istio-chart';
import { PolicyTargetRef } from '../src/policy-scope';
import { IGatewayWorkload, ServiceRef } from '../src/references';
import { findings, synthManifests, testApp } from '../src/testing';
import { MeshWorkload } from '../src/mesh-workload';
import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';

/** A chart whose app knows the namespaces and the extension provider these tests name. */
function chart(namespace = 'shop'): IstioChart {
  const app = testApp();
  const ctx = MeshContext.of(app);
  for (const ns of ['shop', 'ops', 'monitoring', 'billing', 'istio-ingress', 'x']) {
    ctx.declareExternalNamespace(ns);
  }
  ctx.declareInstall({ extensionProviders: ['oauth2-proxy'] });
  return new IstioChart(app, 'c', { namespace });
}

function policies(c: IstioChart): Json[] {
  return synthManifests(c).filter((m) => m.kind === 'AuthorizationPolicy');
}

function only(c: IstioChart): Json {
  const all = policies(c);
  expect(all).toHaveLength(1);
  return all[0];
}

const api = MeshWorkload.fromLabels('shop', { app: 'api' }, { serviceAccountName: 'api' });
const web = MeshWorkload.fromLabels('shop', { app: 'web' }, { serviceAccountName: 'web' });
const ingress: IGatewayWorkload = {
  namespace: 'istio-ingress',
  selector: { istio: 'ingressgateway' },
  serviceAccountName: 'istio-ingressgateway',
};

describe('AuthorizationPolicy', () => {
  test('a workload policy renders selector, action and typed rules field by field', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'api-read', {
      selector: api,
      rules: [{
        from: [
          Source.principals('cluster.local/ns/shop/sa/web'),
          Source.namespaces('ops').and(Source.ipBlocks('10.0.0.0/8', '192.168.1.7')),
        ],
        to: [Operation.methods('GET', 'HEAD').and(Operation.paths('/api/*', '/healthz')), Operation.ports(8080)],
        when: [Condition.requestClaim('groups', ['readers']), Condition.sourceIp('10.1.0.0/16').negate()],
      }],
    });
    const p = only(c);
    expect(p.apiVersion).toBe('security.istio.io/v1');
    expect(p.metadata).toEqual({ name: 'api-read', namespace: 'shop' });
    expect(p.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'api' } },
      rules: [{
        from: [
          { source: { principals: ['cluster.local/ns/shop/sa/web'] } },
          { source: { namespaces: ['ops'], ipBlocks: ['10.0.0.0/8', '192.168.1.7'] } },
        ],
        to: [
          { operation: { methods: ['GET', 'HEAD'], paths: ['/api/*', '/healthz'] } },
          { operation: { ports: ['8080'] } },
        ],
        when: [
          { key: 'request.auth.claims[groups]', values: ['readers'] },
          { key: 'source.ip', notValues: ['10.1.0.0/16'] },
        ],
      }],
    });
    expect(p).toMatchSnapshot();
  });

  test('every Source, Operation and Condition factory renders its own field', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'all', {
      action: PolicyAction.DENY,
      rules: [{
        from: [
          Source.notPrincipals('cluster.local/ns/x/sa/y'),
          Source.requestPrincipals('https://issuer/*'),
          Source.notRequestPrincipals('*'),
          Source.notNamespaces('kube-system'),
          Source.serviceAccounts('shop/web', api),
          Source.notServiceAccounts('shop/batch'),
          Source.notIpBlocks('10.0.0.1'),
          Source.remoteIpBlocks('203.0.113.0/24'),
          Source.notRemoteIpBlocks('2001:db8::/32'),
          Source.workloads(web),
        ],
        to: [Operation.notMethods('DELETE').and(Operation.notPaths('/admin/*')).and(Operation.notPorts(9090)).and(Operation.hosts('shop.example.com')).and(Operation.notHosts('*.internal'))],
        when: [
          Condition.requestHeader('x-tenant', ['a']),
          Condition.requestClaim(['realm_access', 'roles'], ['admin']),
          Condition.requestPrincipal('https://issuer/alice'),
          Condition.requestAudience('shop'),
          Condition.requestPresenter('cli'),
          Condition.remoteIp('198.51.100.1'),
          Condition.sourceNamespace('shop'),
          Condition.sourcePrincipal('cluster.local/ns/shop/sa/web'),
          Condition.destinationIp('10.0.0.5'),
          Condition.destinationPort(8443),
          Condition.sni('shop.example.com'),
          Condition.of('experimental.envoy.filters.network.mysql_proxy[db.table]', ['[shop.orders]']),
        ],
      }],
    });
    const rule = ((only(c).spec as Json).rules as Json[])[0];
    expect((rule.from as Json[]).map((f) => f.source)).toEqual([
      { notPrincipals: ['cluster.local/ns/x/sa/y'] },
      { requestPrincipals: ['https://issuer/*'] },
      { notRequestPrincipals: ['*'] },
      { notNamespaces: ['kube-system'] },
      { serviceAccounts: ['shop/web', 'shop/api'] },
      { notServiceAccounts: ['shop/batch'] },
      { notIpBlocks: ['10.0.0.1'] },
      { remoteIpBlocks: ['203.0.113.0/24'] },
      { notRemoteIpBlocks: ['2001:db8::/32'] },
      { principals: ['cluster.local/ns/shop/sa/web'] },
    ]);
    expect(rule.to).toEqual([{
      operation: { notHosts: ['*.internal'], hosts: ['shop.example.com'], notPorts: ['9090'], notMethods: ['DELETE'], notPaths: ['/admin/*'] },
    }]);
    expect((rule.when as Json[]).map((w) => w.key)).toEqual([
      'request.headers[x-tenant]',
      'request.auth.claims[realm_access][roles]',
      'request.auth.principal',
      'request.auth.audiences',
      'request.auth.presenter',
      'remote.ip',
      'source.namespace',
      'source.principal',
      'destination.ip',
      'destination.port',
      'connection.sni',
      'experimental.envoy.filters.network.mysql_proxy[db.table]',
    ]);
    expect((rule.when as Json[])[9]).toEqual({ key: 'destination.port', values: ['8443'] });
  });

  test('rules added after construction still render', () => {
    const c = chart();
    const p = new AuthorizationPolicy(c, 'late', { selector: api });
    p.addRule({ from: [Source.workloads(web)] });
    expect((only(c).spec as Json).rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }]);
    expect((only(c).spec as Json).action).toBe('ALLOW');
  });

  test('an empty rule matches every request', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'deny-all-api', { selector: api, action: PolicyAction.DENY, rules: [{}] });
    expect(only(c).spec).toEqual({ action: 'DENY', selector: { matchLabels: { app: 'api' } }, rules: [{}] });
  });

  test('AUDIT and CUSTOM actions; CUSTOM carries its provider', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'audit', { action: PolicyAction.AUDIT, rules: [{ to: [Operation.paths('/admin/*')] }] });
    new AuthorizationPolicy(c, 'ext', { selector: api, action: PolicyAction.custom('oauth2-proxy'), rules: [{ to: [Operation.paths('/admin/*')] }] });
    const [audit, ext] = policies(c);
    expect((audit.spec as Json).action).toBe('AUDIT');
    expect((audit.spec as Json).provider).toBeUndefined();
    expect(ext.spec).toEqual({
      action: 'CUSTOM',
      provider: { name: 'oauth2-proxy' },
      selector: { matchLabels: { app: 'api' } },
      rules: [{ to: [{ operation: { paths: ['/admin/*'] } }] }],
    });
  });

  test('scopes: namespace by default, mesh-wide in the root namespace, explicit namespace', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'ns', { rules: [{ from: [Source.namespaces('shop')] }] });
    new AuthorizationPolicy(c, 'mesh', { meshWide: true, action: PolicyAction.DENY, rules: [{ from: [Source.ipBlocks('1.2.3.4')] }] });
    new AuthorizationPolicy(c, 'mesh-root', { meshWide: true, rootNamespace: 'istio-config', action: PolicyAction.DENY, rules: [{}] });
    new AuthorizationPolicy(c, 'other', { namespace: 'billing', rules: [{}] });
    const [ns, mesh, meshRoot, other] = policies(c);
    expect(ns.metadata).toEqual({ name: 'ns', namespace: 'shop' });
    expect((ns.spec as Json).selector).toBeUndefined();
    expect(mesh.metadata).toEqual({ name: 'mesh', namespace: 'istio-system' });
    expect((mesh.spec as Json).selector).toBeUndefined();
    expect(meshRoot.metadata).toEqual({ name: 'mesh-root', namespace: 'istio-config' });
    expect(other.metadata).toEqual({ name: 'other', namespace: 'billing' });
  });

  test('targetRefs point at a Gateway API Gateway or a Service, in the policy namespace', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'gw', { targetRefs: [PolicyTargetRef.gateway('public')], rules: [{ to: [Operation.paths('/api/*')] }] });
    new AuthorizationPolicy(c, 'waypoint', {
      targetRefs: [PolicyTargetRef.service(ServiceRef.fromName('reviews', 'shop')), PolicyTargetRef.serviceEntry('payments')],
      rules: [{ from: [Source.workloads(web)] }],
    });
    const [gw, waypoint] = policies(c);
    expect((gw.spec as Json).targetRefs).toEqual([{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }]);
    expect((gw.spec as Json).selector).toBeUndefined();
    expect((waypoint.spec as Json).targetRefs).toEqual([
      { group: '', kind: 'Service', name: 'reviews' },
      { group: 'networking.istio.io', kind: 'ServiceEntry', name: 'payments' },
    ]);
    expect(policies(c)).toMatchSnapshot();
  });
});

describe('AuthorizationPolicy helpers', () => {
  test('allowNothing renders spec: {} (an ALLOW without rules), never a DENY', () => {
    const c = chart();
    AuthorizationPolicy.allowNothing(c, 'allow-nothing');
    AuthorizationPolicy.allowNothing(c, 'close-billing', { name: 'allow-nothing', namespace: { name: 'billing' } });
    AuthorizationPolicy.allowNothing(c, 'close-api', { selector: api });
    const [nothing, billing, closeApi] = policies(c);
    expect(nothing).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'AuthorizationPolicy',
      metadata: { name: 'allow-nothing', namespace: 'shop' },
      spec: {},
    });
    expect(billing.metadata).toEqual({ name: 'allow-nothing', namespace: 'billing' });
    expect(billing.spec).toEqual({});
    expect(closeApi.spec).toEqual({ selector: { matchLabels: { app: 'api' } } });
    expect(policies(c)).toMatchSnapshot();
  });

  test('allowFromIngressGateway allows the gateway service account principal to the workload', () => {
    const c = chart();
    AuthorizationPolicy.allowFromIngressGateway(c, 'ingress-to-web', { gateway: ingress, to: web, operations: [Operation.methods('GET', 'POST')] });
    const p = only(c);
    expect(p.metadata).toEqual({ name: 'ingress-to-web', namespace: 'shop' });
    expect(p.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'web' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/istio-ingressgateway'] } }],
        to: [{ operation: { methods: ['GET', 'POST'] } }],
      }],
    });
    expect(p).toMatchSnapshot();
  });

  test('allowFromIngressGateway honours another trust domain', () => {
    const c = chart();
    AuthorizationPolicy.allowFromIngressGateway(c, 'i', { gateway: ingress, to: web, trustDomain: 'prod.example' });
    const rules = (only(c).spec as Json).rules as Json[];
    expect(rules[0]).toEqual({ from: [{ source: { principals: ['prod.example/ns/istio-ingress/sa/istio-ingressgateway'] } }] });
  });

  test('allowFromNamespaces for a workload or the whole namespace', () => {
    const c = chart();
    AuthorizationPolicy.allowFromNamespaces(c, 'ops-to-api', { namespaces: ['ops', { name: 'monitoring' }], to: api });
    AuthorizationPolicy.allowFromNamespaces(c, 'ops-to-all', { namespaces: ['ops'], operations: [Operation.ports(9090)] });
    const [one, all] = policies(c);
    expect(one.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'api' } },
      rules: [{ from: [{ source: { namespaces: ['ops', 'monitoring'] } }] }],
    });
    expect(all.metadata).toEqual({ name: 'ops-to-all', namespace: 'shop' });
    expect(all.spec).toEqual({
      action: 'ALLOW',
      rules: [{ from: [{ source: { namespaces: ['ops'] } }], to: [{ operation: { ports: ['9090'] } }] }],
    });
    expect(policies(c)).toMatchSnapshot();
  });

  test('workload.allowFrom(other) allows the caller\'s service-account principal', () => {
    const c = chart();
    const apiHere = MeshWorkload.fromLabels('shop', { app: 'api' }, { serviceAccountName: 'api', scope: c });
    const policy = apiHere.allowFrom(web, { operations: [Operation.methods('GET')] });
    expect(policy.name).toBe('api-allow-from-shop-web');
    const p = only(c);
    expect(p.metadata).toEqual({ name: 'api-allow-from-shop-web', namespace: 'shop' });
    expect(p.spec).toEqual({
      action: 'ALLOW',
      selector: { matchLabels: { app: 'api' } },
      rules: [{
        from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }],
        to: [{ operation: { methods: ['GET'] } }],
      }],
    });
    expect(p).toMatchSnapshot();
  });

  test('MeshWorkload.fromPlus reads a cdk8s-plus Deployment\'s selector, namespace and service account', () => {
    const c = chart();
    const apiSa = new plus.ServiceAccount(c, 'api-sa', { metadata: { name: 'api' } });
    const webSa = new plus.ServiceAccount(c, 'web-sa', { metadata: { name: 'web' } });
    const apiDeploy = new plus.Deployment(c, 'api', {
      metadata: { name: 'api' },
      serviceAccount: apiSa,
      containers: [{ image: 'example/api:1', portNumber: 8080 }],
    });
    const webDeploy = new plus.Deployment(c, 'web', {
      metadata: { name: 'web' },
      serviceAccount: webSa,
      containers: [{ image: 'example/web:1', portNumber: 8080 }],
    });
    const apiRef = MeshWorkload.fromPlus(apiDeploy);
    expect(apiRef.namespace).toBe('shop');
    expect(apiRef.serviceAccountName).toBe('api');
    expect(apiRef.name).toBe('api');
    apiRef.allowFrom(MeshWorkload.fromPlus(webDeploy));

    const manifests = synthManifests(c);
    const deployment = manifests.find((m) => m.kind === 'Deployment' && (m.metadata as Json).name === 'api') as Json;
    const podLabels = (((deployment.spec as Json).template as Json).metadata as Json).labels;
    const p = manifests.find((m) => m.kind === 'AuthorizationPolicy') as Json;
    expect(p.metadata).toEqual({ name: 'api-allow-from-shop-web', namespace: 'shop' });
    // The policy selects exactly the pods the Deployment creates.
    expect((p.spec as Json).selector).toEqual({ matchLabels: (deployment.spec as Json & { selector: Json }).selector.matchLabels });
    expect(podLabels).toMatchObject(((p.spec as Json).selector as Json).matchLabels as Json);
    expect((p.spec as Json).rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }]);
  });
});

describe('AuthorizationPolicy refuses wrong input, naming the construct path and field', () => {
  test('selector together with targetRefs (Istio\'s CEL rule)', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { selector: api, targetRefs: [PolicyTargetRef.gateway('public')] }))
      .toThrow(/^\[c\/p\] spec\.targetRefs: cannot be combined with spec\.selector/);
  });

  test('service accounts combined with principals or namespaces (Istio\'s CEL rule)', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', {
      rules: [{ from: [Source.serviceAccounts('shop/web').and(Source.principals('cluster.local/ns/shop/sa/web'))] }],
    })).toThrow(/^\[c\/p\] spec\.rules\[0\]\.from\[0\]\.source\.serviceAccounts: service accounts cannot be combined with principals or namespaces/);
    expect(() => new AuthorizationPolicy(chart(), 'p', {
      rules: [{ from: [Source.namespaces('shop').and(Source.notServiceAccounts('shop/web'))] }],
    })).toThrow(/\[c\/p\] spec\.rules\[0\]\.from\[0\]\.source\.notServiceAccounts/);
  });

  test('an unknown `when` key', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { rules: [{ when: [Condition.of('request.auth.claim[groups]', ['a'])] }] }))
      .toThrow(/^\[c\/p\] spec\.rules\[0\]\.when\[0\]\.key: "request\.auth\.claim\[groups\]" is not a condition key Istio knows/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { rules: [{ when: [Condition.of('destination.labels[app]', ['a'])] }] }))
      .toThrow(/\[c\/p\] spec\.rules\[0\]\.when\[0\]\.key: .*with `selector`/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { rules: [{ when: [Condition.of('request.headers', ['a'])] }] }))
      .toThrow(/\[c\/p\] spec\.rules\[0\]\.when\[0\]\.key: "request\.headers" names no header/);
  });

  test('rules added later are checked with their own index', () => {
    const p = new AuthorizationPolicy(chart(), 'p', { rules: [{}] });
    expect(() => p.addRule({ when: [Condition.sourceIp('10.0.0.300')] }))
      .toThrow(/^\[c\/p\] spec\.rules\[1\]\.when\[0\]\.values\[0\]: "10\.0\.0\.300" is not an IP address/);
  });

  test('bad values: IP blocks, ports, paths, service accounts, empty lists', () => {
    const bad = (rule: Parameters<AuthorizationPolicy['addRule']>[0]) => () => new AuthorizationPolicy(chart(), 'p', { rules: [rule] });
    expect(bad({ from: [Source.ipBlocks('10.0.0.0/33')] })).toThrow(/spec\.rules\[0\]\.from\[0\]\.source\.ipBlocks\[0\]: "10\.0\.0\.0\/33" is not a CIDR block/);
    expect(bad({ to: [Operation.ports(0)] })).toThrow(/spec\.rules\[0\]\.to\[0\]\.operation\.ports\[0\]: 0 is not a port number/);
    expect(bad({ to: [Operation.paths('api/*')] })).toThrow(/spec\.rules\[0\]\.to\[0\]\.operation\.paths\[0\]: "api\/\*" starts with neither/);
    expect(bad({ to: [Operation.paths('/api/{id}')] })).toThrow(/operation\.paths\[0\]: .*braces that is not \{\*\} or \{\*\*\}/);
    expect(bad({ to: [Operation.paths('/{**}/{*}')] })).toThrow(/operation\.paths\[0\]: .*after \{\*\*\}/);
    expect(bad({ from: [Source.serviceAccounts('shop/*')] })).toThrow(/source\.serviceAccounts\[0\]: .*wildcard/);
    expect(bad({ from: [Source.serviceAccounts('a/b/c')] })).toThrow(/source\.serviceAccounts\[0\]: "a\/b\/c" is not a service account/);
    expect(bad({ from: [Source.principals()] })).toThrow(/source\.principals: the list is empty/);
    expect(bad({ from: [] })).toThrow(/spec\.rules\[0\]\.from: the list is empty/);
    expect(bad({ when: [Condition.destinationPort(70000)] })).toThrow(/when\[0\]\.values\[0\]: 70000 is not a port number/);
    expect(bad({ when: [Condition.requestClaim('groups', [])] })).toThrow(/when\[0\]\.values: no values/);
    expect(bad({ from: [Source.namespaces('Shop')] })).toThrow(/source\.namespaces\[0\]: "Shop" is not a valid namespace name/);
    expect(bad({ from: [Source.principals('a').and(Source.principals('b'))] })).toThrow(/source\.principals: principals is given twice/);
    expect(bad({ to: [Operation.paths('/a').and(Operation.paths('/b'))] })).toThrow(/operation\.paths: paths is given twice/);
  });

  test('wildcard label keys and values in the selector', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { selector: MeshWorkload.fromLabels('shop', { 'app*': 'api' }) }))
      .toThrow(/^\[c\/p\] spec\.selector\.matchLabels: "app\*=api" contains a wildcard/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { selector: MeshWorkload.fromLabels('shop', { app: 'api-*' }) }))
      .toThrow(/^\[c\/p\] spec\.selector\.matchLabels: .*wildcard/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { selector: MeshWorkload.fromLabels('shop', {}) }))
      .toThrow(/^\[c\/p\] spec\.selector\.matchLabels: the selector is empty/);
  });

  test('a target that is an Istio networking.istio.io Gateway, another namespace, or an unsupported kind', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { targetRefs: [PolicyTargetRef.of('networking.istio.io', 'Gateway', 'public')] }))
      .toThrow(/^\[c\/p\] spec\.targetRefs\[0\]: targets an Istio networking\.istio\.io Gateway/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { targetRefs: [PolicyTargetRef.gateway('public', 'istio-ingress')] }))
      .toThrow(/^\[c\/p\] spec\.targetRefs\[0\]: .*cross-namespace/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { targetRefs: [PolicyTargetRef.of('apps', 'Deployment', 'api')] }))
      .toThrow(/^\[c\/p\] spec\.targetRefs\[0\]: apps\/Deployment is not a kind Istio accepts/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { targetRefs: [PolicyTargetRef.service(ServiceRef.fromHost('api.example.com'))] }))
      .toThrow(/^\[c\/p\] spec\.targetRefs\[0\]: the service api\.example\.com has no Service name/);
  });

  test('scope combinations that do not make sense', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { meshWide: true, namespace: 'shop' }))
      .toThrow(/^\[c\/p\] metadata\.namespace: a mesh-wide policy lives in the root namespace istio-system/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { meshWide: true, selector: api }))
      .toThrow(/^\[c\/p\] spec\.selector: a mesh-wide policy cannot have a selector/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { selector: api, namespace: 'billing' }))
      .toThrow(/^\[c\/p\] metadata\.namespace: the selected workload is in namespace shop/);
  });

  test('CUSTOM: provider name required; identities and JWT attributes refused', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { action: PolicyAction.custom(''), rules: [{}] }))
      .toThrow(/^\[c\/p\] spec\.provider\.name: a CUSTOM policy needs an extension provider name/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { action: PolicyAction.custom('ext'), rules: [{ from: [Source.principals('x')] }] }))
      .toThrow(/^\[c\/p\] spec\.rules\[0\]\.from\[0\]\.source\.principals: principals is not supported with the CUSTOM action/);
    expect(() => new AuthorizationPolicy(chart(), 'p', { action: PolicyAction.custom('ext'), rules: [{ when: [Condition.requestClaim('sub', ['a'])] }] }))
      .toThrow(/^\[c\/p\] spec\.rules\[0\]\.when\[0\]\.key: request\.auth\.claims\[sub\] is not supported with the CUSTOM action/);
  });

  test('a DENY or CUSTOM policy without rules is a synth error: it never matches', () => {
    const c = chart();
    new AuthorizationPolicy(c, 'deny', { action: PolicyAction.DENY });
    const f = findings(c).filter((x) => x.code === 'CKI0001');
    expect(f).toHaveLength(1);
    expect(f[0].constructPath).toBe('c/deny');
    expect(f[0].field).toBe('spec.rules');
    expect(f[0].message).toMatch(/^a DENY policy without rules never matches a request/);
  });

  test('helpers name the missing identity', () => {
    expect(() => AuthorizationPolicy.allowFromIngressGateway(chart(), 'i', { gateway: { namespace: 'istio-system', selector: { istio: 'ingressgateway' } }, to: api }))
      .toThrow(/^\[c\/i\] spec\.rules\[0\]\.from\[0\]\.source\.principals: the gateway workload in namespace istio-system has no serviceAccountName/);
    const c = chart();
    const here = MeshWorkload.fromLabels('shop', { app: 'api' }, { scope: c });
    expect(() => here.allowFrom(MeshWorkload.fromLabels('shop', { app: 'web' })))
      .toThrow(/^\[MeshWorkload shop\/api\] allowFrom: the caller in namespace shop has no service account/);
    expect(() => api.allowFrom(web)).toThrow(/^\[MeshWorkload shop\/api\] allowFrom: the workload has no construct scope/);
    here.allowFrom(web);
    expect(() => here.allowFrom(web)).toThrow(/^\[c\/api-allow-from-shop-web\] metadata\.name: .*already allowed/);
    expect(() => Source.workloads(MeshWorkload.fromLabels('shop', { app: 'x' })))
      .not.toThrow();
    expect(() => new AuthorizationPolicy(chart(), 'p', { rules: [{ from: [Source.workloads(MeshWorkload.fromLabels('shop', { app: 'x' }))] }] }))
      .toThrow(/^\[c\/p\] spec\.rules\[0\]\.from\[0\]\.source\.principals\[0\]: the workload in namespace shop \(app=x\) has no service account/);
  });
});
