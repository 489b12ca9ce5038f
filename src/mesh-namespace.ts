/**
 * A Namespace with an explicit mesh injection mode, and references to namespaces that exist
 * already. Both carry their InjectionMode, so gateways placed in them pick the right revision
 * and the analysis knows their labels.
 */
import { Construct, IConstruct } from 'constructs';
import { INJECTION_LABEL_KEYS, InjectionMode } from './injection';
import { MeshContext } from './mesh-context';
import { INamespaceRef } from './references';
import { IstioResource, IstioResourceProps } from './resource';
import type { Waypoint } from './waypoint';
import { check, namespaceNameProblem, withFix } from './validation';

/** A namespace whose injection mode is known: one the app creates, or an existing one described to the app. */
export interface IMeshNamespaceRef extends INamespaceRef {
  readonly injection: InjectionMode;
}

/** Whether a namespace reference carries an injection mode. */
export function isMeshNamespaceRef(ref: INamespaceRef): ref is IMeshNamespaceRef {
  return (ref as Partial<IMeshNamespaceRef>).injection instanceof InjectionMode;
}

export interface MeshNamespaceProps extends Omit<IstioResourceProps, 'namespace'> {
  /** Namespace name. @default - the construct id */
  readonly name?: string;
  /** How pods in the namespace join the mesh. @default InjectionMode.none() - no injection label */
  readonly injection?: InjectionMode;
  /**
   * The waypoint the namespace's ambient traffic goes through (`istio.io/use-waypoint`): a
   * Waypoint of the app, or the name of one in this namespace.
   * @default - none: L4 only, through ztunnel
   */
  readonly useWaypoint?: Waypoint | string;
  /**
   * Further labels. Injection labels (`istio-injection`, `istio.io/rev`,
   * `istio.io/dataplane-mode`) are refused here: `injection` sets them.
   * @default - none
   * @deprecated use `metadata.labels`
   */
  readonly labels?: Record<string, string>;
  /**
   * @default - none
   * @deprecated use `metadata.annotations`
   */
  readonly annotations?: Record<string, string>;
}

export class MeshNamespace extends IstioResource implements IMeshNamespaceRef {
  /**
   * A namespace the app does not create, with the injection mode it has in the cluster. It is
   * declared to the analysis so that checks know its labels (a gateway placed there, a policy
   * naming it as a source).
   */
  public static fromExisting(scope: IConstruct, name: string, injection: InjectionMode = InjectionMode.none()): IMeshNamespaceRef {
    check(scope, 'name', withFix(namespaceNameProblem(name), 'give the name of the existing namespace'));
    check(scope, 'injection', injection.problem());
    MeshContext.of(scope).declareExternalNamespace(name, injection.labels);
    return { name, injection };
  }

  public readonly injection: InjectionMode;

  public constructor(scope: Construct, id: string, props: MeshNamespaceProps = {}) {
    const labels = { ...props.labels, ...props.metadata?.labels };
    const injection = props.injection ?? InjectionMode.none();
    const path = `${scope.node.path}/${id}`;
    check(path, 'injection', injection.problem());
    for (const key of INJECTION_LABEL_KEYS) {
      if (labels[key] !== undefined) {
        check(path, `labels.${key}`, {
          problem: `the injection label ${key} is set by hand; together with \`injection\` it could contradict it`,
          fix: 'drop it from `labels` and set `injection: InjectionMode.enabled() / .revision(name) / .ambient() / .disabled()`',
        });
      }
    }
    super(scope, id, {
      name: props.name,
      metadata: {
        labels: {
          ...labels,
          ...injection.labels,
          ...(props.useWaypoint !== undefined ? { 'istio.io/use-waypoint': typeof props.useWaypoint === 'string' ? props.useWaypoint : props.useWaypoint.name } : {}),
        },
        annotations: { ...props.annotations, ...props.metadata?.annotations },
      },
    }, { apiVersion: 'v1', kind: 'Namespace', namespaced: false, naming: 'label' });
    this.injection = injection;
    if (props.useWaypoint !== undefined && typeof props.useWaypoint !== 'string' && props.useWaypoint.namespace !== this.name) {
      // istio.io/use-waypoint on a namespace names a waypoint in that namespace unless the
      // namespace label istio.io/use-waypoint-namespace says otherwise.
      this.metadata.addLabel('istio.io/use-waypoint-namespace', props.useWaypoint.namespace);
    }
  }

  protected renderSpec(): undefined {
    return undefined;
  }
}
