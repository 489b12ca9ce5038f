#!/usr/bin/env node
/**
 * `cdk8s-istio synth -f values.yaml [-f more.yaml] [--set a.b=c] (-o DIR | --stdout)`
 *
 * Renders a values file into validated manifests, the way `helm template` renders a chart:
 * later files and --set win. `--stdout` prints one YAML stream with `---` between every object
 * and nothing else, for kubectl and Argo CD config management plugins; findings go to stderr.
 */
import * as path from 'path';
import { parseArgs } from 'util';
import * as fs from 'fs';
import { describeFsError, OutputError, recoverInterruptedSwap, writeFiles } from '../output';
import { packageRoot } from '../package-root';
import { dnsLabelProblem, shown } from '../validation';
import { manifestFiles, toYamlStream } from '../synthesis';
import { ValuesError } from './values';
import { buildValuesApp, loadValues, topologyOf } from './values-app';
import { chartNameFor, generateCdk8sApp, generateInput } from './argocd-generate';
import type { CliIo } from './io';
import { Json } from '../analysis/rendered';

const USAGE = `usage: cdk8s-istio synth -f VALUES [-f VALUES ...] [--set key.path=value ...] (-o DIR | --stdout) [--name NAME]
       cdk8s-istio generate     (the Argo CD plugin: reads ARGOCD_APP_PARAMETERS, ARGOCD_ENV_VALUES, ...)
       cdk8s-istio --version

  -f, --values FILE     a values file (at most 10 MiB); later files override earlier ones
  --set key=value       override values after all files, as Helm reads it: pairs separated by
                        commas (a=1,b=2), lists as {a,b}, a[0].b for list items, \\ escapes;
                        true, false, null and integers are typed, everything else is a string
  --set-string k=v      the same, every value a string
  -o, --output DIR      write <name>.k8s.yaml and topology.md into DIR (replaced as a whole)
  --stdout              write one YAML stream to stdout instead
  --name NAME           name of the output chart, a DNS label (default: the first values file's name)
  --istio-version V     the cluster's Istio, 1.20 to 1.30 (default 1.30); the same as mesh.istioVersion
`;

export type { CliIo } from './io';

interface SynthArgs {
  readonly files: string[];
  /** `--set` and `--set-string` in the order given. */
  readonly sets: Array<{ readonly expression: string; readonly asString: boolean; readonly origin?: string }>;
  readonly outdir?: string;
  readonly stdout: boolean;
  readonly name?: string;
}

class UsageError extends Error {}

const HELP_HINT = 'see `cdk8s-istio synth --help` for the options\n';

/** The version this package was published as. */
export function packageVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(packageRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

function parseSynthArgs(argv: readonly string[]): SynthArgs {
  let parsed: ReturnType<typeof parseSynthOptions>;
  try {
    parsed = parseSynthOptions(argv);
  } catch (e) {
    // node's messages name the option: "Unknown option '--x'", "Option '-f, --values <value>' argument missing".
    throw new UsageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument ${positionals[0]} (values files go after -f)`);
  }
  const files = values.values ?? [];
  if (files.length === 0) {
    throw new UsageError('give at least one values file with -f');
  }
  const stdout = values.stdout ?? false;
  if (stdout === (values.output !== undefined)) {
    throw new UsageError('give exactly one of -o DIR and --stdout');
  }
  // Flags keep their order among themselves: the later of two overrides wins, as in Helm.
  const sets: SynthArgs['sets'] = (parsed.tokens ?? [])
    .filter((t): t is Extract<typeof t, { kind: 'option' }> => t.kind === 'option' && (t.name === 'set' || t.name === 'set-string'))
    .map((t) => ({ expression: t.value ?? '', asString: t.name === 'set-string' }));
  if (values['istio-version'] !== undefined) {
    // The same as the values key, and it wins over the files like any override.
    sets.push({ expression: `mesh.istioVersion=${values['istio-version'].replace(/[\\,]/g, '\\$&')}`, asString: true, origin: `--istio-version ${values['istio-version']}` });
  }
  return { files, sets, outdir: values.output, stdout, name: values.name };
}

function parseSynthOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    tokens: true,
    options: {
      'values': { type: 'string', short: 'f', multiple: true },
      'set': { type: 'string', multiple: true },
      'set-string': { type: 'string', multiple: true },
      'output': { type: 'string', short: 'o' },
      'stdout': { type: 'boolean' },
      'name': { type: 'string' },
      'istio-version': { type: 'string' },
    },
  });
}

/** The chart name: explicit (refused unless a DNS label), or derived from the first file. */
function chartName(args: SynthArgs): string {
  if (args.name !== undefined) {
    const p = dnsLabelProblem(args.name, 'name');
    if (p) {
      throw new UsageError(`--name ${shown(args.name, 70)}: ${p.problem} (it names the chart and its output file)`);
    }
    if (args.name === 'constructor') {
      throw new UsageError('--name constructor: the constructs library reserves that name; choose another');
    }
    return args.name;
  }
  const derived = path.basename(args.files[0]).replace(/\.(values\.)?ya?ml$/, '').toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  if (!derived || derived === 'constructor') {
    throw new UsageError(`cannot name the chart after ${path.basename(args.files[0])}; pass --name NAME (a DNS label such as shop)`);
  }
  return derived;
}

/** Runs the command; returns the exit code. */
export function run(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): number {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    io.stdout(`${packageVersion()}\n`);
    return 0;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command === 'generate') {
    return runGenerate(rest, io, env, cwd);
  }
  if (command !== 'synth') {
    io.stderr(`unknown command ${shown(command, 70)}: the commands are synth and generate\n${HELP_HINT}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  let args: SynthArgs;
  let name: string;
  try {
    args = parseSynthArgs(rest);
    name = chartName(args);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${HELP_HINT}`);
    return 2;
  }
  try {
    if (args.outdir !== undefined) {
      // A run that was killed half way through swapping this folder left its old copy aside:
      // put it back first, so even a run that stops at bad values leaves the user their output.
      recoverInterruptedSwap(path.resolve(args.outdir), io.stderr);
    }
    const merged = loadValues(args.files, args.sets);
    const built = buildValuesApp(name, merged);
    if (built.result.render.objects.length === 0) {
      io.stderr(`${args.files.join(', ')}: the values describe nothing to synthesize; add an entry such as exposedApplications (see examples/)\nnothing was written\n`);
      return 1;
    }
    if (built.report.length > 0) {
      io.stderr(`${built.report.join('\n')}\n`);
    }
    if (args.stdout) {
      io.stdout(toYamlStream(built.result.render.objects.map((o) => o.manifest)));
    } else {
      const files = manifestFiles(built.result);
      writeFiles(args.outdir!, [...files, { path: 'topology.md', content: topologyOf(built, name) }]);
      const helm = files.some((f) => f.executable) ? ` (and ${path.join(args.outdir!, 'install-istio-with-helm.sh')}, for clusters without Argo CD)` : '';
      io.stderr(`wrote ${built.result.render.objects.length} objects to ${args.outdir}${helm}\n`);
    }
    return 0;
  } catch (e) {
    if (e instanceof ValuesError) {
      io.stderr(`${e.problems.join('\n')}\n${e.problems.length} problem(s); nothing was written\n`);
      return 1;
    }
    if (e instanceof OutputError) {
      io.stderr(`${e.message}\nnothing was written\n`);
      return 1;
    }
    // Anything else is our bug, not the user's input: one line, and the stack only when asked for.
    io.stderr(`internal error: ${(e as Error).message ?? String(e)}\nnothing was written; please report this (CDK8S_ISTIO_DEBUG=1 shows the stack)\n`);
    if (process.env.CDK8S_ISTIO_DEBUG) {
      io.stderr(`${(e as Error).stack ?? ''}\n`);
    }
    return 1;
  }
}

/**
 * What an Argo CD sync needs on top of the objects (argo-cd docs, sync-options): Istio objects
 * skip the dry run while their CRDs do not exist yet (an Istio install in the same sync), and
 * Namespaces are kept when the Application is deleted, since they hold TLS Secrets and workloads
 * the app does not own.
 */
export function forArgoCd(manifest: Json): Json {
  const meta = (manifest.metadata ?? {}) as Json;
  const group = String(manifest.apiVersion ?? '').split('/')[0];
  const options = manifest.kind === 'Namespace' && manifest.apiVersion === 'v1'
    ? 'Delete=false'
    : group.endsWith('istio.io') ? 'SkipDryRunOnMissingResource=true' : undefined;
  if (!options) {
    return manifest;
  }
  const annotations = { ...((meta.annotations ?? {}) as Record<string, string>) };
  const key = 'argocd.argoproj.io/sync-options';
  annotations[key] = annotations[key] ? `${annotations[key]},${options}` : options;
  return { ...manifest, metadata: { ...meta, annotations } };
}

/** `cdk8s-istio generate`: the Argo CD plugin's render (see argocd-generate.ts). */
function runGenerate(argv: readonly string[], io: CliIo, env: NodeJS.ProcessEnv = process.env, cwd: string = process.cwd()): number {
  if (argv.length > 0) {
    io.stderr(`generate takes no arguments; it reads the Argo CD plugin environment (got ${shown(argv.join(' '), 70)})\n`);
    return 2;
  }
  try {
    const input = generateInput(env, cwd);
    if ('cdk8sApp' in input) {
      return generateCdk8sApp(cwd, env, io);
    }
    const missing = input.values.filter((f) => !fs.existsSync(path.join(cwd, f)));
    if (missing.length > 0) {
      io.stderr(`${missing.join(', ')}: no such values file in the source directory (named by ${input.valuesFrom}); nothing was rendered\n`);
      return 1;
    }
    const name = chartNameFor(env.ARGOCD_APP_NAME, chartNameFor(path.basename(input.values[0]).replace(/\.(values\.)?ya?ml$/, ''), 'app'));
    // Relative to the source directory, which is the working directory when Argo CD runs us.
    const sets = input.istioVersion
      ? [...input.sets.map((expression) => ({ expression, asString: false })), { expression: `mesh.istioVersion=${input.istioVersion}`, asString: true, origin: `the istioVersion parameter (${input.istioVersion})` }]
      : input.sets;
    const merged = loadValues(input.values.map((f) => path.relative(process.cwd(), path.resolve(cwd, f))), sets);
    const built = buildValuesApp(name, merged, undefined, env.ARGOCD_APP_NAMESPACE || undefined);
    if (built.result.render.objects.length === 0) {
      io.stderr(`${input.values.join(', ')}: the values describe nothing to render; refusing to print an empty stream (Argo CD would prune the app's objects)\n`);
      return 1;
    }
    if (built.report.length > 0) {
      io.stderr(`${built.report.join('\n')}\n`);
    }
    io.stdout(toYamlStream(built.result.render.objects.map((o) => forArgoCd(o.manifest))));
    return 0;
  } catch (e) {
    if (e instanceof ValuesError) {
      io.stderr(`${e.problems.join('\n')}\n${e.problems.length} problem(s); nothing was rendered\n`);
      return 1;
    }
    io.stderr(`${(e as Error).message}\n`);
    return 1;
  }
}

/** Writes all of `text` to a file descriptor; a full disk or closed pipe becomes an OutputError. */
function writeAll(fd: number, text: string, what: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(fd, bytes, offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
        continue; // a non-blocking pipe that is full for the moment
      }
      throw new OutputError(describeFsError(e, `cannot write ${what}`));
    }
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    stdout: (t) => writeAll(1, t, 'the YAML to stdout'),
    stderr: (t) => {
      try {
        writeAll(2, t, 'to stderr');
      } catch {
        // Nowhere left to say it; the exit code still tells.
      }
    },
  });
}
