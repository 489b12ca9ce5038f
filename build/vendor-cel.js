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
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(staged, out);
  return { version: pkg.version, out };
}

module.exports = { vendorCel, VENDOR_DIR: OUT };

if (require.main === module) {
  const { version, out, unchanged } = vendorCel();
  if (!unchanged) {
    process.stderr.write(`vendored @marcbachmann/cel-js ${version} as CommonJS into ${path.relative(process.cwd(), out)}\n`);
  }
}
