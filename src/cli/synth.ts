/**
 * `npm run synth`: synthesize into a staging folder, then swap it into place.
 *
 * `cdk8s synth` deletes its output folder before the app runs, so a failing app would leave no
 * manifests at all. Here a failure leaves the previous output byte for byte as it was.
 *
 * By default this runs the app the way `cdk8s synth` does (the `app` command from cdk8s.yaml
 * with CDK8S_OUTDIR set) without loading the cdk8s CLI, whose start-up alone costs about a
 * second; `--cdk8s-cli` goes through the CLI itself.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import * as YAML from 'yaml';
import { packageRoot } from '../package-root';
import { assertReplaceable } from '../output';
import { fastBuild } from './fast-build';

export interface AtomicSynthOptions {
  /** Folder the manifests end up in. */
  readonly outdir: string;
  /** Project folder holding cdk8s.yaml. */
  readonly cwd: string;
  /** Run through the cdk8s CLI rather than the app command directly. @default false */
  readonly viaCdk8sCli?: boolean;
}

interface Cdk8sConfig {
  readonly app?: string;
  readonly output?: string;
}

export function readCdk8sConfig(cwd: string): Cdk8sConfig {
  const file = path.join(cwd, 'cdk8s.yaml');
  return fs.existsSync(file) ? (YAML.parse(fs.readFileSync(file, 'utf8')) ?? {}) as Cdk8sConfig : {};
}

function runApp(options: AtomicSynthOptions, stagedOut: string): number | null {
  if (options.viaCdk8sCli) {
    const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
    return spawnSync(process.execPath, [cli, 'synth', '--output', stagedOut, '--check-upgrade=false'], {
      cwd: options.cwd,
      stdio: ['ignore', 'inherit', 'inherit'],
    }).status;
  }
  const app = readCdk8sConfig(options.cwd).app;
  if (!app) {
    process.stderr.write('cdk8s.yaml has no `app:` command to run\n');
    return 1;
  }
  return spawnSync(app, {
    cwd: options.cwd,
    shell: true,
    env: { ...process.env, CDK8S_OUTDIR: stagedOut },
    stdio: ['ignore', 'inherit', 'inherit'],
  }).status;
}

/** Runs `cdk8s synth`; returns its exit code. Only a zero exit replaces `outdir`. */
export function atomicSynth(options: AtomicSynthOptions): number {
  const target = path.resolve(options.cwd, options.outdir);
  try {
    assertReplaceable(target);
  } catch (e) {
    process.stderr.write(`synth refused: ${(e as Error).message}\n`);
    return 1;
  }
  // Same parent folder as the target, so the final rename never crosses file systems.
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.synth-`);
  const stagedOut = path.join(staging, 'out');
  try {
    const status = runApp(options, stagedOut);
    if (status !== 0 || !fs.existsSync(stagedOut)) {
      process.stderr.write(`synth failed: ${path.relative(options.cwd, target) || target}/ was left as it was\n`);
      return status || 1;
    }
    const old = `${staging}.old`;
    if (fs.existsSync(target)) {
      fs.renameSync(target, old);
    }
    fs.renameSync(stagedOut, target);
    fs.rmSync(old, { recursive: true, force: true });
    return 0;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) {
  let args: { output?: string; 'cdk8s-cli'?: boolean };
  try {
    args = parseArgs({ options: { 'output': { type: 'string', short: 'o' }, 'cdk8s-cli': { type: 'boolean' } }, strict: true }).values;
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\nusage: npm run synth [-- --output DIR] [-- --cdk8s-cli]\n`);
    process.exit(2);
  }
  const cwd = process.cwd();
  const outdir = args.output ?? readCdk8sConfig(cwd).output ?? 'dist';
  try {
    // Only this project's own app is rebuilt; another project's app is its own business.
    if (path.resolve(cwd) === packageRoot()) {
      fastBuild(cwd);
    }
  } catch (e) {
    process.stderr.write(`build failed: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.exit(atomicSynth({ outdir, cwd, viaCdk8sCli: args['cdk8s-cli'] ?? false }));
}
