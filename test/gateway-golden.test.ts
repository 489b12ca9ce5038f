/**
 * Chart parity: our gateway Deployment, Service and PodDisruptionBudget against Istio's own
 * renders of its `gateway` chart (../shared/istio/golden-1.30.3), built from the same values
 * (`inputs/<name>.yaml`). Objects must be equal field by field after removing only the
 * differences listed in ALLOWED_DIFFERENCES, each with the reason it is allowed.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as YAML from 'yaml';
import { Json } from '../src/analysis/rendered';
import { GatewayScaling } from '../src/gateway-deployment';
import { IngressGateway, IngressGatewayProps } from '../src/ingress-gateway';
import { IstioChart } from '../src/istio-chart';
import { synthManifests, testApp } from '../src/testing';
import { describeWithShared, SHARED_DIR } from './shared';

const GOLDEN_DIR = path.join(SHARED_DIR, 'istio', 'golden-1.30.3');

/**
 * The only ways our objects may differ from the chart's, and why.
 * - `helm.sh/chart`, `app.kubernetes.io/managed-by: Helm`, `app.kubernetes.io/version`: Helm's
 *   bookkeeping about the release that rendered the object (chart name and version, "Helm");
 *   nothing selects on them and they would be false for objects cdk8s renders.
 * - `metadata.annotations: {}`: the chart always writes the map, empty by default; an empty map
 *   and an absent one are the same object to the API server, and we write none.
 * - container `env:` with no entries (YAML null): the chart writes the key unconditionally; the
 *   API server drops a null list, so we omit it.
 * - names: the chart takes the release name; we take the construct's `name`, which the test
 *   sets to the golden's release name, so names compare equal and need no allowance.
 */
const HELM_LABELS = ['helm.sh/chart', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/version'];

function withoutAllowedDifferences(obj: Json): Json {
  const copy = JSON.parse(JSON.stringify(obj)) as Json;
  const scrubMeta = (meta: Json | undefined) => {
    if (!meta) {
      return;
    }
    const labels = meta.labels as Record<string, string> | undefined;
    for (const key of HELM_LABELS) {
      delete labels?.[key];
    }
    if (meta.annotations !== undefined && (meta.annotations === null || Object.keys(meta.annotations as Json).length === 0)) {
      delete meta.annotations;
    }
  };
  scrubMeta(copy.metadata as Json);
  const template = (copy.spec as Json | undefined)?.template as Json | undefined;
  if (template) {
    scrubMeta(template.metadata as Json);
    for (const c of ((template.spec as Json).containers ?? []) as Json[]) {
      if (c.env === null || (Array.isArray(c.env) && c.env.length === 0)) {
        delete c.env;
      }
    }
  }
  return copy;
}

/** The golden render of `name`, or undefined when the chart renders nothing for those values. */
function golden(name: string): Json | undefined {
  const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(GOLDEN_DIR, `${name}.golden.yaml`), 'utf8'))
    .map((d) => d.toJSON() as Json | null)
    .filter((d): d is Json => !!d);
  expect(docs.length).toBeLessThanOrEqual(1);
  return docs[0];
}

interface ChartValues {
  readonly replicaCount?: number;
  readonly autoscaling?: { readonly enabled?: boolean; readonly minReplicas?: number; readonly maxReplicas?: number; readonly targetCPUUtilizationPercentage?: number };
  readonly podDisruptionBudget?: { readonly minAvailable?: number | string; readonly maxUnavailable?: number | string };
  readonly service?: { readonly selectorLabels?: Record<string, string>; readonly type?: string };
  readonly networkGateway?: string;
}

/**
 * The chart values of an input file as IngressGateway props. Only the keys the inputs use are
 * translated; any other key fails the test so a new input is never silently ignored.
 */
function propsFromInput(name: string): IngressGatewayProps {
  const doc = (YAML.parse(fs.readFileSync(path.join(GOLDEN_DIR, 'inputs', `${name}.yaml`), 'utf8')) ?? {}) as { spec?: { values?: ChartValues } };
  const values = doc.spec?.values ?? {};
  const known = ['replicaCount', 'autoscaling', 'podDisruptionBudget', 'service', 'networkGateway'];
  expect(Object.keys(values).filter((k) => !known.includes(k))).toEqual([]);
  const autoscaled = values.autoscaling?.enabled ?? true;
  return {
    scaling: autoscaled
      ? GatewayScaling.autoscale({
        minReplicas: values.autoscaling?.minReplicas,
        maxReplicas: values.autoscaling?.maxReplicas,
        targetCpuUtilization: values.autoscaling?.targetCPUUtilizationPercentage,
      })
      : GatewayScaling.fixed(values.replicaCount ?? 1),
    podDisruptionBudget: values.podDisruptionBudget,
    serviceSelectorLabels: values.service?.selectorLabels,
    network: values.networkGateway,
  };
}

/** Our objects for an input, rendered under the golden's release name and namespace. */
function render(input: string, release: string, namespace: string): Record<string, Json> {
  const chart = new IstioChart(testApp(), 'c', { namespace });
  new IngressGateway(chart, 'gateway', { name: release, ...propsFromInput(input) });
  return Object.fromEntries(synthManifests(chart).map((m) => [String(m.kind), m]));
}

describeWithShared('gateway chart parity with Istio 1.30.3 golden renders', () => {
  test.each([
    ['gateway-deployment', 'Deployment', 'istio-ingress', 'istio-ingress'],
    ['gateway-service-default', 'Service', 'istio-ingress', 'istio-ingress'],
    ['gateway-service-selector-labels', 'Service', 'istio-ingress', 'istio-ingress'],
    ['gateway-network-gateway-default', 'Service', 'istio-eastwest', 'istio-system'],
    ['gateway-pdb-2replicas', 'PodDisruptionBudget', 'istio-ingress', 'istio-ingress'],
  ])('%s: our %s equals the chart\'s', (input, kind, release, namespace) => {
    const expected = golden(input);
    expect(expected).toBeDefined();
    expect((expected!.metadata as Json).name).toBe(release);
    expect((expected!.metadata as Json).namespace).toBe(namespace);
    const ours = render(input, release, namespace)[kind];
    expect(ours).toBeDefined();
    expect(withoutAllowedDifferences(ours)).toEqual(withoutAllowedDifferences(expected!));
  });

  test('gateway-pdb-default: the chart renders no PodDisruptionBudget, and neither do we', () => {
    expect(golden('gateway-pdb-default')).toBeUndefined();
    expect(render('gateway-pdb-default', 'istio-ingress', 'istio-ingress').PodDisruptionBudget).toBeUndefined();
  });

  test('the allowed differences are the only ones: the Helm labels really are in the golden and absent from ours', () => {
    const expected = golden('gateway-deployment')!;
    const ours = render('gateway-deployment', 'istio-ingress', 'istio-ingress').Deployment;
    const goldenLabels = (expected.metadata as Json).labels as Record<string, string>;
    const ourLabels = (ours.metadata as Json).labels as Record<string, string>;
    for (const key of HELM_LABELS) {
      expect(goldenLabels[key]).toBeDefined();
      expect(ourLabels[key]).toBeUndefined();
    }
    // Everything else the chart labels with, we label with the same value.
    for (const [k, v] of Object.entries(goldenLabels).filter(([k]) => !HELM_LABELS.includes(k))) {
      expect(ourLabels[k]).toBe(v);
    }
  });
});
