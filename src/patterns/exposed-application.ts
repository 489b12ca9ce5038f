/**
 * An application behind an ingress gateway: its namespace, a gateway (its own, one brought by
 * the platform, or a shared Gateway resource), TLS, path-prefix routes to each service, a
 * DestinationRule per service, and authorization that lets the gateway reach exactly those
 * workloads.
 */
import { Construct } from 'constructs';
import { AuthorizationPolicy, PolicyAction } from '../authorization-policy';
import { Source } from '../authorization-rule';
import { CertificateIssuer } from '../certificate';
import { DestinationRule } from '../destination-rule';
import { Gateway } from '../gateway';
import { GatewayTls, Server } from '../gateway-server';
import { GatewayWorkload } from '../gateway-workload';
import { Match } from '../http-match';
import { HttpsRedirect, RedirectStatus } from '../https-redirect';
import { GatewayScaling, GatewayServiceType } from '../gateway-deployment';
import { IngressGateway } from '../ingress-gateway';
import { IMeshNamespaceRef } from '../mesh-namespace';
import { IGatewayRef, IGatewayWorkload, principalOf, ServiceRef } from '../references';
import { Destination } from '../route-destination';
import { ClientTls } from '../traffic-policy';
import { VirtualService } from '../virtual-service';
import { MeshWorkload } from '../mesh-workload';
import { addCanarySubsets, canaryRoutes, CanarySplit, validateCanarySplit } from './canary-release';
import { byPrefixLengthDescending, checkPatternName, durationFrom, meshNamespaceFrom, NamespaceValues, normalizePathPrefix } from './common';
import { EdgeRoute } from './edge-route';
import { ZeroTrustNamespace } from './zero-trust-namespace';
import { check, refuse } from '../validation';

/** A Service of the application that the gateway routes a path prefix to. */
export interface AppService {
  /** Kubernetes Service name, in the application's namespace. */
  readonly name: string;
  /** Service port the route targets. */
  readonly port: number;
  /**
   * URL path the service is served under: `''` (or `/`) for everything not claimed by another
   * service, `api` (or `/api/`) for `/api/…`.
   * @default ''
   */
  readonly pathPrefix?: string;
  /** Labels of the pods behind the Service: the gateway may call exactly these. @default { app: <name> } */
  readonly selector?: Record<string, string>;
  /** Request timeout, e.g. `30s`. @default - none (Istio's default) */
  readonly timeout?: string;
  /**
   * Client TLS towards the service: `auto` leaves it to Istio's auto mTLS (right for PERMISSIVE
   * migrations and pods without a sidecar); `istio-mutual` forces it.
   * @default 'auto'
   */
  readonly mtls?: 'auto' | 'istio-mutual';
  /**
   * Release a new version to a share of the traffic: subsets on the service's DestinationRule,
   * the split on the gateway route and on the mesh alike, and a header that pins testers.
   * @default - no canary: all traffic to every pod of the service
   */
  readonly canary?: CanarySplit;
}

/** Where the application's traffic enters the mesh. */
export interface AppGateway {
  /**
   * Deploy and configure a gateway for the app. `false` binds the routes to `existingGateway`,
   * a Gateway resource the platform owns.
   * @default true
   */
  readonly enabled?: boolean;
  /** Name of the gateway deployment and its Gateway resource. @default '<app name>-gateway' */
  readonly name?: string;
  /** @default 'LoadBalancer', or 'ClusterIP' when an edge route fronts the app */
  readonly serviceType?: 'LoadBalancer' | 'ClusterIP' | 'NodePort';
  /** Fixed replicas, or a range to autoscale in. @default - autoscale between 1 and 5 */
  readonly replicas?: number | { readonly min: number; readonly max: number };
  /**
   * Use gateway pods that exist already (bring your own), by their labels; the app still gets
   * its own Gateway resource. Nothing is deployed.
   * @default - deploy a gateway
   */
  readonly selector?: Record<string, string>;
  /** Namespace of brought-your-own gateway pods. @default - the application's namespace */
  readonly namespace?: string;
  /** Service account of brought-your-own gateway pods, for authorization. @default - unknown: no gateway allow policies */
  readonly serviceAccountName?: string;
  /** Ports the brought-your-own gateway's Service exposes. @default - unknown */
  readonly servicePorts?: number[];
  /** Gateway server ports: what the gateway listens on for HTTP and HTTPS. @default { http: 80, https: 443 } */
  readonly ports?: { readonly http?: number; readonly https?: number };
  /** `namespace/name` of a Gateway resource outside the app, when `enabled` is false. @default - none (required when enabled is false) */
  readonly existingGateway?: string;
  /**
   * Identity of the pods behind `existingGateway`, so the app's authorization can allow them.
   * @default - no gateway allow policies
   */
  readonly existingGatewayIdentity?: { readonly namespace: string; readonly serviceAccountName: string };
}

/** TLS on the application's own Gateway. */
export interface AppTls {
  /** Secret with the certificate, in the gateway pods' namespace (never inlined). */
  readonly credentialName: string;
  /**
   * Match TLS SNI against the hosts. Turn off behind load balancers that terminate TLS without
   * forwarding SNI; the server then accepts any host.
   * @default true
   */
  readonly matchSni?: boolean;
  /** Have cert-manager issue the Secret. @default - the Secret exists already */
  readonly issuer?: { readonly name: string; readonly kind?: 'ClusterIssuer' | 'Issuer' };
}

/** Plain HTTP handling when the app has TLS. */
export interface AppHttpsRedirect {
  /** @default true */
  readonly enabled?: boolean;
  /**
   * `flag` sets `httpsRedirect` on the Gateway's HTTP server (always a 301); `route` adds a
   * separate HTTP Gateway and a VirtualService that redirects with `statusCode`.
   * @default 'flag', or 'route' when statusCode is given
   */
  readonly style?: 'flag' | 'route';
  /** 301, 302, 307 or 308, with style `route`. @default 301 */
  readonly statusCode?: 301 | 302 | 307 | 308;
  /** The HTTPS port clients use. @default 443 */
  readonly httpsPort?: number;
}

/** A shared edge gateway the platform owns, in front of the app's own gateway. */
export interface AppEdge {
  /** The platform's Gateway resource, `namespace/name` (e.g. `istio-system/shared-gateway`). */
  readonly gateway: string;
  /** Public hosts on the edge. @default - the application's hosts */
  readonly hosts?: string[];
  /** A path the app is mounted under on the edge, rewritten away before forwarding. @default - none */
  readonly mountPath?: string;
}

export interface ExposedApplicationProps {
  /** Application name: prefixes the objects' names. */
  readonly name: string;
  /** Namespace of the application's services (created unless `create: false`). */
  readonly namespace: NamespaceValues | string;
  /** Hosts the application is served under (FQDNs). */
  readonly hosts: string[];
  /** The UI, served at its path prefix (usually `''`). @default - none */
  readonly frontend?: AppService;
  /** Further services, each at its own prefix (e.g. the API at `api`). @default - none */
  readonly backends?: AppService[];
  /** @default - { enabled: true }: a gateway of the app's own */
  readonly gateway?: AppGateway;
  /** HTTPS on the app's own Gateway. @default - plain HTTP only */
  readonly tls?: AppTls;
  /** Redirect plain HTTP to HTTPS (needs `tls`). @default - redirect with the Gateway flag when tls is set */
  readonly httpsRedirect?: boolean | AppHttpsRedirect;
  /** Front the app with a shared edge gateway (EdgeRoute). @default - none */
  readonly edge?: AppEdge;
  /**
   * Close the namespace: STRICT mTLS, allow nothing by default, allow the gateway to reach the
   * services. When false, only the gateway allow policies are written.
   * @default true
   */
  readonly zeroTrust?: boolean;
}

/** The ExposedApplication pattern; see the module comment. */
export class ExposedApplication extends Construct {
  public readonly namespace: IMeshNamespaceRef;
  /** The gateway deployment, when the app deploys its own. */
  public readonly ingressGateway?: IngressGateway;
  /** The Gateway resource, when the app has its own. */
  public readonly gateway?: Gateway;
  public readonly virtualService: VirtualService;
  public readonly destinationRules: DestinationRule[] = [];

  public constructor(scope: Construct, id: string, props: ExposedApplicationProps) {
    super(scope, id);
    checkPatternName(this, 'name', props.name, 'use a short lowercase name such as shop');
    if (!props.hosts || props.hosts.length === 0) {
      check(this, 'hosts', { problem: 'no hosts: the application must be served under at least one host name', fix: 'list FQDNs such as shop.example.com' });
    }
    const services = [...(props.frontend ? [props.frontend] : []), ...(props.backends ?? [])];
    if (services.length === 0) {
      check(this, 'backends', { problem: 'no services to route to', fix: 'give a frontend or at least one backend' });
    }
    const servicesField = (s: AppService) => (s === props.frontend ? 'frontend' : `backends[${(props.backends ?? []).indexOf(s)}]`);
    const seenPrefixes = new Map<string, string>();
    for (const s of services) {
      const prefix = normalizePathPrefix(s.pathPrefix);
      const other = seenPrefixes.get(prefix);
      if (other) {
        check(this, `${servicesField(s)}.pathPrefix`, { problem: `${s.name} and ${other} both claim ${prefix}`, fix: 'give each service its own path prefix' });
      }
      seenPrefixes.set(prefix, s.name);
    }

    this.namespace = meshNamespaceFrom(this, 'namespace', props.namespace, 'namespace');
    const ns = this.namespace.name;
    const gw = props.gateway ?? {};
    const ownGateway = gw.enabled ?? true;

    // Where the routes bind and whose identity the services must admit.
    let bindTo: IGatewayRef | string;
    let gatewayWorkload: IGatewayWorkload | undefined;
    if (ownGateway) {
      const gatewayName = gw.name ?? `${props.name}-gateway`;
      if (gw.selector) {
        gatewayWorkload = GatewayWorkload.fromSelector(this, 'gateway-workload', {
          selector: gw.selector,
          namespace: gw.namespace ?? ns,
          servicePorts: gw.servicePorts,
          serviceAccountName: gw.serviceAccountName,
        });
      } else {
        this.ingressGateway = new IngressGateway(this, 'gateway-deployment', {
          name: gatewayName,
          namespace: this.namespace,
          serviceType: serviceType(gw.serviceType ?? (props.edge ? 'ClusterIP' : 'LoadBalancer')),
          // Gateway servers name Service ports: with other server ports, the Service must expose them.
          ports: gw.ports ? [
            { name: 'http2', port: gw.ports.http ?? 80 },
            { name: 'https', port: gw.ports.https ?? 443 },
          ] : undefined,
          scaling: gw.replicas === undefined ? undefined
            : typeof gw.replicas === 'number' ? GatewayScaling.fixed(gw.replicas)
              : GatewayScaling.autoscale({ minReplicas: gw.replicas.min, maxReplicas: gw.replicas.max }),
        });
        gatewayWorkload = this.ingressGateway;
      }
      this.gateway = new Gateway(this, 'gateway', {
        name: gatewayName,
        namespace: ns,
        workload: gatewayWorkload,
        servers: this.servers(props, gw),
      });
      bindTo = this.gateway;
      this.addRedirect(props, gatewayWorkload, gatewayName, gw);
    } else {
      if (!gw.existingGateway) {
        refuse(this, 'gateway.existingGateway', { problem: 'the app has no gateway of its own and names no existing Gateway to bind to', fix: 'set gateway.existingGateway to the platform\'s Gateway, e.g. istio-system/shared-gateway, or leave gateway.enabled on' });
      }
      if (props.tls || (props.httpsRedirect !== undefined && redirectOptions(props.httpsRedirect))) {
        check(this, props.tls ? 'tls' : 'httpsRedirect', { problem: 'TLS and redirects belong to the Gateway, and this app binds to one it does not own', fix: 'configure TLS on the platform\'s Gateway, or deploy the app\'s own gateway' });
      }
      // A string: the VirtualService declares the Gateway as living outside the app.
      bindTo = gw.existingGateway;
      if (gw.existingGatewayIdentity) {
        gatewayWorkload = {
          namespace: gw.existingGatewayIdentity.namespace,
          selector: {},
          serviceAccountName: gw.existingGatewayIdentity.serviceAccountName,
        };
      }
    }

    this.virtualService = new VirtualService(this, 'routes', {
      name: props.name,
      namespace: ns,
      hosts: plainHttpHosts(props),
      gateways: [bindTo],
    });
    for (const s of byPrefixLengthDescending(services, (x) => normalizePathPrefix(x.pathPrefix))) {
      const prefix = normalizePathPrefix(s.pathPrefix);
      const field = servicesField(s);
      const host = ServiceRef.fromName(s.name, ns, { ports: [s.port] });
      const timeout = durationFrom(this, `${field}.timeout`, s.timeout);
      const dr = new DestinationRule(this, `${s.name}-destination`, {
        name: s.name,
        namespace: ns,
        host,
        trafficPolicy: (s.mtls ?? 'auto') === 'istio-mutual' ? { tls: ClientTls.istioMutual() } : undefined,
      });
      this.destinationRules.push(dr);
      const match = prefix === '/' ? undefined : Match.prefix(prefix);
      if (!s.canary) {
        this.virtualService.addHttpRoute({ name: s.name, match: match && [match], to: [Destination.to(host, { port: s.port })], timeout });
        continue;
      }
      // The same split on the gateway and on the mesh: a split only on the mesh would not apply
      // to requests entering through the gateway (IST0140), and the reverse misses mesh callers.
      validateCanarySplit(this, `${field}.canary.`, s.canary);
      const subsets = addCanarySubsets(dr, s.canary);
      for (const route of canaryRoutes(host, s.port, subsets, s.canary, match)) {
        this.virtualService.addHttpRoute({ ...route, name: `${s.name}-${route.name}`, timeout });
      }
      const mesh = new VirtualService(this, `${s.name}-mesh-routes`, { name: s.name, namespace: ns, hosts: [host] });
      for (const route of canaryRoutes(host, s.port, subsets, s.canary)) {
        mesh.addHttpRoute({ ...route, timeout });
      }
    }

    const workloads = services.map((s) => MeshWorkload.fromLabels(ns, s.selector ?? { app: s.name }, { name: s.name }));
    if ((props.zeroTrust ?? true) && !gatewayWorkload?.serviceAccountName) {
      // allow-nothing with no identity to allow would make every service unreachable.
      const [field, what] = ownGateway
        ? ['gateway.serviceAccountName', 'the service account of the brought-your-own gateway pods']
        : ['gateway.existingGatewayIdentity', 'the namespace and service account of the pods behind gateway.existingGateway'];
      check(this, field, { problem: 'zero trust denies every caller not allowed by name, and the gateway\'s identity is unknown, so no request could reach the services', fix: `give ${what}, or set zeroTrust: false` });
    }
    if (props.zeroTrust ?? true) {
      const zt = new ZeroTrustNamespace(this, 'zero-trust', { namespace: ns });
      if (gatewayWorkload?.serviceAccountName) {
        zt.allowIngress(gatewayWorkload, ...workloads);
      }
    } else if (gatewayWorkload?.serviceAccountName) {
      for (const w of workloads) {
        new AuthorizationPolicy(this, `allow-gateway-to-${w.name}`, {
          name: `allow-gateway-to-${w.name}`,
          namespace: ns,
          selector: w,
          action: PolicyAction.ALLOW,
          rules: [{ from: [Source.principals(principalOf(gatewayWorkload.namespace, gatewayWorkload.serviceAccountName))] }],
        });
      }
    }
    // Gateway pods living in this namespace must keep accepting traffic from outside the mesh,
    // which carries no identity. With zero trust, ZeroTrustNamespace.allowIngress opens them;
    // without, something else (a ZeroTrustNamespace of its own) may still close the namespace.
    // Where nothing closes it, this policy allows what was allowed anyway.
    const gatewayHere = this.ingressGateway || (gatewayWorkload && gw.selector && gatewayWorkload.namespace === ns);
    if (gatewayHere && !(props.zeroTrust ?? true)) {
      new AuthorizationPolicy(this, 'gateway-ingress', {
        name: `${props.name}-gateway-ingress`,
        namespace: ns,
        selector: gatewayWorkload,
        action: PolicyAction.ALLOW,
        rules: [{}],
      });
    }

    if (props.edge) {
      if (!this.ingressGateway) {
        refuse(this, 'edge', { problem: 'an edge route forwards to the app\'s own gateway Service, and this app deploys none', fix: 'leave gateway.enabled on without a selector, or bind to the shared gateway directly with gateway.existingGateway' });
      }
      new EdgeRoute(this, 'edge', {
        name: `${props.name}-edge`,
        namespace: ns,
        gateway: props.edge.gateway,
        hosts: props.edge.hosts ?? props.hosts,
        to: { service: this.ingressGateway.name, namespace: ns, port: (gw.ports?.http ?? 80) },
        paths: byPrefixLengthDescending(services, (x) => normalizePathPrefix(x.pathPrefix)).map((s) => s.pathPrefix ?? ''),
        mountPath: props.edge.mountPath,
      });
    }
  }

  private servers(props: ExposedApplicationProps, gw: AppGateway): Server[] {
    const httpPort = gw.ports?.http ?? 80;
    const httpsPort = gw.ports?.https ?? 443;
    if (!props.tls) {
      if (props.httpsRedirect !== undefined && redirectOptions(props.httpsRedirect)) {
        check(this, 'httpsRedirect', { problem: 'a redirect to HTTPS needs TLS on the gateway', fix: 'set tls.credentialName, or drop httpsRedirect' });
      }
      return [Server.http({ hosts: plainHttpHosts(props), port: httpPort })];
    }
    const redirect = this.redirectOptions(props);
    const servers = [Server.https({
      hosts: props.hosts,
      port: httpsPort,
      tls: GatewayTls.simple(props.tls.credentialName),
      matchSni: props.tls.matchSni,
      certificate: props.tls.issuer ? {
        issuer: props.tls.issuer.kind === 'Issuer' ? CertificateIssuer.issuer(props.tls.issuer.name) : CertificateIssuer.clusterIssuer(props.tls.issuer.name),
      } : undefined,
    })];
    if (!redirect || redirect.style === 'flag') {
      servers.push(Server.http({ hosts: plainHttpHosts(props), port: httpPort, httpsRedirect: !!redirect }));
    }
    return servers;
  }

  private addRedirect(props: ExposedApplicationProps, workload: IGatewayWorkload, gatewayName: string, gw: AppGateway): void {
    const redirect = props.tls ? this.redirectOptions(props) : undefined;
    if (!redirect || redirect.style !== 'route') {
      return;
    }
    new HttpsRedirect(this, 'https-redirect', {
      name: `${gatewayName}-http`,
      namespace: this.namespace.name,
      workload,
      hosts: props.hosts,
      port: gw.ports?.http ?? 80,
      httpsPort: redirect.httpsPort ?? 443,
      statusCode: redirect.statusCode ?? RedirectStatus.MOVED_PERMANENTLY,
    });
  }

  /**
   * Behind an edge route, the edge forwards plain HTTP to this gateway's HTTP port: a redirect
   * there would send every request back to the edge, in a loop. The edge owns the redirect.
   */
  private redirectOptions(props: ExposedApplicationProps): (AppHttpsRedirect & { style: 'flag' | 'route' }) | undefined {
    if (!props.edge) {
      const redirect = redirectOptions(props.httpsRedirect);
      const code = redirect?.statusCode;
      if (code !== undefined && !(Object.values(RedirectStatus) as unknown[]).includes(code)) {
        check(this, 'httpsRedirect.statusCode', { problem: `${code} is not a redirect status`, fix: 'use 301, 302, 307 or 308' });
      }
      if (redirect?.style === 'flag' && code !== undefined && code !== RedirectStatus.MOVED_PERMANENTLY) {
        check(this, 'httpsRedirect.statusCode', { problem: `the Gateway's httpsRedirect flag always answers 301, not ${code}`, fix: 'set style: route for another status code, or drop statusCode' });
      }
      return redirect;
    }
    if (props.httpsRedirect !== undefined && redirectOptions(props.httpsRedirect)) {
      check(this, 'httpsRedirect', { problem: 'the edge gateway forwards plain HTTP to this gateway, which would redirect it back to the edge in a loop', fix: 'redirect to HTTPS on the shared edge gateway, and drop httpsRedirect here' });
    }
    return undefined;
  }
}

/**
 * Hosts the app's gateway answers plain HTTP for: an edge forwards requests with their public
 * Host, so edge hosts other than the app's must be served here too, or the gateway answers 404.
 */
function plainHttpHosts(props: ExposedApplicationProps): string[] {
  return [...props.hosts, ...(props.edge?.hosts ?? []).filter((h) => !props.hosts.includes(h))];
}

function redirectOptions(value: boolean | AppHttpsRedirect | undefined): (AppHttpsRedirect & { style: 'flag' | 'route' }) | undefined {
  const v: AppHttpsRedirect = value === undefined || value === true ? {} : value === false ? { enabled: false } : value;
  if (v.enabled === false) {
    return undefined;
  }
  return { ...v, style: v.style ?? (v.statusCode !== undefined && v.statusCode !== 301 ? 'route' : 'flag') };
}

function serviceType(kind: NonNullable<AppGateway['serviceType']>): GatewayServiceType {
  switch (kind) {
    case 'LoadBalancer': return GatewayServiceType.LOAD_BALANCER;
    case 'ClusterIP': return GatewayServiceType.CLUSTER_IP;
    case 'NodePort': return GatewayServiceType.NODE_PORT;
  }
}
