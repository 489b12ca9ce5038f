/**
 * Traffic policy of a DestinationRule: client TLS, load balancing, connection pools and outlier
 * detection, for the whole host, one port, or one subset.
 */
import { IConstruct } from 'constructs';
import { Duration } from './duration';
import { propError } from './errors';
import { hostProblem } from './host';
import { checkCount, headerNameProblem, Json, objectNameProblem, renderDuration } from './routing-internal';

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
  public _render(scope: IConstruct, field: string): Json {
    const o = this.options;
    if (o.credentialName !== undefined) {
      const problem = objectNameProblem(o.credentialName);
      if (problem) {
        propError(scope, `${field}.credentialName`, problem, 'name the Secret that holds the certificates');
      }
      if (o.caCertificates !== undefined) {
        propError(scope, `${field}.caCertificates`, 'is set together with credentialName, which Istio rejects',
          'put the CA into the Secret (key ca.crt) or drop credentialName');
      }
    }
    if (o.caCertificates !== undefined && !o.caCertificates.startsWith('/')) {
      propError(scope, `${field}.caCertificates`, `"${o.caCertificates}" is not a file path; Istio reads the CA bundle from the proxy's file system`,
        'give an absolute path such as /etc/ssl/certs/ca-certificates.crt, or use credentialName');
    }
    if (o.sni !== undefined) {
      const problem = hostProblem(o.sni, { allowWildcardAll: false });
      if (problem || o.sni.startsWith('*')) {
        propError(scope, `${field}.sni`, `"${o.sni}" is not a server name: ${problem ?? 'wildcards are not server names'}`, 'use the server\'s host name');
      }
    }
    (o.subjectAltNames ?? []).forEach((san, i) => {
      if (san.length === 0) {
        propError(scope, `${field}.subjectAltNames[${i}]`, 'is empty', 'give a DNS name or SPIFFE URI');
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
  readonly ttl?: Duration;
  /** @default - no path attribute */
  readonly path?: string;
}

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
  public _render(scope: IConstruct, field: string): Json {
    switch (this.kind) {
      case 'header': {
        const problem = headerNameProblem(this.name.toLowerCase());
        if (problem) {
          propError(scope, `${field}.httpHeaderName`, problem, 'use a header name such as x-user-id');
        }
        return { httpHeaderName: this.name };
      }
      case 'cookie':
        if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(this.name)) {
          propError(scope, `${field}.httpCookie.name`, `"${this.name}" is not a cookie name`, 'use letters, digits and -_.');
        }
        return { httpCookie: { name: this.name, path: this.cookie.path, ttl: renderDuration(scope, `${field}.httpCookie.ttl`, this.cookie.ttl) } };
      case 'sourceIp':
        return { useSourceIp: true };
      case 'query':
        if (this.name.length === 0) {
          propError(scope, `${field}.httpQueryParameterName`, 'is empty', 'name the query parameter');
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
  readonly warmup?: Duration;
}

export interface ConsistentHashOptions extends LoadBalancerOptions {
  /** Size of the ring-hash ring. @default - Envoy's default (1024) */
  readonly minimumRingSize?: number;
}

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
    private readonly algorithm: { readonly simple?: string; readonly key?: HashKey; readonly minimumRingSize?: number },
    private readonly options: LoadBalancerOptions,
  ) {}

  /** Whether locality failover is configured (it needs outlier detection). @internal */
  public get _needsOutlierDetection(): boolean {
    const l = this.options.locality;
    return !!l && ((l.failover?.length ?? 0) > 0 || (l.failoverPriority?.length ?? 0) > 0);
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): Json {
    const out: Json = {};
    if (this.algorithm.simple) {
      out.simple = this.algorithm.simple;
    } else if (this.algorithm.key) {
      checkCount(scope, `${field}.consistentHash.ringHash.minimumRingSize`, this.algorithm.minimumRingSize, 1);
      out.consistentHash = {
        ...this.algorithm.key._render(scope, `${field}.consistentHash`),
        ringHash: this.algorithm.minimumRingSize === undefined ? undefined : { minimumRingSize: this.algorithm.minimumRingSize },
      };
    }
    if (this.options.warmup) {
      if (this.algorithm.simple !== 'ROUND_ROBIN' && this.algorithm.simple !== 'LEAST_REQUEST') {
        propError(scope, `${field}.warmup`, 'warm-up works only with ROUND_ROBIN and LEAST_REQUEST', 'use LoadBalancer.roundRobin() or leastRequest(), or drop warmup');
      }
      out.warmup = { duration: renderDuration(scope, `${field}.warmup.duration`, this.options.warmup) };
    }
    const l = this.options.locality;
    if (l) {
      const lf = `${field}.localityLbSetting`;
      if ((l.distribute?.length ?? 0) > 0 && (l.failover?.length ?? 0) > 0) {
        propError(scope, lf, 'distribute and failover are both set, which Istio rejects', 'use one of them');
      }
      (l.distribute ?? []).forEach((d, i) => {
        const total = Object.values(d.to).reduce((a, b) => a + b, 0);
        if (total !== 100) {
          propError(scope, `${lf}.distribute[${i}].to`, `weights from ${d.from} total ${total}, not 100`, 'make the weights total 100');
        }
      });
      (l.failover ?? []).forEach((fo, i) => {
        if (fo.from === fo.to) {
          propError(scope, `${lf}.failover[${i}]`, `fails over from ${fo.from} to itself`, 'fail over to a different region');
        }
      });
      out.localityLbSetting = {
        enabled: l.enabled,
        distribute: l.distribute?.map((d) => ({ from: d.from, to: { ...d.to } })),
        failover: l.failover?.map((fo) => ({ from: fo.from, to: fo.to })),
        failoverPriority: l.failoverPriority && [...l.failoverPriority],
      };
    }
    return out;
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
  readonly connectTimeout?: Duration;
  /** @default 1h */
  readonly idleTimeout?: Duration;
  /** @default - unlimited */
  readonly maxConnectionDuration?: Duration;
  /** @default - no TCP keepalive */
  readonly keepalive?: { readonly time?: Duration; readonly interval?: Duration; readonly probes?: number };
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
  readonly idleTimeout?: Duration;
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
  readonly interval?: Duration;
  /** Minimum ejection time (multiplied by the number of ejections). @default 30s */
  readonly baseEjectionTime?: Duration;
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
