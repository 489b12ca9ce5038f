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
  readonly source: ArgoCdSource;
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
    if (!/^(https?|ssh|git):\/\/|^git@/.test(props.source.repoURL)) {
      problems.check('source.repoURL', { problem: `"${props.source.repoURL}" is not a Git URL`, fix: 'use https://..., ssh://... or git@host:org/repo.git' });
    }
    if (props.source.path.startsWith('/') || props.source.path.split('/').includes('..')) {
      problems.check('source.path', { problem: `"${props.source.path}" leaves the repository`, fix: 'give a path relative to the repository root, e.g. clusters/prod/shop' });
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

    const s = props.source;
    const parameters = [
      ...(s.values?.length ? [{ name: 'values', array: [...s.values] }] : []),
      ...(s.set?.length ? [{ name: 'set', array: [...s.set] }] : []),
    ];
    const env = Object.keys(s.env ?? {}).sort().map((name) => ({ name, value: s.env![name] }));
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
        source: {
          repoURL: s.repoURL,
          path: s.path,
          targetRevision: s.targetRevision ?? 'HEAD',
          plugin: {
            name: PLUGIN_REF,
            ...(env.length ? { env } : {}),
            ...(parameters.length ? { parameters } : {}),
          },
        },
        destination: { ...(d.server ? { server: d.server } : { name: d.name }), namespace: d.namespace },
        ...(props.syncPolicy ? {
          syncPolicy: {
            ...(props.syncPolicy.automated ? { automated: { prune: props.syncPolicy.automated.prune ?? false, selfHeal: props.syncPolicy.automated.selfHeal ?? false } } : {}),
            ...(props.syncPolicy.syncOptions?.length ? { syncOptions: [...props.syncPolicy.syncOptions] } : {}),
          },
        } : {}),
      },
    });
  }
}
