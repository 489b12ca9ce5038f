/**
 * The CEL environment CRD validation rules (`x-kubernetes-validations`) run in.
 *
 * `@marcbachmann/cel-js` implements the CEL standard library; the Kubernetes API server adds
 * libraries of its own. We add only the functions rules in Istio's CRDs call and the evaluator
 * lacks: the URL library's `url()`, `isURL()` and `URL.getScheme()`. The test suite compiles every
 * rule of the committed schema artefact, so a new Istio release whose rules need more fails there.
 */
import { isIP } from 'net';
import { CelEnvironment, celModule, CelProgram } from './cel-runtime';
import { CelRule, StructuralSchema } from './crd-artefact';

/** A URL as Kubernetes' CEL library sees it: Go's `net/url.URL`, of which rules only read the scheme. */
export class KubeUrl {
  public constructor(
    /** Lower-cased, as Go's parser stores it; empty when the URL has none. */
    public readonly scheme: string,
    public readonly host: string,
    public readonly path: string,
  ) {}
}

/**
 * Go's `url.ParseRequestURI` (what Kubernetes' `url()` and `isURL()` call), reduced to the checks
 * that decide success: an absolute URI or an absolute path, a numeric port, legal host characters
 * and well-formed percent escapes. Returns the parsed URL or why parsing fails.
 */
export function parseRequestUri(raw: string): KubeUrl | string {
  if (/[\x00-\x1f\x7f]/.test(raw)) {
    return 'invalid control character in URL';
  }
  if (raw === '') {
    return 'empty url';
  }
  if (raw === '*') {
    return new KubeUrl('', '', '*');
  }
  let scheme = '';
  let rest = raw;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (/[a-zA-Z]/.test(c)) {
      continue;
    }
    if (/[0-9+\-.]/.test(c)) {
      if (i === 0) {
        break;
      }
      continue;
    }
    if (c === ':') {
      if (i === 0) {
        return 'missing protocol scheme';
      }
      scheme = raw.slice(0, i).toLowerCase();
      rest = raw.slice(i + 1);
    }
    break;
  }
  if (rest.endsWith('?') && rest.indexOf('?') === rest.length - 1) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (scheme !== '') {
      // A rootless path after a scheme is opaque (`mailto:x@y`): Go accepts it as is.
      return new KubeUrl(scheme, '', '');
    }
    return 'invalid URI for request';
  }
  let host = '';
  if (scheme !== '' && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) {
        return 'invalid userinfo';
      }
      const bad = badEscape(userinfo);
      if (bad) {
        return bad;
      }
    }
    const problem = hostProblem(authority.slice(at + 1));
    if (problem) {
      return problem;
    }
    host = authority.slice(at + 1);
  }
  return badEscape(rest) ?? new KubeUrl(scheme, host, rest);
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:[0-9]*$/.test(port);
}

function hostProblem(host: string): string | undefined {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) {
      return 'missing \']\' in host';
    }
    if (!validOptionalPort(host.slice(close + 1))) {
      return `invalid port "${host.slice(close + 1)}" after host`;
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon >= 0 && !validOptionalPort(host.slice(colon))) {
      return `invalid port "${host.slice(colon)}" after host`;
    }
  }
  for (let i = 0; i < host.length; i++) {
    const c = host[i];
    if (c === '%') {
      if (!/^%[0-9a-fA-F]{2}$/.test(host.slice(i, i + 3))) {
        return `invalid URL escape "${host.slice(i, i + 3)}"`;
      }
      i += 2;
    } else if (c.charCodeAt(0) < 0x80 && !/[A-Za-z0-9\-_.~!$&'()*+,;=:[\]<>"]/.test(c)) {
      return `invalid character "${c}" in host name`;
    }
  }
  return undefined;
}

function badEscape(s: string): string | undefined {
  for (let i = s.indexOf('%'); i >= 0; i = s.indexOf('%', i + 1)) {
    if (!/^%[0-9a-fA-F]{2}$/.test(s.slice(i, i + 3))) {
      return `invalid URL escape "${s.slice(i, i + 3)}"`;
    }
  }
  return undefined;
}

let environment: CelEnvironment | undefined;

/**
 * The shared environment: `self` (and `oldSelf`, so transition rules type-check) are dyn, as the
 * API server declares them for schemas it types at run time.
 */
export function celEnvironment(): CelEnvironment {
  if (!environment) {
    const { Environment } = celModule();
    environment = new Environment({ homogeneousAggregateLiterals: false, enableOptionalTypes: true })
      .registerVariable('self', 'dyn')
      .registerVariable('oldSelf', 'dyn')
      .registerType('URL', KubeUrl)
      .registerFunction('url(string): URL', (s: string) => {
        const parsed = parseRequestUri(s);
        if (typeof parsed === 'string') {
          throw new Error(`URL parse error during conversion from string: ${parsed}`);
        }
        return parsed;
      })
      .registerFunction('isURL(string): bool', (s: string) => typeof parseRequestUri(s) !== 'string')
      .registerFunction('URL.getScheme(): string', (u: KubeUrl) => u.scheme)
      // Kubernetes' IP library (k8s.io/apiserver/pkg/cel/library/ip.go): an address without a
      // zone, IPv4 or IPv6; the Gateway API's hostnames must not be one.
      .registerFunction('isIP(string): bool', (s: string) => isIP(s) !== 0 && !s.includes('%'))
      // matches() with RE2's syntax, which the API server uses; see presenceOnIndexed.
      .registerFunction('string.re2Matches(string): bool', (s: string, re: string) => re2RegExp(re).test(s));
  }
  return environment;
}

/**
 * `has(self.matches[0].path)` as `('path' in self.matches[0])`. CEL allows has() on any field
 * selection, but the evaluator refuses one whose operand holds an index ("has() invalid
 * argument"); the Gateway API's HTTPRoute rules use it. For the JSON maps a manifest becomes the
 * two are the same test: a key's presence, and an error when the indexed item does not exist.
 */
export function presenceOnIndexed(rule: string): string {
  // And `.matches(re)` as `.re2Matches(re)`: the evaluator hands the pattern to JavaScript, which
  // has no `(?i)` (the Gateway API's GRPCRoute service names use it).
  return rule.replace(/\.matches\(/g, '.re2Matches(').replace(/\bhas\(\s*((?:[A-Za-z_]\w*)(?:\.[A-Za-z_]\w*|\[\d+\])*\[\d+\](?:\.[A-Za-z_]\w*|\[\d+\])*)\.([A-Za-z_]\w*)\s*\)/g,
    (_m, operand: string, field: string) => `('${field}' in ${operand})`);
}

const re2Cache = new Map<string, RegExp>();

/**
 * An RE2 pattern as a JavaScript RegExp: leading flags (`(?i)`, `(?s)`, `(?m)`, also after a
 * first `^`) become RegExp
 * flags, `(?P<name>` a named group, `\A` and `\z` anchors. Flags anywhere else are refused (an
 * evaluation error), not guessed at.
 */
export function re2RegExp(pattern: string): RegExp {
  let re = re2Cache.get(pattern);
  if (!re) {
    // `(?i)` first, or right after `^`: the flags hold for the whole pattern.
    const lead = /^(\^?)\(\?([ims]+)\)/.exec(pattern);
    const body = (lead ? `${lead[1]}${pattern.slice(lead[0].length)}` : pattern)
      .replace(/\(\?P</g, '(?<')
      .replace(/(^|[^\\])\\A/g, '$1^')
      .replace(/(^|[^\\])\\z/g, '$1$');
    if (/\(\?[imsU-]+[:)]/.test(body)) {
      throw new Error(`RE2 flags inside the pattern are not supported here: ${pattern}`);
    }
    re = new RegExp(body, lead?.[2] ?? '');
    re2Cache.set(pattern, re);
  }
  return re;
}

/**
 * Property names CEL cannot spell, as Kubernetes escapes them (apiextensions' CEL: reserved
 * words become `__word__`; `__`, `.`, `-` and `/` become `__underscores__`, `__dot__`, `__dash__`,
 * `__slash__`). The Gateway API's rules say `p1.__namespace__` for a parentRef's `namespace`.
 */
const CEL_RESERVED = new Set(['true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if', 'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while']);

export function celPropertyName(name: string): string {
  if (CEL_RESERVED.has(name)) {
    return `__${name}__`;
  }
  if (!/__|[.\-/]/.test(name)) {
    return name;
  }
  return name.replace(/__/g, '__underscores__').replace(/\./g, '__dot__').replace(/-/g, '__dash__').replace(/\//g, '__slash__');
}

/** A rule parsed and type-checked once per process. */
export interface CompiledRule {
  readonly rule: CelRule;
  /** The rule text on one line, for messages. */
  readonly text: string;
  /** Uses `oldSelf`: compares with the stored object, so it cannot run at synth time (unless `optionalOldSelf`). */
  readonly transition: boolean;
  /** Why the evaluator cannot run this rule; undefined when it can. */
  readonly unsupported?: string;
  readonly program?: CelProgram;
  readonly messageProgram?: CelProgram;
}

export type RuleOutcome =
  | { readonly status: 'pass' | 'skipped' }
  /** `evaluationError`: the rule threw (an unparsable duration, a missing key) rather than returning false. */
  | { readonly status: 'fail'; readonly message: string; readonly evaluationError?: boolean }
  | { readonly status: 'unsupported'; readonly reason: string };

const compiled = new Map<string, CompiledRule>();

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function usesIdentifier(ast: unknown, name: string): boolean {
  if (Array.isArray(ast)) {
    return ast.some((a) => usesIdentifier(a, name));
  }
  if (ast && typeof ast === 'object') {
    const node = ast as { op?: unknown; args?: unknown };
    if (node.op === 'id' && node.args === name) {
      return true;
    }
    return usesIdentifier(node.args, name);
  }
  return false;
}

function errorSummary(e: unknown): string {
  const err = e as { summary?: unknown; message?: unknown };
  const text = typeof err.summary === 'string' ? err.summary : String(err.message ?? e);
  return text.split('\n')[0];
}

/** Parses and type-checks a rule (and its messageExpression), once per distinct rule. */
export function compileRule(rule: CelRule): CompiledRule {
  const key = `${rule.rule}\u0000${rule.messageExpression ?? ''}\u0000${rule.optionalOldSelf ? 1 : 0}`;
  let result = compiled.get(key);
  if (!result) {
    result = compileUncached(rule);
    compiled.set(key, result);
  }
  return result;
}

function compileUncached(rule: CelRule): CompiledRule {
  const text = oneLine(rule.rule);
  const env = celEnvironment();
  let program: CelProgram;
  try {
    program = env.parse(presenceOnIndexed(rule.rule));
  } catch (e) {
    return { rule, text, transition: false, unsupported: `the rule does not parse: ${errorSummary(e)}` };
  }
  const transition = usesIdentifier(program.ast, 'oldSelf');
  const checked = program.check();
  if (!checked.valid) {
    return { rule, text, transition, unsupported: `the rule does not type-check: ${errorSummary(checked.error)}` };
  }
  let messageProgram: CelProgram | undefined;
  if (rule.messageExpression) {
    try {
      messageProgram = env.parse(rule.messageExpression);
    } catch {
      // The API server falls back to `message` when messageExpression fails; so do we.
    }
  }
  return { rule, text, transition, program, messageProgram };
}

/**
 * Evaluator errors that mean "cannot run this rule on this value" rather than "the value breaks
 * the rule": the API server would have found an overload.
 */
const LIMITATION_CODES = new Set(['no_matching_overload', 'no_such_overload', 'unknown_function']);

/**
 * Runs a compiled rule with `self` bound to `value` (already converted with {@link toCelValue}).
 * A runtime error is a failure, as in the API server ("invalid duration" is a broken value), except
 * missing overloads, which are an evaluator limitation.
 */
export function evaluateRule(rule: CompiledRule, value: unknown): RuleOutcome {
  // Rules are pure functions of `self`: a scalar seen before (every route's "5s" timeout) has its answer.
  const scalar = typeof value === 'string' || typeof value === 'bigint' || typeof value === 'number' || typeof value === 'boolean';
  if (!scalar) {
    return evaluateUncached(rule, value);
  }
  let memo = outcomes.get(rule);
  if (!memo) {
    memo = new Map();
    outcomes.set(rule, memo);
  }
  let outcome = memo.get(value);
  if (!outcome) {
    if (memo.size >= MEMO_LIMIT) {
      memo.clear();
    }
    outcome = evaluateUncached(rule, value);
    memo.set(value, outcome);
  }
  return outcome;
}

const outcomes = new WeakMap<CompiledRule, Map<unknown, RuleOutcome>>();
const MEMO_LIMIT = 10000;

function evaluateUncached(rule: CompiledRule, value: unknown): RuleOutcome {
  if (rule.unsupported || !rule.program) {
    return { status: 'unsupported', reason: rule.unsupported ?? 'not compiled' };
  }
  if (rule.transition && !rule.rule.optionalOldSelf) {
    return { status: 'skipped' };
  }
  const vars = rule.transition ? { self: value, oldSelf: celModule().Optional.none() } : { self: value };
  let result: unknown;
  try {
    result = rule.program(vars);
  } catch (e) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && LIMITATION_CODES.has(code)) {
      return { status: 'unsupported', reason: errorSummary(e) };
    }
    return { status: 'fail', message: `${failureMessage(rule, vars)} (evaluation error: ${errorSummary(e)})`, evaluationError: true };
  }
  if (result === true) {
    return { status: 'pass' };
  }
  if (result === false) {
    return { status: 'fail', message: failureMessage(rule, vars) };
  }
  return { status: 'unsupported', reason: `the rule returned ${typeof result}, not a bool` };
}

function failureMessage(rule: CompiledRule, vars: Record<string, unknown>): string {
  if (rule.messageProgram) {
    try {
      const m: unknown = rule.messageProgram(vars);
      if (typeof m === 'string' && m.trim() !== '') {
        return m;
      }
    } catch {
      // Fall through to the static message, as the API server does.
    }
  }
  return rule.rule.message ?? `failed rule: ${rule.text}`;
}

const needsConversionCache = new WeakMap<object, boolean>();

/** True when values under `schema` hold integers CEL must see as `int` (or untyped data). */
function needsConversion(schema: StructuralSchema): boolean {
  const cached = needsConversionCache.get(schema);
  if (cached !== undefined) {
    return cached;
  }
  let needs: boolean;
  if (schema.type === 'integer' || schema['x-kubernetes-int-or-string'] || schema['x-kubernetes-preserve-unknown-fields'] || schema.type === undefined) {
    needs = true;
  } else if (schema.type === 'object') {
    needs = Object.keys(schema.properties ?? {}).some((k) => celPropertyName(k) !== k)
      || Object.values(schema.properties ?? {}).some(needsConversion)
      || (typeof schema.additionalProperties === 'object' && needsConversion(schema.additionalProperties));
  } else if (schema.type === 'array') {
    needs = !!schema.items && needsConversion(schema.items);
  } else {
    needs = false;
  }
  needsConversionCache.set(schema, needs);
  return needs;
}

function convertUntyped(value: unknown): unknown {
  if (typeof value === 'number') {
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) {
    return value.map(convertUntyped);
  }
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = convertUntyped(v);
    }
    return out;
  }
  return value;
}

/**
 * The value CEL sees for a manifest node: integers (`type: integer`, int-or-string) become
 * BigInt (CEL `int`), `type: number` stays a JS number (CEL `double`), objects and arrays become
 * maps and lists. Subtrees without integers are passed through untouched (and never copied).
 */
export function toCelValue(value: unknown, schema: StructuralSchema | undefined): unknown {
  if (!schema) {
    return convertUntyped(value);
  }
  if (!needsConversion(schema)) {
    return value;
  }
  if (typeof value === 'number') {
    if (schema.type === 'number') {
      return value;
    }
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (Array.isArray(value)) {
    return schema.items ? value.map((v) => toCelValue(v, schema.items)) : convertUntyped(value);
  }
  if (value && typeof value === 'object') {
    const props = schema.properties;
    const additional = typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const prop = props?.[k];
      // Declared properties are fields (escaped); map entries keep their keys.
      out[prop ? celPropertyName(k) : k] = toCelValue(v, prop ?? additional);
    }
    return out;
  }
  return value;
}
