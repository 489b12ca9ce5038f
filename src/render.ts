/**
 * Lazy render: turns the construct tree into manifests, once, in cdk8s's own order.
 *
 * cdk8s's `App.synth()` and `Chart.toJson()` re-run every construct validation for each chart and
 * give no way back from a manifest to the construct that made it. The analysis needs both the
 * manifest and its construct path, so we walk the tree ourselves, keeping cdk8s's semantics:
 * dependencies between constructs order the objects, each object belongs to its closest chart,
 * and construct validations run once.
 */
import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, groupKindOf, Json, RenderedObject } from './analysis/rendered';

export interface RenderResult {
  readonly objects: RenderedObject[];
  /** Charts in output order, with their objects. */
  readonly charts: Array<{ readonly chart: Chart; readonly objects: RenderedObject[] }>;
  /** Errors returned by construct validations (`node.addValidation`), prefixed with their path. */
  readonly constructErrors: Array<{ readonly path: string; readonly message: string }>;
}

/** Mirrors cdk8s's dependency resolution so objects come out in the order `cdk8s synth` uses. */
function resolveDependencies(all: IConstruct[]): void {
  for (const parent of all) {
    if (parent instanceof Chart) {
      for (const child of parent.node.children) {
        if (child instanceof Chart) {
          parent.node.addDependency(child);
        }
      }
    }
  }
  const deps: Array<{ source: IConstruct; target: IConstruct }> = [];
  for (const child of all) {
    for (const dep of child.node.dependencies) {
      deps.push({ source: child, target: dep });
    }
  }
  for (const { source, target } of deps) {
    const sourceChart = Chart.of(source);
    const targetChart = Chart.of(target);
    if (sourceChart !== targetChart) {
      sourceChart.node.addDependency(targetChart);
    }
    const targets = target.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === targetChart);
    const sources = source.node.findAll().filter((c) => c instanceof ApiObject && Chart.of(c) === sourceChart);
    for (const t of targets) {
      for (const s of sources) {
        if (t !== s) {
          s.node.addDependency(t);
        }
      }
    }
  }
}

/** cdk8s stamps a chart's namespace on every object, cluster-scoped ones included. */
function stripClusterScopedNamespace(manifest: Json): Json {
  if (CLUSTER_SCOPED_KINDS.has(groupKindOf(manifest))) {
    const metadata = manifest.metadata as Json | undefined;
    if (metadata && 'namespace' in metadata) {
      delete metadata.namespace;
    }
  }
  return manifest;
}

export function renderApp(app: App): RenderResult {
  const all = app.node.findAll();
  const constructErrors: Array<{ path: string; message: string }> = [];
  for (const c of all) {
    for (const message of c.node.validate()) {
      constructErrors.push({ path: c.node.path, message });
    }
  }
  resolveDependencies(all);

  const charts: RenderResult['charts'] = [];
  const objects: RenderedObject[] = [];
  // Charts in dependency order, as `app.charts` gives them: a chart that others depend on (say,
  // the namespaces) comes first, so its file is applied first too.
  for (const chart of app.charts) {
    const chartObjects: RenderedObject[] = [];
    const apiObjects = new DependencyGraph(chart.node).topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
    for (const obj of apiObjects) {
      const rendered: RenderedObject = {
        manifest: stripClusterScopedNamespace(obj.toJson() as Json),
        constructPath: obj.node.path,
        chartPath: chart.node.path,
      };
      chartObjects.push(rendered);
      objects.push(rendered);
    }
    charts.push({ chart, objects: chartObjects });
  }
  return { objects, charts, constructErrors };
}
