/**
 * The edge of the mesh: gateway pods that no injector takes, Gateway resources selecting pods
 * that do not exist or ports their Service does not expose, Gateways fighting over a host, and
 * TLS Secrets created where the gateway cannot read them.
 *
 * Every cross-object lookup goes through an index built once per analysis (`ctx.index.memo`),
 * so the checks stay near-linear in the number of objects.
 */
import { defineCode, Severity } from '../finding';
import { IST0101, IST0145, IST0147, IST0162 } from '../codes';
import { ExternalGatewayWorkload } from '../../mesh-context';
import { labelsMatch, ObjectIndex, PodTemplate, podTemplateOf } from '../object-index';
import { CheckContext, ObjectCheck } from '../registry';
import { GK, Json, metaOf, pushTo, RenderedObject } from '../rendered';
import { gatewayKey, GatewayServer, GatewayView, viewsOf } from '../views';

/**
 * Our own: a `credentialName` whose Secret (or cert-manager Certificate) the app creates only in
 * namespaces where the selected gateway pods do not run. Istio reads it from the gateway pods'
 * namespace, so the server comes up without its certificate and TLS handshakes fail. An error
 * (istioctl reports a Secret missing there as IST0101, also an error); suppress it with a reason
 * when something outside the app copies the Secret across (e.g. a reflector).
 */
export const CKI2001 = defineCode('CKI2001', Severity.ERROR, 'TLS credential is created in a namespace the gateway does not read');

const WORKLOAD_GKS = [GK.Deployment, GK.StatefulSet, GK.DaemonSet, 'apps/ReplicaSet', 'batch/Job', GK.Pod];

/** The selector and servers of a Gateway, from the shared views. */
function gatewaySpec(obj: RenderedObject, index: ObjectIndex): GatewayView {
  return viewsOf(index).gatewayOf.get(obj)!;
}

function selectorText(selector: Readonly<Record<string, string>>): string {
  return Object.keys(selector).sort().map((k) => `${k}=${selector[k]}`).join(',');
}


/* ------------------------------------------------------------------------------------------ */
/* IST0147: a pod with image `auto` that no injector will take                                 */
/* ------------------------------------------------------------------------------------------ */

/**
 * Which injector serves a pod, following the selectors of Istio's injection webhooks: a
 * namespace `istio-injection` label decides alone (`enabled`: the default injector; any other
 * value: none), then a namespace `istio.io/rev`, then the pod's own `istio.io/rev`, then the
 * pod's `sidecar.istio.io/inject=true` (default injector). Returns why nothing injects, or
 * undefined when an injector that exists takes the pod.
 */
function injectionProblem(
  template: PodTemplate,
  nsLabels: Readonly<Record<string, string>>,
  index: ObjectIndex,
  podMeta: string,
): { field: string; message: string; fix: string } | undefined {
  const install = index.context.install;
  const podLabels = template.labels;
  const optOut = podLabels['sidecar.istio.io/inject'] === 'false' || template.annotations['sidecar.istio.io/inject'] === 'false';
  const revisionKnown = (rev: string) => !(install.revisions.length > 0 || !install.hasDefaultInjector) || install.revisions.includes(rev);
  const nsInjection = nsLabels['istio-injection'];
  const nsRevision = nsLabels['istio.io/rev'];
  const podRevision = podLabels['istio.io/rev'];
  const needsDefault = (why: string) => (install.hasDefaultInjector ? undefined : {
    field: 'metadata.namespace',
    message: `${why}, but the mesh install is revision-only (no default revision or tag), so nothing injects it`,
    fix: `label the pods with istio.io/rev=<one of: ${install.revisions.join(', ') || 'no revision declared'}> or create a \`default\` revision tag`,
  });
  const needsRevision = (rev: string, why: string, field: string) => (revisionKnown(rev) ? undefined : {
    field,
    message: `${why} asks for revision ${rev}, which the mesh install does not have (revisions: ${install.revisions.join(', ') || 'none'})`,
    fix: 'use an installed revision or tag, or declare it (mesh.revisions in a values file, MeshContext.of(app).declareInstall({ revisions }) in code)',
  });

  if (optOut) {
    return {
      field: podMeta,
      message: 'the pod opts out of injection (sidecar.istio.io/inject: "false"), so its `image: auto` container is never filled in',
      fix: 'remove the opt-out: a gateway pod only works when injected',
    };
  }
  if (nsInjection !== undefined) {
    if (nsInjection === 'enabled') {
      return needsDefault(`namespace ${template.namespace} has istio-injection=enabled`);
    }
    return {
      field: 'metadata.namespace',
      message: `namespace ${template.namespace} has istio-injection=${nsInjection}, which wins over the pod's own labels: no injector takes it and the \`image: auto\` container never starts`,
      fix: 'move the gateway to a namespace without istio-injection=disabled, or change that namespace\'s injection mode',
    };
  }
  if (nsRevision !== undefined) {
    return needsRevision(nsRevision, `namespace ${template.namespace} (istio.io/rev=${nsRevision})`, 'metadata.namespace');
  }
  if (podRevision !== undefined) {
    return needsRevision(podRevision, `the pod label istio.io/rev=${podRevision}`, `${podMeta}.labels`);
  }
  if (podLabels['sidecar.istio.io/inject'] === 'true') {
    return needsDefault('the pod asks for the default injector (sidecar.istio.io/inject=true, no istio.io/rev)');
  }
  return {
    field: `${podMeta}.labels`,
    message: `neither namespace ${template.namespace} nor the pod asks for injection, so the \`image: auto\` container is never filled in`,
    fix: 'label the pod sidecar.istio.io/inject: "true" (IngressGateway does), or enable injection on the namespace',
  };
}

const unInjectableAutoImage: ObjectCheck = {
  id: 'gateway-pod-injection',
  groupKinds: WORKLOAD_GKS,
  check(obj, ctx) {
    const template = podTemplateOf(obj);
    if (!template) {
      return;
    }
    const containers = Array.isArray(template.spec.containers) ? template.spec.containers as Json[] : [];
    const autoIndex = containers.findIndex((c) => c.image === 'auto');
    if (autoIndex < 0) {
      return;
    }
    // A namespace the app neither creates nor declares may carry any label: say nothing.
    const nsLabels = ctx.index.namespaceLabels(template.namespace);
    if (!nsLabels) {
      return;
    }
    const podMeta = obj.manifest.kind === 'Pod' ? 'metadata' : 'spec.template.metadata';
    const problem = injectionProblem(template, nsLabels, ctx.index, podMeta);
    if (problem) {
      ctx.report(obj, { code: IST0147.code, field: problem.field, message: problem.message, fix: problem.fix });
    }
  },
};

/* ------------------------------------------------------------------------------------------ */
/* Gateway → gateway pods (IST0101) → their Service ports (IST0162)                           */
/* ------------------------------------------------------------------------------------------ */

interface ServicePortsOf {
  /** Service `port` numbers (TCP). */
  readonly ports: Set<number>;
  /** Numeric `targetPort`s behind them (TCP). */
  readonly targetPorts: Set<number>;
}

/** Services of the app, bucketed by namespace and one of their selector labels. */
function servicesBySelectorLabel(index: ObjectIndex): Map<string, RenderedObject[]> {
  return index.memo('edge:servicesBySelectorLabel', () => {
    const out = new Map<string, RenderedObject[]>();
    for (const svc of index.byGroupKind(GK.Service)) {
      const selector = ((svc.manifest.spec as Json | undefined)?.selector ?? {}) as Record<string, string>;
      const first = Object.keys(selector).sort()[0];
      if (first === undefined) {
        continue;
      }
      pushTo(out, `${index.namespaceOf(svc)}|${first}=${selector[first]}`, svc);
    }
    return out;
  });
}

/** The app's Services that select a pod template (Services select pods in their own namespace), each once. */
function servicesServing(template: PodTemplate, index: ObjectIndex): RenderedObject[] {
  const buckets = servicesBySelectorLabel(index);
  const seen = new Set<RenderedObject>();
  for (const [k, v] of Object.entries(template.labels)) {
    for (const svc of buckets.get(`${template.namespace}|${k}=${v}`) ?? []) {
      const spec = (svc.manifest.spec ?? {}) as Json;
      if (!seen.has(svc) && labelsMatch((spec.selector ?? {}) as Record<string, string>, template.labels)) {
        seen.add(svc);
      }
    }
  }
  return [...seen];
}

function servicePorts(svc: RenderedObject): Json[] {
  const ports = ((svc.manifest.spec ?? {}) as Json).ports;
  return Array.isArray(ports) ? ports as Json[] : [];
}

/** Ports of the app's Services that select a pod template. */
function portsServing(template: PodTemplate, index: ObjectIndex, into: ServicePortsOf): number {
  const services = servicesServing(template, index);
  for (const svc of services) {
    for (const p of servicePorts(svc)) {
      if ((p.protocol ?? 'TCP') !== 'TCP') {
        continue;
      }
      if (typeof p.port === 'number') {
        into.ports.add(p.port);
      }
      if (typeof p.targetPort === 'number') {
        into.targetPorts.add(p.targetPort);
      }
    }
  }
  return services.length;
}

function externalWorkloadsMatching(selector: Readonly<Record<string, string>>, index: ObjectIndex): ExternalGatewayWorkload[] {
  return index.context.externalGatewayWorkloads().filter((w) => labelsMatch(selector, w.labels));
}

/** The gateway pods a Gateway selects: templates in the app and declared external workloads. */
function selectedGatewayPods(obj: RenderedObject, index: ObjectIndex): { templates: PodTemplate[]; externals: ExternalGatewayWorkload[] } {
  const { selector } = gatewaySpec(obj, index);
  // Istio applies a Gateway's selector to gateway pods in every namespace by default.
  return { templates: index.podTemplatesMatching(selector), externals: externalWorkloadsMatching(selector, index) };
}

const gatewaySelectorAndPorts: ObjectCheck = {
  id: 'gateway-selector-and-ports',
  groupKinds: [GK.Gateway],
  check(obj, ctx) {
    const { selector, servers } = gatewaySpec(obj, ctx.index);
    if (Object.keys(selector).length === 0) {
      return;
    }
    const meta = metaOf(obj.manifest);
    if (ctx.index.context.isExternalGateway(`${ctx.index.namespaceOf(obj)}/${meta.name}`)) {
      return;
    }
    const { templates, externals } = selectedGatewayPods(obj, ctx.index);
    if (templates.length === 0 && externals.length === 0) {
      ctx.report(obj, {
        code: IST0101.code,
        field: 'spec.selector',
        message: `selector ${selectorText(selector)} matches no gateway pods: no workload in the app carries these labels and no gateway workload is declared`,
        fix: 'select an IngressGateway by reference, or declare the existing gateway with GatewayWorkload.fromSelector(...)',
      });
      return;
    }
    checkServerPorts(obj, servers, templates, externals, ctx);
  },
};

/**
 * IST0162, as istioctl decides it (`pkg/config/analysis/analyzers/gateway/gateway.go`,
 * IngressGatewayPortAnalyzer): for every Service in front of the selected pods, each TCP port
 * contributes its numeric `targetPort` and, through the port-to-targetPort mapping, its `port`
 * (a port with no numeric targetPort contributes the port alone). A server port among them is
 * served, which matches the proxy: `pilot/pkg/model/gateway.go` translates a Service port into
 * its targetPort and binds any other number as it is. So deployKF's layout (servers on
 * 8080/8443 behind Service ports 80/443) is clean, and so is a server on 80 there.
 */
function checkServerPorts(obj: RenderedObject, servers: readonly GatewayServer[], templates: PodTemplate[], externals: ExternalGatewayWorkload[], ctx: CheckContext): void {
  if (externals.some((w) => w.servicePorts === undefined)) {
    return; // ports of a gateway outside the app are unknown
  }
  const known: ServicePortsOf = { ports: new Set(), targetPorts: new Set() };
  for (const w of externals) {
    for (const p of w.servicePorts ?? []) {
      known.ports.add(p);
    }
    for (const p of w.targetPorts ?? []) {
      known.targetPorts.add(p);
    }
  }
  let services = 0;
  for (const t of templates) {
    services += portsServing(t, ctx.index, known);
  }
  const listed = (set: Set<number>) => [...set].sort((a, b) => a - b).join(', ');
  const targets = [...known.targetPorts].filter((p) => !known.ports.has(p));
  const portList = known.ports.size === 0 && targets.length === 0
    ? 'no TCP port'
    : `port(s) ${listed(known.ports) || 'none'}${targets.length > 0 ? ` with target port(s) ${listed(new Set(targets))}` : ''}`;
  const where = services > 0 || externals.length > 0 ? `the gateway Service exposes ${portList}` : 'no Service in the app selects the gateway pods';
  servers.forEach((server, i) => {
    const number = server.port?.number;
    if (typeof number !== 'number' || known.ports.has(number) || known.targetPorts.has(number)) {
      return;
    }
    ctx.report(obj, {
      code: IST0162.code,
      field: `spec.servers[${i}].port.number`,
      message: `port ${number} is not served: ${where}`,
      fix: 'listen on one of the Service\'s ports or target ports, or expose the port on the gateway (IngressGateway `ports` / addPort(); servicePorts/targetPorts for a gateway outside the app)',
    });
  });
}

/* ------------------------------------------------------------------------------------------ */
/* IST0145: Gateways with the same selector and port and overlapping hosts                     */
/* ------------------------------------------------------------------------------------------ */

interface HostEntry {
  readonly gateway: RenderedObject;
  /** The namespace part after resolving `.`; `*` for none. */
  readonly ns: string;
  /** TLS hosts are SNI names, which ignore the namespace part. */
  readonly tls: boolean;
}

interface HostBucket {
  /** Non-wildcard hosts. */
  readonly exact: Map<string, HostEntry[]>;
  /** Wildcard hosts by what follows the `*` (`.example.com`, or `` for `*`). */
  readonly wild: Map<string, HostEntry[]>;
  /** Every host (for wildcards, what follows the `*`) under each of its suffixes. */
  readonly bySuffix: Map<string, HostEntry[]>;
}

function splitHost(value: string, gatewayNs: string): { ns: string; host: string } {
  const slash = value.indexOf('/');
  if (slash < 0) {
    return { ns: '*', host: value.toLowerCase() };
  }
  const ns = value.slice(0, slash);
  return { ns: ns === '.' ? gatewayNs : ns, host: value.slice(slash + 1).toLowerCase() };
}

function* suffixes(text: string): Generator<string> {
  for (let i = 0; i <= text.length; i++) {
    yield text.slice(i);
  }
}

function isTlsServer(server: GatewayServer): boolean {
  const protocol = (server.port?.protocol ?? '').toUpperCase();
  return protocol === 'HTTPS' || protocol === 'TLS';
}

function gatewayHostIndex(index: ObjectIndex): Map<string, HostBucket> {
  return index.memo('edge:gatewayHostIndex', () => {
    const buckets = new Map<string, HostBucket>();
    for (const gw of index.byGroupKind(GK.Gateway)) {
      const { selector, servers } = gatewaySpec(gw, index);
      const gwNs = index.namespaceOf(gw);
      for (const server of servers) {
        const key = `${selectorText(selector)}~${server.port?.number}`;
        let bucket = buckets.get(key);
        if (!bucket) {
          bucket = { exact: new Map(), wild: new Map(), bySuffix: new Map() };
          buckets.set(key, bucket);
        }
        for (const value of server.hosts ?? []) {
          const { ns, host } = splitHost(value, gwNs);
          const entry: HostEntry = { gateway: gw, ns, tls: isTlsServer(server) };
          const body = host.startsWith('*') ? host.slice(1) : host;
          pushTo(host.startsWith('*') ? bucket.wild : bucket.exact, body, entry);
          for (const s of suffixes(body)) {
            pushTo(bucket.bySuffix, s, entry);
          }
        }
      }
    }
    return buckets;
  });
}

/** Namespace parts overlap when either is `*` or both name the same namespace; `~` selects nothing. */
function namespacesOverlap(a: HostEntry, b: HostEntry): boolean {
  if (a.tls && b.tls) {
    return true;
  }
  if (a.ns === '~' || b.ns === '~') {
    return false;
  }
  return a.ns === '*' || b.ns === '*' || a.ns === b.ns;
}

/**
 * Gateways whose hosts overlap `host` in a bucket, as Istio's host matching defines overlap: equal
 * names, or a wildcard whose suffix the other name ends with.
 */
function overlapping(bucket: HostBucket, host: string, self: HostEntry): Set<RenderedObject> {
  const out = new Set<RenderedObject>();
  const consider = (entries: HostEntry[] | undefined) => {
    for (const e of entries ?? []) {
      if (e.gateway !== self.gateway && namespacesOverlap(e, self)) {
        out.add(e.gateway);
      }
    }
  };
  if (host.startsWith('*')) {
    const body = host.slice(1);
    for (const s of suffixes(body)) {
      consider(bucket.wild.get(s)); // wildcards covering this one
    }
    consider(bucket.bySuffix.get(body)); // names and wildcards this one covers
  } else {
    consider(bucket.exact.get(host));
    for (const s of suffixes(host)) {
      consider(bucket.wild.get(s));
    }
  }
  return out;
}

const conflictingGateways: ObjectCheck = {
  id: 'gateway-conflicts',
  groupKinds: [GK.Gateway],
  check(obj, ctx) {
    const { selector, servers } = gatewaySpec(obj, ctx.index);
    const buckets = gatewayHostIndex(ctx.index);
    const gwNs = ctx.index.namespaceOf(obj);
    servers.forEach((server, i) => {
      const bucket = buckets.get(`${selectorText(selector)}~${server.port?.number}`);
      if (!bucket) {
        return;
      }
      const others = new Set<RenderedObject>();
      for (const value of server.hosts ?? []) {
        const { ns, host } = splitHost(value, gwNs);
        for (const o of overlapping(bucket, host, { gateway: obj, ns, tls: isTlsServer(server) })) {
          others.add(o);
        }
      }
      if (others.size === 0) {
        return;
      }
      const names = [...others].map((o) => `${ctx.index.namespaceOf(o)}/${metaOf(o.manifest).name}`).sort();
      const shown = names.length > 5 ? `${names.slice(0, 5).join(', ')} and ${names.length - 5} more` : names.join(', ');
      ctx.report(obj, {
        code: IST0145.code,
        field: `spec.servers[${i}]`,
        message: `port ${server.port?.number} hosts ${(server.hosts ?? []).join(', ')} overlap with Gateway ${shown} on the same selector (${selectorText(selector)}): the gateway serves only one of them`,
        fix: 'give each host to one Gateway, or move one server to another port or gateway',
      });
    });
  },
};

/* ------------------------------------------------------------------------------------------ */
/* CKI2001: credentialName created where the gateway pods do not run                           */
/* ------------------------------------------------------------------------------------------ */

/** Namespaces where the app creates each Secret name, directly or through a cert-manager Certificate. */
function secretNamespaces(index: ObjectIndex): Map<string, Set<string>> {
  return index.memo('edge:secretNamespaces', () => {
    const out = new Map<string, Set<string>>();
    const add = (name: unknown, ns: string) => {
      if (typeof name !== 'string' || !name) {
        return;
      }
      const set = out.get(name) ?? new Set<string>();
      set.add(ns);
      out.set(name, set);
    };
    for (const s of index.byGroupKind(GK.Secret)) {
      add(metaOf(s.manifest).name, index.namespaceOf(s));
    }
    for (const c of index.byGroupKind(GK.Certificate)) {
      add((c.manifest.spec as Json | undefined)?.secretName, index.namespaceOf(c));
    }
    return out;
  });
}

const credentialNamespace: ObjectCheck = {
  id: 'gateway-credential-namespace',
  groupKinds: [GK.Gateway],
  check(obj, ctx) {
    const { servers } = gatewaySpec(obj, ctx.index);
    const secrets = secretNamespaces(ctx.index);
    if (secrets.size === 0) {
      return;
    }
    const { templates, externals } = selectedGatewayPods(obj, ctx.index);
    const podNamespaces = new Set<string>([...templates.map((t) => t.namespace), ...externals.map((w) => w.namespace).filter((n): n is string => !!n)]);
    if (podNamespaces.size === 0) {
      return;
    }
    servers.forEach((server, i) => {
      const names: Array<[string, string]> = [];
      if (server.tls?.credentialName) {
        names.push([server.tls.credentialName, 'tls.credentialName']);
      }
      (server.tls?.credentialNames ?? []).forEach((n, j) => names.push([n, `tls.credentialNames[${j}]`]));
      if (server.tls?.caCertCredentialName) {
        names.push([server.tls.caCertCredentialName, 'tls.caCertCredentialName']);
      }
      for (const [name, field] of names) {
        const declaredIn = secrets.get(name);
        if (!declaredIn) {
          continue; // not created by the app: nothing to compare with
        }
        const missing = [...podNamespaces].filter((ns) => !declaredIn.has(ns)).sort();
        if (missing.length === 0) {
          continue;
        }
        ctx.report(obj, {
          code: CKI2001.code,
          field: `spec.servers[${i}].${field}`,
          message: `Secret ${name} is created in ${[...declaredIn].sort().join(', ')}, but the gateway pods this Gateway selects run in ${missing.join(', ')}, where Istio reads it`,
          fix: `create the Secret (or its cert-manager Certificate) in ${missing.join(', ')}; Server.https({ certificate }) does that`,
        });
      }
    });
  },
};

/* ------------------------------------------------------------------------------------------ */
/* CKI2002: plain HTTP on a public load balancer                                              */
/* ------------------------------------------------------------------------------------------ */

/**
 * Our own: a Gateway server that serves plain HTTP (not just a redirect) on gateway pods whose
 * LoadBalancer Service admits any client address. Requests, cookies and tokens then cross the
 * internet unencrypted. A warning, because TLS may end in front of the load balancer on purpose;
 * say so by suppressing it, or by marking the Service internal (a cloud's internal load balancer
 * annotation) or narrowing loadBalancerSourceRanges.
 */
export const CKI2002 = defineCode('CKI2002', Severity.WARNING, 'Plain HTTP served on a LoadBalancer open to any address');

/** Annotations with which the clouds make a LoadBalancer Service internal. */
export const INTERNAL_LB_ANNOTATIONS: Readonly<Record<string, (value: string) => boolean>> = {
  'service.beta.kubernetes.io/aws-load-balancer-internal': (v) => v !== 'false',
  'service.beta.kubernetes.io/aws-load-balancer-scheme': (v) => v === 'internal',
  'networking.gke.io/load-balancer-type': (v) => v.toLowerCase() === 'internal',
  'cloud.google.com/load-balancer-type': (v) => v.toLowerCase() === 'internal',
  'service.beta.kubernetes.io/azure-load-balancer-internal': (v) => v === 'true',
  'service.beta.kubernetes.io/oci-load-balancer-internal': (v) => v === 'true',
  'service.beta.kubernetes.io/openstack-internal-load-balancer': (v) => v === 'true',
};

function openLoadBalancer(svc: RenderedObject): boolean {
  const spec = (svc.manifest.spec ?? {}) as Json;
  if (spec.type !== 'LoadBalancer') {
    return false;
  }
  const ranges = Array.isArray(spec.loadBalancerSourceRanges) ? spec.loadBalancerSourceRanges as unknown[] : [];
  if (ranges.length > 0 && !ranges.every((r) => r === '0.0.0.0/0' || r === '::/0')) {
    return false;
  }
  const annotations = metaOf(svc.manifest).annotations ?? {};
  return !Object.entries(INTERNAL_LB_ANNOTATIONS).some(([k, isInternal]) => annotations[k] !== undefined && isInternal(annotations[k]));
}

/** Every VirtualService bound to the Gateway answers each request with a redirect to https. */
function onlyRedirectsToHttps(obj: RenderedObject, index: ObjectIndex): boolean {
  const views = viewsOf(index);
  const key = views.gatewayOf.get(obj)!.key;
  const bound = views.virtualServices.filter((v) => v.gateways.some((g) => gatewayKey(g, v.namespace) === key));
  return bound.length > 0 && bound.every((v) => v.tcp.length === 0 && v.http.length > 0
    && v.http.every((r) => typeof r.redirect === 'object' && r.redirect !== null && String(r.redirect.scheme).toLowerCase() === 'https'));
}

const plaintextOnPublicLoadBalancer: ObjectCheck = {
  id: 'gateway-plaintext-public',
  groupKinds: [GK.Gateway],
  check(obj, ctx) {
    const { selector, servers } = gatewaySpec(obj, ctx.index);
    const plain = servers
      .map((server, i) => ({ server, i }))
      .filter(({ server }) => ['HTTP', 'HTTP2'].includes((server.port?.protocol ?? '').toUpperCase()) && server.tls?.httpsRedirect !== true);
    if (plain.length === 0 || Object.keys(selector).length === 0 || onlyRedirectsToHttps(obj, ctx.index)) {
      return;
    }
    const open = new Map<number, RenderedObject>();
    for (const template of ctx.index.podTemplatesMatching(selector)) {
      for (const svc of servicesServing(template, ctx.index).filter(openLoadBalancer)) {
        for (const p of servicePorts(svc)) {
          for (const n of [p.port, p.targetPort]) {
            if (typeof n === 'number' && !open.has(n)) {
              open.set(n, svc);
            }
          }
        }
      }
    }
    for (const { server, i } of plain) {
      const svc = typeof server.port?.number === 'number' ? open.get(server.port.number) : undefined;
      if (!svc) {
        continue;
      }
      const meta = metaOf(svc.manifest);
      ctx.report(obj, {
        code: CKI2002.code,
        field: `spec.servers[${i}]`,
        message: `port ${String(server.port?.number)} serves plain HTTP on LoadBalancer Service ${meta.namespace ?? 'default'}/${meta.name}, which any address can reach: requests and credentials travel unencrypted`,
        fix: 'add TLS (a values file\'s tls.credentialName; Server.https with GatewayTls.simple(...) in code), or say the gateway is internal (gateway.internal / an internal load balancer annotation, loadBalancerSourceRanges), or suppress CKI2002 with the reason when TLS ends in front of the load balancer',
      });
    }
  },
};

export const edgeChecks = [unInjectableAutoImage, gatewaySelectorAndPorts, conflictingGateways, credentialNamespace, plaintextOnPublicLoadBalancer];
