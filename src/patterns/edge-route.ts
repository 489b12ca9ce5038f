/**
 * Attach an application to a shared edge gateway a platform team owns: a VirtualService on that
 * Gateway for the app's public hosts, forwarding each path prefix to the app's own gateway
 * Service inside the cluster (which then needs no load balancer of its own).
 */
import { Construct } from 'constructs';
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
  /** Service port. @default 80 */
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
}

function isServiceRef(to: EdgeRouteTarget | IServiceRef): to is IServiceRef {
  return (to as IServiceRef).host !== undefined;
}

/** The EdgeRoute pattern; see the module comment. */
export class EdgeRoute extends Construct {
  public readonly virtualService: VirtualService;

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
      : ServiceRef.fromName(props.to.service, props.to.namespace ?? this.virtualService.namespace, { ports: [props.to.port ?? 80] });
    const port = isServiceRef(props.to) ? undefined : props.to.port ?? 80;

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
