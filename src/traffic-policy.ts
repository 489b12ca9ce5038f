/**
 * Traffic policy of a DestinationRule: client TLS, load balancing, connection pools and outlier
 * detection, for the whole host, one port, or one subset.
 */
import { IConstruct } from 'constructs';
import { DurationLike, renderDuration } from './duration';
import * as l1 from './l1';
import { check, countProblem, headerNameProblem, hostProblem, percentageProblem, portProblem, secretNameProblem, withFix } from './validation';

type TrafficPolicySpec = l1.Wire<l1.DestinationRuleSpecTrafficPolicy>;
/** What host-wide, port-level and subset policies share. */
type PolicySettingsSpec = Pick<TrafficPolicySpec, 'tls' | 'loadBalancer' | 'connectionPool' | 'outlierDetection'>;

export interface SimpleClientTlsOptions {
  /**
   * Path of a CA bundle inside the proxy that verifies the server certificate.
   * @default - none: unless `credentialName` holds a CA, the proxy verifies against its system CA
   * bundle only when VERIFY_CERTIFICATE_AT_CLIENT is on, and the analysis warns (IST0128)
   */
  readonly caCertificates?: string;
  /**
   * A Secret (in the namespace of the proxy that originates TLS) whose `cacert`/`ca.crt` key holds
   * the CA. Exclusive with `caCertificates`, as Istio requires.
   * @default - none
   */
  readonly credentialName?: string;
  /** SNI to send. @default - none; Istio's auto SNI uses the request's host for HTTP */
  readonly sni?: string;
  /** Names the server certificate must carry. @default - any name the CA vouches for */
  readonly subjectAltNames?: string[];
}

export interface MutualClientTlsOptions {
  /**
   * A Secret with the client certificate and key (`tls.crt`/`tls.key`, or `cert`/`key`) and
   * optionally the CA (`ca.crt`/`cacert`). Key material is never written into the manifest.
   */
  readonly credentialName: string;
  /** @default - none */
  readonly sni?: string;
  /** @default - any name the CA vouches for */
  readonly subjectAltNames?: string[];
}

export interface IstioMutualTlsOptions {
  /** SNI to send. @default - none */
  readonly sni?: string;
  /** Identities the server certificate must carry. @default - the destination service's own identities */
  readonly subjectAltNames?: string[];
}

/** TLS the client-side proxy uses towards the destination. */
export class ClientTls {
  /**
   * Istio mTLS with the workload's mesh certificate. Only needed where auto mTLS cannot decide
   * (e.g. traffic to an egress gateway); leave TLS unset for ordinary in-mesh services.
   */
  public static istioMutual(options: IstioMutualTlsOptions = {}): ClientTls {
    return new ClientTls('ISTIO_MUTUAL', options);
  }

  /** Originate TLS to a server (typically an external API) and verify its certificate. */
  public static simple(options: SimpleClientTlsOptions = {}): ClientTls {
    return new ClientTls('SIMPLE', options);
  }

  /** Originate TLS with a client certificate taken from a Secret. */
  public static mutual(options: MutualClientTlsOptions): ClientTls {
    return new ClientTls('MUTUAL', options);
  }

  /** Plain text, overriding auto mTLS (for backends that must not get TLS). */
  public static disable(): ClientTls {
    return new ClientTls('DISABLE', {});
  }

  private constructor(public readonly mode: 'DISABLE' | 'SIMPLE' | 'MUTUAL' | 'ISTIO_MUTUAL', private readonly options: SimpleClientTlsOptions) {}

  /** @internal */
  public _render(scope: IConstruct, field: string): TrafficPolicySpec['tls'] {
    const o = this.options;
    if (o.credentialName !== undefined) {
      check(scope, `${field}.credentialName`, withFix(secretNameProblem(o.credentialName), 'name the Secret that holds the certificates'));
      if (o.caCertificates !== undefined) {
        check(scope, `${field}.caCertificates`, {
          problem: 'is set together with credentialName, which Istio rejects',
          fix: 'put the CA into the Secret (key ca.crt) or drop credentialName',
        });
      }
    }
    if (o.caCertificates !== undefined && !o.caCertificates.startsWith('/')) {
      check(scope, `${field}.caCertificates`, {
        problem: `"${o.caCertificates}" is not a file path; Istio reads the CA bundle from the proxy's file system`,
        fix: 'give an absolute path such as /etc/ssl/certs/ca-certificates.crt, or use credentialName',
      });
    }
    if (o.sni !== undefined) {
      check(scope, `${field}.sni`, withFix(hostProblem(o.sni, { allowWildcardAll: false }), 'use the server\'s host name')
        ?? (o.sni.startsWith('*') ? { problem: `"${o.sni}" is not a server name: wildcards are not server names`, fix: 'use the server\'s host name' } : undefined));
    }
    (o.subjectAltNames ?? []).forEach((san, i) => {
      if (san.length === 0) {
        check(scope, `${field}.subjectAltNames[${i}]`, { problem: 'is empty', fix: 'give a DNS name or SPIFFE URI' });
      }
    });
    return {
      mode: this.mode,
      caCertificates: o.caCertificates,
      credentialName: o.credentialName,
      sni: o.sni,
      subjectAltNames: o.subjectAltNames && [...o.subjectAltNames],
    };
  }
}

export interface HashCookieOptions {
  /** Lifetime of the cookie Envoy sets when the request has none. @default - Envoy does not create the cookie */
  readonly ttl?: DurationLike;
  /** @default - no path attribute */
  readonly path?: string;
}

type ConsistentHashSpec = NonNullable<NonNullable<TrafficPolicySpec['loadBalancer']>['consistentHash']>;

/** What consistent hashing hashes on (session affinity). */
export class HashKey {
  public static httpHeader(name: string): HashKey {
    return new HashKey('header', name);
  }

  /** A cookie; with `ttl`, Envoy creates the cookie when it is missing. */
  public static cookie(name: string, options: HashCookieOptions = {}): HashKey {
    return new HashKey('cookie', name, options);
  }

  public static sourceIp(): HashKey {
    return new HashKey('sourceIp', '');
  }

  public static queryParameter(name: string): HashKey {
    return new HashKey('query', name);
  }

  private constructor(
    private readonly kind: 'header' | 'cookie' | 'sourceIp' | 'query',
    private readonly name: string,
    private readonly cookie: HashCookieOptions = {},
  ) {}

  /** @internal */
  public _render(scope: IConstruct, field: string): ConsistentHashSpec {
    switch (this.kind) {
      case 'header':
        check(scope, `${field}.httpHeaderName`, withFix(headerNameProblem(this.name.toLowerCase()), 'use a header name such as x-user-id'));
        return { httpHeaderName: this.name };
      case 'cookie':
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(this.name)) {
          check(scope, `${field}.httpCookie.name`, { problem: `"${this.name}" is not a cookie name`, fix: 'use letters, digits and -_.' });
        }
        return { httpCookie: { name: this.name, path: this.cookie.path, ttl: renderDuration(scope, `${field}.httpCookie.ttl`, this.cookie.ttl) } };
      case 'sourceIp':
        return { useSourceIp: true };
      case 'query':
        if (this.name.length === 0) {
          check(scope, `${field}.httpQueryParameterName`, { problem: 'is empty', fix: 'name the query parameter' });
        }
        return { httpQueryParameterName: this.name };
    }
  }
}

/** Traffic distribution across localities (region/zone/subzone). */
export interface LocalityLoadBalancing {
  /** @default true */
  readonly enabled?: boolean;
  /** Weighted distribution: from a locality (`region/zone/*`) to localities with weights totalling 100. @default - none */
  readonly distribute?: Array<{ readonly from: string; readonly to: Record<string, number> }>;
  /** Region to fail over to when a region's endpoints are unhealthy. Needs outlier detection. @default - none */
  readonly failover?: Array<{ readonly from: string; readonly to: string }>;
  /** Labels ordered by failover priority (e.g. `topology.kubernetes.io/region`). Needs outlier detection. @default - none */
  readonly failoverPriority?: string[];
}

export interface LoadBalancerOptions {
  /** @default - Istio's locality settings from meshConfig */
  readonly locality?: LocalityLoadBalancing;
  /** Ramp traffic up to new endpoints over this long (ROUND_ROBIN and LEAST_REQUEST only). @default - no warm-up */
  readonly warmup?: DurationLike;
}

export interface ConsistentHashOptions extends LoadBalancerOptions {
  /** Size of the ring-hash ring. @default - Envoy's default (1024) */
  readonly minimumRingSize?: number;
}

type LoadBalancerAlgorithm = NonNullable<NonNullable<TrafficPolicySpec['loadBalancer']>['simple']>;

/** How the client proxy picks an endpoint. */
export class LoadBalancer {
  public static roundRobin(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer({ simple: 'ROUND_ROBIN' }, options);
  }

  /** Istio's default. */
  public static leastRequest(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer({ simple: 'LEAST_REQUEST' }, options);
  }

  public static random(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer({ simple: 'RANDOM' }, options);
  }

  /** Send to the address the client asked for, without load balancing. */
  public static passthrough(options: LoadBalancerOptions = {}): LoadBalancer {
    return new LoadBalancer({ simple: 'PASSTHROUGH' }, options);
  }

  /** Session affinity: requests with the same key reach the same endpoint while it lives. */
  public static consistentHash(key: HashKey, options: ConsistentHashOptions = {}): LoadBalancer {
    return new LoadBalancer({ key, minimumRingSize: options.minimumRingSize }, options);
  }

  private constructor(
    private readonly algorithm: { readonly simple?: LoadBalancerAlgorithm; readonly key?: HashKey; readonly minimumRingSize?: number },
    private readonly options: LoadBalancerOptions,
  ) {}

  /** Whether locality failover is configured (it needs outlier detection). @internal */
  public get _needsOutlierDetection(): boolean {
    const l = this.options.locality;
    return !!l && ((l.failover?.length ?? 0) > 0 || (l.failoverPriority?.length ?? 0) > 0);
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): TrafficPolicySpec['loadBalancer'] {
    let algorithm: TrafficPolicySpec['loadBalancer'] = {};
    if (this.algorithm.simple) {
      algorithm = { simple: this.algorithm.simple };
    } else if (this.algorithm.key) {
      check(scope, `${field}.consistentHash.ringHash.minimumRingSize`, countProblem(this.algorithm.minimumRingSize, 1));
      algorithm = {
        consistentHash: {
          ...this.algorithm.key._render(scope, `${field}.consistentHash`),
          ringHash: this.algorithm.minimumRingSize === undefined ? undefined : { minimumRingSize: this.algorithm.minimumRingSize },
        },
      };
    }
    let warmup: { duration: string } | undefined;
    if (this.options.warmup) {
      if (this.algorithm.simple !== 'ROUND_ROBIN' && this.algorithm.simple !== 'LEAST_REQUEST') {
        check(scope, `${field}.warmup`, {
          problem: 'warm-up works only with ROUND_ROBIN and LEAST_REQUEST',
          fix: 'use LoadBalancer.roundRobin() or leastRequest(), or drop warmup',
        });
      }
      warmup = { duration: renderDuration(scope, `${field}.warmup.duration`, this.options.warmup) };
    }
    const l = this.options.locality;
    if (!l) {
      return { ...algorithm, warmup };
    }
    const lf = `${field}.localityLbSetting`;
    if ((l.distribute?.length ?? 0) > 0 && (l.failover?.length ?? 0) > 0) {
      check(scope, lf, { problem: 'distribute and failover are both set, which Istio rejects', fix: 'use one of them' });
    }
    (l.distribute ?? []).forEach((d, i) => {
      const total = Object.values(d.to).reduce((a, b) => a + b, 0);
      if (total !== 100) {
        check(scope, `${lf}.distribute[${i}].to`, { problem: `weights from ${d.from} total ${total}, not 100`, fix: 'make the weights total 100' });
      }
    });
    (l.failover ?? []).forEach((fo, i) => {
      if (fo.from === fo.to) {
        check(scope, `${lf}.failover[${i}]`, { problem: `fails over from ${fo.from} to itself`, fix: 'fail over to a different region' });
      }
    });
    return {
      ...algorithm,
      warmup,
      localityLbSetting: {
        enabled: l.enabled,
        distribute: l.distribute?.map((d) => ({ from: d.from, to: { ...d.to } })),
        failover: l.failover?.map((fo) => ({ from: fo.from, to: fo.to })),
        failoverPriority: l.failoverPriority && [...l.failoverPriority],
      },
    };
  }
}

export enum H2UpgradePolicy {
  DEFAULT = 'DEFAULT',
  DO_NOT_UPGRADE = 'DO_NOT_UPGRADE',
  UPGRADE = 'UPGRADE',
}

export interface TcpConnectionPool {
  /** @default - Envoy's default (2^32-1) */
  readonly maxConnections?: number;
  /** @default 10s */
  readonly connectTimeout?: DurationLike;
  /** @default 1h */
  readonly idleTimeout?: DurationLike;
  /** @default - unlimited */
  readonly maxConnectionDuration?: DurationLike;
  /** @default - no TCP keepalive */
  readonly keepalive?: { readonly time?: DurationLike; readonly interval?: DurationLike; readonly probes?: number };
}

export interface HttpConnectionPool {
  /** @default - Envoy's default (2^32-1) */
  readonly http1MaxPendingRequests?: number;
  /** @default - Envoy's default (2^32-1) */
  readonly http2MaxRequests?: number;
  /** 1 disables keep-alive. @default - unlimited */
  readonly maxRequestsPerConnection?: number;
  /** @default - Envoy's default (2^32-1) */
  readonly maxRetries?: number;
  /** @default 1h */
  readonly idleTimeout?: DurationLike;
  /** @default H2UpgradePolicy.DEFAULT */
  readonly h2UpgradePolicy?: H2UpgradePolicy;
  /** @default false */
  readonly useClientProtocol?: boolean;
  /** @default - Envoy's default */
  readonly maxConcurrentStreams?: number;
}

export interface ConnectionPool {
  /** @default - Envoy's defaults */
  readonly tcp?: TcpConnectionPool;
  /** @default - Envoy's defaults */
  readonly http?: HttpConnectionPool;
}

/** Ejecting endpoints that keep failing (circuit breaking). */
export interface OutlierDetection {
  /** 5xx responses in a row before ejection. @default 5 */
  readonly consecutive5xxErrors?: number;
  /** 502/503/504 responses in a row before ejection. @default - not used */
  readonly consecutiveGatewayErrors?: number;
  /** Local-origin failures in a row before ejection; needs `splitExternalLocalOriginErrors`. @default 5 */
  readonly consecutiveLocalOriginFailures?: number;
  /** @default false */
  readonly splitExternalLocalOriginErrors?: boolean;
  /** Time between ejection sweeps. @default 10s */
  readonly interval?: DurationLike;
  /** Minimum ejection time (multiplied by the number of ejections). @default 30s */
  readonly baseEjectionTime?: DurationLike;
  /** @default 10 */
  readonly maxEjectionPercent?: number;
  /** Outlier detection is off when fewer than this % of endpoints are healthy. @default 0 */
  readonly minHealthPercent?: number;
}

export interface PolicySettings {
  /**
   * Client TLS.
   * @default - unset: Istio's auto mTLS uses ISTIO_MUTUAL towards workloads that have a sidecar
   * and plain text otherwise. Forcing ISTIO_MUTUAL breaks calls to workloads without a sidecar
   * and PERMISSIVE migrations, so set it only for what auto mTLS does not cover.
   */
  readonly tls?: ClientTls;
  /** @default - LEAST_REQUEST (Istio's default) */
  readonly loadBalancer?: LoadBalancer;
  /** @default - Envoy's defaults */
  readonly connectionPool?: ConnectionPool;
  /** @default - no outlier detection */
  readonly outlierDetection?: OutlierDetection;
}

/** Settings for one port of the host; override the host-wide ones for that port. */
export interface PortTrafficPolicy extends PolicySettings {
  readonly port: number;
}

export interface TrafficPolicy extends PolicySettings {
  /** @default - none */
  readonly portLevelSettings?: PortTrafficPolicy[];
}

function renderConnectionPool(scope: IConstruct, field: string, pool: ConnectionPool): TrafficPolicySpec['connectionPool'] {
  let tcp: NonNullable<TrafficPolicySpec['connectionPool']>['tcp'];
  let http: NonNullable<TrafficPolicySpec['connectionPool']>['http'];
  if (pool.tcp) {
    const t = pool.tcp;
    const f = `${field}.tcp`;
    check(scope, `${f}.maxConnections`, countProblem(t.maxConnections, 1));
    check(scope, `${f}.tcpKeepalive.probes`, countProblem(t.keepalive?.probes, 1));
    tcp = {
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
      check(scope, `${f}.${key}`, countProblem(h[key], 1));
    }
    check(scope, `${f}.maxRetries`, countProblem(h.maxRetries));
    http = {
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
  return { tcp, http };
}

function renderOutlierDetection(scope: IConstruct, field: string, o: OutlierDetection): TrafficPolicySpec['outlierDetection'] {
  check(scope, `${field}.consecutive5xxErrors`, countProblem(o.consecutive5xxErrors));
  check(scope, `${field}.consecutiveGatewayErrors`, countProblem(o.consecutiveGatewayErrors));
  check(scope, `${field}.consecutiveLocalOriginFailures`, countProblem(o.consecutiveLocalOriginFailures));
  if (o.consecutiveLocalOriginFailures !== undefined && !o.splitExternalLocalOriginErrors) {
    check(scope, `${field}.consecutiveLocalOriginFailures`, {
      problem: 'has no effect unless splitExternalLocalOriginErrors is true',
      fix: 'set splitExternalLocalOriginErrors: true, or drop consecutiveLocalOriginFailures',
    });
  }
  check(scope, `${field}.maxEjectionPercent`, percentageProblem(o.maxEjectionPercent));
  check(scope, `${field}.minHealthPercent`, percentageProblem(o.minHealthPercent));
  return {
    // The generated L1 spells this property consecutive5XxErrors; l1.ts writes consecutive5xxErrors.
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

function renderPolicySettings(scope: IConstruct, field: string, p: PolicySettings): PolicySettingsSpec {
  if (p.loadBalancer?._needsOutlierDetection && !p.outlierDetection) {
    check(scope, `${field}.loadBalancer.localityLbSetting`, {
      problem: 'locality failover is configured without outlier detection, so it never triggers',
      fix: 'add outlierDetection to the same traffic policy',
    });
  }
  return {
    tls: p.tls?._render(scope, `${field}.tls`),
    loadBalancer: p.loadBalancer?._render(scope, `${field}.loadBalancer`),
    connectionPool: p.connectionPool && renderConnectionPool(scope, `${field}.connectionPool`, p.connectionPool),
    outlierDetection: p.outlierDetection && renderOutlierDetection(scope, `${field}.outlierDetection`, p.outlierDetection),
  };
}

/**
 * Validates and renders a traffic policy: the host-wide one, or a subset's (the same shape).
 * @internal
 */
export function renderTrafficPolicy(scope: IConstruct, field: string, policy: TrafficPolicy): TrafficPolicySpec {
  const out = renderPolicySettings(scope, field, policy);
  const seen = new Set<number>();
  const ports = (policy.portLevelSettings ?? []).map((p, i) => {
    const f = `${field}.portLevelSettings[${i}]`;
    check(scope, `${f}.port.number`, portProblem(p.port, 'use a port of the host (1–65535)'));
    if (seen.has(p.port)) {
      check(scope, `${f}.port.number`, { problem: `port ${p.port} has settings twice`, fix: 'merge the settings for that port' });
    }
    seen.add(p.port);
    return { port: { number: p.port }, ...renderPolicySettings(scope, f, p) };
  });
  return { ...out, portLevelSettings: ports.length > 0 ? ports : undefined };
}
