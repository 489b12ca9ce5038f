/**
 * An egress gateway: the gateway deployment behind a ClusterIP Service, never exposed outside
 * the cluster, for meshes that force outbound traffic through a controlled exit.
 */
import { Construct } from 'constructs';
import { GatewayDeployment, GatewayDeploymentProps, GatewayServiceType } from './gateway-deployment';

export interface EgressGatewayProps extends GatewayDeploymentProps {}

export class EgressGateway extends GatewayDeployment {
  public constructor(scope: Construct, id: string, props: EgressGatewayProps = {}) {
    super(scope, id, props, { type: GatewayServiceType.CLUSTER_IP });
  }
}
