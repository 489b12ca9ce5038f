import * as fs from 'fs';
import * as path from 'path';
import Ajv from 'ajv';
import { k8s } from 'cdk8s-plus-28';
import { CKI4001 } from '../src/analysis/checks/security';
import { IST0101 } from '../src/analysis/codes';
import { Severity } from '../src/analysis/finding';
import { MeshContext } from '../src/mesh-context';
import { Json } from '../src/analysis/rendered';
import { suppress } from '../src/analysis/suppressions';
import { AuthorizationPolicy, PolicyAction } from '../src/authorization-policy';
import { Condition, Operation, Source } from '../src/authorization-rule';
import { IstioChart } from '../src/istio-chart';
import * as l1 from '../src/l1';
import { MtlsMode, PeerAuthentication } from '../src/peer-authentication';
import { ZeroTrustNamespace } from '../src/patterns/zero-trust-namespace';
import { PolicyTargetRef } from '../src/policy-scope';
import { JwtRule, RequestAuthentication } from '../src/request-authentication';
import { findings, synthManifests, testApp } from '../src/testing';
import { MeshWorkload } from '../src/mesh-workload';
import { PROJECT_ROOT } from './shared';

function chart(): IstioChart {
  return new IstioChart(testApp(), 'c', { namespace: 'shop' });
}

const api = MeshWorkload.fromLabels('shop', { app: 'api' }, { serviceAccountName: 'api' });

describe('IST0101: AuthorizationPolicy source namespace not found', () => {
  test('reported for (not)namespaces the app neither creates nor declares external, on L2 and L1 objects', () => {
    const c = chart();
    AuthorizationPolicy.allowFromNamespaces(c, 'from-ops', { namespaces: ['ops'], to: api });
    new l1.AuthorizationPolicy(c, 'raw', {
      metadata: { name: 'raw' },
      spec: { rules: [{ from: [{ source: { namespaces: ['shop', 'billing'] } }, { source: { notNamespaces: ['legacy'] } }] }] },
    });
    const f = findings(c).filter((x) => x.code === IST0101.code);
    // The policy's own namespace (shop) is not reported: a policy can only take effect where its namespace exists.
    expect(f.map((x) => [x.constructPath, x.field, x.severity])).toEqual([
      ['c/from-ops/Resource', 'spec.rules[0].from[0].source.namespaces[0]', Severity.ERROR],
      ['c/raw', 'spec.rules[0].from[0].source.namespaces[1]', Severity.ERROR],
      ['c/raw', 'spec.rules[0].from[1].source.notNamespaces[0]', Severity.ERROR],
    ]);
    expect(f[0].object).toBe('AuthorizationPolicy shop/from-ops');
    expect(f[0].message).toBe('namespace ops is neither created by the app nor declared external');
    expect(f[0].fix).toMatch(/declareExternalNamespace\('ops'\)/);
    expect(() => synthManifests(c)).toThrow(/IST0101/);
  });

  test('the namespace of each allowed service account is checked like an allowed namespace', () => {
    const c = chart();
    new k8s.KubeNamespace(c, 'shop-ns', { metadata: { name: 'shop' } });
    new ZeroTrustNamespace(c, 'zt', { namespace: 'shop', allowServiceAccounts: ['monitoring/prometheus', 'shop/api'] });
    const f = findings(c).filter((x) => x.code === IST0101.code);
    expect(f.map((x) => [x.object, x.field])).toEqual([
      ['AuthorizationPolicy shop/allow-from-service-accounts', 'spec.rules[0].from[0].source.principals[0]'],
    ]);
    expect(f[0].message).toMatch(/cluster\.local\/ns\/monitoring\/sa\/prometheus names namespace monitoring/);
    MeshContext.of(c).declareExternalNamespace('monitoring');
    expect(findings(c).filter((x) => x.code === IST0101.code)).toEqual([]);
  });

  test('passes for namespaces the app creates, declares external, built-in ones and wildcard patterns', () => {
    const c = chart();
    new k8s.KubeNamespace(c, 'shop-ns', { metadata: { name: 'shop' } });
    MeshContext.of(c).declareExternalNamespace('ops');
    AuthorizationPolicy.allowFromNamespaces(c, 'from-known', {
      // istio-system: Istio's root namespace exists wherever Istio runs (the usual ingress gateway home).
      namespaces: ['shop', 'ops', 'kube-system', 'default', 'istio-system', 'team-*', '*-prod'],
      to: api,
    });
    expect(findings(c).filter((x) => x.code === IST0101.code)).toEqual([]);
    expect(synthManifests(c).filter((m) => m.kind === 'AuthorizationPolicy')).toHaveLength(1);
  });

  test('can be suppressed with a reason', () => {
    const c = chart();
    const p = AuthorizationPolicy.allowFromNamespaces(c, 'from-ops', { namespaces: ['ops'], to: api });
    suppress(p, IST0101.code, 'ops is created by the platform team\'s own pipeline');
    expect(findings(c).filter((x) => x.code === IST0101.code)).toEqual([]);
  });
});

describe('CKI4001: CUSTOM action with an extension provider the install does not declare', () => {
  function customPolicy(c: IstioChart, provider = 'oauth2-proxy'): AuthorizationPolicy {
    return new AuthorizationPolicy(c, 'ext-authz', {
      selector: api,
      action: PolicyAction.custom(provider),
      rules: [{ to: [Operation.paths('/admin/*')] }],
    });
  }

  test('is an error when no install was declared, or the provider is not among its providers', () => {
    const c = chart();
    customPolicy(c);
    const [f] = findings(c).filter((x) => x.code === CKI4001.code);
    expect(f).toMatchObject({
      code: 'CKI4001',
      severity: Severity.ERROR,
      constructPath: 'c/ext-authz/Resource',
      object: 'AuthorizationPolicy shop/ext-authz',
      field: 'spec.provider.name',
    });
    expect(f.message).toMatch(/extension provider oauth2-proxy is not among the install's providers \(none declared\); istiod would enforce the policy as deny-all/);

    const other = chart();
    MeshContext.of(other).declareInstall({ extensionProviders: ['opa'] });
    customPolicy(other);
    const [g] = findings(other).filter((x) => x.code === CKI4001.code);
    expect(g.message).toMatch(/\(opa\)/);
    expect(() => synthManifests(other)).toThrow(/CKI4001/);
  });

  test('is an error for a raw CUSTOM policy that names no provider', () => {
    const c = chart();
    new l1.AuthorizationPolicy(c, 'raw', {
      metadata: { name: 'raw' },
      spec: { action: l1.AuthorizationPolicySpecAction.CUSTOM, rules: [{}] },
    });
    const [f] = findings(c).filter((x) => x.code === CKI4001.code);
    expect(f.field).toBe('spec.provider.name');
    expect(f.message).toMatch(/names no extension provider/);
  });

  test('passes when the install declares the provider; other actions are not looked at', () => {
    const c = chart();
    MeshContext.of(c).declareInstall({ extensionProviders: ['opa', 'oauth2-proxy'] });
    customPolicy(c);
    new AuthorizationPolicy(c, 'deny', { action: PolicyAction.DENY, rules: [{ to: [Operation.paths('/admin/*')] }] });
    expect(findings(c).filter((x) => x.code === CKI4001.code)).toEqual([]);
    expect(synthManifests(c).filter((m) => m.kind === 'AuthorizationPolicy')).toHaveLength(2);
  });
});

/**
 * Every field the constructs write must exist in the CRD schema of the apiVersion they use
 * (the API server's strict field validation drops or refuses unknown ones) and have its type.
 */
describe('rendered security objects conform to their CRD schema', () => {
  const artefact = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'imports', 'crd-schemas.json'), 'utf8')) as {
    kinds: Record<string, { schema: Json }>;
  };
  const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });

  function unknownFields(value: unknown, schema: Json | undefined, at: string, out: string[]): void {
    if (!schema || value === null || typeof value !== 'object') {
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((v, i) => unknownFields(v, schema.items as Json | undefined, `${at}[${i}]`, out));
      return;
    }
    const props = schema.properties as Record<string, Json> | undefined;
    const additional = schema.additionalProperties as Json | boolean | undefined;
    for (const [k, v] of Object.entries(value as Json)) {
      if (props && k in props) {
        unknownFields(v, props[k], `${at}.${k}`, out);
      } else if (additional && typeof additional === 'object') {
        unknownFields(v, additional, `${at}.${k}`, out);
      } else if (!schema['x-kubernetes-preserve-unknown-fields']) {
        out.push(`${at}.${k}`);
      }
    }
  }

  test('the walk itself finds unknown fields', () => {
    const spec = (artefact.kinds['security.istio.io/v1/AuthorizationPolicy'].schema.properties as Record<string, Json>).spec;
    const out: string[] = [];
    unknownFields({ rules: [{ from: [{ source: { principal: ['x'] } }] }], selector: { matchLabels: { a: 'b' } } }, spec, 'spec', out);
    expect(out).toEqual(['spec.rules[0].from[0].source.principal']);
  });

  test('policies from every construct and helper', () => {
    const c = chart();
    const app = c.node.root;
    MeshContext.of(app).declareExternalNamespace('ops');
    MeshContext.of(app).declareInstall({ extensionProviders: ['ext'] });
    new ZeroTrustNamespace(c, 'zt', {
      namespace: 'shop',
      ingress: { gateway: { namespace: 'istio-system', selector: { istio: 'ingressgateway' }, serviceAccountName: 'gw' }, workloads: [api] },
      allowNamespaces: ['ops'],
      allowServiceAccounts: ['ops/prober'],
    });
    new PeerAuthentication(c, 'api-ports', { selector: api, portLevelMtls: { 9090: MtlsMode.PERMISSIVE } });
    new AuthorizationPolicy(c, 'full', {
      selector: api,
      action: PolicyAction.DENY,
      rules: [{
        from: [Source.serviceAccounts('ops/x').and(Source.ipBlocks('10.0.0.0/8')), Source.requestPrincipals('*')],
        to: [Operation.methods('POST').and(Operation.notPaths('/ok')).and(Operation.ports(8080))],
        when: [Condition.requestClaim('groups', ['x']).negate(), Condition.destinationPort(8080)],
      }],
    });
    new AuthorizationPolicy(c, 'custom', { action: PolicyAction.custom('ext'), targetRefs: [PolicyTargetRef.gateway('public')], rules: [{ to: [Operation.hosts('a.example.com')] }] });
    const ra = new RequestAuthentication(c, 'jwt', {
      selector: api,
      jwtRules: [
        JwtRule.fromJwksUri('https://i', 'https://i/jwks', { audiences: ['a'], fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }], outputPayloadToHeader: 'x-payload', forwardOriginalToken: true }),
        JwtRule.fromJwks('https://j', { keys: [{ kty: 'EC', crv: 'P-256', x: 'a', y: 'b' }] }),
      ],
    });
    ra.requirePrincipal();

    const manifests = synthManifests(c);
    expect(manifests.length).toBeGreaterThanOrEqual(10);
    for (const m of manifests) {
      const key = `${String(m.apiVersion)}/${String(m.kind)}`;
      const entry = artefact.kinds[key];
      expect(entry).toBeDefined();
      const specSchema = (entry.schema.properties as Record<string, Json>).spec;
      const validate = ajv.compile(specSchema);
      const name = `${key} ${String((m.metadata as Json).name)}`;
      expect({ name, errors: validate(m.spec) ? [] : validate.errors }).toEqual({ name, errors: [] });
      const unknown: string[] = [];
      unknownFields(m.spec, specSchema, 'spec', unknown);
      expect({ name, unknown }).toEqual({ name, unknown: [] });
    }
  });
});
