/**
 * The parts Gateway API routes (KubernetesHttpRoute, KubernetesGrpcRoute) are made of: where a
 * route attaches (a Gateway, one of its listeners, or a Service for mesh traffic), what it
 * matches, what it changes on the way, and the weighted Services it sends to.
 *
 * Backends name Services by name and namespace, as the Gateway API does (not by host); a backend
 * in another namespace needs a ReferenceGrant there, which the route creates.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import type * as gw from '../imports/gateway.networking.k8s.io';
import type { Wire } from './l1';
import { kplusServiceNamespace } from './destination-target';
import { IServiceRef } from './references';
import { dependOn } from './resource';
import { check, dnsLabelProblem, Problem } from './validation';

export const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';

/** A parentRef as routes write it. */
export type ParentReference = Wire<gw.HttpRouteSpecParentRefs>;

/** Something a route attaches to: a Gateway (or one listener of it), or a Service for mesh routing. */
export interface IRouteParent {
  /** The parentRef the route writes. */
  readonly parentReference: ParentReference;
}

/** A Service a route sends to, as the Gateway API names it. */
export interface ResolvedBackend {
  readonly name: string;
  readonly namespace: string;
  /** Ports the Service exposes, read when the app renders. @default - unknown */
  ports(): readonly number[] | undefined;
}

/** What `RouteBackend.to()` and `RouteParent.service()` accept: a cdk8s-plus Service, a reference, or a Service name in the route's namespace. */
export type ServiceTarget = kplus.Service | IServiceRef | string;

/** The Service's name and namespace; `namespace` is the route's, where a bare name is looked up. */
export function resolveService(scope: IConstruct, field: string, target: ServiceTarget, namespace: string): ResolvedBackend {
  dependOn(scope, target);
  if (target instanceof kplus.Service) {
    return { name: target.name, namespace: kplusServiceNamespace(target), ports: () => target.ports.map((p) => p.port) };
  }
  if (typeof target === 'string') {
    check(scope, field, dnsLabelProblem(target, 'Service name'));
    return { name: target, namespace, ports: () => portsOfAppService(scope, namespace, target) };
  }
  if (target && typeof target === 'object' && typeof target.serviceName === 'string') {
    const ns = target.namespace ?? namespace;
    return { name: target.serviceName, namespace: ns, ports: () => target.ports ?? portsOfAppService(scope, ns, target.serviceName!) };
  }
  check(scope, field, {
    problem: `${typeof target === 'object' && target && 'host' in target ? `${String((target as IServiceRef).host)} is a host, not a Service` : 'this is not a Service'}; Gateway API routes send to Services by name`,
    fix: 'pass a cdk8s-plus Service, ServiceRef.fromName(name, namespace), or a Service name',
  });
  throw new Error('unreachable');
}

const appServices = new WeakMap<IConstruct, Map<string, kplus.Service>>();

/**
 * The ports of a cdk8s-plus Service of the app named `name` in `namespace`, when a backend names
 * it by name rather than passing it: read at render, when every Service of the app exists.
 */
function portsOfAppService(scope: IConstruct, namespace: string, name: string): readonly number[] | undefined {
  const root = scope.node.root;
  let services = appServices.get(root);
  if (!services) {
    services = new Map();
    for (const c of root.node.findAll()) {
      if (c instanceof kplus.Service) {
        services.set(`${kplusServiceNamespace(c)}/${c.name}`, c);
      }
    }
    appServices.set(root, services);
  }
  return services.get(`${namespace}/${name}`)?.ports.map((p) => p.port);
}

export class RouteParent {
  /**
   * A Service as the parent: mesh routing (GAMMA), which sidecars apply to calls to the Service
   * and, in ambient namespaces, its waypoint.
   */
  public static service(scope: IConstruct, target: ServiceTarget, options: { readonly port?: number } = {}): IRouteParent {
    const svc = resolveService(scope, 'parents', target, Chart.of(scope).namespace ?? 'default');
    return { parentReference: { group: '', kind: 'Service', name: svc.name, namespace: svc.namespace, ...(options.port !== undefined ? { port: options.port } : {}) } };
  }
}

type HttpMatch = Wire<gw.HttpRouteSpecRulesMatches>;
type Method = NonNullable<HttpMatch['method']>;

/** What an HTTPRoute rule matches: a path, plus headers, query parameters and a method. */
export class RouteMatch {
  /** Paths starting with `prefix`, segment by segment (`/api` matches `/api/x`, not `/apix`). */
  public static pathPrefix(prefix: string): RouteMatch {
    return new RouteMatch({ path: { type: 'PathPrefix', value: prefix } });
  }

  /** Exactly `path`. */
  public static exact(path: string): RouteMatch {
    return new RouteMatch({ path: { type: 'Exact', value: path } });
  }

  /** Paths matching an RE2 expression (Istio's implementation). */
  public static regex(pattern: string): RouteMatch {
    return new RouteMatch({ path: { type: 'RegularExpression', value: pattern } });
  }

  private constructor(private readonly match: HttpMatch) {}

  /** Also require a header, exactly or by RE2 expression. */
  public withHeader(name: string, value: string, options: { readonly regex?: boolean } = {}): RouteMatch {
    return new RouteMatch({ ...this.match, headers: [...(this.match.headers ?? []), { name, value, type: options.regex ? 'RegularExpression' : 'Exact' }] });
  }

  /** Also require a query parameter. */
  public withQueryParam(name: string, value: string, options: { readonly regex?: boolean } = {}): RouteMatch {
    return new RouteMatch({ ...this.match, queryParams: [...(this.match.queryParams ?? []), { name, value, type: options.regex ? 'RegularExpression' : 'Exact' }] });
  }

  /** Also require a method. */
  public withMethod(method: Method): RouteMatch {
    return new RouteMatch({ ...this.match, method });
  }

  /** The path, for checks and pictures. */
  public get path(): { readonly type: string; readonly value: string } | undefined {
    return this.match.path ? { type: String(this.match.path.type), value: String(this.match.path.value) } : undefined;
  }

  public render(): HttpMatch {
    return JSON.parse(JSON.stringify(this.match)) as HttpMatch;
  }
}

type HttpFilter = Wire<gw.HttpRouteSpecRulesFilters>;
type HeaderModifier = Wire<gw.HttpRouteSpecRulesFiltersRequestHeaderModifier>;

function headerModifier(set: Record<string, string> = {}, add: Record<string, string> = {}, remove: string[] = []): HeaderModifier {
  const pairs = (r: Record<string, string>) => Object.entries(r).map(([name, value]) => ({ name, value }));
  return {
    ...(Object.keys(set).length ? { set: pairs(set) } : {}),
    ...(Object.keys(add).length ? { add: pairs(add) } : {}),
    ...(remove.length ? { remove: [...remove] } : {}),
  };
}

/** Header changes: set replaces, add appends, remove drops. */
export interface HeaderChanges {
  /** @default - none */
  readonly set?: Record<string, string>;
  /** @default - none */
  readonly add?: Record<string, string>;
  /** @default - none */
  readonly remove?: string[];
}

/** A redirect's target; what is not given is kept from the request. */
export interface RedirectOptions {
  /** @default - the request's */
  readonly scheme?: 'http' | 'https';
  /** @default - the request's */
  readonly hostname?: string;
  /** @default - the scheme's well-known port */
  readonly port?: number;
  /** Replace the whole path. @default - the request's */
  readonly path?: string;
  /** @default 302 */
  readonly statusCode?: 301 | 302 | 303 | 307 | 308;
}

/** Something a rule does to the request or response on the way. */
export class RouteFilter {
  /** Change request headers before they reach the backend. */
  public static requestHeaders(changes: HeaderChanges): RouteFilter {
    return new RouteFilter({ type: 'RequestHeaderModifier', requestHeaderModifier: headerModifier(changes.set, changes.add, changes.remove) });
  }

  /** Change response headers before they reach the client. */
  public static responseHeaders(changes: HeaderChanges): RouteFilter {
    return new RouteFilter({ type: 'ResponseHeaderModifier', responseHeaderModifier: headerModifier(changes.set, changes.add, changes.remove) });
  }

  /** Answer with a redirect instead of sending to a backend (a rule with it has no backends). */
  public static redirect(options: RedirectOptions): RouteFilter {
    return new RouteFilter({
      type: 'RequestRedirect',
      requestRedirect: {
        ...(options.scheme ? { scheme: options.scheme } : {}),
        ...(options.hostname ? { hostname: options.hostname } : {}),
        ...(options.port !== undefined ? { port: options.port } : {}),
        ...(options.path !== undefined ? { path: { type: 'ReplaceFullPath', replaceFullPath: options.path } } : {}),
        statusCode: options.statusCode ?? 302,
      },
    }, true);
  }

  /** Redirect plain HTTP to HTTPS, permanently. */
  public static httpsRedirect(): RouteFilter {
    return RouteFilter.redirect({ scheme: 'https', statusCode: 301 });
  }

  /** Replace the matched path prefix (the rule must match exactly one PathPrefix). */
  public static rewritePrefix(prefix: string): RouteFilter {
    return new RouteFilter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplacePrefixMatch', replacePrefixMatch: prefix } } });
  }

  /** Replace the whole path. */
  public static rewritePath(path: string): RouteFilter {
    return new RouteFilter({ type: 'URLRewrite', urlRewrite: { path: { type: 'ReplaceFullPath', replaceFullPath: path } } });
  }

  /** Replace the Host header. */
  public static rewriteHostname(hostname: string): RouteFilter {
    return new RouteFilter({ type: 'URLRewrite', urlRewrite: { hostname } });
  }

  /** Send a copy of (a share of) the requests to another Service; its answers are dropped. */
  public static mirror(backend: RouteBackend, options: { readonly percent?: number } = {}): RouteFilter {
    return new RouteFilter({ type: 'RequestMirror', requestMirror: { backendRef: { name: '' } } }, false, backend, options.percent);
  }

  private constructor(
    private readonly filter: HttpFilter,
    /** A redirect answers itself; the rule takes no backends. */
    public readonly answers = false,
    /** The mirror's target, resolved with the route's namespace. */
    public readonly mirrorTo?: RouteBackend,
    private readonly mirrorPercent?: number,
  ) {}

  public get type(): string {
    return String(this.filter.type);
  }

  /** The filter as written; `mirror` is the resolved mirror target, when this is a mirror. */
  public render(mirror?: { readonly name: string; readonly namespace?: string; readonly port?: number }): HttpFilter {
    if (this.mirrorTo && mirror) {
      return { type: 'RequestMirror', requestMirror: { backendRef: { name: mirror.name, namespace: mirror.namespace, port: mirror.port }, ...(this.mirrorPercent !== undefined ? { percent: this.mirrorPercent } : {}) } };
    }
    return JSON.parse(JSON.stringify(this.filter)) as HttpFilter;
  }
}

/** Where a backend's traffic goes and how much of it. */
export interface RouteBackendOptions {
  /** The Service port; required when the Service does not expose exactly one. @default - its only port */
  readonly port?: number;
  /** Relative weight among the rule's backends; 0 sends nothing. @default 1 */
  readonly weight?: number;
}

/** A weighted Service of a rule. */
export class RouteBackend {
  /** A Service: a cdk8s-plus Service, ServiceRef.fromName(...), or a name in the route's namespace. */
  public static to(target: ServiceTarget, options: RouteBackendOptions = {}): RouteBackend {
    return new RouteBackend(target, options);
  }

  private constructor(public readonly target: ServiceTarget, public readonly options: RouteBackendOptions) {}

  /** Problems with the options alone. */
  public problems(): Array<{ field: string } & Problem> {
    const out: Array<{ field: string } & Problem> = [];
    const { port, weight } = this.options;
    if (port !== undefined && (!Number.isInteger(port) || port < 1 || port > 65535)) {
      out.push({ field: 'port', problem: `${port} is not a port`, fix: 'give a port from 1 to 65535' });
    }
    if (weight !== undefined && (!Number.isInteger(weight) || weight < 0 || weight > 1_000_000)) {
      out.push({ field: 'weight', problem: `${weight} is not a weight`, fix: 'give a whole number from 0 to 1,000,000' });
    }
    return out;
  }
}
