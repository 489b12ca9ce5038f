/**
 * TCP routes of a VirtualService: opaque TCP traffic routed by port, subnet or source.
 */
import { IConstruct } from 'constructs';
import { IGatewayRef } from './references';
import { Destination, WeightedDestinationOptions } from './route-destination';
import {
  BoundDestination, checkWeightsSoFar, DestinationTarget, Json, problemText, renderL4Match, routeLabel, weightProblems,
} from './routing-internal';

/** Conditions shared by TCP and TLS matches; all given conditions must hold. */
export interface L4MatchConditions {
  /** Port the host is addressed on. @default - any port */
  readonly port?: number;
  /** Destination IPs or CIDR blocks. @default - any */
  readonly destinationSubnets?: string[];
  /** Labels of the client workloads (mesh-bound routes only). @default - any client */
  readonly sourceLabels?: Record<string, string>;
  /** Namespace of the client workloads (mesh-bound routes only). @default - any */
  readonly sourceNamespace?: string;
  /** Only on these gateways (MESH_GATEWAY for sidecars). @default - every gateway the VirtualService is bound to */
  readonly gateways?: IGatewayRef[];
}

export interface TcpMatch extends L4MatchConditions {
  /** Client IP or CIDR block. @default - any */
  readonly sourceSubnet?: string;
}

export interface TcpRouteProps {
  /** Conditions (OR-ed). @default - all TCP traffic for the hosts */
  readonly match?: TcpMatch[];
  /** Destinations; `route.to()` adds more. @default - none */
  readonly to?: Destination[];
}

/** Destinations of an L4 (TCP or TLS) route. @internal */
export abstract class L4Route {
  private readonly destinations: BoundDestination[] = [];

  protected constructor(
    protected readonly scope: IConstruct,
    protected readonly field: string,
    protected readonly index: number,
    private readonly namespace: string,
  ) {}

  public to(target: DestinationTarget, options: WeightedDestinationOptions = {}): this {
    return this.addDestination(Destination.to(target, options));
  }

  public addDestination(destination: Destination): this {
    const bound = destination._bind(this.scope, `${this.field}.route[${this.destinations.length}].destination`, this.namespace, 'l4');
    this.destinations.push(bound);
    checkWeightsSoFar(this.scope, `${this.field}.route`, routeLabel(undefined, this.index), this.destinations);
    return this;
  }

  /** @internal */
  public _validate(): string[] {
    if (this.destinations.length === 0) {
      return [problemText(this.field, `${routeLabel(undefined, this.index)} has no destination`, 'add one with `to: [...]` or route.to(service)')];
    }
    const problems = weightProblems(`${this.field}.route`, routeLabel(undefined, this.index), this.destinations);
    this.destinations.forEach((d, j) => problems.push(...d.lateProblems(`${this.field}.route[${j}].destination`)));
    return problems;
  }

  protected renderRoutes(): Json[] {
    return this.destinations.map((d) => ({ destination: d.renderDestination(), weight: d.weight }));
  }
}

/** One entry of `spec.tcp`. Created by `VirtualService.addTcpRoute()`. */
export class TcpRoute extends L4Route {
  private readonly match?: Json[];

  /** @internal */
  public constructor(scope: IConstruct, index: number, namespace: string, props: TcpRouteProps) {
    super(scope, `spec.tcp[${index}]`, index, namespace);
    this.match = props.match && props.match.length > 0
      ? props.match.map((m, j) => renderL4Match(scope, `${this.field}.match[${j}]`, m))
      : undefined;
    for (const d of props.to ?? []) {
      this.addDestination(d);
    }
  }

  /** @internal */
  public _render(): Json {
    return { match: this.match, route: this.renderRoutes() };
  }
}
