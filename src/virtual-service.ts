/**
 * VirtualService: how requests for a set of hosts are routed, on the mesh (sidecars) and on the
 * gateways it is bound to.
 */
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { checkExportTo } from './destination-rule';
import { kplusServiceHost } from './destination-target';
import { HttpRoute, HttpRouteProps } from './http-route';
import * as l1 from './l1';
import { MeshContext } from './mesh-context';
import { IGatewayRef, IServiceRef, IVirtualServiceRef } from './references';
import { dependOn, IstioResource, IstioResourceProps } from './resource';
import { TcpRoute, TcpRouteProps } from './tcp-route';
import { TlsRoute, TlsRouteProps } from './tls-route';
import { check, FieldProblem, hostProblem } from './validation';

export type { IVirtualServiceRef } from './references';

type VirtualServiceSpec = l1.Wire<l1.VirtualServiceSpec>;

/** The sidecars of the mesh, as a binding target (`gateways: [mesh]`). */
export const MESH_GATEWAY: IGatewayRef = { gatewayRef: 'mesh' };

/** A host a VirtualService serves: a string (FQDN, short name or wildcard) or a Service. */
export type VirtualServiceHost = string | IServiceRef | kplus.Service;

export interface VirtualServiceProps extends IstioResourceProps {
  /**
   * Hosts the routes apply to. Required unless `delegate` is true.
   * @default - none (only for delegates)
   */
  readonly hosts?: VirtualServiceHost[];
  /**
   * Gateways to bind to, as Gateway objects, `MESH_GATEWAY`, or `namespace/name` strings for
   * gateways outside the app; `bindTo()` adds more.
   * @default - the mesh only
   */
  readonly gateways?: Array<IGatewayRef | string>;
  /** Namespaces that see this VirtualService. @default - every namespace (Istio's default) */
  readonly exportTo?: string[];
  /**
   * A delegate: no hosts and no gateways; a parent VirtualService's HTTP route hands requests to
   * it with `delegate: thisVs`.
   * @default false
   */
  readonly delegate?: boolean;
  /** HTTP routes, in order; `addHttpRoute()` appends more. @default - none */
  readonly http?: HttpRouteProps[];
  /** @default - none */
  readonly tcp?: TcpRouteProps[];
  /** @default - none */
  readonly tls?: TlsRouteProps[];
}

const GATEWAY_REF = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)\/([a-z0-9]([-a-z0-9.]*[a-z0-9])?)$/;

export class VirtualService extends IstioResource<VirtualServiceSpec> implements IVirtualServiceRef {
  /** Hosts as written into the manifest. */
  public readonly hosts: readonly string[];
  public readonly isDelegate: boolean;
  private readonly gatewayRefs: string[] = [];
  private readonly httpRoutes: HttpRoute[] = [];
  private readonly tcpRoutes: TcpRoute[] = [];
  private readonly tlsRoutes: TlsRoute[] = [];
  private readonly exportTo?: readonly string[];

  public constructor(scope: Construct, id: string, props: VirtualServiceProps) {
    super(scope, id, props, l1.VirtualService.GVK);
    this.isDelegate = props.delegate ?? false;
    this.hosts = this.resolveHosts(props);
    checkExportTo(this, props.exportTo);
    this.exportTo = props.exportTo && [...props.exportTo];

    for (const g of props.gateways ?? []) {
      this.bindTo(g);
    }
    for (const r of props.http ?? []) {
      this.addHttpRoute(r);
    }
    for (const r of props.tcp ?? []) {
      this.addTcpRoute(r);
    }
    for (const r of props.tls ?? []) {
      this.addTlsRoute(r);
    }
    this.addLateCheck(() => this.validateLate());
  }

  public get virtualServiceName(): string {
    return this.name;
  }

  /** Gateways as written into `spec.gateways` (`mesh` for sidecars). */
  public get gateways(): readonly string[] {
    return [...this.gatewayRefs];
  }

  /**
   * Binds to a gateway: a Gateway object of the app, `MESH_GATEWAY`, or `namespace/name` of a
   * Gateway outside the app (which is then declared external, so the analysis does not report it).
   */
  public bindTo(gateway: IGatewayRef | string): this {
    if (this.isDelegate) {
      check(this, 'spec.gateways', { problem: 'a delegate VirtualService takes its gateways from the parent', fix: 'bind the parent VirtualService instead' });
    }
    let ref: string;
    if (typeof gateway === 'string') {
      if (gateway === 'mesh') {
        ref = 'mesh';
      } else {
        if (!GATEWAY_REF.test(gateway)) {
          check(this, `spec.gateways[${this.gatewayRefs.length}]`, {
            problem: `"${gateway}" is not a namespace/name gateway reference`,
            fix: 'write the gateway outside the app as namespace/name, e.g. istio-system/shared-gateway, or pass the Gateway object',
          });
        }
        ref = gateway;
        MeshContext.of(this).declareExternalGateway(gateway);
      }
    } else {
      ref = gateway.gatewayRef;
      dependOn(this, gateway);
    }
    if (!this.gatewayRefs.includes(ref)) {
      this.gatewayRefs.push(ref);
    }
    return this;
  }

  /** Binds to the mesh (sidecars), in addition to any gateways. */
  public bindToMesh(): this {
    return this.bindTo(MESH_GATEWAY);
  }

  /** Appends an HTTP route; routes are evaluated in the order added. */
  public addHttpRoute(props: HttpRouteProps = {}): HttpRoute {
    const route = new HttpRoute(this, this.httpRoutes.length, this.namespace, props);
    this.httpRoutes.push(route);
    return route;
  }

  public addTcpRoute(props: TcpRouteProps = {}): TcpRoute {
    const route = new TcpRoute(this, this.tcpRoutes.length, this.namespace, props);
    this.tcpRoutes.push(route);
    return route;
  }

  public addTlsRoute(props: TlsRouteProps): TlsRoute {
    const route = new TlsRoute(this, this.tlsRoutes.length, this.namespace, this.hosts, props);
    this.tlsRoutes.push(route);
    return route;
  }

  private resolveHosts(props: VirtualServiceProps): string[] {
    const given = props.hosts ?? [];
    if (this.isDelegate) {
      if (given.length > 0) {
        check(this, 'spec.hosts', { problem: 'a delegate VirtualService must not list hosts', fix: 'drop hosts; the parent VirtualService owns them' });
      }
      return [];
    }
    if (given.length === 0) {
      check(this, 'spec.hosts', {
        problem: 'no hosts: a VirtualService applies to nothing without them',
        fix: 'list the hosts it routes, e.g. hosts: [reviewsService] or [\'shop.example.com\'] (or set delegate: true)',
      });
    }
    const hosts = given.map((h, i) => {
      dependOn(this, h);
      const host = h instanceof kplus.Service ? kplusServiceHost(h) : typeof h === 'string' ? h : h.host;
      check(this, `spec.hosts[${i}]`, hostProblem(host));
      return host;
    });
    hosts.forEach((h, i) => {
      if (hosts.indexOf(h) !== i) {
        check(this, `spec.hosts[${i}]`, { problem: `"${h}" is listed twice`, fix: 'list each host once' });
      }
    });
    return hosts;
  }

  /** Whether a route of this VirtualService delegates (Istio supports one level of delegation). */
  public get delegates(): boolean {
    return this.httpRoutes.some((r) => r.props.delegate !== undefined);
  }

  private validateLate(): FieldProblem[] {
    // A mesh-bound `*` host is reported by the analysis (CKI1101), which sees L1 objects too.
    const problems: FieldProblem[] = [];
    if (this.httpRoutes.length + this.tcpRoutes.length + this.tlsRoutes.length === 0) {
      problems.push({ field: 'spec', problem: 'the VirtualService has no routes', fix: 'add one with addHttpRoute(), addTcpRoute() or addTlsRoute()' });
    }
    if (this.isDelegate && (this.tcpRoutes.length > 0 || this.tlsRoutes.length > 0)) {
      problems.push({ field: 'spec', problem: 'a delegate VirtualService can only hold HTTP routes', fix: 'move TCP and TLS routes to the parent' });
    }
    // Delegation within the app is checked on the rendered objects (CKI3003); a reference to a
    // VirtualService outside it can only say whether it delegates further.
    this.httpRoutes.forEach((r, i) => {
      const target = r.props.delegate;
      if (target && !(target instanceof VirtualService) && target.delegates === true) {
        problems.push({
          field: `spec.http[${i}].delegate`,
          problem: `${target.namespace}/${target.virtualServiceName} delegates further, and Istio follows one level of delegation`,
          fix: 'give that VirtualService its routes directly instead of delegating them again',
        });
      }
    });
    for (const r of [...this.httpRoutes, ...this.tcpRoutes, ...this.tlsRoutes]) {
      problems.push(...r._validate());
    }
    return problems;
  }

  protected renderSpec(): VirtualServiceSpec {
    return {
      hosts: this.isDelegate ? undefined : [...this.hosts],
      gateways: this.gatewayRefs.length > 0 ? [...this.gatewayRefs] : undefined,
      http: this.httpRoutes.length > 0 ? this.httpRoutes.map((r) => r._render()) : undefined,
      tcp: this.tcpRoutes.length > 0 ? this.tcpRoutes.map((r) => r._render()) : undefined,
      tls: this.tlsRoutes.length > 0 ? this.tlsRoutes.map((r) => r._render()) : undefined,
      exportTo: this.exportTo && [...this.exportTo],
    };
  }
}
