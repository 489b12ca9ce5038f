#!/usr/bin/env node
/**
 * Writes a CommonJS copy of the CEL evaluator (@marcbachmann/cel-js, MIT, ES modules only) to
 * lib/vendor/cel-js/, which the package ships and loads instead of the original. A user's jest
 * (ts-jest, babel-jest) or plain `require` then loads cdk8s-istio unchanged: neither transforms
 * ES modules under node_modules by default.
 *
 * The files are the library's own, transpiled module syntax only (TypeScript's transpileModule),
 * with its LICENSE beside them. Run by `npm run build`, so `prepare` (npm ci, git installs) and
 * `prepack` produce it; it is never committed.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const { codeCacheOf } = require('./code-cache');

const ROOT = path.join(__dirname, '..');
const OUT = path.join(ROOT, 'lib', 'vendor', 'cel-js');

function vendorCel(root = ROOT, out = OUT) {
  // The package exports no ./package.json; find its folder the way Node looks up node_modules.
  const pkgDir = require.resolve.paths('@marcbachmann/cel-js')
    .concat([path.join(root, 'node_modules')])
    .map((dir) => path.join(dir, '@marcbachmann', 'cel-js'))
    .find((dir) => fs.existsSync(path.join(dir, 'package.json')));
  if (!pkgDir) {
    throw new Error('@marcbachmann/cel-js is not installed: run npm ci');
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  // Up to date already: leave it alone (tests may be loading it while `npm pack` rebuilds).
  const current = path.join(out, 'package.json');
  if (fs.existsSync(current) && fs.existsSync(path.join(out, 'index.js'))
    && JSON.parse(fs.readFileSync(current, 'utf8')).version === pkg.version) {
    if (!fs.existsSync(path.join(out, 'bundle.js')) || readCacheNode(out) !== process.version) {
      writeBundle(out);
    }
    return { version: pkg.version, out, unchanged: true };
  }
  const ts = require(require.resolve('typescript', { paths: [root] }));
  const libDir = path.join(pkgDir, 'lib');
  const staged = `${out}.tmp-${process.pid}`;
  fs.rmSync(staged, { recursive: true, force: true });
  fs.mkdirSync(staged, { recursive: true });
  for (const name of fs.readdirSync(libDir).sort()) {
    const file = path.join(libDir, name);
    if (name.endsWith('.js')) {
      const { outputText } = ts.transpileModule(fs.readFileSync(file, 'utf8'), {
        fileName: name,
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: false, removeComments: false },
      });
      fs.writeFileSync(path.join(staged, name), outputText);
    } else if (name.endsWith('.d.ts')) {
      fs.copyFileSync(file, path.join(staged, name));
    }
  }
  fs.copyFileSync(path.join(pkgDir, 'LICENSE'), path.join(staged, 'LICENSE'));
  fs.writeFileSync(path.join(staged, 'package.json'), `${JSON.stringify({
    name: pkg.name,
    version: pkg.version,
    license: pkg.license,
    description: `CommonJS build of ${pkg.name} ${pkg.version}, made by cdk8s-istio's build from the published package`,
    type: 'commonjs',
    main: 'index.js',
  }, null, 2)}\n`);
  writeBundle(staged);
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(staged, out);
  return { version: pkg.version, out };
}

/**
 * The same files as one CommonJS module (bundle.js), and V8's code cache for it (bundle.cache):
 * compiling the evaluator's 190 kB was 12-16 ms of every validating process, and with the cache
 * 5-6 ms. The cache belongs to the Node version that built it (bundle.cache.node); another
 * version's V8 rejects it and compiles as usual.
 */
function writeBundle(dir) {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.js') && f !== 'bundle.js').sort();
  let src = '// The files of this folder as one module, written by cdk8s-istio\'s build (build/vendor-cel.js).\n'
    + 'module.exports = (function () {\n'
    + '  const defs = {};\n  const made = {};\n'
    + '  function load(name) {\n'
    + '    const file = name.replace(/^\\.\\//, \'\');\n'
    + '    if (!(file in defs)) { return require(name); }\n'
    + '    if (!made[file]) { const m = { exports: {} }; made[file] = m; defs[file](m.exports, load, m); }\n'
    + '    return made[file].exports;\n'
    + '  }\n';
  for (const f of files) {
    src += `  defs[${JSON.stringify(f)}] = function (exports, require, module) {\n${fs.readFileSync(path.join(dir, f), 'utf8')}\n  };\n`;
  }
  src += '  return load(\'./index.js\');\n})();\n';
  fs.writeFileSync(path.join(dir, 'bundle.js'), src);
  const cache = codeCacheOf(path.join(dir, 'bundle.js'), src, (cel) => {
    // One rule, so the functions every evaluation uses are compiled into the cache too.
    const env = new cel.Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true }).registerVariable('self', 'dyn');
    const program = env.parse("self.all(k, !k.contains('*')) && size(self) <= 64");
    program.check();
    program({ self: { a: 'b' } });
  });
  fs.writeFileSync(path.join(dir, 'bundle.cache'), cache);
  fs.writeFileSync(path.join(dir, 'bundle.cache.node'), `${process.version}\n`);
}

function readCacheNode(dir) {
  const file = path.join(dir, 'bundle.cache.node');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').trim() : undefined;
}

module.exports = { vendorCel, VENDOR_DIR: OUT };

if (require.main === module) {
  const { version, out, unchanged } = vendorCel();
  if (!unchanged) {
    process.stderr.write(`vendored @marcbachmann/cel-js ${version} as CommonJS into ${path.relative(process.cwd(), out)}\n`);
  }
}
