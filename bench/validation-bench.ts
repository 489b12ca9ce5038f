/**
 * Cold validation, one fresh process per sample: the objects of an N-service app (a
 * VirtualService, a DestinationRule and an AuthorizationPolicy per service) checked by our
 * validator (CRD schema and CEL rules, from the first require) beside `@kubernetes-models/istio`'s
 * `new` + `validate()` (schema only), a dev dependency of the benchmark alone. Not a test.
 *
 *   node lib/bench/validation-bench.js [--services 10] [--runs 5]
 */
import { spawnSync } from 'child_process';

function objects(services: number): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  for (let i = 0; i < services; i++) {
    const host = `svc-${i}.shop.svc.cluster.local`;
    out.push({
      apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: `svc-${i}`, namespace: 'shop' },
      spec: { hosts: [host], http: [{ match: [{ uri: { prefix: '/api/' } }], route: [{ destination: { host, subset: 'v2' }, weight: 10 }, { destination: { host, subset: 'v1' }, weight: 90 }], timeout: '5s' }] },
    });
    out.push({
      apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: `svc-${i}`, namespace: 'shop' },
      spec: { host, subsets: [{ name: 'v1', labels: { version: 'v1' } }, { name: 'v2', labels: { version: 'v2' } }], trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } } } },
    });
    out.push({
      apiVersion: 'security.istio.io/v1', kind: 'AuthorizationPolicy', metadata: { name: `svc-${i}`, namespace: 'shop' },
      spec: { selector: { matchLabels: { app: `svc-${i}` } }, rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway'] } }], to: [{ operation: { methods: ['GET'] } }] }] },
    });
  }
  return out;
}

/** `import()` as Node runs it (TypeScript's CommonJS output would turn it into require, which an ES-module-only package refuses). */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<Record<string, new (o: unknown) => { validate(): void }>>;

/** One sample in this process: ms from the first require (or import) to the last object checked. */
async function sample(which: 'ours' | 'theirs', services: number): Promise<number> {
  const objs = objects(services);
  const t0 = performance.now();
  if (which === 'ours') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { validateManifest } = require('../src/analysis/schema-validator') as typeof import('../src/analysis/schema-validator');
    for (const o of objs) {
      validateManifest(o);
    }
  } else {
    const classes: Record<string, new (o: unknown) => { validate(): void }> = {
      'networking.istio.io/v1/VirtualService': (await importEsm('@kubernetes-models/istio/networking.istio.io/v1/VirtualService')).VirtualService,
      'networking.istio.io/v1/DestinationRule': (await importEsm('@kubernetes-models/istio/networking.istio.io/v1/DestinationRule')).DestinationRule,
      'security.istio.io/v1/AuthorizationPolicy': (await importEsm('@kubernetes-models/istio/security.istio.io/v1/AuthorizationPolicy')).AuthorizationPolicy,
    };
    for (const o of objs) {
      new classes[`${String(o.apiVersion)}/${String(o.kind)}`](o).validate();
    }
  }
  return performance.now() - t0;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function main(): Promise<void> {
  const arg = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const only = process.argv.indexOf('--sample');
  if (only >= 0) {
    process.stdout.write(`${await sample(process.argv[only + 1] as 'ours' | 'theirs', arg('--services', 10))}\n`);
    return;
  }
  const runs = arg('--runs', 5);
  for (const services of [10, 5000]) {
    const run = (which: string) => Array.from({ length: runs }, () => Number(spawnSync(process.execPath, [__filename, '--sample', which, '--services', String(services)], { encoding: 'utf8' }).stdout));
    const ours = median(run('ours'));
    const theirs = median(run('theirs'));
    process.stdout.write(`${JSON.stringify({ services, objects: services * 3, oursMs: Math.round(ours), kubernetesModelsMs: Math.round(theirs), ratio: +(ours / theirs).toFixed(2) })}\n`);
  }
}

if (require.main === module) {
  void main();
}
