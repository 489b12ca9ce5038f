/**
 * `npm run import [-- <bundle path or URL>] [--out DIR]`
 *
 * Regenerates `imports/` from Istio's CRD bundle and the Gateway API's standard-channel CRDs:
 * the L1 constructs (through `cdk8s import`) and the schema artefacts the analysis reads (every
 * served version's openAPIV3Schema with its CEL rules). Both come from the same bundles so they
 * can never disagree.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as YAML from 'yaml';
import { buildSchemaArtefact, GATEWAY_API_ARTEFACT_FILE, GATEWAY_API_VERSION, NEWEST_MINOR, packVersions, SCHEMA_ARTEFACT_FILE, VERSIONS_ARTEFACT_FILE } from '../analysis/crd-artefact';
import { packageRoot } from '../package-root';
import { removeStagingRootIfEmpty, stageFor, swapIn } from '../output';
import { writeValidators } from './validators';

const PROJECT_ROOT = packageRoot();
const SHARED_BUNDLE = path.resolve(PROJECT_ROOT, '..', 'shared', 'istio', 'crd-all.gen.yaml');
const SHARED_GATEWAY_API = path.resolve(PROJECT_ROOT, '..', 'shared', 'gateway-api', GATEWAY_API_VERSION, 'standard-install.yaml');

export interface ImportOptions {
  /** Path or http(s) URL of the CRD bundle. */
  readonly source: string;
  /** Folder to write into; replaced as a whole. */
  readonly outdir: string;
  /** Path or URL of the Gateway API standard-channel CRDs. @default defaultGatewayApiSource() */
  readonly gatewayApiSource?: string;
}

/** The upstream URL cdk8s.yaml records under `imports:` for a bundle whose URL matches `test`. */
function recordedUrl(test: RegExp, local: string): string {
  const config = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] };
  const url = (config.imports ?? []).find((i) => /^https?:\/\//.test(i) && test.test(i));
  if (!url) {
    throw new Error(`cdk8s.yaml records no upstream URL under \`imports:\` for ${path.basename(local)}, and ${path.relative(PROJECT_ROOT, local)} does not exist`);
  }
  return url;
}

/** The Istio bundle `npm run import` uses when none is given. */
export function defaultSource(): string {
  return fs.existsSync(SHARED_BUNDLE) ? SHARED_BUNDLE : recordedUrl(/istio/, SHARED_BUNDLE);
}

/** The Gateway API CRDs `npm run import` uses: ../shared's copy, else the release URL in cdk8s.yaml. */
export function defaultGatewayApiSource(): string {
  return fs.existsSync(SHARED_GATEWAY_API) ? SHARED_GATEWAY_API : recordedUrl(/gateway-api/, SHARED_GATEWAY_API);
}

function readSource(source: string): string {
  if (/^https?:\/\//.test(source)) {
    // cdk8s import fetches URLs itself; we need the text for the schema artefact too.
    return execFileSync('curl', ['-fsSL', source], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  }
  return fs.readFileSync(source, 'utf8');
}

/** `cdk8s import` of one bundle into `out` (several bundles may share the folder: one file per group). */
function cdk8sImport(staging: string, name: string, text: string, out: string): void {
  const bundle = path.join(staging, name);
  fs.writeFileSync(bundle, text);
  const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
  // cdk8s import chats on stderr ("Importing resources..."); it is shown only when it fails.
  const imported = spawnSync(process.execPath, [cli, 'import', bundle, '--language', 'typescript', '--output', out, '--check-upgrade=false'], {
    cwd: staging,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (imported.status !== 0) {
    throw new Error(`cdk8s import of ${name} exited with ${imported.status ?? imported.signal}: ${`${imported.stderr}${imported.stdout}`.trim()}`);
  }
}

export function runImport(options: ImportOptions): void {
  const text = readSource(options.source);
  const gatewayApiSource = options.gatewayApiSource ?? defaultGatewayApiSource();
  const gatewayApi = readSource(gatewayApiSource);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-import-'));
  try {
    const out = path.join(staging, 'out');
    cdk8sImport(staging, 'crd-all.gen.yaml', text, out);
    cdk8sImport(staging, 'gateway-api-standard-install.yaml', gatewayApi, out);
    const sha256 = (t: string) => crypto.createHash('sha256').update(t).digest('hex');
    const artefact = buildSchemaArtefact(text, { source: describeSource(options.source), sha256: sha256(text) });
    fs.writeFileSync(path.join(out, SCHEMA_ARTEFACT_FILE), JSON.stringify(artefact) + '\n');
    const gatewayArtefact = buildSchemaArtefact(gatewayApi, { source: `gateway-api ${GATEWAY_API_VERSION} ${describeSource(gatewayApiSource)}`, sha256: sha256(gatewayApi) });
    fs.writeFileSync(path.join(out, GATEWAY_API_ARTEFACT_FILE), JSON.stringify(gatewayArtefact) + '\n');

    // Swap only once everything was generated, so a failed import leaves imports/ as it was;
    // the swap is the recoverable one the output folders use.
    const target = path.resolve(options.outdir);
    const staged = stageFor(target);
    try {
      fs.cpSync(path.join(staging, 'out'), staged, { recursive: true });
      swapIn(staged, target);
    } catch (e) {
      fs.rmSync(staged, { recursive: true, force: true });
      removeStagingRootIfEmpty(target);
      throw e;
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** Where the older minors' bundles are: ../shared/istio/versions/<x.y.z>/crd-all.gen.yaml. */
export const SHARED_VERSIONS = path.join(PROJECT_ROOT, '..', 'shared', 'istio', 'versions');

/**
 * imports/crd-schemas-versions.json from every bundle under `dir` older than the newest minor
 * (the newest is imports/crd-schemas.json), identical schemas stored once.
 */
export function versionsArtefactText(dir: string = SHARED_VERSIONS): string {
  const artefacts: Record<string, ReturnType<typeof buildSchemaArtefact>> = {};
  for (const release of fs.readdirSync(dir).sort()) {
    const minor = release.split('.').slice(0, 2).join('.');
    if (minor === NEWEST_MINOR) {
      continue;
    }
    const text = fs.readFileSync(path.join(dir, release, 'crd-all.gen.yaml'), 'utf8');
    artefacts[minor] = buildSchemaArtefact(text, { source: `${release}/crd-all.gen.yaml`, sha256: crypto.createHash('sha256').update(text).digest('hex') });
  }
  return `${JSON.stringify(packVersions(artefacts))}\n`;
}

/** A machine-independent name for the bundle, recorded in the artefact. */
function describeSource(source: string): string {
  if (/^https?:\/\//.test(source)) {
    return source;
  }
  return path.basename(source);
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: { out: { type: 'string' }, 'gateway-api': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: npm run import [-- <istio crd bundle path or URL>] [--gateway-api <standard-install.yaml path or URL>] [--out DIR]\n');
    return;
  }
  if (positionals.length > 1) {
    throw new Error(`one bundle at a time, got ${positionals.join(', ')}`);
  }
  const outdir = values.out ?? path.join(PROJECT_ROOT, 'imports');
  const source = positionals[0] ?? defaultSource();
  runImport({ source, outdir, gatewayApiSource: values['gateway-api'] });
  process.stderr.write(`imported ${source} into ${path.relative(process.cwd(), outdir) || '.'}\n`);
  if (values.out === undefined) {
    // The validators are compiled from the artefact just written (the import test checks both).
    process.stderr.write(`wrote ${writeValidators()} precompiled validators into imports/validators/\n`);
    if (fs.existsSync(SHARED_VERSIONS)) {
      fs.writeFileSync(path.join(outdir, VERSIONS_ARTEFACT_FILE), versionsArtefactText());
      process.stderr.write(`wrote the schemas of the older Istio minors into imports/${VERSIONS_ARTEFACT_FILE}\n`);
    }
  }
}

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`import failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
}
