/**
 * HTTP routes of a VirtualService, and the value objects they take (faults, retries, CORS,
 * rewrites, redirects). A route is validated when added, against the VirtualService's path and
 * the route's index, so every error names `spec.http[i].<field>`.
 */
import { IConstruct } from 'constructs';
import { DurationLike, renderDuration } from './duration';
import { Match, StringMatch } from './http-match';
import * as l1 from './l1';
import { IVirtualServiceRef } from './references';
import {
  BoundDestination, checkWeightsSoFar, Destination, DestinationTarget, HeaderOperations, renderHeaderOperations, RouteDestinationOptions,
  routeLabel, validateHeaderOperations, weightProblems,
} from './route-destination';
import { check, countProblem, FieldProblem, headerNameProblem, percentageProblem, portProblem, regexProblem } from './validation';

type HttpRouteSpec = l1.Wire<l1.VirtualServiceSpecHttp>;

/** Conditions Envoy retries on (`x-envoy-retry-on` and `x-envoy-retry-grpc-on` values). */
export class RetryOn {
  /** Any 5xx response, connect failure or reset. */
  public static readonly FIVE_XX = new RetryOn('5xx');
  /** 502, 503 and 504. */
  public static readonly GATEWAY_ERROR = new RetryOn('gateway-error');
  public static readonly RESET = new RetryOn('reset');
  public static readonly RESET_BEFORE_REQUEST = new RetryOn('reset-before-request');
  public static readonly CONNECT_FAILURE = new RetryOn('connect-failure');
  public static readonly ENVOY_RATELIMITED = new RetryOn('envoy-ratelimited');
  public static readonly RETRIABLE_4XX = new RetryOn('retriable-4xx');
  public static readonly REFUSED_STREAM = new RetryOn('refused-stream');
  public static readonly RETRIABLE_STATUS_CODES = new RetryOn('retriable-status-codes');
  public static readonly RETRIABLE_HEADERS = new RetryOn('retriable-headers');
  /** gRPC status CANCELLED. */
  public static readonly CANCELLED = new RetryOn('cancelled');
  public static readonly DEADLINE_EXCEEDED = new RetryOn('deadline-exceeded');
  public static readonly INTERNAL = new RetryOn('internal');
  public static readonly RESOURCE_EXHAUSTED = new RetryOn('resource-exhausted');
  public static readonly UNAVAILABLE = new RetryOn('unavailable');

  /** Retry on one HTTP status code (Istio turns numbers into retriable status codes). */
  public static statusCode(code: number): RetryOn {
    return new RetryOn(String(code));
  }

  private constructor(public readonly value: string) {}
}

export interface RetryPolicy {
  /** Retries after the first attempt; 0 turns Istio's default of 2 retries off. */
  readonly attempts: number;
  /** Timeout of each attempt. @default - the route timeout */
  readonly perTryTimeout?: DurationLike;
  /** @default - Istio's default: connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes */
  readonly retryOn?: RetryOn[];
  /** Allow retries in other localities. @default false */
  readonly retryRemoteLocalities?: boolean;
  /** Minimum wait between attempts. @default - Envoy's default of 25ms */
  readonly backoff?: DurationLike;
}

/** A fault to inject: a delay, an abort, or both (`Fault.delay(...).and(Fault.abort(...))`). */
export class Fault {
  /** Delay `percentage` % of requests by `fixedDelay`. */
  public static delay(fixedDelay: DurationLike, percentage = 100): Fault {
    return new Fault({ delay: { fixedDelay, percentage } });
  }

  /** Answer `percentage` % of requests with HTTP status `httpStatus` instead of forwarding them. */
  public static abort(httpStatus: number, percentage = 100): Fault {
    return new Fault({ abort: { httpStatus, percentage } });
  }

  /** Answer `percentage` % of gRPC requests with a gRPC status such as `UNAVAILABLE`. */
  public static grpcAbort(grpcStatus: string, percentage = 100): Fault {
    return new Fault({ abort: { grpcStatus, percentage } });
  }

  private constructor(
    private readonly spec: {
      readonly delay?: { readonly fixedDelay: DurationLike; readonly percentage: number };
      readonly abort?: { readonly httpStatus?: number; readonly grpcStatus?: string; readonly percentage: number };
    },
    private readonly conflict?: string,
  ) {}

  /** Both faults; each may only be given once (the route that takes the fault refuses two delays). */
  public and(other: Fault): Fault {
    const twice = (this.spec.delay && other.spec.delay) ? 'delay' : (this.spec.abort && other.spec.abort) ? 'abort' : undefined;
    return new Fault(
      { delay: this.spec.delay ?? other.spec.delay, abort: this.spec.abort ?? other.spec.abort },
      this.conflict ?? other.conflict ?? (twice && `Fault.and() combines two faults with a ${twice} each; a fault holds at most one delay and one abort`),
    );
  }

  /** @internal */
  public _render(scope: IConstruct, field: string): HttpRouteSpec['fault'] {
    if (this.conflict) {
      check(scope, field, { problem: this.conflict, fix: 'combine one delay with one abort, e.g. Fault.delay(...).and(Fault.abort(...))' });
    }
    const { delay, abort } = this.spec;
    if (delay) {
      check(scope, `${field}.delay.percentage.value`, percentageProblem(delay.percentage));
    }
    if (abort) {
      check(scope, `${field}.abort.percentage.value`, percentageProblem(abort.percentage));
      if (abort.httpStatus !== undefined && (!Number.isInteger(abort.httpStatus) || abort.httpStatus < 200 || abort.httpStatus > 599)) {
        check(scope, `${field}.abort.httpStatus`, { problem: `${abort.httpStatus} is not an HTTP status Istio can return`, fix: 'use a status from 200 to 599, e.g. 500 or 503' });
      }
      if (abort.grpcStatus !== undefined && !/^[A-Z_]+$/.test(abort.grpcStatus)) {
        check(scope, `${field}.abort.grpcStatus`, { problem: `"${abort.grpcStatus}" is not a gRPC status name`, fix: 'use a name such as UNAVAILABLE or DEADLINE_EXCEEDED' });
      }
    }
    return {
      delay: delay && {
        fixedDelay: renderDuration(scope, `${field}.delay.fixedDelay`, delay.fixedDelay),
        percentage: { value: delay.percentage },
      },
      abort: abort && { httpStatus: abort.httpStatus, grpcStatus: abort.grpcStatus, percentage: { value: abort.percentage } },
    };
  }
}

export enum CorsUnmatchedPreflights {
  /** Forward preflight requests that match no allowed origin to the backend. */
  FORWARD = 'FORWARD',
  /** Answer them without forwarding. */
  IGNORE = 'IGNORE',
}

export interface CorsPolicy {
  /** Origins allowed to call, e.g. `StringMatch.exact('https://shop.example.com')`. */
  readonly allowOrigins: StringMatch[];
  /** @default - none beyond the CORS-safelisted methods */
  readonly allowMethods?: string[];
  /** @default - none beyond the CORS-safelisted headers */
  readonly allowHeaders?: string[];
  /** @default - none */
  readonly exposeHeaders?: string[];
  /** How long browsers may cache a preflight answer. @default - the browser's default */
  readonly maxAge?: DurationLike;
  /** @default false */
  readonly allowCredentials?: boolean;
  /** @default - Istio's default (FORWARD) */
  readonly unmatchedPreflights?: CorsUnmatchedPreflights;
}

export interface Rewrite {
  /** Replace the matched path prefix (or the whole path for exact matches) with this. @default - unchanged */
  readonly uri?: string;
  /** Replace the Host/Authority header. @default - unchanged */
  readonly authority?: string;
  /** Rewrite the path with an RE2 regex and a substitution (`\1` for groups). @default - none */
  readonly uriRegex?: { readonly match: string; readonly rewrite: string };
}

export enum RedirectPort {
  /** 80 for http, 443 for https. */
  FROM_PROTOCOL_DEFAULT = 'FROM_PROTOCOL_DEFAULT',
  FROM_REQUEST_PORT = 'FROM_REQUEST_PORT',
}

export interface Redirect {
  /** @default - the request's path */
  readonly uri?: string;
  /** @default - the request's authority */
  readonly authority?: string;
  /** @default - the request's scheme */
  readonly scheme?: 'http' | 'https';
  /** A fixed port, or derived from the protocol or request. @default - unchanged */
  readonly port?: number | RedirectPort;
  /** 301, 302, 303, 307 or 308. @default 301 */
  readonly redirectCode?: number;
}

export interface DirectResponse {
  /** HTTP status, 200–599. */
  readonly status: number;
  /** Response body text. @default - empty */
  readonly body?: string;
}

export interface HttpRouteProps {
  /** Route name, used in stats and messages. @default - unnamed */
  readonly name?: string;
  /** Conditions (OR-ed); each Match ANDs its own conditions. @default - every request */
  readonly match?: Match[];
  /** Destinations; `route.to()` adds more later. @default - none (then redirect, directResponse or delegate) */
  readonly to?: Destination[];
  /** Total time a request may take, retries included. @default - no timeout (Istio's default) */
  readonly timeout?: DurationLike;
  /** @default - Istio's default retry policy (2 attempts) */
  readonly retries?: RetryPolicy;
  /** @default - none */
  readonly fault?: Fault;
  /** Send a copy of the traffic here too (responses are discarded). @default - none */
  readonly mirror?: Destination;
  /** Share of traffic mirrored, 0–100. @default 100 when `mirror` is set */
  readonly mirrorPercentage?: number;
  /** @default - none */
  readonly corsPolicy?: CorsPolicy;
  /** Header changes for every destination of the route. @default - none */
  readonly headers?: HeaderOperations;
  /** @default - none */
  readonly rewrite?: Rewrite;
  /** Answer with a redirect instead of forwarding. @default - none */
  readonly redirect?: Redirect;
  /** Answer directly instead of forwarding. @default - none */
  readonly directResponse?: DirectResponse;
  /** Hand the route over to a delegate VirtualService (one created with `delegate: true`). @default - none */
  readonly delegate?: IVirtualServiceRef;
}

const REDIRECT_CODES = [301, 302, 303, 307, 308];
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'];

/**
 * One entry of `spec.http`. Created by `VirtualService.addHttpRoute()`; add destinations with `to()`.
 */
export class HttpRoute {
  private readonly destinations: BoundDestination[] = [];
  private readonly rendered: HttpRouteSpec;
  private readonly mirrorDestination?: BoundDestination;
  private readonly field: string;

  /** @internal */
  public constructor(
    private readonly scope: IConstruct,
    private readonly index: number,
    private readonly namespace: string,
    public readonly props: HttpRouteProps,
  ) {
    this.field = `spec.http[${index}]`;
    const f = this.field;
    const exclusive: string[] = (['redirect', 'directResponse', 'delegate'] as const).filter((k) => props[k] !== undefined);
    if ((props.to?.length ?? 0) > 0) {
      exclusive.unshift('to');
    }
    if (exclusive.length > 1) {
      check(scope, f, { problem: `${this.label} sets ${exclusive.join(' and ')}; a route does exactly one of them`, fix: 'keep one: forward (to), redirect, directResponse or delegate' });
    }
    if (props.name !== undefined && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(props.name)) {
      check(scope, `${f}.name`, { problem: `"${props.name}" is not a route name`, fix: 'use letters, digits, "-", "_" and "."' });
    }
    if (props.rewrite && props.redirect) {
      check(scope, `${f}.rewrite`, { problem: 'a route cannot both rewrite and redirect', fix: 'put the new path in redirect.uri' });
    }
    if (props.delegate?.isDelegate === false) {
      check(scope, `${f}.delegate`, {
        problem: `VirtualService ${props.delegate.namespace}/${props.delegate.virtualServiceName} is not a delegate`,
        fix: 'create the target with delegate: true (no hosts, no gateways)',
      });
    }
    if (props.mirror) {
      this.mirrorDestination = props.mirror._bind(scope, `${f}.mirror`, namespace, 'mirror');
      check(scope, `${f}.mirrorPercentage.value`, percentageProblem(props.mirrorPercentage));
    } else if (props.mirrorPercentage !== undefined) {
      check(scope, `${f}.mirrorPercentage`, { problem: 'set without a mirror', fix: 'set `mirror` to the destination that receives the copy' });
    }
    if (props.headers) {
      validateHeaderOperations(scope, `${f}.headers`, props.headers);
    }
    this.rendered = {
      name: props.name,
      match: props.match && props.match.length > 0 ? props.match.map((m, j) => m._render(scope, `${f}.match[${j}]`)) : undefined,
      rewrite: props.rewrite && this.renderRewrite(props.rewrite),
      redirect: props.redirect && this.renderRedirect(props.redirect),
      directResponse: props.directResponse && this.renderDirectResponse(props.directResponse),
      delegate: props.delegate && { name: props.delegate.virtualServiceName, namespace: props.delegate.namespace },
      timeout: renderDuration(scope, `${f}.timeout`, props.timeout),
      retries: props.retries && this.renderRetries(props.retries),
      fault: props.fault?._render(scope, `${f}.fault`),
      mirrorPercentage: props.mirror ? { value: props.mirrorPercentage ?? 100 } : undefined,
      corsPolicy: props.corsPolicy && this.renderCors(props.corsPolicy),
      headers: renderHeaderOperations(props.headers),
    };
    for (const d of props.to ?? []) {
      this.addDestination(d);
    }
  }

  public get name(): string | undefined {
    return this.props.name;
  }

  /** Add a destination; weights of all destinations must total 100 when there are several. */
  public to(target: DestinationTarget, options: RouteDestinationOptions = {}): this {
    return this.addDestination(Destination.to(target, options));
  }

  public addDestination(destination: Destination): this {
    for (const k of ['redirect', 'directResponse', 'delegate'] as const) {
      if (this.props[k] !== undefined) {
        check(this.scope, `${this.field}.route`, { problem: `${this.label} has ${k} set and cannot also forward`, fix: `remove ${k}, or do not add destinations` });
      }
    }
    const bound = destination._bind(this.scope, `${this.field}.route[${this.destinations.length}].destination`, this.namespace, 'route');
    this.destinations.push(bound);
    checkWeightsSoFar(this.scope, `${this.field}.route`, this.label, this.destinations);
    return this;
  }

  /** @internal */
  public _validate(): FieldProblem[] {
    const f = this.field;
    const problems = weightProblems(`${f}.route`, this.label, this.destinations);
    this.destinations.forEach((d, j) => problems.push(...d.lateProblems(`${f}.route[${j}].destination`)));
    if (this.mirrorDestination) {
      problems.push(...this.mirrorDestination.lateProblems(`${f}.mirror`));
    }
    const acts = this.destinations.length > 0 || ['redirect', 'directResponse', 'delegate'].some((k) => this.props[k as keyof HttpRouteProps] !== undefined);
    if (!acts) {
      problems.push({ field: f, problem: `${this.label} has no destination, redirect, direct response or delegate`, fix: 'add a destination with `to: [...]` or route.to(service)' });
    }
    return problems;
  }

  /** @internal */
  public _render(): HttpRouteSpec {
    return {
      ...this.rendered,
      route: this.destinations.length > 0 ? this.destinations.map((d) => d.renderRoute()) : undefined,
      mirror: this.mirrorDestination?.renderDestination(),
    };
  }

  private get label(): string {
    return routeLabel(this.props.name, this.index);
  }

  private renderRewrite(r: Rewrite): HttpRouteSpec['rewrite'] {
    const f = `${this.field}.rewrite`;
    if (r.uri === undefined && r.authority === undefined && r.uriRegex === undefined) {
      check(this.scope, f, { problem: 'rewrites nothing', fix: 'set uri, authority or uriRegex' });
    }
    if (r.uri !== undefined && r.uriRegex !== undefined) {
      check(this.scope, f, { problem: 'uri and uriRegex are both set', fix: 'use one of them' });
    }
    if (r.uriRegex) {
      check(this.scope, `${f}.uriRegexRewrite.match`, regexProblem(r.uriRegex.match));
    }
    if (r.authority !== undefined && r.authority.length === 0) {
      check(this.scope, `${f}.authority`, { problem: 'is empty', fix: 'give the host name to send, or leave authority out' });
    }
    return {
      uri: r.uri,
      authority: r.authority,
      uriRegexRewrite: r.uriRegex && { match: r.uriRegex.match, rewrite: r.uriRegex.rewrite },
    };
  }

  private renderRedirect(r: Redirect): HttpRouteSpec['redirect'] {
    const f = `${this.field}.redirect`;
    if (r.uri === undefined && r.authority === undefined && r.scheme === undefined && r.port === undefined) {
      check(this.scope, f, { problem: 'redirects to the same URL', fix: 'set uri, authority, scheme or port' });
    }
    if (r.redirectCode !== undefined && !REDIRECT_CODES.includes(r.redirectCode)) {
      check(this.scope, `${f}.redirectCode`, { problem: `${r.redirectCode} is not a redirect status`, fix: `use one of ${REDIRECT_CODES.join(', ')}` });
    }
    if (typeof r.port === 'number') {
      check(this.scope, `${f}.port`, portProblem(r.port, 'use a port from 1 to 65535'));
    }
    return {
      uri: r.uri,
      authority: r.authority,
      scheme: r.scheme,
      port: typeof r.port === 'number' ? r.port : undefined,
      derivePort: typeof r.port === 'string' ? r.port : undefined,
      redirectCode: r.redirectCode,
    };
  }

  private renderDirectResponse(r: DirectResponse): HttpRouteSpec['directResponse'] {
    const f = `${this.field}.directResponse`;
    if (!Number.isInteger(r.status) || r.status < 200 || r.status > 599) {
      check(this.scope, `${f}.status`, { problem: `${r.status} is not an HTTP status Istio can return`, fix: 'use a status from 200 to 599' });
    }
    return { status: r.status, body: r.body === undefined ? undefined : { string: r.body } };
  }

  private renderRetries(r: RetryPolicy): HttpRouteSpec['retries'] {
    const f = `${this.field}.retries`;
    check(this.scope, `${f}.attempts`, countProblem(r.attempts));
    if (r.attempts === 0 && (r.perTryTimeout || r.retryOn)) {
      check(this.scope, f, { problem: 'attempts is 0 (no retries) but perTryTimeout or retryOn is set', fix: 'remove them, or allow at least one attempt' });
    }
    if (r.retryOn && r.retryOn.length === 0) {
      check(this.scope, `${f}.retryOn`, { problem: 'is an empty list', fix: 'list at least one condition, or leave retryOn out for Istio\'s default' });
    }
    return {
      attempts: r.attempts,
      perTryTimeout: renderDuration(this.scope, `${f}.perTryTimeout`, r.perTryTimeout),
      retryOn: r.retryOn && [...new Set(r.retryOn.map((x) => x.value))].join(','),
      retryRemoteLocalities: r.retryRemoteLocalities,
      backoff: renderDuration(this.scope, `${f}.backoff`, r.backoff),
    };
  }

  private renderCors(c: CorsPolicy): HttpRouteSpec['corsPolicy'] {
    const f = `${this.field}.corsPolicy`;
    if (c.allowOrigins.length === 0) {
      check(this.scope, `${f}.allowOrigins`, { problem: 'is empty', fix: 'list the origins allowed to call, e.g. StringMatch.exact(\'https://shop.example.com\')' });
    }
    (c.allowMethods ?? []).forEach((m, i) => {
      if (!HTTP_METHODS.includes(m)) {
        check(this.scope, `${f}.allowMethods[${i}]`, { problem: `"${m}" is not an HTTP method`, fix: `use one of ${HTTP_METHODS.join(', ')}` });
      }
    });
    for (const key of ['allowHeaders', 'exposeHeaders'] as const) {
      (c[key] ?? []).forEach((h, i) => {
        if (h !== '*') {
          const problem = headerNameProblem(h.toLowerCase());
          check(this.scope, `${f}.${key}[${i}]`, problem && { problem: problem.problem, fix: 'use header names such as content-type' });
        }
      });
    }
    return {
      allowOrigins: c.allowOrigins.map((o, i) => o._render(this.scope, `${f}.allowOrigins[${i}]`)),
      allowMethods: c.allowMethods && [...c.allowMethods],
      allowHeaders: c.allowHeaders && [...c.allowHeaders],
      exposeHeaders: c.exposeHeaders && [...c.exposeHeaders],
      maxAge: renderDuration(this.scope, `${f}.maxAge`, c.maxAge),
      allowCredentials: c.allowCredentials,
      unmatchedPreflights: c.unmatchedPreflights,
    };
  }
}
