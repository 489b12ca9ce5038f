import { suggest } from '../src/validation/suggest';
import { ApiObject, JsonPatch } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import { loadSchemaArtefact, StructuralSchema } from '../src/analysis/crd-artefact';
import { Finding, Severity } from '../src/analysis/finding';
import { CKI1001, CKI1002, CKI1005 } from '../src/analysis/checks/schema';
import {
  allKindValidators, compareKubeVersions, dottedPath, servedVersions,
  UNDERSTOOD_SCHEMA_KEYWORDS, validateManifest,
} from '../src/analysis/schema-validator';
import { IstioChart } from '../src/istio-chart';
import * as l1 from '../src/l1';
import { findings, synthManifests, testApp } from '../src/testing';
import { quickstartApp } from './fixtures/quickstart';

type Json = Record<string, unknown>;

const SCHEMA_CODES = /^CKI100\d$/;

function schemaFindings(apiVersion: string, kind: string, body: Json, name = 'subject'): Finding[] {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new ApiObject(chart, 'obj', { apiVersion, kind, metadata: { name }, ...body });
  return findings(chart).filter((f) => SCHEMA_CODES.test(f.code));
}

const vs = (http: Json[]) => ({ spec: { hosts: ['shop.example.com'], http } });
const toApi = { route: [{ destination: { host: 'api.shop.svc.cluster.local' } }] };

describe('the schema artefact as ajv sees it', () => {
  test('uses no schema keyword the transformation does not understand', () => {
    const unknown = new Set<string>();
    const walk = (node: StructuralSchema): void => {
      for (const [k, v] of Object.entries(node)) {
        if (!UNDERSTOOD_SCHEMA_KEYWORDS.has(k)) {
          unknown.add(k);
        }
        if (k === 'properties') {
          Object.values(v as Record<string, StructuralSchema>).forEach(walk);
        } else if ((k === 'items' || k === 'not' || k === 'additionalProperties') && v && typeof v === 'object') {
          walk(v as StructuralSchema);
        } else if (k === 'oneOf' || k === 'anyOf' || k === 'allOf') {
          (v as StructuralSchema[]).forEach(walk);
        }
      }
    };
    Object.values(loadSchemaArtefact().kinds).forEach((crd) => walk(crd.schema));
    expect([...unknown]).toEqual([]);
  });

  test('every served version compiles; a bare object of each passes or names what it lacks', () => {
    const keys = [...allKindValidators().keys()];
    expect(keys.length).toBeGreaterThanOrEqual(30);
    for (const key of keys) {
      const [group, version, kind] = key.split('/');
      const problems = validateManifest({ apiVersion: `${group}/${version}`, kind, metadata: { name: 'x' }, spec: {} });
      for (const p of problems) {
        // Rules such as `has(self.wasm) != has(self.lua)` may fail an empty spec; nothing may be unsupported.
        expect(`${key} ${p.kind} ${p.message}`).toMatch(/ (schema missing required field|rule) /);
      }
    }
  });

  test('versions sort as Kubernetes prefers them', () => {
    expect(['v1alpha3', 'v1', 'v1beta1', 'v2alpha1'].sort(compareKubeVersions)).toEqual(['v1', 'v1beta1', 'v2alpha1', 'v1alpha3']);
    expect(servedVersions('networking.istio.io', 'VirtualService')).toEqual(['v1', 'v1beta1', 'v1alpha3']);
  });
});

describe('strict schema validation of Istio objects', () => {
  test('a typical storefront written with L1 classes has no schema or CEL findings', () => {
    const app = quickstartApp(testApp());
    expect(app.charts.flatMap((c) => c.node.findAll()).filter((c) => c instanceof ApiObject)).toHaveLength(5);
    expect(findings(app).filter((f) => /^CKI1/.test(f.code))).toEqual([]);
  });

  test('an unknown field is refused with its path and the likely intended name', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'VirtualService', vs([{ ...toApi, timout: '5s' }]));
    expect(f).toMatchObject({ code: CKI1002.code, severity: Severity.ERROR, field: 'spec.http[0].timout', constructPath: 'c/obj', object: 'VirtualService shop/subject' });
    expect(f.message).toContain('unknown field "timout" (did you mean "timeout"?)');
    expect(f.fix).toBe('rename "timout" to "timeout"');
  });

  test('an unknown field with no close match lists the allowed ones', () => {
    const [f] = schemaFindings('security.istio.io/v1', 'PeerAuthentication', { spec: { mtls: { mode: 'STRICT', verify: true } } });
    expect(f).toMatchObject({ code: CKI1002.code, field: 'spec.mtls.verify' });
    expect(f.fix).toBe('remove "verify"; fields allowed in spec.mtls: mode');
  });

  test('unknown top-level fields are refused; status is allowed', () => {
    const fs = schemaFindings('networking.istio.io/v1', 'DestinationRule', { spec: { host: 'a.b.svc.cluster.local' }, specs: {}, status: { anything: 1 } });
    expect(fs.map((f) => [f.field, f.message.slice(0, 22)])).toEqual([['specs', 'unknown field "specs" ']]);
  });

  test('preserve-unknown-fields subtrees take anything', () => {
    const fs = schemaFindings('networking.istio.io/v1alpha3', 'EnvoyFilter', { spec: { configPatches: [{ applyTo: 'CLUSTER', patch: { operation: 'MERGE', value: { any: { shape: [1, 'x'] } } } }] } });
    expect(fs).toEqual([]);
  });

  test('a wrong type says what was expected and what was found', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'Gateway', { spec: { servers: [{ port: { number: '443', name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'] }] } });
    expect(f).toMatchObject({ code: CKI1002.code, field: 'spec.servers[0].port.number', message: 'expected an integer, got a string ("443")', fix: 'set spec.servers[0].port.number to an integer' });
  });

  test('int32 fields refuse numbers that do not fit', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'DestinationRule', { spec: { host: 'a.example.com', trafficPolicy: { connectionPool: { tcp: { maxConnections: 3000000000 } } } } });
    expect(f).toMatchObject({ code: CKI1002.code, field: 'spec.trafficPolicy.connectionPool.tcp.maxConnections' });
    expect(f.message).toBe('3000000000 is not an int32 (-2147483648 to 2147483647)');
  });

  test('uint32 ranges come from minimum/maximum', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'VirtualService', vs([{ ...toApi, match: [{ port: -1 }] }]));
    expect(f).toMatchObject({ field: 'spec.http[0].match[0].port', message: '-1 must be >= 0' });
  });

  test('an enum value suggests the closest allowed one', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'Gateway', { spec: { servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['a.example.com'], tls: { mode: 'simple', credentialName: 'c' } }] } });
    expect(f).toMatchObject({ code: CKI1002.code, field: 'spec.servers[0].tls.mode', fix: 'use "SIMPLE"' });
    expect(f.message).toMatch(/^"simple" is not one of: PASSTHROUGH, SIMPLE, MUTUAL/);
  });

  test('missing required fields are named', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'Gateway', { spec: { servers: [{ port: { number: 80, protocol: 'HTTP' }, hosts: ['a.example.com'] }] } });
    expect(f).toMatchObject({ field: 'spec.servers[0].port.name', message: 'missing required field "name"' });
  });

  test('protobuf oneofs: only one of exact, prefix, regex', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'VirtualService', vs([{ ...toApi, match: [{ uri: { exact: '/a', prefix: '/a' } }] }]));
    expect(f).toMatchObject({ field: 'spec.http[0].match[0].uri', message: 'only one of exact, prefix, regex may be set, found exact and prefix' });
  });

  test('protobuf oneofs in map values, and several oneofs of one message (allOf)', () => {
    const [h] = schemaFindings('networking.istio.io/v1', 'VirtualService', vs([{ ...toApi, match: [{ headers: { 'x-user': { exact: 'a', regex: 'a.*' } } }] }]));
    expect(h).toMatchObject({ field: 'spec.http[0].match[0].headers.x-user', message: 'only one of exact, prefix, regex may be set, found exact and regex' });
    const lb = { consistentHash: { httpHeaderName: 'x-user', useSourceIp: true } };
    const fs = schemaFindings('networking.istio.io/v1', 'DestinationRule', { spec: { host: 'a.example.com', subsets: [{ name: 'v1', labels: { v: '1' }, trafficPolicy: { loadBalancer: lb } }] } });
    expect(fs).toEqual([expect.objectContaining({
      field: 'spec.subsets[0].trafficPolicy.loadBalancer.consistentHash',
      message: 'only one of httpHeaderName, httpCookie, useSourceIp, httpQueryParameterName may be set, found httpHeaderName and useSourceIp',
    })]);
  });

  test('list-map keys must be unique (ServiceEntry ports by name)', () => {
    const fs = schemaFindings('networking.istio.io/v1', 'ServiceEntry', { spec: { hosts: ['db.example.com'], resolution: 'DNS', ports: [{ number: 5432, name: 'tcp' }, { number: 5433, name: 'tcp' }] } });
    expect(fs).toEqual([expect.objectContaining({ code: CKI1002.code, field: 'spec.ports[1]', message: expect.stringContaining('duplicate entry: name="tcp" is already used by item [0]') })]);
  });

  test('all problems of an object are reported at once', () => {
    const fs = schemaFindings('networking.istio.io/v1', 'VirtualService', vs([{ ...toApi, timeout: 5, retries: { attempts: 'three' }, foo: 1 }]));
    expect(fs.map((f) => f.field).sort()).toEqual(['spec.http[0].foo', 'spec.http[0].retries.attempts', 'spec.http[0].timeout']);
  });

  test('older versions are validated against their own schema', () => {
    const fs = schemaFindings('networking.istio.io/v1alpha3', 'Gateway', { spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['a.example.com'], tls: { httpsRedirect: 'yes' } }] } });
    expect(fs).toEqual([expect.objectContaining({ field: 'spec.servers[0].tls.httpsRedirect', message: 'expected a boolean, got a string ("yes")' })]);
  });
});

describe('metadata', () => {
  test('metadata.name must be present', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    const obj = new ApiObject(chart, 'obj', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'x' }, spec: { host: 'a.example.com' } });
    obj.addJsonPatch(JsonPatch.remove('/metadata/name'));
    const [f] = findings(chart).filter((x) => x.code === CKI1002.code);
    expect(f).toMatchObject({ field: 'metadata.name', message: 'missing required field "name"' });
  });

  test('names must be DNS subdomains', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'DestinationRule', { spec: { host: 'a.example.com' } }, 'Api_Rule');
    expect(f).toMatchObject({ code: CKI1002.code, field: 'metadata.name' });
    expect(f.message).toContain('does not match the pattern');
  });

  test('a misspelt metadata field is caught; labels must be strings', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new ApiObject(chart, 'obj', { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'x', labels: { tier: 1 as unknown as string } }, spec: { host: 'a.example.com' } })
      .addJsonPatch(JsonPatch.add('/metadata/annotation', { a: 'b' }));
    const fs = findings(chart).filter((x) => x.code === CKI1002.code);
    expect(fs.map((f) => [f.field, f.message.split(':')[0]])).toEqual([
      ['metadata.annotation', 'unknown field "annotation" (did you mean "annotations"?)'],
      ['metadata.labels.tier', 'expected a string, got an integer (1)'],
    ]);
  });

  test('label keys that are not identifiers are quoted in paths', () => {
    expect(dottedPath(['metadata', 'labels', 'app.kubernetes.io/name'])).toBe('metadata.labels["app.kubernetes.io/name"]');
    expect(dottedPath(['spec', 'http', 0, 'match', 1, 'headers', 'x-user'])).toBe('spec.http[0].match[1].headers.x-user');
  });
});

describe('apiVersions and kinds', () => {
  test('an Istio kind at a version the CRDs do not serve names the served ones', () => {
    const [f] = schemaFindings('networking.istio.io/v2', 'VirtualService', vs([toApi]));
    expect(f).toMatchObject({ code: CKI1001.code, severity: Severity.ERROR, field: 'apiVersion' });
    expect(f.message).toBe('networking.istio.io/v2 is not served for VirtualService; Istio\'s CRDs serve networking.istio.io/v1, networking.istio.io/v1beta1, networking.istio.io/v1alpha3');
    expect(f.fix).toBe('set apiVersion: networking.istio.io/v1');
  });

  test('a misspelt kind in an Istio group', () => {
    const [f] = schemaFindings('networking.istio.io/v1', 'VirtualSevice', vs([toApi]));
    expect(f).toMatchObject({ code: CKI1001.code, field: 'kind', fix: 'set kind: VirtualService' });
  });

  test('an istio.io group without CRDs in the artefact is a warning, not a silent pass', () => {
    const [f] = schemaFindings('install.istio.io/v1alpha1', 'IstioOperator', { spec: { profile: 'minimal' } });
    expect(f).toMatchObject({ code: CKI1005.code, severity: Severity.WARNING });
  });

  test('objects outside the Istio and Gateway API groups are left to their own tools', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new ApiObject(chart, 'obj', { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'x' }, spec: { whatever: true } });
    new k8s.KubeService(chart, 'svc', { metadata: { name: 'api' }, spec: { ports: [{ port: 80 }] } });
    expect(findings(chart).filter((f) => SCHEMA_CODES.test(f.code))).toEqual([]);
  });

  test('Gateway API objects are validated against the Gateway API v1.5.1 CRDs like Istio\'s', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new ApiObject(chart, 'obj', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'x' }, spec: { whatever: true } });
    new ApiObject(chart, 'old', { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'HTTPRoute', metadata: { name: 'y' }, spec: {} });
    expect(findings(chart).filter((f) => SCHEMA_CODES.test(f.code)).map((f) => [f.object, f.code, f.field, f.message])).toEqual([
      ['HTTPRoute shop/x', 'CKI1002', 'spec.whatever', 'unknown field "whatever": spec does not declare it, and the API server\'s strict field validation refuses it'],
      ['HTTPRoute shop/y', 'CKI1001', 'apiVersion', 'gateway.networking.k8s.io/v1alpha2 is not served for HTTPRoute; the Gateway API v1.5.1 CRDs serve gateway.networking.k8s.io/v1, gateway.networking.k8s.io/v1beta1'],
    ]);
  });
});

describe('the manifest is only read', () => {
  test('validation leaves the object as it was', () => {
    const manifest = {
      apiVersion: 'networking.istio.io/v1', kind: 'ServiceEntry', metadata: { name: 'db' },
      spec: { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp', protocol: 'TCP' }, { number: 5432, name: 'tcp2' }], resolution: 'DNS', endpoints: [{ address: 'db.example.com', ports: { tcp: 70000 } }], extra: 1 },
    };
    const before = JSON.parse(JSON.stringify(manifest));
    expect(validateManifest(manifest).length).toBeGreaterThan(1);
    expect(manifest).toEqual(before);
  });

  test('valid L1 objects pass and come out unchanged', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new l1.VirtualService(chart, 'vs', {
      metadata: { name: 'api' },
      spec: { hosts: ['api.shop.svc.cluster.local'], http: [{ route: [{ destination: { host: 'api.shop.svc.cluster.local', port: { number: 8080 } }, weight: 100 }], timeout: '3s', retries: { attempts: 2, perTryTimeout: '1s' } }] },
    });
    const [m] = synthManifests(chart);
    expect((m.spec as Json).http).toEqual([{ route: [{ destination: { host: 'api.shop.svc.cluster.local', port: { number: 8080 } }, weight: 100 }], timeout: '3s', retries: { attempts: 2, perTryTimeout: '1s' } }]);
  });
});

describe('one did-you-mean rule for the schema check, the values file and the constructs', () => {
  test('suggests near misses only', () => {
    expect(suggest('timout', ['timeout', 'retries'])).toBe('timeout');
    expect(suggest('credential_name', ['credentialName'])).toBe('credentialName');
    expect(suggest('tsl', ['tls', 'tunnel'])).toBe('tls');
    expect(suggest('zzz', ['timeout'])).toBeUndefined();
  });
});

describe('the Gateway API beyond the standard channel', () => {
  test('an experimental kind or version is a warning that it is not validated; a near miss of a standard kind stays an error; an experimental field says how to keep it', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new ApiObject(chart, 'tcp', { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TCPRoute', metadata: { name: 'db' }, spec: { parentRefs: [{ name: 'gw' }] } });
    new ApiObject(chart, 'tls', { apiVersion: 'gateway.networking.k8s.io/v1alpha2', kind: 'TLSRoute', metadata: { name: 'tls' }, spec: {} });
    new ApiObject(chart, 'typo', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoutes', metadata: { name: 'typo' }, spec: {} });
    new ApiObject(chart, 'retry', { apiVersion: 'gateway.networking.k8s.io/v1', kind: 'HTTPRoute', metadata: { name: 'retry' }, spec: { parentRefs: [{ name: 'gw' }], rules: [{ backendRefs: [{ name: 'api', port: 80 }], retry: { attempts: 2 } }] } });
    const f = findings(chart).filter((x) => SCHEMA_CODES.test(x.code));
    expect(f.map((x) => [x.object, x.code, x.severity])).toEqual([
      ['HTTPRoute shop/retry', 'CKI1002', 'error'],
      ['HTTPRoutes shop/typo', 'CKI1001', 'error'],
      ['TCPRoute shop/db', 'CKI1005', 'warning'],
      ['TLSRoute shop/tls', 'CKI1005', 'warning'],
    ]);
    expect(f[0].fix).toMatch(/experimental-channel field .* suppress CKI1002 on the object/);
    expect(f[3].fix).toBe('use gateway.networking.k8s.io/v1, or suppress CKI1005 on the object when the cluster has the experimental CRDs');
  });
});
