/**
 * Findings: what the analysis says about a synthesized app.
 *
 * Codes that istioctl analyze also knows (ISTxxxx) keep istioctl's number and severity so users
 * can search for them; checks of our own use the CKIxxxx range documented in docs/findings.md.
 */
import { byCodePoint } from '../ordering';

export enum Severity {
  ERROR = 'error',
  WARNING = 'warning',
  INFO = 'info',
}

/** What a check reports; the engine adds where it was found. */
export interface FindingInput {
  /** `IST0101`, `CKI1001`, ... */
  readonly code: string;
  /** @default - the severity registered for the code */
  readonly severity?: Severity;
  /** Dotted path into the object, e.g. `spec.http[0].route[1].destination.subset`. @default - the whole object */
  readonly field?: string;
  /** What is wrong, in one sentence. */
  readonly message: string;
  /** How to fix it, in one line. */
  readonly fix: string;
}

export interface Finding extends Required<Omit<FindingInput, 'field'>> {
  readonly field?: string;
  /** The construct that produced the object, e.g. `app/shop/frontend/Resource`. */
  readonly constructPath: string;
  /** `Kind namespace/name`, or `Kind name` for cluster-scoped objects. */
  readonly object: string;
}

/** Every code the analysis can report, with its default severity and a one-line summary. */
export interface CodeInfo {
  readonly code: string;
  readonly severity: Severity;
  readonly title: string;
  /** Where the code differs from istioctl's, or what else a reader should know. @default - none */
  readonly note?: string;
}

const codes = new Map<string, CodeInfo>();

export function defineCode(code: string, severity: Severity, title: string, note?: string): CodeInfo {
  const existing = codes.get(code);
  if (existing) {
    if (existing.severity !== severity || existing.title !== title) {
      throw new Error(`finding code ${code} is defined twice with different meanings`);
    }
    return existing;
  }
  const info: CodeInfo = note === undefined ? { code, severity, title } : { code, severity, title, note };
  codes.set(code, info);
  return info;
}

export function codeInfo(code: string): CodeInfo | undefined {
  return codes.get(code);
}

export function allCodes(): CodeInfo[] {
  return [...codes.values()].sort((a, b) => byCodePoint(a.code, b.code));
}

const order: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Errors first, then by object and field, so reports read the same on every run. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort((a, b) =>
    order[a.severity] - order[b.severity]
    || byCodePoint(a.constructPath, b.constructPath)
    || byCodePoint(a.field ?? '', b.field ?? '')
    || byCodePoint(a.code, b.code)
    || byCodePoint(a.message, b.message));
}

export function formatFinding(f: Finding): string {
  const where = f.field ? `${f.object} ${f.field}` : f.object;
  return `${f.severity} ${f.code} [${f.constructPath}] ${where}: ${f.message}\n    fix: ${f.fix}`;
}

/** A multi-line report of all findings, with a count line at the end. */
export function formatReport(findings: Finding[]): string {
  if (findings.length === 0) {
    return '';
  }
  const sorted = sortFindings(findings);
  const count = (s: Severity) => sorted.filter((f) => f.severity === s).length;
  return `${sorted.map(formatFinding).join('\n')}\n${count(Severity.ERROR)} error(s), ${count(Severity.WARNING)} warning(s), ${count(Severity.INFO)} info\n`;
}
