/**
 * The base every L2 resource extends, in the spirit of cdk8s-plus's `Resource`: one Kubernetes
 * object, its name and namespace resolved once, labels and annotations, the ApiObject for
 * escape hatches, and one typed, lazy `renderSpec()`, so a route added after construction still
 * lands and the compiler refuses a field the CRD does not have.
 */
import { ApiObject, ApiObjectMetadataDefinition, Chart, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { IstioApiObject } from './l1';
import { INamespaceRef } from './references';
import {
  annotationsProblem, check, dns1035LabelProblem, dnsLabelProblem, dnsSubdomainProblem, FieldProblem, labelsProblem, Problem,
} from './validation';
import { addLateCheck } from './validation/late';

/** Labels and annotations of an object. */
export interface ResourceMetadata {
  /** Labels, e.g. ownership (`team: payments`) or what `kubectl -l` selects on. @default - none */
  readonly labels?: Record<string, string>;
  /** Annotations, e.g. Argo CD sync options and waves. @default - none */
  readonly annotations?: Record<string, string>;
}

/** Props every L2 resource takes. */
export interface IstioResourceProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /**
   * Namespace, as a name or a reference: a MeshNamespace of the app also orders the output, so
   * the Namespace is applied before this object.
   * @default - the chart's namespace
   */
  readonly namespace?: string | INamespaceRef;
  /** Labels and annotations of the object. @default - none */
  readonly metadata?: ResourceMetadata;
}

/** The kind of object a resource renders and how Kubernetes names it. */
export interface ResourceType {
  readonly apiVersion: string;
  readonly kind: string;
  /** Cluster-scoped kinds (Namespace) take no namespace. @default true */
  readonly namespaced?: boolean;
  /**
   * The rule names of this kind follow: DNS subdomains for most, a DNS label for Namespaces,
   * a DNS-1035 label for Services.
   * @default 'subdomain'
   */
  readonly naming?: 'subdomain' | 'label' | 'dns1035';
}

/** An L2 resource: one object with a name, a namespace and its ApiObject. */
export interface IIstioResource extends IConstruct {
  readonly name: string;
  readonly namespace: string;
  readonly apiObject: ApiObject;
}

/**
 * Adds a dependency on `ref` when it is a construct of the app, so cdk8s orders its objects (and
 * its chart's file) first. References to things outside the app are plain objects and add none.
 */
export function dependOn(scope: IConstruct, ref: unknown): void {
  if (ref && typeof ref === 'object' && Construct.isConstruct(ref) && ref !== scope && ref.node.root === scope.node.root) {
    scope.node.addDependency(ref);
  }
}

/**
 * The namespace an object lands in: the one given (a name or any namespace reference, which
 * then orders the output), else its chart's. Namespaced objects need one because references to
 * them are fully qualified.
 */
export function namespaceOf(scope: IConstruct, given: string | INamespaceRef | undefined, field = 'namespace'): string {
  if (given !== undefined && typeof given === 'object') {
    dependOn(scope, given);
  }
  const name = (typeof given === 'object' ? given.name : given) ?? Chart.of(scope).namespace;
  if (!name) {
    check(scope, field, {
      problem: 'no namespace: the construct has none and neither does its chart',
      fix: 'pass `namespace` in the props or give the chart a namespace',
    });
  }
  check(scope, field, dnsLabelProblem(name!, 'namespace name'));
  return name!;
}

/** The name of a namespace reference or name, without any ordering. */
export function namespaceName(ns: string | INamespaceRef): string {
  return typeof ns === 'string' ? ns : ns.name;
}

/** Refuses labels and annotations Kubernetes would, naming the key at fault. */
export function checkMetadata(scope: IConstruct | string, field: string, metadata: ResourceMetadata | undefined): void {
  const labels = labelsProblem(metadata?.labels);
  if (labels) {
    check(scope, `${field}.labels${labels.key !== undefined ? `[${JSON.stringify(labels.key)}]` : ''}`, labels);
  }
  const annotations = annotationsProblem(metadata?.annotations);
  if (annotations) {
    check(scope, `${field}.annotations${annotations.key !== undefined ? `[${JSON.stringify(annotations.key)}]` : ''}`, annotations);
  }
}

function nameProblem(name: string, naming: ResourceType['naming']): Problem | undefined {
  switch (naming ?? 'subdomain') {
    case 'label': return dnsLabelProblem(name, 'name');
    case 'dns1035': return dns1035LabelProblem(name);
    case 'subdomain': return dnsSubdomainProblem(name, 'object name');
  }
}

function nonEmpty(record: Record<string, string> | undefined): Record<string, string> | undefined {
  return record && Object.keys(record).length > 0 ? { ...record } : undefined;
}

/**
 * One Kubernetes object as an L2 construct. Subclasses pass their kind and implement
 * `renderSpec()`, typed against the generated L1 spec (`l1.Wire<l1.VirtualServiceSpec>`); it
 * runs when the app renders, after every `add…()` call.
 */
export abstract class IstioResource<Spec = undefined> extends Construct implements IIstioResource {
  public readonly name: string;
  /** The object's namespace; empty for cluster-scoped kinds. */
  public readonly namespace: string;
  /** The rendered object, for escape hatches (`apiObject.addJsonPatch(...)`). */
  public readonly apiObject: ApiObject;

  protected constructor(scope: Construct, id: string, props: IstioResourceProps, type: ResourceType) {
    super(scope, id);
    this.name = props.name ?? id;
    check(this, 'metadata.name', nameProblem(this.name, type.naming));
    const namespaced = type.namespaced ?? true;
    this.namespace = namespaced ? namespaceOf(this, props.namespace) : '';
    checkMetadata(this, 'metadata', props.metadata);
    this.apiObject = new IstioApiObject(this, 'Resource', {
      apiVersion: type.apiVersion,
      kind: type.kind,
      metadata: {
        name: this.name,
        ...(namespaced ? { namespace: this.namespace } : {}),
        labels: nonEmpty(props.metadata?.labels),
        annotations: nonEmpty(props.metadata?.annotations),
      },
      spec: Lazy.any({ produce: () => this.renderSpec() }),
    });
  }

  /** Labels and annotations, to add more after construction (`metadata.addLabel(...)`). */
  public get metadata(): ApiObjectMetadataDefinition {
    return this.apiObject.metadata;
  }

  /** The spec as it will be written; called once, when the app renders. */
  protected abstract renderSpec(): Spec;

  /** Problems only visible once the app is complete; each becomes an error naming its field. */
  protected addLateCheck(validate: () => readonly FieldProblem[]): void {
    addLateCheck(this, validate);
  }
}
