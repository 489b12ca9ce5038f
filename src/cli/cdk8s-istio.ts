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
import { OutputError, writeFiles } from '../output';
import { manifestFiles, toYamlStream } from '../synthesis';
import { ValuesError } from './values';
import { buildValuesApp, loadValues, topologyOf } from './values-app';

const USAGE = `usage: cdk8s-istio synth -f VALUES [-f VALUES ...] [--set key.path=value ...] (-o DIR | --stdout) [--name NAME]

  -f, --values FILE   a values file; later files override earlier ones
  --set key=value     override one value (typed as YAML: true, 3, [a, b]); after all files
  -o, --output DIR    write <name>.k8s.yaml and topology.md into DIR (replaced as a whole)
  --stdout            write one YAML stream to stdout instead
  --name NAME         name of the output chart (default: the first values file's name)
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

interface SynthArgs {
  readonly files: string[];
  readonly sets: string[];
  readonly outdir?: string;
  readonly stdout: boolean;
  readonly name?: string;
}

class UsageError extends Error {}

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
  return { files, sets: values.set ?? [], outdir: values.output, stdout, name: values.name };
}

function parseSynthOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      values: { type: 'string', short: 'f', multiple: true },
      set: { type: 'string', multiple: true },
      output: { type: 'string', short: 'o' },
      stdout: { type: 'boolean' },
      name: { type: 'string' },
    },
  });
}

/** Runs the command; returns the exit code. */
export function run(argv: readonly string[], io: CliIo): number {
  const [command, ...rest] = argv;
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    io.stdout(USAGE);
    return command === undefined ? 2 : 0;
  }
  if (command !== 'synth') {
    io.stderr(`unknown command ${command}\n${USAGE}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(USAGE);
    return 0;
  }
  let args: SynthArgs;
  try {
    args = parseSynthArgs(rest);
  } catch (e) {
    io.stderr(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const name = args.name ?? path.basename(args.files[0]).replace(/\.(values\.)?ya?ml$/, '').replace(/[^a-z0-9-]/gi, '-').toLowerCase();
  try {
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
      writeFiles(args.outdir!, [...manifestFiles(built.result), { path: 'topology.md', content: topologyOf(built, name) }]);
      io.stderr(`wrote ${built.result.render.objects.length} objects to ${args.outdir}\n`);
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
    io.stderr(`${(e as Error).stack ?? String(e)}\n`);
    return 1;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
  });
}
