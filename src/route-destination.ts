/**
 * Where a route sends traffic: a host (a Service object, a reference or a string), a port and a
 * DestinationRule subset, with a weight when a route splits traffic.
 */
import { IConstruct } from 'constructs';
import type { Subset } from './destination-rule';
import { propError } from './errors';
import { portProblem } from './host';
import {
  BoundDestination, checkCount, DestinationTarget, resolveTarget, validateHeaderOperations, wildcardCovers,
} from './routing-internal';

export type { DestinationTarget } from './routing-internal';

/** Request or response header changes. */
export interface HeaderOperation {
  /** Headers to overwrite. @default - none */
  readonly set?: Record<string, string>;
  /** Headers to append to. @default - none */
  readonly add?: Record<string, string>;
  /** Headers to remove. @default - none */
  readonly remove?: string[];
}

/** Header changes on the way to the destination (request) and back (response). */
export interface HeaderOperations {
  /** @default - requests are forwarded unchanged */
  readonly request?: HeaderOperation;
  /** @default - responses are returned unchanged */
  readonly response?: HeaderOperation;
}

export interface DestinationOptions {
  /**
   * Port on the destination host.
   * @default - the target's port when it exposes exactly one (cdk8s-plus Services and references
   * that list their ports); otherwise none, which Istio accepts only for single-port services
   */
  readonly port?: number;
  /**
   * A subset of a DestinationRule for the same host (`dr.addSubset('v1', { version: 'v1' })`).
   * @default - all endpoints of the host
   */
  readonly subset?: Subset;
}

export interface WeightedDestinationOptions extends DestinationOptions {
  /**
   * Share of the route's traffic, 0–100. When a route has several destinations every one needs a
   * weight and the weights must total 100.
   * @default - all traffic, when this is the route's only destination
   */
  readonly weight?: number;
}

export interface RouteDestinationOptions extends WeightedDestinationOptions {
  /** Header changes for traffic to this destination only (HTTP routes). @default - none */
  readonly headers?: HeaderOperations;
}

/** A destination of a route or a mirror. */
export class Destination {
  /**
   * @param target a cdk8s-plus Service (`name.namespace.svc.cluster.local`), an IServiceRef, or a
   * host string (short names resolve in the VirtualService's namespace)
   */
  public static to(target: DestinationTarget, options: RouteDestinationOptions = {}): Destination {
    return new Destination(target, options);
  }

  private constructor(public readonly target: DestinationTarget, public readonly options: RouteDestinationOptions) {}

  public get weight(): number | undefined {
    return this.options.weight;
  }

  /**
   * Validates what can be checked now and returns the resolved target.
   * @internal
   */
  public _bind(scope: IConstruct, field: string, namespace: string, usage: 'route' | 'mirror' | 'l4'): BoundDestination {
    const resolved = resolveTarget(scope, `${field}.host`, this.target, namespace);
    const { port, subset, weight, headers } = this.options;
    if (port !== undefined) {
      const problem = portProblem(port);
      if (problem) {
        propError(scope, `${field}.port.number`, problem, 'use the Service port the destination listens on');
      }
      const known = resolved.ports();
      if (known && known.length > 0 && !known.includes(port)) {
        propError(scope, `${field}.port.number`, `${resolved.host} exposes ports ${known.join(', ')}, not ${port}`,
          'route to one of the Service\'s ports (the Service port, not the container port)');
      }
    }
    if (subset) {
      const drHost = subset.destinationRule.hostFqdn;
      if (!wildcardCovers(drHost, resolved.fqdn)) {
        propError(scope, `${field}.subset`,
          `subset "${subset.name}" is defined by DestinationRule ${subset.destinationRule.namespace}/${subset.destinationRule.name} for host ${drHost}, not for ${resolved.fqdn}`,
          `use a subset of a DestinationRule whose host is ${resolved.fqdn}`);
      }
    }
    if (usage === 'mirror' && weight !== undefined) {
      propError(scope, `${field}.weight`, 'a mirror takes no weight', 'set mirrorPercentage on the route instead');
    }
    if (usage !== 'route' && headers !== undefined) {
      propError(scope, `${field}.headers`, 'header operations apply only to HTTP route destinations',
        usage === 'mirror' ? 'set headers on the route' : 'remove the headers');
    }
    if (weight !== undefined) {
      checkCount(scope, `${field}.weight`, weight);
      if (weight > 100) {
        propError(scope, `${field}.weight`, `${weight} is more than 100`, 'weights are percentages of the route\'s traffic');
      }
    }
    if (headers) {
      validateHeaderOperations(scope, `${field}.headers`, headers);
    }
    return new BoundDestination(this, resolved);
  }
}

