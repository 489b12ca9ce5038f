/**
 * Targeting the cluster's Istio, 1.20 through 1.30: apiVersions from what the target serves,
 * validation against the target's CRDs, and clear errors for what it lacks.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { ApiObject } from 'cdk8s';
import { loadSchemaArtefactFor, NEWEST_MINOR, VERSIONS_ARTEFACT_FILE } from '../src/analysis/crd-artefact';
import { buildSchemaArtefact } from '../src/analysis/crd-artefact';
import { AuthorizationPolicy } from '../src/authorization-policy';
import { run } from '../src/cli/cdk8s-istio';
import { versionsArtefactText } from '../src/cli/import';
import { Gateway } from '../src/gateway';
import { GatewayTls, Server } from '../src/gateway-server';
import { GatewayWorkload } from '../src/gateway-workload';
import { IstioApp } from '../src/istio-app';
import { IstioChart } from '../src/istio-chart';
import { BUNDLED_MINORS, bundledMinorFor, compareMinors, istioVersionProblem } from '../src/istio-version';
import * as l1 from '../src/l1';
import { exampleFiles } from '../src/main';
import { PolicyTargetRef } from '../src/policy-scope';
import { findings } from '../src/testing';
import { describeWithShared, PROJECT_ROOT } from './shared';

function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

function app(istioVersion: string): { app: IstioApp; chart: IstioChart } {
  const a = new IstioApp({ istioVersion, outdir: '/nonexistent-test-output' });
  return { app: a, chart: new IstioChart(a, 'c', { namespace: 'shop' }) };
}

describe('the supported range', () => {
  test.each(['1.20', '1.20.8', '1.21', '1.25.2', '1.30', '1.30.3'])('%s is accepted', (v) => {
    expect(istioVersionProblem(v)).toBeUndefined();
  });

  test.each([['1.19', /outside the supported range 1\.20-1\.30/], ['1.31', /outside the supported range/], ['2.0', /not an Istio version/], ['1.2', /outside/], ['latest', /not an Istio version/]])('%s is refused', (v, message) => {
    expect(istioVersionProblem(v)?.problem).toMatch(message);
    expect(() => new IstioApp({ istioVersion: v })).toThrow(/istioVersion: .*(outside the supported range|not an Istio version)/);
  });

  test('an odd minor is checked against the bundle of the even minor before it', () => {
    expect(['1.20', '1.21', '1.23.4', '1.29', '1.30.3'].map(bundledMinorFor)).toEqual(['1.20', '1.20', '1.22', '1.28', '1.30']);
  });

  test('the values key and the CLI flag, with the same refusal', () => {
    const r = cli('synth', '-f', path.join(PROJECT_ROOT, 'examples', 'bookinfo.yaml'), '--stdout', '--istio-version', '1.18');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/mesh\.istioVersion: Istio 1\.18 is outside the supported range 1\.20-1\.30/);
  });
});

describe('every bundled example for every bundled minor', () => {
  test.each(exampleFiles().flatMap((e) => BUNDLED_MINORS.map((m) => [e.name, m, e.file])))('%s on Istio %s: valid, and only apiVersions the target serves', (_name, minor, file) => {
    const r = cli('synth', '-f', file, '--stdout', '--istio-version', minor);
    if (fs.readFileSync(file, 'utf8').includes('\nmeshInstall:') && minor !== NEWEST_MINOR) {
      // It installs 1.30.3, so it cannot target an older Istio: the clear error, nothing else.
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`meshInstall\\] version: the install is Istio 1\\.30\\.3 but the app targets Istio ${minor.replace('.', '\\.')}`));
      return;
    }
    // An example that states a minimum Istio version fails below it, saying so.
    const minimum = ((YAML.parse(fs.readFileSync(file, 'utf8')) as { mesh?: { requires?: Array<{ minimumIstioVersion?: string }> } }).mesh?.requires ?? [])
      .map((req) => req.minimumIstioVersion).find((v) => v !== undefined);
    if (minimum !== undefined && compareMinors(minor, minimum) < 0) {
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`mesh\\.requires\\[0\\]\\.minimumIstioVersion: .* needs Istio ${minimum.replace('.', '\\.')} or later, and the cluster's install is ${minor.replace('.', '\\.')}`));
      return;
    }
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const served = new Set(Object.values(loadSchemaArtefactFor(minor).kinds).map((k) => `${k.group}/${k.version}/${k.kind}`));
    for (const doc of YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON() as { apiVersion: string; kind: string })) {
      if (doc.apiVersion.includes('istio.io')) {
        expect({ object: `${doc.apiVersion} ${doc.kind}`, served: served.has(`${doc.apiVersion}/${doc.kind}`) }).toEqual({ object: `${doc.apiVersion} ${doc.kind}`, served: true });
      }
    }
    if (minor === '1.20') {
      expect(r.stdout).not.toContain('networking.istio.io/v1\n');
      expect(r.stdout).toContain('networking.istio.io/v1beta1');
    }
  });
});

describe('apiVersions at render time', () => {
  test('an apiVersion only newer Istio serves is replaced; one no Istio serves (a typo) is reported, not replaced', () => {
    const { app: a, chart } = app('1.20');
    new l1.VirtualService(chart, 'ok', { metadata: { name: 'ok' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }] }] } });
    new ApiObject(chart, 'typo', { apiVersion: 'networking.istio.io/v2', kind: 'VirtualService', metadata: { name: 'typo' }, spec: { hosts: ['b'] } });
    const f = findings(a);
    expect(f.filter((x) => x.code === 'CKI1001').map((x) => [x.object, x.message])).toEqual([
      ['VirtualService shop/typo', 'networking.istio.io/v2 is not served for VirtualService; Istio 1.20\'s CRDs serve networking.istio.io/v1beta1, networking.istio.io/v1alpha3'],
    ]);
  });
});

describe('what an older target lacks is an error naming the field and the first version with it', () => {
  test('AuthorizationPolicy targetRefs (1.22+)', () => {
    const { app: a, chart } = app('1.20');
    new AuthorizationPolicy(chart, 'p', { targetRefs: [PolicyTargetRef.gateway('public', 'shop')] });
    expect(findings(a).filter((f) => f.severity === 'error').map((f) => [f.code, f.field, f.message])).toEqual([
      ['CKI1002', 'spec.targetRefs', 'spec.targetRefs is not in Istio 1.20\'s AuthorizationPolicy (Istio 1.22 and later have it); the API server would refuse it'],
    ]);
    const newer = app('1.22');
    new AuthorizationPolicy(newer.chart, 'p', { targetRefs: [PolicyTargetRef.gateway('public', 'shop')] });
    expect(findings(newer.app).filter((f) => f.severity === 'error')).toEqual([]);
  });

  test('Gateway mutual TLS with caCertCredentialName (1.28+)', () => {
    const { app: a, chart } = app('1.26');
    const workload = GatewayWorkload.fromSelector(chart, 'gw', { selector: { istio: 'ingressgateway' }, namespace: 'shop' });
    new Gateway(chart, 'g', { workload, servers: [Server.https({ hosts: ['a.example.com'], tls: GatewayTls.mutual('a-tls', { caCertCredentialName: 'a-ca' }) })] });
    const errors = findings(a).filter((f) => f.code === 'CKI1002');
    expect(errors.map((f) => f.field)).toEqual(['spec.servers[0].tls.caCertCredentialName']);
    expect(errors[0].message).toMatch(/\(Istio 1\.28 and later have it\)/);
  });

  test('TrafficExtension (1.30 only) is a kind the older target does not serve', () => {
    const { app: a, chart } = app('1.28');
    new l1.TrafficExtension(chart, 'x', { metadata: { name: 'x' }, spec: {} });
    const f = findings(a).filter((x) => x.code === 'CKI1001');
    expect(f.map((x) => x.message)).toEqual(['Istio 1.28 has no TrafficExtension (Istio 1.30 and later serve it)']);
  });
});

describeWithShared('the per-minor schemas', () => {
  const versionsDir = path.join(PROJECT_ROOT, '..', 'shared', 'istio', 'versions');

  test('imports/crd-schemas-versions.json is what the import script writes from the bundles', () => {
    const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'imports', VERSIONS_ARTEFACT_FILE), 'utf8');
    expect(committed === versionsArtefactText(versionsDir)).toBe(true);
  }, 60_000);

  test.each(fs.existsSync(versionsDir) ? fs.readdirSync(versionsDir).sort() : [])('Istio %s: the served versions of each kind share one schema, so choosing the apiVersion at render time is safe', (release) => {
    const artefact = buildSchemaArtefact(fs.readFileSync(path.join(versionsDir, release, 'crd-all.gen.yaml'), 'utf8'), { source: release, sha256: '' });
    const byKind = new Map<string, Set<string>>();
    for (const k of Object.values(artefact.kinds)) {
      const key = `${k.group}/${k.kind}`;
      byKind.set(key, (byKind.get(key) ?? new Set()).add(JSON.stringify(k.schema)));
    }
    const differing = [...byKind].filter(([, schemas]) => schemas.size > 1).map(([k]) => k);
    expect(differing).toEqual([]);
  });

  test('the newest minor is the main artefact', () => {
    expect(BUNDLED_MINORS[BUNDLED_MINORS.length - 1]).toBe(NEWEST_MINOR);
  });
});
