import { AuthorizationPolicy, PolicyAction } from '../src/authorization-policy';
import { Source } from '../src/authorization-rule';
import { Gateway } from '../src/gateway';
import { Server } from '../src/gateway-server';
import { IngressGateway } from '../src/ingress-gateway';
import { InjectionMode } from '../src/injection';
import { IstioChart } from '../src/istio-chart';
import { MeshNamespace } from '../src/mesh-namespace';
import { ZeroTrustNamespace } from '../src/patterns/zero-trust-namespace';
import { findings, testApp } from '../src/testing';

function gatewayInClosedNamespace() {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new MeshNamespace(chart, 'ns', { name: 'shop', injection: InjectionMode.enabled() });
  const ingress = new IngressGateway(chart, 'ingress', { name: 'shop-gateway' });
  new Gateway(chart, 'gw', { name: 'shop', workload: ingress, servers: [Server.http({ hosts: ['shop.example.com'] })] });
  new ZeroTrustNamespace(chart, 'zt', { namespace: 'shop' });
  return { chart, ingress };
}

describe('CKI4002 ingress gateway closed to outside clients', () => {
  test('an allow-nothing namespace around the gateway pods is an error on the gateway Deployment', () => {
    const { chart } = gatewayInClosedNamespace();
    const f = findings(chart).filter((x) => x.code === 'CKI4002');
    expect(f).toHaveLength(1);
    expect(f[0]).toMatchObject({ severity: 'error', constructPath: 'c/ingress/Deployment', object: 'Deployment shop/shop-gateway' });
    expect(f[0].message).toContain('allow-nothing');
  });

  test('an ALLOW policy with an identity-free rule for the gateway pods opens it', () => {
    const { chart, ingress } = gatewayInClosedNamespace();
    new AuthorizationPolicy(chart, 'open', { name: 'gateway-ingress', selector: ingress, action: PolicyAction.ALLOW, rules: [{}] });
    expect(findings(chart).map((x) => x.code)).not.toContain('CKI4002');
  });

  test('an ALLOW by principals only does not open it', () => {
    const { chart, ingress } = gatewayInClosedNamespace();
    new AuthorizationPolicy(chart, 'mesh-only', {
      name: 'gateway-from-mesh', selector: ingress, action: PolicyAction.ALLOW,
      rules: [{ from: [Source.principals('cluster.local/ns/other/sa/x')] }],
    });
    expect(findings(chart).map((x) => x.code)).toContain('CKI4002');
  });

  test('requiring a JWT (request principals) still admits outside clients that present one', () => {
    const { chart, ingress } = gatewayInClosedNamespace();
    new AuthorizationPolicy(chart, 'jwt', {
      name: 'require-jwt', selector: ingress, action: PolicyAction.ALLOW,
      rules: [{ from: [Source.requestPrincipals('*')] }],
    });
    expect(findings(chart).map((x) => x.code)).not.toContain('CKI4002');
  });

  test('no ALLOW policy at all leaves the gateway open', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new MeshNamespace(chart, 'ns', { name: 'shop', injection: InjectionMode.enabled() });
    const ingress = new IngressGateway(chart, 'ingress', { name: 'shop-gateway' });
    new Gateway(chart, 'gw', { name: 'shop', workload: ingress, servers: [Server.http({ hosts: ['shop.example.com'] })] });
    expect(findings(chart).map((x) => x.code)).not.toContain('CKI4002');
  });
});
