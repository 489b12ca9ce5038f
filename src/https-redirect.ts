/**
 * HTTP to HTTPS redirect the way deployKF does it: a separate HTTP Gateway plus a VirtualService
 * that answers every request with a redirect. Unlike the `httpsRedirect: true` server flag
 * (always 301, same port), the status code and the HTTPS port are chosen, so gateways on
 * non-standard ports redirect correctly; with the redirect off, the same Gateway serves plain
 * HTTP instead.
 *
 * The HTTP Gateway's hosts are prefixed with this construct's namespace, so only VirtualServices
 * from that namespace (this one, or the ones you bind when the redirect is off) attach to it.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { propError } from './errors';
import { Gateway } from './gateway';
import { Server } from './gateway-server';
import { hostProblem, portProblem } from './host';
import * as l1 from './l1';
import { IGatewayRef, IGatewayWorkload, INamespaceRef, IServiceRef, resolveNamespace } from './references';

/** Status codes a redirect may answer with. */
export enum RedirectStatus {
  /** Permanent; browsers cache it. Istio's `httpsRedirect` flag always sends this one. */
  MOVED_PERMANENTLY = 301,
  FOUND = 302,
  /** Temporary, keeps the method and body (deployKF's choice). */
  TEMPORARY_REDIRECT = 307,
  /** Permanent, keeps the method and body. */
  PERMANENT_REDIRECT = 308,
}

export interface HttpsRedirectProps {
  /** Name of the HTTP Gateway and of the VirtualService. @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
  /** The gateway pods that receive plain HTTP. */
  readonly workload: IGatewayWorkload;
  /** Hostnames (FQDNs or `*.` wildcards) to redirect. */
  readonly hosts: string[];
  /** The gateway Service port plain HTTP arrives on. @default 80 */
  readonly port?: number;
  /** Redirect to HTTPS; when false, the HTTP Gateway serves plain HTTP. @default true */
  readonly redirect?: boolean;
  /** @default RedirectStatus.MOVED_PERMANENTLY */
  readonly statusCode?: RedirectStatus;
  /** The HTTPS port clients use, written into the Location header. @default 443 */
  readonly httpsPort?: number;
  /**
   * With the redirect off: where plain HTTP goes. Without it, no VirtualService is created and
   * your own VirtualServices bind to this construct (it is an IGatewayRef).
   * @default - no route
   */
  readonly plainHttpTo?: { readonly service: IServiceRef; readonly port?: number };
}

export class HttpsRedirect extends Construct implements IGatewayRef {
  public readonly name: string;
  public readonly namespace: string;
  /** The HTTP Gateway. */
  public readonly gateway: Gateway;
  /** The redirecting (or plainly routing) VirtualService, if any. */
  public readonly virtualService?: ApiObject;

  public constructor(scope: Construct, id: string, props: HttpsRedirectProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = resolveNamespace(this, props.namespace);
    const redirect = props.redirect ?? true;
    const port = props.port ?? 80;
    const httpsPort = props.httpsPort ?? 443;

    if (!props.hosts || props.hosts.length === 0) {
      propError(this, 'hosts', 'no hosts to redirect', 'list the hostnames served over HTTPS');
    }
    props.hosts.forEach((host, i) => {
      const p = hostProblem(host, { allowShortNames: false });
      if (p) {
        propError(this, `hosts[${i}]`, `${host}: ${p}`, 'give a fully qualified name or a *.domain wildcard, without a namespace/ prefix');
      }
    });
    for (const [field, value] of [['port', port], ['httpsPort', httpsPort]] as const) {
      const p = portProblem(value);
      if (p) {
        propError(this, field, p, 'use a port number between 1 and 65535');
      }
    }
    if (props.statusCode !== undefined && !Object.values(RedirectStatus).includes(props.statusCode)) {
      propError(this, 'statusCode', `${props.statusCode} is not a redirect status`, 'use RedirectStatus (301, 302, 307 or 308)');
    }
    const plainPort = props.plainHttpTo?.port;
    if (plainPort !== undefined && portProblem(plainPort)) {
      propError(this, 'plainHttpTo.port', portProblem(plainPort)!, 'use the destination Service port');
    }
    if (redirect && props.plainHttpTo) {
      propError(this, 'plainHttpTo', 'a plain HTTP route is set but the redirect is on, so it would never be used',
        'drop plainHttpTo, or set redirect: false');
    }

    this.gateway = new Gateway(this, 'Gateway', {
      name: this.name,
      namespace: this.namespace,
      workload: props.workload,
      servers: [Server.http({ hosts: props.hosts.map((h) => `${this.namespace}/${h}`), port, portName: `http-${port}` })],
    });

    let http: l1.VirtualServiceSpecHttp[] | undefined;
    if (redirect) {
      http = [{
        name: 'https-redirect',
        redirect: { scheme: 'https', port: httpsPort, redirectCode: props.statusCode ?? RedirectStatus.MOVED_PERMANENTLY },
      }];
    } else if (props.plainHttpTo) {
      const target = props.plainHttpTo;
      http = [{
        name: 'plain-http',
        route: [{ destination: { host: target.service.host, ...(target.port !== undefined ? { port: { number: target.port } } : {}) } }],
      }];
    }
    if (http) {
      this.virtualService = new l1.VirtualService(this, 'VirtualService', {
        metadata: { name: this.name, namespace: this.namespace },
        spec: { hosts: [...props.hosts], gateways: [this.gateway.gatewayRef], http },
      });
    }
  }

  /** The HTTP Gateway, for VirtualServices that serve plain HTTP when the redirect is off. */
  public get gatewayRef(): string {
    return this.gateway.gatewayRef;
  }
}
