/**
 * Lazy render: turns the construct tree into manifests, once.
 *
 * cdk8s's `App.synth()` and `Chart.toJson()` re-run every construct validation for each chart and
 * give no way back from a manifest to the construct that made it. The analysis needs both the
 * manifest and its construct path, so we walk the tree ourselves, keeping cdk8s's semantics:
 * dependencies between constructs order the objects and charts, each object belongs to its
 * closest chart, and construct validations run once. Where cdk8s's own topological sort may
 * reorder objects no dependency constrains, ours keeps the order they were written in.
 */
import { ApiObject, App, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { CLUSTER_SCOPED_KINDS, groupKindOf, Json, RenderedObject } from './analysis/rendered';
import { isGeneratedL1, losslessJson } from './l1';
import { stableTopologicalOrder } from './ordering';
import { lateProblems, withoutTextValidation } from './validation/late';
import { NEWEST_MINOR, servedApiVersions } from './analysis/crd-artefact';
import { bundledMinorFor } from './istio-version';
import { MeshContext } from './mesh-context';

/** A construct validation that failed: our constructs' with their field and fix, others' as text. */
export interface ConstructError {
  readonly path: string;
  readonly field?: string;
  readonly message: string;
  readonly fix?: string;
}

export interface RenderResult {
  readonly objects: RenderedObject[];
  /** Charts in output order, with their objects and the charts they must follow. */
  readonly charts: Array<{ readonly chart: Chart; readonly objects: RenderedObject[]; readonly dependsOn: readonly Chart[] }>;
  /** Errors returned by construct validations (late checks and `node.addValidation`). */
  readonly constructErrors: ConstructError[];
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

/**
 * An object's manifest. Objects of generated Istio L1 classes render from their props as given
 * rather than through the generated mappers, which drop every field they do not know.
 */
function manifestOf(obj: ApiObject): Json {
  return isGeneratedL1(obj) ? losslessJson(obj) : obj.toJson() as Json;
}

/**
 * The app's structure in one pass over the tree: every chart in tree order with its ApiObjects
 * in tree order, and the dependencies between them the way cdk8s resolves them. A construct
 * that depends on another orders its objects after the other's when both are in one chart, and
 * its chart after the other's chart otherwise; a chart also comes after the charts nested in it.
 */
function structure(all: readonly IConstruct[]): {
  charts: Chart[];
  objectsOf: Map<Chart, ApiObject[]>;
  chartDeps: Map<Chart, Set<Chart>>;
  objectDeps: Map<ApiObject, Set<ApiObject>>;
} {
  const chartOf = new Map<IConstruct, Chart | undefined>();
  const charts: Chart[] = [];
  const objectsOf = new Map<Chart, ApiObject[]>();
  for (const c of all) {
    const parent = c.node.scope;
    const inherited = parent ? chartOf.get(parent) : undefined;
    const own = c instanceof Chart ? c : inherited;
    chartOf.set(c, own);
    if (c instanceof Chart) {
      charts.push(c);
      objectsOf.set(c, []);
    } else if (c instanceof ApiObject && own) {
      objectsOf.get(own)!.push(c);
    }
  }
  const chartDeps = new Map<Chart, Set<Chart>>(charts.map((c) => [c, new Set<Chart>()]));
  const objectDeps = new Map<ApiObject, Set<ApiObject>>();
  for (const chart of charts) {
    const parent = chart.node.scope ? chartOf.get(chart.node.scope) : undefined;
    if (parent) {
      chartDeps.get(parent)!.add(chart);
    }
  }
  const objectsUnder = (c: IConstruct, chart: Chart) => c.node.findAll().filter((x): x is ApiObject => x instanceof ApiObject && chartOf.get(x) === chart);
  for (const source of all) {
    for (const target of source.node.dependencies) {
      const sourceChart = chartOf.get(source);
      const targetChart = chartOf.get(target);
      if (!sourceChart || !targetChart) {
        continue;
      }
      if (sourceChart !== targetChart) {
        chartDeps.get(sourceChart)!.add(targetChart);
        continue;
      }
      const targets = objectsUnder(target, targetChart);
      for (const s of objectsUnder(source, sourceChart)) {
        let set = objectDeps.get(s);
        if (!set) {
          set = new Set();
          objectDeps.set(s, set);
        }
        for (const t of targets) {
          if (t !== s) {
            set.add(t);
          }
        }
      }
    }
  }
  return { charts, objectsOf, chartDeps, objectDeps };
}

/**
 * The object with the apiVersion its target Istio serves: the L1 classes are generated from the
 * newest bundle and write `networking.istio.io/v1`, which Istio 1.20 does not serve. An
 * apiVersion the target serves is kept as written; one only newer Istio serves is replaced by the
 * target's preferred served version of the kind (v1, else v1beta1, else v1alpha3). The served versions of one
 * kind share one schema within a bundle (a test checks it for every bundle), so this changes
 * nothing else. A kind the target does not serve at all is left for the schema check to report.
 */
function forIstioVersion(manifest: Json, istioVersion: string): Json {
  const apiVersion = String(manifest.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  const minor = bundledMinorFor(istioVersion);
  // For the newest minor there is nothing newer to replace.
  if (minor === NEWEST_MINOR || slash < 0 || !apiVersion.slice(0, slash).endsWith('istio.io')) {
    return manifest;
  }
  const group = apiVersion.slice(0, slash);
  const version = apiVersion.slice(slash + 1);
  const served = servedApiVersions(group, String(manifest.kind), minor);
  // Only a version some Istio serves is replaced; anything else (a typo) is the schema check's to report.
  if (served.length === 0 || served.includes(version) || !servedApiVersions(group, String(manifest.kind), NEWEST_MINOR).includes(version)) {
    return manifest;
  }
  const preferred = ['v1', 'v1beta1', 'v1alpha3', 'v1alpha2', 'v1alpha1'].find((v) => served.includes(v)) ?? served[0];
  return { ...manifest, apiVersion: `${group}/${preferred}` };
}

export function renderApp(app: App): RenderResult {
  const istioVersion = MeshContext.of(app).istioVersion;
  const all = app.node.findAll();
  const constructErrors: ConstructError[] = [];
  for (const c of all) {
    for (const p of lateProblems(c)) {
      constructErrors.push({ path: c.node.path, field: p.field || undefined, message: p.problem, fix: p.fix });
    }
    for (const message of withoutTextValidation(() => c.node.validate())) {
      constructErrors.push({ path: c.node.path, message });
    }
  }
  const { charts: treeCharts, objectsOf, chartDeps, objectDeps } = structure(all);

  const charts: RenderResult['charts'] = [];
  const objects: RenderedObject[] = [];
  // Charts in dependency order: a chart that others depend on (say, the namespaces) comes first,
  // so its file is applied first too. Otherwise charts and objects keep the order of the tree.
  const orderedCharts = stableTopologicalOrder(treeCharts, (c) => chartDeps.get(c) ?? [], (c) => `chart ${c.node.path}`);
  for (const chart of orderedCharts) {
    const chartObjects: RenderedObject[] = [];
    const apiObjects = stableTopologicalOrder(objectsOf.get(chart) ?? [], (o) => objectDeps.get(o) ?? [], (o) => o.node.path);
    for (const obj of apiObjects) {
      const rendered: RenderedObject = {
        manifest: forIstioVersion(stripClusterScopedNamespace(manifestOf(obj)), istioVersion),
        constructPath: obj.node.path,
        chartPath: chart.node.path,
      };
      chartObjects.push(rendered);
      objects.push(rendered);
    }
    charts.push({ chart, objects: chartObjects, dependsOn: [...(chartDeps.get(chart) ?? [])] });
  }
  return { objects, charts, constructErrors };
}
