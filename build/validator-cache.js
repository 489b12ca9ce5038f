#!/usr/bin/env node
/**
 * Writes V8's code cache for each precompiled validator (imports/validators/*.js) into
 * lib/validator-cache/, which src/analysis/precompiled.ts compiles them with: loading the three
 * validators of a small app dropped from about 15 ms to a third of that. The caches belong to the
 * Node version that built them (lib/validator-cache/node-version); another version's V8 rejects
 * them and the modules compile as usual. Run by `npm run build` after tsc (the modules require
 * lib/src/analysis/formats.js); a cache newer than its module is kept.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { codeCacheOf } = require('./code-cache');

const ROOT = path.join(__dirname, '..');

function writeValidatorCaches(root = ROOT) {
  const src = path.join(root, 'imports', 'validators');
  const out = path.join(root, 'lib', 'validator-cache');
  if (!fs.existsSync(src)) {
    return 0;
  }
  fs.mkdirSync(out, { recursive: true });
  const nodeFile = path.join(out, 'node-version');
  const sameNode = fs.existsSync(nodeFile) && fs.readFileSync(nodeFile, 'utf8').trim() === process.version;
  let written = 0;
  const names = fs.readdirSync(src).filter((f) => f.endsWith('.js')).sort();
  for (const name of names) {
    const file = path.join(src, name);
    const cache = path.join(out, `${name}.cache`);
    if (sameNode && fs.existsSync(cache) && fs.statSync(cache).mtimeMs >= fs.statSync(file).mtimeMs) {
      continue;
    }
    // One call compiles the validator's entry into the cache as well.
    const data = codeCacheOf(file, fs.readFileSync(file, 'utf8'), (validator) => validator.default({}));
    const tmp = `${cache}.tmp-${process.pid}`;
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, cache);
    written++;
  }
  for (const stale of fs.readdirSync(out).filter((f) => f.endsWith('.cache') && !names.includes(f.slice(0, -'.cache'.length)))) {
    fs.rmSync(path.join(out, stale));
  }
  fs.writeFileSync(nodeFile, `${process.version}\n`);
  return written;
}

module.exports = { writeValidatorCaches };

if (require.main === module) {
  writeValidatorCaches();
}
