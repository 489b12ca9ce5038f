/**
 * Synth benchmark: builds an app of 15,000 Istio objects (a realistic mix across namespaces),
 * then times each step of the synth pipeline separately: construct tree, render, analysis and
 * YAML serialization. Not a test: `npm run bench`, read the table, see bench/README.md.
 *
 *   node lib/bench/synth-bench.js [--objects 15000] [--runs 5] [--checks]
 *
 * `--checks` adds a per-check breakdown of the analysis time (each check wrapped in a timer).
 */
import * as os from 'os';
import * as path from 'path';
import { Construct } from 'constructs';
import { k8s } from 'cdk8s-plus-28';
import { analyze } from '../src/analysis/engine';
import { defaultRegistry } from '../src/analysis/checks';
import { MeshContext } from '../src/mesh-context';
import { CheckRegistry, ObjectCheck } from '../src/analysis/registry';
import { groupKindOf } from '../src/analysis/rendered';
import { IstioApp } from '../src/istio-app';
import { IstioChart } from '../src/istio-chart';
import * as l1 from '../src/l1';
import { renderApp } from '../src/render';
import { toYamlStream } from '../src/synthesis';

interface Options {
  readonly objects: number;
  readonly runs: number;
  readonly perCheck: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string, fallback: number) => {
    const i = argv.indexOf(name);
    return i >= 0 ? Number(argv[i + 1]) : fallback;
  };
  return { objects: value('--objects', 15000), runs: value('--runs', 5), perCheck: argv.includes('--checks') };
}

/** Istio objects one service contributes: VirtualService, DestinationRule, AuthorizationPolicy, PeerAuthentication. */
const PER_SERVICE = 4;
/** Per namespace besides services: one Gateway and a few ServiceEntries. */
const SERVICE_ENTRIES = 5;
const NAMESPACE_SIZE = 250;

function service(scope: Construct, ns: string, i: number): void {
  const name = `svc-${i}`;
  const host = `${name}.${ns}.svc.cluster.local`;
  new l1.VirtualService(scope, `${name}-vs`, {
    metadata: { name },
    spec: {
      hosts: [host, `${name}.${ns}.example.com`],
      gateways: ['mesh', `${ns}/edge`],
      http: [
        {
          name: 'canary',
          match: [{ uri: { prefix: '/api/v2/' }, headers: { 'x-canary': { exact: 'true' } } }],
          route: [
            { destination: { host, subset: 'v2', port: { number: 8080 } }, weight: 90 },
            { destination: { host, subset: 'v3', port: { number: 8080 } }, weight: 10 },
          ],
          timeout: '5s',
          retries: { attempts: 3, perTryTimeout: '2s', retryOn: '5xx,reset,connect-failure' },
        },
        {
          name: 'api',
          match: [{ uri: { regex: '^/api/v[0-9]+/orders/[0-9]+$' } }, { uri: { prefix: '/api/' }, method: { exact: 'GET' } }],
          route: [{ destination: { host, subset: 'v1', port: { number: 8080 } } }],
          timeout: '10s',
          headers: { response: { set: { 'x-served-by': name } } },
        },
        {
          name: 'static',
          match: [{ uri: { prefix: '/static/' } }],
          rewrite: { uri: '/' },
          route: [{ destination: { host: `static.${ns}.svc.cluster.local`, port: { number: 80 } } }],
          corsPolicy: { allowOrigins: [{ exact: `https://${ns}.example.com` }], allowMethods: ['GET'], maxAge: '24h' },
        },
        {
          name: 'default',
          route: [{ destination: { host, subset: 'v1', port: { number: 8080 } } }],
          timeout: '15s',
        },
      ],
    },
  });
  new l1.DestinationRule(scope, `${name}-dr`, {
    metadata: { name },
    spec: {
      host,
      trafficPolicy: {
        connectionPool: { tcp: { maxConnections: 100, connectTimeout: '1s' }, http: { http1MaxPendingRequests: 64, idleTimeout: '60s' } },
        outlierDetection: { consecutive5XxErrors: 5, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 50 },
        tls: { mode: l1.DestinationRuleSpecTrafficPolicyTlsMode.ISTIO_UNDERSCORE_MUTUAL },
      },
      subsets: ['v1', 'v2', 'v3'].map((v) => ({
        name: v,
        labels: { app: name, version: v },
        trafficPolicy: { loadBalancer: { simple: l1.DestinationRuleSpecSubsetsTrafficPolicyLoadBalancerSimple.LEAST_UNDERSCORE_REQUEST } },
      })),
    },
  });
  new l1.AuthorizationPolicy(scope, `${name}-ap`, {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      action: l1.AuthorizationPolicySpecAction.ALLOW,
      rules: [
        {
          from: [{ source: { principals: [`cluster.local/ns/${ns}/sa/frontend`, 'cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }],
          to: [{ operation: { methods: ['GET', 'POST'], paths: ['/api/*'], ports: ['8080'] } }],
        },
        { from: [{ source: { namespaces: ['monitoring'] } }], to: [{ operation: { paths: ['/metrics'] } }] },
      ],
    },
  });
  new l1.PeerAuthentication(scope, `${name}-pa`, {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      mtls: { mode: l1.PeerAuthenticationSpecMtlsMode.STRICT },
      portLevelMtls: { 9090: { mode: l1.PeerAuthenticationSpecPortLevelMtlsMode.PERMISSIVE } },
    },
  });
}

function namespace(app: IstioApp, ns: string, services: number): void {
  const chart = new IstioChart(app, ns, { namespace: ns });
  new k8s.KubeNamespace(chart, 'namespace', { metadata: { name: ns, labels: { 'istio-injection': 'enabled' } } });
  new l1.Gateway(chart, 'edge', {
    metadata: { name: 'edge' },
    spec: {
      selector: { istio: 'ingressgateway' },
      servers: [
        {
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          hosts: [`${ns}/*.${ns}.example.com`],
          tls: { mode: l1.GatewaySpecServersTlsMode.SIMPLE, credentialName: `${ns}-tls` },
        },
        { port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: [`${ns}/*.${ns}.example.com`], tls: { httpsRedirect: true } },
      ],
    },
  });
  for (let i = 0; i < SERVICE_ENTRIES; i++) {
    new l1.ServiceEntry(chart, `external-${i}`, {
      metadata: { name: `external-${i}` },
      spec: {
        hosts: [`api-${i}.partner.example.com`],
        location: l1.ServiceEntrySpecLocation.MESH_UNDERSCORE_EXTERNAL,
        ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }, { number: 80, name: 'http', protocol: 'HTTP' }],
        resolution: l1.ServiceEntrySpecResolution.DNS,
      },
    });
  }
  for (let i = 0; i < services; i++) {
    service(chart, ns, i);
  }
}

/** The app and how many Istio objects it holds. */
export function buildApp(objects: number): { app: IstioApp; istioObjects: number } {
  const app = new IstioApp({ outdir: path.join(os.tmpdir(), 'cdk8s-istio-bench-unused') });
  MeshContext.of(app).declareExternalGatewayWorkload({ constructPath: 'istio-system/istio-ingressgateway', namespace: 'istio-system', labels: { istio: 'ingressgateway' }, servicePorts: [80, 443] });
  MeshContext.of(app).declareExternalNamespace('monitoring');
  const perNamespace = 1 + SERVICE_ENTRIES;
  let istioObjects = 0;
  for (let n = 0; istioObjects < objects; n++) {
    const left = objects - istioObjects;
    const size = Math.min(NAMESPACE_SIZE, left);
    const services = Math.max(0, Math.floor((size - perNamespace) / PER_SERVICE));
    namespace(app, `team-${String(n).padStart(3, '0')}`, services);
    istioObjects += perNamespace + services * PER_SERVICE;
  }
  return { app, istioObjects };
}

/** A registry of the default checks with a stopwatch around each. */
function timedRegistry(groupKinds: Iterable<string>, times: Map<string, number>): CheckRegistry {
  const registry = new CheckRegistry();
  const seen = new Set<ObjectCheck>();
  const timed = <T extends { id: string }>(check: T, run: () => void) => {
    const t0 = performance.now();
    run();
    times.set(check.id, (times.get(check.id) ?? 0) + performance.now() - t0);
  };
  for (const gk of groupKinds) {
    for (const check of defaultRegistry().objectChecksFor(gk)) {
      if (!seen.has(check)) {
        seen.add(check);
        registry.addObjectCheck({ id: check.id, groupKinds: check.groupKinds, check: (obj, ctx) => timed(check, () => check.check(obj, ctx)) });
      }
    }
  }
  for (const check of defaultRegistry().app) {
    registry.addAppCheck({ id: check.id, check: (ctx) => timed(check, () => check.check(ctx)) });
  }
  return registry;
}

interface Sample {
  construct: number;
  render: number;
  analysis: number;
  yaml: number;
  total: number;
}

function once(options: Options, checkTimes?: Map<string, number>): { sample: Sample; istioObjects: number; objects: number; findings: Map<string, number>; bytes: number } {
  const t0 = performance.now();
  const { app, istioObjects } = buildApp(options.objects);
  const t1 = performance.now();
  const render = renderApp(app);
  const t2 = performance.now();
  const registry = checkTimes ? timedRegistry(new Set(render.objects.map((o) => groupKindOf(o.manifest))), checkTimes) : undefined;
  const result = analyze(render.objects, { context: MeshContext.of(app), root: app, registry });
  const t3 = performance.now();
  let bytes = 0;
  for (const chart of render.charts) {
    bytes += toYamlStream(chart.objects.map((o) => o.manifest)).length;
  }
  const t4 = performance.now();
  const findings = new Map<string, number>();
  for (const f of result.findings) {
    findings.set(`${f.severity} ${f.code}`, (findings.get(`${f.severity} ${f.code}`) ?? 0) + 1);
  }
  return {
    sample: { construct: t1 - t0, render: t2 - t1, analysis: t3 - t2, yaml: t4 - t3, total: t4 - t0 },
    istioObjects,
    objects: render.objects.length,
    findings,
    bytes,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) => r.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ')).join('\n');
}

function main(): void {
  const options = parseArgs(process.argv.slice(2));
  const samples: Sample[] = [];
  let last: ReturnType<typeof once> | undefined;
  for (let r = 0; r < options.runs; r++) {
    last = once(options);
    samples.push(last.sample);
    const s = last.sample;
    process.stdout.write(`run ${r + 1}/${options.runs}: construct ${s.construct.toFixed(0)}, render ${s.render.toFixed(0)}, ` +
      `analysis ${s.analysis.toFixed(0)}, yaml ${s.yaml.toFixed(0)}, total ${s.total.toFixed(0)} ms\n`);
  }
  if (!last) {
    return;
  }
  const steps: Array<[keyof Sample, string]> = [
    ['construct', 'construct tree'],
    ['render', 'render (renderApp)'],
    ['analysis', 'analysis (analyze)'],
    ['yaml', 'YAML (toYamlStream)'],
    ['total', 'total'],
  ];
  const rows = [['step', 'median ms', 'min ms', 'max ms']];
  for (const [key, label] of steps) {
    const values = samples.map((s) => s[key]);
    rows.push([label, median(values).toFixed(0), Math.min(...values).toFixed(0), Math.max(...values).toFixed(0)]);
  }
  const rssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`\n${last.istioObjects} Istio objects (${last.objects} objects in all), ${(last.bytes / 1024 / 1024).toFixed(1)} MiB of YAML, ` +
    `${options.runs} runs, node ${process.version}, ${os.cpus().length} CPUs\n\n${table(rows)}\n\npeak RSS ${rssMb.toFixed(0)} MiB\n`);
  const found = [...last.findings.entries()].sort();
  process.stdout.write(`findings: ${found.length ? found.map(([k, n]) => `${k} x${n}`).join(', ') : 'none'}\n`);

  if (options.perCheck) {
    const times = new Map<string, number>();
    const { sample } = once(options, times);
    const checkRows = [['check', 'ms']];
    let sum = 0;
    for (const [id, ms] of [...times.entries()].sort((a, b) => b[1] - a[1])) {
      checkRows.push([id, ms.toFixed(1)]);
      sum += ms;
    }
    checkRows.push(['(index and engine)', (sample.analysis - sum).toFixed(1)]);
    process.stdout.write(`\nanalysis by check (one extra run, analysis ${sample.analysis.toFixed(0)} ms):\n${table(checkRows)}\n`);
  }
}

if (require.main === module) {
  main();
}
