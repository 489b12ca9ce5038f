import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { run } from '../src/cli/cdk8s-istio';
import { generateValuesSchema } from '../src/cli/schema';
import { PROJECT_ROOT } from './shared';

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-cli-'));
}

function write(dir: string, name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function cli(...argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

const BASE = `exposedApplications:
  - name: shop
    namespace: { name: shop }
    hosts: [shop.example.com]
    tls: { credentialName: shop-tls }
    frontend: { name: web, port: 8080 }
    backends:
      - name: api
        port: 9090
        pathPrefix: api
`;

describe('cdk8s-istio synth --stdout', () => {
  const dir = tmp();
  const values = write(dir, 'shop.yaml', BASE);
  const result = cli('synth', '-f', values, '--stdout');

  test('prints one YAML stream with --- between every object and nothing else', () => {
    expect(result.code).toBe(0);
    const docs = YAML.parseAllDocuments(result.stdout);
    expect(docs.every((d) => d.errors.length === 0)).toBe(true);
    const objects = docs.map((d) => d.toJSON() as { kind: string });
    expect(objects.length).toBeGreaterThan(10);
    expect(result.stdout.split('\n').filter((l) => l === '---')).toHaveLength(objects.length - 1);
    expect(result.stdout.startsWith('apiVersion: v1\nkind: Namespace\n')).toBe(true);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment', 'Gateway', 'VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication']));
  });

  test('routes the backend prefix before the frontend catch-all', () => {
    const vs = YAML.parseAllDocuments(result.stdout).map((d) => d.toJSON() as { kind: string; spec: { http: Array<{ match?: unknown; route: Array<{ destination: { host: string } }> }> } })
      .find((o) => o.kind === 'VirtualService')!;
    expect(vs.spec.http.map((r) => [r.match, r.route[0].destination.host])).toEqual([
      [[{ uri: { prefix: '/api/' } }], 'api.shop.svc.cluster.local'],
      [undefined, 'web.shop.svc.cluster.local'],
    ]);
  });

  test('gives the same bytes on every run', () => {
    expect(cli('synth', '-f', values, '--stdout').stdout).toBe(result.stdout);
  });
});

describe('cdk8s-istio synth -o', () => {
  test('writes the manifests and a topology picture into the folder', () => {
    const dir = tmp();
    const values = write(dir, 'shop.yaml', BASE);
    const out = path.join(dir, 'out');
    const r = cli('synth', '-f', values, '-o', out);
    expect(r.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['.cdk8s-istio-output', 'shop.k8s.yaml', 'topology.md']);
    expect(fs.readFileSync(path.join(out, 'topology.md'), 'utf8')).toContain('```mermaid');
    // Readable like any other folder (mkdtemp makes staging folders private).
    expect(fs.statSync(out).mode & 0o755).toBe(0o755 & ~process.umask());
    // Our own folder is replaced as a whole on the next run.
    fs.writeFileSync(path.join(out, 'stale.k8s.yaml'), 'old');
    expect(cli('synth', '-f', values, '-o', out).code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual(['.cdk8s-istio-output', 'shop.k8s.yaml', 'topology.md']);
  });

  test('a folder holding files it did not write is refused, and left as it was', () => {
    const dir = tmp();
    const values = write(dir, 'shop.yaml', BASE);
    write(dir, 'README.md', 'mine');
    const r = cli('synth', '-f', values, '-o', dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('already holds files cdk8s-istio did not write');
    expect(fs.readdirSync(dir).sort()).toEqual(['README.md', 'shop.yaml']);
    const asFile = cli('synth', '-f', values, '-o', values);
    expect(asFile.code).toBe(1);
    expect(asFile.stderr).toContain('is a file, not an output folder');
    expect(fs.readFileSync(values, 'utf8')).toBe(BASE);
  });

  test('later files and --set override earlier values', () => {
    const dir = tmp();
    const base = write(dir, 'shop.yaml', BASE);
    const prod = write(dir, 'prod.yaml', 'exposedApplications:\n  - name: shop\n    namespace: { name: shop-prod }\n    hosts: [shop.prod.example.com]\n    frontend: { name: web, port: 8080 }\n');
    const r = cli('synth', '-f', base, '-f', prod, '--set', 'exposedApplications[0].frontend.port=8081', '--stdout');
    expect(r.code).toBe(0);
    const objects = YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON() as { kind: string; metadata: { name: string; namespace?: string }; spec: Record<string, unknown> });
    const vs = objects.find((o) => o.kind === 'VirtualService')!;
    // The list was replaced by the second file (Helm's merge), then the port patched by --set.
    expect(vs.metadata.namespace).toBe('shop-prod');
    expect(vs.spec.hosts).toEqual(['shop.prod.example.com']);
    expect(vs.spec.http).toEqual([{ name: 'web', route: [{ destination: { host: 'web.shop-prod.svc.cluster.local', port: { number: 8081 } } }] }]);
  });
});

describe('wrong values', () => {
  test('a misspelled key is reported with file, line, column and a suggestion, and nothing is written', () => {
    const dir = tmp();
    const values = write(dir, 'bad.yaml', BASE.replace('    hosts:', '    hots:'));
    const out = path.join(dir, 'out');
    const r = cli('synth', '-f', values, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${values}:4:5: unknown key "exposedApplications[0].hots" (did you mean "hosts"?)`);
    // The real key is then missing too, but that is the same mistake: it is not reported twice.
    expect(r.stderr).not.toContain('missing required key "hosts"');
    expect(r.stderr).toContain('nothing was written');
    // A required key that is simply absent is still reported, at the entry.
    const absent = cli('synth', '-f', write(dir, 'absent.yaml', BASE.replace('    hosts: [shop.example.com]\n', '')), '--stdout');
    expect(absent.stderr).toMatch(/absent\.yaml:2:5: exposedApplications\[0\]: missing required key "hosts"/);
    expect(fs.existsSync(out)).toBe(false);
  });

  test('a wrong type points at the value', () => {
    const dir = tmp();
    const values = write(dir, 'bad.yaml', BASE.replace('port: 9090', 'port: ninety'));
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${values}:9:9: exposedApplications[0].backends[0].port: expected number`);
  });

  test('a value the pattern refuses is reported at that value', () => {
    const dir = tmp();
    const values = write(dir, 'bad.yaml', BASE.replace('namespace: { name: shop }', 'namespace: { name: shop, injection: enabled, revision: stable }'));
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`${values.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3:30: \\[.*exposedApplications\\[0\\]\\] namespace\\.injection: both injection: enabled and revision: stable`));
  });

  test('a synth-time finding is reported at the values entry that produced it', () => {
    const dir = tmp();
    const values = write(dir, 'dupe.yaml', `${BASE}  - name: storefront\n    namespace: { name: shop, create: false }\n    hosts: [other.example.com]\n    gateway: { enabled: false, existingGateway: istio-system/shared }\n    zeroTrust: false\n    frontend: { name: web, port: 8080 }\n`);
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.code).toBe(1);
    // The second entry renders a DestinationRule the first already has; it is reported at the entry.
    expect(r.stderr).toMatch(/dupe\.yaml:11:5: error CKI0002 \[dupe\/exposedApplications\[1\]\/web-destination\/Resource\] DestinationRule shop\/web/);
  });

  test('two entries with the same name and namespace are one error at the second one\'s name', () => {
    const dir = tmp();
    const values = write(dir, 'twice.yaml', `${BASE}  - name: shop\n    namespace: shop\n    hosts: [other.example.com]\n    frontend: { name: web, port: 8080 }\n`);
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `${values}:11:5: [twice] exposedApplications[1].name: exposedApplications[0] already is application shop/shop; both entries would write the same objects (fix: merge the two entries, or give exposedApplications[1] another name)`,
      '1 problem(s); nothing was written',
    ]);
  });

  test('every independent problem of a values file is reported in the same run', () => {
    const dir = tmp();
    const values = write(dir, 'many.yaml', `${BASE}canaryReleases:\n  - namespace: shop\n    service: api\n    stable: { version: v1 }\n    canary: { version: v1 }\n    canaryWeight: 110\nzeroTrustNamespaces:\n  - namespace: istio-system\n`);
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/many\.yaml:\d+:\d+: .*canaryWeight: 110 is not a whole percentage/);
    expect(r.stderr).toMatch(/many\.yaml:\d+:\d+: .*stable and canary are both v1/);
    expect(r.stderr).toMatch(/many\.yaml:\d+:\d+: .*namespace: istio-system is the mesh's root namespace/);
    expect(r.stderr).toMatch(/3 problem\(s\); nothing was written\n$/);
  });

  test('zero trust on the mesh root namespace needs meshWide: true', () => {
    const dir = tmp();
    const values = write(dir, 'mesh.yaml', 'zeroTrustNamespaces:\n  - namespace: istio-system\n    meshWide: true\n');
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.code).toBe(0);
    const docs = YAML.parseAllDocuments(r.stdout).map((d) => d.toJSON() as { kind: string; metadata: { namespace: string } });
    expect(docs.map((d) => `${d.kind} ${d.metadata.namespace}`)).toEqual(['PeerAuthentication istio-system', 'AuthorizationPolicy istio-system']);
  });

  test('a misspelt required key is one error, not also "missing required key"; a flag is named as written', () => {
    const dir = tmp();
    const values = write(dir, 'typo.yaml', BASE.replace('hosts:', 'hots:'));
    const r = cli('synth', '-f', values, '--stdout');
    expect(r.stderr.trim().split('\n')).toEqual([`${values}:4:5: unknown key "exposedApplications[0].hots" (did you mean "hosts"?)`, '1 problem(s); nothing was written']);
    const v = cli('synth', '-f', write(dir, 'shop.yaml', BASE), '--stdout', '--istio-version', '1.19');
    expect(v.stderr).toMatch(/^--istio-version 1\.19: \[shop\] mesh\.istioVersion: Istio 1\.19 is outside the supported range 1\.20-1\.30/);
  });

  test('usage errors exit 2', () => {
    expect(cli('synth', '--stdout').code).toBe(2);
    expect(cli('synth', '-f', 'x.yaml').stderr).toContain('give exactly one of -o DIR and --stdout');
    expect(cli('render').code).toBe(2);
    expect(cli('--help').code).toBe(0);
  });
});

test('schemas/values.schema.json is generated from the pattern props (regenerate with `npm run schema`)', () => {
  const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'schemas', 'values.schema.json'), 'utf8');
  const generated = generateValuesSchema();
  const schema = JSON.parse(generated) as { definitions: Record<string, { properties?: Record<string, { default?: unknown }> }> };
  // Prose defaults stay in descriptions, real ones stay values.
  expect(schema.definitions.ExposedApplicationProps.properties?.zeroTrust?.default).toBe(true);
  expect(schema.definitions.AppService.properties?.mtls?.default).toBe('auto');
  expect(committed).toBe(generated);
}, 30_000);

describe('edge cases of the command', () => {
  test('values that describe nothing are an error, and the output folder is kept', () => {
    const dir = tmp();
    const empty = write(dir, 'empty.yaml', '\n');
    const out = path.join(dir, 'out');
    expect(cli('synth', '-f', write(dir, 'shop.yaml', BASE), '-o', out).code).toBe(0);
    const r = cli('synth', '-f', empty, '-o', out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the values describe nothing to synthesize');
    expect(fs.readdirSync(out)).toContain('shop.k8s.yaml');
  });

  test('synth --help prints the usage', () => {
    const r = cli('synth', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: cdk8s-istio synth/);
  });
});
