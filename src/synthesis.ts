/**
 * The one pipeline every entry point shares: render the construct tree once, analyze it, and
 * serialize it. IstioApp, the test helpers and the CLI only differ in where the YAML goes.
 */
import { App, Chart, Yaml } from 'cdk8s';
import { analyze, AnalysisResult } from './analysis/engine';
import { defineCode, Finding, formatReport, Severity, sortFindings } from './analysis/finding';
import { MeshContext } from './mesh-context';
import { Json, RenderedObject } from './analysis/rendered';
import { OutputFile } from './output';
import { renderApp, RenderResult } from './render';

export const CKI0001 = defineCode('CKI0001', Severity.ERROR, 'A construct validation failed');

export interface SynthesisResult extends AnalysisResult {
  readonly render: RenderResult;
}

/**
 * Thrown when the analysis found errors; carries every finding, not just the first. The message
 * holds the report, unless it was printed already (`reported`), when it only says so. Findings
 * are not an enumerable property and the stack is the message alone, so an uncaught one is not
 * dumped again as an object with a trace of our internals.
 */
export class ValidationError extends Error {
  /** Every finding of the run, errors first. */
  public declare readonly findings: readonly Finding[];

  public constructor(findings: readonly Finding[], options: { readonly reported?: boolean } = {}) {
    const errors = findings.filter((f) => f.severity === Severity.ERROR).length;
    super(options.reported
      ? `synthesis stopped: ${errors} error(s), reported above; nothing was written`
      : `synthesis stopped: ${errors} error(s)\n${formatReport([...findings])}`);
    this.name = 'ValidationError';
    Object.defineProperty(this, 'findings', { value: [...findings], enumerable: false });
    this.stack = `${this.name}: ${this.message}`;
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
    field: e.field,
    message: e.message,
    fix: e.fix ?? 'correct the construct\'s props as the message says',
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

/** One `<chart>.k8s.yaml` per chart that has objects. */
export function manifestFiles(result: SynthesisResult): OutputFile[] {
  const charts = result.render.charts.filter(({ objects }) => objects.length > 0);
  // As cdk8s does: when charts depend on each other, number the files so that applying the
  // folder in name order (kubectl apply -f dir/) follows the dependencies.
  const ordered = result.render.charts.some(({ dependsOn }) => dependsOn.length > 0);
  const seen = new Map<string, string>();
  return charts.map(({ chart, objects }, i) => {
    const name = chartFileName(chart);
    const file = ordered ? name.replace(/[^/]+$/, (base) => `${String(i).padStart(4, '0')}-${base}`) : name;
    const other = seen.get(file);
    if (other) {
      throw new Error(`charts ${other} and ${chart.node.path} would both be written to ${file}: give one of them another id`);
    }
    seen.set(file, chart.node.path);
    return { path: file, content: toYamlStream(objects.map((o: RenderedObject) => o.manifest)) };
  });
}
