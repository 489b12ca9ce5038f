/**
 * The L2 mesh benchmark: N services across namespaces of 100, each a gateway-bound
 * VirtualService with 2 routes, a DestinationRule with 2 subsets and an AuthorizationPolicy,
 * built with the L2 constructs and synthesized with every check, to strings. Beside it, the
 * floor: the same plain objects printed the way cdk8s prints them (`Yaml.stringify`, the `yaml`
 * package), and `JSON.stringify` of them. Not a test: `npm run bench`, see bench/README.md.
 *
 *   node lib/bench/mesh-bench.js --services 5000 [--runs 3] [--floor]
 *
 * One N per process, so peak memory belongs to that N; `--floor` runs only the floor (its own
 * process, so its memory is its own too).
 */
import { Yaml } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as kplus from 'cdk8s-plus-28';
import { analyze } from '../src/analysis/engine';
import { AuthorizationPolicy, PolicyAction } from '../src/authorization-policy';
import { Operation, Source } from '../src/authorization-rule';
import { DestinationRule } from '../src/destination-rule';
import { Gateway } from '../src/gateway';
import { GatewayTls, Server } from '../src/gateway-server';
import { GatewayWorkload } from '../src/gateway-workload';
import { Match } from '../src/http-match';
import { IstioApp } from '../src/istio-app';
import { IstioChart } from '../src/istio-chart';
import { MeshContext } from '../src/mesh-context';
import { MeshWorkload } from '../src/mesh-workload';
import { renderApp } from '../src/render';
import { Destination } from '../src/route-destination';
import { toYamlStream } from '../src/synthesis';
import { VirtualService } from '../src/virtual-service';

const PER_NAMESPACE = 100;

function option(argv: string[], name: string, fallback: number): number {
  const i = argv.indexOf(name);
  return i >= 0 ? Number(argv[i + 1]) : fallback;
}

/** The mesh of `services` services, as an IstioApp. */
export function buildMesh(services: number): IstioApp {
  const app = new IstioApp({ outdir: '/nonexistent-bench-output' });
  MeshContext.of(app).declareExternalNamespace('istio-system');
  for (let n = 0; n * PER_NAMESPACE < services; n++) {
    const ns = `team-${String(n).padStart(2, '0')}`;
    const chart = new IstioChart(app, ns, { namespace: ns });
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: ns, labels: { 'istio-injection': 'enabled' } } });
    const workload = GatewayWorkload.fromSelector(chart, 'ingress', { selector: { istio: 'ingressgateway' }, namespace: 'istio-system', serviceAccountName: 'istio-ingressgateway', servicePorts: [443] });
    new k8s.KubeSecret(chart, 'tls', { metadata: { name: `${ns}-tls`, namespace: 'istio-system' }, type: 'kubernetes.io/tls' });
    const gateway = new Gateway(chart, 'gateway', { name: 'edge', workload, servers: [Server.https({ hosts: [`${ns}/*.${ns}.example.com`], tls: GatewayTls.simple(`${ns}-tls`) })] });
    for (let i = 0; i < PER_NAMESPACE && n * PER_NAMESPACE + i < services; i++) {
      const name = `svc-${i}`;
      const svc = new kplus.Service(chart, `${name}-svc`, { metadata: { name }, ports: [{ port: 8080, name: 'http' }] });
      const dr = new DestinationRule(chart, `${name}-dr`, { name, host: svc });
      const v1 = dr.addSubset('v1', { version: 'v1' });
      const v2 = dr.addSubset('v2', { version: 'v2' });
      new VirtualService(chart, `${name}-vs`, {
        name,
        hosts: [`${name}.${ns}.example.com`],
        http: [
          { name: 'beta', match: [Match.prefix('/api/').and(Match.header('x-beta', 'true'))], to: [Destination.to(v2)] },
          { name: 'default', to: [Destination.to(v1, { weight: 90 }), Destination.to(v2, { weight: 10 })] },
        ],
      }).bindTo(gateway);
      new AuthorizationPolicy(chart, `${name}-authz`, {
        name,
        selector: MeshWorkload.fromLabels(ns, { app: name }),
        action: PolicyAction.ALLOW,
        rules: [{ from: [Source.principals('cluster.local/ns/istio-system/sa/istio-ingressgateway')], to: [Operation.methods('GET', 'POST')] }],
      });
    }
  }
  return app;
}

interface Sample {
  readonly construct: number;
  readonly render: number;
  readonly analysis: number;
  readonly yaml: number;
  readonly total: number;
  readonly objects: number;
  readonly bytes: number;
  readonly findings: number;
}

function synthOnce(services: number): Sample {
  const t0 = performance.now();
  const app = buildMesh(services);
  const t1 = performance.now();
  const render = renderApp(app);
  const t2 = performance.now();
  const result = analyze(render.objects, { context: MeshContext.of(app), root: app });
  const t3 = performance.now();
  let bytes = 0;
  for (const chart of render.charts) {
    bytes += toYamlStream(chart.objects.map((o) => o.manifest)).length;
  }
  const t4 = performance.now();
  return { construct: t1 - t0, render: t2 - t1, analysis: t3 - t2, yaml: t4 - t3, total: t4 - t0, objects: render.objects.length, bytes, findings: result.findings.length };
}

/** The floor: the same manifests, already plain data, printed as cdk8s prints them and as JSON. */
function floorOnce(services: number): { yaml: number; json: number; objects: number } {
  const manifests = renderApp(buildMesh(services)).objects.map((o) => JSON.parse(JSON.stringify(o.manifest)) as object);
  const t0 = performance.now();
  for (const m of manifests) {
    Yaml.stringify(m);
  }
  const t1 = performance.now();
  for (const m of manifests) {
    JSON.stringify(m);
  }
  const t2 = performance.now();
  return { yaml: t1 - t0, json: t2 - t1, objects: manifests.length };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function main(): void {
  const argv = process.argv.slice(2);
  const services = option(argv, '--services', 5000);
  const runs = option(argv, '--runs', 3);
  const rss = () => (process.resourceUsage().maxRSS / 1024).toFixed(0);
  if (argv.includes('--floor')) {
    const samples = Array.from({ length: runs }, () => floorOnce(services));
    process.stdout.write(`${JSON.stringify({ services, objects: samples[0].objects, floorYamlMs: median(samples.map((s) => s.yaml)), jsonMs: median(samples.map((s) => s.json)), peakRssMiB: Number(rss()) })}\n`);
    return;
  }
  const samples = Array.from({ length: runs }, () => synthOnce(services));
  const m = (k: keyof Sample) => Math.round(median(samples.map((s) => s[k])));
  process.stdout.write(`${JSON.stringify({
    services, objects: samples[0].objects, findings: samples[0].findings, mib: +(samples[0].bytes / 1024 / 1024).toFixed(1),
    constructMs: m('construct'), renderMs: m('render'), analysisMs: m('analysis'), yamlMs: m('yaml'), totalMs: m('total'),
    minTotalMs: Math.round(Math.min(...samples.map((s) => s.total))), maxTotalMs: Math.round(Math.max(...samples.map((s) => s.total))), peakRssMiB: Number(rss()),
  })}\n`);
}

if (require.main === module) {
  main();
}
