import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ApiObject, App, Chart, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { analyze } from '../src/analysis/engine';
import { Finding, formatReport, Severity } from '../src/analysis/finding';
import { CheckRegistry } from '../src/analysis/registry';
import { suppress } from '../src/analysis/suppressions';
import { addIstioValidation } from '../src/istio-app';
import { IstioChart } from '../src/istio-chart';
import { synthesize, ValidationError } from '../src/synthesis';
import { findings, synthManifests, testApp } from '../src/testing';

function conflictingNamespace(chart: Chart, id: string, name: string): ApiObject {
  return new ApiObject(chart, id, {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name, labels: { 'istio-injection': 'enabled', 'istio.io/rev': 'stable' } },
  });
}

const codes = (fs_: readonly Finding[]) => fs_.map((f) => f.code);

describe('IST0123 conflicting injection labels', () => {
  test('a namespace with both labels is an error naming the labels', () => {
    const chart = new IstioChart(testApp(), 'c');
    conflictingNamespace(chart, 'ns', 'shop');
    const [f] = findings(chart);
    expect(f).toMatchObject({
      code: 'IST0123',
      severity: Severity.ERROR,
      constructPath: 'c/ns',
      object: 'Namespace shop',
      field: 'metadata.labels',
    });
    expect(f.message).toContain('istio.io/rev=stable');
  });

  test('one injection label is fine', () => {
    const chart = new IstioChart(testApp(), 'c');
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'shop', labels: { 'istio.io/rev': 'stable' } } });
    expect(findings(chart)).toEqual([]);
  });
});

describe('CKI0002 duplicate objects', () => {
  test('two constructs rendering the same kind, namespace and name are an error', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new k8s.KubeServiceAccount(chart, 'a', { metadata: { name: 'api' } });
    new k8s.KubeServiceAccount(chart, 'b', { metadata: { name: 'api' } });
    const dupes = findings(chart).filter((f) => f.code === 'CKI0002');
    expect(dupes).toHaveLength(1);
    expect(dupes[0]).toMatchObject({ constructPath: 'c/b', field: 'metadata.name', object: 'ServiceAccount shop/api' });
    expect(dupes[0].message).toContain('c/a');
  });

  test('an object without a namespace and one in default are the same object once applied', () => {
    const chart = new IstioChart(testApp(), 'c');
    new k8s.KubeServiceAccount(chart, 'a', { metadata: { name: 'api' } });
    new k8s.KubeServiceAccount(chart, 'b', { metadata: { name: 'api', namespace: 'default' } });
    expect(codes(findings(chart))).toContain('CKI0002');
  });

  test('the same name in another namespace or kind is fine', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new k8s.KubeServiceAccount(chart, 'a', { metadata: { name: 'api' } });
    new k8s.KubeServiceAccount(chart, 'b', { metadata: { name: 'api', namespace: 'other' } });
    new k8s.KubeConfigMap(chart, 'c', { metadata: { name: 'api' } });
    expect(codes(findings(chart))).not.toContain('CKI0002');
  });
});

describe('reporting', () => {
  test('every error is reported at once, errors first, with path, object, field and fix', () => {
    const chart = new IstioChart(testApp(), 'c');
    conflictingNamespace(chart, 'one', 'a');
    conflictingNamespace(chart, 'two', 'b');
    let error: ValidationError | undefined;
    try {
      synthManifests(chart);
    } catch (e) {
      error = e as ValidationError;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(codes(error!.findings)).toEqual(['IST0123', 'IST0123']);
    expect(error!.message).toContain('error IST0123 [c/one] Namespace a metadata.labels:');
    expect(error!.message).toContain('error IST0123 [c/two] Namespace b metadata.labels:');
    expect(error!.message).toMatch(/fix: keep one/);
    expect(error!.message).toContain('2 error(s), 0 warning(s), 0 info');
  });

  test('construct validations become CKI0001 findings alongside the analysis', () => {
    const chart = new IstioChart(testApp(), 'c');
    conflictingNamespace(chart, 'ns', 'a');
    chart.node.addValidation({ validate: () => ['something is off'] });
    expect(findings(chart).map((f) => `${f.code} ${f.constructPath} ${f.message}`)).toEqual([
      'CKI0001 c something is off',
      'IST0123 c/ns both istio-injection=enabled and istio.io/rev=stable are set; the revision label is ignored',
    ]);
  });

  test('the report is empty when there is nothing to say', () => {
    expect(formatReport([])).toBe('');
  });
});

describe('suppressions', () => {
  test('a suppressed code is not reported for the construct and its children, and keeps its reason', () => {
    const app = testApp();
    const chart = new IstioChart(app, 'c');
    conflictingNamespace(chart, 'ns', 'legacy');
    suppress(chart, 'IST0123', 'legacy namespace migrated next quarter');
    expect(findings(chart)).toEqual([]);
    expect(() => synthManifests(chart)).not.toThrow();
    const { suppressed } = synthesize(app);
    expect(suppressed.map((f) => [f.code, f.constructPath, f.reason])).toEqual([['IST0123', 'c/ns', 'legacy namespace migrated next quarter']]);
  });

  test('a suppression elsewhere in the tree does not apply', () => {
    const app = testApp();
    const chart = new IstioChart(app, 'c');
    const other = new IstioChart(app, 'other');
    conflictingNamespace(chart, 'ns', 'legacy');
    suppress(other, 'IST0123', 'not this one');
    expect(codes(findings(chart))).toEqual(['IST0123']);
  });

  test('a suppression needs a reason and a well-formed code', () => {
    const chart = new IstioChart(testApp(), 'c');
    expect(() => suppress(chart, 'IST0123', '  ')).toThrow(/\[c\] suppressing IST0123 needs a reason/);
    expect(() => suppress(chart, 'ist123', 'why')).toThrow(/codes look like IST0101/);
  });
});

describe('the engine', () => {
  test('rejects a check reporting an undefined code', () => {
    const registry = new CheckRegistry().addAppCheck({
      id: 'bad',
      check(ctx) {
        ctx.report(ctx.index.objects[0], { code: 'XYZ9999', message: 'm', fix: 'f' });
      },
    });
    const objects = [{ manifest: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } }, constructPath: 'p', chartPath: 'c' }];
    expect(() => analyze(objects, { registry })).toThrow(/unknown finding code XYZ9999/);
  });

  test('refuses two checks with one name', () => {
    const check = { id: 'dup', check: () => undefined };
    expect(() => new CheckRegistry().addAppCheck(check).addAppCheck(check)).toThrow(/already registered/);
  });
});

describe('addIstioValidation on a plain cdk8s App', () => {
  test('app.synth() fails on errors, lists them, and writes no manifests', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-plain-'));
    const app = new App({ outdir });
    const chart = new Chart(app, 'plain');
    conflictingNamespace(chart, 'ns', 'x');
    addIstioValidation(app);
    expect(() => app.synth()).toThrow(/IST0123 Namespace x metadata\.labels/);
    expect(fs.readdirSync(outdir)).toEqual([]);
  });

  test('a valid plain app synthesizes as usual', () => {
    const app = Testing.app();
    const chart = new Chart(app, 'plain');
    new k8s.KubeNamespace(chart, 'ns', { metadata: { name: 'ok', labels: { 'istio-injection': 'enabled' } } });
    addIstioValidation(app);
    app.synth();
    expect(fs.readdirSync(app.outdir)).toEqual(['plain.k8s.yaml']);
  });
});
