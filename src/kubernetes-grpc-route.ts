/**
 * A Gateway API GRPCRoute (gateway.networking.k8s.io/v1): gRPC calls routed by service and
 * method, with header changes, mirrors and weighted Services. Its listeners must speak HTTP/2,
 * which Istio's HTTP and HTTPS listeners do.
 */
import { Construct } from 'constructs';
import type * as gw from '../imports/gateway.networking.k8s.io';
import { GatewayApiRoute, GatewayApiRouteProps } from './gateway-api-route';
import type { Wire } from './l1';
import { RouteBackend, RouteFilter } from './route-parts';
import { check } from './validation';

type GrpcRouteSpec = Wire<gw.GrpcRouteSpec>;
type GrpcRouteRuleSpec = Wire<gw.GrpcRouteSpecRules>;
type GrpcMatchSpec = Wire<gw.GrpcRouteSpecRulesMatches>;

/** What a GRPCRoute rule matches: a service and method, and headers. */
export class GrpcMatch {
  /** Every method of a service, e.g. `shop.v1.Cart`. */
  public static service(service: string): GrpcMatch {
    return new GrpcMatch({ method: { type: 'Exact', service } });
  }

  /** One method of a service (or of any service, when `service` is omitted). */
  public static method(method: string, service?: string): GrpcMatch {
    return new GrpcMatch({ method: { type: 'Exact', method, ...(service !== undefined ? { service } : {}) } });
  }

  private constructor(private readonly match: GrpcMatchSpec) {}

  /** Also require a metadata header. */
  public withHeader(name: string, value: string, options: { readonly regex?: boolean } = {}): GrpcMatch {
    return new GrpcMatch({ ...this.match, headers: [...(this.match.headers ?? []), { name, value, type: options.regex ? 'RegularExpression' : 'Exact' }] });
  }

  public render(): GrpcMatchSpec {
    return JSON.parse(JSON.stringify(this.match)) as GrpcMatchSpec;
  }
}

export interface KubernetesGrpcRouteRule {
  /** @default - none */
  readonly name?: string;
  /** Any of these selects the rule. @default - every call */
  readonly matches?: GrpcMatch[];
  /** Weighted Services. */
  readonly backends: RouteBackend[];
  /** Header changes or a mirror (GRPCRoute has no redirects or rewrites). @default - none */
  readonly filters?: RouteFilter[];
}

export interface KubernetesGrpcRouteProps extends GatewayApiRouteProps {
  /** More can be added with addRule(). @default - none */
  readonly rules?: KubernetesGrpcRouteRule[];
}

const GRPC_FILTERS = new Set(['RequestHeaderModifier', 'ResponseHeaderModifier', 'RequestMirror']);

export class KubernetesGrpcRoute extends GatewayApiRoute<GrpcRouteSpec, GrpcRouteRuleSpec> {
  public constructor(scope: Construct, id: string, props: KubernetesGrpcRouteProps = {}) {
    super(scope, id, props, { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GRPCRoute' });
    (props.rules ?? []).forEach((r) => this.addRule(r));
  }

  public addRule(rule: KubernetesGrpcRouteRule): void {
    const field = `spec.rules[${this.rules.length}]`;
    const filters = rule.filters ?? [];
    filters.forEach((f, i) => {
      if (!GRPC_FILTERS.has(f.type)) {
        check(this, `${field}.filters[${i}]`, { problem: `a GRPCRoute has no ${f.type} filter`, fix: 'use header changes or a mirror, or an HTTPRoute for redirects and rewrites' });
      }
    });
    if (rule.backends.length === 0) {
      check(this, `${field}.backendRefs`, { problem: 'the rule sends matching calls nowhere (they fail with UNAVAILABLE)', fix: 'add backends' });
    }
    const backendRefs = rule.backends.map((b, i) => this.backendReference(`${field}.backendRefs[${i}]`, b));
    const mirrors = filters.map((f, i) => (f.mirrorTo ? this.backendReference(`${field}.filters[${i}].requestMirror.backendRef`, f.mirrorTo) : undefined));
    const matches = rule.matches ?? [];
    this.rules.push(() => ({
      ...(rule.name !== undefined ? { name: rule.name } : {}),
      ...(matches.length ? { matches: matches.map((m) => m.render()) } : {}),
      ...(filters.length ? { filters: filters.map((f, i) => f.render(mirrors[i]?.()) as Wire<gw.GrpcRouteSpecRulesFilters>) } : {}),
      backendRefs: backendRefs.map((b) => b()),
    }));
  }

  protected renderSpec(): GrpcRouteSpec {
    return this.renderRoute();
  }
}
