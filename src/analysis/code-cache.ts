/**
 * Loading a CommonJS file with the V8 code cache the build wrote for it (build/code-cache.js):
 * the CEL evaluator's bundle and the precompiled validators are large generated code whose
 * compilation was most of a small app's validation time. The cache is used only when it is there
 * for this Node version (another version's V8 would reject it) and where code compiled by vm
 * shares the caller's realm: under jest it does not, and the evaluator would not take the test's
 * objects for maps ("Unsupported type: Object"), so callers `require` the file instead.
 */
import * as fs from 'fs';
import { createRequire } from 'module';
import * as path from 'path';
import * as vm from 'vm';

/** A CommonJS module's source wrapped as Node compiles it; build/code-cache.js wraps alike. */
export function wrapModule(source: string): string {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

let realm: boolean | undefined;

/** Whether this module runs in the realm `vm.runInThisContext` evaluates in. */
export function sameRealm(): boolean {
  return realm ??= vm.runInThisContext('Object') === Object;
}

/**
 * The exports of `file`, compiled with `cacheFile` when `nodeVersionFile` says it was built by
 * this Node version; undefined when the cache cannot be used here (the caller requires the file).
 * `accepted` is false when V8 rejected the cache and compiled the source as usual.
 */
export function loadWithCodeCache(file: string, cacheFile: string, nodeVersionFile: string): { readonly exports: unknown; readonly accepted: boolean } | undefined {
  if (!sameRealm() || !fs.existsSync(cacheFile) || !fs.existsSync(nodeVersionFile) || fs.readFileSync(nodeVersionFile, 'utf8').trim() !== process.version) {
    return undefined;
  }
  const script = new vm.Script(wrapModule(fs.readFileSync(file, 'utf8')), { filename: file, cachedData: fs.readFileSync(cacheFile) });
  const mod: { exports: unknown } = { exports: {} };
  (script.runInThisContext() as (e: unknown, r: NodeJS.Require, m: unknown, f: string, d: string) => void)(mod.exports, createRequire(file), mod, file, path.dirname(file));
  return { exports: mod.exports, accepted: !script.cachedDataRejected };
}
