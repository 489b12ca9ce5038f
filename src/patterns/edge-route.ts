/**
 * Attach an application to a shared edge gateway a platform team owns: a VirtualService on that
 * Gateway for the app's public hosts, forwarding each path prefix to the app's own gateway
 * Service inside the cluster (which then needs no load balancer of its own).
 *
 * The hop is Istio mTLS. Auto mTLS does not cover it: Istio's gateway injection template, unlike
 * the sidecar one, sets no `security.istio.io/tlsMode` label, so the edge would send plain text
 * to the app's gateway pods (istio/istio manifests/charts/istio-control/istio-discovery/files/
 * gateway-injection-template.yaml; pilot/pkg/networking/core/cluster_tls.go). A DestinationRule
 * for the target asks for ISTIO_MUTUAL on the hop's port, which the target must accept (an
 * ISTIO_MUTUAL Gateway server, as ExposedApplication writes behind an edge, or a sidecar).
 */
import { Construct } from 'constructs';
import { DestinationRule } from '../destination-rule';
import { ClientTls } from '../traffic-policy';
import { Match } from '../http-match';
import { IServiceRef, ServiceRef } from '../references';
import { Destination } from '../route-destination';
import { VirtualService } from '../virtual-service';
import { byPrefixLengthDescending, checkPatternName, normalizePathPrefix } from './common';
import { check } from '../validation';

export interface EdgeRouteTarget {
  /** Name of the Service to forward to (usually the app's own gateway Service). */
  readonly service: string;
  /** Namespace of that Service. @default - the route's namespace */
  readonly namespace?: string;
  /** Service port the hop goes to. @default 443 - the gateway Service's https port, which takes Istio mTLS */
  readonly port?: number;
}

export interface EdgeRouteProps {
  /** VirtualService name. @default - the construct id */
  readonly name?: string;
  /**
   * Namespace of the VirtualService. The shared Gateway's hosts must admit it (`*\/host` or
   * `<namespace>/host`).
   * @default - the chart's namespace
   */
  readonly namespace?: string;
  /** The platform's Gateway resource, `namespace/name`. */
  readonly gateway: string;
  /** Public hosts on the edge (FQDNs). */
  readonly hosts: string[];
  /** Where the traffic goes. */
  readonly to: EdgeRouteTarget | IServiceRef;
  /**
   * Path prefixes to forward, as the app serves them (`''` for the site root, `api` for
   * `/api/…`). Longer prefixes are matched first.
   * @default [''] - everything
   */
  readonly paths?: string[];
  /**
   * A path the app is mounted under on the shared host, e.g. `shop`: `/shop/api/x` reaches the
   * app as `/api/x`. The mount path is rewritten away before forwarding.
   * @default - none: paths are forwarded unchanged
   */
  readonly mountPath?: string;
  /**
   * TLS on the hop to the target: `istio-mutual` (a DestinationRule asks for Istio mTLS, so the
   * target sees the edge's identity) or `auto` (Istio's auto mTLS, which gateway pods do not get).
   * @default 'istio-mutual'
   */
  readonly mtls?: 'istio-mutual' | 'auto';
}

function isServiceRef(to: EdgeRouteTarget | IServiceRef): to is IServiceRef {
  return (to as IServiceRef).host !== undefined;
}

/** The EdgeRoute pattern; see the module comment. */
export class EdgeRoute extends Construct {
  public readonly virtualService: VirtualService;
  /** The rule that makes the hop Istio mTLS, unless `mtls: auto`. */
  public readonly destinationRule?: DestinationRule;

  public constructor(scope: Construct, id: string, props: EdgeRouteProps) {
    super(scope, id);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?\/[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.gateway ?? '')) {
      check(this, 'gateway', { problem: `"${props.gateway}" is not a namespace/name reference to a Gateway`, fix: 'name the shared Gateway as namespace/name, e.g. istio-system/shared-gateway' });
    }
    if (!props.hosts || props.hosts.length === 0) {
      check(this, 'hosts', { problem: 'no public hosts to route', fix: 'list the hosts the shared gateway serves for this app' });
    }
    if (props.paths && props.paths.length === 0) {
      check(this, 'paths', { problem: 'an empty list forwards nothing', fix: 'leave paths out to forward everything, or list prefixes such as \'\' and api' });
    }
    const name = props.name ?? id;
    checkPatternName(this, 'name', name, 'use a short lowercase name');

    this.virtualService = new VirtualService(this, 'routes', {
      name,
      namespace: props.namespace,
      hosts: props.hosts,
      gateways: [props.gateway],
    });
    const target = isServiceRef(props.to)
      ? props.to
      : ServiceRef.fromName(props.to.service, props.to.namespace ?? this.virtualService.namespace, { ports: [props.to.port ?? 443] });
    const port = isServiceRef(props.to) ? undefined : props.to.port ?? 443;
    if ((props.mtls ?? 'istio-mutual') === 'istio-mutual') {
      // Next to the target (its namespace, exported everywhere), where the edge's proxies look it
      // up after their own namespace (pilot/pkg/model/push_context.go destinationRule).
      const hopPort = port ?? (target.ports?.length === 1 ? target.ports[0] : undefined);
      this.destinationRule = new DestinationRule(this, 'hop-mtls', {
        name: `${name}-hop`,
        namespace: target.namespace ?? this.virtualService.namespace,
        host: target,
        trafficPolicy: hopPort === undefined
          ? { tls: ClientTls.istioMutual() }
          : { portLevelSettings: [{ port: hopPort, tls: ClientTls.istioMutual() }] },
      });
    }

    const mount = props.mountPath !== undefined && normalizePathPrefix(props.mountPath) !== '/' ? normalizePathPrefix(props.mountPath) : undefined;
    // Duplicates are found in the order given, so the field index is the one the user wrote.
    const given = (props.paths ?? ['']).map(normalizePathPrefix);
    given.forEach((appPath, i) => {
      const first = given.indexOf(appPath);
      if (first !== i) {
        check(this, `paths[${i}]`, { problem: `${appPath} is listed twice (also paths[${first}])`, fix: 'list each path prefix once' });
      }
    });
    byPrefixLengthDescending(given, (p) => p).forEach((appPath) => {
      // On the edge the app lives under the mount path; the app itself expects its own paths.
      const edgePath = mount ? `${mount}${appPath.slice(1)}` : appPath;
      this.virtualService.addHttpRoute({
        name: `${name}-${appPath === '/' ? 'root' : appPath.replace(/^\/|\/$/g, '').replace(/\//g, '-')}`,
        match: edgePath === '/' ? undefined : [Match.prefix(edgePath)],
        rewrite: mount ? { uri: appPath } : undefined,
        to: [Destination.to(target, { port })],
      });
    });
  }
}
