/**
 * A Gateway API Gateway (gateway.networking.k8s.io/v1), named apart from Istio's own `Gateway`.
 * With class `istio`, Istio deploys the gateway itself: a Deployment, Service and ServiceAccount
 * named `<name>-istio` in the Gateway's namespace, whose pods carry
 * `gateway.networking.k8s.io/gateway-name: <name>` (Istio's kube-gateway deployment template).
 * Its Service type comes from the Gateway's `networking.istio.io/service-type` annotation, and
 * `infrastructure` labels and annotations are copied onto what Istio deploys.
 *
 * HTTPS listeners name their certificate Secret (never the certificate); a Secret in another
 * namespace gets the ReferenceGrant the Gateway needs, in that namespace.
 */
import { Construct, IConstruct } from 'constructs';
import { externalGatewayApiKey, MeshContext } from './mesh-context';
import type * as gw from '../imports/gateway.networking.k8s.io';
import { GatewayListener } from './gateway-listener';
import type { Wire } from './l1';
import { GrantsFrom } from './reference-grant';
import { IGatewayWorkload } from './references';
import { IstioResource, IstioResourceProps } from './resource';
import { GATEWAY_API_GROUP, IRouteParent, ParentReference } from './route-parts';
import { annotationsProblem, check, checkAll, dnsLabelProblem, dnsSubdomainProblem, labelsProblem } from './validation';

type GatewaySpec = Wire<gw.GatewaySpec>;

/** What Istio deploys for the Gateway, and how. */
export interface GatewayInfrastructure {
  /** Labels for the Deployment, Service and pods Istio creates. @default - none */
  readonly labels?: Record<string, string>;
  /** Annotations for them (a cloud's internal load balancer annotation, for one). @default - none */
  readonly annotations?: Record<string, string>;
  /**
   * A ConfigMap in the Gateway's namespace with Istio's deployment customisation (replicas,
   * resources, a HorizontalPodAutoscaler, as Istio documents for `parametersRef`).
   * @default - none
   */
  readonly parametersConfigMap?: string;
}

export interface KubernetesGatewayProps extends IstioResourceProps {
  /** @default 'istio' - Istio deploys and runs the gateway */
  readonly gatewayClassName?: string;
  /** More can be added with addListener(). @default - none */
  readonly listeners?: GatewayListener[];
  /** The Service Istio creates. @default 'LoadBalancer' (Istio's default) */
  readonly serviceType?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** @default - Istio's defaults */
  readonly infrastructure?: GatewayInfrastructure;
  /** A control-plane revision or tag to run the gateway with (`istio.io/rev`). @default - the default revision */
  readonly revision?: string;
}

export class KubernetesGateway extends IstioResource<GatewaySpec> implements IRouteParent {
  /**
   * A Gateway API Gateway the app does not create (a platform team's), as a route parent. It is
   * declared to the analysis, so routes attached to it are not reported as dangling (CKI7001).
   */
  public static fromName(scope: IConstruct, namespace: string, name: string, sectionName?: string): IRouteParent {
    check(scope, 'namespace', dnsLabelProblem(namespace, 'namespace name'));
    check(scope, 'name', dnsSubdomainProblem(name, 'Gateway name'));
    MeshContext.of(scope).declareExternalGateway(externalGatewayApiKey(namespace, name));
    return { parentReference: { group: GATEWAY_API_GROUP, kind: 'Gateway', name, namespace, ...(sectionName !== undefined ? { sectionName } : {}) } };
  }

  /** The pods Istio deploys for the Gateway, for policies that admit them or apply to them. */
  public readonly workload: IGatewayWorkload;
  public readonly gatewayClassName: string;
  private readonly listeners: GatewayListener[] = [];
  private readonly grants = new GrantsFrom(this, 'Gateway');
  private readonly infrastructure?: GatewayInfrastructure;

  public constructor(scope: Construct, id: string, props: KubernetesGatewayProps = {}) {
    super(scope, id, {
      ...props,
      metadata: {
        labels: { ...props.metadata?.labels, ...(props.revision ? { 'istio.io/rev': props.revision } : {}) },
        annotations: { ...props.metadata?.annotations, ...(props.serviceType ? { 'networking.istio.io/service-type': props.serviceType } : {}) },
      },
    }, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'Gateway' });
    this.gatewayClassName = props.gatewayClassName ?? 'istio';
    if (props.revision !== undefined) {
      check(this, 'revision', dnsLabelProblem(props.revision, 'revision'));
    }
    const infra = props.infrastructure;
    const labels = labelsProblem(infra?.labels);
    if (labels) {
      check(this, 'infrastructure.labels', labels);
    }
    const annotations = annotationsProblem(infra?.annotations);
    if (annotations) {
      check(this, 'infrastructure.annotations', annotations);
    }
    if (infra?.parametersConfigMap !== undefined) {
      check(this, 'infrastructure.parametersConfigMap', dnsLabelProblem(infra.parametersConfigMap, 'ConfigMap name'));
    }
    this.infrastructure = infra;
    // Istio names what it deploys `<gateway>-<class>` (`<name>-istio`), with this pod label; a
    // waypoint keeps the Gateway's own name.
    const deployed = this.gatewayClassName === 'istio-waypoint' ? this.name : `${this.name}-${this.gatewayClassName}`;
    this.workload = {
      namespace: this.namespace,
      selector: { 'gateway.networking.k8s.io/gateway-name': this.name },
      serviceAccountName: deployed,
    };
    // Istio deploys these pods, not the app: an Istio Gateway selecting them (both APIs on one
    // gateway while migrating) selects pods that will exist.
    MeshContext.of(this).declareExternalGatewayWorkload({ constructPath: this.node.path, namespace: this.namespace, labels: { ...this.workload.selector, 'istio.io/gateway-name': this.name } });
    (props.listeners ?? []).forEach((l) => this.addListener(l));
    this.addLateCheck(() => (this.listeners.length === 0
      ? [{ field: 'spec.listeners', problem: 'the Gateway has no listeners', fix: 'pass listeners or call addListener()' }]
      : []));
  }

  /** The Gateway as a route's parent: every listener that admits the route. */
  public get parentReference(): ParentReference {
    return { group: GATEWAY_API_GROUP, kind: 'Gateway', name: this.name, namespace: this.namespace };
  }

  /** One listener as a route's parent (`sectionName`). */
  public listener(name: string): IRouteParent {
    if (!this.listeners.some((l) => l.name === name)) {
      check(this, 'listeners', { problem: `the Gateway has no listener ${name} (listeners: ${this.listeners.map((l) => l.name).join(', ') || 'none'})`, fix: 'add the listener first, or name one it has' });
    }
    return { parentReference: { ...this.parentReference, sectionName: name } };
  }

  /** The names of the listeners, in order. */
  public get listenerNames(): readonly string[] {
    return this.listeners.map((l) => l.name);
  }

  public addListener(listener: GatewayListener): void {
    const field = `spec.listeners[${this.listeners.length}]`;
    checkAll(this, field, listener.problems());
    if (this.listeners.some((l) => l.name === listener.name)) {
      check(this, `${field}.name`, { problem: `listener name ${listener.name} is used twice`, fix: 'give each listener its own name' });
    }
    const twin = this.listeners.find((l) => l.port === listener.port && l.protocol === listener.protocol && l.hostname === listener.hostname);
    if (twin) {
      check(this, field, { problem: `listener ${twin.name} already takes ${listener.protocol} on ${listener.port}${listener.hostname ? ` for ${listener.hostname}` : ''}`, fix: 'give one of them another hostname or port' });
    }
    const secretNs = listener.certificate?.namespace;
    if (secretNs !== undefined && secretNs !== this.namespace) {
      check(this, `${field}.tls.certificateRefs[0].namespace`, dnsLabelProblem(secretNs, 'namespace name'));
      this.grants.in(secretNs).allowTo({ kind: 'Secret', name: listener.certificate!.name });
    }
    this.listeners.push(listener);
  }

  protected renderSpec(): GatewaySpec {
    const infra = this.infrastructure;
    const infrastructure = infra && (infra.labels || infra.annotations || infra.parametersConfigMap) ? {
      ...(infra.labels ? { labels: { ...infra.labels } } : {}),
      ...(infra.annotations ? { annotations: { ...infra.annotations } } : {}),
      ...(infra.parametersConfigMap ? { parametersRef: { group: '', kind: 'ConfigMap', name: infra.parametersConfigMap } } : {}),
    } : undefined;
    return {
      gatewayClassName: this.gatewayClassName,
      listeners: this.listeners.map((l) => l.render()),
      ...(infrastructure ? { infrastructure } : {}),
    };
  }
}
