/**
 * Construct-time errors. Every message says where (construct path and field), what, and how to
 * fix it, in the same shape as analysis findings.
 */
import { IConstruct } from 'constructs';

export class PropError extends Error {
  public constructor(
    public readonly constructPath: string,
    public readonly field: string,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(`[${constructPath}] ${field}: ${problem} (fix: ${fix})`);
    this.name = 'PropError';
  }
}

/** Throws a PropError for `scope`'s `field`. */
export function propError(scope: IConstruct | string, field: string, problem: string, fix: string): never {
  throw new PropError(typeof scope === 'string' ? scope : scope.node.path, field, problem, fix);
}
