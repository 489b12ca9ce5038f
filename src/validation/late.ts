/**
 * Validations that can only run once the app is complete (routes added after construction,
 * ports a Service gets later). A construct registers them here; the render collects them as
 * findings with their field and fix, and a plain cdk8s `app.synth()` still sees them as
 * construct validations.
 */
import { IConstruct } from 'constructs';
import { FieldProblem, formatProblem } from './problem';

type LateCheck = () => readonly FieldProblem[];

const checks = new WeakMap<IConstruct, LateCheck[]>();
let collecting = false;

/** Runs `check` when the app renders; every problem it returns becomes an error on `scope`. */
export function addLateCheck(scope: IConstruct, check: LateCheck): void {
  const list = checks.get(scope);
  if (list) {
    list.push(check);
    return;
  }
  checks.set(scope, [check]);
  scope.node.addValidation({
    // The render collects the problems itself, with their fields; cdk8s's own validation
    // (a plain App's synth) gets them as text.
    validate: () => (collecting ? [] : (checks.get(scope) ?? []).flatMap((c) => c().map(formatProblem))),
  });
}

/** The late problems of `scope` (its own checks only). */
export function lateProblems(scope: IConstruct): FieldProblem[] {
  return (checks.get(scope) ?? []).flatMap((c) => [...c()]);
}

/** Runs `fn` with the text form of late checks switched off, so they are not reported twice. */
export function withoutTextValidation<T>(fn: () => T): T {
  const before = collecting;
  collecting = true;
  try {
    return fn();
  } finally {
    collecting = before;
  }
}
