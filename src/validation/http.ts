/**
 * HTTP values: header names and the RE2 regular expressions Envoy matches with.
 */
import { Problem, shown } from './problem';

/** Header names as Istio accepts them in matches and header operations: lowercase HTTP tokens, no pseudo-headers. */
export function headerNameProblem(name: string): Problem | undefined {
  const fix = 'use a lowercase header name such as x-request-id';
  if (typeof name !== 'string' || name.length === 0) {
    return { problem: 'the header name is empty', fix };
  }
  if (name.startsWith(':')) {
    return { problem: `"${shown(name)}" is a pseudo-header; Istio does not match or modify those here`, fix: 'use the match fields authority, method or scheme instead' };
  }
  if (!/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) {
    return { problem: `"${shown(name)}" is not a lowercase HTTP header name`, fix };
  }
  return undefined;
}

/** The longest regular expression istiod accepts. */
export const MAX_REGEX_LENGTH = 1024;

/** Why `pattern` is not a regular expression Envoy's RE2 engine accepts, as a Problem. */
export function regexProblem(pattern: string): Problem | undefined {
  if (typeof pattern !== 'string' || pattern.length === 0) {
    return { problem: 'the regular expression is empty', fix: 'write an RE2 expression, e.g. ^/v[0-9]+/.*' };
  }
  // istiod's validation refuses longer expressions outright (validateStringRegexp in
  // pkg/config/validation/validation.go) and relies on that cap instead of Envoy's program-size limit.
  if (pattern.length > MAX_REGEX_LENGTH) {
    return {
      problem: `the regular expression is ${pattern.length} characters long; istiod refuses more than ${MAX_REGEX_LENGTH}`,
      fix: 'shorten the expression, or split the match into several routes',
    };
  }
  const reason = cachedRe2Problem(pattern);
  return reason === undefined ? undefined : {
    problem: `regular expression ${JSON.stringify(shown(pattern))} is invalid: ${reason}`,
    fix: 'correct the expression; Envoy uses RE2 syntax (no lookarounds, no backreferences, repeat counts up to 1000)',
  };
}

const RE2_ESCAPE_LETTERS = new Set('aftnrvxAbBzCdDsSwWpPQE'.split(''));

/**
 * Why `pattern` is not a regular expression Envoy's RE2 accepts, or undefined. Checks what RE2
 * refuses and JavaScript accepts (lookarounds, backreferences, unknown escapes, repeat counts
 * over 1000), then translates RE2-only syntax (`(?i)`, `(?P<name>`, `\A`, `\z`, `\Q...\E`) and
 * lets the JavaScript parser judge the rest.
 */
export function re2Problem(pattern: string): string | undefined {
  let js = '';
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const n = pattern[i + 1];
      if (n === undefined) {
        return 'it ends with a lone backslash';
      }
      if (n === 'Q') {
        const end = pattern.indexOf('\\E', i + 2);
        const literal = pattern.slice(i + 2, end < 0 ? undefined : end);
        js += literal.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
        i = end < 0 ? pattern.length : end + 1;
        continue;
      }
      if (/[1-9]/.test(n)) {
        if (/[1-7]/.test(n) && /[0-7]/.test(pattern[i + 2] ?? '')) {
          js += `\\${n}`; // An octal escape, which RE2 allows.
          i++;
          continue;
        }
        return `\\${n} is a backreference, which RE2 does not support`;
      }
      if (n === 'k' && pattern[i + 2] === '<') {
        return 'named backreferences (\\k<name>) are not supported by RE2';
      }
      if (/[A-Za-z]/.test(n) && !RE2_ESCAPE_LETTERS.has(n)) {
        return `\\${n} is not an escape sequence RE2 knows`;
      }
      js += n === 'A' ? '^' : n === 'z' ? '$' : n === 'C' ? '.' : n === 'a' ? '\\x07' : `\\${n}`;
      i++;
      continue;
    }
    if (inClass) {
      if (c === '[' && pattern[i + 1] === ':') {
        // A POSIX class such as [:alpha:] inside brackets; JavaScript reads it as literal characters.
        const end = pattern.indexOf(':]', i + 2);
        if (end > 0) {
          js += `\\[${pattern.slice(i + 1, end + 1)}\\]`;
          i = end + 1;
          continue;
        }
      }
      if (c === ']') {
        inClass = false;
      }
      js += c;
      continue;
    }
    if (c === '[') {
      inClass = true;
      js += c;
      // `[]a]` and `[^]a]`: a leading `]` is a literal in RE2.
      if (pattern[i + 1] === '^') {
        js += '^';
        i++;
      }
      if (pattern[i + 1] === ']') {
        js += '\\]';
        i++;
      }
      continue;
    }
    if (c === '(' && pattern[i + 1] === '?') {
      const rest = pattern.slice(i + 2);
      if (/^[=!]/.test(rest)) {
        return 'lookahead assertions ((?=...), (?!...)) are not supported by RE2';
      }
      if (/^<[=!]/.test(rest)) {
        return 'lookbehind assertions ((?<=...), (?<!...)) are not supported by RE2';
      }
      if (rest.startsWith('>')) {
        return 'atomic groups ((?>...)) are not supported by RE2';
      }
      if (rest.startsWith('P<')) {
        js += '(?<';
        i += 3;
        continue;
      }
      const flags = /^([imsU]*(?:-[imsU]+)?)([:)])/.exec(rest);
      if (flags && flags[1] !== '' && flags[1] !== '-') {
        // Flags have no syntax of their own for the parser to judge: `(?i)` vanishes, `(?i:` groups.
        js += flags[2] === ':' ? '(?:' : '';
        i += 1 + flags[0].length;
        continue;
      }
    }
    if (c === '{') {
      const rep = /^\{(\d+)(?:,(\d*))?\}/.exec(pattern.slice(i));
      if (rep && (Number(rep[1]) > 1000 || Number(rep[2] || 0) > 1000)) {
        return `the repeat count in ${rep[0]} is over RE2's limit of 1000`;
      }
    }
    js += c;
  }
  try {
    new RegExp(js);
  } catch (e) {
    return (e as Error).message.replace(/^Invalid regular expression: /, '');
  }
  return undefined;
}

const re2Verdicts = new Map<string, string | null>();

/** Apps repeat the same few expressions across routes; judge each once. */
function cachedRe2Problem(pattern: string): string | undefined {
  let verdict = re2Verdicts.get(pattern);
  if (verdict === undefined) {
    if (re2Verdicts.size >= 10000) {
      re2Verdicts.clear();
    }
    verdict = re2Problem(pattern) ?? null;
    re2Verdicts.set(pattern, verdict);
  }
  return verdict ?? undefined;
}
