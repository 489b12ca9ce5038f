/**
 * The CEL evaluator, `@marcbachmann/cel-js`, which is published as ES modules only. The package
 * ships a CommonJS copy of it that the build writes to `lib/vendor/cel-js/` (build/vendor-cel.js)
 * and loads that on first use, so a user's jest or a plain `require` loads cdk8s-istio without
 * transforming anything under node_modules.
 *
 * The types are our own view of the few calls we make, so the published declarations never name
 * the evaluator; test/analysis-cel.test.ts checks them against the library's own declarations.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { packageRoot } from '../package-root';

/** A parsed expression: call it with the variables to evaluate it. */
export interface CelProgram {
  (variables: Record<string, unknown>): unknown;
  readonly ast: unknown;
  check(): { readonly valid: boolean; readonly error?: unknown };
}

export interface CelEnvironment {
  registerVariable(name: string, type: string): CelEnvironment;
  registerType(name: string, type: new (...args: never[]) => unknown): CelEnvironment;
  registerFunction(signature: string, implementation: (...args: never[]) => unknown): CelEnvironment;
  parse(expression: string): CelProgram;
}

export interface CelEnvironmentOptions {
  readonly homogeneousAggregateLiterals?: boolean;
  readonly enableOptionalTypes?: boolean;
}

interface CelModule {
  readonly Environment: new (options?: CelEnvironmentOptions) => CelEnvironment;
  readonly Optional: { none(): unknown };
}

/** Where the build puts the CommonJS copy. */
export function vendoredCelPath(): string {
  return path.join(packageRoot(), 'lib', 'vendor', 'cel-js', 'index.js');
}

let loaded: CelModule | undefined;

/** The evaluator module, loaded once. */
export function celModule(): CelModule {
  if (!loaded) {
    const file = vendoredCelPath();
    if (!fs.existsSync(file)) {
      throw new Error(`the CEL evaluator is missing (${path.relative(process.cwd(), file)}): run \`npm run build\`, which writes it`);
    }
    loaded = loadBundle(path.dirname(file)) ?? (
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file) as CelModule);
  }
  return loaded;
}

/**
 * The build's single-file bundle of the evaluator, compiled with V8's code cache when the cache
 * is there and from this Node version (build/vendor-cel.js): 5-6 ms instead of 12-16 ms. A
 * rejected or missing cache only means compiling as usual.
 */
function loadBundle(dir: string): CelModule | undefined {
  const bundle = path.join(dir, 'bundle.js');
  // Code compiled by vm runs in Node's main realm. Under jest the caller lives in a realm of its
  // own, whose objects the evaluator would not take for maps ("Unsupported type: Object"): there,
  // require it like any module.
  if (!fs.existsSync(bundle) || !sameRealm()) {
    return undefined;
  }
  const cacheFile = path.join(dir, 'bundle.cache');
  const nodeFile = path.join(dir, 'bundle.cache.node');
  const fresh = fs.existsSync(cacheFile) && fs.existsSync(nodeFile) && fs.readFileSync(nodeFile, 'utf8').trim() === process.version;
  // The same wrapper the build compiled the cache from.
  const source = `(function (exports, require, module, __filename, __dirname) {${fs.readFileSync(bundle, 'utf8')}\n})`;
  const script = new vm.Script(source, { filename: bundle, cachedData: fresh ? fs.readFileSync(cacheFile) : undefined });
  const mod: { exports: unknown } = { exports: {} };
  (script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void)(mod.exports, require, mod, bundle, dir);
  cacheUsed = fresh && !script.cachedDataRejected;
  return mod.exports as CelModule;
}

let cacheUsed = false;

/** Whether this module runs in the realm `vm.runInThisContext` evaluates in. */
export function sameRealm(): boolean {
  return vm.runInThisContext('Object') === Object;
}

/** Whether the evaluator came from the bundle with its code cache accepted (for tests). */
export function celCodeCacheUsed(): boolean {
  return cacheUsed;
}
