import { Size } from 'cdk8s';
import { Cpu, Protocol } from 'cdk8s-plus-28';
import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';
import { IstioDuration } from '../src/duration';
import { GatewayWorkload } from '../src/gateway-workload';
import { EgressGateway } from '../src/egress-gateway';
import { GatewayScaling, GatewayServiceType, ZoneAntiAffinity } from '../src/gateway-deployment';
import { IngressGateway } from '../src/ingress-gateway';
import { InjectionMode } from '../src/injection';
import { IstioChart } from '../src/istio-chart';
import { MeshNamespace } from '../src/mesh-namespace';
import { findings, synthManifests, testApp } from '../src/testing';

function chart(namespace = 'istio-ingress') {
  return new IstioChart(testApp(), 'c', { namespace });
}

/** Manifests by kind; each gateway renders at most one of each. */
function byKind(manifests: Json[]): Record<string, Json & { spec: Json; metadata: Json }> {
  return Object.fromEntries(manifests.map((m) => [String(m.kind), m])) as Record<string, Json & { spec: Json; metadata: Json }>;
}

// Narrow helpers for deep fields; tests assert their shape, so `any`-free casts are enough.
const podSpec = (d: Json) => ((d.spec as Json).template as Json).spec as Json;
const podMeta = (d: Json) => ((d.spec as Json).template as Json).metadata as { labels: Record<string, string>; annotations: Record<string, string> };
const proxy = (d: Json) => (podSpec(d).containers as Json[])[0];

describe('IngressGateway with the chart defaults', () => {
  const c = chart();
  const gw = new IngressGateway(c, 'istio-ingress');
  const manifests = synthManifests(c);
  const k = byKind(manifests);

  test('renders ServiceAccount, Role, RoleBinding, Deployment, Service and HPA, and no PDB', () => {
    expect(manifests.map((m) => `${m.apiVersion} ${m.kind} ${(m.metadata as Json).namespace}/${(m.metadata as Json).name}`)).toEqual([
      'v1 ServiceAccount istio-ingress/istio-ingress',
      'rbac.authorization.k8s.io/v1 Role istio-ingress/istio-ingress',
      'rbac.authorization.k8s.io/v1 RoleBinding istio-ingress/istio-ingress',
      'apps/v1 Deployment istio-ingress/istio-ingress',
      'v1 Service istio-ingress/istio-ingress',
      'autoscaling/v2 HorizontalPodAutoscaler istio-ingress/istio-ingress',
    ]);
    expect(manifests).toMatchSnapshot();
  });

  test('the Role lets the gateway read TLS Secrets and is bound to its ServiceAccount', () => {
    expect(k.Role.rules).toEqual([{ apiGroups: [''], resources: ['secrets'], verbs: ['get', 'watch', 'list'] }]);
    expect(k.RoleBinding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'istio-ingress' });
    expect(k.RoleBinding.subjects).toEqual([{ kind: 'ServiceAccount', name: 'istio-ingress', namespace: 'istio-ingress' }]);
  });

  test('the pod asks for the gateway injection template and is scraped by Prometheus', () => {
    const meta = podMeta(k.Deployment);
    expect(meta.labels).toMatchObject({ 'sidecar.istio.io/inject': 'true', 'app': 'istio-ingress', 'istio': 'ingress', 'istio.io/dataplane-mode': 'none' });
    expect(meta.labels['istio.io/rev']).toBeUndefined();
    expect(meta.annotations).toEqual({
      'inject.istio.io/templates': 'gateway',
      'prometheus.io/path': '/stats/prometheus',
      'prometheus.io/port': '15020',
      'prometheus.io/scrape': 'true',
      'sidecar.istio.io/inject': 'true',
    });
  });

  test('the proxy container is locked down exactly like the chart, with image auto', () => {
    expect(proxy(k.Deployment)).toEqual({
      name: 'istio-proxy',
      image: 'auto',
      securityContext: {
        capabilities: { drop: ['ALL'] },
        allowPrivilegeEscalation: false,
        privileged: false,
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
      },
      ports: [{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }],
      resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '2000m', memory: '1024Mi' } },
    });
    expect(podSpec(k.Deployment).securityContext).toEqual({ sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] });
  });

  test('none of cdk8s-plus\'s own defaults leak in', () => {
    const spec = podSpec(k.Deployment);
    expect(spec.automountServiceAccountToken).toBeUndefined();
    expect(proxy(k.Deployment).imagePullPolicy).toBeUndefined();
    expect(proxy(k.Deployment).startupProbe).toBeUndefined();
    expect(spec.serviceAccountName).toBe('istio-ingress');
    expect(spec.terminationGracePeriodSeconds).toBe(30);
    expect((k.Deployment.spec as Json).replicas).toBeUndefined();
  });

  test('the Service is a LoadBalancer listing status-port 15021 first, then http2 and https', () => {
    expect(k.Service.spec).toEqual({
      type: 'LoadBalancer',
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
        { name: 'http2', port: 80, protocol: 'TCP', targetPort: 80 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
      ],
      selector: { app: 'istio-ingress', istio: 'ingress' },
    });
  });

  test('the HPA scales 1 to 5 replicas at 80% CPU', () => {
    expect(k.HorizontalPodAutoscaler.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'istio-ingress' },
      minReplicas: 1,
      maxReplicas: 5,
      metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 80, type: 'Utilization' } } }],
    });
  });

  test('it is a gateway workload that Gateways and routes can reference', () => {
    expect(gw.namespace).toBe('istio-ingress');
    expect(gw.selector).toEqual({ app: 'istio-ingress', istio: 'ingress' });
    expect(gw.serviceAccountName).toBe('istio-ingress');
    expect(gw.servicePorts).toEqual([15021, 80, 443]);
    expect(gw.service).toEqual({
      host: 'istio-ingress.istio-ingress.svc.cluster.local',
      serviceName: 'istio-ingress',
      namespace: 'istio-ingress',
      ports: [15021, 80, 443],
      selector: { app: 'istio-ingress', istio: 'ingress' },
    });
  });

  test('the defaults raise no finding', () => {
    expect(findings(c).filter((f) => f.severity !== 'info')).toEqual([]);
  });
});

describe('IngressGateway options', () => {
  test('fixed replicas: spec.replicas, no HPA, and a PDB with minAvailable 1 once above one', () => {
    const c = chart();
    new IngressGateway(c, 'gw', { scaling: GatewayScaling.fixed(3) });
    const k = byKind(synthManifests(c));
    expect((k.Deployment.spec as Json).replicas).toBe(3);
    expect(k.HorizontalPodAutoscaler).toBeUndefined();
    expect(k.PodDisruptionBudget.spec).toEqual({ selector: { matchLabels: { app: 'gw', istio: 'gw' } }, minAvailable: 1 });
  });

  test('an autoscaler with a minimum of 2 gets a PDB; its bounds and memory target are configurable', () => {
    const c = chart();
    new IngressGateway(c, 'gw', {
      scaling: GatewayScaling.autoscale({ minReplicas: 3, maxReplicas: 10, targetCpuUtilization: 60, targetMemoryUtilization: 75 }),
      podDisruptionBudget: { maxUnavailable: '50%', unhealthyPodEvictionPolicy: 'AlwaysAllow' },
    });
    const k = byKind(synthManifests(c));
    expect(k.HorizontalPodAutoscaler.spec).toMatchObject({
      minReplicas: 3,
      maxReplicas: 10,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { averageUtilization: 60, type: 'Utilization' } } },
        { type: 'Resource', resource: { name: 'memory', target: { averageUtilization: 75, type: 'Utilization' } } },
      ],
    });
    expect(k.PodDisruptionBudget.spec).toEqual({
      selector: { matchLabels: { app: 'gw', istio: 'gw' } },
      maxUnavailable: '50%',
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
  });

  test('a disruption budget that would block node drains is refused', () => {
    expect(() => new IngressGateway(chart(), 'gw', { podDisruptionBudget: { minAvailable: 1 } }))
      .toThrow(/\[c\/gw\] podDisruptionBudget: a disruption budget with at most 1 replica blocks node drains/);
    expect(() => new IngressGateway(chart(), 'gw', { scaling: GatewayScaling.fixed(2), podDisruptionBudget: { minAvailable: 2 } }))
      .toThrow(/\[c\/gw\] podDisruptionBudget\.minAvailable: 2 pods must stay up/);
    expect(() => new IngressGateway(chart(), 'gw', { scaling: GatewayScaling.fixed(2), podDisruptionBudget: { minAvailable: 1, maxUnavailable: 1 } }))
      .toThrow(/\[c\/gw\] podDisruptionBudget: give exactly one/);
  });

  test('bad scaling is refused', () => {
    expect(() => new IngressGateway(chart(), 'gw', { scaling: GatewayScaling.fixed(0) })).toThrow(/\[c\/gw\] scaling\.replicas/);
    expect(() => new IngressGateway(chart(), 'gw', { scaling: GatewayScaling.autoscale({ minReplicas: 4, maxReplicas: 2 }) }))
      .toThrow(/\[c\/gw\] scaling\.maxReplicas: 2 is below minReplicas 4/);
  });

  test('Service ports are separate from the ports Envoy listens on (deployKF style), and addPort lands after construction', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw', {
      serviceType: GatewayServiceType.NODE_PORT,
      ports: [
        { name: 'http2', port: 80, targetPort: 8080, nodePort: 30080 },
        { name: 'https', port: 443, targetPort: 8443, nodePort: 30443 },
      ],
    });
    gw.addPort({ name: 'tcp-postgres', port: 5432, targetPort: 15432 });
    const k = byKind(synthManifests(c));
    expect(k.Service.spec.type).toBe('NodePort');
    expect(k.Service.spec.ports).toEqual([
      { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
      { name: 'http2', port: 80, protocol: 'TCP', targetPort: 8080, nodePort: 30080 },
      { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443, nodePort: 30443 },
      { name: 'tcp-postgres', port: 5432, protocol: 'TCP', targetPort: 15432 },
    ]);
    expect(gw.servicePorts).toEqual([15021, 80, 443, 5432]);
    expect(gw.servicePortSpecs.map((p) => p.targetPort ?? p.port)).toEqual([15021, 8080, 8443, 15432]);
    // The chart declares no container port for traffic: Envoy binds what the Gateway resources say.
    expect(proxy(k.Deployment).ports).toEqual([{ containerPort: 15090, protocol: 'TCP', name: 'http-envoy-prom' }]);
  });

  test('bad ports are refused with the field', () => {
    expect(() => new IngressGateway(chart(), 'gw', { ports: [{ name: 'status', port: 15021 }] }))
      .toThrow(/\[c\/gw\] ports\[0\]: port status \(15021\) clashes with status-port \(15021\), which the gateway always exposes first/);
    expect(() => new IngressGateway(chart(), 'gw', { ports: [{ name: 'http2', port: 80 }, { name: 'http2', port: 8080 }] }))
      .toThrow(/\[c\/gw\] ports\[1\]: port http2/);
    expect(() => new IngressGateway(chart(), 'gw', { ports: [{ name: 'http2', port: 70000 }] }))
      .toThrow(/\[c\/gw\] ports\[0\]\.port: 70000 is not a port number/);
    expect(() => new IngressGateway(chart(), 'gw', { ports: [{ name: 'HTTP', port: 80 }] }))
      .toThrow(/\[c\/gw\] ports\[0\]\.name/);
    expect(() => new IngressGateway(chart(), 'gw', { serviceType: GatewayServiceType.CLUSTER_IP, ports: [{ name: 'http2', port: 80, nodePort: 30080 }] }))
      .toThrow(/\[c\/gw\] ports\[0\]\.nodePort: a ClusterIP Service has no node ports/);
  });

  test('load balancer options and Service annotations', () => {
    const c = chart();
    new IngressGateway(c, 'gw', {
      loadBalancerSourceRanges: ['10.0.0.0/8'],
      externalTrafficPolicy: 'Local',
      loadBalancerClass: 'service.k8s.aws/nlb',
      serviceAnnotations: { 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' },
    });
    const k = byKind(synthManifests(c));
    expect(k.Service.spec).toMatchObject({ loadBalancerSourceRanges: ['10.0.0.0/8'], externalTrafficPolicy: 'Local', loadBalancerClass: 'service.k8s.aws/nlb' });
    expect(k.Service.metadata.annotations).toEqual({ 'service.beta.kubernetes.io/aws-load-balancer-scheme': 'internet-facing' });
    expect(() => new IngressGateway(chart(), 'gw', { serviceType: GatewayServiceType.CLUSTER_IP, loadBalancerSourceRanges: ['10.0.0.0/8'] }))
      .toThrow(/\[c\/gw\] serviceType: load balancer options are set on a ClusterIP Service/);
    expect(() => new IngressGateway(chart(), 'gw', { serviceType: GatewayServiceType.NODE_PORT, loadBalancerClass: 'x' }))
      .toThrow(/\[c\/gw\] loadBalancerSourceRanges: .*LoadBalancer Services only/);
  });

  test('resources replace the chart defaults', () => {
    const c = chart();
    new IngressGateway(c, 'gw', { resources: { cpu: { request: Cpu.millis(500) }, memory: { request: Size.mebibytes(256), limit: Size.gibibytes(1) } } });
    expect(proxy(byKind(synthManifests(c)).Deployment).resources).toEqual({ requests: { cpu: '500m', memory: '256Mi' }, limits: { memory: '1024Mi' } });
  });

  test('zone anti-affinity, preferred and required', () => {
    const preferred = chart();
    new IngressGateway(preferred, 'gw', { zoneAntiAffinity: ZoneAntiAffinity.PREFERRED });
    expect(podSpec(byKind(synthManifests(preferred)).Deployment).affinity).toEqual({
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [{
          weight: 100,
          podAffinityTerm: { labelSelector: { matchLabels: { app: 'gw', istio: 'gw' } }, topologyKey: 'topology.kubernetes.io/zone' },
        }],
      },
    });
    const required = chart();
    new IngressGateway(required, 'gw', { zoneAntiAffinity: ZoneAntiAffinity.REQUIRED, affinity: { nodeAffinity: {} } });
    expect(podSpec(byKind(synthManifests(required)).Deployment).affinity).toEqual({
      nodeAffinity: {},
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'gw', istio: 'gw' } }, topologyKey: 'topology.kubernetes.io/zone' }],
      },
    });
    expect(() => new IngressGateway(chart(), 'gw', { zoneAntiAffinity: ZoneAntiAffinity.REQUIRED, affinity: { podAntiAffinity: {} } }))
      .toThrow(/\[c\/gw\] zoneAntiAffinity: both/);
  });

  test('the pod-level knobs private registries and platform teams need', () => {
    const c = chart();
    new IngressGateway(c, 'gw', {
      imagePullSecrets: ['registry-creds'],
      imagePullPolicy: 'IfNotPresent',
      nodeSelector: { 'node-role': 'edge' },
      tolerations: [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }],
      priorityClassName: 'system-cluster-critical',
      podAnnotations: { 'prometheus.io/scrape': 'false', 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true' },
      labels: { team: 'edge' },
      env: { ISTIO_META_ROUTER_MODE: 'standard', B: '1' },
      terminationGracePeriod: IstioDuration.seconds(60),
      serviceAccountAnnotations: { 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/gw' },
    });
    const k = byKind(synthManifests(c));
    const spec = podSpec(k.Deployment);
    expect(spec).toMatchObject({
      imagePullSecrets: [{ name: 'registry-creds' }],
      nodeSelector: { 'node-role': 'edge' },
      tolerations: [{ key: 'edge', operator: 'Exists', effect: 'NoSchedule' }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'kubernetes.io/hostname', whenUnsatisfiable: 'ScheduleAnyway' }],
      priorityClassName: 'system-cluster-critical',
      terminationGracePeriodSeconds: 60,
    });
    expect(proxy(k.Deployment).imagePullPolicy).toBe('IfNotPresent');
    expect(proxy(k.Deployment).env).toEqual([{ name: 'B', value: '1' }, { name: 'ISTIO_META_ROUTER_MODE', value: 'standard' }]);
    expect(podMeta(k.Deployment).annotations).toMatchObject({ 'prometheus.io/scrape': 'false', 'cluster-autoscaler.kubernetes.io/safe-to-evict': 'true', 'inject.istio.io/templates': 'gateway' });
    for (const m of Object.values(k)) {
      expect((m.metadata.labels as Record<string, string>).team).toBe('edge');
    }
    expect(podMeta(k.Deployment).labels.team).toBe('edge');
    expect(k.ServiceAccount.metadata.annotations).toEqual({ 'eks.amazonaws.com/role-arn': 'arn:aws:iam::1:role/gw' });
  });

  test('labels and annotations the gateway depends on are refused', () => {
    expect(() => new IngressGateway(chart(), 'gw', { labels: { app: 'x' } })).toThrow(/\[c\/gw\] labels\.app: .*fix: change `selectorLabels` instead/);
    expect(() => new IngressGateway(chart(), 'gw', { labels: { 'istio.io/rev': 'x' } })).toThrow(/\[c\/gw\] labels\.istio\.io\/rev: .*use `revision`/);
    expect(() => new IngressGateway(chart(), 'gw', { podAnnotations: { 'inject.istio.io/templates': 'sidecar' } }))
      .toThrow(/\[c\/gw\] podAnnotations\.inject\.istio\.io\/templates/);
    expect(() => new IngressGateway(chart(), 'gw', { selectorLabels: {} })).toThrow(/\[c\/gw\] selectorLabels: the selector is empty/);
    expect(() => new IngressGateway(chart(), 'gw', { imagePullSecrets: ['Bad Name'] })).toThrow(/\[c\/gw\] imagePullSecrets\[0\]/);
    expect(() => new IngressGateway(chart(), 'gw', { terminationGracePeriod: IstioDuration.millis(1500) })).toThrow(/\[c\/gw\] terminationGracePeriod/);
  });

  test('custom selector labels drive the Deployment, Service, PDB and the Gateway selector', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw', { selectorLabels: { istio: 'ingressgateway' }, serviceSelectorLabels: { 'istio.io/rev': 'canary' }, revision: 'canary' });
    const k = byKind(synthManifests(c));
    expect((k.Deployment.spec as Json).selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
    expect(k.Service.spec.selector).toEqual({ 'istio': 'ingressgateway', 'istio.io/rev': 'canary' });
    expect(gw.selector).toEqual({ istio: 'ingressgateway' });
  });
});

describe('IngressGateway revisions and namespaces', () => {
  test('an explicit revision labels the pods', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw', { revision: '1-30-3' });
    expect(gw.revision).toBe('1-30-3');
    expect(podMeta(byKind(synthManifests(c)).Deployment).labels['istio.io/rev']).toBe('1-30-3');
  });

  test('a gateway in a revision namespace follows its revision', () => {
    const c = chart('apps');
    const ns = new MeshNamespace(c, 'ns', { name: 'edge', injection: InjectionMode.revision('stable') });
    const gw = new IngressGateway(c, 'gw', { namespace: ns });
    const k = byKind(synthManifests(c));
    expect(gw.namespace).toBe('edge');
    expect(gw.node.dependencies).toContain(ns);
    expect(k.Deployment.metadata.namespace).toBe('edge');
    expect(podMeta(k.Deployment).labels['istio.io/rev']).toBe('stable');
  });

  test('an existing namespace carries its revision too', () => {
    const c = chart();
    const gw = new IngressGateway(c, 'gw', { namespace: MeshNamespace.fromExisting(c, 'istio-system', InjectionMode.revision('prod')) });
    expect(gw.revision).toBe('prod');
    expect(gw.namespace).toBe('istio-system');
  });

  test('a revision the namespace label would override is refused', () => {
    const c = chart();
    const enabled = new MeshNamespace(c, 'a', { injection: InjectionMode.enabled() });
    expect(() => new IngressGateway(c, 'gw1', { namespace: enabled, revision: 'canary' }))
      .toThrow(/\[c\/gw1\] revision: namespace a has istio-injection=enabled, which wins/);
    const rev = new MeshNamespace(c, 'b', { injection: InjectionMode.revision('stable') });
    expect(() => new IngressGateway(c, 'gw2', { namespace: rev, revision: 'canary' }))
      .toThrow(/\[c\/gw2\] revision: namespace b injects revision stable/);
    expect(() => new IngressGateway(c, 'gw3', { revision: 'Not_A_Revision' })).toThrow(/\[c\/gw3\] revision: "Not_A_Revision" is not a valid revision name/);
  });

  test('a gateway in a namespace with injection disabled fails synth with IST0147 naming the Deployment', () => {
    const c = chart();
    new MeshNamespace(c, 'ns', { name: 'istio-ingress', injection: InjectionMode.disabled() });
    new IngressGateway(c, 'gw');
    expect(() => synthManifests(c)).toThrow(/error IST0147 \[c\/gw\/Deployment\] Deployment istio-ingress\/gw metadata\.namespace: namespace istio-ingress has istio-injection=disabled/);
  });

  test('a name that is not a valid object name is refused', () => {
    expect(() => new IngressGateway(chart(), 'Gateway_1')).toThrow(/\[c\/Gateway_1\] name/);
  });

  test('without a namespace anywhere, the error says so', () => {
    const c = new IstioChart(testApp(), 'c');
    expect(() => new IngressGateway(c, 'gw')).toThrow(/\[c\/gw\] namespace: no namespace/);
  });
});

describe('east-west (network) gateway', () => {
  test('exposes the network ports and requests the network view', () => {
    const c = chart('istio-system');
    new IngressGateway(c, 'istio-eastwest', { network: 'network-1' });
    const k = byKind(synthManifests(c));
    expect((k.Service.spec.ports as Json[]).map((p) => `${p.name}:${p.port}`)).toEqual(['status-port:15021', 'tls:15443', 'tls-istiod:15012', 'tls-webhook:15017']);
    expect(k.Service.metadata.labels).toMatchObject({ 'topology.istio.io/network': 'network-1', 'istio': 'eastwest' });
    expect(podMeta(k.Deployment).labels['topology.istio.io/network']).toBe('network-1');
    expect(proxy(k.Deployment).env).toEqual([{ name: 'ISTIO_META_REQUESTED_NETWORK_VIEW', value: 'network-1' }]);
  });
});

describe('EgressGateway', () => {
  test('same deployment behind a ClusterIP Service', () => {
    const c = chart('istio-egress');
    const egress = new EgressGateway(c, 'istio-egressgateway', { ports: [{ name: 'https', port: 443 }, { name: 'tls', port: 15443, protocol: Protocol.TCP }] });
    const manifests = synthManifests(c);
    const k = byKind(manifests);
    expect(k.Service.spec).toEqual({
      type: 'ClusterIP',
      ports: [
        { name: 'status-port', port: 15021, protocol: 'TCP', targetPort: 15021 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 443 },
        { name: 'tls', port: 15443, protocol: 'TCP', targetPort: 15443 },
      ],
      selector: { app: 'istio-egressgateway', istio: 'egressgateway' },
    });
    expect(proxy(k.Deployment).image).toBe('auto');
    expect(egress.service.host).toBe('istio-egressgateway.istio-egress.svc.cluster.local');
    expect(manifests).toMatchSnapshot();
  });
});

describe('GatewayWorkload.fromSelector (bring your own gateway)', () => {
  test('declares the external gateway pods to the analysis', () => {
    const c = chart('apps');
    const gw = GatewayWorkload.fromSelector(c, 'shared', { selector: { istio: 'ingressgateway' }, servicePorts: [80, 443], serviceName: 'istio-ingressgateway' });
    expect(gw.namespace).toBe('istio-system');
    expect(gw.selector).toEqual({ istio: 'ingressgateway' });
    expect(gw.servicePorts).toEqual([80, 443]);
    expect(gw.service?.host).toBe('istio-ingressgateway.istio-system.svc.cluster.local');
    expect(MeshContext.of(c).externalGatewayWorkloads()).toEqual([
      { constructPath: 'c/shared', namespace: 'istio-system', labels: { istio: 'ingressgateway' }, servicePorts: [80, 443] },
    ]);
    expect(synthManifests(c)).toEqual([]);
  });

  test('an explicit namespace; bad selectors and ports are refused', () => {
    const c = chart('apps');
    expect(GatewayWorkload.fromSelector(c, 'a', { selector: { app: 'gw' }, namespace: 'edge' }).namespace).toBe('edge');
    expect(() => GatewayWorkload.fromSelector(c, 'b', { selector: {} })).toThrow(/\[c\/b\] selector: the selector is empty/);
    expect(() => GatewayWorkload.fromSelector(c, 'd', { selector: { 'bad key!': 'x' } })).toThrow(/\[c\/d\] selector: "bad key!" is not a valid label key/);
    expect(() => GatewayWorkload.fromSelector(c, 'e', { selector: { app: 'x' }, servicePorts: [0] })).toThrow(/\[c\/e\] servicePorts\[0\]/);
  });
});
