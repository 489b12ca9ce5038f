/**
 * An ingress gateway deployment, as `helm install istio-ingress istio/gateway` renders it:
 * LoadBalancer Service by default. See GatewayDeployment for what every gateway deployment writes.
 */
import { Construct } from 'constructs';
import { GatewayDeployment, GatewayDeploymentProps, GatewayServiceType } from './gateway-deployment';

export interface IngressGatewayProps extends GatewayDeploymentProps {
  /** @default GatewayServiceType.LOAD_BALANCER */
  readonly serviceType?: GatewayServiceType;
  /** Client CIDRs the load balancer admits. @default - any */
  readonly loadBalancerSourceRanges?: string[];
  /** `Local` keeps client source IPs. @default - Kubernetes's default (Cluster) */
  readonly externalTrafficPolicy?: 'Local' | 'Cluster';
  /** @default - the cluster's default load balancer implementation */
  readonly loadBalancerClass?: string;
  /**
   * Make this an east-west gateway for the given network (multi-network meshes): the Service
   * exposes 15443 (tls), 15012 (tls-istiod) and 15017 (tls-webhook), as the chart's `networkGateway` does.
   * @default - not a network gateway
   */
  readonly network?: string;
}

export class IngressGateway extends GatewayDeployment {
  public constructor(scope: Construct, id: string, props: IngressGatewayProps = {}) {
    super(scope, id, props, {
      type: props.serviceType ?? GatewayServiceType.LOAD_BALANCER,
      loadBalancerSourceRanges: props.loadBalancerSourceRanges,
      externalTrafficPolicy: props.externalTrafficPolicy,
      loadBalancerClass: props.loadBalancerClass,
      network: props.network,
    });
  }
}
