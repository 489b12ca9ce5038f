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
import { Cpu } from 'cdk8s-plus-28';
import { Size } from 'cdk8s';
import { suppress } from '../analysis/suppressions';
import { GatewayDisruptionBudget, GatewayScaling, GatewayServiceType } from '../gateway-deployment';
import { ZoneAntiAffinity } from '../gateway-pod-template';
import { IngressGateway } from '../ingress-gateway';
import { MeshContext } from '../mesh-context';
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
import { AllowedRoutes, GatewayListener } from '../gateway-listener';
import { KubernetesGateway } from '../kubernetes-gateway';
import { KubernetesHttpRoute } from '../kubernetes-http-route';
import { IRouteParent, RouteBackend, RouteFilter, RouteMatch } from '../route-parts';
import { check, Problems, refuse } from '../validation';

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
  /** Ports the brought-your-own gateway's Service exposes (its `port`s). @default - unknown */
  readonly servicePorts?: number[];
  /**
   * The ports behind them the brought-your-own gateway pods listen on (its `targetPort`s), when
   * they differ: deployKF's Service maps 80/443 to 8080/8443, and its Gateway servers name those.
   * @default - the same as servicePorts
   */
  readonly targetPorts?: number[];
  /** Gateway server ports: what the gateway listens on for HTTP and HTTPS. @default { http: 80, https: 443 } */
  readonly ports?: { readonly http?: number; readonly https?: number };
  /**
   * `namespace/name` of a Gateway resource outside the app to bind the routes to instead of a
   * gateway of the app's own (setting it turns `enabled` off).
   * @default - none
   */
  readonly existingGateway?: string;
  /**
   * Identity of the pods behind `existingGateway`, so the app's authorization can allow them.
   * @default - no gateway allow policies
   */
  readonly existingGatewayIdentity?: { readonly namespace: string; readonly serviceAccountName: string };
  /**
   * Let VirtualServices of other namespaces bind to this Gateway. Without it its hosts are
   * written `./host`, so only the app's own namespace can take its paths.
   * @default false
   */
  readonly shared?: boolean;
  /**
   * The gateway's Service is reached only from inside the network (an internal load balancer,
   * marked with serviceAnnotations): plain HTTP on it is then no warning.
   * @default false
   */
  readonly internal?: boolean;
  /**
   * Plain HTTP on a public load balancer is intended (TLS ends in front of it, say at a CDN):
   * no warning for it.
   * @default false
   */
  readonly publicPlaintext?: boolean;
  /** Annotations of the gateway Service, e.g. a cloud's internal load balancer annotation. @default - none */
  readonly serviceAnnotations?: Record<string, string>;
  /** Client CIDRs a LoadBalancer Service admits. @default - any */
  readonly loadBalancerSourceRanges?: string[];
  /**
   * Proxy container resources as Kubernetes quantities (`100m`, `2`; `128Mi`, `1Gi`); when given,
   * replaces all four of the chart's defaults.
   * @default - requests 100m / 128Mi, limits 2 / 1Gi
   */
  readonly resources?: {
    readonly cpu?: { readonly request?: string; readonly limit?: string };
    readonly memory?: { readonly request?: string; readonly limit?: string };
  };
  /** A PodDisruptionBudget, with at least 2 replicas. @default - minAvailable 1 when the minimum is above one */
  readonly podDisruptionBudget?: { readonly minAvailable?: number | string; readonly maxUnavailable?: number | string };
  /** Keep replicas in different zones. @default - no anti-affinity */
  readonly zoneAntiAffinity?: 'preferred' | 'required';
  /** Secrets for pulling the proxy image from a private registry. @default - none */
  readonly imagePullSecrets?: string[];
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
  /**
   * The edge gateway pods' identity: the app's gateway admits only it, over Istio mTLS, so
   * nothing in the cluster can skip the edge.
   */
  readonly identity: { readonly namespace: string; readonly serviceAccountName: string };
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
  /**
   * The ingress API: Istio's Gateway and VirtualService, or the Kubernetes Gateway API (a Gateway
   * of class istio, which Istio deploys, and an HTTPRoute), with the same hosts, paths, TLS and
   * authorization. The Gateway API has no subsets, edge routes or brought-your-own pods here.
   * @default 'istio'
   */
  readonly api?: 'istio' | 'gateway-api';
}

/** The ExposedApplication pattern; see the module comment. */
export class ExposedApplication extends Construct {
  public readonly namespace: IMeshNamespaceRef;
  /** The gateway deployment, when the app deploys its own. */
  public readonly ingressGateway?: IngressGateway;
  /** The Gateway resource, when the app has its own. */
  public readonly gateway?: Gateway;
  /** The routes, with `api: 'istio'`. */
  public readonly virtualService?: VirtualService;
  /** The Gateway API Gateway, with `api: 'gateway-api'` and a gateway of the app's own. */
  public readonly kubernetesGateway?: KubernetesGateway;
  /** The routes, with `api: 'gateway-api'`. */
  public readonly httpRoute?: KubernetesHttpRoute;
  public readonly destinationRules: DestinationRule[] = [];

  public constructor(scope: Construct, id: string, props: ExposedApplicationProps) {
    super(scope, id);
    const services = [...(props.frontend ? [props.frontend] : []), ...(props.backends ?? [])];
    const servicesField = (s: AppService) => (s === props.frontend ? 'frontend' : `backends[${(props.backends ?? []).indexOf(s)}]`);
    this.validate(props, services, servicesField);

    this.namespace = meshNamespaceFrom(this, 'namespace', props.namespace, 'namespace');
    const ns = this.namespace.name;
    const gw = props.gateway ?? {};
    const ownGateway = gw.enabled ?? gw.existingGateway === undefined;
    const trustDomain = MeshContext.of(this).install.trustDomain;
    const edge = props.edge;
    const edgePrincipal = edge && principalOf(edge.identity.namespace, edge.identity.serviceAccountName, trustDomain);
    // The callers' pods run in these namespaces, so they exist.
    for (const known of [edge?.identity.namespace, gw.existingGatewayIdentity?.namespace]) {
      if (known) {
        MeshContext.of(this).declareExternalNamespace(known);
      }
    }

    // Where the routes bind and whose identity the services must admit.
    let bindTo: IGatewayRef | string | undefined;
    let gatewayWorkload: IGatewayWorkload | undefined;
    if ((props.api ?? 'istio') === 'gateway-api') {
      const built = this.gatewayApi(props, services, servicesField, ownGateway);
      this.kubernetesGateway = built.gateway;
      this.httpRoute = built.route;
      gatewayWorkload = built.workload;
    } else if (ownGateway) {
      const gatewayName = gw.name ?? `${props.name}-gateway`;
      if (gw.selector) {
        gatewayWorkload = GatewayWorkload.fromSelector(this, 'gateway-workload', {
          selector: gw.selector,
          namespace: gw.namespace ?? ns,
          servicePorts: gw.servicePorts,
          targetPorts: gw.targetPorts,
          serviceAccountName: gw.serviceAccountName,
        });
      } else {
        this.ingressGateway = new IngressGateway(this, 'gateway-deployment', {
          name: gatewayName,
          namespace: this.namespace,
          serviceType: serviceType(gw.serviceType ?? (edge ? 'ClusterIP' : 'LoadBalancer')),
          // Gateway servers name Service ports: with other server ports, the Service must expose them.
          ports: gw.ports ? [
            { name: 'http2', port: gw.ports.http ?? 80 },
            { name: 'https', port: gw.ports.https ?? 443 },
          ] : undefined,
          scaling: gw.replicas === undefined ? undefined
            : typeof gw.replicas === 'number' ? GatewayScaling.fixed(gw.replicas)
              : GatewayScaling.autoscale({ minReplicas: gw.replicas.min, maxReplicas: gw.replicas.max }),
          serviceAnnotations: gw.serviceAnnotations,
          loadBalancerSourceRanges: gw.loadBalancerSourceRanges,
          resources: gw.resources && this.resources(gw.resources),
          podDisruptionBudget: gw.podDisruptionBudget as GatewayDisruptionBudget | undefined,
          zoneAntiAffinity: gw.zoneAntiAffinity === undefined ? undefined
            : gw.zoneAntiAffinity === 'required' ? ZoneAntiAffinity.REQUIRED : ZoneAntiAffinity.PREFERRED,
          imagePullSecrets: gw.imagePullSecrets,
          // Behind the edge, X-Forwarded-For and X-Forwarded-Proto come from the edge gateway;
          // trusting none of them would make every request look like plain HTTP from the edge pod.
          numTrustedProxies: edge ? 1 : undefined,
        });
        gatewayWorkload = this.ingressGateway;
      }
      this.gateway = new Gateway(this, 'gateway', {
        name: gatewayName,
        namespace: ns,
        workload: gatewayWorkload,
        servers: this.servers(props, gw),
      });
      if (gw.internal) {
        suppress(this.gateway, 'CKI2002', 'gateway.internal: the Service is reached only from inside the network');
      } else if (gw.publicPlaintext) {
        suppress(this.gateway, 'CKI2002', 'gateway.publicPlaintext: plain HTTP on the load balancer is intended');
      }
      bindTo = this.gateway;
      this.addRedirect(props, gatewayWorkload, gatewayName, gw);
    } else {
      if (!gw.existingGateway) {
        refuse(this, 'gateway.existingGateway', {
          problem: 'the app has no gateway of its own and names no existing Gateway to bind to',
          fix: 'set gateway.existingGateway to the platform\'s Gateway, e.g. istio-system/shared-gateway, or leave gateway.enabled on',
        });
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

    const virtualService = bindTo === undefined ? undefined : new VirtualService(this, 'routes', {
      name: props.name,
      namespace: ns,
      hosts: plainHttpHosts(props),
      gateways: [bindTo],
    });
    this.virtualService = virtualService;
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
      if (!virtualService) {
        // The HTTPRoute's rules were written by gatewayApi().
        continue;
      }
      const match = prefix === '/' ? undefined : Match.prefix(prefix);
      if (!s.canary) {
        virtualService.addHttpRoute({ name: s.name, match: match && [match], to: [Destination.to(host, { port: s.port })], timeout });
        continue;
      }
      // The same split on the gateway and on the mesh: a split only on the mesh would not apply
      // to requests entering through the gateway (IST0140), and the reverse misses mesh callers.
      const subsets = addCanarySubsets(dr, s.canary);
      for (const route of canaryRoutes(host, s.port, subsets, s.canary, match)) {
        virtualService.addHttpRoute({ ...route, name: `${s.name}-${route.name}`, timeout });
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
      check(this, field, {
        problem: 'zero trust denies every caller not allowed by name, and the gateway\'s identity is unknown, so no request could reach the services',
        fix: `give ${what}, or set zeroTrust: false`,
      });
    }
    // Gateway pods living in this namespace accept traffic from their clients: anyone, as clients
    // outside the mesh carry no identity, or behind an edge only the edge gateway.
    const gatewayClients = edgePrincipal ? [edgePrincipal] : undefined;
    if (props.zeroTrust ?? true) {
      // The app's namespace going through a waypoint of its own: east-west allows go to it.
      const waypoint = typeof props.namespace === 'object' && props.namespace.injection === 'ambient' ? props.namespace.useWaypoint : undefined;
      const zt = new ZeroTrustNamespace(this, 'zero-trust', { namespace: ns, trustDomain, waypoint });
      if (gatewayWorkload?.serviceAccountName) {
        zt.allowIngressWith({ gateway: gatewayWorkload, workloads, gatewayClients });
      }
    } else if (gatewayWorkload?.serviceAccountName) {
      for (const w of workloads) {
        new AuthorizationPolicy(this, `allow-gateway-to-${w.name}`, {
          name: `allow-gateway-to-${w.name}`,
          namespace: ns,
          selector: w,
          action: PolicyAction.ALLOW,
          rules: [{ from: [Source.principals(principalOf(gatewayWorkload.namespace, gatewayWorkload.serviceAccountName, trustDomain))] }],
        });
      }
    }
    // Without zero trust, something else (a ZeroTrustNamespace of its own) may still close the
    // namespace; where nothing does, this policy allows what was allowed anyway.
    const gatewayHere = this.ingressGateway || this.kubernetesGateway || (gatewayWorkload && gw.selector && gatewayWorkload.namespace === ns);
    if (gatewayHere && !(props.zeroTrust ?? true)) {
      new AuthorizationPolicy(this, 'gateway-ingress', {
        name: `${props.name}-gateway-ingress`,
        namespace: ns,
        selector: gatewayWorkload,
        action: PolicyAction.ALLOW,
        rules: [gatewayClients ? { from: [Source.principals(...gatewayClients)] } : {}],
      });
    }

    if (edge) {
      new EdgeRoute(this, 'edge', {
        name: `${props.name}-edge`,
        namespace: ns,
        gateway: edge.gateway,
        hosts: edge.hosts ?? props.hosts,
        to: { service: this.ingressGateway!.name, namespace: ns, port: gw.ports?.https ?? 443 },
        paths: byPrefixLengthDescending(services, (x) => normalizePathPrefix(x.pathPrefix)).map((s) => s.pathPrefix ?? ''),
        mountPath: edge.mountPath,
        mtls: 'istio-mutual',
      });
    }
  }

  /**
   * The Gateway API edge: a Gateway of class istio (Istio deploys `<name>-istio`), one listener
   * per host and scheme (a listener has one hostname), admitting routes of the app's namespace
   * only unless the gateway is shared, and one HTTPRoute with a rule per path prefix, longest
   * first. With TLS and a redirect, plain HTTP gets its own redirecting HTTPRoute. Returns the
   * gateway pods, for the services' authorization.
   */
  private gatewayApi(props: ExposedApplicationProps, services: AppService[], servicesField: (s: AppService) => string, ownGateway: boolean): { gateway?: KubernetesGateway; route: KubernetesHttpRoute; workload?: IGatewayWorkload } {
    const ns = this.namespace.name;
    const gw = props.gateway ?? {};
    const parents: IRouteParent[] = [];
    const redirectParents: IRouteParent[] = [];
    let workload: IGatewayWorkload | undefined;
    let gateway: KubernetesGateway | undefined;
    if (ownGateway) {
      const allowedRoutes = gw.shared ? AllowedRoutes.allNamespaces() : AllowedRoutes.sameNamespace();
      const httpPort = gw.ports?.http ?? 80;
      const httpsPort = gw.ports?.https ?? 443;
      const redirect = props.tls ? this.redirectOptions(props) : undefined;
      // Listener names from the hosts, unique however two hosts spell alike (`*.a.com`, `wildcard.a.com`).
      const taken = new Set<string>();
      const label = (host: string) => {
        const base = host.replace(/^\*\./, 'wildcard.').replace(/\./g, '-');
        let name = base;
        for (let n = 2; taken.has(name); n++) {
          name = `${base}-${n}`;
        }
        taken.add(name);
        return name;
      };
      const listeners = props.hosts.map((host) => [host, label(host)] as const).flatMap(([host, hostLabel]) => [
        ...(props.tls ? [GatewayListener.https({ name: `https-${hostLabel}`, hostname: host, port: httpsPort, certificate: props.tls.credentialName, allowedRoutes })] : []),
        GatewayListener.http({ name: `http-${hostLabel}`, hostname: host, port: httpPort, allowedRoutes }),
      ]);
      gateway = new KubernetesGateway(this, 'gateway', {
        name: gw.name ?? `${props.name}-gateway`,
        namespace: this.namespace,
        serviceType: gw.serviceType ?? 'LoadBalancer',
        infrastructure: gw.serviceAnnotations ? { annotations: gw.serviceAnnotations } : undefined,
        listeners,
      });
      if (gw.internal) {
        suppress(gateway, 'CKI2002', 'gateway.internal: the Service is reached only from inside the network');
      } else if (gw.publicPlaintext) {
        suppress(gateway, 'CKI2002', 'gateway.publicPlaintext: plain HTTP on the load balancer is intended');
      }
      for (const l of listeners) {
        (l.protocol === 'HTTP' && redirect ? redirectParents : parents).push(gateway.listener(l.name));
      }
      if (redirect) {
        new KubernetesHttpRoute(this, 'https-redirect', {
          name: `${props.name}-http`,
          namespace: ns,
          parents: redirectParents,
          hostnames: props.hosts,
          rules: [{ filters: [RouteFilter.redirect({ scheme: 'https', port: redirect.httpsPort ?? (httpsPort === 443 ? undefined : httpsPort), statusCode: redirect.statusCode ?? 301 })] }],
        });
      }
      workload = gateway.workload;
    } else {
      const [gwNs, gwName] = (gw.existingGateway ?? '').split('/');
      if (!gwNs || !gwName) {
        refuse(this, 'gateway.existingGateway', { problem: `"${gw.existingGateway ?? ''}" is not namespace/name of a Gateway`, fix: 'write the platform\'s Gateway API Gateway as namespace/name, e.g. istio-ingress/public' });
      }
      parents.push(KubernetesGateway.fromName(this, gwNs, gwName));
      if (gw.existingGatewayIdentity) {
        workload = { namespace: gw.existingGatewayIdentity.namespace, selector: {}, serviceAccountName: gw.existingGatewayIdentity.serviceAccountName };
      }
    }
    const route = new KubernetesHttpRoute(this, 'routes', { name: props.name, namespace: ns, parents, hostnames: props.hosts });
    for (const s of byPrefixLengthDescending(services, (x) => normalizePathPrefix(x.pathPrefix))) {
      const prefix = normalizePathPrefix(s.pathPrefix);
      const field = servicesField(s);
      route.addRule({
        name: s.name,
        // `/api/` as Istio's prefix match, `/api` as the Gateway API's: segment prefixes both.
        matches: prefix === '/' ? undefined : [RouteMatch.pathPrefix(prefix.replace(/\/$/, ''))],
        backends: [RouteBackend.to(ServiceRef.fromName(s.name, ns, { ports: [s.port] }), { port: s.port })],
        timeout: durationFrom(this, `${field}.timeout`, s.timeout),
      });
    }
    return { gateway, route, workload };
  }

  /** Every independent mistake in the props, reported together. */
  private validate(props: ExposedApplicationProps, services: AppService[], servicesField: (s: AppService) => string): void {
    const problems = new Problems(this);
    problems.run(() => checkPatternName(this, 'name', props.name, 'use a short lowercase name such as shop'));
    if (!props.hosts || props.hosts.length === 0) {
      problems.check('hosts', { problem: 'no hosts: the application must be served under at least one host name', fix: 'list FQDNs such as shop.example.com' });
    }
    if (services.length === 0) {
      problems.check('backends', { problem: 'no services to route to', fix: 'give a frontend or at least one backend' });
    }
    const seenNames = new Map<string, string>();
    const seenPrefixes = new Map<string, string>();
    for (const s of services) {
      const field = servicesField(s);
      const sameName = seenNames.get(s.name);
      if (sameName) {
        problems.check(`${field}.name`, { problem: `${sameName} is also called ${s.name}; each service has its own routes, rule and policy named after it`, fix: 'list each Service once, or rename one' });
      }
      seenNames.set(s.name, field);
      const prefix = normalizePathPrefix(s.pathPrefix);
      const other = seenPrefixes.get(prefix);
      if (other) {
        problems.check(`${field}.pathPrefix`, { problem: `${s.name} and ${other} both claim ${prefix}`, fix: 'give each service its own path prefix' });
      }
      seenPrefixes.set(prefix, s.name);
      if (s.canary) {
        problems.run(() => validateCanarySplit(this, `${field}.canary.`, s.canary!));
      }
    }
    const gw = props.gateway ?? {};
    if (gw.existingGateway !== undefined && gw.enabled === true) {
      problems.check('gateway.enabled', {
        problem: 'gateway.enabled: true deploys a gateway of the app\'s own, and gateway.existingGateway binds the routes to the platform\'s instead',
        fix: 'keep gateway.existingGateway (and drop gateway.enabled) to use the platform\'s Gateway, or drop gateway.existingGateway',
      });
    }
    const ownGateway = gw.enabled ?? gw.existingGateway === undefined;
    // Either API: the redirect is the app's own gateway's, and needs its HTTPS (an edge's is the edge's).
    if (ownGateway && !props.edge && !props.tls && props.httpsRedirect !== undefined && redirectOptions(props.httpsRedirect)) {
      problems.check('httpsRedirect', { problem: 'a redirect to HTTPS needs TLS on the gateway', fix: 'set tls.credentialName, or drop httpsRedirect' });
    }
    if (!ownGateway && (props.tls || (props.httpsRedirect !== undefined && redirectOptions(props.httpsRedirect)))) {
      problems.check(props.tls ? 'tls' : 'httpsRedirect', {
        problem: 'TLS and redirects belong to the Gateway, and this app binds to one it does not own',
        fix: 'configure TLS on the platform\'s Gateway, or deploy the app\'s own gateway',
      });
    }
    if (props.edge) {
      if (!ownGateway || gw.selector) {
        problems.check('edge', {
          problem: 'an edge route forwards to the app\'s own gateway Service, and this app deploys none',
          fix: 'leave gateway.enabled on without a selector, or bind to the shared gateway directly with gateway.existingGateway',
        });
      }
      if (props.tls) {
        problems.check('tls', {
          problem: 'behind an edge, public TLS terminates at the edge gateway, and the hop from it to this gateway is Istio mTLS',
          fix: 'configure the certificate on the edge gateway and drop tls here',
        });
      }
      if (!props.edge.identity?.namespace || !props.edge.identity?.serviceAccountName) {
        problems.check('edge.identity', {
          problem: 'the app\'s gateway admits only the edge gateway, by its identity, and none is given',
          fix: 'set edge.identity to the namespace and service account of the edge gateway pods (istioctl install\'s default: istio-system / istio-ingressgateway-service-account)',
        });
      }
    }
    if ((props.api ?? 'istio') === 'gateway-api') {
      const unsupported: Array<[string, unknown, string]> = [
        ['edge', props.edge, 'put the app behind the platform\'s Gateway with gateway.existingGateway, or use api: istio for an edge route'],
        ['gateway.selector', gw.selector, 'Istio deploys the Gateway API gateway itself; use api: istio to bring your own gateway pods'],
        ['gateway.replicas', gw.replicas, 'Istio scales the gateway it deploys by an HPA you configure through the Gateway\'s parametersRef; use api: istio to set replicas here'],
        ['gateway.resources', gw.resources, 'set them through the Gateway\'s parametersRef ConfigMap, or use api: istio'],
        ['gateway.podDisruptionBudget', gw.podDisruptionBudget, 'set it through the Gateway\'s parametersRef ConfigMap, or use api: istio'],
        ['gateway.zoneAntiAffinity', gw.zoneAntiAffinity, 'set it through the Gateway\'s parametersRef ConfigMap, or use api: istio'],
        ['gateway.imagePullSecrets', gw.imagePullSecrets, 'set them in the control plane\'s values (global.imagePullSecrets), or use api: istio'],
        ['gateway.loadBalancerSourceRanges', gw.loadBalancerSourceRanges, 'restrict the load balancer with your cloud\'s annotation in gateway.serviceAnnotations, or use api: istio'],
        ['tls.issuer', props.tls?.issuer, 'issue the Secret with a cert-manager Certificate of your own, or use api: istio'],
        ['tls.matchSni', props.tls?.matchSni, 'a Gateway API listener always matches its hostname; use api: istio to turn SNI matching off'],
      ];
      for (const [key, value, fix] of unsupported) {
        if (value !== undefined) {
          problems.check(key, { problem: `${key} is not supported with api: gateway-api`, fix });
        }
      }
      services.filter((s) => s.canary).forEach((s) => problems.check(`${servicesField(s)}.canary`, {
        problem: 'canary splits route to DestinationRule subsets, which an HTTPRoute cannot name',
        fix: 'use api: istio for this app, or run the canary as a Service of its own and weigh it in a KubernetesHttpRoute',
      }));
      if (props.httpsRedirect !== undefined && typeof props.httpsRedirect === 'object' && props.httpsRedirect.style !== undefined) {
        problems.check('httpsRedirect.style', { problem: 'with api: gateway-api the redirect is always an HTTPRoute on the plain listeners', fix: 'drop httpsRedirect.style' });
      }
    }
    problems.throwIfAny();
  }

  /** Values-file quantities as cdk8s-plus takes them. */
  private resources(r: NonNullable<AppGateway['resources']>): NonNullable<ConstructorParameters<typeof IngressGateway>[2]>['resources'] {
    const cpu = (field: string, v: string | undefined): Cpu | undefined => {
      if (v === undefined) {
        return undefined;
      }
      const m = /^(\d+)m$/.exec(v) ?? /^(\d+(?:\.\d{1,3})?)$/.exec(v);
      if (!m) {
        refuse(this, `gateway.resources.cpu.${field}`, { problem: `"${v}" is not a CPU quantity`, fix: 'write millicores such as 100m or cores such as 2' });
      }
      return Cpu.millis(v.endsWith('m') ? Number(m[1]) : Math.round(Number(m[1]) * 1000));
    };
    const memory = (field: string, v: string | undefined): Size | undefined => {
      if (v === undefined) {
        return undefined;
      }
      const m = /^(\d+)(Mi|Gi)$/.exec(v);
      if (!m) {
        refuse(this, `gateway.resources.memory.${field}`, { problem: `"${v}" is not a memory quantity in Mi or Gi`, fix: 'write 128Mi or 1Gi' });
      }
      return m[2] === 'Gi' ? Size.gibibytes(Number(m[1])) : Size.mebibytes(Number(m[1]));
    };
    return {
      cpu: r.cpu && { request: cpu('request', r.cpu.request), limit: cpu('limit', r.cpu.limit) },
      memory: r.memory && { request: memory('request', r.memory.request), limit: memory('limit', r.memory.limit) },
    };
  }

  private servers(props: ExposedApplicationProps, gw: AppGateway): Server[] {
    const httpPort = gw.ports?.http ?? 80;
    const httpsPort = gw.ports?.https ?? 443;
    // `./host`: only VirtualServices of the app's namespace can bind to these hosts, so another
    // team's VirtualService cannot take the app's paths (unless the gateway is shared on purpose).
    const scoped = (hosts: readonly string[]) => (gw.shared ? [...hosts] : hosts.map((h) => `./${h}`));
    if (props.edge) {
      // Istio mTLS from the edge only: the edge presents its workload certificate, which the
      // gateway's authorization admits; any SNI, as the edge sends the Service's own
      // (istio/istio tests/integration/security/testdata/authz/egress-gateway.yaml.tmpl).
      return [Server.https({ hosts: scoped(['*']), port: httpsPort, tls: GatewayTls.istioMutual() })];
    }
    if (!props.tls) {
      return [Server.http({ hosts: scoped(plainHttpHosts(props)), port: httpPort })];
    }
    const redirect = this.redirectOptions(props);
    const servers = [Server.https({
      hosts: scoped(props.hosts),
      port: httpsPort,
      tls: GatewayTls.simple(props.tls.credentialName),
      matchSni: props.tls.matchSni,
      certificate: props.tls.issuer ? {
        issuer: props.tls.issuer.kind === 'Issuer' ? CertificateIssuer.issuer(props.tls.issuer.name) : CertificateIssuer.clusterIssuer(props.tls.issuer.name),
      } : undefined,
    })];
    if (!redirect || redirect.style === 'flag') {
      servers.push(Server.http({ hosts: scoped(plainHttpHosts(props)), port: httpPort, httpsRedirect: !!redirect }));
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

  /** Behind an edge route, the edge owns the redirect (and TLS): a redirect here would loop back to it. */
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
      check(this, 'httpsRedirect', { problem: 'behind an edge, the edge gateway answers plain HTTP; a redirect here would send requests back to it in a loop', fix: 'redirect to HTTPS on the shared edge gateway, and drop httpsRedirect here' });
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
