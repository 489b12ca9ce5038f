/**
 * Helpers shared by the routing constructs (VirtualService, DestinationRule, ServiceEntry,
 * Sidecar). Not part of the public API: index.ts does not export this module.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { Duration } from './duration';
import { propError } from './errors';
import { CLUSTER_DOMAIN, dnsLabelProblem, fqdnIn, hostProblem, portProblem, wildcardCovers } from './host';
import { IServiceRef } from './references';
import type { Destination, HeaderOperation, HeaderOperations } from './route-destination';
import type { L4MatchConditions } from './tcp-route';
import type { ConnectionPool, OutlierDetection, PolicySettings, TrafficPolicy } from './traffic-policy';

export type Json = Record<string, unknown>;

/** Something a route or policy can point at: a cdk8s-plus Service, a reference, or a host. */
export type DestinationTarget = kplus.Service | IServiceRef | string;

export { CLUSTER_DOMAIN, dnsLabelProblem, fqdnIn, wildcardCovers };

export interface ResolvedTarget {
  /** The host as written into the manifest. */
  readonly host: string;
  /** The host as Istio resolves it from `namespace` (short names become FQDNs). */
  readonly fqdn: string;
  /** Ports the target exposes, read late (a cdk8s-plus Service can bind ports after use). */
  ports(): readonly number[] | undefined;
}

function isServiceRef(target: unknown): target is IServiceRef {
  return !!target && typeof target === 'object' && typeof (target as IServiceRef).host === 'string';
}

/** The host of a cdk8s-plus Service: `name.namespace.svc.cluster.local`. */
export function kplusServiceHost(service: kplus.Service): string {
  const namespace = service.metadata.namespace ?? Chart.of(service).namespace ?? 'default';
  return `${service.name}.${namespace}.${CLUSTER_DOMAIN}`;
}

/**
 * Resolves a target. Hosts given as strings are validated here; `namespace` is where the
 * referring object lives, which is where Istio resolves short names.
 */
export function resolveTarget(scope: IConstruct, field: string, target: DestinationTarget, namespace: string): ResolvedTarget {
  if (target instanceof kplus.Service) {
    const host = kplusServiceHost(target);
    return { host, fqdn: host, ports: () => target.ports.map((p) => p.port) };
  }
  if (typeof target === 'string') {
    const problem = hostProblem(target, { allowWildcardAll: false });
    if (problem) {
      propError(scope, field, `"${target}" is not a valid host: ${problem}`,
        'use a Service name, an FQDN such as reviews.bookinfo.svc.cluster.local, or pass the Service object');
    }
    return { host: target, fqdn: fqdnIn(target, namespace), ports: () => undefined };
  }
  if (isServiceRef(target)) {
    const problem = hostProblem(target.host, { allowWildcardAll: false });
    if (problem) {
      propError(scope, field, `"${target.host}" is not a valid host: ${problem}`, 'fix the host of the service reference');
    }
    const fqdn = target.namespace && !target.host.includes('.') ? fqdnIn(target.host, target.namespace) : fqdnIn(target.host, namespace);
    return { host: target.host, fqdn, ports: () => target.ports };
  }
  const got = target === null || typeof target !== 'object' ? typeof target : (target as object).constructor?.name ?? 'object';
  return propError(scope, field, `got ${got}, which is neither a Service, a service reference nor a host string`,
    'pass a cdk8s-plus Service, ServiceRef.fromName(...) or a host (a Destination goes to route.addDestination(), not route.to())');
}

/** `field: problem (fix: ...)`, the shape of construct validation messages (the path is added by the engine). */
export function problemText(field: string, problem: string, fix: string): string {
  return `${field}: ${problem} (fix: ${fix})`;
}

export function checkPercentage(scope: IConstruct, field: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isFinite(value) || value < 0 || value > 100)) {
    propError(scope, field, `${value} is not a percentage`, 'use a number from 0 to 100');
  }
}

export function checkCount(scope: IConstruct, field: string, value: number | undefined, min = 0): void {
  if (value !== undefined && (!Number.isInteger(value) || value < min || value > 2_147_483_647)) {
    propError(scope, field, `${value} is not a whole number of at least ${min}`, `use an integer ≥ ${min}`);
  }
}

export function renderDuration(scope: IConstruct, field: string, d: Duration | undefined): string | undefined {
  return d === undefined ? undefined : d.toIstio({ path: scope.node.path, field });
}


const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `name` is not a Kubernetes object name (Secret names for credentialName), or undefined. */
export function objectNameProblem(name: string): string | undefined {
  if (name.length === 0 || name.length > 253 || !DNS_SUBDOMAIN.test(name)) {
    return `"${name}" is not a Kubernetes object name (lowercase letters, digits, '-' and '.')`;
  }
  return undefined;
}

/** Why `value` is not an `exportTo` entry (`.`, `*`, `~` or a namespace name), or undefined. */
export function exportToProblem(value: string): string | undefined {
  if (value === '.' || value === '*' || value === '~') {
    return undefined;
  }
  return dnsLabelProblem(value) ? `"${value}" is neither ".", "*", "~" nor a namespace name` : undefined;
}

export function checkExportTo(scope: IConstruct, exportTo: readonly string[] | undefined): void {
  (exportTo ?? []).forEach((value, i) => {
    const problem = exportToProblem(value);
    if (problem) {
      propError(scope, `spec.exportTo[${i}]`, problem, 'use "." (this namespace), "*" (all) or namespace names');
    }
  });
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIp(value: string): boolean {
  if (IPV4.test(value)) {
    return true;
  }
  // IPv6: hex groups and colons, at most one `::`.
  return /^[0-9a-f:]+$/i.test(value) && value.includes(':') && (value.match(/::/g) ?? []).length <= 1
    && value.split(':').every((g) => g.length <= 4);
}

/** Why `value` is not an IP address or CIDR block, or undefined. */
export function cidrProblem(value: string): string | undefined {
  const [ip, bits, extra] = value.split('/');
  if (extra !== undefined || !isIp(ip)) {
    return `"${value}" is not an IP address or CIDR block`;
  }
  if (bits !== undefined) {
    const max = ip.includes(':') ? 128 : 32;
    const n = Number(bits);
    if (!/^\d+$/.test(bits) || n > max) {
      return `"${value}" has an invalid prefix length (0–${max})`;
    }
  }
  return undefined;
}

/** Header names as Istio accepts them: lowercase HTTP tokens, no pseudo-headers. */
export function headerNameProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'the header name is empty';
  }
  if (name.startsWith(':')) {
    return `"${name}" is a pseudo-header; Istio does not match or modify those here (use authority, method or scheme)`;
  }
  if (!/^[a-z0-9!#$%&'*+\-.^_`|~]+$/.test(name)) {
    return `"${name}" is not a lowercase HTTP header name`;
  }
  return undefined;
}

/** The label a route gets in messages: its name, else its position. */
export function routeLabel(name: string | undefined, index: number): string {
  return name ? `route "${name}"` : `route #${index}`;
}

/** A destination validated against the route that uses it. */
export class BoundDestination {
  public constructor(public readonly destination: Destination, public readonly resolved: ResolvedTarget) {}

  public get weight(): number | undefined {
    return this.destination.options.weight;
  }

  /** The port to write: explicit, else the target's only port. */
  public port(): number | undefined {
    if (this.destination.options.port !== undefined) {
      return this.destination.options.port;
    }
    const ports = this.resolved.ports();
    return ports && ports.length === 1 ? ports[0] : undefined;
  }

  /** `{ host, subset, port }` as Istio's Destination. */
  public renderDestination(): Json {
    const port = this.port();
    return {
      host: this.resolved.host,
      subset: this.destination.options.subset?.name,
      port: port === undefined ? undefined : { number: port },
    };
  }

  /** A route entry: destination, weight and (HTTP) headers. */
  public renderRoute(): Json {
    return {
      destination: this.renderDestination(),
      weight: this.weight,
      headers: renderHeaderOperations(this.destination.options.headers),
    };
  }

  /** Problems only visible at synthesis (ports bound to a Service after it was referenced). */
  public lateProblems(field: string): string[] {
    if (this.destination.options.port === undefined) {
      const ports = this.resolved.ports();
      if (ports && ports.length > 1) {
        return [problemText(`${field}.port`, `${this.resolved.host} exposes several ports (${ports.join(', ')}) and no port was given`,
          'pass `port` to say which Service port the route targets')];
      }
    }
    return [];
  }
}

/** Eager weight check: a total over 100 can never become valid by adding destinations. */
export function checkWeightsSoFar(scope: IConstruct, field: string, label: string, destinations: readonly BoundDestination[]): void {
  const total = destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0);
  if (total > 100) {
    propError(scope, field, `${label} splits ${describeWeights(destinations)} = ${total}%, more than 100`,
      'make the weights of the route\'s destinations total exactly 100');
  }
}

/** Final weight check, at synthesis, once every destination is known. */
export function weightProblems(field: string, label: string, destinations: readonly BoundDestination[]): string[] {
  if (destinations.length === 0) {
    return [];
  }
  if (destinations.length === 1) {
    const w = destinations[0].weight;
    return w === undefined || w === 100 ? [] : [problemText(`${field}[0].weight`,
      `${label} has a single destination with weight ${w}; it receives all traffic anyway`, 'remove the weight or set it to 100')];
  }
  const missing = destinations.findIndex((d) => d.weight === undefined);
  if (missing >= 0) {
    return [problemText(`${field}[${missing}].weight`, `${label} splits traffic between ${destinations.length} destinations but this one has no weight`,
      'give every destination a weight; the weights must total 100')];
  }
  const total = destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0);
  if (total !== 100) {
    return [problemText(field, `${label} splits ${describeWeights(destinations)} = ${total}%, not 100`,
      'make the weights of the route\'s destinations total exactly 100')];
  }
  return [];
}

function describeWeights(destinations: readonly BoundDestination[]): string {
  return destinations.map((d) => String(d.weight ?? 0)).join(' + ');
}

const FORBIDDEN_HEADERS = new Set(['host']);

export function validateHeaderOperations(scope: IConstruct, field: string, ops: HeaderOperations): void {
  for (const dir of ['request', 'response'] as const) {
    const op = ops[dir];
    if (!op) {
      continue;
    }
    const names: Array<[string, string]> = [
      ...Object.keys(op.set ?? {}).map((n): [string, string] => [n, `${field}.${dir}.set`]),
      ...Object.keys(op.add ?? {}).map((n): [string, string] => [n, `${field}.${dir}.add`]),
      ...(op.remove ?? []).map((n, i): [string, string] => [n, `${field}.${dir}.remove[${i}]`]),
    ];
    for (const [name, where] of names) {
      const problem = headerNameProblem(name) ?? (FORBIDDEN_HEADERS.has(name) ? '"host" cannot be changed here' : undefined);
      if (problem) {
        propError(scope, where, problem, name === 'host' ? 'use rewrite.authority to change the host' : 'use lowercase header names such as x-request-id');
      }
    }
  }
}

export function renderHeaderOperations(ops: HeaderOperations | undefined): Json | undefined {
  if (!ops) {
    return undefined;
  }
  const one = (op: HeaderOperation | undefined): Json | undefined => op && {
    set: op.set && { ...op.set },
    add: op.add && { ...op.add },
    remove: op.remove && [...op.remove],
  };
  return { request: one(ops.request), response: one(ops.response) };
}

/** Validates and renders the conditions TCP and TLS matches share. */
export function renderL4Match(scope: IConstruct, field: string, m: L4MatchConditions & { sourceSubnet?: string }): Json {
  if (m.port !== undefined) {
    const problem = portProblem(m.port);
    if (problem) {
      propError(scope, `${field}.port`, problem, 'use a port from 1 to 65535');
    }
  }
  (m.destinationSubnets ?? []).forEach((s, i) => {
    const problem = cidrProblem(s);
    if (problem) {
      propError(scope, `${field}.destinationSubnets[${i}]`, problem, 'use an IP address or CIDR block such as 10.0.0.0/16');
    }
  });
  if (m.sourceSubnet !== undefined) {
    const problem = cidrProblem(m.sourceSubnet);
    if (problem) {
      propError(scope, `${field}.sourceSubnet`, problem, 'use an IP address or CIDR block such as 10.0.0.0/16');
    }
  }
  if (m.sourceNamespace !== undefined && dnsLabelProblem(m.sourceNamespace)) {
    propError(scope, `${field}.sourceNamespace`, `"${m.sourceNamespace}" is not a namespace name`, 'use a namespace name');
  }
  return {
    port: m.port,
    destinationSubnets: m.destinationSubnets && [...m.destinationSubnets],
    sourceSubnet: m.sourceSubnet,
    sourceLabels: m.sourceLabels && { ...m.sourceLabels },
    sourceNamespace: m.sourceNamespace,
    gateways: m.gateways?.map((g) => g.gatewayRef),
  };
}


function renderConnectionPool(scope: IConstruct, field: string, pool: ConnectionPool): Json {
  const out: Json = {};
  if (pool.tcp) {
    const t = pool.tcp;
    const f = `${field}.tcp`;
    checkCount(scope, `${f}.maxConnections`, t.maxConnections, 1);
    checkCount(scope, `${f}.tcpKeepalive.probes`, t.keepalive?.probes, 1);
    out.tcp = {
      maxConnections: t.maxConnections,
      connectTimeout: renderDuration(scope, `${f}.connectTimeout`, t.connectTimeout),
      idleTimeout: renderDuration(scope, `${f}.idleTimeout`, t.idleTimeout),
      maxConnectionDuration: renderDuration(scope, `${f}.maxConnectionDuration`, t.maxConnectionDuration),
      tcpKeepalive: t.keepalive && {
        time: renderDuration(scope, `${f}.tcpKeepalive.time`, t.keepalive.time),
        interval: renderDuration(scope, `${f}.tcpKeepalive.interval`, t.keepalive.interval),
        probes: t.keepalive.probes,
      },
    };
  }
  if (pool.http) {
    const h = pool.http;
    const f = `${field}.http`;
    for (const key of ['http1MaxPendingRequests', 'http2MaxRequests', 'maxRequestsPerConnection', 'maxConcurrentStreams'] as const) {
      checkCount(scope, `${f}.${key}`, h[key], 1);
    }
    checkCount(scope, `${f}.maxRetries`, h.maxRetries);
    out.http = {
      http1MaxPendingRequests: h.http1MaxPendingRequests,
      http2MaxRequests: h.http2MaxRequests,
      maxRequestsPerConnection: h.maxRequestsPerConnection,
      maxRetries: h.maxRetries,
      idleTimeout: renderDuration(scope, `${f}.idleTimeout`, h.idleTimeout),
      h2UpgradePolicy: h.h2UpgradePolicy,
      useClientProtocol: h.useClientProtocol,
      maxConcurrentStreams: h.maxConcurrentStreams,
    };
  }
  return out;
}

function renderOutlierDetection(scope: IConstruct, field: string, o: OutlierDetection): Json {
  checkCount(scope, `${field}.consecutive5xxErrors`, o.consecutive5xxErrors);
  checkCount(scope, `${field}.consecutiveGatewayErrors`, o.consecutiveGatewayErrors);
  checkCount(scope, `${field}.consecutiveLocalOriginFailures`, o.consecutiveLocalOriginFailures);
  if (o.consecutiveLocalOriginFailures !== undefined && !o.splitExternalLocalOriginErrors) {
    propError(scope, `${field}.consecutiveLocalOriginFailures`, 'has no effect unless splitExternalLocalOriginErrors is true',
      'set splitExternalLocalOriginErrors: true, or drop consecutiveLocalOriginFailures');
  }
  checkPercentage(scope, `${field}.maxEjectionPercent`, o.maxEjectionPercent);
  checkPercentage(scope, `${field}.minHealthPercent`, o.minHealthPercent);
  return {
    // The generated L1 spells this property consecutive5XxErrors and writes consecutive5xxErrors.
    consecutive5XxErrors: o.consecutive5xxErrors,
    consecutiveGatewayErrors: o.consecutiveGatewayErrors,
    consecutiveLocalOriginFailures: o.consecutiveLocalOriginFailures,
    splitExternalLocalOriginErrors: o.splitExternalLocalOriginErrors,
    interval: renderDuration(scope, `${field}.interval`, o.interval),
    baseEjectionTime: renderDuration(scope, `${field}.baseEjectionTime`, o.baseEjectionTime),
    maxEjectionPercent: o.maxEjectionPercent,
    minHealthPercent: o.minHealthPercent,
  };
}

function renderPolicySettings(scope: IConstruct, field: string, p: PolicySettings): Json {
  if (p.loadBalancer?._needsOutlierDetection && !p.outlierDetection) {
    propError(scope, `${field}.loadBalancer.localityLbSetting`, 'locality failover is configured without outlier detection, so it never triggers',
      'add outlierDetection to the same traffic policy');
  }
  return {
    tls: p.tls?._render(scope, `${field}.tls`),
    loadBalancer: p.loadBalancer?._render(scope, `${field}.loadBalancer`),
    connectionPool: p.connectionPool && renderConnectionPool(scope, `${field}.connectionPool`, p.connectionPool),
    outlierDetection: p.outlierDetection && renderOutlierDetection(scope, `${field}.outlierDetection`, p.outlierDetection),
  };
}

/** Validates and renders a traffic policy (host-wide or a subset's). */
export function renderTrafficPolicy(scope: IConstruct, field: string, policy: TrafficPolicy): Json {
  const out = renderPolicySettings(scope, field, policy);
  const seen = new Set<number>();
  const ports = (policy.portLevelSettings ?? []).map((p, i) => {
    const f = `${field}.portLevelSettings[${i}]`;
    const problem = portProblem(p.port);
    if (problem) {
      propError(scope, `${f}.port.number`, problem, 'use a port of the host (1–65535)');
    }
    if (seen.has(p.port)) {
      propError(scope, `${f}.port.number`, `port ${p.port} has settings twice`, 'merge the settings for that port');
    }
    seen.add(p.port);
    return { port: { number: p.port }, ...renderPolicySettings(scope, f, p) };
  });
  return { ...out, portLevelSettings: ports.length > 0 ? ports : undefined };
}
