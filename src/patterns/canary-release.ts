/**
 * A canary release of one service: a DestinationRule with a stable and a canary subset, and the
 * same split on the mesh and on every gateway the service is reached through, with a header
 * that pins testers to the canary.
 *
 * The gateway side matters: a split written only for the mesh does not apply to requests that
 * enter through an ingress gateway (istioctl's IST0140), so those would all reach stable.
 */
import { Construct } from 'constructs';
import { DestinationRule, Subset } from '../destination-rule';
import { Match } from '../http-match';
import { ServiceRef } from '../references';
import { HttpRouteProps } from '../http-route';
import { IServiceRef } from '../references';
import { Destination } from '../route-destination';
import { ClientTls } from '../traffic-policy';
import { VirtualService } from '../virtual-service';
import { checkPatternName } from './common';
import { check, headerNameProblem, Problems } from '../validation';

/** One side of the release. */
export interface ReleaseTrack {
  /** Value of the pods' `version` label; also the subset name. */
  readonly version: string;
  /** Further pod labels that tell this track apart. @default - none */
  readonly labels?: Record<string, string>;
}

/** The canary part of a release, shared by CanaryRelease and ExposedApplication services. */
export interface CanarySplit {
  readonly stable: ReleaseTrack;
  readonly canary: ReleaseTrack;
  /** Share of traffic for the canary, 0–100. */
  readonly canaryWeight: number;
  /**
   * Requests with this header always reach the canary, so testers can try it before any share
   * of the traffic goes there. Opt-in: a public gateway would otherwise let anyone choose.
   * @default - no pinning
   */
  readonly pinHeader?: { readonly name: string; readonly value: string };
}

/** Refuses a split that cannot work, naming `field` under `scope`. */
export function validateCanarySplit(scope: Construct, field: string, split: CanarySplit): void {
  // Independent mistakes are reported together (a bad weight does not hide two equal versions).
  const problems = new Problems(scope);
  const w = split.canaryWeight;
  if (!Number.isFinite(w) || w < 0 || w > 100 || !Number.isInteger(w)) {
    problems.check(`${field}canaryWeight`, { problem: `${w} is not a whole percentage`, fix: 'give a whole number from 0 to 100' });
  }
  for (const track of ['stable', 'canary'] as const) {
    problems.run(() => checkPatternName(scope, `${field}${track}.version`, split[track].version, 'use a version such as v1'));
  }
  if (split.stable.version === split.canary.version) {
    problems.check(`${field}canary.version`, { problem: `stable and canary are both ${split.stable.version}`, fix: 'give the canary its own version' });
  }
  if (split.pinHeader) {
    problems.check(`${field}pinHeader.name`, headerNameProblem(split.pinHeader.name));
    if (!split.pinHeader.value) {
      problems.check(`${field}pinHeader.value`, { problem: 'the value is empty', fix: 'give the value testers send, e.g. always' });
    }
  }
  problems.throwIfAny();
}

/** Adds the stable and canary subsets (named after their versions) to a DestinationRule. */
export function addCanarySubsets(dr: DestinationRule, split: CanarySplit): { stable: Subset; canary: Subset } {
  return {
    stable: dr.addSubset(split.stable.version, { ...split.stable.labels, version: split.stable.version }),
    canary: dr.addSubset(split.canary.version, { ...split.canary.labels, version: split.canary.version }),
  };
}

/**
 * The routes of a release: requests with the pin header (when one is asked for) go to the
 * canary, the rest are split by weight. `match` narrows both (e.g. a path prefix on a gateway).
 */
export function canaryRoutes(host: IServiceRef, port: number | undefined, subsets: { stable: Subset; canary: Subset }, split: CanarySplit, match?: Match): HttpRouteProps[] {
  const to = (subset: Subset, weight?: number) => Destination.to(host, { port, subset, weight });
  const w = split.canaryWeight;
  const pin = split.pinHeader;
  const header = pin && Match.header(pin.name, pin.value);
  return [
    ...(header ? [{ name: 'pinned-to-canary', match: [match ? match.and(header) : header], to: [to(subsets.canary)] }] : []),
    {
      name: 'split',
      match: match ? [match] : undefined,
      to: w === 0 ? [to(subsets.stable)] : w === 100 ? [to(subsets.canary)] : [to(subsets.stable, 100 - w), to(subsets.canary, w)],
    },
  ];
}

export interface CanaryReleaseProps extends CanarySplit {
  /** Namespace of the service. */
  readonly namespace: string;
  /** Kubernetes Service name. */
  readonly service: string;
  /** Service port. @default - the service's only port */
  readonly port?: number;
  /**
   * Gateways (`namespace/name`) the service is also reached through; each gets the same split
   * for `hosts`.
   * @default - the mesh only
   */
  readonly gateways?: string[];
  /** Public hosts served through `gateways`. Required with gateways. @default - none */
  readonly hosts?: string[];
  /** `istio-mutual` forces Istio mTLS to both subsets. @default 'auto' */
  readonly mtls?: 'auto' | 'istio-mutual';
}

/** The CanaryRelease pattern; see the module comment. */
export class CanaryRelease extends Construct {
  public readonly destinationRule: DestinationRule;
  public readonly stableSubset: Subset;
  public readonly canarySubset: Subset;
  /** The mesh-bound VirtualService, then one for the gateways when there are any. */
  public readonly virtualServices: VirtualService[] = [];

  public constructor(scope: Construct, id: string, props: CanaryReleaseProps) {
    super(scope, id);
    validateCanarySplit(this, '', props);
    const gateways = props.gateways ?? [];
    if (gateways.length > 0 && (props.hosts ?? []).length === 0) {
      check(this, 'hosts', { problem: 'gateways are given but no public hosts for them', fix: 'list the hosts the gateways serve this service under' });
    }
    if (gateways.length === 0 && (props.hosts ?? []).length > 0) {
      check(this, 'gateways', { problem: 'public hosts are given but no gateway serves them', fix: 'name the gateways (namespace/name) or drop hosts' });
    }

    const host = ServiceRef.fromName(props.service, props.namespace, props.port ? { ports: [props.port] } : {});
    this.destinationRule = new DestinationRule(this, 'destination', {
      name: props.service,
      namespace: props.namespace,
      host,
      trafficPolicy: props.mtls === 'istio-mutual' ? { tls: ClientTls.istioMutual() } : undefined,
    });
    const subsets = addCanarySubsets(this.destinationRule, props);
    this.stableSubset = subsets.stable;
    this.canarySubset = subsets.canary;
    const addRoutes = (vs: VirtualService) => {
      for (const route of canaryRoutes(host, props.port, subsets, props)) {
        vs.addHttpRoute(route);
      }
    };

    const mesh = new VirtualService(this, 'mesh-routes', { name: props.service, namespace: props.namespace, hosts: [host] });
    addRoutes(mesh);
    this.virtualServices.push(mesh);
    if (gateways.length > 0) {
      const edge = new VirtualService(this, 'gateway-routes', {
        name: `${props.service}-gateway`,
        namespace: props.namespace,
        hosts: props.hosts,
        gateways,
      });
      addRoutes(edge);
      this.virtualServices.push(edge);
    }
  }
}
