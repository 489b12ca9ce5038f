import { ApiObject, JsonPatch } from 'cdk8s';
import { MeshContext } from '../src/mesh-context';
import { InjectionKind, InjectionMode } from '../src/injection';
import { IstioChart } from '../src/istio-chart';
import { isMeshNamespaceRef, MeshNamespace } from '../src/mesh-namespace';
import { findings, synthManifests, testApp } from '../src/testing';

function chart() {
  return new IstioChart(testApp(), 'c', { namespace: 'team' });
}

describe('MeshNamespace', () => {
  test.each([
    ['enabled', InjectionMode.enabled(), { 'istio-injection': 'enabled' }],
    ['revision', InjectionMode.revision('1-30-3'), { 'istio.io/rev': '1-30-3' }],
    ['ambient', InjectionMode.ambient(), { 'istio.io/dataplane-mode': 'ambient' }],
    ['disabled', InjectionMode.disabled(), { 'istio-injection': 'disabled' }],
  ])('%s injection renders exactly one label', (_name, mode, labels) => {
    const c = chart();
    new MeshNamespace(c, 'shop', { injection: mode });
    const [ns] = synthManifests(c);
    expect(ns).toEqual({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels } });
    expect(ns).toMatchSnapshot();
  });

  test('no injection mode renders no injection label, and the chart namespace is not stamped on it', () => {
    const c = chart();
    const ns = new MeshNamespace(c, 'plain', { labels: { team: 'payments' }, annotations: { owner: 'payments@example.com' } });
    const manifests = synthManifests(c);
    expect(manifests).toEqual([{
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'plain', labels: { team: 'payments' }, annotations: { owner: 'payments@example.com' } },
    }]);
    expect(ns.injection.kind).toBe(InjectionKind.NONE);
    expect(manifests).toMatchSnapshot();
  });

  test('the name defaults to the id and can be set; the namespace is a namespace reference with its mode', () => {
    const c = chart();
    const ns = new MeshNamespace(c, 'id', { name: 'payments', injection: InjectionMode.revision('canary') });
    expect(ns.name).toBe('payments');
    expect(isMeshNamespaceRef(ns)).toBe(true);
    expect(ns.injection.revisionName).toBe('canary');
    expect(String(ns.injection)).toBe('revision(canary)');
    expect(ApiObject.of(ns).metadata.name).toBe('payments');
  });

  test('an injection label next to a mode is refused, naming the path and the label', () => {
    expect(() => new MeshNamespace(chart(), 'shop', {
      injection: InjectionMode.revision('canary'),
      labels: { 'istio-injection': 'enabled' },
    })).toThrow(/\[c\/shop\] labels\.istio-injection: .*fix: drop it from `labels`/);
  });

  test.each(['istio-injection', 'istio.io/rev', 'istio.io/dataplane-mode'])('the injection label %s is refused in labels even without a mode', (key) => {
    expect(() => new MeshNamespace(chart(), 'shop', { labels: { [key]: 'x' } })).toThrow(new RegExp(`\\[c/shop\\] labels\\.${key.replace(/\./g, '\\.')}`));
  });

  test('a bad revision name or namespace name is refused', () => {
    expect(() => new MeshNamespace(chart(), 'shop', { injection: InjectionMode.revision('Canary_1') }))
      .toThrow(/\[c\/shop\] injection: "Canary_1" is not a valid revision name/);
    expect(() => new MeshNamespace(chart(), 'Shop')).toThrow(/\[c\/Shop\] metadata\.name: "Shop" is not a valid name/);
  });

  test('a conflicting label added by hand through the escape hatch fails synth with IST0123', () => {
    const c = chart();
    const ns = new MeshNamespace(c, 'shop', { injection: InjectionMode.enabled() });
    ApiObject.of(ns).metadata.addLabel('istio.io/rev', 'canary');
    const f = findings(c).filter((x) => x.code === 'IST0123');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', constructPath: 'c/shop/Resource', field: 'metadata.labels', object: 'Namespace shop' });
    expect(() => synthManifests(c)).toThrow(/IST0123 \[c\/shop\/Resource\] Namespace shop metadata\.labels/);
  });

  test('a conflicting label added with a JSON patch fails synth with IST0123', () => {
    const c = chart();
    const ns = new MeshNamespace(c, 'shop', { injection: InjectionMode.revision('stable') });
    ApiObject.of(ns).addJsonPatch(JsonPatch.add('/metadata/labels/istio-injection', 'enabled'));
    expect(findings(c).map((x) => x.code)).toContain('IST0123');
  });

  test('a namespace built only through the API passes the analysis', () => {
    const c = chart();
    new MeshNamespace(c, 'shop', { injection: InjectionMode.revision('stable') });
    expect(findings(c).filter((x) => x.code === 'IST0123')).toEqual([]);
  });
});

describe('MeshNamespace.fromExisting', () => {
  test('declares the namespace with its injection labels to the analysis', () => {
    const c = chart();
    const ref = MeshNamespace.fromExisting(c, 'legacy', InjectionMode.revision('1-29'));
    expect(ref).toEqual({ name: 'legacy', injection: InjectionMode.revision('1-29') });
    expect(isMeshNamespaceRef(ref)).toBe(true);
    expect(MeshContext.of(c).externalNamespace('legacy')).toEqual({ 'istio.io/rev': '1-29' });
    expect(synthManifests(c)).toEqual([]);
  });

  test('without a mode the namespace is known with no labels', () => {
    const c = chart();
    MeshNamespace.fromExisting(c, 'plain');
    expect(MeshContext.of(c).externalNamespace('plain')).toEqual({});
  });

  test('a bad name or revision is refused', () => {
    expect(() => MeshNamespace.fromExisting(chart(), 'Bad_Name')).toThrow(/\[c\] name: "Bad_Name" is not a valid namespace name/);
    expect(() => MeshNamespace.fromExisting(chart(), 'ok', InjectionMode.revision(''))).toThrow(/\[c\] injection: the revision name is empty/);
  });
});
