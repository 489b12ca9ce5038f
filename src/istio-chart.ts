import { Chart, ChartProps } from 'cdk8s';
import { Construct } from 'constructs';

export interface IstioChartProps extends ChartProps {}

/**
 * A Chart with the defaults manifests for a mesh want: object names exactly as given, never
 * with cdk8s's hash suffix (other objects refer to them by name, and reviewers read them).
 */
export class IstioChart extends Chart {
  public constructor(scope: Construct, id: string, props: IstioChartProps = {}) {
    super(scope, id, { disableResourceNameHashes: true, ...props });
  }
}
