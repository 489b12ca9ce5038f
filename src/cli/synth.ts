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
import { assertReplaceable, describeFsError, OUTPUT_MARKER, OUTPUT_MARKER_TEXT, OutputError, removeStagingRootIfEmpty, stageFor, swapIn } from '../output';
import { fastBuild } from './fast-build';

export interface AtomicSynthOptions {
  /** Folder the manifests end up in. */
  readonly outdir: string;
  /** Project folder holding cdk8s.yaml. */
  readonly cwd: string;
  /** Run through the cdk8s CLI rather than the app command directly. @default false */
  readonly viaCdk8sCli?: boolean;
  /**
   * Receives what the app printed (stdout, then stderr) instead of the terminal, e.g. in tests.
   * @default - the app's output goes straight to this process's stderr
   */
  readonly captureOutput?: (text: string) => void;
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
  const capture = options.captureOutput;
  // The app's stdout goes to our stderr: `npm run synth` prints no manifests, only what it did.
  const stdio: ['ignore', 'pipe' | number, 'pipe' | 'inherit'] = capture ? ['ignore', 'pipe', 'pipe'] : ['ignore', 2, 'inherit'];
  const done = (r: ReturnType<typeof spawnSync>) => {
    if (capture) {
      capture(`${String(r.stdout ?? '')}${String(r.stderr ?? '')}`);
    }
    return r.status;
  };
  if (options.viaCdk8sCli) {
    const cli = path.join(path.dirname(require.resolve('cdk8s-cli/package.json')), 'bin', 'cdk8s');
    return done(spawnSync(process.execPath, [cli, 'synth', '--output', stagedOut, '--check-upgrade=false'], { cwd: options.cwd, stdio, encoding: 'utf8' }));
  }
  const app = readCdk8sConfig(options.cwd).app;
  if (!app) {
    process.stderr.write('cdk8s.yaml has no `app:` command to run\n');
    return 1;
  }
  return done(spawnSync(app, {
    cwd: options.cwd,
    shell: true,
    env: { ...process.env, CDK8S_OUTDIR: stagedOut },
    stdio,
    encoding: 'utf8',
  }));
}

/** Runs `cdk8s synth`; returns its exit code. Only a zero exit replaces `outdir`. */
export function atomicSynth(options: AtomicSynthOptions): number {
  const target = path.resolve(options.cwd, options.outdir);
  const shown = path.relative(options.cwd, target) || target;
  let staging: string;
  try {
    assertReplaceable(target, shown);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    staging = stageFor(target);
  } catch (e) {
    removeStagingRootIfEmpty(target);
    process.stderr.write(`synth refused: ${e instanceof OutputError ? e.message : describeFsError(e, `cannot prepare ${shown}`)}\n`);
    return 1;
  }
  const stagedOut = path.join(staging, 'out');
  try {
    const status = runApp(options, stagedOut);
    if (status !== 0 || !fs.existsSync(stagedOut)) {
      process.stderr.write(`synth failed: ${shown}/ was left as it was\n`);
      return status || 1;
    }
    // Whatever app wrote it, the folder is now ours to replace next time.
    if (!fs.existsSync(path.join(stagedOut, OUTPUT_MARKER))) {
      fs.writeFileSync(path.join(stagedOut, OUTPUT_MARKER), OUTPUT_MARKER_TEXT);
    }
    swapIn(stagedOut, target);
    return 0;
  } catch (e) {
    process.stderr.write(`synth failed: ${describeFsError(e, `cannot replace ${shown}`)}; ${shown}/ was left as it was\n`);
    return 1;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
    removeStagingRootIfEmpty(target);
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
