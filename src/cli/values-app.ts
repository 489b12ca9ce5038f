/**
 * From values files to a synthesized app, shared by the `cdk8s-istio` command and the bundled
 * examples. Every problem is reported against the values: `file:line:column: message`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Finding, formatFinding, Severity } from '../analysis/finding';
import { PropError } from '../errors';
import { packageRoot } from '../package-root';
import { IstioApp } from '../istio-app';
import { IstioChart } from '../istio-chart';
import { buildFromValues, IstioValues, valuesPointer } from '../patterns/values';
import { synthesize, SynthesisResult } from '../synthesis';
import { topologyMarkdown } from '../topology';
import { MergedValues, SourceLocation, ValuesError, ValuesSchema } from './values';

const SCHEMA_FILE = 'values.schema.json';
let schema: ValuesSchema | undefined;

/** The published JSON Schema of values files (`schemas/values.schema.json`). */
export function valuesSchemaPath(): string {
  const found = path.join(packageRoot(), 'schemas', SCHEMA_FILE);
  if (!fs.existsSync(found)) {
    throw new Error(`${SCHEMA_FILE} not found under schemas/: run \`npm run schema\``);
  }
  return found;
}

function valuesSchema(): ValuesSchema {
  if (!schema) {
    schema = new ValuesSchema(JSON.parse(fs.readFileSync(valuesSchemaPath(), 'utf8')) as Record<string, unknown>);
  }
  return schema;
}

/** Merges the files and `--set` overrides and checks them against the schema. */
export function loadValues(files: readonly string[], sets: readonly string[] = []): MergedValues {
  const merged = new MergedValues();
  for (const file of files) {
    if (!fs.existsSync(file)) {
      throw new ValuesError([`${file}: no such file`]);
    }
    merged.addFile(file);
  }
  for (const set of sets) {
    merged.addSet(set);
  }
  const problems = valuesSchema().problems(merged);
  if (problems.length > 0) {
    throw new ValuesError(problems);
  }
  return merged;
}

function where(loc: SourceLocation | undefined): string {
  return loc ? `${loc.file}:${loc.line}:${loc.column}: ` : '';
}

/** The path of a construct below the chart the values are built in. */
function relativePath(chart: IstioChart, constructPath: string): string {
  const prefix = `${chart.node.path}/`;
  return constructPath.startsWith(prefix) ? constructPath.slice(prefix.length) : constructPath;
}

export interface ValuesApp {
  readonly app: IstioApp;
  readonly chart: IstioChart;
  readonly result: SynthesisResult;
  /** Findings that are not errors, each prefixed with the values location it comes from. */
  readonly report: string[];
}

/**
 * Builds and analyzes the app the values describe (chart `name`), writing nothing. Throws a
 * ValuesError listing every problem, located in the values, when anything is wrong.
 */
export function buildValuesApp(name: string, merged: MergedValues, outdir?: string): ValuesApp {
  const app = new IstioApp(outdir ? { outdir } : {});
  const chart = new IstioChart(app, name);
  try {
    buildFromValues(chart, merged.values as IstioValues);
  } catch (e) {
    if (e instanceof PropError) {
      const pointer = valuesPointer(relativePath(chart, e.constructPath), e.field);
      throw new ValuesError([`${where(pointer ? merged.locationOf(pointer) : undefined)}${e.message}`]);
    }
    throw e;
  }
  const result = synthesize(app);
  const locate = (f: Finding) => {
    const pointer = valuesPointer(relativePath(chart, f.constructPath), undefined);
    return `${where(pointer ? merged.locationOf(pointer) : undefined)}${formatFinding(f)}`;
  };
  if (result.errors.length > 0) {
    throw new ValuesError(result.findings.map(locate));
  }
  return { app, chart, result, report: result.findings.filter((f) => f.severity !== Severity.ERROR).map(locate) };
}

/** Markdown picture of what a values app synthesized. */
export function topologyOf(built: ValuesApp, title: string): string {
  return topologyMarkdown(title, built.result.render.objects.map((o) => o.manifest));
}
