/**
 * The small-app loop, as whole processes: what a user waits for on every edit and every Argo CD
 * render. Each command runs `--runs` times after one warm-up; the table gives the median wall
 * time and its spread, and each row's ratio to the `node -e 0` floor. Not a test: `npm run
 * bench`, see bench/README.md.
 *
 *   node lib/bench/process-bench.js [--runs 5]
 *
 * `npm run synth` after a one-line change touches src/patterns/common.ts (an appended comment,
 * removed afterwards) before each run, so the incremental build runs every time.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { packageRoot } from '../src/package-root';

const ROOT = packageRoot();

interface Row {
  readonly label: string;
  readonly command: string[];
  readonly cwd?: string;
  readonly before?: () => void;
}

function wallMs(row: Row): number {
  row.before?.();
  const t0 = process.hrtime.bigint();
  const r = spawnSync(row.command[0], row.command.slice(1), { cwd: row.cwd ?? ROOT, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) {
    throw new Error(`${row.label}: exit ${r.status ?? r.signal}: ${r.stderr}`);
  }
  return ms;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const i = process.argv.indexOf('--runs');
  const runs = i >= 0 ? Number(process.argv[i + 1]) : 5;
  const node = process.execPath;
  const touched = path.join(ROOT, 'src', 'patterns', 'common.ts');
  const original = fs.readFileSync(touched, 'utf8');
  let edits = 0;
  const rows: Row[] = [
    { label: 'node -e 0 (process floor)', command: [node, '-e', '0'] },
    { label: "node -e \"require('cdk8s')\"", command: [node, '-e', "require('cdk8s')"] },
    { label: 'values CLI: synth -f examples/vendor-platform.yaml --stdout', command: [node, 'lib/src/cli/cdk8s-istio.js', 'synth', '-f', 'examples/vendor-platform.yaml', '--stdout'] },
    { label: 'synth.js (what npm run synth runs), no change', command: [node, 'lib/src/cli/synth.js'] },
    {
      label: 'synth.js, after a one-line change in src/',
      command: [node, 'lib/src/cli/synth.js'],
      before: () => fs.writeFileSync(touched, `${original}// bench edit ${edits++}\n`),
    },
    { label: 'cdk8s synth --check-upgrade=false (bundled examples)', command: [node, path.join(ROOT, 'node_modules', 'cdk8s-cli', 'bin', 'cdk8s'), 'synth', '--check-upgrade=false', '--output', path.join(os.tmpdir(), 'cdk8s-istio-bench-dist')] },
  ];
  const table: string[][] = [['command', 'median ms', 'min ms', 'max ms', '× floor']];
  let floor = 0;
  try {
    for (const row of rows) {
      wallMs(row); // warm-up
      const samples = Array.from({ length: runs }, () => wallMs(row));
      const med = median(samples);
      floor = floor || med;
      table.push([row.label, med.toFixed(0), Math.min(...samples).toFixed(0), Math.max(...samples).toFixed(0), (med / floor).toFixed(1)]);
    }
  } finally {
    fs.writeFileSync(touched, original);
    // The one-line edits left compiled output newer than the restored source; rebuild it once.
    spawnSync(node, ['lib/src/cli/synth.js'], { cwd: ROOT, stdio: 'ignore' });
  }
  const widths = table[0].map((_, c) => Math.max(...table.map((r) => r[c].length)));
  process.stdout.write(`${runs} runs after one warm-up, node ${process.version}, ${os.cpus().length} CPUs\n\n`);
  process.stdout.write(`${table.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n')}\n`);
}

if (require.main === module) {
  main();
}
