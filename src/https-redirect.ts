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
import { Construct } from 'constructs';
import { Gateway } from './gateway';
import { Server } from './gateway-server';
import { IGatewayRef, IGatewayWorkload, IServiceRef } from './references';
import { checkMetadata, IstioResourceProps, namespaceOf } from './resource';
import { Destination } from './route-destination';
import { check, hostProblem, portProblem, withFix } from './validation';
import { VirtualService } from './virtual-service';

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

export interface HttpsRedirectProps extends IstioResourceProps {
  /**
   * Name of the HTTP Gateway and of the VirtualService; `metadata` goes on both.
   * @default - the construct id
   */
  readonly name?: string;
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
  public readonly virtualService?: VirtualService;

  public constructor(scope: Construct, id: string, props: HttpsRedirectProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = namespaceOf(this, props.namespace);
    checkMetadata(this, 'metadata', props.metadata);
    const redirect = props.redirect ?? true;
    const port = props.port ?? 80;
    const httpsPort = props.httpsPort ?? 443;

    if (!props.hosts || props.hosts.length === 0) {
      check(this, 'hosts', { problem: 'no hosts to redirect', fix: 'list the hostnames served over HTTPS' });
    }
    props.hosts.forEach((host, i) => check(this, `hosts[${i}]`, withFix(hostProblem(host, { allowShortNames: false }),
      'give a fully qualified name or a *.domain wildcard, without a namespace/ prefix')));
    check(this, 'port', portProblem(port));
    check(this, 'httpsPort', portProblem(httpsPort));
    if (props.statusCode !== undefined && !Object.values(RedirectStatus).includes(props.statusCode)) {
      check(this, 'statusCode', { problem: `${props.statusCode} is not a redirect status`, fix: 'use RedirectStatus (301, 302, 307 or 308)' });
    }
    const plainPort = props.plainHttpTo?.port;
    if (plainPort !== undefined) {
      check(this, 'plainHttpTo.port', portProblem(plainPort, 'use the destination Service port'));
    }
    if (redirect && props.plainHttpTo) {
      check(this, 'plainHttpTo', {
        problem: 'a plain HTTP route is set but the redirect is on, so it would never be used',
        fix: 'drop plainHttpTo, or set redirect: false',
      });
    }

    this.gateway = new Gateway(this, 'Gateway', {
      name: this.name,
      namespace: props.namespace ?? this.namespace,
      metadata: props.metadata,
      workload: props.workload,
      servers: [Server.http({ hosts: props.hosts.map((h) => `${this.namespace}/${h}`), port, portName: `http-${port}` })],
    });

    if (redirect || props.plainHttpTo) {
      this.virtualService = new VirtualService(this, 'VirtualService', {
        name: this.name,
        namespace: props.namespace ?? this.namespace,
        metadata: props.metadata,
        hosts: [...props.hosts],
        gateways: [this.gateway],
      });
      if (redirect) {
        this.virtualService.addHttpRoute({
          name: 'https-redirect',
          redirect: { scheme: 'https', port: httpsPort, redirectCode: props.statusCode ?? RedirectStatus.MOVED_PERMANENTLY },
        });
      } else if (props.plainHttpTo) {
        this.virtualService.addHttpRoute({
          name: 'plain-http',
          to: [Destination.to(props.plainHttpTo.service, { port: props.plainHttpTo.port })],
        });
      }
    }
  }

  /** The HTTP Gateway, for VirtualServices that serve plain HTTP when the redirect is off. */
  public get gatewayRef(): string {
    return this.gateway.gatewayRef;
  }
}
