/**
 * The build `npm run synth` does (src/cli/fast-build.ts), on a throwaway project of one source.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { fastBuild } from '../src/cli/fast-build';

function project(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'fast-build-'));
  fs.mkdirSync(path.join(root, 'src'));
  fs.mkdirSync(path.join(root, 'lib', 'vendor', 'cel-js'), { recursive: true });
  // Present, so the evaluator is not vendored into this throwaway project.
  fs.writeFileSync(path.join(root, 'lib', 'vendor', 'cel-js', 'index.js'), '');
  fs.writeFileSync(path.join(root, 'package.json'), '{"name":"p","private":true}\n');
  fs.writeFileSync(path.join(root, 'tsconfig.base.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'commonjs', strict: true } }));
  fs.writeFileSync(path.join(root, 'tsconfig.imports.json'), '{}');
  fs.writeFileSync(path.join(root, 'tsconfig.json'), JSON.stringify({ extends: './tsconfig.base.json', compilerOptions: { rootDir: '.', outDir: 'lib', composite: true, tsBuildInfoFile: 'lib/.src.tsbuildinfo' }, include: ['src', 'imports'] }));
  fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  fs.mkdirSync(path.join(root, 'imports'));
  fs.writeFileSync(path.join(root, 'imports', 'k.ts'), 'export const k = 1;\n');
  return root;
}

describe('the synth build', () => {
  test('after a full build that had nothing to do (package.json edited, or a re-import of the same text), the next run is the fast path again', () => {
    const root = project();
    expect(fastBuild(root)).toBe(-1);
    expect(fs.readFileSync(path.join(root, 'lib', 'src', 'a.js'), 'utf8')).toContain('exports.a = 1');
    // An edit to package.json alone: tsc -b finds nothing to build and leaves its build info as it was.
    const ago = (s: number) => new Date(Date.now() - s * 1000);
    const at = (file: string, s: number) => fs.utimesSync(path.join(root, file), ago(s), ago(s));
    at('src/a.ts', 40);
    at('tsconfig.json', 40);
    at('tsconfig.base.json', 40);
    at('tsconfig.imports.json', 40);
    at('lib/src/a.js', 30);
    at('lib/src/a.d.ts', 30);
    at('imports/k.ts', 40);
    at('lib/imports/k.js', 30);
    at('lib/imports/k.d.ts', 30);
    at('lib/.src.tsbuildinfo', 20);
    at('package.json', 10);
    expect(fastBuild(root)).toBe(-1);
    expect(fastBuild(root)).toBe(0);
    // The same after a re-import that wrote the same text (tsc -b keeps the older output).
    at('lib/imports/k.js', 15);
    at('lib/imports/k.d.ts', 15);
    fs.writeFileSync(path.join(root, 'imports', 'k.ts'), 'export const k = 1;\n');
    expect(fastBuild(root)).toBe(-1);
    expect(fastBuild(root)).toBe(0);
    // A one-line change is transpiled on its own.
    const newer = new Date(Date.now() + 10000);
    fs.writeFileSync(path.join(root, 'src', 'a.ts'), 'export const a = 2;\n');
    fs.utimesSync(path.join(root, 'src', 'a.ts'), newer, newer);
    expect(fastBuild(root)).toBe(1);
    expect(fs.readFileSync(path.join(root, 'lib', 'src', 'a.js'), 'utf8')).toContain('exports.a = 2');
    fs.rmSync(root, { recursive: true });
  }, 60_000);
});
