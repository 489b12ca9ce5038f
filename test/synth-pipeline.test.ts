import { spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { k8s } from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { IstioChart } from '../src/istio-chart';
import { quickstartApp as buildApp } from './fixtures/quickstart';
import { atomicSynth, AtomicSynthOptions } from '../src/cli/synth';
import { manifestFiles, synthesize } from '../src/synthesis';
import { synthManifests, testApp } from '../src/testing';
import { PROJECT_ROOT } from './shared';

const LIB_INDEX = path.join(PROJECT_ROOT, 'lib', 'src', 'index.js');
const LIB_MAIN = path.join(PROJECT_ROOT, 'lib', 'src', 'main.js');

function hashTree(dir: string): string {
  const h = crypto.createHash('sha256');
  for (const f of fs.readdirSync(dir, { recursive: true }).map(String).sort()) {
    const p = path.join(dir, f);
    if (fs.statSync(p).isFile()) {
      h.update(f).update(fs.readFileSync(p));
    }
  }
  return h.digest('hex');
}

function tempProject(app: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-synth-'));
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), YAML.stringify({ language: 'typescript', app, output: 'dist' }));
  return dir;
}

/** What the last synth printed: our own lines and the app's, captured so a green run stays quiet. */
let printed = '';

function synth(options: Omit<AtomicSynthOptions, 'captureOutput'>): number {
  printed = '';
  const write = process.stderr.write;
  process.stderr.write = ((t: string | Uint8Array) => {
    printed += String(t);
    return true;
  }) as typeof process.stderr.write;
  try {
    return atomicSynth({ ...options, captureOutput: (t) => { printed += t; } });
  } finally {
    process.stderr.write = write;
  }
}

describe('the bundled example', () => {
  const manifests = synthManifests(buildApp(testApp()));
  const byKind = (kind: string) => manifests.filter((m) => m.kind === kind);

  test('has the namespace, gateway, routes, destination rule and policy at the pinned versions', () => {
    expect(manifests.map((m) => `${m.apiVersion} ${m.kind}`)).toEqual([
      'v1 Namespace',
      'networking.istio.io/v1 Gateway',
      'networking.istio.io/v1 VirtualService',
      'networking.istio.io/v1 DestinationRule',
      'security.istio.io/v1 AuthorizationPolicy',
    ]);
    expect(manifests).toMatchSnapshot();
  });

  test('the Namespace is injected and carries no metadata.namespace even in a namespaced chart', () => {
    const [ns] = byKind('Namespace');
    expect(ns.metadata).toEqual({ name: 'shop', labels: { 'istio-injection': 'enabled' } });
  });

  test('namespaced objects land in the chart namespace with their explicit names', () => {
    for (const m of manifests.filter((x) => x.kind !== 'Namespace')) {
      const meta = m.metadata as { name: string; namespace: string };
      expect(meta.namespace).toBe('shop');
      expect(meta.name).not.toMatch(/-c[0-9a-f]{7}$/);
    }
    const [vs] = byKind('VirtualService');
    expect((vs.spec as { gateways: string[] }).gateways).toEqual(['shop/shop-gateway']);
  });
});

describe('IstioChart', () => {
  test('other cluster-scoped kinds lose the stamped namespace too', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'team' });
    new k8s.KubeClusterRole(chart, 'role', { metadata: { name: 'reader' } });
    new k8s.KubeServiceAccount(chart, 'sa', { metadata: { name: 'reader' } });
    const [role, sa] = synthManifests(chart);
    expect(role.metadata).toEqual({ name: 'reader' });
    expect(sa.metadata).toEqual({ name: 'reader', namespace: 'team' });
  });
});

describe('npm run synth', () => {
  test('writes every bundled example and gives byte-identical output on every run', () => {
    const dir = tempProject(`node ${JSON.stringify(LIB_MAIN)}`);
    expect(synth({ cwd: dir, outdir: 'dist' })).toBe(0);
    const first = hashTree(path.join(dir, 'dist'));
    const examples = fs.readdirSync(path.join(PROJECT_ROOT, 'examples')).filter((f) => f.endsWith('.yaml')).map((f) => f.replace(/\.yaml$/, '')).sort();
    expect(examples.length).toBeGreaterThanOrEqual(5);
    expect(fs.readdirSync(path.join(dir, 'dist')).sort()).toEqual(['.cdk8s-istio-output', 'argocd', ...examples].sort());
    // The Argo CD plugin file and repo-server patch, as argocd/ commits them.
    expect(fs.readdirSync(path.join(dir, 'dist', 'argocd')).sort()).toEqual(['plugin.yaml', 'repo-server-patch.yaml']);
    for (const name of examples) {
      // An example with a meshInstall also gets the helm route (and nothing else does).
      const helm = /^meshInstall:/m.test(fs.readFileSync(path.join(PROJECT_ROOT, 'examples', `${name}.yaml`), 'utf8')) ? ['install-istio-with-helm.sh'] : [];
      expect(fs.readdirSync(path.join(dir, 'dist', name)).sort()).toEqual([`${name}.k8s.yaml`, 'topology.md', ...helm].sort());
      if (helm.length > 0) {
        expect(fs.statSync(path.join(dir, 'dist', name, helm[0])).mode & 0o111).not.toBe(0);
      }
      const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, 'dist', name, `${name}.k8s.yaml`), 'utf8')).map((d) => d.toJSON() as { apiVersion: string; kind: string });
      expect(docs.length).toBeGreaterThan(0);
      // Istio objects at the pinned stable versions only.
      for (const d of docs.filter((x) => x.apiVersion.includes('istio.io'))) {
        expect(['networking.istio.io/v1', 'security.istio.io/v1']).toContain(d.apiVersion);
      }
    }
    expect(synth({ cwd: dir, outdir: 'dist' })).toBe(0);
    expect(hashTree(path.join(dir, 'dist'))).toBe(first);
    // No staging folders are left behind.
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk8s.yaml', 'dist']);
  });

  test('a failing app leaves the previous dist/ byte-identical and exits non-zero', () => {
    const dir = tempProject(`node ${JSON.stringify(LIB_MAIN)}`);
    expect(synth({ cwd: dir, outdir: 'dist' })).toBe(0);
    const before = hashTree(path.join(dir, 'dist'));

    // Four different mistakes: every one is reported in the same run.
    fs.writeFileSync(path.join(dir, 'broken.js'), `
      const { IstioApp, IstioChart } = require(${JSON.stringify(LIB_INDEX)});
      const { ApiObject } = require(${JSON.stringify(require.resolve('cdk8s'))});
      const app = new IstioApp();
      const chart = new IstioChart(app, 'broken', { namespace: 'x' });
      new ApiObject(chart, 'ns', { apiVersion: 'v1', kind: 'Namespace',
        metadata: { name: 'x', labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'stable' } } });
      new ApiObject(chart, 'vs', { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService',
        metadata: { name: 'shop' },
        spec: { hosts: ['shop.example.com'], gateways: ['x/missing'], http: [{ timeout: '0.1ms', route: [{ destination: { host: 'shop' } }] }] } });
      new ApiObject(chart, 'dr', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule',
        metadata: { name: 'shop' }, spec: { host: 'shop', trafficPolicy: { loadBalancer: { simpel: 'ROUND_ROBIN' } } } });
      try { app.synth(); } catch (e) { process.stderr.write(e.message + '\\n'); process.exit(1); }
    `);
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), YAML.stringify({ app: 'node broken.js', output: 'dist' }));
    const run = spawnSync(process.execPath, [path.join(PROJECT_ROOT, 'lib', 'src', 'cli', 'synth.js')], { cwd: dir, encoding: 'utf8' });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('error IST0123 [broken/ns] Namespace x metadata.labels');
    expect(run.stderr).toContain('error IST0101 [broken/vs] VirtualService x/shop spec.gateways[0]');
    expect(run.stderr).toMatch(/error CKI1003 \[broken\/vs\] VirtualService x\/shop spec\.http\[0\]\.timeout/);
    expect(run.stderr).toMatch(/error CKI1002 \[broken\/dr\] DestinationRule x\/shop spec\.trafficPolicy\.loadBalancer.*simpel/);
    expect(run.stderr).toContain('dist/ was left as it was');
    expect(hashTree(path.join(dir, 'dist'))).toBe(before);
    expect(fs.readdirSync(dir).sort()).toEqual(['broken.js', 'cdk8s.yaml', 'dist']);
  });

  test('an app that throws outright also leaves dist/ alone', () => {
    const dir = tempProject(`node ${JSON.stringify(LIB_MAIN)}`);
    expect(synth({ cwd: dir, outdir: 'dist' })).toBe(0);
    const before = hashTree(path.join(dir, 'dist'));
    fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), YAML.stringify({ app: 'node -e "throw new Error(\'boom\')"', output: 'dist' }));
    expect(synth({ cwd: dir, outdir: 'dist' })).not.toBe(0);
    expect(printed).toContain('Error: boom');
    expect(printed).toContain('synth failed: dist/ was left as it was');
    expect(hashTree(path.join(dir, 'dist'))).toBe(before);
  });

  test('an output folder holding files it did not write is refused, not replaced', () => {
    const dir = tempProject(`node ${JSON.stringify(LIB_MAIN)}`);
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src', 'main.ts'), 'precious');
    expect(synth({ cwd: dir, outdir: 'src' })).toBe(1);
    expect(printed).toMatch(/^synth refused: src already holds files cdk8s-istio did not write/);
    expect(fs.readdirSync(path.join(dir, 'src'))).toEqual(['main.ts']);
    expect(fs.readdirSync(dir).sort()).toEqual(['cdk8s.yaml', 'src']);
  });

  test('--cdk8s-cli goes through `cdk8s synth` with the same result', () => {
    const dir = tempProject(`node ${JSON.stringify(LIB_MAIN)}`);
    expect(synth({ cwd: dir, outdir: 'dist' })).toBe(0);
    const direct = hashTree(path.join(dir, 'dist'));
    expect(synth({ cwd: dir, outdir: 'dist', viaCdk8sCli: true })).toBe(0);
    expect(printed).toContain('Synthesizing application');
    expect(hashTree(path.join(dir, 'dist'))).toBe(direct);
  });
});

describe('output files', () => {
  test('charts that depend on each other come out in dependency order, numbered as cdk8s does', () => {
    const app = testApp();
    const gateways = new IstioChart(app, 'gateways', { namespace: 'edge' });
    const namespaces = new IstioChart(app, 'namespaces');
    new k8s.KubeNamespace(namespaces, 'ns', { metadata: { name: 'edge' } });
    new k8s.KubeServiceAccount(gateways, 'sa', { metadata: { name: 'gw' } });
    gateways.addDependency(namespaces);
    const files = manifestFiles(synthesize(app)).map((f) => f.path);
    expect(files).toEqual(['0000-namespaces.k8s.yaml', '0001-gateways.k8s.yaml']);
  });

  test('independent charts keep plain names', () => {
    const app = testApp();
    new k8s.KubeNamespace(new IstioChart(app, 'a'), 'ns', { metadata: { name: 'a' } });
    new k8s.KubeNamespace(new IstioChart(app, 'b'), 'ns', { metadata: { name: 'b' } });
    expect(manifestFiles(synthesize(app)).map((f) => f.path)).toEqual(['a.k8s.yaml', 'b.k8s.yaml']);
  });

  test('charts whose ids differ only in case get cdk8s\'s distinct names, so neither file is lost', () => {
    const app = testApp();
    new k8s.KubeNamespace(new IstioChart(app, 'Shop'), 'ns', { metadata: { name: 'a' } });
    new k8s.KubeNamespace(new IstioChart(app, 'shop'), 'ns', { metadata: { name: 'b' } });
    expect(manifestFiles(synthesize(app)).map((f) => f.path)).toEqual([expect.stringMatching(/^shop-[0-9a-f]{8}\.k8s\.yaml$/), 'shop.k8s.yaml']);
  });
});
