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
import { propError } from '../errors';
import { Match } from '../http-match';
import { ServiceRef } from '../references';
import { Destination } from '../route-destination';
import { ClientTls } from '../traffic-policy';
import { VirtualService } from '../virtual-service';
import { dnsLabelProblem } from './common';

/** One side of the release. */
export interface ReleaseTrack {
  /** Value of the pods' `version` label; also the subset name. */
  readonly version: string;
  /** Further pod labels that tell this track apart. @default - none */
  readonly labels?: Record<string, string>;
}

export interface CanaryReleaseProps {
  /** Namespace of the service. */
  readonly namespace: string;
  /** Kubernetes Service name. */
  readonly service: string;
  /** Service port. @default - the service's only port */
  readonly port?: number;
  readonly stable: ReleaseTrack;
  readonly canary: ReleaseTrack;
  /** Share of traffic for the canary, 0–100. */
  readonly canaryWeight: number;
  /** Requests with this header always reach the canary. @default { name: 'x-canary', value: 'always' } */
  readonly pinHeader?: { readonly name: string; readonly value: string };
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
    if (!Number.isFinite(props.canaryWeight) || props.canaryWeight < 0 || props.canaryWeight > 100 || !Number.isInteger(props.canaryWeight)) {
      propError(this, 'canaryWeight', `${props.canaryWeight} is not a whole percentage`, 'give a whole number from 0 to 100');
    }
    for (const field of ['stable', 'canary'] as const) {
      const p = dnsLabelProblem(props[field].version);
      if (p) {
        propError(this, `${field}.version`, p, 'use a version such as v1');
      }
    }
    if (props.stable.version === props.canary.version) {
      propError(this, 'canary.version', `stable and canary are both ${props.stable.version}`, 'give the canary its own version');
    }
    const gateways = props.gateways ?? [];
    if (gateways.length > 0 && (props.hosts ?? []).length === 0) {
      propError(this, 'hosts', 'gateways are given but no public hosts for them', 'list the hosts the gateways serve this service under');
    }
    if (gateways.length === 0 && (props.hosts ?? []).length > 0) {
      propError(this, 'gateways', 'public hosts are given but no gateway serves them', 'name the gateways (namespace/name) or drop hosts');
    }

    const host = ServiceRef.fromName(props.service, props.namespace, props.port ? { ports: [props.port] } : {});
    this.destinationRule = new DestinationRule(this, 'destination', {
      name: props.service,
      namespace: props.namespace,
      host,
      trafficPolicy: props.mtls === 'istio-mutual' ? { tls: ClientTls.istioMutual() } : undefined,
    });
    this.stableSubset = this.destinationRule.addSubset(props.stable.version, { ...props.stable.labels, version: props.stable.version });
    this.canarySubset = this.destinationRule.addSubset(props.canary.version, { ...props.canary.labels, version: props.canary.version });

    const pin = props.pinHeader ?? { name: 'x-canary', value: 'always' };
    const addRoutes = (vs: VirtualService) => {
      vs.addHttpRoute({
        name: 'pinned-to-canary',
        match: [Match.header(pin.name, pin.value)],
        to: [Destination.to(host, { port: props.port, subset: this.canarySubset })],
      });
      const split = props.canaryWeight === 0
        ? [Destination.to(host, { port: props.port, subset: this.stableSubset })]
        : props.canaryWeight === 100
          ? [Destination.to(host, { port: props.port, subset: this.canarySubset })]
          : [
            Destination.to(host, { port: props.port, subset: this.stableSubset, weight: 100 - props.canaryWeight }),
            Destination.to(host, { port: props.port, subset: this.canarySubset, weight: props.canaryWeight }),
          ];
      vs.addHttpRoute({ name: 'split', to: split });
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
