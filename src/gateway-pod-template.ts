/**
 * The pod template of a gateway deployment, as Istio's `gateway` chart writes it: labels and
 * annotations that ask the injector for the `gateway` template, a single `istio-proxy`
 * container with `image: auto`, and a locked-down security context.
 */
import { Size } from 'cdk8s';
import { Cpu, k8s } from 'cdk8s-plus-28';
import { byCodePoint } from './ordering';

export enum ZoneAntiAffinity {
  /** Spread replicas across zones when the scheduler can. */
  PREFERRED = 'preferred',
  /** Never put two replicas in the same zone (replicas beyond the zone count stay Pending). */
  REQUIRED = 'required',
}

/** What the gateway pods run with: the pod-level props of a gateway deployment. */
export interface GatewayPodProps {
  /**
   * Extra pod annotations, merged over the chart's prometheus ones. The injection annotations
   * are refused here because the gateway cannot work without them.
   * @default - none
   */
  readonly podAnnotations?: Record<string, string>;
  /**
   * Resources of the proxy container; when given, replaces all four defaults.
   * @default - requests 100m CPU / 128Mi memory, limits 2000m CPU / 1024Mi memory (the chart's)
   */
  readonly resources?: {
    /** @default - no CPU request or limit once `resources` is given */
    readonly cpu?: { readonly request?: Cpu; readonly limit?: Cpu };
    /** @default - no memory request or limit once `resources` is given */
    readonly memory?: { readonly request?: Size; readonly limit?: Size };
  };
  /** Keep replicas in different zones (`topology.kubernetes.io/zone`). @default - no anti-affinity */
  readonly zoneAntiAffinity?: ZoneAntiAffinity;
  /** Raw pod affinity, for anything zoneAntiAffinity does not cover. @default - none */
  readonly affinity?: k8s.Affinity;
  /** @default - none */
  readonly nodeSelector?: Record<string, string>;
  /** @default - none */
  readonly tolerations?: k8s.Toleration[];
  /** @default - none */
  readonly topologySpreadConstraints?: k8s.TopologySpreadConstraint[];
  /** A high priority class keeps gateway pods from being preempted. @default - none */
  readonly priorityClassName?: string;
  /** Secrets for pulling the proxy image from a private registry. @default - none */
  readonly imagePullSecrets?: string[];
  /** @default - Kubernetes's default for the injected image */
  readonly imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  /** Environment of the proxy container. @default - none */
  readonly env?: Record<string, string>;
  /**
   * Proxies in front of the gateway whose X-Forwarded-For and X-Forwarded-Proto it trusts (the
   * `proxy.istio.io/config` gatewayTopology). Behind another gateway or a load balancer that adds
   * them, 1: otherwise the gateway takes the hop in front for the client and rewrites
   * `x-forwarded-proto` to the hop's scheme.
   * @default 0 - the gateway's own downstream is the client
   */
  readonly numTrustedProxies?: number;
}


export interface GatewayPodTemplateOptions {
  /** Labels of the pods (selector, chart and network labels); the injection labels are added. */
  readonly labels: Readonly<Record<string, string>>;
  readonly selector: Readonly<Record<string, string>>;
  /** The revision whose injector fills in the proxy. @default - the default injector */
  readonly revision?: string;
  readonly serviceAccountName: string;
  /** The network of an east-west gateway. @default - none */
  readonly network?: string;
  readonly terminationGracePeriodSeconds: number;
  readonly props: GatewayPodProps;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => byCodePoint(a, b)));
}

function renderAffinity(selector: Readonly<Record<string, string>>, zone: ZoneAntiAffinity | undefined, affinity: k8s.Affinity | undefined): { affinity?: k8s.Affinity } {
  if (!zone) {
    return affinity ? { affinity } : {};
  }
  const term: k8s.PodAffinityTerm = {
    labelSelector: { matchLabels: { ...selector } },
    topologyKey: 'topology.kubernetes.io/zone',
  };
  const podAntiAffinity: k8s.PodAntiAffinity = zone === ZoneAntiAffinity.REQUIRED
    ? { requiredDuringSchedulingIgnoredDuringExecution: [term] }
    : { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] };
  return { affinity: { ...(affinity ?? {}), podAntiAffinity } };
}

/** The pod template of a gateway deployment. */
export function gatewayPodTemplate(o: GatewayPodTemplateOptions): k8s.PodTemplateSpec {
  const props = o.props;
  const labels: Record<string, string> = {
    'sidecar.istio.io/inject': 'true',
    ...(o.revision ? { 'istio.io/rev': o.revision } : {}),
    ...o.labels,
  };
  const annotations: Record<string, string> = {
    'inject.istio.io/templates': 'gateway',
    'prometheus.io/path': '/stats/prometheus',
    'prometheus.io/port': '15020',
    'prometheus.io/scrape': 'true',
    'sidecar.istio.io/inject': 'true',
    // istio.io "Configuring Gateway Network Topology": JSON in the annotation; misspelt keys are
    // silently ignored by istiod (protomarshal retries with unknown fields allowed), so it is
    // written here, never by hand.
    ...(props.numTrustedProxies ? { 'proxy.istio.io/config': JSON.stringify({ gatewayTopology: { numTrustedProxies: props.numTrustedProxies } }) } : {}),
    ...(props.podAnnotations ?? {}),
  };
  const env: k8s.EnvVar[] = [
    ...(o.network ? [{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: o.network }] : []),
    ...Object.entries(sortedRecord(props.env ?? {})).map(([name, value]) => ({ name, value })),
  ];
  return {
    metadata: { annotations, labels },
    spec: {
      ...(props.imagePullSecrets?.length ? { imagePullSecrets: props.imagePullSecrets.map((name) => ({ name })) } : {}),
      serviceAccountName: o.serviceAccountName,
      securityContext: {
        // Lets the non-root proxy bind 80 and 443; safe on Kubernetes 1.22+.
        sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }],
      },
      containers: [{
        name: 'istio-proxy',
        // The injector replaces "auto" with the proxy image of the selected revision.
        image: 'auto',
        ...(props.imagePullPolicy ? { imagePullPolicy: props.imagePullPolicy } : {}),
        securityContext: {
          capabilities: { drop: ['ALL'] },
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
        },
        ...(env.length ? { env } : {}),
        ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
        resources: gatewayResources(props.resources),
      }],
      ...(props.nodeSelector && Object.keys(props.nodeSelector).length > 0 ? { nodeSelector: props.nodeSelector } : {}),
      ...renderAffinity(o.selector, props.zoneAntiAffinity, props.affinity),
      ...(props.tolerations?.length ? { tolerations: props.tolerations } : {}),
      ...(props.topologySpreadConstraints?.length ? { topologySpreadConstraints: props.topologySpreadConstraints } : {}),
      terminationGracePeriodSeconds: o.terminationGracePeriodSeconds,
      ...(props.priorityClassName ? { priorityClassName: props.priorityClassName } : {}),
    },
  };
}

/** Resource requirements of the proxy container: the chart's defaults unless given. */
function gatewayResources(resources: GatewayPodProps['resources']): k8s.ResourceRequirements {
  const cpu = resources ? resources.cpu : { request: Cpu.millis(100), limit: Cpu.millis(2000) };
  const memory = resources ? resources.memory : { request: Size.mebibytes(128), limit: Size.mebibytes(1024) };
  const q = (v: string) => k8s.Quantity.fromString(v);
  const side = (which: 'request' | 'limit'): Record<string, k8s.Quantity> | undefined => {
    const c = cpu?.[which];
    const m = memory?.[which];
    return nonEmpty({
      ...(c ? { cpu: q(c.amount) } : {}),
      ...(m ? { memory: q(`${m.toMebibytes()}Mi`) } : {}),
    });
  };
  const limits = side('limit');
  const requests = side('request');
  return { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) };
}

function nonEmpty<T extends object>(value: T | undefined): T | undefined {
  return value && Object.keys(value).length > 0 ? value : undefined;
}
