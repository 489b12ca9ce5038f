/**
 * V8's code cache for a CommonJS file, as the build writes it for the CEL evaluator's bundle
 * (build/vendor-cel.js) and each precompiled validator (build/validator-cache.js), and as
 * src/analysis/code-cache.ts loads it: the same wrapper text on both sides, or V8 rejects the
 * cache. `warm(exports)` runs the code once first, so the functions every use calls are compiled
 * into the cache too.
 */
'use strict';
const path = require('path');
const vm = require('vm');
const { createRequire } = require('module');

/** A CommonJS module's source wrapped as Node compiles it (wrapModule in src/analysis/code-cache.ts). */
function wrapModule(source) {
  return `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
}

function codeCacheOf(file, source, warm) {
  const script = new vm.Script(wrapModule(source), { filename: file });
  const mod = { exports: {} };
  script.runInThisContext()(mod.exports, createRequire(file), mod, file, path.dirname(file));
  warm(mod.exports);
  return script.createCachedData();
}

module.exports = { wrapModule, codeCacheOf };
