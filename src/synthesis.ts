/**
 * The one pipeline every entry point shares: render the construct tree once, analyze it, and
 * serialize it. IstioApp, the test helpers and the CLI only differ in where the YAML goes.
 */
import { MeshInstall } from './mesh-install';
import { App, Chart, Names, YamlOutputType } from 'cdk8s';
import { analyze, AnalysisResult } from './analysis/engine';
import { defineCode, Finding, formatReport, Severity, sortFindings } from './analysis/finding';
import { MeshContext } from './mesh-context';
import { Json } from './analysis/rendered';
import { OutputError, OutputFile } from './output';
import { stringifyDocuments } from './yaml-emitter';
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
  const findings = sortFindings([...constructFindings, ...analysis.findings.filter((f) => !restated(f, constructFindings))]);
  return { ...analysis, render, findings, errors: findings.filter((f) => f.severity === Severity.ERROR) };
}

/**
 * A schema or CEL finding about a field a construct has already refused (a backend without the
 * port the construct could not work out, say): the construct's error names the prop and the fix,
 * the CRD's only says it again in its own words, so it is left out.
 */
function restated(f: Finding, constructFindings: readonly Finding[]): boolean {
  if (f.code !== 'CKI1002' && f.code !== 'CKI1003') {
    return false;
  }
  const within = (a: string, b: string) => a === b || a.startsWith(`${b}.`) || a.startsWith(`${b}[`);
  return constructFindings.some((c) => c.field !== undefined && f.field !== undefined
    && (f.constructPath === c.constructPath || f.constructPath.startsWith(`${c.constructPath}/`))
    && (within(f.field, c.field) || within(c.field, f.field)));
}

/**
 * One YAML stream, `---` between documents, as kubectl and Argo CD read it: byte for byte what
 * cdk8s's `Yaml.stringify` writes, from our own emitter (src/yaml-emitter.ts).
 */
export function toYamlStream(manifests: readonly Json[]): string {
  return manifests.length === 0 ? '' : stringifyDocuments(manifests);
}

/** How the manifests are divided into files: cdk8s's `AppProps` fields that decide it. */
export interface OutputLayout {
  /** @default YamlOutputType.FILE_PER_CHART */
  readonly yamlOutputType?: YamlOutputType;
  /** @default '.k8s.yaml' */
  readonly outputFileExtension?: string;
}

/**
 * The name cdk8s gives a chart's file or folder (its `Names.toDnsLabel`), so an IstioApp writes
 * the same file names as a cdk8s App with the same charts: `shop` for a chart `shop`.
 */
export function chartFileName(chart: Chart): string {
  return Names.toDnsLabel(chart);
}

/** cdk8s's file name of one resource: `Kind.name`, without characters file systems dislike. */
function resourceFileName(manifest: Json): string {
  const meta = (manifest.metadata ?? {}) as { name?: string };
  return `${String(manifest.kind)}.${String(meta.name)}`.replace(/[^0-9a-zA-Z-_.]/g, '');
}

/**
 * The files a synthesized app is written as, named exactly as cdk8s's App names them for the
 * same output type and extension. Where cdk8s would write two objects to one file (and keep only
 * the last), this refuses instead: nothing synthesized is dropped.
 */
export function manifestFiles(result: SynthesisResult, layout: OutputLayout = {}): OutputFile[] {
  const ext = layout.outputFileExtension ?? '.k8s.yaml';
  const type = layout.yamlOutputType ?? YamlOutputType.FILE_PER_CHART;
  const charts = result.render.charts;
  // As cdk8s does: when charts depend on each other, number the files so that applying the
  // folder in name order (kubectl apply -f dir/) follows the dependencies.
  const ordered = charts.some(({ dependsOn }) => dependsOn.length > 0);
  const chartName = (chart: Chart, i: number) => (ordered ? `${String(i).padStart(4, '0')}-${chartFileName(chart)}` : chartFileName(chart));
  const files: Array<OutputFile & { readonly from: string }> = [];
  switch (type) {
    case YamlOutputType.FILE_PER_APP:
      if (charts.length > 0) {
        files.push({ path: `app${ext}`, content: toYamlStream(result.render.objects.map((o) => o.manifest)), from: 'the app' });
      }
      break;
    case YamlOutputType.FILE_PER_CHART:
      charts.forEach(({ chart, objects }, i) => {
        files.push({ path: `${chartName(chart, i)}${ext}`, content: toYamlStream(objects.map((o) => o.manifest)), from: `chart ${chart.node.path}` });
      });
      break;
    case YamlOutputType.FILE_PER_RESOURCE:
    case YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE:
      charts.forEach(({ chart, objects }, i) => {
        const folder = type === YamlOutputType.FILE_PER_RESOURCE ? '' : `${chartName(chart, i)}/`;
        for (const o of objects) {
          files.push({ path: `${folder}${resourceFileName(o.manifest)}${ext}`, content: toYamlStream([o.manifest]), from: o.constructPath });
        }
      });
      break;
    default:
      throw new Error(`yamlOutputType ${String(type)} is not one of cdk8s's YamlOutputType values`);
  }
  // The helm route of the app's MeshInstalls, for clusters not on Argo CD.
  const script = charts.length > 0 ? MeshInstall.helmScript(charts[0].chart) : undefined;
  if (script) {
    files.push({ ...script, from: 'the MeshInstall' });
  }
  const seen = new Map<string, string>();
  for (const f of files) {
    const other = seen.get(f.path);
    if (other !== undefined) {
      throw new OutputError(`${other} and ${f.from} would both be written to ${f.path}, and one would be lost: ` +
        (type === YamlOutputType.FILE_PER_CHART ? 'give one of the charts another id' : 'give the objects different names, or choose YamlOutputType.FILE_PER_CHART'));
    }
    seen.set(f.path, f.from);
  }
  return files.map(({ path, content, executable }) => (executable ? { path, content, executable } : { path, content }));
}

/** cdk8s's `construct-metadata.json` (written when `recordConstructMetadata` is on). */
export function constructMetadataFile(result: SynthesisResult): OutputFile {
  const resources: Record<string, { path: string }> = {};
  for (const o of result.render.objects) {
    // Keyed by object name as cdk8s keys it (ApiObject.name is metadata.name).
    resources[String(((o.manifest.metadata ?? {}) as Json).name)] = { path: o.constructPath };
  }
  return { path: 'construct-metadata.json', content: JSON.stringify({ version: '1.0.0', resources }) };
}
