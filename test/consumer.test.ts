/**
 * The package as a user gets it: packed from this checkout, installed into a fresh cdk8s
 * TypeScript project outside the repository, type-checked, synthesized with `cdk8s synth`, and
 * tested with the stock ts-jest preset (no transformIgnorePatterns, nothing of ours configured).
 */
import { spawnSync, SpawnSyncReturns } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import { PROJECT_ROOT } from './shared';

const CONSUMER_FILES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'consumer');
const PINNED = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
const npmWorks = spawnSync('npm', ['--version'], { encoding: 'utf8' }).status === 0;

/** The environment of a user's shell: none of the variables our own jest run sets. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('JEST_') && k !== 'NODE_ENV' && k !== 'NODE_OPTIONS' && !k.startsWith('npm_')) {
      env[k] = v;
    }
  }
  return env;
}

function sh(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: userEnv(), timeout: 180_000 });
}

function ok(r: SpawnSyncReturns<string>): string {
  if (r.status !== 0) {
    throw new Error(`exit ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

const describeWithNpm = npmWorks ? describe : describe.skip;
if (!npmWorks) {
  process.stderr.write('consumer test skipped: npm is not available on this machine\n');
}

describeWithNpm('cdk8s-istio in a user\'s own cdk8s project', () => {
  let project = '';

  beforeAll(() => {
    const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-consumer-'));
    const packed = ok(sh('npm', ['pack', '--silent', '--pack-destination', scratch], PROJECT_ROOT)).trim().split('\n').pop()!;
    project = path.join(scratch, 'project');
    fs.cpSync(CONSUMER_FILES, project, { recursive: true });
    const dev = PINNED.devDependencies;
    // From npm's cache where it has the packages (it does after our own install); the registry otherwise.
    ok(sh('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', path.join(scratch, packed),
      `cdk8s@${dev.cdk8s}`, `constructs@${dev.constructs}`, `cdk8s-plus-28@${dev['cdk8s-plus-28']}`,
      `typescript@${dev.typescript}`, `jest@${dev.jest}`, `ts-jest@${dev['ts-jest']}`, `@types/jest@${dev['@types/jest']}`, `@types/node@${dev['@types/node']}`], project));
  }, 240_000);

  test('the tarball carries the compiled library, its declarations, the CEL copy and the schemas, and no build files', () => {
    const pkg = path.join(project, 'node_modules', 'cdk8s-istio');
    for (const f of ['lib/src/index.js', 'lib/src/index.d.ts', 'lib/src/analysis/index.d.ts', 'lib/vendor/cel-js/index.js', 'lib/vendor/cel-js/LICENSE',
      'imports/crd-schemas.json', 'schemas/values.schema.json', 'examples/bookinfo.yaml', 'CHANGELOG.md', 'README.md']) {
      expect({ file: f, present: fs.existsSync(path.join(pkg, f)) }).toEqual({ file: f, present: true });
    }
    for (const f of ['src', 'test', 'lib/test', 'lib/bench', 'build', 'lib/.src.tsbuildinfo']) {
      expect({ file: f, present: fs.existsSync(path.join(pkg, f)) }).toEqual({ file: f, present: false });
    }
    // Peer dependencies: one cdk8s, one constructs in the whole project.
    expect(fs.existsSync(path.join(pkg, 'node_modules', 'cdk8s'))).toBe(false);
    expect(fs.existsSync(path.join(pkg, 'node_modules', 'constructs'))).toBe(false);
    expect(fs.existsSync(path.join(project, 'node_modules', '@marcbachmann'))).toBe(false);
  });

  test('main.ts type-checks against the published declarations (addIstioValidation takes the project\'s own App)', () => {
    ok(sh(process.execPath, [path.join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], project));
    expect(fs.existsSync(path.join(project, 'js', 'main.js'))).toBe(true);
  }, 120_000);

  test('cdk8s synth writes the charts', () => {
    const cli = path.join(PROJECT_ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s');
    ok(sh(process.execPath, [cli, 'synth', '--check-upgrade=false'], project));
    expect(fs.readdirSync(path.join(project, 'dist')).sort()).toEqual(['.cdk8s-istio-output', 'shop.k8s.yaml']);
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(project, 'dist', 'shop.k8s.yaml'), 'utf8')).map((d) => d.toJSON() as { kind: string; metadata: { name: string } });
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(expect.arrayContaining(['Namespace/shop', 'VirtualService/api', 'Gateway/storefront-gateway', 'AuthorizationPolicy/allow-nothing']));
  }, 120_000);

  test('jest with the stock ts-jest preset runs the user\'s snapshot test, and a second run matches it', () => {
    const jest = path.join(project, 'node_modules', 'jest', 'bin', 'jest.js');
    const first = sh(process.execPath, [jest, '--ci=false', 'shop.test.ts'], project);
    expect(`${first.stderr}`).toMatch(/Tests:\s+2 passed, 2 total/);
    expect(first.status).toBe(0);
    expect(fs.readFileSync(path.join(project, '__snapshots__', 'shop.test.ts.snap'), 'utf8')).toContain('"kind": "VirtualService"');
    const again = sh(process.execPath, [jest, '--ci', 'shop.test.ts'], project);
    expect(again.stderr).toMatch(/Snapshots:\s+1 passed, 1 total/);
    expect(again.status).toBe(0);
  }, 120_000);

  test('an invalid app fails the user\'s test with the finding\'s code', () => {
    const jest = path.join(project, 'node_modules', 'jest', 'bin', 'jest.js');
    const r = sh(process.execPath, [jest, '--ci', 'broken.test.ts'], project);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/error IST0123 \[broken\/ns\] Namespace x metadata\.labels: both istio-injection=enabled and istio\.io\/rev=stable are set/);
    expect(r.stderr).toMatch(/Tests:\s+1 failed, 1 total/);
  }, 120_000);

  test('the values CLI runs from the installed package', () => {
    const r = sh(process.execPath, [path.join(project, 'node_modules', '.bin', 'cdk8s-istio'), 'synth', '-f', path.join(project, 'node_modules', 'cdk8s-istio', 'examples', 'bookinfo.yaml'), '--stdout'], project);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^apiVersion: v1\nkind: Namespace\n/);
    expect(ok(sh(process.execPath, [path.join(project, 'node_modules', '.bin', 'cdk8s-istio'), '--version'], project)).trim()).toBe(JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')).version);
  }, 60_000);
});
