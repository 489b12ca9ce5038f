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
import { packageRoot } from '../package-root';
import { loadWithCodeCache } from './code-cache';

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
    // The build's single-file bundle of the evaluator with its code cache (build/vendor-cel.js):
    // 5-6 ms instead of 12-16 ms to compile.
    const dir = path.dirname(file);
    const cached = loadWithCodeCache(path.join(dir, 'bundle.js'), path.join(dir, 'bundle.cache'), path.join(dir, 'bundle.cache.node'));
    cacheUsed = cached?.accepted ?? false;
    loaded = (cached?.exports ?? (
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require(file))) as CelModule;
  }
  return loaded;
}

let cacheUsed = false;

/** Whether the evaluator came from the bundle with its code cache accepted (for tests). */
export function celCodeCacheUsed(): boolean {
  return cacheUsed;
}
