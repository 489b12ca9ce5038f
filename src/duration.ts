/**
 * Lengths of time as Istio's protobuf Duration fields take them (`10s`, `250ms`). Props take
 * either cdk8s's `Duration` or an `IstioDuration`, which also parses Istio's text form
 * (`1m30s`) for values that come from configuration files.
 *
 * Nothing here throws: a duration that Istio would refuse carries its problem, and the construct
 * that uses it reports it with its own path and prop.
 */
import { Duration } from 'cdk8s';
import { IConstruct } from 'constructs';
import { check, Problem } from './validation';

/**
 * The longest duration Istio reads: protobuf's Duration holds 315,576,000,000 s, but Istio decodes
 * its resources with golang/protobuf's jsonpb, which parses durations with Go's
 * `time.ParseDuration` and so refuses anything past an int64 of nanoseconds (about 292 years).
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

export class IstioDuration {
  public static millis(ms: number): IstioDuration {
    return new IstioDuration(ms);
  }

  public static seconds(s: number): IstioDuration {
    return new IstioDuration(s * 1000);
  }

  public static minutes(m: number): IstioDuration {
    return new IstioDuration(m * 60_000);
  }

  public static hours(h: number): IstioDuration {
    return new IstioDuration(h * 3_600_000);
  }

  /**
   * Istio's text form (`1h`, `1m30s`, `250ms`, `1.5s`). Text that is not a duration gives a
   * duration the construct using it refuses, naming its prop.
   */
  public static parse(text: string): IstioDuration {
    const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
    let total = 0;
    let consumed = 0;
    for (const m of String(text).matchAll(re)) {
      if (m.index !== consumed) {
        break;
      }
      consumed += m[0].length;
      const n = Number(m[1]);
      total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    }
    if (typeof text !== 'string' || consumed === 0 || consumed !== text.length) {
      const shown = typeof text === 'string' && text.length > 40 ? `${text.slice(0, 39)}…` : String(text);
      return new IstioDuration(NaN, `"${shown}" is not a duration`);
    }
    return new IstioDuration(total);
  }

  private constructor(public readonly milliseconds: number, private readonly parseProblem?: string) {}

  /**
   * Why Istio would refuse this duration, or undefined: not a number, negative, under 1 ms (the
   * CRD's `duration(self) >= duration('1ms')`), finer than a millisecond (istiod's validation)
   * or over protobuf's 10,000 years.
   */
  public problem(): Problem | undefined {
    return durationProblem(this.milliseconds, this.parseProblem);
  }

  /** The text Istio expects: whole seconds as `Ns`, everything else as `Nms`. */
  public toString(): string {
    const ms = this.milliseconds;
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
  }
}

/** A length of time as props take it. */
export type DurationLike = IstioDuration | Duration;

/** The duration in milliseconds. */
export function millisOfDuration(d: DurationLike): number {
  return millisOf(d);
}

function millisOf(d: DurationLike): number {
  return d instanceof IstioDuration ? d.milliseconds : d.toMilliseconds({ integral: false });
}

function durationProblem(ms: number, parseProblem?: string): Problem | undefined {
  const fix = 'use whole milliseconds between 1 ms and 10,000 years, e.g. 30s, 1m30s or 250ms';
  if (parseProblem) {
    return { problem: `${parseProblem}: use a number with h, m, s or ms, e.g. 10s or 250ms`, fix };
  }
  if (!Number.isFinite(ms)) {
    return { problem: `${ms} ms is not a length of time`, fix };
  }
  if (ms < 1) {
    return { problem: `${ms} ms is below Istio's minimum of 1 ms`, fix };
  }
  if (!Number.isInteger(ms)) {
    return { problem: `${ms} ms is finer than a millisecond, which Istio does not accept`, fix };
  }
  if (ms > MAX_DURATION_MS) {
    return { problem: `${ms / 1000} s is longer than Istio reads (at most ${MAX_DURATION_MS / 1000} s, about 292 years)`, fix };
  }
  return undefined;
}

/** Why Istio would refuse `d`, or undefined. */
export function problemOfDuration(d: DurationLike): Problem | undefined {
  return d instanceof IstioDuration ? d.problem() : durationProblem(millisOf(d));
}

/** The duration in Istio's text form, refused with `scope`'s path and `field` when Istio would refuse it. */
export function renderDuration(scope: IConstruct | string, field: string, d: DurationLike): string;
export function renderDuration(scope: IConstruct | string, field: string, d: DurationLike | undefined): string | undefined;
export function renderDuration(scope: IConstruct | string, field: string, d: DurationLike | undefined): string | undefined {
  if (d === undefined) {
    return undefined;
  }
  check(scope, field, problemOfDuration(d));
  const ms = millisOf(d);
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** The duration in milliseconds, for comparisons (`renewBefore < duration`). */
export function durationMillis(d: DurationLike): number {
  return millisOf(d);
}

/**
 * The duration in the Gateway API's form (`^([0-9]{1,5}(h|m|s|ms)){1,4}$`, GEP-2257): units
 * from hours down to milliseconds, none over 99,999, so 150 s is `2m30s` rather than `150000ms`.
 */
export function renderGatewayApiDuration(scope: IConstruct | string, field: string, d: DurationLike | undefined): string | undefined {
  if (d === undefined) {
    return undefined;
  }
  // Zero means no timeout in the Gateway API.
  if (millisOf(d) === 0) {
    return '0s';
  }
  check(scope, field, problemOfDuration(d));
  let ms = millisOf(d);
  const parts: string[] = [];
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const n = Math.floor(ms / size);
    if (n > 0) {
      parts.push(`${n}${unit}`);
      ms -= n * size;
    }
  }
  if (parts[0] && Number.parseInt(parts[0], 10) > 99_999) {
    check(scope, field, { problem: `${millisOf(d) / 3_600_000} h is longer than the Gateway API's durations go (99,999 h)`, fix: 'use a shorter timeout' });
  }
  return parts.join('');
}
