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
    // The message says where in the app; a trace of our internals would only bury it.
    this.stack = `${this.name}: ${this.message}`;
    quietWhenUncaught(this, `error: ${this.message}`);
  }
}

/** Several independent refusals of one construct (or values entry), reported together. */
export class PropErrors extends Error {
  public constructor(public readonly errors: readonly PropError[]) {
    super(errors.map((e) => e.message).join('\n'));
    this.name = 'PropErrors';
    this.stack = `${this.name}: ${this.message}`;
    quietWhenUncaught(this, errors.map((e) => `error: ${e.message}`).join('\n'));
  }
}

const reports = new WeakMap<Error, string | undefined>();
let listening = false;

/**
 * When `error` reaches the top of the process uncaught (a cdk8s app's main file building a
 * construct with a wrong prop, or calling `app.synth()`), Node would print the throwing source
 * line of our code and the trace. Instead, print `report` (nothing when it was printed already)
 * and exit 1. One listener for the current turn of the event loop, and only when nothing else
 * listens for uncaught exceptions (a test runner does); other errors are reported as Node would.
 */
export function quietWhenUncaught(error: Error, report?: string): void {
  reports.set(error, report);
  if (listening || process.listenerCount('uncaughtException') > 0) {
    return;
  }
  listening = true;
  const onUncaught = (e: unknown) => {
    stop();
    if (e instanceof Error && reports.has(e)) {
      const text = reports.get(e);
      if (text) {
        process.stderr.write(`${text}\n`);
      }
      process.exitCode = 1;
      return;
    }
    process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
    process.exit(1);
  };
  const stop = () => {
    process.removeListener('uncaughtException', onUncaught);
    listening = false;
  };
  process.on('uncaughtException', onUncaught);
  setImmediate(stop).unref();
}
