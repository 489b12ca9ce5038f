/**
 * The build `npm run synth` does: transpile only the sources that changed since their compiled
 * JavaScript, one file at a time, without type-checking. A full `tsc -b` re-reads the megabyte
 * of generated import declarations on every change and takes seconds; type-checking stays with
 * `npm run build` and `npm test`.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

interface Stale {
  readonly source: string;
  readonly output: string;
}

function walk(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) {
    return out;
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      walk(p, out);
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) {
      out.push(p);
    }
  }
  return out;
}

function mtime(file: string): number {
  return fs.existsSync(file) ? fs.statSync(file).mtimeMs : -1;
}

/** Sources under `dir` whose compiled file in `lib/` is missing or older. */
function staleSources(root: string, dir: string): Stale[] {
  return walk(path.join(root, dir))
    .map((source) => ({ source, output: path.join(root, 'lib', path.relative(root, source)).replace(/\.ts$/, '.js') }))
    .filter(({ source, output }) => mtime(output) < mtime(source));
}

/**
 * Brings `lib/` up to date for synthesis. Falls back to a full `tsc -b` when the generated
 * imports or the build configuration changed, or nothing was built yet.
 * @returns the number of files transpiled (or -1 after a full build)
 */
export function fastBuild(root: string): number {
  const tsc = () => {
    const run = spawnSync(process.execPath, [path.join(path.dirname(require.resolve('typescript/package.json')), 'bin', 'tsc'), '-b'], { cwd: root, stdio: 'inherit' });
    if (run.status !== 0) {
      throw new Error('tsc -b failed');
    }
    // tsc -b leaves its build info, and outputs whose text did not change, alone: a package.json
    // edited since, or a re-import that wrote the same declarations, would send every later
    // synth down this slow path again. Mark them as checked.
    const now = new Date();
    const checked = [path.join(root, 'lib', '.src.tsbuildinfo'), ...[...staleSources(root, 'imports'), ...staleSources(root, 'src')].map((s) => s.output)];
    for (const file of checked.filter((f) => fs.existsSync(f))) {
      fs.utimesSync(file, now, now);
    }
    return -1;
  };
  // The CommonJS copy of the CEL evaluator (build/vendor-cel.js), written once per install.
  if (!fs.existsSync(path.join(root, 'lib', 'vendor', 'cel-js', 'index.js'))) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require(path.join(root, 'build', 'vendor-cel.js')) as { vendorCel(root: string): unknown }).vendorCel(root);
  }
  const configs = ['tsconfig.base.json', 'tsconfig.json', 'tsconfig.imports.json', 'package.json'].map((f) => mtime(path.join(root, f)));
  const built = mtime(path.join(root, 'lib', '.src.tsbuildinfo'));
  if (built < 0 || configs.some((m) => m > built) || staleSources(root, 'imports').length > 0) {
    return tsc();
  }
  const stale = staleSources(root, 'src');
  if (stale.length === 0) {
    return 0;
  }
  // Loaded only when something changed: the compiler takes a quarter of a second to load.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ts = require('typescript') as typeof import('typescript');
  const base = ts.readConfigFile(path.join(root, 'tsconfig.base.json'), ts.sys.readFile).config as { compilerOptions: object };
  const { options } = ts.convertCompilerOptionsFromJson(base.compilerOptions, root);
  for (const { source, output } of stale) {
    const js = ts.transpileModule(fs.readFileSync(source, 'utf8'), { compilerOptions: { ...options, declaration: false, sourceMap: false }, fileName: source });
    fs.mkdirSync(path.dirname(output), { recursive: true });
    fs.writeFileSync(output, js.outputText);
  }
  return stale.length;
}
