/**
 * The one pipeline every entry point shares: render the construct tree once, analyze it, and
 * serialize it. IstioApp, the test helpers and the CLI only differ in where the YAML goes.
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, Yaml } from 'cdk8s';
import { analyze, AnalysisResult } from './analysis/engine';
import { defineCode, Finding, formatReport, Severity, sortFindings } from './analysis/finding';
import { MeshContext } from './analysis/mesh-context';
import { Json, RenderedObject } from './analysis/rendered';
import { renderApp, RenderResult } from './render';

export const CKI0001 = defineCode('CKI0001', Severity.ERROR, 'A construct validation failed');

export interface SynthesisResult extends AnalysisResult {
  readonly render: RenderResult;
}

/** Thrown when the analysis found errors; carries every finding, not just the first. */
export class ValidationError extends Error {
  public constructor(public readonly findings: Finding[]) {
    super(`synthesis stopped: ${findings.filter((f) => f.severity === Severity.ERROR).length} error(s)\n${formatReport(findings)}`);
    this.name = 'ValidationError';
  }
}

/** Renders and analyzes an app without writing anything. */
export function synthesize(app: App): SynthesisResult {
  const render = renderApp(app);
  const analysis = analyze(render.objects, { context: MeshContext.of(app), root: app });
  const constructFindings: Finding[] = render.constructErrors.map((e) => ({
    code: CKI0001.code,
    severity: Severity.ERROR,
    constructPath: e.path,
    object: '(construct)',
    message: e.message,
    fix: 'correct the construct\'s props as the message says',
  }));
  const findings = sortFindings([...constructFindings, ...analysis.findings]);
  return { ...analysis, render, findings, errors: findings.filter((f) => f.severity === Severity.ERROR) };
}

/** One YAML stream, `---` between documents, as kubectl and Argo CD read it. */
export function toYamlStream(manifests: readonly Json[]): string {
  return manifests.length === 0 ? '' : Yaml.stringify(...manifests);
}

/**
 * Where a chart's manifests go, relative to the output folder: its construct path, so a chart
 * `shop` writes `shop.k8s.yaml` and charts grouped under a construct `vendor` write
 * `vendor/<chart>.k8s.yaml`.
 */
export function chartFileName(chart: Chart): string {
  return `${chart.node.path.split('/').filter(Boolean).map((s) => s.toLowerCase().replace(/[^a-z0-9._-]/g, '-')).join('/')}.k8s.yaml`;
}

/** A file of the output, relative to the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
}

/** One `<chart>.k8s.yaml` per chart that has objects. */
export function manifestFiles(result: SynthesisResult): OutputFile[] {
  return result.render.charts
    .filter(({ objects }) => objects.length > 0)
    .map(({ chart, objects }) => ({ path: chartFileName(chart), content: toYamlStream(objects.map((o: RenderedObject) => o.manifest)) }));
}

/** The output folder cannot be written as asked; nothing was changed. */
export class OutputError extends Error {
  public constructor(message: string) {
    super(message);
    this.name = 'OutputError';
  }
}

/** Marks a folder as written by cdk8s-istio, so replacing it later can never delete anything else. */
export const OUTPUT_MARKER = '.cdk8s-istio-output';

/**
 * Replaces `outdir` with exactly `files`, staging next to it and swapping at the end, so a
 * failure half way leaves the previous output as it was. A folder that exists, holds anything,
 * and was not written by us is refused rather than replaced: `-o .` must not delete a project.
 */
export function writeFiles(outdir: string, files: readonly OutputFile[]): void {
  const target = path.resolve(outdir);
  if (fs.existsSync(target)) {
    if (!fs.statSync(target).isDirectory()) {
      throw new OutputError(`${outdir} is a file, not an output folder: choose a folder to write into`);
    }
    const entries = fs.readdirSync(target);
    if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
      throw new OutputError(`${outdir} already holds files cdk8s-istio did not write; it replaces its output folder as a whole, so choose a new or empty folder`);
    }
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const staging = fs.mkdtempSync(`${target}.staging-`);
  try {
    // mkdtemp creates the folder private (0700); the output is meant to be read like any other.
    fs.chmodSync(staging, 0o777 & ~process.umask());
    fs.writeFileSync(path.join(staging, OUTPUT_MARKER), 'Written by cdk8s-istio: this folder is replaced as a whole on every synth.\n');
    for (const file of files) {
      const dest = path.join(staging, file.path);
      if (!dest.startsWith(`${staging}${path.sep}`)) {
        throw new Error(`output file ${file.path} would land outside ${outdir}`);
      }
      fs.mkdirSync(path.dirname(dest), { recursive: true });
      fs.writeFileSync(dest, file.content);
    }
    const old = `${target}.old-${process.pid}`;
    if (fs.existsSync(target)) {
      fs.renameSync(target, old);
    }
    fs.renameSync(staging, target);
    fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}
