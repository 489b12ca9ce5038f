import { quickstartApp as buildApp } from './fixtures/quickstart';
import { synthManifests, testApp } from '../src/testing';
import { topologyMarkdown } from '../src/topology';

describe('topology picture', () => {
  const md = topologyMarkdown('quickstart', synthManifests(buildApp(testApp())));

  test('is one Mermaid flowchart', () => {
    expect(md).toMatch(/^# quickstart\n/);
    expect(md.match(/```mermaid\nflowchart LR\n/g)).toHaveLength(1);
    expect(md.trimEnd().endsWith('```')).toBe(true);
  });

  test('draws gateway → host with the path, and host → subset', () => {
    expect(md).toContain('gw_shop_shop_gateway{{"Gateway shop/shop-gateway<br/>:443 HTTPS SIMPLE"}}');
    expect(md).toMatch(/gw_shop_shop_gateway -->\|"shop\.example\.com \/api\/\*.*"\| host_api_shop_svc_cluster_local/);
    expect(md).toContain('host_api_shop_svc_cluster_local --> subset_api_shop_svc_cluster_local_v1');
    expect(md).toMatch(/gw_shop_shop_gateway -->\|"shop\.example\.com"\| host_frontend_shop_svc_cluster_local/);
  });

  test('notes the policies that apply to a destination on its edge', () => {
    // No Service object in the app: the api pods are taken to carry app=api.
    expect(md).toMatch(/host_api_shop_svc_cluster_local -->|host_api|allow-ingress-to-api: ALLOW from sa istio-system\/istio-ingressgateway-service-account/);
    expect(md).toContain('shop.example.com /api/* [timeout 10s]<br/>allow-ingress-to-api: ALLOW from sa istio-system/istio-ingressgateway-service-account');
  });

  test('is the same text on every run', () => {
    expect(topologyMarkdown('quickstart', synthManifests(buildApp(testApp())))).toBe(md);
    expect(md).toMatchSnapshot();
  });
});
