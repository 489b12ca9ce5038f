/**
 * YAML for JSON-shaped data, byte for byte what the `yaml` package writes with the options
 * cdk8s's `Yaml.stringify` passes (YAML 1.1, `keepUndefined`, no line folding), without building
 * yaml's document model, which is most of what printing a large app costs.
 *
 * The emitter writes the block structure itself (maps, sequences, `{}`/`[]`, indentation) and
 * every scalar it can prove is written plain. Any other scalar is rendered once by the `yaml`
 * package itself and remembered, so quoting (`"yes"`, `"9090"`, `'{"a":1}'`, `"\x01"`) is always
 * yaml's. A document holding something else (a multi-line string, which yaml writes as a block
 * scalar whose form depends on its position; a very long key; anything that is not a plain
 * object, an array or a JSON scalar) is handed to the `yaml` package whole.
 *
 * Two scalars are deliberately written otherwise than yaml 2.9 writes them, because yaml's form
 * does not read back as the same data: a key `<<` (plain, a YAML 1.1 reader takes it as a merge
 * key) and a string holding a byte order mark (plain, readers drop the mark). Both are double
 * quoted; the emitter test pins every other scalar to yaml's bytes.
 */
import * as YAML from 'yaml';

/** The options of cdk8s's `Yaml.stringify`. */
export const CDK8S_YAML_OPTIONS = { keepUndefined: true, lineWidth: 0, version: '1.1' } as const;

/** Starts with a letter, `_` or `/`; then letters, digits, `_`, `.`, `/`, `-`: never a number, date, indicator or quote. */
const SAFE_PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;

/** Words YAML 1.1 reads as booleans or null in some spelling; they take yaml's own rendering. */
const RESERVED = new Set(['y', 'n', 'yes', 'no', 'true', 'false', 'on', 'off', 'null']);

/** yaml writes keys this long as explicit `? key` entries. */
const MAX_IMPLICIT_KEY = 1000;

class Fallback extends Error {}

const valueCache = new Map<string, string>();
const keyCache = new Map<string, string>();
const CACHE_LIMIT = 100_000;

function remember(cache: Map<string, string>, key: string, render: () => string): string {
  let out = cache.get(key);
  if (out === undefined) {
    out = render();
    if (cache.size >= CACHE_LIMIT) {
      cache.clear();
    }
    cache.set(key, out);
  }
  return out;
}

function plainSafe(s: string): boolean {
  return SAFE_PLAIN.test(s) && !RESERVED.has(s.toLowerCase());
}

/** yaml's rendering of a scalar as a map value, on one line (else the document falls back). */
function yamlValue(value: string | number): string {
  const key = typeof value === 'number' ? `n:${value}` : `s:${value}`;
  return remember(valueCache, key, () => {
    if (typeof value === 'string' && misread(value, false)) {
      return doubleQuoted(value);
    }
    const text = YAML.stringify({ k: value }, CDK8S_YAML_OPTIONS);
    const body = text.slice(3, -1); // `k: …\n`
    return text.startsWith('k: ') && !body.includes('\n') ? body : '\n';
  });
}

/** Double quoted, as yaml writes a string when asked for that style (it keeps `<<` plain even then). */
function doubleQuoted(value: string): string {
  const text = YAML.stringify(value, { ...CDK8S_YAML_OPTIONS, defaultStringType: 'QUOTE_DOUBLE', defaultKeyType: 'QUOTE_DOUBLE' }).slice(0, -1);
  return text.startsWith('"') ? text : JSON.stringify(value);
}

/** Strings yaml writes in a form that reads back differently (see the module comment). */
function misread(value: string, asKey: boolean): boolean {
  return value.includes('\ufeff') || (asKey && value === '<<');
}

/** A value of each kind, to ask yaml how it writes a key before it (it differs: `"---": 1` but `---:` before a block). */
const SAMPLE_VALUE: Record<ValueKind, unknown> = { 'scalar': null, 'map': { a: 1 }, 'seq': [1], 'empty-map': {}, 'empty-seq': [] };

/**
 * yaml's rendering of a key before a value of `kind`, at the start of a line (`top`) or indented.
 * Both matter: `---` is a document marker in the first column, and yaml quotes `"---": 1` but
 * writes `---:` before a nested block.
 */
function yamlKey(key: string, kind: ValueKind, top: boolean): string {
  return remember(keyCache, `${kind}|${top ? 't' : 'n'}|${key}`, () => {
    if (misread(key, true)) {
      return doubleQuoted(key);
    }
    const text = YAML.stringify(top ? { [key]: SAMPLE_VALUE[kind] } : { x: { [key]: SAMPLE_VALUE[kind] } }, CDK8S_YAML_OPTIONS);
    const lines = text.split('\n');
    const line = top ? lines[0] : lines[1];
    if (!top && (lines[0] !== 'x:' || !line.startsWith('  '))) {
      return '\n';
    }
    const entry = top ? line : line.slice(2);
    const expected = kind === 'map' || kind === 'seq' ? ':' : kind === 'scalar' ? ': null' : kind === 'empty-map' ? ': {}' : ': []';
    return entry.endsWith(expected) && entry.length > expected.length ? entry.slice(0, -expected.length) : '\n';
  });
}

function scalar(value: unknown): string {
  switch (typeof value) {
    case 'string': {
      if (plainSafe(value)) {
        return value;
      }
      const out = yamlValue(value);
      if (out === '\n') {
        throw new Fallback();
      }
      return out;
    }
    case 'number':
      if (Number.isSafeInteger(value) && !Object.is(value, -0)) {
        return String(value);
      }
      return yamlValue(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    case 'object':
      if (value === null) {
        return 'null';
      }
      throw new Fallback();
    default:
      throw new Fallback();
  }
}

function renderKey(key: string, kind: ValueKind, top: boolean): string {
  if (key.length > MAX_IMPLICIT_KEY) {
    throw new Fallback();
  }
  if (plainSafe(key)) {
    return key;
  }
  const out = yamlKey(key, kind, top);
  if (out === '\n') {
    throw new Fallback();
  }
  return out;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return false;
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

function spaces(n: number): string {
  return ' '.repeat(n);
}

type ValueKind = 'map' | 'seq' | 'empty-map' | 'empty-seq' | 'scalar';

/** A map or sequence that writes as a nested block (non-empty); empty ones are `{}` / `[]`. */
function kindOf(value: unknown): ValueKind {
  if (Array.isArray(value)) {
    return value.length > 0 ? 'seq' : 'empty-seq';
  }
  if (isPlainObject(value)) {
    for (const _ in value) {
      return 'map';
    }
    return 'empty-map';
  }
  if (value !== null && typeof value === 'object') {
    throw new Fallback(); // a class instance, a Map, a Date: yaml has its own rules
  }
  return 'scalar';
}

function inline(value: unknown, kind: ValueKind): string {
  return kind === 'empty-map' ? '{}' : kind === 'empty-seq' ? '[]' : scalar(value);
}

/** Writes a map whose entries sit at `indent`; the first line starts with `first` instead. */
function writeMap(out: string[], map: Record<string, unknown>, indent: number, first: string): void {
  let prefix = first;
  const pad = spaces(indent);
  for (const key of Object.keys(map)) {
    const value = map[key];
    const kind = kindOf(value);
    const k = renderKey(key, kind, prefix.length === 0);
    if (kind === 'map') {
      out.push(`${prefix}${k}:\n`);
      writeMap(out, value as Record<string, unknown>, indent + 2, spaces(indent + 2));
    } else if (kind === 'seq') {
      out.push(`${prefix}${k}:\n`);
      writeSeq(out, value as unknown[], indent + 2, spaces(indent + 2));
    } else {
      out.push(`${prefix}${k}: ${inline(value, kind)}\n`);
    }
    prefix = pad;
  }
}

/** Writes a sequence whose `- ` sits at `indent`; the first line starts with `first` instead. */
function writeSeq(out: string[], seq: readonly unknown[], indent: number, first: string): void {
  let prefix = first;
  const pad = spaces(indent);
  for (let i = 0; i < seq.length; i++) {
    const item = seq[i];
    const kind = kindOf(item);
    if (kind === 'map') {
      writeMap(out, item as Record<string, unknown>, indent + 2, `${prefix}- `);
    } else if (kind === 'seq') {
      writeSeq(out, item as unknown[], indent + 2, `${prefix}- `);
    } else {
      out.push(`${prefix}- ${inline(item, kind)}\n`);
    }
    prefix = pad;
  }
}

/** One YAML document, exactly as `YAML.stringify(doc, CDK8S_YAML_OPTIONS)` writes it. */
export function stringifyDocument(doc: unknown): string {
  try {
    const kind = kindOf(doc);
    const out: string[] = [];
    if (kind === 'map') {
      writeMap(out, doc as Record<string, unknown>, 0, '');
    } else if (kind === 'seq') {
      writeSeq(out, doc as unknown[], 0, '');
    } else {
      return YAML.stringify(doc, CDK8S_YAML_OPTIONS);
    }
    return out.join('');
  } catch (e) {
    if (e instanceof Fallback) {
      return YAML.stringify(doc, CDK8S_YAML_OPTIONS);
    }
    throw e;
  }
}

/** Several documents as cdk8s's `Yaml.stringify(...docs)` joins them. */
export function stringifyDocuments(docs: readonly unknown[]): string {
  return docs.map((d) => (d === undefined ? '\n' : stringifyDocument(d))).join('---\n');
}
