/**
 * TLS routes of a VirtualService: TLS traffic that is passed through unterminated, routed by the
 * SNI of the ClientHello.
 */
import { IConstruct } from 'constructs';
import { propError } from './errors';
import { hostProblem } from './host';
import { Destination } from './route-destination';
import { Json, renderL4Match, wildcardCovers } from './routing-internal';
import { L4MatchConditions, L4Route } from './tcp-route';

export interface TlsMatch extends L4MatchConditions {
  /** SNI names to match; each must be one of the VirtualService's hosts or covered by one. */
  readonly sniHosts: string[];
}

export interface TlsRouteProps {
  /** Conditions (OR-ed); a TLS route always matches on SNI. */
  readonly match: TlsMatch[];
  /** Destinations; `route.to()` adds more. @default - none */
  readonly to?: Destination[];
}

/** One entry of `spec.tls`. Created by `VirtualService.addTlsRoute()`. */
export class TlsRoute extends L4Route {
  private readonly match: Json[];

  /** @internal */
  public constructor(scope: IConstruct, index: number, namespace: string, vsHosts: readonly string[], props: TlsRouteProps) {
    super(scope, `spec.tls[${index}]`, index, namespace);
    if (props.match.length === 0) {
      propError(scope, `${this.field}.match`, 'a TLS route needs at least one match', 'match on sniHosts, e.g. { sniHosts: [\'api.example.com\'] }');
    }
    this.match = props.match.map((m, j) => {
      const field = `${this.field}.match[${j}]`;
      if (m.sniHosts.length === 0) {
        propError(scope, `${field}.sniHosts`, 'is empty', 'list the SNI names this route serves');
      }
      m.sniHosts.forEach((sni, k) => {
        const problem = hostProblem(sni, { allowWildcardAll: false });
        if (problem) {
          propError(scope, `${field}.sniHosts[${k}]`, `"${sni}": ${problem}`, 'use a host name such as api.example.com');
        }
        if (!vsHosts.some((h) => wildcardCovers(h, sni))) {
          propError(scope, `${field}.sniHosts[${k}]`, `"${sni}" is not one of the VirtualService's hosts (${vsHosts.join(', ')})`,
            'add the name to the VirtualService hosts or match an SNI name it serves');
        }
      });
      return { ...renderL4Match(scope, field, m), sniHosts: [...m.sniHosts] };
    });
    for (const d of props.to ?? []) {
      this.addDestination(d);
    }
  }

  /** @internal */
  public _render(): Json {
    return { match: this.match, route: this.renderRoutes() };
  }
}
