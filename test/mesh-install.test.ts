/**
 * MeshInstall: Istio's Helm charts as Argo CD Applications, in waves, with their values inline,
 * and the install as the analysis's source of truth.
 */
import { Chart, Testing } from 'cdk8s';
import { Json } from '../src/analysis/rendered';
import { IngressGateway } from '../src/ingress-gateway';
import { InjectionMode } from '../src/injection';
import { IstioApp } from '../src/istio-app';
import { IstioChart } from '../src/istio-chart';
import { MeshContext } from '../src/mesh-context';
import { ISTIO_CHART_REPO, MeshInstall, MeshInstallProps } from '../src/mesh-install';
import { MeshNamespace } from '../src/mesh-namespace';
import { findings, testApp } from '../src/testing';

function install(props: MeshInstallProps = {}): { apps: Json[]; mesh: MeshInstall; chart: Chart } {
  const chart = new Chart(testApp(), 'bootstrap');
  const mesh = new MeshInstall(chart, 'istio', props);
  return { apps: Testing.synth(chart) as Json[], mesh, chart };
}

const byName = (apps: Json[]) => Object.fromEntries(apps.map((a) => [String((a.metadata as Json).name), a]));
const source = (a: Json) => (a.spec as Json).source as Json;
const values = (a: Json) => (source(a).helm as Json).valuesObject as Json;
const wave = (a: Json) => ((a.metadata as Json).annotations as Json)['argocd.argoproj.io/sync-wave'];

describe('MeshInstall', () => {
  test('default: base then istiod, pinned to 1.30.3, Fail validation stated, webhook fields istiod patches ignored', () => {
    const { apps, mesh } = install();
    const a = byName(apps);
    expect(Object.keys(a)).toEqual(['istio-base', 'istio-istiod']);
    expect(source(a['istio-base'])).toEqual({ repoURL: ISTIO_CHART_REPO, chart: 'base', targetRevision: '1.30.3', helm: { releaseName: 'istio-base', valuesObject: { defaultRevision: 'default', base: { validationFailurePolicy: 'Fail' } } } });
    expect(values(a['istio-istiod'])).toEqual({ base: { validationFailurePolicy: 'Fail' }, sidecarInjectorWebhook: { enableNamespacesByDefault: false } });
    expect([wave(a['istio-base']), wave(a['istio-istiod'])]).toEqual(['-10', '-9']);
    expect(mesh.configWave).toBe(-7);
    expect(((a['istio-istiod'].spec as Json).ignoreDifferences as Json[]).map((d) => [d.kind, d.name])).toEqual([
      ['ValidatingWebhookConfiguration', 'istio-validator-istio-system'],
      ['MutatingWebhookConfiguration', 'istio-sidecar-injector'],
    ]);
    expect((a['istio-base'].spec as Json).syncPolicy).toEqual({ automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] });
    expect((a['istio-base'].spec as Json).destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'istio-system' });
  });

  test('an HA production install: three istiod replicas at least, a PDB, zone spreading, access logs, registry-only egress, deployKF\'s proxy settings', () => {
    const { apps } = install({
      highAvailability: true,
      meshConfig: { accessLogFile: '/dev/stdout', outboundTrafficPolicy: 'REGISTRY_ONLY', holdApplicationUntilProxyStarts: true, dnsCapture: true, extensionProviders: [{ name: 'oauth2-proxy', envoyExtAuthzHttp: { service: 'oauth2-proxy.auth.svc.cluster.local', port: 4180 } }] },
      hub: 'registry.example.com/istio', imagePullSecrets: ['mirror-pull'],
    });
    const v = values(byName(apps)['istio-istiod']);
    expect(v).toMatchObject({
      autoscaleMin: 3, pdb: { minAvailable: 2 }, global: { hub: 'registry.example.com/istio', imagePullSecrets: ['mirror-pull'] },
      meshConfig: {
        accessLogFile: '/dev/stdout', outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
        defaultConfig: { holdApplicationUntilProxyStarts: true, proxyMetadata: { ISTIO_META_DNS_CAPTURE: 'true' } },
        extensionProviders: [{ name: 'oauth2-proxy' }],
      },
    });
    expect((v.topologySpreadConstraints as Json[])[0]).toMatchObject({ topologyKey: 'topology.kubernetes.io/zone' });
  });

  test('ambient: istiod, cni and ztunnel with the profile, and the Gateway API CRDs waypoints need, in waves', () => {
    const { apps } = install({ profile: 'ambient' });
    const a = byName(apps);
    expect(Object.keys(a).sort()).toEqual(['gateway-api-crds', 'istio-base', 'istio-cni', 'istio-istiod', 'istio-ztunnel']);
    for (const n of ['istio-istiod', 'istio-cni', 'istio-ztunnel']) {
      expect(values(a[n])).toMatchObject({ profile: 'ambient' });
    }
    expect([wave(a['gateway-api-crds']), wave(a['istio-base']), wave(a['istio-istiod']), wave(a['istio-cni']), wave(a['istio-ztunnel'])]).toEqual(['-10', '-10', '-9', '-8', '-8']);
    expect(source(a['gateway-api-crds'])).toEqual({ repoURL: 'https://github.com/kubernetes-sigs/gateway-api', path: 'config/crd/standard', targetRevision: 'v1.5.1' });
  });

  test('OpenShift: the platform on every chart, CNI in kube-system (and ztunnel there, trusted by istiod, for ambient)', () => {
    const sidecars = byName(install({ platform: 'openshift' }).apps);
    expect(((sidecars['istio-cni'].spec as Json).destination as Json).namespace).toBe('kube-system');
    expect(values(sidecars['istio-istiod'])).toMatchObject({ global: { platform: 'openshift' } });
    const ambient = byName(install({ platform: 'openshift', profile: 'ambient' }).apps);
    expect(((ambient['istio-ztunnel'].spec as Json).destination as Json).namespace).toBe('kube-system');
    expect(values(ambient['istio-istiod'])).toMatchObject({ trustedZtunnelNamespace: 'kube-system' });
  });

  describe('a canary upgrade by revision and tag, one synth per step', () => {
    function cluster(steps: MeshInstallProps[]): { apps: Json[]; app: ReturnType<typeof testApp> } {
      const app = testApp();
      const chart = new Chart(app, 'bootstrap');
      steps.forEach((p, i) => new MeshInstall(chart, `istio-${i}`, p));
      return { apps: Testing.synth(chart) as Json[], app };
    }
    const istiods = (apps: Json[]) => apps.filter((a) => source(a).chart === 'istiod').map((a) => [(a.metadata as Json).name, values(a).revision, values(a).revisionTags]);

    test('1. the old revision serves the tag', () => {
      const { apps, app } = cluster([{ revision: '1-30-2', revisionTags: ['stable'], version: '1.30.3' }]);
      expect(istiods(apps)).toEqual([['istio-istiod-1-30-2', '1-30-2', ['stable']]]);
      expect(MeshContext.of(app).install.revisions).toEqual(['1-30-2', 'stable']);
      expect(MeshContext.of(app).install.hasDefaultInjector).toBe(false);
    });

    test('2. a new revision next to it; the tag still on the old one', () => {
      const { apps } = cluster([{ revision: '1-30-2', revisionTags: ['stable'] }, { revision: '1-30-3', includeBase: false }]);
      expect(istiods(apps)).toEqual([['istio-istiod-1-30-2', '1-30-2', ['stable']], ['istio-istiod-1-30-3', '1-30-3', undefined]]);
      expect(apps.filter((a) => source(a).chart === 'base')).toHaveLength(1);
    });

    test('3. the tag moved in one change; the old revision can then go', () => {
      const { apps } = cluster([{ revision: '1-30-2' }, { revision: '1-30-3', revisionTags: ['stable'], includeBase: false }]);
      expect(istiods(apps)).toEqual([['istio-istiod-1-30-2', '1-30-2', undefined], ['istio-istiod-1-30-3', '1-30-3', ['stable']]]);
    });

    test('a tag on two releases at once is refused', () => {
      expect(() => cluster([{ revision: '1-30-2', revisionTags: ['stable'] }, { revision: '1-30-3', revisionTags: ['stable'], includeBase: false }]))
        .toThrow(/revisionTags\[0\]: tag stable is already served by bootstrap\/istio-0: two releases would fight over the istio-revision-tag-stable webhook/);
    });
  });

  test('the analysis follows the install: a namespace on a revision the install lacks is IST0147 for its gateway', () => {
    const app = new IstioApp({ outdir: '/nonexistent' });
    new MeshInstall(new Chart(app, 'bootstrap'), 'istio', { revision: '1-30-3', revisionTags: ['stable'] });
    const c = new IstioChart(app, 'shop', { namespace: 'shop' });
    const ns = new MeshNamespace(c, 'ns', { name: 'shop', injection: InjectionMode.revision('canary') });
    new IngressGateway(c, 'gw', { namespace: ns });
    expect(findings(app).filter((f) => f.code === 'IST0147').map((f) => f.message)).toEqual([expect.stringMatching(/asks for revision canary, which the mesh install does not have \(revisions: 1-30-3, stable\)/)]);
  });

  test('the install\'s version must be the app\'s target', () => {
    const app = new IstioApp({ istioVersion: '1.28' });
    expect(() => new MeshInstall(new Chart(app, 'b'), 'istio', { version: '1.30.3' }))
      .toThrow(/version: the install is Istio 1\.30\.3 but the app targets Istio 1\.28/);
    expect(() => new MeshInstall(new Chart(new IstioApp({ istioVersion: '1.28' }), 'b'), 'istio', { version: '1.28.10' })).not.toThrow();
  });

  test('without Argo CD: the helm commands in order, and each release\'s values', () => {
    const { mesh } = install({ revision: '1-30-3' });
    expect(mesh.helmCommands()).toEqual([
      `helm repo add istio ${ISTIO_CHART_REPO}`,
      'helm upgrade --install istio-base istio/base --version 1.30.3 -n istio-system --create-namespace -f istio-base.values.yaml --wait',
      'helm upgrade --install istiod-1-30-3 istio/istiod --version 1.30.3 -n istio-system --create-namespace -f istiod-1-30-3.values.yaml --wait',
    ]);
    expect(mesh.helmValues()['istio-base']).toEqual({ defaultRevision: '1-30-3', base: { validationFailurePolicy: 'Fail' } });
  });

  test('the argocd-cm health check that lets waves of Applications wait', () => {
    expect(MeshInstall.argoCdApplicationHealthCheck()['resource.customizations.health.argoproj.io_Application']).toMatch(/hs\.status = obj\.status\.health\.status/);
  });
});

describe('MeshInstall strictMtls', () => {
  test('a mesh-wide STRICT PeerAuthentication in the root namespace, synced after the control plane', () => {
    const { apps } = install({ strictMtls: true });
    const pa = apps.find((a) => a.kind === 'PeerAuthentication')!;
    expect(pa).toEqual({
      apiVersion: 'security.istio.io/v1',
      kind: 'PeerAuthentication',
      metadata: {
        name: 'default',
        namespace: 'istio-system',
        annotations: { 'argocd.argoproj.io/sync-wave': '-7', 'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true' },
      },
      spec: { mtls: { mode: 'STRICT' } },
    });
    expect(install().apps.filter((a) => a.kind === 'PeerAuthentication')).toEqual([]);
  });
});

describe('MeshInstall gateways', () => {
  test('one Application per gateway chart release, on the revision of the install, in the last wave', () => {
    const { apps, mesh } = install({ revision: '1-30-3', gateways: [{ name: 'istio-ingressgateway', namespace: 'istio-ingress', values: { service: { type: 'ClusterIP' } } }] });
    const gw = byName(apps)['istio-gateway-istio-ingressgateway'];
    expect(source(gw)).toEqual({
      repoURL: ISTIO_CHART_REPO, chart: 'gateway', targetRevision: '1.30.3',
      helm: { releaseName: 'istio-ingressgateway', valuesObject: { revision: '1-30-3', service: { type: 'ClusterIP' } } },
    });
    expect(((gw.spec as Json).destination as Json).namespace).toBe('istio-ingress');
    expect(wave(gw)).toBe(String(mesh.configWave + 1));
    expect(() => install({ gateways: [{ name: 'Bad_Name', namespace: 'istio-ingress' }] })).toThrow(/gateways\[0\]\.name/);
  });
});
