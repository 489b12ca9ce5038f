import { Json } from '../src/analysis/rendered';
import { IstioChart } from '../src/istio-chart';
import { MtlsMode, PeerAuthentication } from '../src/peer-authentication';
import { synthManifests, testApp } from '../src/testing';
import { MeshWorkload } from '../src/mesh-workload';

function chart(): IstioChart {
  return new IstioChart(testApp(), 'c', { namespace: 'shop' });
}

function peerAuths(c: IstioChart): Json[] {
  return synthManifests(c).filter((m) => m.kind === 'PeerAuthentication');
}

const api = MeshWorkload.fromLabels('shop', { app: 'api' }, { serviceAccountName: 'api' });

describe('PeerAuthentication', () => {
  test('STRICT by default, namespace-wide in the chart namespace', () => {
    const c = chart();
    const pa = new PeerAuthentication(c, 'default');
    expect(pa.mode).toBe(MtlsMode.STRICT);
    const [m] = peerAuths(c);
    expect(m).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: { name: 'default', namespace: 'shop' },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(m).toMatchSnapshot();
  });

  test('mesh-wide lands in the root namespace without a selector', () => {
    const c = chart();
    new PeerAuthentication(c, 'mesh', { name: 'default', meshWide: true });
    new PeerAuthentication(c, 'mesh-custom-root', { name: 'default', meshWide: true, rootNamespace: 'mesh-root', mode: MtlsMode.PERMISSIVE });
    const [mesh, custom] = peerAuths(c);
    expect(mesh.metadata).toEqual({ name: 'default', namespace: 'istio-system' });
    expect(mesh.spec).toEqual({ mtls: { mode: 'STRICT' } });
    expect(custom.metadata).toEqual({ name: 'default', namespace: 'mesh-root' });
    expect(custom.spec).toEqual({ mtls: { mode: 'PERMISSIVE' } });
  });

  test('workload scope with port-level overrides, sorted by port, added later too', () => {
    const c = chart();
    const pa = new PeerAuthentication(c, 'api', {
      selector: api,
      mode: MtlsMode.STRICT,
      portLevelMtls: { 9090: MtlsMode.DISABLE },
    });
    pa.addPortMtls(8081, MtlsMode.PERMISSIVE);
    const [m] = peerAuths(c);
    expect(m.metadata).toEqual({ name: 'api', namespace: 'shop' });
    expect(m.spec).toEqual({
      selector: { matchLabels: { app: 'api' } },
      mtls: { mode: 'STRICT' },
      portLevelMtls: { 8081: { mode: 'PERMISSIVE' }, 9090: { mode: 'DISABLE' } },
    });
    expect(Object.keys((m.spec as Json).portLevelMtls as Json)).toEqual(['8081', '9090']);
    expect(m).toMatchSnapshot();
  });

  test('DISABLE is available for workloads that cannot speak mTLS', () => {
    const c = chart();
    new PeerAuthentication(c, 'legacy', { selector: MeshWorkload.fromLabels('shop', { app: 'legacy' }), mode: MtlsMode.DISABLE });
    expect(peerAuths(c)[0].spec).toEqual({ selector: { matchLabels: { app: 'legacy' } }, mtls: { mode: 'DISABLE' } });
  });
});

describe('PeerAuthentication refuses wrong input, naming the construct path and field', () => {
  test('port-level mTLS without a workload selector (Istio\'s CEL rule)', () => {
    expect(() => new PeerAuthentication(chart(), 'pa', { portLevelMtls: { 8080: MtlsMode.DISABLE } }))
      .toThrow(/^\[c\/pa\] spec\.portLevelMtls: port-level mTLS needs a workload selector/);
    const meshWide = new PeerAuthentication(chart(), 'pa', { meshWide: true });
    expect(() => meshWide.addPortMtls(8080, MtlsMode.DISABLE)).toThrow(/^\[c\/pa\] spec\.portLevelMtls:/);
  });

  test('ports outside 1-65535 and duplicates', () => {
    expect(() => new PeerAuthentication(chart(), 'pa', { selector: api, portLevelMtls: { 0: MtlsMode.DISABLE } }))
      .toThrow(/^\[c\/pa\] spec\.portLevelMtls\.0: 0 is not a port number \(1–65535\)/);
    const pa = new PeerAuthentication(chart(), 'pa', { selector: api });
    expect(() => pa.addPortMtls(65536, MtlsMode.DISABLE)).toThrow(/^\[c\/pa\] spec\.portLevelMtls\.65536: 65536 is not a port number/);
    pa.addPortMtls(8080, MtlsMode.DISABLE);
    expect(() => pa.addPortMtls(8080, MtlsMode.STRICT)).toThrow(/^\[c\/pa\] spec\.portLevelMtls\.8080: port 8080 is given twice/);
  });

  test('selectors with wildcards and mesh-wide selectors', () => {
    expect(() => new PeerAuthentication(chart(), 'pa', { selector: MeshWorkload.fromLabels('shop', { '*': 'x' }) }))
      .toThrow(/^\[c\/pa\] spec\.selector\.matchLabels: .*wildcard/);
    expect(() => new PeerAuthentication(chart(), 'pa', { meshWide: true, selector: api }))
      .toThrow(/^\[c\/pa\] spec\.selector: a mesh-wide policy cannot have a selector/);
  });

  test('a mode that is not one of the three', () => {
    expect(() => new PeerAuthentication(chart(), 'pa', { mode: 'strict' as MtlsMode }))
      .toThrow(/^\[c\/pa\] spec\.mtls\.mode: "strict" is not an mTLS mode/);
  });
});
