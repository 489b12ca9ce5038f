/**
 * A synthesized object as the analysis sees it: the manifest plus the construct that made it.
 */
export type Json = Record<string, unknown>;

export interface RenderedObject {
  /** The manifest exactly as it will be written. */
  readonly manifest: Json;
  /** Construct path of the ApiObject, for findings and suppressions. */
  readonly constructPath: string;
  /** Construct path of the chart the object belongs to (its output file). */
  readonly chartPath: string;
}

/** Appends `value` to the list kept under `key`, starting the list when there is none. */
export function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) {
    list.push(value);
  } else {
    map.set(key, [value]);
  }
}

/** The objects of a manifest list field; anything else (absent, malformed) reads as none. */
export function objectsOf(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => !!v && typeof v === 'object' && !Array.isArray(v)) : [];
}

/** The strings of a manifest list field. */
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export interface ObjectMeta {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
}

export function metaOf(manifest: Json): ObjectMeta {
  const m = (manifest.metadata ?? {}) as Json;
  return {
    name: String(m.name ?? ''),
    namespace: typeof m.namespace === 'string' ? m.namespace : undefined,
    labels: (m.labels ?? {}) as Record<string, string>,
    annotations: (m.annotations ?? {}) as Record<string, string>,
  };
}

/** `networking.istio.io` for `networking.istio.io/v1`, `''` for the core group. */
export function groupOf(manifest: Json): string {
  const apiVersion = String(manifest.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** `networking.istio.io/Gateway`: kinds are only unique within a group (Istio vs Gateway API). */
export function groupKindOf(manifest: Json): string {
  return `${groupOf(manifest)}/${String(manifest.kind ?? '')}`;
}

/** How findings name an object: `Kind namespace/name` or `Kind name`. */
export function describeObject(manifest: Json): string {
  const meta = metaOf(manifest);
  return meta.namespace ? `${String(manifest.kind)} ${meta.namespace}/${meta.name}` : `${String(manifest.kind)} ${meta.name}`;
}

/** Group kinds we write often enough to want a name for. */
export const GK = {
  Namespace: '/Namespace',
  Service: '/Service',
  Secret: '/Secret',
  Pod: '/Pod',
  Deployment: 'apps/Deployment',
  StatefulSet: 'apps/StatefulSet',
  DaemonSet: 'apps/DaemonSet',
  Gateway: 'networking.istio.io/Gateway',
  VirtualService: 'networking.istio.io/VirtualService',
  DestinationRule: 'networking.istio.io/DestinationRule',
  ServiceEntry: 'networking.istio.io/ServiceEntry',
  Sidecar: 'networking.istio.io/Sidecar',
  AuthorizationPolicy: 'security.istio.io/AuthorizationPolicy',
  PeerAuthentication: 'security.istio.io/PeerAuthentication',
  RequestAuthentication: 'security.istio.io/RequestAuthentication',
  Certificate: 'cert-manager.io/Certificate',
  KubernetesGateway: 'gateway.networking.k8s.io/Gateway',
  HTTPRoute: 'gateway.networking.k8s.io/HTTPRoute',
  GRPCRoute: 'gateway.networking.k8s.io/GRPCRoute',
  TLSRoute: 'gateway.networking.k8s.io/TLSRoute',
  ReferenceGrant: 'gateway.networking.k8s.io/ReferenceGrant',
  ArgoCdApplication: 'argoproj.io/Application',
} as const;

/** Kinds Kubernetes does not namespace; cdk8s stamps a chart's namespace on them anyway. */
export const CLUSTER_SCOPED_KINDS: ReadonlySet<string> = new Set([
  '/Namespace',
  '/Node',
  '/PersistentVolume',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'scheduling.k8s.io/PriorityClass',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'networking.k8s.io/IngressClass',
  'gateway.networking.k8s.io/GatewayClass',
  'node.k8s.io/RuntimeClass',
  'policy/PodSecurityPolicy',
  'cert-manager.io/ClusterIssuer',
]);
