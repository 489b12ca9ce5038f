/**
 * The one shape every refusal takes, from a construct prop to a finding: what is wrong and how
 * to fix it, and (relative to whatever holds the value) which field. Rules return a Problem or
 * undefined; constructs turn one into a PropError with `check()`, late validations and the
 * analysis turn them into findings.
 */
import { IConstruct } from 'constructs';
import { PropError, PropErrors } from '../errors';

export interface Problem {
  /** What is wrong, in one sentence. */
  readonly problem: string;
  /** How to fix it, in one line. */
  readonly fix: string;
}

/** A problem of one field, relative to the object or value that holds it (`tls.credentialName`). */
export interface FieldProblem extends Problem {
  readonly field: string;
}

/** Throws a PropError naming `field` of `scope` when `problem` is set. */
export function check(scope: IConstruct | string, field: string, problem: Problem | undefined): void {
  if (problem) {
    throw new PropError(typeof scope === 'string' ? scope : scope.node.path, field, problem.problem, problem.fix);
  }
}

/** Throws a PropError naming `field` of `scope`: for the paths that cannot go on. */
export function refuse(scope: IConstruct | string, field: string, problem: Problem): never {
  throw new PropError(typeof scope === 'string' ? scope : scope.node.path, field, problem.problem, problem.fix);
}

/**
 * Collects independent refusals so a user sees all of them in one run (a weight over 100 and two
 * tracks of one version are two mistakes, not one), then throws them together.
 */
export class Problems {
  private readonly found: PropError[] = [];

  public constructor(private readonly scope: IConstruct | string) {}

  /** Records `problem` for `field` when it is set. */
  public check(field: string, problem: Problem | undefined): void {
    if (problem) {
      this.found.push(new PropError(typeof this.scope === 'string' ? this.scope : this.scope.node.path, field, problem.problem, problem.fix));
    }
  }

  /** Runs a step that may refuse; its refusals are recorded and the rest goes on. */
  public run(step: () => void): void {
    try {
      step();
    } catch (e) {
      if (e instanceof PropErrors) {
        this.found.push(...e.errors);
      } else if (e instanceof PropError) {
        this.found.push(e);
      } else {
        throw e;
      }
    }
  }

  public get count(): number {
    return this.found.length;
  }

  /** Throws what was recorded: one PropError, or PropErrors for several. */
  public throwIfAny(): void {
    if (this.found.length === 1) {
      throw this.found[0];
    }
    if (this.found.length > 1) {
      throw new PropErrors(this.found);
    }
  }
}

/** Throws for the first problem of a list, prefixing its field with `base`. */
export function checkAll(scope: IConstruct | string, base: string, problems: readonly FieldProblem[]): void {
  const [first] = problems;
  if (first) {
    check(scope, joinField(base, first.field), first);
  }
}

/** `spec.servers[0]` + `tls.mode` → `spec.servers[0].tls.mode`; either side may be empty. */
export function joinField(base: string, field: string): string {
  if (!base) {
    return field;
  }
  if (!field) {
    return base;
  }
  return field.startsWith('[') ? `${base}${field}` : `${base}.${field}`;
}

/** The same problem with a fix that fits where the value came from. */
export function withFix(problem: Problem | undefined, fix: string): Problem | undefined {
  return problem && { problem: problem.problem, fix };
}

/** A problem placed at a field. */
export function atField(field: string, problem: Problem | undefined): FieldProblem | undefined {
  return problem && { field, problem: problem.problem, fix: problem.fix };
}

/** `field: problem (fix: fix)`, the one-line form construct validations print. */
export function formatProblem(p: FieldProblem): string {
  return `${p.field ? `${p.field}: ` : ''}${p.problem} (fix: ${p.fix})`;
}

/** Values echoed in messages are cut short, so a 50 MB string never floods a terminal. */
export function shown(value: unknown, max = 80): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > max ? `${text.slice(0, max - 1)}…(${text.length} characters)` : text;
}
