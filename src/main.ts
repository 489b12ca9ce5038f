/**
 * The bundled app: `npm run synth` (or `cdk8s synth`) runs this compiled file and writes the
 * examples' manifests into dist/.
 */
import { k8s } from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { IstioApp } from './istio-app';
import { IstioChart } from './istio-chart';
import * as l1 from './l1';

/** A storefront exposed through the default ingress gateway, written with L1 constructs only. */
export class QuickstartChart extends IstioChart {
  public constructor(scope: Construct, id: string) {
    super(scope, id, { namespace: 'shop' });

    new k8s.KubeNamespace(this, 'namespace', {
      metadata: { name: 'shop', labels: { 'istio-injection': 'enabled' } },
    });

    new l1.Gateway(this, 'gateway', {
      metadata: { name: 'shop-gateway' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{
          port: { number: 443, name: 'https', protocol: 'HTTPS' },
          hosts: ['shop.example.com'],
          tls: { mode: l1.GatewaySpecServersTlsMode.SIMPLE, credentialName: 'shop-example-com-tls', minProtocolVersion: l1.GatewaySpecServersTlsMinProtocolVersion.TLSV1_UNDERSCORE_2 },
        }],
      },
    });

    new l1.VirtualService(this, 'routes', {
      metadata: { name: 'shop' },
      spec: {
        hosts: ['shop.example.com'],
        gateways: ['shop/shop-gateway'],
        http: [
          {
            name: 'api',
            match: [{ uri: { prefix: '/api/' } }],
            route: [{ destination: { host: 'api.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } } }],
            timeout: '10s',
          },
          {
            name: 'frontend',
            route: [{ destination: { host: 'frontend.shop.svc.cluster.local', port: { number: 80 } } }],
          },
        ],
      },
    });

    new l1.DestinationRule(this, 'api-destination', {
      metadata: { name: 'api' },
      spec: {
        host: 'api.shop.svc.cluster.local',
        subsets: [{ name: 'v1', labels: { version: 'v1' } }],
      },
    });

    new l1.AuthorizationPolicy(this, 'allow-ingress', {
      metadata: { name: 'allow-ingress-to-api' },
      spec: {
        selector: { matchLabels: { app: 'api' } },
        action: l1.AuthorizationPolicySpecAction.ALLOW,
        rules: [{ from: [{ source: { principals: ['cluster.local/ns/istio-system/sa/istio-ingressgateway-service-account'] } }] }],
      },
    });
  }
}

export function buildApp(app: IstioApp = new IstioApp()): IstioApp {
  new QuickstartChart(app, 'quickstart');
  return app;
}

if (require.main === module) {
  try {
    buildApp().synth();
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n`);
    process.exit(1);
  }
}
