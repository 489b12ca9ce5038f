/**
 * Runs every registered check over the synthesized objects and collects the findings.
 */
import { IConstruct } from 'constructs';
import { defaultRegistry } from './checks';
import { codeInfo, Finding, FindingInput, Severity, sortFindings } from './finding';
import { MeshContext } from '../mesh-context';
import { ObjectIndex } from './object-index';
import { CheckRegistry } from './registry';
import { describeObject, groupKindOf, RenderedObject } from './rendered';
import { findSuppression } from './suppressions';

export interface AnalyzeOptions {
  /** Facts about the cluster outside the app. @default - an empty context */
  readonly context?: MeshContext;
  /** Construct tree root, for suppressions. @default - no suppressions apply */
  readonly root?: IConstruct;
  /** @default - the built-in checks */
  readonly registry?: CheckRegistry;
}

export interface AnalysisResult {
  /** Findings that were not suppressed, errors first. */
  readonly findings: Finding[];
  /** Findings a construct suppressed, with the reason it gave. */
  readonly suppressed: Array<Finding & { reason: string }>;
  readonly errors: Finding[];
}

export function analyze(objects: readonly RenderedObject[], options: AnalyzeOptions = {}): AnalysisResult {
  const registry = options.registry ?? defaultRegistry();
  const index = new ObjectIndex(objects, options.context ?? new MeshContext());
  const findings: Finding[] = [];
  const suppressed: Array<Finding & { reason: string }> = [];

  const ctx = {
    index,
    report(obj: RenderedObject, input: FindingInput): void {
      const info = codeInfo(input.code);
      if (!info) {
        throw new Error(`check reported unknown finding code ${input.code}; define it with defineCode()`);
      }
      const finding: Finding = {
        code: input.code,
        severity: input.severity ?? info.severity,
        constructPath: obj.constructPath,
        object: describeObject(obj.manifest),
        field: input.field,
        message: input.message,
        fix: input.fix,
      };
      const suppression = options.root ? findSuppression(options.root, obj.constructPath, input.code) : undefined;
      if (suppression) {
        suppressed.push({ ...finding, reason: suppression.reason });
      } else {
        findings.push(finding);
      }
    },
  };

  const checksByGk = new Map<string, ReturnType<CheckRegistry['objectChecksFor']>>();
  for (const obj of objects) {
    const gk = groupKindOf(obj.manifest);
    let checks = checksByGk.get(gk);
    if (!checks) {
      checks = registry.objectChecksFor(gk);
      checksByGk.set(gk, checks);
    }
    for (const check of checks) {
      check.check(obj, ctx);
    }
  }
  for (const check of registry.app) {
    check.check(ctx);
  }

  const sorted = sortFindings(findings);
  return { findings: sorted, suppressed, errors: sorted.filter((f) => f.severity === Severity.ERROR) };
}
