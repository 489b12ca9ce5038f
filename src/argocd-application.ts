/**
 * An Argo CD Application that renders a directory of the platform's repository with the
 * cdk8s-istio plugin, for app-of-apps bootstraps. Typed after argo-cd's
 * pkg/apis/application/v1alpha1/types.go (spec.project, spec.source, spec.destination,
 * spec.syncPolicy); there is no Argo CD CRD schema in this repository to validate against, so
 * the props are checked here.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { PLUGIN_REF } from './argocd';
import { Problems } from './validation/problem';
import { dnsLabelProblem, dnsSubdomainProblem } from './validation';

export interface ArgoCdSource {
  /** The Git repository holding the values files (or the cdk8s app). */
  readonly repoURL: string;
  /** The directory inside it; the plugin renders there. */
  readonly path: string;
  /** Branch, tag or commit. @default 'HEAD' */
  readonly targetRevision?: string;
  /** Values files in `path`, later ones override earlier ones. @default - the plugin's default, cdk8s-istio.yaml */
  readonly values?: string[];
  /** `key.path=value` overrides in Helm's `--set` syntax. @default - none */
  readonly set?: string[];
  /** Further plugin environment (`ARGOCD_ENV_<name>` for the plugin). @default - none */
  readonly env?: Record<string, string>;
}

/** A Helm chart from a chart repository, with its values inline so a reviewer sees them. */
export interface ArgoCdHelmSource {
  /** The chart repository URL. */
  readonly repoURL: string;
  readonly chart: string;
  /** The chart version. */
  readonly version: string;
  /** @default - the Application's name */
  readonly releaseName?: string;
  /** The chart's values (`helm.valuesObject`). @default - the chart's defaults */
  readonly values?: Record<string, unknown>;
}

/** Plain manifests from a directory of a Git repository (e.g. the Gateway API CRDs). */
export interface ArgoCdDirectorySource {
  readonly repoURL: string;
  readonly path: string;
  /** Branch, tag or commit. */
  readonly targetRevision: string;
}

/** A difference Argo CD should not report (`spec.ignoreDifferences[]`). */
export interface ArgoCdIgnoreDifference {
  /** @default '' - the core group */
  readonly group?: string;
  readonly kind: string;
  /** @default - every object of the kind */
  readonly name?: string;
  readonly jqPathExpressions: string[];
}

export interface ArgoCdDestination {
  /** The cluster's API server URL (give this or `name`). @default - the cluster named by `name` */
  readonly server?: string;
  /** The cluster's name in Argo CD (give this or `server`). @default - the cluster at `server` */
  readonly name?: string;
  /** The namespace for objects that have none. */
  readonly namespace: string;
}

export interface ArgoCdSyncPolicy {
  /** Sync automatically; `prune` deletes what the render no longer has, `selfHeal` undoes drift. @default - manual sync */
  readonly automated?: { readonly prune?: boolean; readonly selfHeal?: boolean };
  /** App-level sync options, e.g. `CreateNamespace=true`, `ServerSideApply=true`. @default - none */
  readonly syncOptions?: string[];
}

export interface ArgoCdApplicationProps {
  /** Application name. @default - the construct id */
  readonly name?: string;
  /** Namespace of the Application object: Argo CD's own. @default 'argocd' */
  readonly namespace?: string;
  /** The AppProject. @default 'default' */
  readonly project?: string;
  /** Render a directory with the cdk8s-istio plugin (give this, `helm` or `directory`). @default - none */
  readonly source?: ArgoCdSource;
  /** Install a Helm chart. @default - none */
  readonly helm?: ArgoCdHelmSource;
  /** Apply plain manifests from a directory. @default - none */
  readonly directory?: ArgoCdDirectorySource;
  /** Differences Argo CD should not report, e.g. fields a controller sets at run time. @default - none */
  readonly ignoreDifferences?: ArgoCdIgnoreDifference[];
  readonly destination: ArgoCdDestination;
  /** @default - manual sync */
  readonly syncPolicy?: ArgoCdSyncPolicy;
  /** `argocd.argoproj.io/sync-wave` of the Application in its parent app-of-apps. @default - wave 0 */
  readonly syncWave?: number;
  /** Delete the Application's objects with it (`resources-finalizer.argocd.argoproj.io`). @default true */
  readonly cascadeDelete?: boolean;
}

/** The app-level options Argo CD knows (argo-cd gitops-engine/pkg/sync/common/types.go). */
const KNOWN_SYNC_OPTIONS = new Set(['CreateNamespace', 'ServerSideApply', 'Validate', 'ApplyOutOfSyncOnly', 'PrunePropagationPolicy',
  'PruneLast', 'Replace', 'Force', 'RespectIgnoreDifferences', 'FailOnSharedResource', 'SkipDryRunOnMissingResource', 'Prune', 'Delete', 'ClientSideApplyMigration']);

export class ArgoCdApplication extends Construct {
  /** The Application's name, as other Applications and `argocd app` refer to it. */
  public readonly name: string;

  public constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    this.name = props.name ?? id;
    const problems = new Problems(this);
    problems.check('name', dnsSubdomainProblem(this.name, 'Application name'));
    problems.check('namespace', props.namespace === undefined ? undefined : dnsLabelProblem(props.namespace, 'namespace name'));
    const given = (['source', 'helm', 'directory'] as const).filter((k) => props[k] !== undefined);
    if (given.length !== 1) {
      problems.check(given[1] ?? 'source', { problem: given.length === 0 ? 'no source is given' : `${given.join(' and ')} are both given`, fix: 'give exactly one of source (the plugin), helm and directory' });
    }
    const git = props.source ?? props.directory;
    const key = props.source ? 'source' : 'directory';
    if (git && !/^(https?|ssh|git):\/\/|^git@/.test(git.repoURL)) {
      problems.check(`${key}.repoURL`, { problem: `"${git.repoURL}" is not a Git URL`, fix: 'use https://..., ssh://... or git@host:org/repo.git' });
    }
    if (git && (git.path.startsWith('/') || git.path.split('/').includes('..'))) {
      problems.check(`${key}.path`, { problem: `"${git.path}" leaves the repository`, fix: 'give a path relative to the repository root, e.g. clusters/prod/shop' });
    }
    if (props.helm && !/^(https?|oci):\/\//.test(props.helm.repoURL)) {
      problems.check('helm.repoURL', { problem: `"${props.helm.repoURL}" is not a chart repository URL`, fix: 'use https://... or oci://...' });
    }
    const d = props.destination;
    if ((d.server === undefined) === (d.name === undefined)) {
      // Argo CD refuses both ("application destination can't have both name and server defined") and needs one.
      problems.check(d.server === undefined ? 'destination' : 'destination.name', { problem: d.server === undefined ? 'names no cluster' : 'gives both server and name', fix: 'give destination.server (the API URL, https://kubernetes.default.svc for the local cluster) or destination.name' });
    }
    problems.check('destination.namespace', dnsLabelProblem(d.namespace, 'namespace name'));
    (props.syncPolicy?.syncOptions ?? []).forEach((o, i) => {
      const [key, value] = o.split('=');
      if (!KNOWN_SYNC_OPTIONS.has(key) || value === undefined) {
        problems.check(`syncPolicy.syncOptions[${i}]`, { problem: `"${o}" is not an Argo CD sync option`, fix: 'write Name=value, e.g. CreateNamespace=true or ServerSideApply=true' });
      }
    });
    if (props.syncWave !== undefined && !Number.isInteger(props.syncWave)) {
      problems.check('syncWave', { problem: `${props.syncWave} is not a whole number`, fix: 'give an integer; lower waves sync first' });
    }
    problems.throwIfAny();

    new ApiObject(this, 'Resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: {
        name: this.name,
        namespace: props.namespace ?? 'argocd',
        ...(props.syncWave !== undefined ? { annotations: { 'argocd.argoproj.io/sync-wave': String(props.syncWave) } } : {}),
        ...(props.cascadeDelete ?? true ? { finalizers: ['resources-finalizer.argocd.argoproj.io'] } : {}),
      },
      spec: {
        project: props.project ?? 'default',
        source: renderSource(props),
        destination: { ...(d.server ? { server: d.server } : { name: d.name }), namespace: d.namespace },
        ...(props.syncPolicy ? {
          syncPolicy: {
            ...(props.syncPolicy.automated ? { automated: { prune: props.syncPolicy.automated.prune ?? false, selfHeal: props.syncPolicy.automated.selfHeal ?? false } } : {}),
            ...(props.syncPolicy.syncOptions?.length ? { syncOptions: [...props.syncPolicy.syncOptions] } : {}),
          },
        } : {}),
        ...(props.ignoreDifferences?.length ? {
          ignoreDifferences: props.ignoreDifferences.map((i) => ({ group: i.group ?? '', kind: i.kind, ...(i.name ? { name: i.name } : {}), jqPathExpressions: [...i.jqPathExpressions] })),
        } : {}),
      },
    });
  }
}

function renderSource(props: ArgoCdApplicationProps): Record<string, unknown> {
  if (props.helm) {
    const h = props.helm;
    return {
      repoURL: h.repoURL,
      chart: h.chart,
      targetRevision: h.version,
      helm: { releaseName: h.releaseName ?? props.name, ...(h.values && Object.keys(h.values).length > 0 ? { valuesObject: h.values } : {}) },
    };
  }
  if (props.directory) {
    return { repoURL: props.directory.repoURL, path: props.directory.path, targetRevision: props.directory.targetRevision };
  }
  const s = props.source!;
  const parameters = [
    ...(s.values?.length ? [{ name: 'values', array: [...s.values] }] : []),
    ...(s.set?.length ? [{ name: 'set', array: [...s.set] }] : []),
  ];
  const env = Object.keys(s.env ?? {}).sort().map((name) => ({ name, value: s.env![name] }));
  return {
    repoURL: s.repoURL,
    path: s.path,
    targetRevision: s.targetRevision ?? 'HEAD',
    plugin: {
      name: PLUGIN_REF,
      ...(env.length ? { env } : {}),
      ...(parameters.length ? { parameters } : {}),
    },
  };
}
