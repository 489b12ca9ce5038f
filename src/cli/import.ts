/**
 * `npm run import [-- <bundle path or URL>] [--out DIR]`
 *
 * Regenerates `imports/` from Istio's CRD bundle: the L1 constructs (through `cdk8s import`)
 * and the schema artefact the analysis reads (every served version's openAPIV3Schema with its
 * CEL rules). Both come from the same bundle so they can never disagree.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseArgs } from 'util';
import * as YAML from 'yaml';
import { buildSchemaArtefact, NEWEST_MINOR, packVersions, SCHEMA_ARTEFACT_FILE, VERSIONS_ARTEFACT_FILE } from '../analysis/crd-artefact';
import { packageRoot } from '../package-root';
import { removeStagingRootIfEmpty, stageFor, swapIn } from '../output';
import { writeValidators } from './validators';

const PROJECT_ROOT = packageRoot();
const SHARED_BUNDLE = path.resolve(PROJECT_ROOT, '..', 'shared', 'istio', 'crd-all.gen.yaml');

export interface ImportOptions {
  /** Path or http(s) URL of the CRD bundle. */
  readonly source: string;
  /** Folder to write into; replaced as a whole. */
  readonly outdir: string;
}

/** The bundle `npm run import` uses when none is given. */
export function defaultSource(): string {
  if (fs.existsSync(SHARED_BUNDLE)) {
    return SHARED_BUNDLE;
  }
  const config = YAML.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'cdk8s.yaml'), 'utf8')) as { imports?: string[] };
  const url = (config.imports ?? []).find((i) => /^https?:\/\//.test(i));
  if (!url) {
    throw new Error('cdk8s.yaml records no upstream URL under `imports:` and ../shared/istio/crd-all.gen.yaml does not exist');
  }
  return url;
}

function readSource(source: string): string {
  if (/^https?:\/\//.test(source)) {
    // cdk8s import fetches URLs itself; we need the text for the schema artefact too.
    return execFileSync('curl', ['-fsSL', source], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  }
  return fs.readFileSync(source, 'utf8');
}

export function runImport(options: ImportOptions): void {
  const text = readSource(options.source);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-import-'));
  try {
    const bundle = path.join(staging, 'crd-all.gen.yaml');
    fs.writeFileSync(bundle, text);
    const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
    // cdk8s import chats on stderr ("Importing resources..."); it is shown only when it fails.
    const imported = spawnSync(process.execPath, [cli, 'import', bundle, '--language', 'typescript', '--output', path.join(staging, 'out'), '--check-upgrade=false'], {
      cwd: staging,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    if (imported.status !== 0) {
      throw new Error(`cdk8s import exited with ${imported.status ?? imported.signal}: ${`${imported.stderr}${imported.stdout}`.trim()}`);
    }
    const sha256 = crypto.createHash('sha256').update(text).digest('hex');
    const artefact = buildSchemaArtefact(text, { source: describeSource(options.source), sha256 });
    fs.writeFileSync(path.join(staging, 'out', SCHEMA_ARTEFACT_FILE), JSON.stringify(artefact) + '\n');

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
    options: { out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    process.stdout.write('usage: npm run import [-- <crd bundle path or URL>] [--out DIR]\n');
    return;
  }
  if (positionals.length > 1) {
    throw new Error(`one bundle at a time, got ${positionals.join(', ')}`);
  }
  const outdir = values.out ?? path.join(PROJECT_ROOT, 'imports');
  const source = positionals[0] ?? defaultSource();
  runImport({ source, outdir });
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
