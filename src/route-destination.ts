/**
 * Where a route sends traffic: a host (a Service object, a reference or a string), a port and a
 * DestinationRule subset, with a weight when a route splits traffic.
 */
import { IConstruct } from 'constructs';
import { Subset } from './destination-rule';
import { DestinationTarget, resolveTarget, ResolvedTarget } from './destination-target';
import { wildcardCovers } from './host';
import * as l1 from './l1';
import { dependOn } from './resource';
import { check, countProblem, FieldProblem, headerNameProblem, portProblem } from './validation';

export type { DestinationTarget } from './destination-target';

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

const FORBIDDEN_HEADERS = new Set(['host']);

/** Refuses header names Istio would (pseudo-headers, uppercase, `host`), naming the exact entry. */
export function validateHeaderOperations(scope: IConstruct, field: string, ops: HeaderOperations): void {
  for (const dir of ['request', 'response'] as const) {
    const op = ops[dir];
    if (!op) {
      continue;
    }
    const names: Array<[string, string]> = [
      ...Object.keys(op.set ?? {}).map((n): [string, string] => [n, `${field}.${dir}.set`]),
      ...Object.keys(op.add ?? {}).map((n): [string, string] => [n, `${field}.${dir}.add`]),
      ...(op.remove ?? []).map((n, i): [string, string] => [n, `${field}.${dir}.remove[${i}]`]),
    ];
    for (const [name, where] of names) {
      check(scope, where, headerNameProblem(name) ?? (FORBIDDEN_HEADERS.has(name)
        ? { problem: '"host" cannot be changed here', fix: 'use rewrite.authority to change the host' }
        : undefined));
    }
  }
}

export function renderHeaderOperations(ops: HeaderOperations | undefined): l1.Wire<l1.VirtualServiceSpecHttpHeaders> | undefined {
  if (!ops) {
    return undefined;
  }
  const one = (op: HeaderOperation | undefined) => op && {
    set: op.set && { ...op.set },
    add: op.add && { ...op.add },
    remove: op.remove && [...op.remove],
  };
  return { request: one(ops.request), response: one(ops.response) };
}

/** The label a route gets in messages: its name, else its position. */
export function routeLabel(name: string | undefined, index: number): string {
  return name ? `route "${name}"` : `route #${index}`;
}

/** A destination of a route or a mirror. */
export class Destination {
  /**
   * @param target a cdk8s-plus Service (`name.namespace.svc.cluster.local`), an IServiceRef, a
   * host string (short names resolve in the VirtualService's namespace), or a Subset, which
   * stands for its DestinationRule's host and that subset
   */
  public static to(target: DestinationTarget | Subset, options: RouteDestinationOptions = {}): Destination {
    if (target instanceof Subset) {
      // Without this a Subset would pass for a service reference by its `host` and lose its name.
      const conflicting = options.subset !== undefined && options.subset !== target ? options.subset : undefined;
      return new Destination(target.destinationRule._target, { ...options, subset: target }, conflicting);
    }
    return new Destination(target, options);
  }

  private constructor(
    public readonly target: DestinationTarget,
    public readonly options: RouteDestinationOptions,
    private readonly conflictingSubset?: Subset,
  ) {}

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
    if (this.conflictingSubset && subset) {
      check(scope, `${field}.subset`, {
        problem: `the destination is subset "${subset.name}" and options.subset names "${this.conflictingSubset.name}" as well`,
        fix: 'pass the subset once: Destination.to(subset) or Destination.to(service, { subset })',
      });
    }
    if (port !== undefined) {
      check(scope, `${field}.port.number`, portProblem(port, 'use the Service port the destination listens on'));
      const known = resolved.ports();
      if (known && known.length > 0 && !known.includes(port)) {
        check(scope, `${field}.port.number`, {
          problem: `${resolved.host} exposes ports ${known.join(', ')}, not ${port}`,
          fix: 'route to one of the Service\'s ports (the Service port, not the container port)',
        });
      }
    }
    if (subset) {
      // Subsets must exist before routes use them (make before break), so the rule comes first.
      dependOn(scope, subset.destinationRule);
      const drHost = subset.destinationRule.hostFqdn;
      if (!wildcardCovers(drHost, resolved.fqdn)) {
        check(scope, `${field}.subset`, {
          problem: `subset "${subset.name}" is defined by DestinationRule ${subset.destinationRule.namespace}/${subset.destinationRule.name} for host ${drHost}, not for ${resolved.fqdn}`,
          fix: `use a subset of a DestinationRule whose host is ${resolved.fqdn}`,
        });
      }
    }
    if (usage === 'mirror' && weight !== undefined) {
      check(scope, `${field}.weight`, { problem: 'a mirror takes no weight', fix: 'set mirrorPercentage on the route instead' });
    }
    if (usage !== 'route' && headers !== undefined) {
      check(scope, `${field}.headers`, {
        problem: 'header operations apply only to HTTP route destinations',
        fix: usage === 'mirror' ? 'set headers on the route' : 'remove the headers',
      });
    }
    if (weight !== undefined) {
      check(scope, `${field}.weight`, countProblem(weight) ?? (weight > 100
        ? { problem: `${weight} is more than 100`, fix: 'weights are percentages of the route\'s traffic' }
        : undefined));
    }
    if (headers) {
      validateHeaderOperations(scope, `${field}.headers`, headers);
    }
    return new BoundDestination(this, resolved);
  }
}

/** A destination validated against the route that uses it. */
export class BoundDestination {
  public constructor(public readonly destination: Destination, public readonly resolved: ResolvedTarget) {}

  public get weight(): number | undefined {
    return this.destination.options.weight;
  }

  /** The port to write: explicit, else the target's only port. */
  public port(): number | undefined {
    if (this.destination.options.port !== undefined) {
      return this.destination.options.port;
    }
    const ports = this.resolved.ports();
    return ports && ports.length === 1 ? ports[0] : undefined;
  }

  /** `{ host, subset, port }` as Istio's Destination. */
  public renderDestination(): l1.Wire<l1.VirtualServiceSpecHttpRouteDestination> {
    const port = this.port();
    return {
      host: this.resolved.host,
      subset: this.destination.options.subset?.name,
      port: port === undefined ? undefined : { number: port },
    };
  }

  /** An HTTP route entry: destination, weight and headers. */
  public renderRoute(): l1.Wire<l1.VirtualServiceSpecHttpRoute> {
    return {
      destination: this.renderDestination(),
      weight: this.weight,
      headers: renderHeaderOperations(this.destination.options.headers),
    };
  }

  /** Problems only visible at synthesis (ports bound to a Service after it was referenced). */
  public lateProblems(field: string): FieldProblem[] {
    if (this.destination.options.port === undefined) {
      const ports = this.resolved.ports();
      if (ports && ports.length > 1) {
        return [{
          field: `${field}.port`,
          problem: `${this.resolved.host} exposes several ports (${ports.join(', ')}) and no port was given`,
          fix: 'pass `port` to say which Service port the route targets',
        }];
      }
    }
    return [];
  }
}

/** Eager weight check: a total over 100 can never become valid by adding destinations. */
export function checkWeightsSoFar(scope: IConstruct, field: string, label: string, destinations: readonly BoundDestination[]): void {
  const total = destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0);
  if (total > 100) {
    check(scope, field, {
      problem: `${label} splits ${describeWeights(destinations)} = ${total}%, more than 100`,
      fix: 'make the weights of the route\'s destinations total exactly 100',
    });
  }
}

/** Final weight check, at synthesis, once every destination is known. */
export function weightProblems(field: string, label: string, destinations: readonly BoundDestination[]): FieldProblem[] {
  if (destinations.length === 0) {
    return [];
  }
  if (destinations.length === 1) {
    const w = destinations[0].weight;
    return w === undefined || w === 100 ? [] : [{
      field: `${field}[0].weight`,
      problem: `${label} has a single destination with weight ${w}; it receives all traffic anyway`,
      fix: 'remove the weight or set it to 100',
    }];
  }
  const missing = destinations.findIndex((d) => d.weight === undefined);
  if (missing >= 0) {
    return [{
      field: `${field}[${missing}].weight`,
      problem: `${label} splits traffic between ${destinations.length} destinations but this one has no weight`,
      fix: 'give every destination a weight; the weights must total 100',
    }];
  }
  const total = destinations.reduce((sum, d) => sum + (d.weight ?? 0), 0);
  if (total !== 100) {
    return [{
      field,
      problem: `${label} splits ${describeWeights(destinations)} = ${total}%, not 100`,
      fix: 'make the weights of the route\'s destinations total exactly 100',
    }];
  }
  return [];
}

function describeWeights(destinations: readonly BoundDestination[]): string {
  return destinations.map((d) => String(d.weight ?? 0)).join(' + ');
}
