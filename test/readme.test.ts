/**
 * The README's TypeScript examples run as written, so the first thing a user copies works.
 * Each ```ts block is transpiled and run with `cdk8s-istio` resolving to this package's sources.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as lib from '../src';
import type { Json } from '../src/analysis/rendered';
import { buildValuesApp, loadValues } from '../src/cli/values-app';
import { PROJECT_ROOT } from './shared';

const readme = fs.readFileSync(path.join(PROJECT_ROOT, 'README.md'), 'utf8');
const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);

/** Runs a block; `app.synth()` is swapped for a validated render so nothing is written. */
function run(source: string): { manifests: Json[]; apps: lib.IstioApp[] } {
  const apps: lib.IstioApp[] = [];
  class TestedApp extends lib.IstioApp {
    public constructor() {
      super({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-readme-')) });
      apps.push(this);
    }
    public override synth(): void {
      lib.synthManifests(this);
    }
  }
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
  const requireFor = (name: string) => {
    if (name === 'cdk8s-istio') {
      return { ...lib, IstioApp: TestedApp, testApp: () => new TestedApp() };
    }
    if (name === 'cdk8s' || name === 'cdk8s-plus-28') {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      return require(name) as unknown;
    }
    throw new Error(`the README example requires ${name}; only cdk8s-istio is provided here`);
  };
  // Test-only evaluation of the project's own README text.
  new Function('require', 'exports', 'expect', js)(requireFor, {}, expect);
  return { manifests: apps.flatMap((a) => lib.synthManifests(a)), apps };
}

test('the README has TypeScript examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(2);
});

test('"In TypeScript": the example synthesizes without errors and renders what it says', () => {
  const block = blocks.find((b) => b.includes('new ZeroTrustNamespace'));
  expect(block).toBeDefined();
  const { manifests } = run(block!);
  const kinds = manifests.map((m) => `${String(m.kind)}/${String((m.metadata as Json).name)}`);
  expect(kinds).toEqual(expect.arrayContaining([
    'Namespace/shop', 'Deployment/shop-gateway', 'Gateway/gateway', 'DestinationRule/api', 'VirtualService/routes',
    'PeerAuthentication/default', 'AuthorizationPolicy/allow-nothing', 'AuthorizationPolicy/allow-clients-to-gateway',
  ]));
  const vs = manifests.find((m) => m.kind === 'VirtualService')!;
  expect(vs.spec).toEqual({
    hosts: ['shop.example.com'],
    gateways: ['shop/gateway'],
    http: [{ match: [{ uri: { prefix: '/api/' } }], route: [{ destination: { host: 'api', port: { number: 8080 }, subset: 'v1' } }], timeout: '10s' }],
  });
});

test('"Testing your configuration": the snippet runs once its elided constructs are filled in', () => {
  const block = blocks.find((b) => b.includes('synthManifests(chart)'));
  expect(block).toBeDefined();
  const filled = block!
    .replace('// ... constructs ...', "new VirtualService(chart, 'vs', { hosts: ['shop.example.com'] }).addHttpRoute({ to: [Destination.to('web', { port: 80 })] });")
    .replace("import { IstioChart, synthManifests, findings, testApp } from 'cdk8s-istio';", "import { IstioChart, synthManifests, findings, testApp, VirtualService, Destination } from 'cdk8s-istio';")
    .replace('expect(manifests).toMatchSnapshot();', '');
  expect(() => run(filled)).not.toThrow();
});

test('"Values files": the values snippet renders without problems', () => {
  const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
  const snippet = yamlBlocks.find((b) => b.includes('exposedApplications:'));
  expect(snippet).toBeDefined();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-readme-')), 'acme.yaml');
  fs.writeFileSync(file, snippet!);
  const built = buildValuesApp('acme', loadValues([file]));
  expect(built.result.errors).toEqual([]);
  const vs = built.result.render.objects.map((o) => o.manifest).find((m) => m.kind === 'VirtualService')!;
  expect(((vs.spec as Json).http as Json[]).map((r) => r.name)).toEqual(['acme-api', 'acme-ui']);
});

test('"Use it in your cdk8s project": the files shown are the ones the consumer test runs', () => {
  const dir = path.join(PROJECT_ROOT, 'test', 'fixtures', 'consumer');
  for (const file of ['main.ts', 'shop.test.ts', 'cdk8s.yaml']) {
    const text = fs.readFileSync(path.join(dir, file), 'utf8');
    expect({ file, inReadme: readme.includes(`\n${text}\`\`\`\n`) }).toEqual({ file, inReadme: true });
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { jest: unknown; scripts: Record<string, string> };
  expect(pkg.jest).toEqual({ preset: 'ts-jest', testEnvironment: 'node' });
  expect(readme).toContain(`"synth": "${pkg.scripts.synth}"`);
});
