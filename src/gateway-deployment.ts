/**
 * Gateway deployments: the Envoy pods that Gateway resources configure. Rendered natively with
 * the choices of Istio's own `gateway` Helm chart (istio/istio manifests/charts/gateway) at its
 * defaults, so the output matches `helm install istio-ingress istio/gateway` field by field
 * except for Helm's bookkeeping labels (test/gateway-golden.test.ts lists each difference).
 *
 * The chart's choices, and why they matter:
 * - the pod carries `sidecar.istio.io/inject: "true"` and `inject.istio.io/templates: gateway`,
 *   and its only container is `istio-proxy` with `image: auto`: the injector replaces the image
 *   and fills in the proxy, so a pod that no injector takes never starts (analysis IST0147);
 * - no capabilities, no privilege escalation, read-only root, non-root; binding 80/443 as
 *   non-root works through the `net.ipv4.ip_unprivileged_port_start=0` pod sysctl;
 * - the Service lists `status-port` 15021 first, because cloud load balancers health-check the
 *   first port;
 * - a Role that reads Secrets, so the gateway can load TLS certificates named by `credentialName`.
 *
 * cdk8s-plus's Deployment would add its own defaults (1000m/512Mi resources,
 * `imagePullPolicy: Always`, a startup probe, `automountServiceAccountToken: false` — the last
 * one breaks the proxy's token), so the objects are written with the k8s L1 classes.
 *
 * IngressGateway and EgressGateway (their own files) differ only in the Service in front.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { k8s, Protocol } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { durationMillis, DurationLike, IstioDuration } from './duration';
import { gatewayPodTemplate, GatewayPodProps } from './gateway-pod-template';

export { ZoneAntiAffinity } from './gateway-pod-template';
export type { GatewayPodProps } from './gateway-pod-template';
import { InjectionKind } from './injection';
import { isMeshNamespaceRef } from './mesh-namespace';
import { IGatewayWorkload, INamespaceRef, IServiceRef } from './references';
import { checkMetadata, namespaceOf, ResourceMetadata } from './resource';
import {
  annotationsProblem, check, dnsLabelProblem, dnsSubdomainProblem, labelsProblem, Problem, portProblem, revisionProblem, selectorProblem, withFix,
} from './validation';

/** A port the gateway Service exposes, and the port Envoy listens on behind it. */
export interface GatewayServicePort {
  /** Port name. Istio reads the protocol from its prefix (`http2`, `https`, `tcp`, `tls`). */
  readonly name: string;
  /** The port clients and load balancers connect to on the Service. */
  readonly port: number;
  /**
   * The port inside the pod that the Envoy listener binds (deployKF's `gateway.ports`, as opposed
   * to `gatewayService.ports`). Gateway resources name the Service `port`; Istio translates it
   * to this one.
   * @default - same as `port`
   */
  readonly targetPort?: number;
  /** @default Protocol.TCP */
  readonly protocol?: Protocol;
  /** Only for NodePort and LoadBalancer Services. @default - Kubernetes assigns one */
  readonly nodePort?: number;
}

export enum GatewayServiceType {
  /** An external load balancer in front of the gateway (the chart's default). */
  LOAD_BALANCER = 'LoadBalancer',
  /** Reachable inside the cluster only, e.g. behind an Ingress or a cloud load balancer you manage. */
  CLUSTER_IP = 'ClusterIP',
  /** A port on every node. */
  NODE_PORT = 'NodePort',
}

/** How many gateway pods run. */
export class GatewayScaling {
  /**
   * A HorizontalPodAutoscaler (autoscaling/v2) scaling on CPU, the chart's default.
   * @param options.minReplicas @default 1
   * @param options.maxReplicas @default 5
   * @param options.targetCpuUtilization percent of the CPU request @default 80
   * @param options.targetMemoryUtilization percent of the memory request @default - not a metric
   */
  public static autoscale(options: {
    readonly minReplicas?: number;
    readonly maxReplicas?: number;
    readonly targetCpuUtilization?: number;
    readonly targetMemoryUtilization?: number;
  } = {}): GatewayScaling {
    return new GatewayScaling(
      options.minReplicas ?? 1,
      options.maxReplicas ?? 5,
      options.targetCpuUtilization ?? 80,
      options.targetMemoryUtilization,
      true,
    );
  }

  /** A fixed number of replicas (`spec.replicas`), no autoscaler. */
  public static fixed(replicas: number): GatewayScaling {
    return new GatewayScaling(replicas, replicas, undefined, undefined, false);
  }

  private constructor(
    public readonly minReplicas: number,
    public readonly maxReplicas: number,
    public readonly targetCpuUtilization: number | undefined,
    public readonly targetMemoryUtilization: number | undefined,
    public readonly autoscaled: boolean,
  ) {}
}

/** A PodDisruptionBudget for the gateway pods; give exactly one of the two bounds. */
export interface GatewayDisruptionBudget {
  /** Pods that must stay up during voluntary disruptions, a number or a percentage (`"50%"`). @default 1 */
  readonly minAvailable?: number | string;
  /** Pods that may be down at once, a number or a percentage. @default - minAvailable is used */
  readonly maxUnavailable?: number | string;
  /** @default - Kubernetes's default (IfHealthyBudget) */
  readonly unhealthyPodEvictionPolicy?: 'IfHealthyBudget' | 'AlwaysAllow';
}

/** Props every gateway deployment takes. */
export interface GatewayDeploymentProps extends GatewayPodProps {
  /** Name of the Deployment, Service, ServiceAccount, Role, RoleBinding, HPA and PDB. @default - the construct id */
  readonly name?: string;
  /**
   * Namespace of the gateway; a MeshNamespace (or `MeshNamespace.fromExisting`) lets the
   * gateway follow its revision.
   * @default - the chart's namespace
   */
  readonly namespace?: string | INamespaceRef;
  /**
   * Istio revision (or revision tag) whose injector fills in the proxy; sets `istio.io/rev` on
   * the pods. Must equal the namespace's revision when the namespace has one.
   * @default - the namespace's revision if it is a MeshNamespace with one, else the default injector
   */
  readonly revision?: string;
  /**
   * Pod labels that Gateway resources and the Service select.
   * @default - `app: <name>` and `istio: <name without an "istio-" prefix>`, as the chart does
   */
  readonly selectorLabels?: Record<string, string>;
  /**
   * Extra labels on every object and on the pods.
   * @default - none
   * @deprecated use `metadata.labels`
   */
  readonly labels?: Record<string, string>;
  /** Labels on every object and on the pods, and annotations on every object (not the pods: `podAnnotations`). @default - none */
  readonly metadata?: ResourceMetadata;
  /** @default GatewayScaling.autoscale() - 1 to 5 replicas at 80% CPU */
  readonly scaling?: GatewayScaling;
  /**
   * Only when the minimum replica count is above one (a budget on a single pod blocks node drains).
   * @default - `minAvailable: 1` when the minimum is above one, else no PodDisruptionBudget
   */
  readonly podDisruptionBudget?: GatewayDisruptionBudget;
  /** @default Duration.seconds(30) */
  readonly terminationGracePeriod?: DurationLike;
  /** @default - the gateway name */
  readonly serviceAccountName?: string;
  /** e.g. `eks.amazonaws.com/role-arn` for workload identity. @default - none */
  readonly serviceAccountAnnotations?: Record<string, string>;
  /** Create the Role and RoleBinding that let the gateway read TLS Secrets. @default true */
  readonly rbac?: boolean;
  /**
   * Traffic ports of the Service; `status-port` 15021 is always listed first.
   * @default - http2 80 and https 443
   */
  readonly ports?: GatewayServicePort[];
  /** @default - none */
  readonly serviceAnnotations?: Record<string, string>;
  /**
   * Labels the Service selects on top of the selector labels, e.g. `istio.io/rev: canary` to
   * send traffic only to one revision's pods during an upgrade.
   * @default - none
   */
  readonly serviceSelectorLabels?: Record<string, string>;
}

const STATUS_PORT: GatewayServicePort = { name: 'status-port', port: 15021, targetPort: 15021, protocol: Protocol.TCP };
/** The Service ports a gateway exposes when none are given. @internal */
export const DEFAULT_GATEWAY_PORTS: GatewayServicePort[] = [
  { name: 'http2', port: 80, targetPort: 80, protocol: Protocol.TCP },
  { name: 'https', port: 443, targetPort: 443, protocol: Protocol.TCP },
];
/** The ports of the chart's `networkGateway` (multi-network east-west gateways). @internal */
export const NETWORK_GATEWAY_PORTS: GatewayServicePort[] = [
  { name: 'tls', port: 15443, targetPort: 15443, protocol: Protocol.TCP },
  { name: 'tls-istiod', port: 15012, targetPort: 15012, protocol: Protocol.TCP },
  { name: 'tls-webhook', port: 15017, targetPort: 15017, protocol: Protocol.TCP },
];
// Keys the gateway needs as they are; overriding them breaks injection or the selector.
const RESERVED_POD_KEYS = ['sidecar.istio.io/inject', 'inject.istio.io/templates', 'istio.io/rev'];

/** How the Service in front of the gateway pods is exposed; the subclass decides. @internal */
export interface GatewayServiceOptions {
  readonly type: GatewayServiceType;
  readonly loadBalancerSourceRanges?: string[];
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  readonly loadBalancerClass?: string;
  readonly network?: string;
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value && Object.keys(value).length > 0 ? value : undefined;
}

function keyed(field: string, p: (Problem & { key?: string }) | undefined): [string, Problem | undefined] {
  return [p?.key !== undefined ? `${field}[${JSON.stringify(p.key)}]` : field, p];
}

/**
 * What ingress and egress gateways share: the chart's Deployment, Service, ServiceAccount,
 * RBAC, autoscaler and disruption budget. Use IngressGateway or EgressGateway.
 */
export abstract class GatewayDeployment extends Construct implements IGatewayWorkload {
  public readonly name: string;
  public readonly namespace: string;
  /** Labels of the gateway pods, which Gateway resources select. */
  public readonly selector: Readonly<Record<string, string>>;
  public readonly serviceAccountName: string;
  /** The revision whose injector serves the pods, if any. */
  public readonly revision?: string;
  /** The Deployment, for escape hatches. */
  public readonly apiObject: ApiObject;
  public readonly deploymentApiObject: ApiObject;
  public readonly serviceApiObject: ApiObject;

  private readonly ports: GatewayServicePort[] = [];
  private readonly serviceType: GatewayServiceType;

  protected constructor(scope: Construct, id: string, props: GatewayDeploymentProps, service: GatewayServiceOptions) {
    super(scope, id);
    this.name = props.name ?? id;
    check(this, 'name', withFix(dnsLabelProblem(this.name, 'name'), 'pass a `name` such as istio-ingressgateway'));
    // The namespace (with its injection label) must exist before the gateway pods are created.
    this.namespace = namespaceOf(this, props.namespace);
    const nsRef = typeof props.namespace === 'object' ? props.namespace : undefined;
    this.revision = this.resolveRevision(props.revision, nsRef);
    this.serviceType = service.type;

    const selector = props.selectorLabels ?? { app: this.name, istio: this.name.replace(/^istio-/, '') };
    check(this, 'selectorLabels', withFix(selectorProblem(selector, { what: 'gateway pods' }),
      'give labels that identify this gateway\'s pods, e.g. { istio: "ingressgateway" }'));
    this.selector = { ...selector };
    this.serviceAccountName = props.serviceAccountName ?? this.name;
    check(this, 'serviceAccountName', dnsSubdomainProblem(this.serviceAccountName, 'service account name'));

    const extraLabels = { ...props.labels, ...props.metadata?.labels };
    checkMetadata(this, 'metadata', { labels: extraLabels, annotations: props.metadata?.annotations });
    for (const key of Object.keys(extraLabels)) {
      if (key in this.selector || RESERVED_POD_KEYS.includes(key)) {
        check(this, `labels.${key}`, {
          problem: `${key} is set by the gateway itself (selector or injection)`,
          fix: key in this.selector ? 'change `selectorLabels` instead' : 'use `revision` for istio.io/rev; injection labels are fixed',
        });
      }
    }
    if (props.numTrustedProxies !== undefined && (!Number.isInteger(props.numTrustedProxies) || props.numTrustedProxies < 0)) {
      check(this, 'numTrustedProxies', { problem: `${props.numTrustedProxies} is not a number of proxies`, fix: 'give a whole number, 1 behind one load balancer or gateway' });
    }
    if (props.numTrustedProxies && props.podAnnotations?.['proxy.istio.io/config'] !== undefined) {
      check(this, 'podAnnotations.proxy.istio.io/config', {
        problem: 'numTrustedProxies writes proxy.istio.io/config, and podAnnotations sets it too',
        fix: 'drop numTrustedProxies and put gatewayTopology into your proxy.istio.io/config, or drop the annotation',
      });
    }
    for (const key of Object.keys(props.podAnnotations ?? {})) {
      if (RESERVED_POD_KEYS.includes(key)) {
        check(this, `podAnnotations.${key}`, { problem: `${key} must stay as the chart sets it or the proxy is never injected`, fix: 'remove it from `podAnnotations`' });
      }
    }
    for (const [field, map] of [['podAnnotations', props.podAnnotations], ['serviceAnnotations', props.serviceAnnotations], ['serviceAccountAnnotations', props.serviceAccountAnnotations]] as const) {
      check(this, ...keyed(field, annotationsProblem(map)));
    }
    check(this, ...keyed('nodeSelector', labelsProblem(props.nodeSelector)));
    check(this, ...keyed('serviceSelectorLabels', labelsProblem(props.serviceSelectorLabels)));

    const scaling = props.scaling ?? GatewayScaling.autoscale();
    this.validateScaling(scaling);
    const budget = this.resolveBudget(scaling, props.podDisruptionBudget);

    if (props.zoneAntiAffinity && props.affinity?.podAntiAffinity) {
      check(this, 'zoneAntiAffinity', {
        problem: 'both `zoneAntiAffinity` and `affinity.podAntiAffinity` are set',
        fix: 'keep one: zoneAntiAffinity for the common case, affinity for full control',
      });
    }
    const grace = props.terminationGracePeriod ?? IstioDuration.seconds(30);
    const graceMs = durationMillis(grace);
    if (!Number.isFinite(graceMs) || graceMs < 0 || graceMs % 1000 !== 0) {
      check(this, 'terminationGracePeriod', { problem: `${graceMs} ms is not a whole number of seconds`, fix: 'use Duration.seconds(n)' });
    }
    (props.imagePullSecrets ?? []).forEach((s, i) => check(this, `imagePullSecrets[${i}]`,
      withFix(dnsSubdomainProblem(s, 'Secret name'), 'give the name of a docker-registry Secret in the gateway namespace')));
    if (props.priorityClassName !== undefined) {
      check(this, 'priorityClassName', dnsSubdomainProblem(props.priorityClassName, 'priority class name'));
    }

    // The chart's labels: selector labels, the recommended app.kubernetes.io ones (without Helm's
    // bookkeeping), and `istio.io/dataplane-mode: none` so that an ambient namespace does not
    // also capture the gateway's traffic with ztunnel.
    const common: Record<string, string> = {
      ...this.selector,
      'app.kubernetes.io/name': this.name,
      'app.kubernetes.io/instance': this.name,
      'app.kubernetes.io/part-of': 'istio',
      'istio.io/dataplane-mode': 'none',
      ...extraLabels,
    };
    const networkLabel: Record<string, string> = service.network ? { 'topology.istio.io/network': service.network } : {};
    const objectAnnotations = props.metadata?.annotations ?? {};
    const metadata = (labels: Record<string, string>, annotations?: Record<string, string>) => {
      const merged = { ...objectAnnotations, ...annotations };
      return { name: this.name, namespace: this.namespace, labels, ...(nonEmpty(merged) ? { annotations: merged } : {}) };
    };

    new k8s.KubeServiceAccount(this, 'ServiceAccount', {
      metadata: { ...metadata(common, props.serviceAccountAnnotations), name: this.serviceAccountName },
    });

    if (props.rbac ?? true) {
      new k8s.KubeRole(this, 'Role', {
        metadata: { ...metadata(common), name: this.serviceAccountName },
        rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }],
      });
      new k8s.KubeRoleBinding(this, 'RoleBinding', {
        metadata: { ...metadata(common), name: this.serviceAccountName },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: this.serviceAccountName },
        subjects: [{ kind: 'ServiceAccount', name: this.serviceAccountName, namespace: this.namespace }],
      });
    }

    this.deploymentApiObject = new k8s.KubeDeployment(this, 'Deployment', {
      metadata: metadata(common),
      spec: {
        ...(scaling.autoscaled ? {} : { replicas: scaling.minReplicas }),
        selector: { matchLabels: { ...this.selector } },
        template: gatewayPodTemplate({
          labels: { ...common, ...networkLabel },
          revision: this.revision,
          selector: this.selector,
          serviceAccountName: this.serviceAccountName,
          network: service.network,
          terminationGracePeriodSeconds: graceMs / 1000,
          props,
        }),
      },
    });
    this.apiObject = this.deploymentApiObject;

    this.addPort(STATUS_PORT);
    for (const port of props.ports ?? (service.network ? NETWORK_GATEWAY_PORTS : DEFAULT_GATEWAY_PORTS)) {
      this.addPort(port);
    }
    if (service.type === GatewayServiceType.CLUSTER_IP && (service.loadBalancerSourceRanges || service.externalTrafficPolicy || service.loadBalancerClass)) {
      check(this, 'serviceType', {
        problem: 'load balancer options are set on a ClusterIP Service',
        fix: 'use GatewayServiceType.LOAD_BALANCER, or drop loadBalancerSourceRanges / externalTrafficPolicy / loadBalancerClass',
      });
    }
    if (service.type !== GatewayServiceType.LOAD_BALANCER && (service.loadBalancerSourceRanges || service.loadBalancerClass)) {
      check(this, 'loadBalancerSourceRanges', {
        problem: 'loadBalancerSourceRanges and loadBalancerClass apply to LoadBalancer Services only',
        fix: 'use GatewayServiceType.LOAD_BALANCER or drop them',
      });
    }
    const serviceSelector = { ...this.selector, ...(props.serviceSelectorLabels ?? {}) };

    this.serviceApiObject = new k8s.KubeService(this, 'Service', {
      metadata: metadata({ ...common, ...networkLabel }, props.serviceAnnotations),
      spec: {
        ...(service.loadBalancerSourceRanges?.length ? { loadBalancerSourceRanges: service.loadBalancerSourceRanges } : {}),
        ...(service.externalTrafficPolicy ? { externalTrafficPolicy: service.externalTrafficPolicy } : {}),
        ...(service.loadBalancerClass ? { loadBalancerClass: service.loadBalancerClass } : {}),
        type: service.type,
        ports: Lazy.any({ produce: () => this.renderPorts() }) as unknown as k8s.ServicePort[],
        selector: serviceSelector,
      },
    });

    if (scaling.autoscaled) {
      new k8s.KubeHorizontalPodAutoscalerV2(this, 'HorizontalPodAutoscaler', {
        metadata: metadata(common),
        spec: {
          scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.name },
          minReplicas: scaling.minReplicas,
          maxReplicas: scaling.maxReplicas,
          metrics: [
            ...(scaling.targetCpuUtilization !== undefined ? [{
              type: 'Resource',
              resource: { name: 'cpu', target: { averageUtilization: scaling.targetCpuUtilization, type: 'Utilization' } },
            }] : []),
            ...(scaling.targetMemoryUtilization !== undefined ? [{
              type: 'Resource',
              resource: { name: 'memory', target: { averageUtilization: scaling.targetMemoryUtilization, type: 'Utilization' } },
            }] : []),
          ],
        },
      });
    }

    if (budget) {
      const intOrString = (v: number | string) => (typeof v === 'number' ? k8s.IntOrString.fromNumber(v) : k8s.IntOrString.fromString(v));
      new k8s.KubePodDisruptionBudget(this, 'PodDisruptionBudget', {
        metadata: metadata(common),
        spec: {
          selector: { matchLabels: { ...this.selector } },
          ...(budget.minAvailable !== undefined ? { minAvailable: intOrString(budget.minAvailable) } : {}),
          ...(budget.maxUnavailable !== undefined ? { maxUnavailable: intOrString(budget.maxUnavailable) } : {}),
          ...(budget.unhealthyPodEvictionPolicy ? { unhealthyPodEvictionPolicy: budget.unhealthyPodEvictionPolicy } : {}),
        },
      });
    }
  }

  /** Port numbers the Service exposes (its `port`s), status port included. */
  public get servicePorts(): readonly number[] {
    return this.ports.map((p) => p.port);
  }

  /** The ports the pods listen on behind the Service ports (`targetPort`s). */
  public get targetPorts(): readonly number[] {
    return this.ports.map((p) => p.targetPort ?? p.port);
  }

  /** The Service's ports as rendered, status port first. */
  public get servicePortSpecs(): readonly GatewayServicePort[] {
    return [...this.ports];
  }

  /** The gateway's Service, for routing to it (e.g. mesh traffic sent through an egress gateway). */
  public get service(): IServiceRef {
    return {
      host: `${this.name}.${this.namespace}.svc.cluster.local`,
      serviceName: this.name,
      namespace: this.namespace,
      ports: this.servicePorts,
      selector: this.selector,
    };
  }

  /** Expose one more port on the Service; it lands in the output even after construction. */
  public addPort(port: GatewayServicePort): void {
    // The status port comes first and is not the user's; user ports count from 0 after it.
    const field = this.ports.length === 0 ? 'statusPort' : `ports[${this.ports.length - 1}]`;
    check(this, `${field}.name`, withFix(dnsLabelProblem(port.name, 'port name'), 'use a lowercase name whose prefix says the protocol, e.g. http2, https, tcp-db'));
    for (const [key, value] of [['port', port.port], ['targetPort', port.targetPort], ['nodePort', port.nodePort]] as const) {
      if (value !== undefined) {
        check(this, `${field}.${key}`, portProblem(value));
      }
    }
    if (port.nodePort !== undefined && this.serviceType === GatewayServiceType.CLUSTER_IP) {
      check(this, `${field}.nodePort`, { problem: 'a ClusterIP Service has no node ports', fix: 'drop nodePort or use a NodePort or LoadBalancer Service' });
    }
    const clash = this.ports.find((p) => p.name === port.name || (p.port === port.port && (p.protocol ?? Protocol.TCP) === (port.protocol ?? Protocol.TCP)));
    if (clash) {
      check(this, `${field}`, {
        problem: `port ${port.name} (${port.port}) clashes with ${clash.name} (${clash.port})${clash === STATUS_PORT ? ', which the gateway always exposes first' : ''}`,
        fix: 'give each port its own name and number',
      });
    }
    this.ports.push(port);
  }

  private renderPorts(): k8s.ServicePort[] {
    return this.ports.map((p) => ({
      name: p.name,
      port: p.port,
      protocol: p.protocol ?? Protocol.TCP,
      targetPort: k8s.IntOrString.fromNumber(p.targetPort ?? p.port),
      ...(p.nodePort !== undefined ? { nodePort: p.nodePort } : {}),
    }));
  }

  private resolveRevision(revision: string | undefined, nsRef: INamespaceRef | undefined): string | undefined {
    if (revision !== undefined) {
      check(this, 'revision', withFix(revisionProblem(revision), 'use the revision name `istioctl tag list` shows'));
    }
    if (!nsRef || !isMeshNamespaceRef(nsRef)) {
      return revision;
    }
    const mode = nsRef.injection;
    if (mode.kind === InjectionKind.REVISION) {
      if (revision !== undefined && revision !== mode.revisionName) {
        check(this, 'revision', {
          problem: `namespace ${nsRef.name} injects revision ${mode.revisionName}, and the namespace label wins over the pod's istio.io/rev=${revision}`,
          fix: `drop \`revision\` or set it to ${mode.revisionName}`,
        });
      }
      return mode.revisionName;
    }
    if (mode.kind === InjectionKind.ENABLED && revision !== undefined) {
      check(this, 'revision', {
        problem: `namespace ${nsRef.name} has istio-injection=enabled, which wins over the pod's istio.io/rev=${revision}: the default revision would inject`,
        fix: 'drop `revision`, or place the gateway in a namespace with InjectionMode.revision() or none',
      });
    }
    return revision;
  }

  private validateScaling(scaling: GatewayScaling): void {
    const field = scaling.autoscaled ? 'scaling.minReplicas' : 'scaling.replicas';
    if (!Number.isInteger(scaling.minReplicas) || scaling.minReplicas < 1) {
      check(this, field, { problem: `${scaling.minReplicas} is not a replica count of at least 1`, fix: 'run at least one gateway pod' });
    }
    if (scaling.autoscaled) {
      if (!Number.isInteger(scaling.maxReplicas) || scaling.maxReplicas < scaling.minReplicas) {
        check(this, 'scaling.maxReplicas', { problem: `${scaling.maxReplicas} is below minReplicas ${scaling.minReplicas}`, fix: 'raise maxReplicas' });
      }
      for (const [key, value] of [['targetCpuUtilization', scaling.targetCpuUtilization], ['targetMemoryUtilization', scaling.targetMemoryUtilization]] as const) {
        if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
          check(this, `scaling.${key}`, { problem: `${value} is not a utilization percentage`, fix: 'give a whole percentage such as 80' });
        }
      }
    }
  }

  private resolveBudget(scaling: GatewayScaling, budget: GatewayDisruptionBudget | undefined): GatewayDisruptionBudget | undefined {
    if (scaling.minReplicas <= 1) {
      if (budget) {
        check(this, 'podDisruptionBudget', {
          problem: `a disruption budget with at most ${scaling.minReplicas} replica blocks node drains`,
          fix: 'raise the minimum replicas to 2 or more, or drop podDisruptionBudget',
        });
      }
      return undefined;
    }
    const resolved = budget ?? { minAvailable: 1 };
    if ((resolved.minAvailable === undefined) === (resolved.maxUnavailable === undefined)) {
      check(this, 'podDisruptionBudget', { problem: 'give exactly one of minAvailable and maxUnavailable', fix: 'e.g. { minAvailable: 1 }' });
    }
    if (typeof resolved.minAvailable === 'number' && resolved.minAvailable >= scaling.minReplicas) {
      check(this, 'podDisruptionBudget.minAvailable', {
        problem: `${resolved.minAvailable} pods must stay up but the gateway may run only ${scaling.minReplicas}: no pod could ever be evicted`,
        fix: `use a minAvailable below ${scaling.minReplicas}`,
      });
    }
    return resolved;
  }
}

