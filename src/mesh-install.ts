/**
 * Istio's control plane the GitOps way: one Argo CD Application per published Helm chart (base,
 * istiod, and cni + ztunnel for ambient), each pinned to the app's Istio version with its values
 * inline, ordered by sync waves. Nothing runs helm or istioctl here; Argo CD renders the charts.
 *
 * Facts from Istio 1.30.3's charts (../shared/istio/charts-1.30.3, read, not copied):
 * - the charts are `base`, `istiod`, `cni` (its directory is istio-cni) and `ztunnel` in the
 *   repository https://istio-release.storage.googleapis.com/charts, chart version = Istio version;
 * - profiles are `ambient`, `demo`, `preview`, `remote`, `stable` (there is no `default`: each
 *   chart's values are the default); platforms (`openshift`, `gke`, ...) are `global.platform`;
 * - `helm template` (what Argo CD runs) renders the validating webhooks with failurePolicy Ignore
 *   unless `base.validationFailurePolicy` is set, so it is set to Fail in base and istiod;
 * - istiod patches caBundle (and failurePolicy) of its webhooks at run time, hence ignoreDifferences;
 * - revision tags are rendered by the istiod chart (`revisionTags`), the default validator by the
 *   base chart (`defaultRevision`); one tag must belong to one release only.
 */
import { Construct, IConstruct } from 'constructs';
import { ArgoCdApplication, ArgoCdIgnoreDifference } from './argocd-application';
import { InstalledControlPlane, MeshContext } from './mesh-context';
import { MeshRequirement, requireMesh } from './mesh-requirement';
import { MtlsMode, PeerAuthentication } from './peer-authentication';
import { check, dnsLabelProblem } from './validation';
import { Problems } from './validation/problem';
import { stringifyDocuments } from './yaml-emitter';
import { compareMinors, DEFAULT_ISTIO_VERSION, ISTIO_CHART_REPO, istioVersionProblem, minorOf } from './istio-version';

export { ISTIO_CHART_REPO };

/** The Helm profiles Istio ships (manifests/helm-profiles). */
export type IstioProfile = 'ambient' | 'demo' | 'preview' | 'remote' | 'stable';
/** The platforms Istio's charts know (`global.platform`). */
export type IstioPlatform = 'openshift' | 'gke' | 'k3s' | 'k3d' | 'microk8s' | 'minikube';

export interface MeshConfigProps {
  /** Envoy access log, e.g. `/dev/stdout`. @default - none */
  readonly accessLogFile?: string;
  /** `REGISTRY_ONLY` lets workloads reach only hosts the mesh knows. @default 'ALLOW_ANY' */
  readonly outboundTrafficPolicy?: 'ALLOW_ANY' | 'REGISTRY_ONLY';
  /** Start the proxy before the application containers (deployKF asks for it). @default false */
  readonly holdApplicationUntilProxyStarts?: boolean;
  /** The proxy answers DNS (ISTIO_META_DNS_CAPTURE). @default false */
  readonly dnsCapture?: boolean;
  /** Extension providers for CUSTOM authorization, as meshConfig writes them. @default - none */
  readonly extensionProviders?: Array<{ readonly name: string } & Record<string, unknown>>;
  /** The SPIFFE trust domain. @default 'cluster.local' */
  readonly trustDomain?: string;
}

export interface MeshInstallProps {
  /** The Istio release, `1.x.y`; its minor must be the app's istioVersion. @default '1.30.3' */
  readonly version?: string;
  /** A Helm profile. @default - the charts' defaults */
  readonly profile?: IstioProfile;
  /** The Kubernetes platform. @default - none */
  readonly platform?: IstioPlatform;
  /** Istio's `compatibilityVersion` (an older minor's behaviour), e.g. '1.28'. @default - none */
  readonly compatibilityVersion?: string;
  /** Install istiod as this revision (`istiod-<revision>`). @default - no revision */
  readonly revision?: string;
  /** Revision tags this istiod serves, e.g. ['stable']; namespaces then say `istio.io/rev: stable`. @default - none */
  readonly revisionTags?: string[];
  /** The base chart's `defaultRevision` (the revision that validates unlabelled config). @default - the revision, or 'default' */
  readonly defaultRevision?: string;
  /** Several istiod replicas with a PDB and zone spreading. @default false */
  readonly highAvailability?: boolean;
  /** @default - the chart's defaults */
  readonly meshConfig?: MeshConfigProps;
  /** Image registry, for private mirrors. @default - Istio's */
  readonly hub?: string;
  /** Secrets for pulling the images. @default - none */
  readonly imagePullSecrets?: string[];
  /** Install base and cni with this install; false for a second revision next to an existing one. @default true */
  readonly includeBase?: boolean;
  /** Argo CD's namespace and project for the Applications. @default { namespace: 'argocd', project: 'default' } */
  readonly argocd?: { readonly namespace?: string; readonly project?: string; readonly server?: string };
  /** The sync wave of the base chart; istiod, cni and ztunnel follow one by one. @default -10 */
  readonly firstWave?: number;
  /**
   * Mesh-wide STRICT mTLS: a PeerAuthentication `default` in the root namespace, synced after the
   * control plane (its CRD comes with the base chart).
   * @default false
   */
  readonly strictMtls?: boolean;
  /**
   * Ingress or egress gateways from Istio's `gateway` chart, one Application each. They sync
   * last, after the app's configuration: a LoadBalancer Service stays Progressing where the
   * cluster has no load balancer, and must not hold up earlier waves.
   * @default - none
   */
  readonly gateways?: MeshInstallGateway[];
  /**
   * What platforms running on this mesh need from it (deployKF's proxy settings, a vendor's
   * minimum version), checked against this install at synth.
   * @default - none
   */
  readonly requires?: MeshRequirement[];
}

export interface MeshInstallGateway {
  /** The release name, also the Deployment's and Service's. */
  readonly name: string;
  /** Its namespace (created by Argo CD). */
  readonly namespace: string;
  /** Further values of the gateway chart (service type, replicas, ...). @default - the chart's defaults */
  readonly values?: Record<string, unknown>;
}

const WEBHOOK_FIELDS = ['.webhooks[]?.failurePolicy', '.webhooks[]?.clientConfig.caBundle'];

export class MeshInstall extends Construct {
  /** The Applications, in install order. */
  public readonly applications: readonly ArgoCdApplication[];
  /** The wave the app's own configuration should sync in: after the control plane. */
  public readonly configWave: number;
  public readonly version: string;
  public readonly revision?: string;
  public readonly tags: readonly string[];
  /** The Helm releases the Applications install, in order, for the helm route. */
  private readonly releases: Array<{ readonly releaseName: string; readonly chart: string; readonly namespace: string; readonly values: Record<string, unknown> }> = [];

  public constructor(scope: Construct, id: string, props: MeshInstallProps = {}) {
    super(scope, id);
    const ctx = MeshContext.of(this);
    const problems = new Problems(this);
    this.version = props.version ?? `${DEFAULT_ISTIO_VERSION}.3`;
    const vp = /^1\.\d+\.\d+$/.test(this.version) ? istioVersionProblem(this.version) : { problem: `"${this.version}" is not an Istio release (1.x.y)`, fix: 'give the release to install, e.g. 1.30.3' };
    problems.check('version', vp);
    if (!vp && compareMinors(this.version, ctx.istioVersion) !== 0) {
      problems.check('version', {
        problem: `the install is Istio ${this.version} but the app targets Istio ${minorOf(ctx.istioVersion)}, so its objects would be checked against the wrong CRDs`,
        fix: `set the app's istioVersion to ${minorOf(this.version)}, or install a ${minorOf(ctx.istioVersion)} release`,
      });
    }
    if (props.revision !== undefined) {
      problems.check('revision', dnsLabelProblem(props.revision, 'revision'));
    }
    const tags = props.revisionTags ?? [];
    tags.forEach((t, i) => {
      problems.check(`revisionTags[${i}]`, dnsLabelProblem(t, 'revision tag'));
      if (tags.indexOf(t) !== i) {
        problems.check(`revisionTags[${i}]`, { problem: `tag ${t} is listed twice`, fix: 'list each tag once' });
      }
      const owner = installsOf.get(this.node.root)?.find((other) => other.tags.includes(t))?.plane.path;
      if (owner) {
        problems.check(`revisionTags[${i}]`, {
          problem: `tag ${t} is already served by ${owner}: two releases would fight over the istio-revision-tag-${t} webhook`,
          fix: 'move the tag in one change: remove it from the other install and add it here',
        });
      }
    });
    if (props.compatibilityVersion !== undefined && !/^1\.(2[5-9])$/.test(props.compatibilityVersion)) {
      problems.check('compatibilityVersion', { problem: `"${props.compatibilityVersion}" is not a compatibility version of Istio 1.30's charts`, fix: 'give 1.25 to 1.29' });
    }
    problems.throwIfAny();

    this.revision = props.revision;
    this.tags = [...tags];

    // The analysis learns the install from here rather than from hand-declared facts: with every
    // MeshInstall of the app, the injectors are exactly the ones they install.
    const installs = installsOf.get(this.node.root) ?? [];
    installs.push({
      revision: props.revision, tags: [...tags], providers: (props.meshConfig?.extensionProviders ?? []).map((p) => p.name), trustDomain: props.meshConfig?.trustDomain,
      plane: { path: this.node.path, version: this.version, holdApplicationUntilProxyStarts: props.meshConfig?.holdApplicationUntilProxyStarts ?? false, dnsCapture: props.meshConfig?.dnsCapture ?? false },
    });
    installsOf.set(this.node.root, installs);
    ctx.declareInstall({
      revisions: [...new Set(installs.flatMap((i) => [...(i.revision ? [i.revision] : []), ...i.tags]))],
      hasDefaultInjector: installs.some((i) => i.revision === undefined || i.tags.includes('default')),
      extensionProviders: [...new Set(installs.flatMap((i) => i.providers))],
      trustDomain: installs.find((i) => i.trustDomain)?.trustDomain ?? 'cluster.local',
      // Every revision serves some namespaces, so a setting holds only if each install has it.
      holdApplicationUntilProxyStarts: installs.every((i) => i.plane.holdApplicationUntilProxyStarts),
      dnsCapture: installs.every((i) => i.plane.dnsCapture),
      installs: installs.map((i) => i.plane),
    });
    requireMesh(this, props.requires ?? []);

    const ns = 'istio-system';
    const cniNamespace = props.platform === 'openshift' || props.platform === 'gke' ? 'kube-system' : ns;
    const ambient = props.profile === 'ambient';
    const wave = props.firstWave ?? -10;
    const common = (chart: string): Record<string, unknown> => ({
      ...(props.profile ? { profile: props.profile } : {}),
      ...(props.compatibilityVersion ? { compatibilityVersion: props.compatibilityVersion } : {}),
      ...(props.platform || props.hub || props.imagePullSecrets ? {
        global: {
          ...(props.platform ? { platform: props.platform } : {}),
          ...(props.hub ? { hub: props.hub } : {}),
          ...(props.imagePullSecrets ? { imagePullSecrets: [...props.imagePullSecrets] } : {}),
        },
      } : {}),
      ...(chart === 'ztunnel' && props.hub ? { hub: props.hub } : {}),
    });
    const suffix = props.revision ? `-${props.revision}` : '';
    // What every Application of the install shares: Argo CD's namespace and project, the cluster.
    const argo = {
      namespace: props.argocd?.namespace,
      project: props.argocd?.project,
      server: props.argocd?.server ?? 'https://kubernetes.default.svc',
    };
    const release = (id: string, name: string, r: { chart: string; releaseName: string; namespace: string; wave: number; values: Record<string, unknown>; ignore?: ArgoCdIgnoreDifference[] }): ArgoCdApplication => {
      // Two installs of one app writing the same release would overwrite each other in-cluster.
      const owners = releaseOwners.get(this.node.root) ?? new Map<string, string>();
      const owner = owners.get(`${r.namespace}/${r.releaseName}`);
      if (owner !== undefined) {
        check(this, r.chart === 'gateway' ? 'gateways' : r.chart === 'istiod' ? 'revision' : 'includeBase', {
          problem: `${owner} installs the Helm release ${r.releaseName} in ${r.namespace} already`,
          fix: r.chart === 'istiod' ? 'give each install its own revision' : r.chart === 'gateway' ? 'give the gateway another name or namespace' : 'set includeBase: false on every install but one',
        });
      }
      owners.set(`${r.namespace}/${r.releaseName}`, this.node.path);
      releaseOwners.set(this.node.root, owners);
      this.releases.push({ releaseName: r.releaseName, chart: r.chart, namespace: r.namespace, values: r.values });
      return new ArgoCdApplication(this, id, {
        name,
        namespace: argo.namespace,
        project: argo.project,
        helm: { repoURL: ISTIO_CHART_REPO, chart: r.chart, version: this.version, releaseName: r.releaseName, values: r.values },
        destination: { server: argo.server, namespace: r.namespace },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'ServerSideApply=true'] },
        syncWave: r.wave,
        ignoreDifferences: r.ignore ?? [],
      });
    };
    const app = (id: string, chart: string, namespace: string, wave: number, values: Record<string, unknown>, ignore: ArgoCdIgnoreDifference[] = []): ArgoCdApplication =>
      release(id, `istio-${id}${chart === 'istiod' ? suffix : ''}`, { chart, releaseName: chart === 'istiod' ? `istiod${suffix}` : `istio-${id}`, namespace, wave, values, ignore });

    const apps: ArgoCdApplication[] = [];
    const defaultRevision = props.defaultRevision ?? props.revision ?? 'default';
    if (props.includeBase ?? true) {
      apps.push(app('base', 'base', ns, wave, {
        ...common('base'),
        defaultRevision,
        base: { validationFailurePolicy: 'Fail' },
      }, [{ group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', name: 'istiod-default-validator', jqPathExpressions: WEBHOOK_FIELDS }]));
    }
    const ha = props.highAvailability ?? false;
    const mc = props.meshConfig ?? {};
    const proxyMetadata = mc.dnsCapture ? { ISTIO_META_DNS_CAPTURE: 'true' } : undefined;
    const meshConfig: Record<string, unknown> = {
      ...(mc.accessLogFile ? { accessLogFile: mc.accessLogFile } : {}),
      ...(mc.outboundTrafficPolicy ? { outboundTrafficPolicy: { mode: mc.outboundTrafficPolicy } } : {}),
      ...(mc.trustDomain ? { trustDomain: mc.trustDomain } : {}),
      ...(mc.extensionProviders?.length ? { extensionProviders: mc.extensionProviders.map((p) => ({ ...p })) } : {}),
      ...(mc.holdApplicationUntilProxyStarts || proxyMetadata ? {
        defaultConfig: {
          ...(mc.holdApplicationUntilProxyStarts ? { holdApplicationUntilProxyStarts: true } : {}),
          ...(proxyMetadata ? { proxyMetadata } : {}),
        },
      } : {}),
    };
    const revisionName = props.revision ?? 'default';
    apps.push(app('istiod', 'istiod', ns, wave + 1, {
      ...common('istiod'),
      ...(props.revision ? { revision: props.revision } : {}),
      ...(tags.length ? { revisionTags: [...tags] } : {}),
      base: { validationFailurePolicy: 'Fail' },
      // Stated rather than left to the chart: unlabelled namespaces are never injected.
      sidecarInjectorWebhook: { enableNamespacesByDefault: false },
      ...(Object.keys(meshConfig).length ? { meshConfig } : {}),
      ...(ha ? {
        autoscaleMin: 3,
        autoscaleMax: 5,
        pdb: { minAvailable: 2 },
        resources: { requests: { cpu: '1000m', memory: '2Gi' } },
        topologySpreadConstraints: [{
          maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: { app: 'istiod', 'istio.io/rev': revisionName } },
        }],
      } : {}),
      ...(props.platform === 'openshift' && ambient ? { trustedZtunnelNamespace: 'kube-system' } : {}),
    }, [
      { group: 'admissionregistration.k8s.io', kind: 'ValidatingWebhookConfiguration', name: `istio-validator${suffix}-${ns}`, jqPathExpressions: WEBHOOK_FIELDS },
      { group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', name: `istio-sidecar-injector${suffix}`, jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] },
      ...tags.map((t) => ({ group: 'admissionregistration.k8s.io', kind: 'MutatingWebhookConfiguration', name: `istio-revision-tag-${t}`, jqPathExpressions: ['.webhooks[]?.clientConfig.caBundle'] })),
    ]));
    if (ambient || props.platform === 'openshift') {
      if (props.includeBase ?? true) {
        // Both take the revision: it names their resources and locates istiod-<revision>
        // (the ztunnel chart's caAddress/xdsAddress default), which a revisioned istiod is.
        apps.push(app('cni', 'cni', cniNamespace, wave + 2, { ...common('cni'), ...(props.revision ? { revision: props.revision } : {}) }));
      }
    }
    // ztunnel runs once per cluster like the CNI: a second revision's install (includeBase: false) shares it.
    if (ambient && (props.includeBase ?? true)) {
      apps.push(app('ztunnel', 'ztunnel', props.platform === 'openshift' ? 'kube-system' : ns, wave + 2, { ...common('ztunnel'), ...(props.revision ? { revision: props.revision } : {}) }));
      if (props.includeBase ?? true) {
        // Ambient's waypoints are Gateway API Gateways; the base chart does not ship those CRDs.
        this.gatewayApiCrds = true;
        apps.push(new ArgoCdApplication(this, 'gateway-api-crds', {
          name: 'gateway-api-crds',
          namespace: argo.namespace,
          project: argo.project,
          directory: { repoURL: 'https://github.com/kubernetes-sigs/gateway-api', path: 'config/crd/standard', targetRevision: 'v1.5.1' },
          destination: { server: argo.server, namespace: ns },
          syncPolicy: { automated: { prune: false, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
          syncWave: wave,
        }));
      }
    }
    this.applications = apps;
    this.configWave = wave + 3;
    (props.gateways ?? []).forEach((g, i) => {
      check(this, `gateways[${i}].name`, dnsLabelProblem(g.name, 'gateway name'));
      check(this, `gateways[${i}].namespace`, dnsLabelProblem(g.namespace, 'namespace name'));
      apps.push(release(`gateway-${g.name}`, `istio-gateway-${g.name}`, {
        chart: 'gateway',
        releaseName: g.name,
        namespace: g.namespace,
        wave: this.configWave + 1,
        // The pods are injected by the install's revision, so gateway and istiod versions agree.
        values: { ...(props.revision ? { revision: props.revision } : {}), ...(props.platform ? { platform: props.platform } : {}), ...g.values },
      }));
    });
    if (props.strictMtls) {
      this.strictMtls = new PeerAuthentication(this, 'strict-mtls', {
        name: 'default',
        meshWide: true,
        mode: MtlsMode.STRICT,
        metadata: {
          annotations: {
            'argocd.argoproj.io/sync-wave': String(this.configWave),
            // Its CRD arrives with the base chart in the same app-of-apps.
            'argocd.argoproj.io/sync-options': 'SkipDryRunOnMissingResource=true',
          },
        },
      });
    }
  }

  /** The mesh-wide STRICT PeerAuthentication, when `strictMtls` is on. */
  public readonly strictMtls?: PeerAuthentication;

  /**
   * The argocd-cm entry that makes a parent Application wait for each child's health, which sync
   * waves between Applications need (Argo CD removed this check from its defaults in 1.8; see
   * argo-cd docs/operator-manual/health.md, "Argocd App").
   */
  public static argoCdApplicationHealthCheck(): Record<string, string> {
    return {
      'resource.customizations.health.argoproj.io_Application': [
        'hs = {}',
        'hs.status = "Progressing"',
        'hs.message = ""',
        'if obj.status ~= nil and obj.status.health ~= nil then',
        '  hs.status = obj.status.health.status',
        '  if obj.status.health.message ~= nil then',
        '    hs.message = obj.status.health.message',
        '  end',
        'end',
        'return hs',
        '',
      ].join('\n'),
    };
  }

  /** For teams not on Argo CD: each release's values, by release name (write them as `<release>.values.yaml`). */
  public helmValues(): Record<string, Record<string, unknown>> {
    return Object.fromEntries(this.releases.map((r) => [r.releaseName, r.values]));
  }

  /** For teams not on Argo CD: the `helm upgrade --install` commands, in order, with the values files they name. */
  public helmCommands(): string[] {
    return [
      `helm repo add istio ${ISTIO_CHART_REPO} --force-update`,
      ...this.preHelm(),
      ...this.releases.map((r) => `${this.upgradeCommand(r)} -f ${r.releaseName}.values.yaml`),
    ];
  }

  /**
   * The helm route as one script, for every MeshInstall under `scope`'s root, which synth writes
   * beside the manifests as `install-istio-with-helm.sh`. Each release's values are inline (a
   * heredoc fed to `-f -`), not separate files: `kubectl apply -R -f` and Argo CD directory
   * sources read every .yaml file of the folder, and would take values files for manifests.
   */
  public static helmScript(scope: IConstruct): { readonly path: string; readonly content: string; readonly executable: true } | undefined {
    const installs = scope.node.root.node.findAll().filter((c): c is MeshInstall => c instanceof MeshInstall);
    if (installs.length === 0) {
      return undefined;
    }
    const lines = [
      '#!/bin/sh',
      '# Istio with Helm, for clusters not managed by Argo CD: the releases the MeshInstall',
      '# Applications describe, in their sync-wave order, each with its values inline. Written',
      '# by cdk8s-istio synth. It replaces those Applications (argoproj.io/Application objects',
      '# in the manifests beside it): apply the rest of the manifests afterwards, not them.',
      'set -eu',
      `helm repo add istio ${ISTIO_CHART_REPO} --force-update`,
    ];
    for (const m of installs) {
      lines.push(...m.preHelm());
      for (const r of m.releases) {
        const values = stringifyDocuments([r.values]);
        let end = 'VALUES';
        while (values.split('\n').includes(end)) {
          end = `${end}_`;
        }
        lines.push('', `# ${r.releaseName}: chart ${r.chart} ${m.version} (${m.node.path})`, `${m.upgradeCommand(r)} -f - <<'${end}'`, `${values}${end}`);
      }
    }
    return { path: 'install-istio-with-helm.sh', content: `${lines.join('\n')}\n`, executable: true };
  }

  /** What must exist before the charts: the Gateway API CRDs for ambient, as the Application syncs them. */
  private preHelm(): string[] {
    return this.gatewayApiCrds ? [`kubectl apply --server-side -f ${GATEWAY_API_INSTALL}`] : [];
  }

  private upgradeCommand(r: { readonly releaseName: string; readonly chart: string; readonly namespace: string }): string {
    return `helm upgrade --install ${r.releaseName} istio/${r.chart} --version ${this.version} -n ${r.namespace} --create-namespace --wait`;
  }

  private gatewayApiCrds = false;
}

const GATEWAY_API_INSTALL = 'https://github.com/kubernetes-sigs/gateway-api/releases/download/v1.5.1/standard-install.yaml';

const releaseOwners = new WeakMap<object, Map<string, string>>();
const installsOf = new WeakMap<object, Array<{ revision?: string; tags: string[]; providers: string[]; trustDomain?: string; plane: InstalledControlPlane }>>();
