/**
 * A Gateway API HTTPRoute (gateway.networking.k8s.io/v1): rules of matches, filters and weighted
 * Services, attached to Gateways for ingress or to Services for mesh routing. Named apart from
 * the VirtualService's `HttpRoute`.
 *
 * The standard channel has no retry field, so a rule cannot set retries; Istio's default retry
 * policy applies to it (two attempts on connect failures and refused streams).
 */
import { Construct } from 'constructs';
import type * as gw from '../imports/gateway.networking.k8s.io';
import { DurationLike, millisOfDuration, renderGatewayApiDuration } from './duration';
import { GatewayApiRoute, GatewayApiRouteProps } from './gateway-api-route';
import type { Wire } from './l1';
import { RouteBackend, RouteFilter, RouteMatch } from './route-parts';
import { check } from './validation';

type HttpRouteSpec = Wire<gw.HttpRouteSpec>;
type HttpRouteRuleSpec = Wire<gw.HttpRouteSpecRules>;

/** One rule: what it matches and where matching requests go. */
export interface KubernetesHttpRouteRule {
  /** A name for the rule, which policies and status can refer to. @default - none */
  readonly name?: string;
  /** Any of these matches selects the rule. @default - every request (PathPrefix "/") */
  readonly matches?: RouteMatch[];
  /** Weighted Services; none when the rule redirects. @default - none */
  readonly backends?: RouteBackend[];
  /** Header changes, a redirect, a rewrite or a mirror. @default - none */
  readonly filters?: RouteFilter[];
  /** How long the whole request may take, retries included; 0 for no limit. @default - Istio's (none) */
  readonly timeout?: DurationLike;
  /** How long one try at a backend may take. @default - the request timeout */
  readonly backendTimeout?: DurationLike;
}

export interface KubernetesHttpRouteProps extends GatewayApiRouteProps {
  /** More can be added with addRule(). @default - none */
  readonly rules?: KubernetesHttpRouteRule[];
}

export class KubernetesHttpRoute extends GatewayApiRoute<HttpRouteSpec, HttpRouteRuleSpec> {
  public constructor(scope: Construct, id: string, props: KubernetesHttpRouteProps = {}) {
    super(scope, id, props, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute' });
    (props.rules ?? []).forEach((r) => this.addRule(r));
  }

  /** Add a rule; checked now, rendered with the rest. */
  public addRule(rule: KubernetesHttpRouteRule): void {
    const field = `spec.rules[${this.rules.length}]`;
    const filters = rule.filters ?? [];
    const backends = rule.backends ?? [];
    const redirects = filters.some((f) => f.answers);
    if (redirects && backends.length > 0) {
      check(this, `${field}.backendRefs`, { problem: 'a redirecting rule answers the request itself, so its backends would never be used', fix: 'drop the backends, or the redirect' });
    }
    if (!redirects && backends.length === 0) {
      check(this, `${field}.backendRefs`, { problem: 'the rule sends matching requests nowhere (Istio answers them with a 500)', fix: 'add backends, or a redirect filter' });
    }
    for (const type of new Set(filters.map((f) => f.type))) {
      if (type !== 'RequestMirror' && filters.filter((f) => f.type === type).length > 1) {
        check(this, `${field}.filters`, { problem: `${type} is given twice; the Gateway API allows one per rule`, fix: `merge the two ${type} filters into one` });
      }
    }
    const prefixRewrite = filters.some((f) => f.type === 'URLRewrite' && JSON.stringify(f.render()).includes('ReplacePrefixMatch'));
    const matches = rule.matches ?? [];
    if (prefixRewrite && (matches.length !== 1 || matches[0].path?.type !== 'PathPrefix')) {
      check(this, `${field}.matches`, { problem: 'a prefix rewrite needs exactly one PathPrefix match to know which prefix it replaces', fix: 'give the rule one RouteMatch.pathPrefix(...)' });
    }
    if (rule.timeout !== undefined && rule.backendTimeout !== undefined) {
      const request = millisOfDuration(rule.timeout);
      if (request !== 0 && millisOfDuration(rule.backendTimeout) > request) {
        check(this, `${field}.timeouts.backendRequest`, { problem: 'one try at a backend may not take longer than the whole request', fix: 'make backendTimeout at most timeout' });
      }
    }
    const timeouts = {
      ...(rule.timeout !== undefined ? { request: renderGatewayApiDuration(this, `${field}.timeouts.request`, rule.timeout) } : {}),
      ...(rule.backendTimeout !== undefined ? { backendRequest: renderGatewayApiDuration(this, `${field}.timeouts.backendRequest`, rule.backendTimeout) } : {}),
    };
    const backendRefs = backends.map((b, i) => this.backendReference(`${field}.backendRefs[${i}]`, b));
    const mirrors = filters.map((f, i) => (f.mirrorTo ? this.backendReference(`${field}.filters[${i}].requestMirror.backendRef`, f.mirrorTo) : undefined));
    this.rules.push(() => ({
      ...(rule.name !== undefined ? { name: rule.name } : {}),
      ...(matches.length ? { matches: matches.map((m) => m.render()) } : {}),
      ...(filters.length ? { filters: filters.map((f, i) => f.render(mirrors[i]?.())) } : {}),
      ...(backendRefs.length ? { backendRefs: backendRefs.map((b) => b()) } : {}),
      ...(Object.keys(timeouts).length ? { timeouts } : {}),
    }));
  }

  protected renderSpec(): HttpRouteSpec {
    return this.renderRoute();
  }
}
