/**
 * The YAML emitter writes exactly what cdk8s's `Yaml.stringify` (the `yaml` package) writes, and
 * what it writes reads back as the same data, on every bundled example and on a corpus of
 * scalars YAML resolvers misread.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Yaml } from 'cdk8s';
import * as YAML from 'yaml';
import { buildValuesApp, loadValues } from '../src/cli/values-app';
import { exampleFiles } from '../src/main';
import { stringifyDocument, stringifyDocuments } from '../src/yaml-emitter';
import { PROJECT_ROOT } from './shared';

const CONTROL = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).concat(['\x7f', '\u0085', '\u2028', '\u2029', '\ufeff']);

/** Scalars that a YAML 1.1 or 1.2 resolver reads as something else, or that need quoting. */
const HOSTILE: string[] = [
  'yes', 'Yes', 'YES', 'no', 'No', 'NO', 'on', 'On', 'ON', 'off', 'Off', 'OFF', 'y', 'Y', 'n', 'N', 'yEs', 'true', 'True', 'TRUE', 'false', 'False',
  '~', 'null', 'Null', 'NULL', '', ' ', '  ', '1e3', '1E3', '-1e3', '1.5', '.5', '5.', '0x1F', '0X1f', '0o17', '017', '0b101', '0', '-0', '+1', '1_000',
  '190:20:30', '.inf', '-.inf', '+.inf', '.Inf', '.NaN', '-.nan', '.nan', '2026-12-01', '2026-12-01T10:00:00Z', '2026-12-01 10:00:00', '12:30', '12:30:45',
  ' lead', 'trail ', ' both ', 'a: b', 'a:b', 'a:', ':a', 'a #b', 'a#b', '#a', '- a', '-a', '-', '--', '---', '...', '? a', '?a', ',a', '[a]', '{a}', ']', '}',
  '*a', '&a', '!t', '!!str', '%a', '@a', '`a`', '|', '>', '|-', '"quoted"', "'single'", 'it\'s', 'say "hi"', 'both \' "', '\\', 'a\\b',
  'a\tb', '\ta', 'tab\t', 'line1\nline2', 'line1\nline2\n', 'trailing\n\n', '\nlead', '  indented\nnext', 'crlf\r\nx', 'é', 'naïve', '日本語', '😀', 'emoji 😀 ok',
  '9090', '080', '1.0', 'true ', '<<', '=', 'a=b', '/api/', '/', '*', '*.example.com', './*', 'istio-system/*', 'cluster.local/ns/a/sa/b',
  'networking.istio.io/v1', '{"gatewayTopology":{"numTrustedProxies":1}}', 'x'.repeat(2000), `${'k'.repeat(1100)}`,
  ...CONTROL.map((c) => `a${c}b`), ...CONTROL,
];

/**
 * Where the emitter deliberately differs from yaml 2.9 (see src/yaml-emitter.ts): yaml's plain
 * form of these does not read back as the same data.
 */
function misreadByYaml(doc: unknown): boolean {
  const text = JSON.stringify(doc);
  return text.includes('\ufeff') || text.includes('"<<":');
}

function cdk8sYaml(doc: unknown): string {
  return Yaml.stringify(doc);
}

describe('the YAML emitter is byte-identical with cdk8s\'s Yaml.stringify', () => {
  test.each(exampleFiles().map((e) => [e.name, e.file]))('bundled example %s', (name, file) => {
    const manifests = buildValuesApp(name, loadValues([path.relative(process.cwd(), file)])).result.render.objects.map((o) => o.manifest);
    expect(manifests.length).toBeGreaterThan(2);
    expect(stringifyDocuments(manifests)).toBe(Yaml.stringify(...manifests));
  });

  test('every hostile scalar as a value, a key, a list item and deep inside, one by one', () => {
    const mismatches: string[] = [];
    for (const s of HOSTILE) {
      for (const doc of [{ v: s }, { [s]: 'v' }, { l: [s, [s], { [s]: [s] }] }, { a: { b: [{ c: s, [s]: { d: s } }] } }, [s], [[s, { k: s }]]]) {
        const ours = stringifyDocument(doc);
        if (ours !== cdk8sYaml(doc) && !misreadByYaml(doc)) {
          mismatches.push(JSON.stringify(doc).slice(0, 80));
        }
        const back = YAML.parse(ours, { version: '1.1' }) as unknown;
        if (JSON.stringify(back) !== JSON.stringify(doc)) {
          mismatches.push(`read back differently: ${JSON.stringify(doc).slice(0, 80)}`);
        }
      }
    }
    expect(mismatches).toEqual([]);
  });

  test('the two scalars yaml writes in a form that reads back differently are double quoted', () => {
    expect(cdk8sYaml({ '<<': 'v' })).toBe('<<: v\n'); // a merge key to a YAML 1.1 reader
    expect(stringifyDocument({ '<<': 'v', v: '<<' })).toBe('"<<": v\nv: <<\n');
    expect(YAML.parse(stringifyDocument({ '<<': 'v' }), { version: '1.1' })).toEqual({ '<<': 'v' });
    expect(stringifyDocument({ v: 'a\ufeffb' })).toBe('v: "a\ufeffb"\n');
    expect(YAML.parse(stringifyDocument({ '\ufeff': '\ufeff' }), { version: '1.1' })).toEqual({ '\ufeff': '\ufeff' });
  });

  test('numbers, booleans, null, undefined and empty collections', () => {
    const doc = {
      ints: [0, 1, -1, 2 ** 53 - 1, -(2 ** 53) + 1, 2 ** 53, 1e21, -0], floats: [0.1, -2.5, 1e-7, 123456789.123], special: [NaN, Infinity, -Infinity],
      flags: [true, false], nothing: null, missing: undefined, holes: [undefined, null], empty: {}, none: [], nested: [{}, [], [[]], [{}]],
      k: { '': 1, ' ': 2, '0': 3, '1.5': 4 },
    };
    expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
  });

  test('documents that are not JSON-shaped are left to the yaml package whole', () => {
    class Thing {
      public readonly a = 1;
    }
    for (const doc of [{ when: new Date(0) }, { t: new Thing() }, { m: new Map([['a', 1]]) }, 'scalar', 7, null, {}, []]) {
      expect(stringifyDocument(doc)).toBe(cdk8sYaml(doc));
    }
    expect(stringifyDocuments([{ a: 1 }, undefined, { b: 2 }])).toBe(Yaml.stringify({ a: 1 }, undefined, { b: 2 }));
  });

  test('generated documents of random shape and content', () => {
    // A fixed-seed generator: the same documents on every run.
    let seed = 42;
    const rand = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)];
    const gen = (depth: number): unknown => {
      const r = rand();
      if (depth > 4 || r < 0.4) {
        return pick<unknown>([pick(HOSTILE.filter((h) => !h.includes('\ufeff'))), Math.floor(rand() * 1e6), rand(), true, false, null, 'plain-name', 'host.example.com']);
      }
      if (r < 0.7) {
        return Object.fromEntries(Array.from({ length: Math.floor(rand() * 4) }, () => [pick([...HOSTILE.slice(0, 60).filter((h) => h !== '<<'), 'name', 'spec', 'x-y']), gen(depth + 1)]));
      }
      return Array.from({ length: Math.floor(rand() * 4) }, () => gen(depth + 1));
    };
    const docs = Array.from({ length: 400 }, () => ({ root: gen(0) }));
    expect(stringifyDocuments(docs)).toBe(Yaml.stringify(...docs));
  });

  test('the package\'s yaml is the version cdk8s bundles', () => {
    const version = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string }).version;
    const cdk8sYamlDir = path.dirname(require.resolve('yaml/package.json', { paths: [path.dirname(require.resolve('cdk8s'))] }));
    expect(version(path.join(PROJECT_ROOT, 'node_modules', 'yaml'))).toBe(version(cdk8sYamlDir));
  });
});
