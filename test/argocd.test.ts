/**
 * The Argo CD plugin: its files, and `cdk8s-istio generate` run exactly as the sidecar runs it
 * (a copy of the source as working directory, only the plugin's environment, no stdin, an
 * unwritable HOME, an unprivileged user); and output that kubectl applies in one go.
 */
import { spawnSync, SpawnSyncOptions } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { Chart, Testing } from 'cdk8s';
import { PLUGIN_REF, pluginConfig, repoServerPatch } from '../src/argocd';
import { ArgoCdApplication } from '../src/argocd-application';
import { testApp } from '../src/testing';
import { Json } from '../src/analysis/rendered';
import { MeshContext } from '../src/mesh-context';
import { buildValuesApp, loadValues } from '../src/cli/values-app';
import { argocdFiles, exampleFiles } from '../src/main';
import { manifestFiles } from '../src/synthesis';
import { PROJECT_ROOT } from './shared';

const CLI = path.join(PROJECT_ROOT, 'lib', 'src', 'cli', 'cdk8s-istio.js');
const asRoot = process.getuid?.() === 0;

/** A source checkout as the sidecar gets it: a fresh copy, readable by user 999. */
function checkout(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-source-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  fs.chmodSync(dir, 0o755);
  return dir;
}

function generate(dir: string, env: Record<string, string>): { status: number | null; stdout: string; stderr: string } {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'cmp-home-')); // root's, so not writable for 999
  const options: SpawnSyncOptions = {
    cwd: dir,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, ARGOCD_APP_NAME: 'shop', ARGOCD_APP_NAMESPACE: 'shop', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
    ...(asRoot ? { uid: 999, gid: 999 } : {}),
  };
  const r = spawnSync(process.execPath, [CLI, 'generate'], options);
  return { status: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

const example = (name: string) => fs.readFileSync(path.join(PROJECT_ROOT, 'examples', `${name}.yaml`), 'utf8');

function documents(stream: string): Json[] {
  return YAML.parseAllDocuments(stream).map((d) => d.toJSON() as Json);
}

describe('the plugin files', () => {
  test('argocd/ holds what the library generates (npm run synth writes them to dist/argocd/)', () => {
    for (const f of argocdFiles()) {
      expect({ file: f.path, same: fs.readFileSync(path.join(PROJECT_ROOT, 'argocd', f.path), 'utf8') === f.content }).toEqual({ file: f.path, same: true });
    }
  });

  test('plugin.yaml: what the cmp-server validates, and the parameters the UI shows', () => {
    const plugin = pluginConfig() as { kind: string; metadata: { name: string }; spec: Json };
    expect(plugin.kind).toBe('ConfigManagementPlugin');
    expect(`${plugin.metadata.name}-${String(plugin.spec.version)}`).toBe(PLUGIN_REF);
    expect((plugin.spec.generate as { command: string[] }).command).toEqual(['cdk8s-istio', 'generate']);
    expect(((plugin.spec.parameters as Json).static as Json[]).map((p) => [p.name, p.collectionType])).toEqual([['values', 'array'], ['set', 'array'], ['istioVersion', 'string']]);
  });

  test('the sidecar runs the cmp-server as user 999 with the documented mounts and its own /tmp', () => {
    const container = (((repoServerPatch().spec as Json).template as Json).spec as { containers: Json[] }).containers[0];
    expect(container.command).toEqual(['/var/run/argocd/argocd-cmp-server']);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 999 });
    expect((container.volumeMounts as Json[]).map((m) => [m.mountPath, m.name, m.subPath])).toEqual([
      ['/var/run/argocd', 'var-files', undefined],
      ['/home/argocd/cmp-server/plugins', 'plugins', undefined],
      ['/home/argocd/cmp-server/config/plugin.yaml', 'cdk8s-istio-cmp', 'plugin.yaml'],
      ['/tmp', 'cdk8s-istio-tmp', undefined],
    ]);
  });
});

describe('cdk8s-istio generate, as the sidecar runs it', () => {
  test('values named by ARGOCD_ENV_VALUES: stdout is only complete objects, with the sync options Argo CD needs', () => {
    const r = generate(checkout({ 'prod.yaml': example('vendor-platform') }), { ARGOCD_ENV_VALUES: 'prod.yaml' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    const docs = documents(r.stdout);
    expect(docs.length).toBeGreaterThan(10);
    for (const d of docs) {
      expect(d).toEqual(expect.objectContaining({ apiVersion: expect.any(String), kind: expect.any(String), metadata: expect.objectContaining({ name: expect.any(String) }) }));
    }
    const ns = docs.find((d) => d.kind === 'Namespace')!;
    expect((ns.metadata as Json).annotations).toEqual({ 'argocd.argoproj.io/sync-options': 'Delete=false' });
    for (const d of docs.filter((x) => String(x.apiVersion).includes('istio.io'))) {
      expect(((d.metadata as Json).annotations as Json)['argocd.argoproj.io/sync-options']).toBe('SkipDryRunOnMissingResource=true');
    }
    expect(docs.filter((d) => !String(d.apiVersion).includes('istio.io') && d.kind !== 'Namespace').every((d) => !((d.metadata as Json).annotations as Json | undefined)?.['argocd.argoproj.io/sync-options'])).toBe(true);
  });

  test('the values and set parameters, as ARGOCD_APP_PARAMETERS and as PARAM_*', () => {
    const dir = checkout({ 'base.yaml': example('vendor-platform'), 'prod.yaml': 'exposedApplications:\n  - name: acme\n    namespace: { name: acme, revision: stable }\n    hosts: [acme.customer.example.com]\n    tls: { credentialName: acme-tls }\n    frontend: { name: acme-ui, port: 8080, pathPrefix: "" }\n' });
    const json = generate(dir, { ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'values', array: ['base.yaml'] }, { name: 'set', array: ['exposedApplications[0].gateway.replicas=3'] }]) });
    expect(json.status).toBe(0);
    const deployment = documents(json.stdout).find((d) => d.kind === 'Deployment')!;
    expect((deployment.spec as Json).replicas).toBe(3);
    const params = generate(dir, { PARAM_VALUES_0: 'base.yaml', PARAM_SET_0: 'exposedApplications[0].gateway.replicas=2' });
    expect((documents(params.stdout).find((d) => d.kind === 'Deployment')!.spec as Json).replicas).toBe(2);
  });

  test('the istioVersion parameter picks the apiVersions the cluster serves', () => {
    const dir = checkout({ 'prod.yaml': example('vendor-platform') });
    const r = generate(dir, { ARGOCD_APP_PARAMETERS: JSON.stringify([{ name: 'values', array: ['prod.yaml'] }, { name: 'istioVersion', string: '1.20' }]) });
    expect(r.status).toBe(0);
    expect(documents(r.stdout).filter((d) => String(d.apiVersion).startsWith('networking.istio.io')).map((d) => d.apiVersion)).toEqual(expect.arrayContaining(['networking.istio.io/v1beta1']));
    expect(r.stdout).not.toContain('networking.istio.io/v1\n');
  });

  test('the default values file, and a cdk8s app in the source directory', () => {
    expect(documents(generate(checkout({ 'cdk8s-istio.yaml': example('bookinfo') }), {}).stdout).map((d) => d.kind)).toContain('VirtualService');
    const app = checkout({
      'cdk8s.yaml': 'app: node app.js\n',
      'app.js': "const fs = require('fs'); console.log('a log line'); fs.writeFileSync(process.env.CDK8S_OUTDIR + '/b.k8s.yaml', 'kind: ConfigMap\\napiVersion: v1\\nmetadata:\\n  name: b\\n'); fs.writeFileSync(process.env.CDK8S_OUTDIR + '/a.k8s.yaml', 'kind: Namespace\\napiVersion: v1\\nmetadata:\\n  name: a\\n');",
    });
    const r = generate(app, {});
    expect(r.status).toBe(0);
    expect(documents(r.stdout).map((d) => `${String(d.kind)}/${String((d.metadata as Json).name)}`)).toEqual(['Namespace/a', 'ConfigMap/b']);
    expect(r.stderr).toBe('a log line\n');
  });

  test.each([
    ['broken values', { 'prod.yaml': 'exposedApplications:\n  - name: shop\n    hots: [a.example.com]\n' }, { ARGOCD_ENV_VALUES: 'prod.yaml' }, /prod\.yaml:3:5: unknown key "exposedApplications\[0\]\.hots"/],
    ['a values file that is not there', { 'prod.yaml': 'x: 1\n' }, { ARGOCD_ENV_VALUES: 'staging.yaml' }, /^staging\.yaml: no such values file in the source directory \(named by ARGOCD_ENV_VALUES\)/],
    ['values that describe nothing', { 'prod.yaml': '{}\n' }, { ARGOCD_ENV_VALUES: 'prod.yaml' }, /the values describe nothing to render; refusing to print an empty stream/],
    ['no values named and no default file', { 'README.md': 'hi' }, {}, /^nothing to render in .*: name the values files with the plugin parameter `values`/],
    ['a cdk8s app that fails', { 'cdk8s.yaml': 'app: node -e "process.exit(3)"\n' }, {}, /exited with 3; nothing was rendered/],
    ['a cdk8s app that writes nothing', { 'cdk8s.yaml': 'app: node -e 0\n' }, {}, /wrote no manifests; refusing to render nothing/],
  ])('%s: non-zero exit, the reason on stderr, nothing on stdout', (_what, files, env, message) => {
    const r = generate(checkout(files), env);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/^\s+at /m);
  });
});

describe('kubectl apply -R -f dist/<example>/ works first time', () => {
  test.each(exampleFiles().map((e) => [e.name, e.file]))('%s: every namespaced object comes after its Namespace, or its namespace exists already', (name, file) => {
    const built = buildValuesApp(name, loadValues([path.relative(process.cwd(), file)]));
    const ctx = MeshContext.of(built.app);
    // argocd: the bootstrap's Applications go to Argo CD's own namespace, which its install created.
    const exists = (ns: string) => ['default', 'kube-system', 'istio-system', 'argocd'].includes(ns) || ctx.externalNamespace(ns) !== undefined;
    // kubectl reads a folder's .json, .yaml and .yml files in name order (the helm script is
    // none of them) and each file's documents in order.
    const files = manifestFiles(built.result).filter((f) => /\.(json|ya?ml)$/.test(f.path)).sort((a, b) => (a.path < b.path ? -1 : 1));
    const created = new Set<string>();
    const late: string[] = [];
    for (const f of files) {
      for (const doc of documents(f.content)) {
        const meta = doc.metadata as { name: string; namespace?: string };
        if (doc.kind === 'Namespace') {
          created.add(meta.name);
        } else if (meta.namespace && !created.has(meta.namespace) && !exists(meta.namespace)) {
          late.push(`${String(doc.kind)} ${meta.namespace}/${meta.name}`);
        }
      }
    }
    expect(late).toEqual([]);
  });
});

describe('ArgoCdApplication', () => {
  test('renders with the plugin, its values and set parameters, env, destination, sync policy and wave', () => {
    const chart = new Chart(testApp(), 'bootstrap');
    new ArgoCdApplication(chart, 'shop', {
      source: { repoURL: 'https://git.example.com/platform/clusters.git', path: 'prod/shop', values: ['base.yaml', 'prod.yaml'], set: ['exposedApplications[0].gateway.replicas=3'], env: { TEAM: 'shop' } },
      destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
      syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
      syncWave: 2,
    });
    const [app] = Testing.synth(chart) as Json[];
    expect(app).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop', namespace: 'argocd', annotations: { 'argocd.argoproj.io/sync-wave': '2' }, finalizers: ['resources-finalizer.argocd.argoproj.io'] },
      spec: {
        project: 'default',
        source: {
          repoURL: 'https://git.example.com/platform/clusters.git', path: 'prod/shop', targetRevision: 'HEAD',
          plugin: {
            name: 'cdk8s-istio-v1',
            env: [{ name: 'TEAM', value: 'shop' }],
            parameters: [{ name: 'values', array: ['base.yaml', 'prod.yaml'] }, { name: 'set', array: ['exposedApplications[0].gateway.replicas=3'] }],
          },
        },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
      },
    });
  });

  test('what Argo CD would refuse is refused, all at once, naming the props', () => {
    expect(() => new ArgoCdApplication(new Chart(testApp(), 'b'), 'x', {
      source: { repoURL: 'not a url', path: '../elsewhere' },
      destination: { server: 'https://k', name: 'prod', namespace: 'Shop' },
      syncPolicy: { syncOptions: ['CreateNamespace'] },
    })).toThrow(/source\.repoURL: "not a url" is not a Git URL[\s\S]*source\.path: "\.\.\/elsewhere" leaves the repository[\s\S]*destination\.name: gives both server and name[\s\S]*destination\.namespace:[\s\S]*syncPolicy\.syncOptions\[0\]: "CreateNamespace" is not an Argo CD sync option/);
  });
});
