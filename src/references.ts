/**
 * How constructs refer to each other. An L2 construct takes these interfaces, so a route points
 * at a Service object rather than a host string that can drift; `fromXxx` factories cover
 * things that live outside the app.
 */
import { Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import { propError } from './errors';

/** A namespace, owned by the app (MeshNamespace) or existing already. */
export interface INamespaceRef {
  readonly name: string;
}

/** A Kubernetes Service (or an external host) that routes and policies can target. */
export interface IServiceRef {
  /** Host as routes name it: `name.namespace.svc.cluster.local`, or the external host. */
  readonly host: string;
  /** Service name. @default - none for external hosts */
  readonly serviceName?: string;
  /** @default - none for external hosts */
  readonly namespace?: string;
  /** Ports the Service exposes. @default - unknown */
  readonly ports?: readonly number[];
  /** Labels of the pods behind the Service, for workload-scoped policy. @default - unknown */
  readonly selector?: Readonly<Record<string, string>>;
}

/** Pods selected by labels in one namespace: what policies and sidecars apply to. */
export interface IWorkloadRef {
  readonly namespace: string;
  readonly selector: Readonly<Record<string, string>>;
  /** The pods' service account, whose SPIFFE identity policies allow. @default - unknown */
  readonly serviceAccountName?: string;
}

/** A `networking.istio.io` Gateway resource that VirtualServices bind to. */
export interface IGatewayRef {
  /** `namespace/name`, as VirtualService `gateways` lists it. */
  readonly gatewayRef: string;
}

/** Gateway pods (an ingress or egress gateway deployment) that Gateway resources select. */
export interface IGatewayWorkload extends IWorkloadRef {
  /** Ports its Service exposes. @default - unknown: port checks are skipped */
  readonly servicePorts?: readonly number[];
  /** Service in front of the pods, for routing to the gateway. @default - none */
  readonly service?: IServiceRef;
}

export const ServiceRef = {
  /** A Service in the cluster that the app does not create. */
  fromName(name: string, namespace: string, options: { ports?: number[]; selector?: Record<string, string> } = {}): IServiceRef {
    return { host: `${name}.${namespace}.svc.cluster.local`, serviceName: name, namespace, ...options };
  },
  /** A host outside the mesh's registry (usually with a ServiceEntry) or a Service FQDN. */
  fromHost(host: string): IServiceRef {
    return { host };
  },
};

/** The cluster's trust domain suffix for SPIFFE identities; Istio's default is cluster.local. */
export function principalOf(namespace: string, serviceAccount: string, trustDomain = 'cluster.local'): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/**
 * The namespace an L2 construct's objects land in: the explicit one, else its chart's. L2
 * constructs need one because references to them are fully qualified.
 */
export function resolveNamespace(scope: IConstruct, explicit?: string | INamespaceRef): string {
  const ns = (typeof explicit === 'object' ? explicit.name : explicit) ?? Chart.of(scope).namespace;
  if (!ns) {
    return propError(scope, 'namespace', 'no namespace: the construct has none and neither does its chart',
      'pass `namespace` in the props or give the chart a namespace');
  }
  return ns;
}
