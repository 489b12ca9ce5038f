/**
 * How constructs refer to each other. An L2 construct takes these interfaces, so a route points
 * at a Service object rather than a host string that can drift; `fromXxx` factories cover
 * things that live outside the app. A reference that is a construct of the app also orders the
 * output: the referring object is written after it.
 */

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
  /** Ports its Service exposes (the Service `port`s). @default - unknown: port checks are skipped */
  readonly servicePorts?: readonly number[];
  /**
   * The ports the pods listen on behind them (the Service `targetPort`s), which Gateway servers
   * name when the gateway translates ports (deployKF's 8080/8443 behind 80/443).
   * @default - unknown
   */
  readonly targetPorts?: readonly number[];
  /** Service in front of the pods, for routing to the gateway. @default - none */
  readonly service?: IServiceRef;
}

/** A VirtualService that routes can delegate to. */
export interface IVirtualServiceRef {
  readonly virtualServiceName: string;
  readonly namespace: string;
  /** Whether it was created as a delegate (no hosts); unknown for references. @default - unknown */
  readonly isDelegate?: boolean;
  /** Whether it delegates itself; Istio supports one level of delegation. @default - unknown */
  readonly delegates?: boolean;
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

/** A SPIFFE principal in Istio's form: `<trust domain>/ns/<namespace>/sa/<service account>`. */
export function principalOf(namespace: string, serviceAccount: string, trustDomain = 'cluster.local'): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
