/**
 * Listeners of a Gateway API Gateway (KubernetesGateway) and which routes may attach to them.
 * Routes are admitted from the Gateway's own namespace unless a listener says otherwise, which
 * is the Gateway API's default, written out so a reviewer sees it.
 */
import type * as gw from '../imports/gateway.networking.k8s.io';
import type { Wire } from './l1';
import { hostProblem, Problem } from './validation';

type Listener = Wire<gw.GatewaySpecListeners>;
type Allowed = Wire<gw.GatewaySpecListenersAllowedRoutes>;

/** Which namespaces' routes a listener admits. */
export class AllowedRoutes {
  /** Routes in the Gateway's namespace only. */
  public static sameNamespace(): AllowedRoutes {
    return new AllowedRoutes({ namespaces: { from: 'Same' } });
  }

  /** Routes from every namespace of the cluster (a shared gateway; pair it with hostnames). */
  public static allNamespaces(): AllowedRoutes {
    return new AllowedRoutes({ namespaces: { from: 'All' } });
  }

  /** Routes from namespaces carrying these labels. */
  public static namespacesWithLabels(labels: Record<string, string>): AllowedRoutes {
    return new AllowedRoutes({ namespaces: { from: 'Selector', selector: { matchLabels: { ...labels } } } });
  }

  /** Routes from these namespaces, by name (the label Kubernetes sets on every namespace). */
  public static namespaces(...names: string[]): AllowedRoutes {
    return new AllowedRoutes({
      namespaces: names.length === 1
        ? { from: 'Selector', selector: { matchLabels: { 'kubernetes.io/metadata.name': names[0] } } }
        : { from: 'Selector', selector: { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: [...names] }] } },
    });
  }

  private constructor(private readonly allowed: Allowed) {}

  public render(): Allowed {
    return JSON.parse(JSON.stringify(this.allowed)) as Allowed;
  }
}

/** A Secret holding a certificate and key, by name (and namespace when it is not the Gateway's). */
export interface CertificateSecret {
  readonly name: string;
  /** @default - the Gateway's namespace */
  readonly namespace?: string;
}

export interface HttpListenerOptions {
  /** Unique within the Gateway. @default 'http' */
  readonly name?: string;
  /** @default 80 */
  readonly port?: number;
  /** Only requests for this host (a wildcard such as `*.example.com` allowed). @default - every host */
  readonly hostname?: string;
  /** @default AllowedRoutes.sameNamespace() */
  readonly allowedRoutes?: AllowedRoutes;
}

export interface HttpsListenerOptions extends HttpListenerOptions {
  /** The host the certificate is for. */
  readonly hostname: string;
  /** The Secret with the certificate, never the certificate itself. */
  readonly certificate: CertificateSecret | string;
  /** @default 'https' */
  readonly name?: string;
  /** @default 443 */
  readonly port?: number;
}

/** One listener: a port, a protocol, optionally a hostname and TLS. */
export class GatewayListener {
  /** Plain HTTP. */
  public static http(options: HttpListenerOptions = {}): GatewayListener {
    return new GatewayListener(options.name ?? 'http', options.port ?? 80, 'HTTP', options.hostname, options.allowedRoutes);
  }

  /** HTTPS terminated at the gateway with the certificate in a Secret. */
  public static https(options: HttpsListenerOptions): GatewayListener {
    const cert = typeof options.certificate === 'string' ? { name: options.certificate } : options.certificate;
    return new GatewayListener(options.name ?? 'https', options.port ?? 443, 'HTTPS', options.hostname, options.allowedRoutes, cert);
  }

  private constructor(
    public readonly name: string,
    public readonly port: number,
    public readonly protocol: 'HTTP' | 'HTTPS',
    public readonly hostname: string | undefined,
    private readonly allowedRoutes: AllowedRoutes | undefined,
    public readonly certificate?: CertificateSecret,
  ) {}

  /** Problems of the listener alone, by field below the listener. */
  public problems(): Array<{ field: string } & Problem> {
    const out: Array<{ field: string } & Problem> = [];
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(this.name) || this.name.length > 253) {
      out.push({ field: 'name', problem: `listener name "${this.name}" is not a DNS subdomain`, fix: 'use lowercase letters, digits and dashes, e.g. https-shop' });
    }
    if (!Number.isInteger(this.port) || this.port < 1 || this.port > 65535) {
      out.push({ field: 'port', problem: `${this.port} is not a port`, fix: 'give a port from 1 to 65535' });
    }
    if (this.hostname !== undefined) {
      const p = hostProblem(this.hostname, { allowWildcardAll: false });
      if (p) {
        out.push({ field: 'hostname', ...p });
      }
    }
    if (this.certificate && !this.certificate.name) {
      out.push({ field: 'tls.certificateRefs[0].name', problem: 'the certificate Secret has no name', fix: 'name the Secret that holds tls.crt and tls.key' });
    }
    return out;
  }

  public render(): Listener {
    return {
      name: this.name,
      port: this.port,
      protocol: this.protocol,
      ...(this.hostname !== undefined ? { hostname: this.hostname } : {}),
      ...(this.certificate ? {
        tls: {
          mode: 'Terminate',
          certificateRefs: [{ group: '', kind: 'Secret', name: this.certificate.name, ...(this.certificate.namespace ? { namespace: this.certificate.namespace } : {}) }],
        },
      } : {}),
      allowedRoutes: (this.allowedRoutes ?? AllowedRoutes.sameNamespace()).render(),
    };
  }
}
