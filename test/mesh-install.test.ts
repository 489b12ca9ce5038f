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
import { ApiObject } from 'cdk8s';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as YAML from 'yaml';
import * as os from 'os';
import * as path from 'path';
import { ArgoCdApplication } from '../src/argocd-application';
import { MeshRequirement, requireMesh } from '../src/mesh-requirement';
import { manifestFiles, synthesize } from '../src/synthesis';
import { writeFiles } from '../src/output';

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

  test('ambient with a revision: cni and ztunnel take it too, so ztunnel finds istiod-<revision> (the chart\'s default xdsAddress)', () => {
    const a = byName(install({ profile: 'ambient', revision: '1-30-3' }).apps);
    expect(values(a['istio-ztunnel'])).toEqual({ profile: 'ambient', revision: '1-30-3' });
    expect(values(a['istio-cni'])).toEqual({ profile: 'ambient', revision: '1-30-3' });
    expect(values(a['istio-istiod-1-30-3'])).toMatchObject({ profile: 'ambient', revision: '1-30-3' });
  });

  test('a second ambient revision beside the first shares its cni and ztunnel (includeBase: false), so no Helm release is written twice', () => {
    const app = testApp();
    const boot = new Chart(app, 'bootstrap');
    new MeshInstall(boot, 'old', { profile: 'ambient', revision: '1-30-2' });
    new MeshInstall(boot, 'new', { profile: 'ambient', revision: '1-30-3', includeBase: false });
    const names = (Testing.synth(boot) as Json[]).map((a) => String((a.metadata as Json).name));
    expect(names.filter((n) => n === 'istio-ztunnel')).toHaveLength(1);
    expect(names).toContain('istio-istiod-1-30-3');
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
      `helm repo add istio ${ISTIO_CHART_REPO} --force-update`,
      'helm upgrade --install istio-base istio/base --version 1.30.3 -n istio-system --create-namespace --wait -f istio-base.values.yaml',
      'helm upgrade --install istiod-1-30-3 istio/istiod --version 1.30.3 -n istio-system --create-namespace --wait -f istiod-1-30-3.values.yaml',
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

describe('platform requirements checked against the install', () => {
  const problemsOf = (app: IstioApp) => findings(app).filter((f) => f.severity === 'error').map((f) => `${f.field}: ${f.message}`);

  test('deployKF on an install that has its settings passes; without DNS capture it fails, naming the requirement and the setting', () => {
    const ok = testApp();
    new MeshInstall(new Chart(ok, 'bootstrap'), 'istio', { meshConfig: { holdApplicationUntilProxyStarts: true, dnsCapture: true }, requires: [MeshRequirement.deployKf()] });
    expect(problemsOf(ok)).toEqual([]);

    const bad = testApp();
    new MeshInstall(new Chart(bad, 'bootstrap'), 'istio', { meshConfig: { holdApplicationUntilProxyStarts: true }, requires: [MeshRequirement.deployKf()] });
    expect(problemsOf(bad)).toEqual(['requires[0].dnsCapture: deployKF needs DNS capture (ISTIO_META_DNS_CAPTURE in meshConfig.defaultConfig.proxyMetadata), which the MeshInstall bootstrap/istio does not set']);
    expect(findings(bad)[0].fix).toBe('set meshConfig.dnsCapture on the MeshInstall (values: meshInstall.meshConfig.dnsCapture)');
  });

  test('a requirement stated by another construct of the app holds for every revision: the canary install without the setting fails', () => {
    const app = testApp();
    const boot = new Chart(app, 'bootstrap');
    new MeshInstall(boot, 'old', { revision: '1-30-2', meshConfig: { holdApplicationUntilProxyStarts: true, dnsCapture: true } });
    new MeshInstall(boot, 'new', { revision: '1-30-3', includeBase: false, meshConfig: { holdApplicationUntilProxyStarts: true } });
    const platform = new Chart(app, 'kubeflow');
    requireMesh(platform, [MeshRequirement.deployKf()]);
    expect(problemsOf(app)).toEqual(['requires[0].dnsCapture: deployKF needs DNS capture (ISTIO_META_DNS_CAPTURE in meshConfig.defaultConfig.proxyMetadata), which the MeshInstall bootstrap/new does not set']);
  });

  test('a minimum Istio version: the install\'s release, or the target version when the install is not part of the app', () => {
    const app = new IstioApp({ outdir: '/nonexistent', istioVersion: '1.22' });
    requireMesh(new Chart(app, 'vendor'), [MeshRequirement.minimumIstioVersion('1.24', 'acme-platform')]);
    expect(problemsOf(app)).toEqual(['requires[0].minimumIstioVersion: acme-platform needs Istio 1.24 or later, and the cluster\'s install is 1.22']);

    const met = testApp();
    new MeshInstall(new Chart(met, 'bootstrap'), 'istio', { requires: [MeshRequirement.minimumIstioVersion('1.24')] });
    expect(problemsOf(met)).toEqual([]);
    const unparsable = testApp();
    requireMesh(new Chart(unparsable, 'vendor'), [MeshRequirement.minimumIstioVersion('latest')]);
    expect(problemsOf(unparsable)).toEqual(['requires[0].minimumIstioVersion: "latest" is not an Istio version']);
  });

  test('without an install in the app, a setting must be declared: unknown is an error that says how to declare it, declared passes', () => {
    const unknown = testApp();
    requireMesh(new Chart(unknown, 'kubeflow'), [MeshRequirement.of({ by: 'deployKF', holdApplicationUntilProxyStarts: true })]);
    const f = findings(unknown).filter((x) => x.severity === 'error');
    expect(f.map((x) => x.message)).toEqual(['deployKF needs meshConfig.defaultConfig.holdApplicationUntilProxyStarts: true, and the app does not say whether the cluster\'s install sets it']);
    expect(f[0].fix).toMatch(/MeshContext\.declareInstall\(\{ holdApplicationUntilProxyStarts: true \}\)/);

    const declared = testApp();
    MeshContext.of(declared).declareInstall({ holdApplicationUntilProxyStarts: true });
    requireMesh(new Chart(declared, 'kubeflow'), [MeshRequirement.of({ by: 'deployKF', holdApplicationUntilProxyStarts: true })]);
    expect(problemsOf(declared)).toEqual([]);
  });

  test('gateways on istiod\'s version (CKI6001): a pinned proxy image or gateway chart release of another version fails, image auto and the install\'s own gateways pass', () => {
    const build = (image: string, chartVersion: string) => {
      const app = testApp();
      const boot = new Chart(app, 'bootstrap');
      new MeshInstall(boot, 'istio', { gateways: [{ name: 'ingress', namespace: 'istio-ingress' }], requires: [MeshRequirement.gatewaysMatchIstiod('acme')] });
      const vendor = new Chart(app, 'vendor');
      new ApiObject(vendor, 'gw', {
        apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'acme-gateway', namespace: 'istio-ingress' },
        spec: { selector: { matchLabels: { app: 'acme-gateway' } }, template: { metadata: { labels: { app: 'acme-gateway' } }, spec: { containers: [{ name: 'istio-proxy', image }] } } },
      });
      new ArgoCdApplication(vendor, 'chart', { name: 'acme-gateway-chart', helm: { repoURL: ISTIO_CHART_REPO, chart: 'gateway', version: chartVersion, releaseName: 'acme' }, destination: { server: 'https://kubernetes.default.svc', namespace: 'acme' } });
      return findings(app).filter((x) => x.code === 'CKI6001');
    };
    expect(build('auto', '1.30.3')).toEqual([]);
    expect(build('docker.io/istio/proxyv2:1.30.3-distroless', '1.30.3')).toEqual([]);
    const bad = build('docker.io/istio/proxyv2:1.29.1', '1.29.0');
    expect(bad.map((x) => [x.object, x.field, x.message])).toEqual([
      ['Application argocd/acme-gateway-chart', 'spec.source.targetRevision', 'acme requires gateways on istiod\'s Istio version (1.30.3), and this gateway chart release is 1.29.0'],
      ['Deployment istio-ingress/acme-gateway', 'spec.template.spec.containers[0].image', 'acme requires gateways on istiod\'s Istio version (1.30.3), and this gateway runs 1.29.1'],
    ]);
    expect(bad[0].severity).toBe('error');
  });

  test('the values file: mesh.requires and meshInstall.requires, located at their keys', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'req-'));
    const file = path.join(dir, 'values.yaml');
    fs.writeFileSync(file, [
      'mesh:',
      '  requires:',
      '    - { by: acme, minimumIstioVersion: "1.31" }',
      'meshInstall:',
      '  meshConfig: { dnsCapture: true }',
      '  requires:',
      '    - { by: deployKF, holdApplicationUntilProxyStarts: true, dnsCapture: true }',
      '',
    ].join('\n'));
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { buildValuesApp, loadValues } = require('../src/cli/values-app') as typeof import('../src/cli/values-app');
    let message = '';
    try {
      buildValuesApp('req', loadValues([file]));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/values\.yaml:3:\d+: error CKI0001 .*mesh\.requires\[0\]\.minimumIstioVersion: acme needs Istio 1\.31 or later, and the MeshInstall is 1\.30\.3; this version of cdk8s-istio targets Istio up to 1\.30\n\s+fix: a cdk8s-istio release that supports Istio 1\.31 is needed/);
    expect(message).toMatch(/values\.yaml:7:\d+: error CKI0001 .*requires\[0\]\.holdApplicationUntilProxyStarts: deployKF needs/);
    expect(message).not.toMatch(/dnsCapture: deployKF/);
    fs.rmSync(dir, { recursive: true });
  });
});

describe('the helm route: one script beside the manifests, with each release\'s values inline', () => {
  test('synth writes an executable install-istio-with-helm.sh; run with stand-in helm and kubectl, it installs the releases in wave order with exactly their values', () => {
    const app = testApp();
    const mesh = new MeshInstall(new Chart(app, 'bootstrap'), 'istio', { profile: 'ambient', revision: '1-30-3', gateways: [{ name: 'ingress', namespace: 'istio-ingress' }] });
    const files = manifestFiles(synthesize(app));
    // No values .yaml files: kubectl apply -R and Argo CD directory sources would read them as manifests.
    expect(files.map((f) => f.path)).toEqual(['bootstrap.k8s.yaml', 'install-istio-with-helm.sh']);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'helm-'));
    const out = path.join(dir, 'dist');
    writeFiles(out, files);
    const script = path.join(out, 'install-istio-with-helm.sh');
    expect(fs.statSync(script).mode & 0o111).not.toBe(0);
    expect(fs.statSync(path.join(out, 'bootstrap.k8s.yaml')).mode & 0o111).toBe(0);

    // Stand-ins that record each call and what it read on stdin.
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    for (const tool of ['helm', 'kubectl']) {
      fs.writeFileSync(path.join(bin, tool), `#!/bin/sh\nn=$(ls "${dir}"/calls/*.args 2>/dev/null | wc -l)\nmkdir -p "${dir}/calls"\necho "${tool} $*" > "${dir}/calls/$n.args"\ncase "$*" in *"-f -"*) cat > "${dir}/calls/$n.stdin";; esac\n`, { mode: 0o755 });
    }
    execFileSync('sh', [script], { env: { PATH: `${bin}:/usr/bin:/bin` }, stdio: 'pipe' });
    const calls = fs.readdirSync(path.join(dir, 'calls')).filter((f) => f.endsWith('.args')).sort((a, b) => parseInt(a, 10) - parseInt(b, 10))
      .map((f) => fs.readFileSync(path.join(dir, 'calls', f), 'utf8').trim());
    expect(calls).toEqual([
      `helm repo add istio ${ISTIO_CHART_REPO} --force-update`,
      'kubectl apply --server-side -f https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml',
      'helm upgrade --install istio-base istio/base --version 1.30.3 -n istio-system --create-namespace --wait -f -',
      'helm upgrade --install istiod-1-30-3 istio/istiod --version 1.30.3 -n istio-system --create-namespace --wait -f -',
      'helm upgrade --install istio-cni istio/cni --version 1.30.3 -n istio-system --create-namespace --wait -f -',
      'helm upgrade --install istio-ztunnel istio/ztunnel --version 1.30.3 -n istio-system --create-namespace --wait -f -',
      'helm upgrade --install ingress istio/gateway --version 1.30.3 -n istio-ingress --create-namespace --wait -f -',
    ]);
    const fed = (i: number) => YAML.parse(fs.readFileSync(path.join(dir, 'calls', `${i}.stdin`), 'utf8')) as unknown;
    const values = mesh.helmValues();
    expect([fed(2), fed(3), fed(4), fed(5), fed(6)]).toEqual([values['istio-base'], values['istiod-1-30-3'], values['istio-cni'], values['istio-ztunnel'], values.ingress]);
    expect(fed(5)).toEqual({ profile: 'ambient', revision: '1-30-3' });
    fs.rmSync(dir, { recursive: true });
  });

  test('a values line equal to the heredoc delimiter does not end it early', () => {
    const app = testApp();
    new MeshInstall(new Chart(app, 'bootstrap'), 'istio', { gateways: [{ name: 'ingress', namespace: 'istio-ingress', values: { labels: { note: 'x' }, notes: 'a\nVALUES\nb' } }] });
    const script = MeshInstall.helmScript(app)!.content;
    const out = execFileSync('sh', ['-c', `helm() { cat; }; ${script.split('\n').filter((l) => !/^helm repo/.test(l)).join('\n')}`], { encoding: 'utf8' });
    expect(YAML.parse(out.slice(out.lastIndexOf('labels:')))).toEqual({ labels: { note: 'x' }, notes: 'a\nVALUES\nb' });
  });

  test('the helm commands of a canary pair install base once and both istiods; a second base is refused at its prop', () => {
    const app = testApp();
    const boot = new Chart(app, 'bootstrap');
    new MeshInstall(boot, 'old', { revision: '1-30-2', version: '1.30.3' });
    new MeshInstall(boot, 'new', { revision: '1-30-3', includeBase: false });
    const script = MeshInstall.helmScript(app)!.content;
    expect(script.match(/^helm (repo|upgrade) \S+( --install)? \S+/gm)).toEqual(['helm repo add istio', 'helm upgrade --install istio-base', 'helm upgrade --install istiod-1-30-2', 'helm upgrade --install istiod-1-30-3']);
    expect(() => new MeshInstall(boot, 'again', { revision: '1-30-4' })).toThrow(/includeBase: bootstrap\/old installs the Helm release istio-base in istio-system already \(fix: set includeBase: false on every install but one\)/);
  });

  test('an app without a MeshInstall writes no script', () => {
    expect(MeshInstall.helmScript(testApp())).toBeUndefined();
  });
});
