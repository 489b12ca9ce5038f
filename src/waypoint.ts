/**
 * An ambient waypoint: the Envoy that gives an ambient namespace (or some of its Services) L7
 * routing and authorization. Istio deploys one for a Gateway API Gateway of class
 * `istio-waypoint` with a single HBONE listener on 15008; `istio.io/waypoint-for` says whose
 * traffic it takes (istio.io docs, ambient/usage/waypoint). Namespaces and Services choose it with
 * the label `istio.io/use-waypoint` (`MeshNamespace` `useWaypoint`).
 *
 * The Gateway is validated against the Gateway API's CRDs like any other Gateway API object.
 */
import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { INamespaceRef } from './references';
import { dependOn, namespaceName } from './resource';
import { check, dnsLabelProblem } from './validation';

/** Whose traffic the waypoint takes (`istio.io/waypoint-for`). */
export type WaypointFor = 'service' | 'workload' | 'all' | 'none';

export interface WaypointProps {
  /** The Gateway's name, which `istio.io/use-waypoint` labels name. @default 'waypoint' */
  readonly name?: string;
  /** Its namespace (an ambient one). */
  readonly namespace: string | INamespaceRef;
  /** @default 'service' - traffic addressed to Services, which is what VirtualServices and L7 policies act on */
  readonly for?: WaypointFor;
  /** A revision or tag of the control plane to run it with (`istio.io/rev`). @default - the default revision */
  readonly revision?: string;
}

export class Waypoint extends Construct {
  public readonly name: string;
  public readonly namespace: string;

  public constructor(scope: Construct, id: string, props: WaypointProps) {
    super(scope, id);
    this.name = props.name ?? 'waypoint';
    this.namespace = namespaceName(props.namespace);
    check(this, 'name', dnsLabelProblem(this.name, 'waypoint name'));
    if (props.revision !== undefined) {
      check(this, 'revision', dnsLabelProblem(props.revision, 'revision'));
    }
    // Applied after the Namespace it lives in, when the app creates that.
    dependOn(this, props.namespace);
    new ApiObject(this, 'Resource', {
      apiVersion: 'gateway.networking.k8s.io/v1',
      kind: 'Gateway',
      metadata: {
        name: this.name,
        namespace: this.namespace,
        labels: { 'istio.io/waypoint-for': props.for ?? 'service', ...(props.revision ? { 'istio.io/rev': props.revision } : {}) },
      },
      spec: {
        gatewayClassName: 'istio-waypoint',
        listeners: [{ name: 'mesh', port: 15008, protocol: 'HBONE' }],
      },
    });
  }
}
