/**
 * From values files to a synthesized app, shared by the `cdk8s-istio` command and the bundled
 * examples. Every problem is reported against the values: `file:line:column: message`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Finding, formatFinding, Severity } from '../analysis/finding';
import { PropError, PropErrors } from '../errors';
import { packageRoot } from '../package-root';
import { IstioApp } from '../istio-app';
import { IstioChart } from '../istio-chart';
import { buildFromValues, IstioValues, valuesPointer } from '../patterns/values';
import { synthesize, SynthesisResult } from '../synthesis';
import { topologyMarkdown } from '../topology';
import { MergedValues, SourceLocation, ValuesError, ValuesSchema } from './values';

const SCHEMA_FILE = 'values.schema.json';
/** ajv's standalone validator of the values schema, written beside it by `npm run schema`. */
export const VALUES_VALIDATOR_FILE = 'values.validator.js';
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
    const file = valuesSchemaPath();
    const compiled = path.join(path.dirname(file), VALUES_VALIDATOR_FILE);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const precompiled = fs.existsSync(compiled) ? require(compiled) as ConstructorParameters<typeof ValuesSchema>[1] : undefined;
    schema = new ValuesSchema(JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>, precompiled);
  }
  return schema;
}

/** Merges the files and `--set` overrides and checks them against the schema. */
export function loadValues(files: readonly string[], sets: ReadonlyArray<string | { readonly expression: string; readonly asString: boolean; readonly origin?: string }> = []): MergedValues {
  const merged = new MergedValues();
  for (const file of files) {
    merged.addFile(file);
  }
  for (const set of sets) {
    if (typeof set === 'string') {
      merged.addSet(set);
    } else {
      merged.addSet(set.expression, set.asString, set.origin);
    }
  }
  const problems = valuesSchema().problems(merged);
  if (problems.length > 0) {
    throw new ValuesError(problems);
  }
  return merged;
}

function where(loc: SourceLocation | undefined): string {
  return loc ? (loc.line > 0 ? `${loc.file}:${loc.line}:${loc.column}: ` : `${loc.file}: `) : '';
}

/**
 * Fix hints are written for both audiences where the wording allows; where a construct names its
 * TypeScript API, a values user is told the key that sets the same thing.
 */
const VALUES_WORDING: ReadonlyArray<[RegExp, string]> = [
  // A hint written for both audiences keeps its values half.
  [/\(([^()]+?) in a values file, .+? in code\)/g, '($1)'],
  [/GatewayTls\.simple\('my-cert'\)/g, 'tls.credentialName: my-cert'],
  [/MeshContext\.of\([a-z]*\)\.declareExternalNamespace\('([^']*)'\)/g, 'mesh.externalNamespaces: [$1]'],
  [/MeshContext\.of\([a-z]*\)\.declareExternalGateway\('([^']*)'\)/g, 'gateway.existingGateway: $1'],
  [/MeshContext\.of\([a-z]*\)\.declareInstall\(\{ extensionProviders: \[([^\]]*)\] \}\)/g, 'mesh.extensionProviders: [$1]'],
  [/MeshContext\.of\([a-z]*\)\.declareInstall\(\{ revisions \}\)/g, 'mesh.revisions'],
  [/Duration\.(?:seconds|millis)\(n?\d*\)/g, 'a duration such as 30s'],
];

export function valuesFix(fix: string): string {
  return VALUES_WORDING.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), fix);
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
export function buildValuesApp(name: string, merged: MergedValues, outdir?: string, namespace?: string): ValuesApp {
  const app = new IstioApp(outdir ? { outdir } : {});
  const chart = new IstioChart(app, name, namespace ? { namespace } : {});
  try {
    buildFromValues(chart, merged.values as IstioValues);
  } catch (e) {
    if (e instanceof PropError || e instanceof PropErrors) {
      const errors = e instanceof PropErrors ? e.errors : [e];
      throw new ValuesError(errors.map((err) => {
        const pointer = valuesPointer(relativePath(chart, err.constructPath), err.field);
        return `${where(pointer ? merged.locationOf(pointer) : undefined)}[${err.constructPath}] ${err.field}: ${err.problem} (fix: ${valuesFix(err.fix)})`;
      }));
    }
    throw e;
  }
  const result = synthesize(app);
  const locate = (f: Finding) => {
    // A construct's late problem names a prop, which is a values key; an object's field is not.
    const pointer = valuesPointer(relativePath(chart, f.constructPath), f.object === '(construct)' ? f.field : undefined);
    return `${where(pointer ? merged.locationOf(pointer) : undefined)}${formatFinding({ ...f, fix: valuesFix(f.fix) })}`;
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
