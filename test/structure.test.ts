/**
 * The shape of the source tree: no import cycles (type-only imports included), one rename table
 * that covers every field the L1 generator renamed, and a curated public API.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { L1_FIELD_RENAMES } from '../src/l1';
import { PROJECT_ROOT } from './shared';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports of a file, `import type` included, resolved to files. */
function importsOf(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.[^']+)'/gms)) {
    const base = path.resolve(path.dirname(file), m[1]);
    const target = [`${base}.ts`, path.join(base, 'index.ts')].find((f) => fs.existsSync(f));
    if (target) {
      out.push(target);
    }
  }
  return out;
}

/** Strongly connected components of more than one file (or a file importing itself). */
function cycles(files: string[], root: string): string[][] {
  const graph = new Map(files.map((f) => [f, importsOf(f).filter((t) => t.startsWith(root))]));
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(path.relative(root, w));
      } while (w !== v);
      if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) {
        found.push(scc.sort());
      }
    }
  };
  for (const f of files) {
    if (!index.has(f)) {
      visit(f);
    }
  }
  return found;
}

describe('source structure', () => {
  test('no import cycles anywhere in src/, type-only imports included', () => {
    const src = path.join(PROJECT_ROOT, 'src');
    expect(cycles(sources(src), src)).toEqual([]);
  });

  test('the cycle detector finds a cycle when there is one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cycle-probe-'));
    try {
      fs.writeFileSync(path.join(dir, 'a.ts'), "import type { B } from './b';\nexport type A = B;\n");
      fs.writeFileSync(path.join(dir, 'b.ts'), "import { A } from './a';\nexport type B = A | 1;\n");
      fs.writeFileSync(path.join(dir, 'c.ts'), "import { A } from './a';\nexport type C = A;\n");
      expect(cycles(sources(dir), dir)).toEqual([['a.ts', 'b.ts']]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the L1 rename table covers exactly the fields whose generated name differs from the CRD name', () => {
    const renamed = new Map<string, string>();
    for (const file of fs.readdirSync(path.join(PROJECT_ROOT, 'imports')).filter((f) => f.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(PROJECT_ROOT, 'imports', file), 'utf8');
      for (const m of text.matchAll(/^\s+'([^']+)': (?:toJson_\w+\()?obj\.(\w+)/gm)) {
        if (m[1] !== m[2]) {
          renamed.set(m[2], m[1]);
        }
      }
    }
    // The deprecated snake_case twins are not renamed back: l1.ts writes Istio's documented
    // names for them (mirrorPercentage, jwksUri) instead.
    const twins = new Set(['mirrorPercent', 'jwksUri']);
    expect(Object.fromEntries([...renamed].filter(([ts]) => !twins.has(ts)))).toEqual(L1_FIELD_RENAMES);
    expect([...renamed.keys()].filter((k) => twins.has(k)).sort()).toEqual([...twins].sort());
  });

  test('the public index lists its exports by name and keeps helpers out', () => {
    const index = fs.readFileSync(path.join(PROJECT_ROOT, 'src', 'index.ts'), 'utf8');
    expect(index).not.toMatch(/^export \* from/m);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const api = Object.keys(require('../src') as object);
    for (const helper of ['resolvePolicyScope', 'renderSelector', 'propError', 'hostProblem', 'renderApp', 'writeFiles', 'resolveNamespace', 'manifestFiles']) {
      expect(api).not.toContain(helper);
    }
    // Names users import beside cdk8s and cdk8s-plus have their own spelling; the old ones are deprecated aliases.
    expect(api).toEqual(expect.arrayContaining(['IstioDuration', 'MeshWorkload', 'IstioResource']));
  });
});
