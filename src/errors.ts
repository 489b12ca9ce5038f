/**
 * Construct-time errors. Every message says where (construct path and field), what, and how to
 * fix it, in the same shape as analysis findings.
 */
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

/** Several independent refusals of one construct (or values entry), reported together. */
export class PropErrors extends Error {
  public constructor(public readonly errors: readonly PropError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'PropErrors';
  }
}
