/**
 * Traffic rules for one service inside the mesh, written as data: subsets by labels, then
 * routes in order, each with an optional match (headers, path prefix), a destination or a
 * weighted split across subsets, faults, a timeout and retries. What Istio's bookinfo tasks do
 * by hand (route to v1, split 90/10, route one user elsewhere, inject a delay for one user).
 */
import { Construct } from 'constructs';
import { DestinationRule, Subset } from '../destination-rule';
import { Match } from '../http-match';
import { Fault } from '../http-route';
import { ServiceRef } from '../references';
import { Destination } from '../route-destination';
import { ClientTls } from '../traffic-policy';
import { VirtualService } from '../virtual-service';
import { durationFrom, normalizePathPrefix } from './common';
import { check, refuse } from '../validation';

export interface RouteMatchValues {
  /** Exact header values, all of which must match. @default - any headers */
  readonly headers?: Record<string, string>;
  /** Path prefix (`api` or `/api/`). @default - any path */
  readonly pathPrefix?: string;
}

export interface RouteTargetValues {
  /** Subset name, from `subsets`. @default - every endpoint of the service */
  readonly subset?: string;
  /** Share of the route's traffic; needed on every target when there are several. @default - all */
  readonly weight?: number;
}

export interface RouteFaultValues {
  /** Delay requests: `fixedDelay` such as `7s`, for `percentage` of them (default 100). @default - none */
  readonly delay?: { readonly fixedDelay: string; readonly percentage?: number };
  /** Fail requests with `httpStatus`, for `percentage` of them (default 100). @default - none */
  readonly abort?: { readonly httpStatus: number; readonly percentage?: number };
}

export interface ServiceRouteValues {
  /** Route name. @default - unnamed */
  readonly name?: string;
  /** @default - every request */
  readonly match?: RouteMatchValues;
  /** Where matching requests go. */
  readonly to: RouteTargetValues[];
  /** @default - none */
  readonly fault?: RouteFaultValues;
  /** e.g. `10s`. @default - none */
  readonly timeout?: string;
  /** @default - Istio's default retries */
  readonly retries?: { readonly attempts: number; readonly perTryTimeout?: string };
}

export interface ServiceRoutesProps {
  readonly namespace: string;
  /** Kubernetes Service name. */
  readonly service: string;
  /** Service port. @default - the service's only port */
  readonly port?: number;
  /** Subsets by name, each selecting pods by labels. @default - none */
  readonly subsets?: Record<string, Record<string, string>>;
  /** Routes, first match wins. */
  readonly routes: ServiceRouteValues[];
  /** `istio-mutual` forces Istio mTLS to the service. @default 'auto' */
  readonly mtls?: 'auto' | 'istio-mutual';
}

/** The ServiceRoutes pattern; see the module comment. */
export class ServiceRoutes extends Construct {
  public readonly destinationRule?: DestinationRule;
  public readonly virtualService: VirtualService;

  public constructor(scope: Construct, id: string, props: ServiceRoutesProps) {
    super(scope, id);
    if (!props.routes || props.routes.length === 0) {
      check(this, 'routes', { problem: 'no routes', fix: 'add at least one route; the last one usually has no match' });
    }
    const host = ServiceRef.fromName(props.service, props.namespace, props.port ? { ports: [props.port] } : {});
    const subsets = new Map<string, Subset>();
    const subsetEntries = Object.entries(props.subsets ?? {});
    if (subsetEntries.length > 0 || props.mtls === 'istio-mutual') {
      this.destinationRule = new DestinationRule(this, 'destination', {
        name: props.service,
        namespace: props.namespace,
        host,
        trafficPolicy: props.mtls === 'istio-mutual' ? { tls: ClientTls.istioMutual() } : undefined,
      });
      for (const [name, labels] of subsetEntries) {
        subsets.set(name, this.destinationRule.addSubset(name, labels));
      }
    }

    this.virtualService = new VirtualService(this, 'routes', { name: props.service, namespace: props.namespace, hosts: [host] });
    props.routes.forEach((route, i) => {
      const field = `routes[${i}]`;
      const conditions: Match[] = [];
      for (const [name, value] of Object.entries(route.match?.headers ?? {})) {
        conditions.push(Match.header(name, value));
      }
      if (route.match?.pathPrefix !== undefined) {
        conditions.push(Match.prefix(normalizePathPrefix(route.match.pathPrefix)));
      }
      const match = conditions.length === 0 ? undefined : [conditions.reduce((a, b) => a.and(b))];
      if (!route.to || route.to.length === 0) {
        check(this, `${field}.to`, { problem: 'the route has no destination', fix: 'add a target, e.g. { subset: v1 }' });
      }
      // Checked here too, so a values file's error points at the route rather than the VirtualService.
      const single = route.to.length === 1 ? route.to[0].weight : undefined;
      if (single !== undefined && single !== 100) {
        check(this, `${field}.to[0].weight`, { problem: `a single target with weight ${single} receives all traffic anyway`, fix: 'remove the weight or set it to 100' });
      }
      if (route.to.length > 1) {
        const missing = route.to.findIndex((t) => t.weight === undefined);
        if (missing >= 0) {
          check(this, `${field}.to[${missing}].weight`, { problem: `the route splits traffic between ${route.to.length} targets but this one has no weight`, fix: 'give every target a weight; the weights must total 100' });
        }
        const total = route.to.reduce((sum, t) => sum + (t.weight ?? 0), 0);
        if (total !== 100) {
          check(this, `${field}.to`, { problem: `the weights total ${total}, not 100`, fix: 'make the targets\' weights total exactly 100' });
        }
      }
      const to = route.to.map((t, j) => {
        const subset = t.subset === undefined ? undefined : subsets.get(t.subset);
        if (t.subset !== undefined && !subset) {
          check(this, `${field}.to[${j}].subset`, { problem: `no subset "${t.subset}"`, fix: `define it under subsets, or use one of: ${[...subsets.keys()].join(', ') || '(none)'}` });
        }
        return Destination.to(host, { port: props.port, subset, weight: t.weight });
      });
      this.virtualService.addHttpRoute({
        name: route.name,
        match,
        to,
        fault: faultFrom(this, `${field}.fault`, route.fault),
        timeout: durationFrom(this, `${field}.timeout`, route.timeout),
        retries: route.retries ? {
          attempts: route.retries.attempts,
          perTryTimeout: durationFrom(this, `${field}.retries.perTryTimeout`, route.retries.perTryTimeout),
        } : undefined,
      });
    });
  }
}

function faultFrom(scope: Construct, field: string, values: RouteFaultValues | undefined): Fault | undefined {
  if (!values) {
    return undefined;
  }
  const delay = values.delay ? Fault.delay(durationFrom(scope, `${field}.delay.fixedDelay`, values.delay.fixedDelay)!, values.delay.percentage ?? 100) : undefined;
  const abort = values.abort ? Fault.abort(values.abort.httpStatus, values.abort.percentage ?? 100) : undefined;
  if (!delay && !abort) {
    return refuse(scope, field, { problem: 'a fault needs a delay or an abort', fix: 'give fault.delay.fixedDelay or fault.abort.httpStatus' });
  }
  return delay && abort ? delay.and(abort) : delay ?? abort;
}
