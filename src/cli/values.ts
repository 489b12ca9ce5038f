/**
 * Values files, the way Helm users know them: several `-f` files and `--set` overrides merged in
 * order, later ones winning, then checked against a JSON Schema. Every error names the file, line
 * and column of the value at fault, and a misspelled key gets a suggestion.
 */
import * as fs from 'fs';
import * as crypto from 'crypto';
import type Ajv from 'ajv';
import type { ErrorObject, Options, ValidateFunction } from 'ajv';
import * as YAML from 'yaml';
import { suggest } from '../validation/suggest';

export type Values = Record<string, unknown>;

/** Where a value came from. */
export interface SourceLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** The largest values file read: far beyond any real mesh description, small enough to parse at once. */
export const MAX_VALUES_BYTES = 10 * 1024 * 1024;
const MAX_ALIASES = 100;

/**
 * A values file's text. Only regular files up to MAX_VALUES_BYTES are read: a directory, a pipe
 * or a device (`-f /dev/zero`) would block or grow without bound.
 */
export function readValuesFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ValuesError([`${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message}`]);
  }
  if (!stat.isFile()) {
    throw new ValuesError([`${file}: not a regular file (${stat.isDirectory() ? 'a directory' : stat.isFIFO() ? 'a pipe' : 'a device or socket'}); give a values file`]);
  }
  if (stat.size > MAX_VALUES_BYTES) {
    throw new ValuesError([`${file}: ${(stat.size / 1024 / 1024).toFixed(1)} MiB is more than the ${MAX_VALUES_BYTES / 1024 / 1024} MiB a values file may have; split it or trim it`]);
  }
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ValuesError([`${file}: ${(e as Error).message}`]);
  }
}

export class ValuesError extends Error {
  public constructor(public readonly problems: readonly string[]) {
    super(problems.join('\n'));
    this.name = 'ValuesError';
  }
}

/** Values merged from all sources, with the location each path was last set at. */
export class MergedValues {
  public values: Values = {};
  private readonly locations = new Map<string, SourceLocation>();

  /** Deep-merges a YAML file's content; objects merge, anything else replaces. */
  public addFile(file: string, text: string = readValuesFile(file)): this {
    const lineCounter = new YAML.LineCounter();
    const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new ValuesError(doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return `${file}:${pos.line}:${pos.col}: ${e.message.split('\n')[0]}`;
      }));
    }
    let content: unknown;
    try {
      // A values file has no use for more than a few aliases; thousands mean a billion-laughs file.
      content = doc.toJS({ maxAliasCount: MAX_ALIASES });
    } catch (e) {
      throw new ValuesError([`${file}:1:1: ${(e as Error).message.split('\n')[0]}; a values file may use at most ${MAX_ALIASES} aliases (*name)`]);
    }
    if (content === null || content === undefined) {
      return this;
    }
    if (!isPlainObject(content)) {
      throw new ValuesError([`${file}:1:1: a values file must be a mapping of keys to values`]);
    }
    const locate = (node: unknown): SourceLocation => {
      const range = (node as { range?: [number, number, number] } | null)?.range;
      const pos = range ? lineCounter.linePos(range[0]) : { line: 1, col: 1 };
      return { file, line: pos.line, column: pos.col };
    };
    this.recordLocations(doc.contents, [], locate);
    this.values = mergeValues(this.values, content);
    return this;
  }

  /**
   * Applies a `--set` argument the way Helm reads it: comma-separated `key.path=value` pairs,
   * `{a,b}` lists, `a[0].b` indexes, backslash escapes (`\,`, `\.`, `\=`), and Helm's typing
   * (`true`/`false`, `null`, integers; everything else a string). `asString` is `--set-string`.
   */
  /** @param origin how the user wrote it, for messages @default `--set <expression>` */
  public addSet(expression: string, asString = false, origin?: string): this {
    for (const { segments, value, text } of parseHelmSet(expression, asString)) {
      // An index past the end would leave holes in the list: say so instead of reporting each hole.
      let current: unknown = this.values;
      segments.forEach((seg, i) => {
        if (typeof seg === 'number') {
          const length = Array.isArray(current) ? current.length : 0;
          if (seg > length) {
            const list = dottedKeyPath(pointerOf(segments.slice(0, i)));
            throw new ValuesError([`--set ${text}: ${list} has ${length} entr${length === 1 ? 'y' : 'ies'}; index ${seg} is past its end (use ${list}[${length}] to add one)`]);
          }
        }
        current = current && typeof current === 'object' ? (current as Record<string | number, unknown>)[seg] : undefined;
      });
      let patch: unknown = value;
      for (let i = segments.length - 1; i >= 0; i--) {
        const seg = segments[i];
        patch = typeof seg === 'number' ? arrayWith(seg, patch) : { [seg]: patch };
      }
      // A command-line override has no line to point at: line 0 prints as its text alone.
      const where: SourceLocation = { file: origin ?? `--set ${text}`, line: 0, column: 0 };
      for (let i = 1; i <= segments.length; i++) {
        this.locations.set(pointerOf(segments.slice(0, i)), where);
      }
      this.values = mergeValues(this.values, patch as Values, true);
    }
    return this;
  }

  /** The location of the value at a JSON pointer, or of its nearest ancestor that has one. */
  public locationOf(pointer: string): SourceLocation | undefined {
    let p = pointer;
    for (;;) {
      const loc = this.locations.get(p);
      if (loc) {
        return loc;
      }
      if (p === '') {
        return undefined;
      }
      p = p.slice(0, p.lastIndexOf('/'));
    }
  }

  private recordLocations(node: unknown, path: Array<string | number>, locate: (n: unknown) => SourceLocation): void {
    if (YAML.isMap(node)) {
      for (const pair of node.items) {
        const key = YAML.isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const childPath = [...path, key];
        // Point at the key: that is what a user renames or removes.
        this.locations.set(pointerOf(childPath), locate(pair.key));
        this.recordLocations(pair.value, childPath, locate);
      }
    } else if (YAML.isSeq(node)) {
      node.items.forEach((item, i) => {
        const childPath = [...path, i];
        this.locations.set(pointerOf(childPath), locate(item));
        this.recordLocations(item, childPath, locate);
      });
    }
  }
}

function isPlainObject(v: unknown): v is Values {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function arrayWith(index: number, value: unknown): unknown[] {
  const arr: unknown[] = [];
  arr[index] = value;
  return arr;
}

/**
 * Helm's merge: maps merge key by key, everything else (lists included) is replaced. `--set`
 * with an index (`a[1]=x`) patches that element only.
 */
export function mergeValues(base: Values, overlay: Values, sparseArrays = false): Values {
  const out: Values = { ...base };
  for (const [k, v] of Object.entries(overlay)) {
    const existing = out[k];
    if (v === null) {
      // As in Helm, null removes what an earlier file set.
      delete out[k];
    } else if (isPlainObject(existing) && isPlainObject(v)) {
      out[k] = mergeValues(existing, v, sparseArrays);
    } else if (sparseArrays && Array.isArray(v) && Array.isArray(existing)) {
      const merged = [...existing];
      v.forEach((item, i) => {
        merged[i] = isPlainObject(item) && isPlainObject(merged[i]) ? mergeValues(merged[i] as Values, item, true) : item;
      });
      out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  return out;
}

/** Helm's typing of `--set` values: booleans, null and integers that do not start with 0; strings otherwise. */
function helmTyped(text: string): unknown {
  const lower = text.toLowerCase();
  if (lower === 'true' || lower === 'false') {
    return lower === 'true';
  }
  if (lower === 'null') {
    return null;
  }
  if (text === '0') {
    return 0;
  }
  if (/^-?[1-9]\d*$/.test(text) && Number.isSafeInteger(Number(text))) {
    return Number(text);
  }
  return text;
}

/**
 * `a.b[0].c=1,d={x,y}` → one entry per pair, as Helm's strvals parser reads it: a key ends at
 * `=`, `.`, `[` or `,`; a value ends at an unescaped `,`; `{…}` is a list; `\` makes the next
 * character literal in keys and values.
 */
export function parseHelmSet(expression: string, asString = false): Array<{ segments: Array<string | number>; value: unknown; text: string }> {
  const out: Array<{ segments: Array<string | number>; value: unknown; text: string }> = [];
  const fail = (why: string): never => {
    throw new ValuesError([`--set ${expression}: ${why}`]);
  };
  const typed = (t: string) => (asString ? t : helmTyped(t));
  let i = 0;
  while (i < expression.length) {
    const start = i;
    const segments: Array<string | number> = [];
    let key = '';
    let sawEquals = false;
    while (i < expression.length) {
      const c = expression[i];
      if (c === '\\' && i + 1 < expression.length) {
        key += expression[i + 1];
        i += 2;
      } else if (c === '.') {
        if (key) {
          segments.push(key);
        }
        key = '';
        i++;
      } else if (c === '[') {
        if (key) {
          segments.push(key);
        }
        key = '';
        const close = expression.indexOf(']', i);
        const index = close < 0 ? NaN : Number(expression.slice(i + 1, close));
        if (!Number.isInteger(index) || index < 0 || index > 65536) {
          fail('bad list index (use a[0], a[1], …)');
        }
        segments.push(index);
        i = close + 1;
      } else if (c === '=') {
        sawEquals = true;
        i++;
        break;
      } else if (c === ',') {
        break;
      } else {
        key += c;
        i++;
      }
    }
    if (key) {
      segments.push(key);
    }
    if (segments.length === 0) {
      fail('empty key');
    }
    if (!sawEquals) {
      fail(`key "${dottedKeyPath(pointerOf(segments))}" has no value (write key=value; a comma separates pairs, \\, writes a comma)`);
    }
    let value: unknown;
    if (expression[i] === '{') {
      const items: string[] = [];
      let item = '';
      i++;
      let closed = false;
      while (i < expression.length) {
        const c = expression[i];
        if (c === '\\' && i + 1 < expression.length) {
          item += expression[i + 1];
          i += 2;
        } else if (c === ',') {
          items.push(item);
          item = '';
          i++;
        } else if (c === '}') {
          items.push(item);
          closed = true;
          i++;
          break;
        } else {
          item += c;
          i++;
        }
      }
      if (!closed) {
        fail('a list must end with }');
      }
      value = items.map(typed);
    } else {
      let text = '';
      while (i < expression.length && expression[i] !== ',') {
        if (expression[i] === '\\' && i + 1 < expression.length) {
          text += expression[i + 1];
          i += 2;
        } else {
          text += expression[i];
          i++;
        }
      }
      value = text === '' ? '' : typed(text);
    }
    if (i < expression.length && expression[i] !== ',') {
      fail(`unexpected "${expression[i]}" after a value; separate pairs with a comma`);
    }
    out.push({ segments, value, text: expression.slice(start, i) });
    if (expression[i] === ',') {
      i++;
      if (i === expression.length) {
        fail('cannot end with ,');
      }
    }
  }
  if (out.length === 0) {
    fail('empty key');
  }
  return out;
}

function pointerOf(path: ReadonlyArray<string | number>): string {
  return path.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

/** `/a/0/b` → `a[0].b`, the notation --set uses. */
function dottedKeyPath(pointer: string): string {
  return pointer.slice(1).split('/').map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
}

interface SchemaNode {
  readonly properties?: Record<string, unknown>;
}

/** verbose: errors carry the schema node they failed on, for "did you mean" suggestions. */
export const VALUES_AJV_OPTIONS: Options = { allErrors: true, strict: false, verbose: true };

/** The digest a precompiled values validator must carry to stand for `schema`. */
export function valuesSchemaDigest(schema: Record<string, unknown>): string {
  return crypto.createHash('sha256').update(JSON.stringify(schema)).digest('hex');
}

/** The value at a JSON pointer of the values, if any. */
function valueAt(values: unknown, pointer: string): unknown {
  let cur = values;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    cur = cur !== null && typeof cur === 'object' ? (cur as Record<string, unknown>)[key] : undefined;
  }
  return cur;
}

export class ValuesSchema {
  private readonly validator: ValidateFunction;

  /**
   * @param precompiled a standalone validator of exactly this schema (schemas/values.validator.js);
   * without it, or for another schema, ajv compiles one, which loads its compiler (~100 ms)
   */
  public constructor(schema: Record<string, unknown>, precompiled?: { readonly default: ValidateFunction; readonly schemaSha256: string }) {
    if (precompiled && precompiled.schemaSha256 === valuesSchemaDigest(schema)) {
      this.validator = precompiled.default;
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
      this.validator = new AjvClass(VALUES_AJV_OPTIONS).compile(schema);
    }
  }

  /** Problems with `merged`, each starting with `file:line:column:`; empty when valid. */
  public problems(merged: MergedValues): string[] {
    if (this.validator(merged.values)) {
      return [];
    }
    const seen = new Set<string>();
    const out: string[] = [];
    for (const e of this.relevantErrors(this.validator.errors ?? [])) {
      const message = this.describe(e, merged.values);
      const pointer = e.keyword === 'additionalProperties'
        ? `${e.instancePath}/${String((e.params as { additionalProperty: string }).additionalProperty)}`
        : e.instancePath;
      const loc = merged.locationOf(pointer);
      const where = loc ? (loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}` : loc.file) : '(values)';
      const line = `${where}: ${message}`;
      if (!seen.has(line)) {
        seen.add(line);
        out.push(line);
      }
    }
    return out;
  }

  /**
   * `anyOf`/`oneOf` failures make ajv report every branch; keep the errors of the branch that got
   * furthest (deepest instance path), which is the one the user meant.
   */
  private relevantErrors(errors: ErrorObject[]): ErrorObject[] {
    const nonUnion = errors.filter((e) => e.keyword !== 'anyOf' && e.keyword !== 'oneOf');
    const byPath = new Map<string, ErrorObject[]>();
    for (const e of nonUnion) {
      const list = byPath.get(e.instancePath) ?? [];
      list.push(e);
      byPath.set(e.instancePath, list);
    }
    const out: ErrorObject[] = [];
    for (const [instancePath, list] of byPath) {
      // A deeper error exists under this path: the shallow ones are union noise.
      const deeper = nonUnion.some((e) => e.instancePath.startsWith(`${instancePath}/`));
      const typeOnly = list.every((e) => e.keyword === 'type' || e.keyword === 'const' || e.keyword === 'enum');
      if (deeper && typeOnly) {
        continue;
      }
      // `number | { min, max }` fails twice on a string; say it once: "expected number or object".
      const types = list.filter((e) => e.keyword === 'type');
      if (types.length > 1) {
        const merged = { ...types[0], params: { type: [...new Set(types.map((e) => String((e.params as { type: string }).type)))].join(' or ') } };
        out.push(merged, ...list.filter((e) => e.keyword !== 'type'));
        continue;
      }
      // A misspelt required key is one mistake: "unknown key hots (did you mean hosts?)" says
      // it, and "missing required key hosts" beside it would say it again.
      const suggested = new Set(list.filter((e) => e.keyword === 'additionalProperties').map((e) => suggest(
        String((e.params as { additionalProperty: string }).additionalProperty),
        Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {}),
      )).filter((h): h is string => h !== undefined));
      out.push(...list.filter((e) => !(e.keyword === 'required' && suggested.has(String((e.params as { missingProperty: string }).missingProperty)))));
    }
    return out.length > 0 ? out : errors;
  }

  private describe(e: ErrorObject, values: unknown): string {
    const at = e.instancePath ? dottedKeyPath(e.instancePath) : '(top level)';
    switch (e.keyword) {
      case 'additionalProperties': {
        const key = String((e.params as { additionalProperty: string }).additionalProperty);
        const allowed = Object.keys((e.parentSchema as SchemaNode | undefined)?.properties ?? {});
        const hint = suggest(key, allowed);
        const prefix = e.instancePath ? `${at}.` : '';
        return `unknown key "${prefix}${key}"${hint ? ` (did you mean "${hint}"?)` : allowed.length ? ` (allowed: ${allowed.join(', ')})` : ''}`;
      }
      case 'required':
        return `${at}: missing required key "${String((e.params as { missingProperty: string }).missingProperty)}"`;
      case 'type': {
        const expected = String((e.params as { type: string }).type);
        const value = valueAt(values, e.instancePath);
        // YAML reads 1.30 as the number 1.3 and true as a boolean: a string key wants quotes.
        return `${at}: expected ${expected}${expected === 'string' && (typeof value === 'number' || typeof value === 'boolean') ? ` (YAML read it as the ${typeof value} ${String(value)}: put it in quotes as you wrote it)` : ''}`;
      }
      case 'enum':
        return `${at}: must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues).map((v) => JSON.stringify(v)).join(', ')}`;
      default:
        return `${at}: ${e.message ?? e.keyword}`;
    }
  }
}
