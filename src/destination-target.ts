/**
 * What a route, a DestinationRule or a Sidecar points at: a cdk8s-plus Service, a reference or a
 * host string, resolved to the host Istio reads and the ports it is known to have.
 */
import { Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import { IConstruct } from 'constructs';
import { CLUSTER_DOMAIN, fqdnIn } from './host';
import { IServiceRef } from './references';
import { dependOn } from './resource';
import { check, hostProblem, withFix } from './validation';

/** Something a route or policy can point at: a cdk8s-plus Service, a reference, or a host. */
export type DestinationTarget = kplus.Service | IServiceRef | string;

export interface ResolvedTarget {
  /** The host as written into the manifest. */
  readonly host: string;
  /** The host as Istio resolves it from `namespace` (short names become FQDNs). */
  readonly fqdn: string;
  /** Ports the target exposes, read late (a cdk8s-plus Service can bind ports after use). */
  ports(): readonly number[] | undefined;
}

function isServiceRef(target: unknown): target is IServiceRef {
  return !!target && typeof target === 'object' && typeof (target as IServiceRef).host === 'string';
}

/** The namespace a cdk8s-plus Service lands in: its own, its chart's, or kubectl's default. */
export function kplusServiceNamespace(service: kplus.Service): string {
  return service.metadata.namespace ?? Chart.of(service).namespace ?? 'default';
}

/** The host of a cdk8s-plus Service: `name.namespace.svc.cluster.local`. */
export function kplusServiceHost(service: kplus.Service): string {
  return `${service.name}.${kplusServiceNamespace(service)}.${CLUSTER_DOMAIN}`;
}

/**
 * Resolves a target and orders `scope` after it when it is a construct of the app. Hosts given as
 * strings are validated here; `namespace` is where the referring object lives, which is where
 * Istio resolves short names.
 */
export function resolveTarget(scope: IConstruct, field: string, target: DestinationTarget, namespace: string): ResolvedTarget {
  dependOn(scope, target);
  if (target instanceof kplus.Service) {
    const host = kplusServiceHost(target);
    return { host, fqdn: host, ports: () => target.ports.map((p) => p.port) };
  }
  if (typeof target === 'string') {
    check(scope, field, withFix(hostProblem(target, { allowWildcardAll: false }),
      'use a Service name, an FQDN such as reviews.bookinfo.svc.cluster.local, or pass the Service object'));
    return { host: target, fqdn: fqdnIn(target, namespace), ports: () => undefined };
  }
  if (isServiceRef(target)) {
    check(scope, field, withFix(hostProblem(target.host, { allowWildcardAll: false }), 'fix the host of the service reference'));
    const fqdn = target.namespace && !target.host.includes('.') ? fqdnIn(target.host, target.namespace) : fqdnIn(target.host, namespace);
    return { host: target.host, fqdn, ports: () => target.ports };
  }
  const got = target === null || typeof target !== 'object' ? typeof target : (target as object).constructor?.name ?? 'object';
  check(scope, field, {
    problem: `got ${got}, which is neither a Service, a service reference nor a host string`,
    fix: 'pass a cdk8s-plus Service, ServiceRef.fromName(...) or a host (a Destination goes to route.addDestination(), not route.to())',
  });
  throw new Error('unreachable');
}
