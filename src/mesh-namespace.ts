/**
 * A Namespace with an explicit mesh injection mode, and references to namespaces that exist
 * already. Both carry their InjectionMode, so gateways placed in them pick the right revision
 * and the analysis knows their labels.
 */
import { ApiObject } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { Construct, IConstruct } from 'constructs';
import { MeshContext } from './analysis/mesh-context';
import { propError } from './errors';
import { INJECTION_LABEL_KEYS, InjectionMode } from './injection';
import { INamespaceRef } from './references';

/** A namespace whose injection mode is known: one the app creates, or an existing one described to the app. */
export interface IMeshNamespaceRef extends INamespaceRef {
  readonly injection: InjectionMode;
}

/** Whether a namespace reference carries an injection mode. */
export function isMeshNamespaceRef(ref: INamespaceRef): ref is IMeshNamespaceRef {
  return (ref as Partial<IMeshNamespaceRef>).injection instanceof InjectionMode;
}

export interface MeshNamespaceProps {
  /** Namespace name. @default - the construct id */
  readonly name?: string;
  /** How pods in the namespace join the mesh. @default InjectionMode.none() - no injection label */
  readonly injection?: InjectionMode;
  /**
   * Further labels. Injection labels (`istio-injection`, `istio.io/rev`,
   * `istio.io/dataplane-mode`) are refused here: `injection` sets them.
   * @default - none
   */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly annotations?: Record<string, string>;
}

const NAMESPACE_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

function namespaceNameProblem(name: string): string | undefined {
  if (name.length > 63 || !NAMESPACE_NAME.test(name)) {
    return `"${name}" is not a namespace name (lowercase letters, digits and inner hyphens, at most 63 characters)`;
  }
  return undefined;
}

export class MeshNamespace extends Construct implements IMeshNamespaceRef {
  /**
   * A namespace the app does not create, with the injection mode it has in the cluster. It is
   * declared to the analysis so that checks know its labels (a gateway placed there, a policy
   * naming it as a source).
   */
  public static fromExisting(scope: IConstruct, name: string, injection: InjectionMode = InjectionMode.none()): IMeshNamespaceRef {
    const nameProblem = namespaceNameProblem(name);
    if (nameProblem) {
      propError(scope, 'name', nameProblem, 'give the name of the existing namespace');
    }
    const modeProblem = injection.problem();
    if (modeProblem) {
      propError(scope, 'injection', modeProblem, 'use the revision name istioctl shows in `istioctl tag list`');
    }
    MeshContext.of(scope).declareExternalNamespace(name, injection.labels);
    return { name, injection };
  }

  public readonly name: string;
  public readonly injection: InjectionMode;
  /** The Namespace object, for escape hatches (`ApiObject.of(ns)` returns it too). */
  public readonly apiObject: ApiObject;

  public constructor(scope: Construct, id: string, props: MeshNamespaceProps = {}) {
    super(scope, id);
    this.name = props.name ?? id;
    this.injection = props.injection ?? InjectionMode.none();

    const nameProblem = namespaceNameProblem(this.name);
    if (nameProblem) {
      propError(this, 'metadata.name', nameProblem, 'pass a valid `name`');
    }
    const modeProblem = this.injection.problem();
    if (modeProblem) {
      propError(this, 'injection', modeProblem, 'use the revision name istioctl shows in `istioctl tag list`');
    }
    const labels = props.labels ?? {};
    for (const key of INJECTION_LABEL_KEYS) {
      if (labels[key] !== undefined) {
        propError(this, `labels.${key}`, `the injection label ${key} is set by hand; together with \`injection\` it could contradict it`,
          'drop it from `labels` and set `injection: InjectionMode.enabled() / .revision(name) / .ambient() / .disabled()`');
      }
    }

    this.apiObject = new k8s.KubeNamespace(this, 'Resource', {
      metadata: {
        name: this.name,
        labels: { ...labels, ...this.injection.labels },
        ...(props.annotations && Object.keys(props.annotations).length > 0 ? { annotations: props.annotations } : {}),
      },
    });
  }
}
