import { propError } from './errors';

/**
 * A length of time as Istio's protobuf Duration fields take it (`10s`, `250ms`). Typed so a
 * route timeout can never be a free string; anything under a millisecond is refused because
 * Istio's CRD rejects it (`duration(self) >= duration('1ms')`) only when the object is applied.
 */
export class Duration {
  public static millis(ms: number): Duration {
    return new Duration(ms);
  }

  public static seconds(s: number): Duration {
    return new Duration(s * 1000);
  }

  public static minutes(m: number): Duration {
    return new Duration(m * 60_000);
  }

  public static hours(h: number): Duration {
    return new Duration(h * 3_600_000);
  }

  /**
   * Parses Istio's text form (`1h`, `1m30s`, `250ms`, `1.5s`), for values that come from
   * configuration files.
   */
  public static parse(text: string): Duration {
    const re = /(\d+(?:\.\d+)?)(h|ms|m|s)/g;
    let total = 0;
    let consumed = 0;
    for (const m of text.matchAll(re)) {
      if (m.index !== consumed) {
        break;
      }
      consumed += m[0].length;
      const n = Number(m[1]);
      total += m[2] === 'h' ? n * 3_600_000 : m[2] === 'm' ? n * 60_000 : m[2] === 's' ? n * 1000 : n;
    }
    if (consumed === 0 || consumed !== text.length) {
      throw new Error(`"${text}" is not a duration: use a number with h, m, s or ms, e.g. 10s or 250ms`);
    }
    return new Duration(total);
  }

  private constructor(public readonly milliseconds: number) {
    if (!Number.isFinite(milliseconds) || milliseconds < 0) {
      throw new Error(`a duration must be a finite, non-negative length of time, got ${milliseconds} ms`);
    }
  }

  /**
   * The text Istio expects. Whole seconds render as `Ns`, everything else as `Nms`.
   * @param scope construct path and field to name in the error, when below Istio's 1 ms floor
   */
  public toIstio(where?: { readonly path: string; readonly field: string }): string {
    const problem = this.problem();
    if (problem) {
      propError(where?.path ?? '(duration)', where?.field ?? 'duration', problem, 'use whole milliseconds, at least Duration.millis(1)');
    }
    const ms = this.milliseconds;
    return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
  }

  /**
   * Why Istio would refuse this duration, or undefined. The CRD rejects anything under 1 ms, and
   * istiod's webhook anything finer than a millisecond (`1.5ms`).
   */
  public problem(): string | undefined {
    if (this.milliseconds < 1) {
      return `${this.milliseconds} ms is below Istio's minimum of 1 ms`;
    }
    if (!Number.isInteger(this.milliseconds)) {
      return `${this.milliseconds} ms is finer than a millisecond, which Istio does not accept`;
    }
    return undefined;
  }
}
