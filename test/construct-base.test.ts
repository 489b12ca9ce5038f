/**
 * The construct base and what it fixed: keys that vanished, namespace references that threw,
 * references that did not order the output, names and labels nobody checked.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { JsonPatch } from 'cdk8s';
import * as YAML from 'yaml';
import {
  AuthorizationPolicy, Certificate, CertificateIssuer, DestinationRule, Destination, IstioApp, IstioChart, l1, MeshNamespace, MeshWorkload,
  PeerAuthentication, VirtualService, ZeroTrustNamespace, InjectionMode, findings, synthManifests, testApp, IngressGateway, Gateway, Server,
} from '../src';
import { loadValues, buildValuesApp } from '../src/cli/values-app';
import { ValuesError } from '../src/cli/values';

function chart(namespace = 'shop') {
  return new IstioChart(testApp(), 'c', { namespace });
}

describe('keys never vanish', () => {
  test('an unknown field given to an L1 class is reported with its path, not dropped', () => {
    const c = chart();
    const spec = { host: 'api', trafficPolicy: { foo: 1 } } as unknown as l1.DestinationRuleSpec;
    new l1.DestinationRule(c, 'dr', { metadata: { name: 'api' }, spec });
    const f = findings(c).filter((x) => x.code === 'CKI1002');
    expect(f).toEqual([expect.objectContaining({ field: 'spec.trafficPolicy.foo', message: expect.stringMatching(/unknown field "foo"/) })]);
  });

  test('the same for a generated class of another version, which the app renders without its lossy mapper', () => {
    const c = chart();
    const spec = { host: 'api', trafficPolicy: { tsl: { mode: 'ISTIO_MUTUAL' } } } as unknown as l1.DestinationRuleV1Beta1Spec;
    new l1.DestinationRuleV1Beta1(c, 'dr', { metadata: { name: 'api' }, spec });
    expect(findings(c).filter((x) => x.code === 'CKI1002')).toEqual([
      expect.objectContaining({ field: 'spec.trafficPolicy.tsl', message: expect.stringMatching(/unknown field "tsl" \(did you mean "tls"\?\)/) }),
    ]);
  });

  test('a misspelt key patched into an L2 resource reaches the schema check', () => {
    const c = chart();
    const vs = new VirtualService(c, 'vs', { hosts: ['api'] });
    vs.addHttpRoute({ to: [Destination.to('api')] });
    vs.apiObject.addJsonPatch(JsonPatch.add('/spec/http/0/timeOut', '5s'));
    expect(findings(c).filter((x) => x.code === 'CKI1002')).toEqual([
      expect.objectContaining({ field: 'spec.http[0].timeOut', message: expect.stringMatching(/did you mean "timeout"/) }),
    ]);
  });

  test('renderers are typed against the L1 specs: the compiler refuses a misspelt key', () => {
    // `npm test` type-checks this file: an unused @ts-expect-error fails it.
    // @ts-expect-error timeOut is not a field of an HTTP route
    const route: l1.Wire<l1.VirtualServiceSpecHttp> = { timeOut: '5s' };
    // @ts-expect-error htpp is not a field of a VirtualService
    const spec: l1.Wire<l1.VirtualServiceSpec> = { htpp: [] };
    // Enums are their string values, so one traffic policy fits the host, a port and a subset.
    const tls: l1.Wire<l1.DestinationRuleSpecSubsetsTrafficPolicyTls> = { mode: 'ISTIO_MUTUAL' };
    expect([route, spec, tls]).toHaveLength(3);
  });
});

describe('namespace references are compared by name', () => {
  test('a policy given the MeshNamespace of its selector', () => {
    const c = chart();
    const ns = new MeshNamespace(c, 'ns', { name: 'shop', injection: InjectionMode.enabled() });
    const p = new AuthorizationPolicy(c, 'p', { namespace: ns, selector: MeshWorkload.fromLabels('shop', { app: 'api' }), rules: [{}] });
    expect(p.namespace).toBe('shop');
  });

  test('a mesh-wide PeerAuthentication given the root namespace as a reference', () => {
    const c = chart();
    const pa = new PeerAuthentication(c, 'm', { meshWide: true, namespace: { name: 'istio-system' } });
    expect(pa.namespace).toBe('istio-system');
    expect(synthManifests(c).find((m) => m.kind === 'PeerAuthentication')?.metadata).toEqual({ name: 'm', namespace: 'istio-system' });
  });

  test('a namespace that is really another one is still refused', () => {
    const c = chart();
    const other = new MeshNamespace(c, 'other', { name: 'billing' });
    expect(() => new AuthorizationPolicy(c, 'p', { namespace: other, selector: MeshWorkload.fromLabels('shop', { app: 'api' }) }))
      .toThrow(/^\[c\/p\] metadata\.namespace: the selected workload is in namespace shop, the policy in billing/);
  });
});

/** The documents of a written folder in `kubectl apply -f` order: files by name, documents in order. */
function applyOrder(dir: string): Array<Record<string, unknown>> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  return files.flatMap((f) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS() as Record<string, unknown>));
}

describe('references order the output', () => {
  test('objects in chart "apps" given the MeshNamespace of chart "platform" are applied after it', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-order-'));
    try {
      const app = new IstioApp({ outdir });
      // Declared first, and named to sort first: only the references can put it after platform.
      const apps = new IstioChart(app, 'apps');
      const platform = new IstioChart(app, 'platform');
      const ns = new MeshNamespace(platform, 'shop', { injection: InjectionMode.enabled() });
      const dr = new DestinationRule(apps, 'api', { namespace: ns, host: 'api' });
      const v1 = dr.addSubset('v1', { version: 'v1' });
      new VirtualService(apps, 'routes', { namespace: ns, hosts: ['api'] }).addHttpRoute({ to: [Destination.to('api', { subset: v1 })] });
      new ZeroTrustNamespace(apps, 'zt', { namespace: ns });
      app.synth();

      expect(fs.readdirSync(outdir).filter((f) => f.endsWith('.yaml')).sort()).toEqual(['0000-platform.k8s.yaml', '0001-apps.k8s.yaml']);
      const docs = applyOrder(outdir);
      const seen = new Set<string>();
      for (const doc of docs) {
        const meta = doc.metadata as { name: string; namespace?: string };
        if (doc.kind === 'Namespace') {
          seen.add(meta.name);
        } else {
          expect({ object: `${String(doc.kind)}/${meta.name}`, namespaceApplied: seen.has(meta.namespace!) }).toEqual({ object: `${String(doc.kind)}/${meta.name}`, namespaceApplied: true });
        }
      }
      // The subset exists before the route that names it (make before break).
      const kinds = docs.map((d) => d.kind);
      expect(kinds.indexOf('DestinationRule')).toBeLessThan(kinds.indexOf('VirtualService'));
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('a VirtualService follows the Gateway it binds to, in one chart, without reshuffling the rest', () => {
    const c = chart();
    const vs = new VirtualService(c, 'routes', { hosts: ['shop.example.com'] });
    new DestinationRule(c, 'unrelated', { host: 'other' });
    const ingress = new IngressGateway(c, 'ingress');
    const gw = new Gateway(c, 'gw', { workload: ingress, servers: [Server.http({ hosts: ['shop.example.com'] })] });
    vs.bindTo(gw).addHttpRoute({ to: [Destination.to('web', { port: 80 })] });
    const order = synthManifests(c).map((m) => `${String(m.kind)}/${String((m.metadata as { name: string }).name)}`);
    expect(order.indexOf('Gateway/gw')).toBeLessThan(order.indexOf('VirtualService/routes'));
    expect(order.indexOf('Deployment/ingress')).toBeLessThan(order.indexOf('Gateway/gw'));
    // The unrelated rule keeps its place relative to the objects written before it.
    expect(order.indexOf('DestinationRule/unrelated')).toBeLessThan(order.indexOf('Deployment/ingress'));
  });
});

describe('names, labels and annotations are checked wherever they reach the output', () => {
  test('labels and annotations on every L2 resource, refused when Kubernetes would refuse them', () => {
    const c = chart();
    const dr = new DestinationRule(c, 'dr', { host: 'api', metadata: { labels: { team: 'payments' }, annotations: { 'argocd.argoproj.io/sync-wave': '1' } } });
    dr.metadata.addLabel('app.kubernetes.io/part-of', 'shop');
    expect(synthManifests(c)[0].metadata).toEqual({
      name: 'dr', namespace: 'shop',
      labels: { 'team': 'payments', 'app.kubernetes.io/part-of': 'shop' },
      annotations: { 'argocd.argoproj.io/sync-wave': '1' },
    });
    expect(() => new VirtualService(chart(), 'vs', { hosts: ['a'], metadata: { labels: { team: 'a b' } } }))
      .toThrow(/^\[c\/vs\] metadata\.labels\["team"\]: "a b" is not a valid label value of label team/);
    expect(() => new PeerAuthentication(chart(), 'pa', { metadata: { annotations: { '-bad': 'x' } } }))
      .toThrow(/^\[c\/pa\] metadata\.annotations\["-bad"\]: "-bad" is not a valid annotation key/);
  });

  test('a label added after construction is reported by the analysis', () => {
    const c = chart();
    const dr = new DestinationRule(c, 'dr', { host: 'api' });
    dr.metadata.addLabel('-bad', 'x');
    expect(findings(c)).toEqual([expect.objectContaining({ code: 'CKI1006', field: 'metadata.labels["-bad"]' })]);
  });

  test('a Certificate named a..b and a gateway service account that is no name are refused in TypeScript', () => {
    expect(() => new Certificate(chart(), 'cert', { secretName: 'a..b', issuer: CertificateIssuer.clusterIssuer('le'), dnsNames: ['a.example.com'] }))
      .toThrow(/^\[c\/cert\] spec\.secretName: "a\.\.b" is not a valid Secret name/);
    expect(() => new IngressGateway(chart(), 'gw', { serviceAccountName: 'Not An Account' }))
      .toThrow(/^\[c\/gw\] serviceAccountName: "Not An Account" is not a valid service account name/);
  });

  test('a selector that can never match is refused where it is used', () => {
    expect(() => new AuthorizationPolicy(chart(), 'p', { selector: MeshWorkload.fromLabels('shop', { app: 'we b' }) }))
      .toThrow(/^\[c\/p\] spec\.selector\.matchLabels: "we b" is not a valid label value of label app/);
  });

  const valuesError = (yaml: string): string => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-values-'));
    const file = path.join(dir, 'v.yaml');
    fs.writeFileSync(file, yaml);
    try {
      buildValuesApp('v', loadValues([file]));
      return '(no error)';
    } catch (e) {
      return e instanceof ValuesError ? e.problems.join('\n').replace(file, 'v.yaml') : String(e);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  test.each([
    ['a namespace label value with a space', 'namespaces:\n  - name: shop\n    labels:\n      team: "a b"\n', /^v\.yaml:4:7: .*namespaces\[0\]\.labels\["team"\]: "a b" is not a valid label value/],
    ['a namespace label key starting with a dash', 'namespaces:\n  - name: shop\n    labels:\n      -bad: x\n', /^v\.yaml:4:7: .*"-bad" is not a valid label key/],
    ['a service selector that can never match', [
      'exposedApplications:', '  - name: shop', '    namespace: shop', '    hosts: [shop.example.com]',
      '    frontend: { name: web, port: 80, selector: { app: "we b" } }',
    ].join('\n'), /"we b" is not a valid label value of label app/],
  ])('values: %s', (_what, yaml, expected) => {
    expect(valuesError(yaml)).toMatch(expected);
  });
});
