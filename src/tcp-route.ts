/**
 * TCP routes of a VirtualService: opaque TCP traffic routed by port, subnet or source.
 */
import { IConstruct } from 'constructs';
import * as l1 from './l1';
import { IGatewayRef } from './references';
import {
  BoundDestination, checkWeightsSoFar, Destination, DestinationTarget, routeLabel, WeightedDestinationOptions, weightProblems,
} from './route-destination';
import { check, cidrProblem, dnsLabelProblem, FieldProblem, labelsProblem, portProblem } from './validation';

type TcpMatchSpec = l1.Wire<l1.VirtualServiceSpecTcpMatch>;
type L4RouteSpec = l1.Wire<l1.VirtualServiceSpecTcpRoute>;

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

/** Validates and renders the conditions TCP and TLS matches share. */
export function renderL4Match(scope: IConstruct, field: string, m: L4MatchConditions & { sourceSubnet?: string }): TcpMatchSpec {
  if (m.port !== undefined) {
    check(scope, `${field}.port`, portProblem(m.port, 'use a port from 1 to 65535'));
  }
  (m.destinationSubnets ?? []).forEach((s, i) => check(scope, `${field}.destinationSubnets[${i}]`, cidrProblem(s)));
  if (m.sourceSubnet !== undefined) {
    check(scope, `${field}.sourceSubnet`, cidrProblem(m.sourceSubnet));
  }
  if (m.sourceNamespace !== undefined) {
    check(scope, `${field}.sourceNamespace`, dnsLabelProblem(m.sourceNamespace, 'namespace name'));
  }
  check(scope, `${field}.sourceLabels`, labelsProblem(m.sourceLabels));
  return {
    port: m.port,
    destinationSubnets: m.destinationSubnets && [...m.destinationSubnets],
    sourceSubnet: m.sourceSubnet,
    sourceLabels: m.sourceLabels && { ...m.sourceLabels },
    sourceNamespace: m.sourceNamespace,
    gateways: m.gateways?.map((g) => g.gatewayRef),
  };
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
  public _validate(): FieldProblem[] {
    if (this.destinations.length === 0) {
      return [{ field: this.field, problem: `${routeLabel(undefined, this.index)} has no destination`, fix: 'add one with `to: [...]` or route.to(service)' }];
    }
    const problems = weightProblems(`${this.field}.route`, routeLabel(undefined, this.index), this.destinations);
    this.destinations.forEach((d, j) => problems.push(...d.lateProblems(`${this.field}.route[${j}].destination`)));
    return problems;
  }

  protected renderRoutes(): L4RouteSpec[] {
    return this.destinations.map((d) => ({ destination: d.renderDestination(), weight: d.weight }));
  }
}

/** One entry of `spec.tcp`. Created by `VirtualService.addTcpRoute()`. */
export class TcpRoute extends L4Route {
  private readonly match?: TcpMatchSpec[];

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
  public _render(): l1.Wire<l1.VirtualServiceSpecTcp> {
    return { match: this.match, route: this.renderRoutes() };
  }
}
