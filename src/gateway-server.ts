/**
 * The servers of a Gateway resource, as value objects: `Server.https({ hosts, tls:
 * GatewayTls.simple('shop-tls') })` instead of a bag of strings. Validation that needs the
 * construct path (hosts, credentials) runs when a Gateway takes the server.
 */
import { CertificateIssuer } from './certificate';
import { DurationLike } from './duration';
import * as l1 from './l1';
import { FieldProblem, namespacedHostProblem, portProblem, secretNameProblem, withFix } from './validation';

type ServerSpec = l1.Wire<l1.GatewaySpecServers>;
type ServerTlsSpec = NonNullable<ServerSpec['tls']>;

/** The lowest TLS version a terminating server accepts. */
export enum TlsMinVersion {
  /** Istio's default today, stated explicitly so a changed default cannot lower it. */
  TLS_1_2 = 'TLSV1_2',
  TLS_1_3 = 'TLSV1_3',
}

export interface TerminatedTlsOptions {
  /** @default TlsMinVersion.TLS_1_2 */
  readonly minProtocolVersion?: TlsMinVersion;
  /** @default - Envoy's default list */
  readonly cipherSuites?: string[];
}

export interface MutualTlsOptions extends TerminatedTlsOptions {
  /** Client certificate identities to accept. @default - any client certificate the CA signed */
  readonly subjectAltNames?: string[];
  /**
   * Secret (or ConfigMap) holding the CA that verifies clients.
   * @default - the `ca.crt` key of the credentialName Secret, or a `<credentialName>-cacert` Secret
   */
  readonly caCertCredentialName?: string;
}

type TlsMode = ServerTlsSpec['mode'] & string;

const TERMINATING_MODES: ReadonlySet<TlsMode> = new Set<TlsMode>(['SIMPLE', 'MUTUAL', 'OPTIONAL_MUTUAL']);

/** TLS settings of a Gateway server, one factory per Istio TLS mode. */
export class GatewayTls {
  /** Terminate TLS with the certificate in Secret `credentialName` (in the gateway pods' namespace). */
  public static simple(credentialName: string, options: TerminatedTlsOptions = {}): GatewayTls {
    return new GatewayTls('SIMPLE', credentialName, options);
  }

  /** Terminate TLS and require a client certificate. */
  public static mutual(credentialName: string, options: MutualTlsOptions = {}): GatewayTls {
    return new GatewayTls('MUTUAL', credentialName, options);
  }

  /** Terminate TLS and verify a client certificate when one is presented. */
  public static optionalMutual(credentialName: string, options: MutualTlsOptions = {}): GatewayTls {
    return new GatewayTls('OPTIONAL_MUTUAL', credentialName, options);
  }

  /** Forward the TLS stream untouched; routes match on SNI. */
  public static passthrough(): GatewayTls {
    return new GatewayTls('PASSTHROUGH');
  }

  /** Passthrough without VirtualServices: the SNI names the destination (multi-network east-west gateways). */
  public static autoPassthrough(): GatewayTls {
    return new GatewayTls('AUTO_PASSTHROUGH');
  }

  /** Mesh mTLS with Istio's own workload certificates, for clients inside the mesh. */
  public static istioMutual(options: { readonly subjectAltNames?: string[] } = {}): GatewayTls {
    return new GatewayTls('ISTIO_MUTUAL', undefined, options);
  }

  private constructor(
    public readonly mode: TlsMode,
    public readonly credentialName?: string,
    private readonly options: MutualTlsOptions = {},
  ) {}

  /** SIMPLE, MUTUAL and OPTIONAL_MUTUAL: the gateway holds the certificate. */
  public get terminates(): boolean {
    return TERMINATING_MODES.has(this.mode);
  }

  /** PASSTHROUGH and AUTO_PASSTHROUGH: the gateway routes on SNI without decrypting. */
  public get passesThrough(): boolean {
    return this.mode === 'PASSTHROUGH' || this.mode === 'AUTO_PASSTHROUGH';
  }

  /** Problems relative to the server's `tls` field. */
  public problems(): FieldProblem[] {
    const out: FieldProblem[] = [];
    if (this.terminates) {
      if (this.credentialName === undefined || this.credentialName === '') {
        out.push({ field: 'tls.credentialName', problem: `${this.mode} TLS needs a certificate and none is named`,
          fix: 'name the TLS Secret: GatewayTls.simple(\'my-cert\'), and create it (or a cert-manager Certificate) in the gateway pods\' namespace' });
      } else {
        const p = withFix(secretNameProblem(this.credentialName), 'name the TLS Secret in the gateway pods\' namespace');
        if (p) {
          out.push({ field: 'tls.credentialName', ...p });
        }
      }
    }
    if (this.options.caCertCredentialName !== undefined) {
      const p = withFix(secretNameProblem(this.options.caCertCredentialName), 'name the Secret or ConfigMap holding the client CA');
      if (p) {
        out.push({ field: 'tls.caCertCredentialName', ...p });
      }
    }
    return out;
  }

  public render(): ServerTlsSpec {
    if (!this.terminates) {
      return {
        mode: this.mode,
        ...(this.options.subjectAltNames?.length ? { subjectAltNames: [...this.options.subjectAltNames] } : {}),
      };
    }
    return {
      mode: this.mode,
      credentialName: this.credentialName,
      minProtocolVersion: this.options.minProtocolVersion ?? TlsMinVersion.TLS_1_2,
      ...(this.options.cipherSuites?.length ? { cipherSuites: [...this.options.cipherSuites] } : {}),
      ...(this.options.subjectAltNames?.length ? { subjectAltNames: [...this.options.subjectAltNames] } : {}),
      ...(this.options.caCertCredentialName ? { caCertCredentialName: this.options.caCertCredentialName } : {}),
    };
  }
}

/** A problem with a server, relative to the server (`hosts[1]`, `tls.credentialName`). */
export type ServerProblem = FieldProblem;

/** A cert-manager Certificate to create for a server's `credentialName`. */
export interface ServerCertificateOptions {
  readonly issuer: CertificateIssuer;
  /** @default - cert-manager's default (90 days) */
  readonly duration?: DurationLike;
  /** @default - cert-manager's default */
  readonly renewBefore?: DurationLike;
}

export enum ServerProtocol {
  HTTP = 'HTTP',
  HTTPS = 'HTTPS',
  HTTP2 = 'HTTP2',
  GRPC = 'GRPC',
  TLS = 'TLS',
  TCP = 'TCP',
}

interface ServerBaseOptions {
  /**
   * Hosts the server exposes, `host` or `namespace/host` (namespace may be `*`, `.` or `~`);
   * FQDNs or `*.`-prefixed wildcards. `namespace/` limits which VirtualServices may bind.
   */
  readonly hosts: string[];
  /**
   * Port name on the Gateway. Istio names HTTPS routes after it, so it is unique per Gateway.
   * @default - `<protocol>-<port>`, with a suffix when taken
   */
  readonly portName?: string;
  /** Server name, shown in Envoy stats. @default - none */
  readonly name?: string;
}

export interface HttpServerOptions extends ServerBaseOptions {
  /** The gateway Service port (Istio translates it to the Service's targetPort). @default 80 */
  readonly port?: number;
  /** Answer every request with a 301 to the same URL over https (Istio's `tls.httpsRedirect`). @default false */
  readonly httpsRedirect?: boolean;
}

export interface HttpsServerOptions extends ServerBaseOptions {
  /** @default 443 */
  readonly port?: number;
  readonly tls: GatewayTls;
  /** Allow the host `*` (any name) on this HTTPS server. @default false */
  readonly allowAnyHost?: boolean;
  /**
   * Match the TLS SNI against the hosts. Turn off (hosts become `*`) behind load balancers that
   * terminate TLS and do not forward SNI (deployKF's `tls.matchSNI`); the declared hosts still
   * feed the certificate.
   * @default true
   */
  readonly matchSni?: boolean;
  /** Create a cert-manager Certificate for `credentialName`, covering the hosts. @default - none: the Secret exists already */
  readonly certificate?: ServerCertificateOptions;
}

export interface TlsServerOptions extends ServerBaseOptions {
  /** @default 443 */
  readonly port?: number;
  readonly tls: GatewayTls;
  /** @default - none */
  readonly certificate?: ServerCertificateOptions;
}

export interface TcpServerOptions {
  readonly port: number;
  /** Only `*` means anything for plain TCP. @default ['*'] */
  readonly hosts?: string[];
  /** @default - `tcp-<port>` */
  readonly portName?: string;
  /** @default - none */
  readonly name?: string;
}

/** One server of a Gateway: a port, a protocol, hosts and TLS settings. */
export class Server {
  /** Plain HTTP, optionally redirecting everything to HTTPS. */
  public static http(options: HttpServerOptions): Server {
    return new Server(ServerProtocol.HTTP, options.port ?? 80, options.hosts, options, {
      httpsRedirect: options.httpsRedirect ?? false,
    });
  }

  /** HTTPS: TLS terminated (or passed through) at the gateway, HTTP routing behind it. */
  public static https(options: HttpsServerOptions): Server {
    return new Server(ServerProtocol.HTTPS, options.port ?? 443, options.hosts, options, {
      tls: options.tls,
      allowAnyHost: options.allowAnyHost ?? false,
      matchSni: options.matchSni ?? true,
      certificate: options.certificate,
    });
  }

  /** TLS for non-HTTP traffic: passthrough, auto passthrough, Istio mTLS, or terminated TCP. */
  public static tls(options: TlsServerOptions): Server {
    return new Server(ServerProtocol.TLS, options.port ?? 443, options.hosts, options, {
      tls: options.tls,
      certificate: options.certificate,
    });
  }

  /** Plain TCP on a port. */
  public static tcp(options: TcpServerOptions): Server {
    return new Server(ServerProtocol.TCP, options.port, options.hosts ?? ['*'], options, {});
  }

  public readonly tls?: GatewayTls;
  public readonly httpsRedirect: boolean;
  public readonly allowAnyHost: boolean;
  public readonly matchSni: boolean;
  public readonly certificate?: ServerCertificateOptions;
  public readonly portName?: string;
  public readonly name?: string;

  private constructor(
    public readonly protocol: ServerProtocol,
    public readonly port: number,
    /** The hosts as declared (the rendered ones are `*` when matchSni is off). */
    public readonly hosts: readonly string[],
    base: { readonly portName?: string; readonly name?: string },
    extra: {
      readonly tls?: GatewayTls;
      readonly httpsRedirect?: boolean;
      readonly allowAnyHost?: boolean;
      readonly matchSni?: boolean;
      readonly certificate?: ServerCertificateOptions;
    },
  ) {
    this.portName = base.portName;
    this.name = base.name;
    this.tls = extra.tls;
    this.httpsRedirect = extra.httpsRedirect ?? false;
    this.allowAnyHost = extra.allowAnyHost ?? false;
    this.matchSni = extra.matchSni ?? true;
    this.certificate = extra.certificate;
  }

  /**
   * The hosts written into the Gateway. Without SNI matching every host is `*`, keeping the
   * namespace part (`./*`) so the same VirtualServices can bind as before.
   */
  public get renderedHosts(): string[] {
    if (this.matchSni) {
      return [...this.hosts];
    }
    return [...new Set(this.hosts.map((h) => `${h.includes('/') ? h.slice(0, h.indexOf('/') + 1) : ''}*`))];
  }

  /** Names a certificate for this server covers: the hosts without their namespace part. */
  public get dnsNames(): string[] {
    return [...new Set(this.hosts.map((h) => h.slice(h.indexOf('/') + 1)))];
  }

  /** Everything wrong with the server, relative to it. */
  public problems(): ServerProblem[] {
    const out: ServerProblem[] = [];
    const portIssue = portProblem(this.port, 'use a port of the gateway Service');
    if (portIssue) {
      out.push({ field: 'port.number', ...portIssue });
    }
    if (this.hosts.length === 0) {
      out.push({ field: 'hosts', problem: 'the server has no hosts', fix: 'list the hostnames it serves, e.g. shop.example.com' });
    }
    this.hosts.forEach((host, i) => {
      const p = namespacedHostProblem(host);
      if (p) {
        out.push({ field: `hosts[${i}]`, problem: p.problem, fix: 'use a fully qualified name (shop.example.com), a wildcard (*.example.com), optionally prefixed with namespace/' });
        return;
      }
      const bare = host.slice(host.indexOf('/') + 1);
      // Istio mTLS presents the workload certificate, not one certificate for every name.
      if (bare === '*' && this.protocol === ServerProtocol.HTTPS && this.matchSni && !this.allowAnyHost && this.tls?.mode !== 'ISTIO_MUTUAL') {
        out.push({ field: `hosts[${i}]`, problem: 'an HTTPS server for any host (`*`) serves one certificate for every name a client asks for',
          fix: 'list the hostnames, or pass allowAnyHost: true (or matchSni: false behind a TLS-terminating load balancer, tls.matchSni: false in a values file)' });
      }
    });
    const needsTls = this.protocol === ServerProtocol.HTTPS || this.protocol === ServerProtocol.TLS;
    if (needsTls && !this.tls) {
      out.push({ field: 'tls', problem: `an ${this.protocol} server needs TLS settings and has none`,
        fix: 'pass tls: GatewayTls.simple(\'my-cert\') (or another GatewayTls mode)' });
    }
    if (this.tls) {
      out.push(...this.tls.problems());
      if (!this.matchSni && !this.tls.terminates) {
        out.push({ field: 'hosts', problem: `matchSni: false leaves ${this.tls.mode} nothing to route on: passthrough needs the SNI`,
          fix: 'keep matchSni on, or terminate TLS with GatewayTls.simple()' });
      }
    }
    if (this.certificate) {
      if (!this.tls?.terminates || !this.tls.credentialName) {
        out.push({ field: 'tls.credentialName', problem: 'a certificate was requested for a server that holds none',
          fix: 'use a terminating mode (GatewayTls.simple/mutual/optionalMutual) or drop `certificate`' });
      }
      if (this.dnsNames.some((d) => d === '*')) {
        out.push({ field: 'hosts', problem: 'a certificate cannot cover `*`', fix: 'list the hostnames the certificate should cover' });
      }
    }
    return out;
  }

  /** The server as Istio takes it; `portName` is decided by the Gateway. */
  public render(portName: string): ServerSpec {
    let tls: ServerTlsSpec | undefined;
    if (this.tls) {
      tls = this.tls.render();
    } else if (this.httpsRedirect) {
      tls = { httpsRedirect: true };
    }
    return {
      ...(this.name ? { name: this.name } : {}),
      port: { number: this.port, name: portName, protocol: this.protocol },
      hosts: this.renderedHosts,
      ...(tls ? { tls } : {}),
    };
  }
}
