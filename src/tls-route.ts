/**
 * TLS routes of a VirtualService: TLS traffic that is passed through unterminated, routed by the
 * SNI of the ClientHello.
 */
import { IConstruct } from 'constructs';
import { wildcardCovers } from './host';
import * as l1 from './l1';
import { Destination } from './route-destination';
import { L4MatchConditions, L4Route, renderL4Match } from './tcp-route';
import { check, hostProblem, withFix } from './validation';

type TlsMatchSpec = l1.Wire<l1.VirtualServiceSpecTlsMatch>;

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
  private readonly match: TlsMatchSpec[];

  /** @internal */
  public constructor(scope: IConstruct, index: number, namespace: string, vsHosts: readonly string[], props: TlsRouteProps) {
    super(scope, `spec.tls[${index}]`, index, namespace);
    if (props.match.length === 0) {
      check(scope, `${this.field}.match`, { problem: 'a TLS route needs at least one match', fix: 'match on sniHosts, e.g. { sniHosts: [\'api.example.com\'] }' });
    }
    this.match = props.match.map((m, j) => {
      const field = `${this.field}.match[${j}]`;
      if (m.sniHosts.length === 0) {
        check(scope, `${field}.sniHosts`, { problem: 'is empty', fix: 'list the SNI names this route serves' });
      }
      m.sniHosts.forEach((sni, k) => {
        check(scope, `${field}.sniHosts[${k}]`, withFix(hostProblem(sni, { allowWildcardAll: false }), 'use a host name such as api.example.com'));
        if (!vsHosts.some((h) => wildcardCovers(h, sni))) {
          check(scope, `${field}.sniHosts[${k}]`, {
            problem: `"${sni}" is not one of the VirtualService's hosts (${vsHosts.join(', ')})`,
            fix: 'add the name to the VirtualService hosts or match an SNI name it serves',
          });
        }
      });
      return { ...renderL4Match(scope, field, m), sniHosts: [...m.sniHosts] };
    });
    for (const d of props.to ?? []) {
      this.addDestination(d);
    }
  }

  /** @internal */
  public _render(): l1.Wire<l1.VirtualServiceSpecTls> {
    return { match: this.match, route: this.renderRoutes() };
  }
}
