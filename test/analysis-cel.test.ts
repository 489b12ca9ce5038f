import * as fs from 'fs';
import * as path from 'path';
import type * as Cel from '@marcbachmann/cel-js';
import { ApiObject } from 'cdk8s';
import { CelEnvironment, celModule, CelProgram, vendoredCelPath } from '../src/analysis/cel-runtime';
import { PROJECT_ROOT } from './shared';
import { compileRule, evaluateRule, parseRequestUri, toCelValue } from '../src/analysis/cel';
import { loadSchemaArtefact, StructuralSchema } from '../src/analysis/crd-artefact';
import { Finding, Severity } from '../src/analysis/finding';
import { CKI1003, CKI1004 } from '../src/analysis/checks/schema';
import { allCrdRules, KindValidator } from '../src/analysis/schema-validator';
import { IstioChart } from '../src/istio-chart';
import * as l1 from '../src/l1';
import { findings, testApp } from '../src/testing';

type Json = Record<string, unknown>;

/** Rule texts a failing case below produced a CKI1003 for; the last test checks they cover the artefact. */
const exercised = new Set<string>();

function findingsFor(apiVersion: string, kind: string, spec: Json): Finding[] {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new ApiObject(chart, 'obj', { apiVersion, kind, metadata: { name: 'subject' }, spec });
  return findings(chart);
}

/** Findings of the schema and CEL checks (CKI10xx), which are what these tests are about. */
function celFindings(apiVersion: string, kind: string, spec: Json): Finding[] {
  const all = findingsFor(apiVersion, kind, spec).filter((f) => /^CKI100\d$/.test(f.code));
  for (const f of all.filter((x) => x.code === CKI1003.code)) {
    const m = /\(CRD rule: (.*)\)$/.exec(f.message);
    if (m) {
      exercised.add(m[1]);
    }
  }
  return all;
}

interface Family {
  readonly name: string;
  readonly apiVersion: string;
  readonly kind: string;
  /** The rule's message, as the CRD words it. */
  readonly message: string;
  readonly field: string;
  readonly failing: Json;
  readonly passing: Json;
}

const NET = 'networking.istio.io/v1';
const SEC = 'security.istio.io/v1';
const EXT = 'extensions.istio.io/v1alpha1';

const route = (extra: Json) => ({ hosts: ['shop.example.com'], http: [{ route: [{ destination: { host: 'api.shop.svc.cluster.local' } }], ...extra }] });
const httpsServer = (tls: Json) => ({ selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 443, name: 'https', protocol: 'HTTPS' }, hosts: ['shop.example.com'], tls: { mode: 'SIMPLE', ...tls } }] });
const staticEntry = (extra: Json) => ({ hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], resolution: 'STATIC', ...extra });
const ep = (extra: Json) => staticEntry({ endpoints: [extra] });
const jwtRule = (extra: Json) => ({ jwtRules: [{ issuer: 'https://issuer.example.com', ...extra }] });
const envoyPatch = (match: Json) => ({ configPatches: [{ applyTo: 'HTTP_FILTER', match, patch: { operation: 'MERGE', value: { name: 'x' } } }] });
const tagOverride = (override: Json) => ({ metrics: [{ overrides: [{ tagOverrides: { request_host: override } }] }] });

const families: Family[] = [
  {
    name: 'durations are at least 1 ms: duration(\'0.1ms\') is 100µs',
    apiVersion: NET, kind: 'VirtualService', message: 'must be a valid duration greater than 1ms',
    field: 'spec.http[0].timeout', failing: route({ timeout: '0.1ms' }), passing: route({ timeout: '1ms' }),
  },
  {
    name: 'durations deep in a DestinationRule subset',
    apiVersion: NET, kind: 'DestinationRule', message: 'must be a valid duration greater than 1ms',
    field: 'spec.subsets[0].trafficPolicy.connectionPool.http.idleTimeout',
    failing: { host: 'api.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { connectionPool: { http: { idleTimeout: '999us' } } } }] },
    passing: { host: 'api.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' }, trafficPolicy: { connectionPool: { http: { idleTimeout: '1.5s' } } } }] },
  },
  {
    name: 'port range 0 < self && self <= 65535 (ServiceEntry port)',
    apiVersion: NET, kind: 'ServiceEntry', message: 'port must be between 1-65535',
    field: 'spec.ports[0].number', failing: staticEntry({ ports: [{ number: 70000, name: 'tcp', protocol: 'TCP' }] }), passing: staticEntry({}),
  },
  {
    name: 'port range on map values (WorkloadEntry ports)',
    apiVersion: NET, kind: 'WorkloadEntry', message: 'port must be between 1-65535',
    field: 'spec.ports.http', failing: { address: '10.0.0.1', ports: { http: 0 } }, passing: { address: '10.0.0.1', ports: { http: 8080 } },
  },
  {
    name: 'port names must be valid',
    apiVersion: NET, kind: 'WorkloadEntry', message: 'port name must be valid',
    field: 'spec.ports', failing: { address: '10.0.0.1', ports: { 'http!': 8080 } }, passing: { address: '10.0.0.1', ports: { 'http-web': 8080 } },
  },
  {
    name: 'wildcard-free label values: !self.contains("*")',
    apiVersion: SEC, kind: 'AuthorizationPolicy', message: 'wildcard not allowed in label value match',
    field: 'spec.selector.matchLabels.app', failing: { selector: { matchLabels: { app: 'api-*' } } }, passing: { selector: { matchLabels: { app: 'api' } } },
  },
  {
    name: 'wildcard-free label keys: self.all(key, !key.contains("*"))',
    apiVersion: SEC, kind: 'AuthorizationPolicy', message: 'wildcard not allowed in label key match',
    field: 'spec.selector.matchLabels', failing: { selector: { matchLabels: { 'app*': 'api' } } }, passing: { selector: { matchLabels: { app: 'api' } } },
  },
  {
    name: 'label keys are not empty: self.all(key, key.size() != 0)',
    apiVersion: SEC, kind: 'PeerAuthentication', message: 'key must not be empty',
    field: 'spec.selector.matchLabels', failing: { selector: { matchLabels: { '': 'api' } } }, passing: { selector: { matchLabels: { app: 'api' } } },
  },
  {
    name: 'no cross-namespace targetRefs: self.size() == 0',
    apiVersion: SEC, kind: 'AuthorizationPolicy', message: 'cross namespace referencing is not currently supported',
    field: 'spec.targetRefs[0].namespace',
    failing: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'edge', namespace: 'other' }] },
    passing: { targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'edge', namespace: '' }] },
  },
  {
    name: 'one of credentialName / credentialNames',
    apiVersion: NET, kind: 'Gateway', message: 'only one of credentialName or credentialNames can be set',
    field: 'spec.servers[0].tls', failing: httpsServer({ credentialName: 'a', credentialNames: ['a', 'b'] }), passing: httpsServer({ credentialName: 'a' }),
  },
  {
    name: 'one of credentialNames / tlsCertificates (the CRD words the message after another pair)',
    apiVersion: NET, kind: 'Gateway', message: 'only one of credentialName or tlsCertificates can be set',
    field: 'spec.servers[0].tls',
    failing: httpsServer({ credentialNames: ['a'], tlsCertificates: [{ serverCertificate: '/c.pem', privateKey: '/k.pem' }] }),
    passing: httpsServer({ credentialNames: ['a', 'b'] }),
  },
  {
    name: 'one of credentialNames / tlsCertificates',
    apiVersion: NET, kind: 'Gateway', message: 'only one of credentialNames or tlsCertificates can be set',
    field: 'spec.servers[0].tls',
    failing: httpsServer({ credentialNames: ['a'], tlsCertificates: [{ serverCertificate: '/c.pem', privateKey: '/k.pem' }] }),
    passing: httpsServer({ tlsCertificates: [{ serverCertificate: '/c.pem', privateKey: '/k.pem' }] }),
  },
  {
    name: 'selector xor targetRef(s) (AuthorizationPolicy)',
    apiVersion: SEC, kind: 'AuthorizationPolicy', message: 'only one of targetRefs or selector can be set',
    field: 'spec',
    failing: { selector: { matchLabels: { app: 'api' } }, targetRefs: [{ kind: 'Service', group: '', name: 'api' }] },
    passing: { targetRefs: [{ kind: 'Service', group: '', name: 'api' }] },
  },
  {
    name: 'selector xor targetRefs (TrafficExtension, two-term form)',
    apiVersion: EXT, kind: 'TrafficExtension', message: 'only one of targetRefs or selector can be set',
    field: 'spec',
    failing: { selector: { matchLabels: { app: 'api' } }, targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'edge' }], wasm: { url: 'oci://ghcr.io/x/y:1' } },
    passing: { selector: { matchLabels: { app: 'api' } }, wasm: { url: 'oci://ghcr.io/x/y:1' } },
  },
  {
    name: 'exactly one of wasm or lua',
    apiVersion: EXT, kind: 'TrafficExtension', message: 'exactly one of wasm or lua must be set',
    field: 'spec', failing: { selector: { matchLabels: { app: 'api' } } }, passing: { selector: { matchLabels: { app: 'api' } }, lua: { inlineCode: 'function envoy_on_request(h) end' } },
  },
  {
    name: 'workloadSelector xor targetRefs (EnvoyFilter)',
    apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', message: 'only one of targetRefs or workloadSelector can be set',
    field: 'spec',
    failing: { workloadSelector: { labels: { app: 'api' } }, targetRefs: [{ kind: 'Gateway', group: 'gateway.networking.k8s.io', name: 'edge' }] },
    passing: { workloadSelector: { labels: { app: 'api' } } },
  },
  {
    name: 'workloadSelector xor endpoints (ServiceEntry)',
    apiVersion: NET, kind: 'ServiceEntry', message: 'only one of WorkloadSelector or Endpoints can be set',
    field: 'spec', failing: { ...ep({ address: '10.0.0.1' }), workloadSelector: { labels: { app: 'db' } } },
    passing: staticEntry({ workloadSelector: { labels: { app: 'db' } } }),
  },
  {
    name: 'CIDR addresses only with NONE/STATIC resolution',
    apiVersion: NET, kind: 'ServiceEntry', message: 'CIDR addresses are allowed only for NONE/STATIC resolution types',
    field: 'spec', failing: staticEntry({ addresses: ['10.0.0.0/24'], resolution: 'DNS' }), passing: staticEntry({ addresses: ['10.0.0.0/24'] }),
  },
  {
    name: 'NONE resolution (the default) cannot set endpoints',
    apiVersion: NET, kind: 'ServiceEntry', message: 'NONE mode cannot set endpoints',
    field: 'spec',
    failing: { hosts: ['db.example.com'], ports: [{ number: 5432, name: 'tcp-pg', protocol: 'TCP' }], endpoints: [{ address: '10.0.0.1' }] },
    passing: ep({ address: '10.0.0.1' }),
  },
  {
    name: 'DNS_ROUND_ROBIN takes one endpoint',
    apiVersion: NET, kind: 'ServiceEntry', message: 'DNS_ROUND_ROBIN mode cannot have multiple endpoints',
    field: 'spec',
    failing: staticEntry({ resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }, { address: 'b.example.com' }] }),
    passing: staticEntry({ resolution: 'DNS_ROUND_ROBIN', endpoints: [{ address: 'a.example.com' }] }),
  },
  {
    name: 'address || network',
    apiVersion: NET, kind: 'ServiceEntry', message: 'Address is required',
    field: 'spec.endpoints[0]', failing: ep({ labels: { app: 'db' } }), passing: ep({ network: 'remote' }),
  },
  {
    name: 'unix:// addresses may not have ports',
    apiVersion: NET, kind: 'ServiceEntry', message: 'UDS may not include ports',
    field: 'spec.endpoints[0]', failing: ep({ address: 'unix:///var/run/db.sock', ports: { 'tcp-pg': 5432 } }), passing: ep({ address: 'unix:///var/run/db.sock' }),
  },
  {
    name: 'unix:// addresses are absolute or abstract',
    apiVersion: NET, kind: 'ServiceEntry', message: 'UDS must be an absolute path or abstract socket',
    field: 'spec.endpoints[0].address', failing: ep({ address: 'unix://var/run/db.sock' }), passing: ep({ address: 'unix://@db' }),
  },
  {
    name: 'unix:// addresses are not directories',
    apiVersion: NET, kind: 'ServiceEntry', message: 'UDS may not be a dir',
    field: 'spec.endpoints[0].address', failing: ep({ address: 'unix:///var/run/' }), passing: ep({ address: 'unix:///var/run/db.sock' }),
  },
  {
    name: 'hosts are not *',
    apiVersion: NET, kind: 'ServiceEntry', message: 'hostname cannot be wildcard',
    field: 'spec.hosts[0]', failing: staticEntry({ hosts: ['*'] }), passing: staticEntry({ hosts: ['*.example.com'] }),
  },
  {
    name: 'unique port numbers: self.all(l1, self.exists_one(l2, l1.number == l2.number))',
    apiVersion: NET, kind: 'ServiceEntry', message: 'port number cannot be duplicated',
    field: 'spec.ports',
    failing: staticEntry({ ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 80, name: 'http2', protocol: 'HTTP2' }] }),
    passing: staticEntry({ ports: [{ number: 80, name: 'http', protocol: 'HTTP' }, { number: 443, name: 'https', protocol: 'HTTPS' }] }),
  },
  {
    name: 'scheme in ["", "HTTP", "HTTPS"]',
    apiVersion: NET, kind: 'WorkloadGroup', message: 'scheme must be one of [HTTP, HTTPS]',
    field: 'spec.probe.httpGet.scheme',
    failing: { template: { ports: { http: 8080 } }, probe: { httpGet: { port: 8080, path: '/ready', scheme: 'http' } } },
    passing: { template: { ports: { http: 8080 } }, probe: { httpGet: { port: 8080, path: '/ready', scheme: 'HTTPS' } } },
  },
  {
    name: 'portLevelMtls requires a selector',
    apiVersion: SEC, kind: 'PeerAuthentication', message: 'portLevelMtls requires selector',
    field: 'spec', failing: { mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
    passing: { selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' }, portLevelMtls: { 8080: { mode: 'PERMISSIVE' } } },
  },
  {
    name: 'portLevelMtls keys are ports: int(key)',
    apiVersion: SEC, kind: 'PeerAuthentication', message: 'port must be between 1-65535',
    field: 'spec.portLevelMtls', failing: { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 70000: { mode: 'DISABLE' } } },
    passing: { selector: { matchLabels: { app: 'api' } }, portLevelMtls: { 9090: { mode: 'DISABLE' } } },
  },
  {
    name: 'jwksUri is an http(s) URL: url(self).getScheme() in ["http", "https"]',
    apiVersion: SEC, kind: 'RequestAuthentication', message: 'url must have scheme http:// or https://',
    field: 'spec.jwtRules[0].jwksUri', failing: jwtRule({ jwksUri: 'ftp://issuer.example.com/jwks.json' }), passing: jwtRule({ jwksUri: 'https://issuer.example.com/jwks.json' }),
  },
  {
    name: 'one of jwks / jwksUri / jwks_uri',
    apiVersion: SEC, kind: 'RequestAuthentication', message: 'only one of jwks or jwksUri can be set',
    field: 'spec.jwtRules[0]', failing: jwtRule({ jwksUri: 'https://issuer.example.com/jwks.json', jwks: '{"keys":[]}' }), passing: jwtRule({ jwks: '{"keys":[]}' }),
  },
  {
    name: 'AuthorizationPolicy sources: serviceAccounts exclude principals and namespaces',
    apiVersion: SEC, kind: 'AuthorizationPolicy', message: 'Cannot set serviceAccounts with namespaces or principals',
    field: 'spec.rules[0].from[0].source',
    failing: { rules: [{ from: [{ source: { serviceAccounts: ['shop/api'], namespaces: ['shop'] } }] }] },
    passing: { rules: [{ from: [{ source: { serviceAccounts: ['shop/api'] } }] }] },
  },
  {
    name: 'valueFrom HOST takes no value',
    apiVersion: EXT, kind: 'WasmPlugin', message: 'value may only be set when valueFrom is INLINE',
    field: 'spec.vmConfig.env[0]',
    failing: { url: 'oci://ghcr.io/x/y:1', vmConfig: { env: [{ name: 'POD', valueFrom: 'HOST', value: 'x' }] } },
    passing: { url: 'oci://ghcr.io/x/y:1', vmConfig: { env: [{ name: 'POD', valueFrom: 'HOST' }, { name: 'MODE', valueFrom: 'INLINE', value: 'x' }] } },
  },
  {
    name: 'valueFrom HOST takes no value (TrafficExtension)',
    apiVersion: EXT, kind: 'TrafficExtension', message: 'value may only be set when valueFrom is INLINE',
    field: 'spec.wasm.vmConfig.env[0]',
    failing: { wasm: { url: 'oci://ghcr.io/x/y:1', vmConfig: { env: [{ name: 'POD', valueFrom: 'HOST', value: 'x' }] } } },
    passing: { wasm: { url: 'oci://ghcr.io/x/y:1', vmConfig: { env: [{ name: 'POD', valueFrom: 'HOST' }] } } },
  },
  {
    name: 'Wasm URLs: isURL(self) ? scheme check : isURL("http://" + self) (WasmPlugin)',
    apiVersion: EXT, kind: 'WasmPlugin', message: 'url must have schema one of [http, https, file, oci]',
    field: 'spec.url', failing: { url: 'ftp://example.com/x.wasm' }, passing: { url: 'ghcr.io/x/y:1' },
  },
  {
    name: 'Wasm URLs (TrafficExtension)',
    apiVersion: EXT, kind: 'TrafficExtension', message: 'url must have schema one of [http, https, file, oci]',
    field: 'spec.wasm.url', failing: { wasm: { url: 'gs://bucket/x.wasm' } }, passing: { wasm: { url: 'file:///opt/x.wasm' } },
  },
  {
    name: 'waypoint match only with context WAYPOINT',
    apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', message: 'only support waypointMatch when context is WAYPOINT',
    field: 'spec.configPatches[0].match',
    failing: envoyPatch({ context: 'SIDECAR_INBOUND', waypoint: { portNumber: 8080 } }),
    passing: envoyPatch({ context: 'WAYPOINT', waypoint: { portNumber: 8080 } }),
  },
  {
    name: 'Telemetry tag overrides: UPSERT needs a value',
    apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', message: 'value must be set when operation is UPSERT',
    field: 'spec.metrics[0].overrides[0].tagOverrides.request_host', failing: tagOverride({ operation: 'UPSERT', value: '' }), passing: tagOverride({ operation: 'UPSERT', value: 'request.host' }),
  },
  {
    name: 'Telemetry tag overrides: REMOVE takes no value',
    apiVersion: 'telemetry.istio.io/v1', kind: 'Telemetry', message: 'value must not be set when operation is REMOVE',
    field: 'spec.metrics[0].overrides[0].tagOverrides.request_host', failing: tagOverride({ operation: 'REMOVE', value: 'x' }), passing: tagOverride({ operation: 'REMOVE' }),
  },
];

describe('CEL rule families: a failing and a passing case each', () => {
  test.each(families.map((f) => [f.name, f] as const))('%s', (_name, f) => {
    const failing = celFindings(f.apiVersion, f.kind, f.failing);
    const hit = failing.find((x) => x.code === CKI1003.code && x.message.includes(f.message));
    expect(hit).toBeDefined();
    expect(hit).toMatchObject({ severity: Severity.ERROR, field: f.field, object: `${f.kind} shop/subject`, constructPath: 'c/obj' });
    expect(hit!.message).toMatch(/\(CRD rule: .+\)$/);
    expect(hit!.fix).toContain(f.message);
    // The failing case breaks this rule and nothing else of the schema.
    expect(failing.filter((x) => x.code !== CKI1003.code)).toEqual([]);

    expect(celFindings(f.apiVersion, f.kind, f.passing)).toEqual([]);
  });
});

describe('CEL semantics', () => {
  test('a value the rule cannot even parse fails it, with the evaluation error', () => {
    const [f] = celFindings(NET, 'VirtualService', route({ timeout: '10 seconds' }));
    expect(f).toMatchObject({ code: CKI1003.code, field: 'spec.http[0].timeout' });
    expect(f.message).toMatch(/^must be a valid duration greater than 1ms \(evaluation error: .*duration.*\)/);
  });

  test('jwksUri without a scheme is not a URL at all', () => {
    const [f] = celFindings(SEC, 'RequestAuthentication', jwtRule({ jwksUri: 'issuer.example.com/jwks.json' }));
    expect(f.code).toBe(CKI1003.code);
    expect(f.message).toContain('URL parse error');
  });

  test('rules on list items and map values run once per item, each with its own path', () => {
    const spec = { hosts: ['shop.example.com'], http: [
      { route: [{ destination: { host: 'a.shop.svc.cluster.local' } }], timeout: '0.5ms' },
      { route: [{ destination: { host: 'b.shop.svc.cluster.local' } }], timeout: '5s', retries: { attempts: 3, perTryTimeout: '0s' } },
    ] };
    expect(celFindings(NET, 'VirtualService', spec).map((f) => f.field)).toEqual(['spec.http[0].timeout', 'spec.http[1].retries.perTryTimeout']);
  });

  test('rules on absent nodes do not run', () => {
    expect(celFindings(NET, 'VirtualService', route({}))).toEqual([]);
  });

  test('a value of the wrong type is a schema error, not also a rule error', () => {
    const fs = celFindings(NET, 'VirtualService', route({ timeout: 5 }));
    expect(fs.map((f) => f.code)).toEqual(['CKI1002']);
    expect(fs[0]).toMatchObject({ field: 'spec.http[0].timeout' });
  });

  test('a rule that trips over a value already reported as mistyped stays quiet', () => {
    // `(has(self.address) ? self.address : "").startsWith("unix://")` runs on the endpoint and
    // would fail on an integer address; the type error says all there is to say.
    const fs = celFindings(NET, 'ServiceEntry', ep({ address: 5 }));
    expect(fs.map((f) => [f.code, f.field])).toEqual([['CKI1002', 'spec.endpoints[0].address']]);
  });

  test('an unknown field does not stop the rules of the nodes around it', () => {
    const fs = celFindings(NET, 'ServiceEntry', { ...staticEntry({ addresses: ['10.0.0.0/24'], resolution: 'DNS' }), exportTo2: ['.'] });
    expect(fs.map((f) => [f.code, f.field])).toEqual([[CKI1003.code, 'spec'], ['CKI1002', 'spec.exportTo2']]);
  });

  test('objects built with the L1 classes are checked the same way', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new l1.PeerAuthentication(chart, 'pa', {
      metadata: { name: 'api' },
      spec: { mtls: { mode: l1.PeerAuthenticationSpecMtlsMode.STRICT }, portLevelMtls: { 8080: { mode: l1.PeerAuthenticationSpecPortLevelMtlsMode.DISABLE } } },
    });
    const f = findings(chart).find((x) => x.code === CKI1003.code);
    expect(f).toMatchObject({ constructPath: 'c/pa', object: 'PeerAuthentication shop/api', field: 'spec' });
    expect(f!.message).toContain('portLevelMtls requires selector');
  });

  test('integers reach CEL as int, doubles as double, and untouched subtrees are not copied', () => {
    const intSchema: StructuralSchema = { type: 'object', properties: { n: { type: 'integer' }, d: { type: 'number', format: 'double' }, s: { type: 'string' } } };
    expect(toCelValue({ n: 3, d: 2, s: 'x' }, intSchema)).toEqual({ n: 3n, d: 2, s: 'x' });
    const strings = { a: 'x' };
    expect(toCelValue(strings, { type: 'object', additionalProperties: { type: 'string' } })).toBe(strings);
    expect(toCelValue({ free: [1, 1.5] }, { type: 'object', 'x-kubernetes-preserve-unknown-fields': true })).toEqual({ free: [1n, 1.5] });
    const rule = compileRule({ rule: 'self.n + 1 == 4 && self.d + 0.5 == 2.5', message: 'm' });
    expect(evaluateRule(rule, toCelValue({ n: 3, d: 2 }, intSchema))).toEqual({ status: 'pass' });
  });

  test('each distinct rule is parsed once per process', () => {
    const a = compileRule({ rule: 'self.size() > 0', message: 'x' });
    const b = compileRule({ rule: 'self.size() > 0', message: 'x' });
    expect(a).toBe(b);
  });
});

describe('rules outside the bundle: transition rules, messageExpression, fieldPath, evaluator limits', () => {
  const validator = (rules: Json[]): KindValidator => new KindValidator({
    group: 'example.istio.io', version: 'v1', kind: 'Thing', plural: 'things', scope: 'Namespaced', storage: true, deprecated: false,
    schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer' }, name: { type: 'string' } }, 'x-kubernetes-validations': rules as never } } },
  });
  const thing = (spec: Json) => ({ apiVersion: 'example.istio.io/v1', kind: 'Thing', metadata: { name: 't' }, spec });

  test('oldSelf rules are transition rules: skipped at synth time', () => {
    expect(validator([{ rule: 'self.n == oldSelf.n', message: 'n is immutable' }]).validate(thing({ n: 1 }))).toEqual([]);
  });

  test('optionalOldSelf rules run on create with oldSelf absent', () => {
    const v = validator([{ rule: 'oldSelf.hasValue() || self.n > 0', message: 'n must start positive', optionalOldSelf: true }]);
    expect(v.validate(thing({ n: 1 }))).toEqual([]);
    expect(v.validate(thing({ n: 0 }))).toEqual([expect.objectContaining({ kind: 'rule', field: 'spec', message: expect.stringContaining('n must start positive') })]);
  });

  test('messageExpression is evaluated; fieldPath is appended to the node path', () => {
    const v = validator([{ rule: 'self.n < 10', messageExpression: '"n is " + string(self.n) + ", more than 9"', fieldPath: '.n' }]);
    const [p] = v.validate(thing({ n: 12 }));
    expect(p).toMatchObject({ kind: 'rule', field: 'spec.n' });
    expect(p.message).toMatch(/^n is 12, more than 9 \(CRD rule: self.n < 10\)$/);
  });

  test('a rule the evaluator cannot compile is reported, never passed silently', () => {
    // isSorted() is in Kubernetes' list library, which the bundle does not use and we do not add.
    const v = validator([{ rule: 'self.name.isSorted()', message: 'sorted' }]);
    const [p] = v.validate(thing({ name: 'A' }));
    expect(p).toMatchObject({ kind: 'rule-unsupported', field: 'spec' });
    expect(p.message).toContain('could not be evaluated');
    expect(p.message).toContain('isSorted');
    expect(CKI1004.severity).toBe(Severity.ERROR);
  });

  test('a missing overload found only at run time is reported as unsupported too', () => {
    const v = validator([{ rule: 'self.n.size() == 0', message: 'm' }]);
    expect(v.validate(thing({ n: 1 }))).toEqual([expect.objectContaining({ kind: 'rule-unsupported', message: expect.stringContaining('no matching overload') })]);
  });
});

describe('the Kubernetes URL library', () => {
  test.each([
    ['https://issuer.example.com/jwks.json', 'https'],
    ['HTTP://Example.com:8080/a?b=c', 'http'],
    ['oci://ghcr.io/x/y:1.0', 'oci'],
    ['file:///opt/x.wasm', 'file'],
    ['/just/a/path', ''],
    ['mailto:someone@example.com', 'mailto'],
    ['https://[::1]:8443/', 'https'],
    ['https://user:p%41ss@example.com/', 'https'],
  ])('%s parses, scheme %p', (raw, scheme) => {
    const u = parseRequestUri(raw);
    expect(typeof u).toBe('object');
    expect((u as { scheme: string }).scheme).toBe(scheme);
  });

  test.each([
    ['', 'empty url'],
    ['example.com/jwks', 'invalid URI for request'],
    [':foo', 'missing protocol scheme'],
    ['https://example.com:port/', 'invalid port'],
    ['https://exa mple.com/', 'invalid character'],
    ['https://example.com/%zz', 'invalid URL escape'],
    ['https://[::1/', 'missing \']\''],
    ['https://a\nb/', 'control character'],
  ])('%p is refused: %s', (raw, reason) => {
    expect(parseRequestUri(raw)).toEqual(expect.stringContaining(reason));
  });

  test('isURL, url() and getScheme() in rules', () => {
    const isUrl = compileRule({ rule: 'isURL(self)', message: 'm' });
    expect(evaluateRule(isUrl, 'https://x')).toEqual({ status: 'pass' });
    expect(evaluateRule(isUrl, 'x y')).toEqual({ status: 'fail', message: 'm' });
    const scheme = compileRule({ rule: 'url(self).getScheme() == "https"', message: 'm' });
    expect(evaluateRule(scheme, 'HTTPS://x')).toEqual({ status: 'pass' });
  });
});

describe('every CEL rule of the schema artefact', () => {
  const rules = allCrdRules();
  const distinct = new Map(rules.map((r) => [r.compiled.text, r]));

  test('the plan reaches every rule the artefact holds', () => {
    let count = 0;
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) {
        node.forEach(walk);
      } else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) {
          if (k === 'x-kubernetes-validations') {
            count += (v as unknown[]).length;
          } else {
            walk(v);
          }
        }
      }
    };
    for (const crd of Object.values(loadSchemaArtefact().kinds)) {
      walk(crd.schema);
    }
    expect(rules).toHaveLength(count);
    expect(count).toBeGreaterThan(300);
  });

  test('every rule parses and type-checks in our environment', () => {
    const broken = [...distinct.values()].filter((r) => r.compiled.unsupported).map((r) => `${r.compiled.text}: ${r.compiled.unsupported}`);
    expect(broken).toEqual([]);
    expect(distinct.size).toBeGreaterThanOrEqual(36);
  });

  test('every distinct rule is exercised by a failing case above', () => {
    const missing = [...distinct.keys()].filter((text) => !exercised.has(text));
    expect(missing).toEqual([]);
  });
});

describe('the CEL evaluator is loaded as CommonJS', () => {
  test('our view of its API matches the library\'s own declarations', () => {
    // Compile-time: tsc fails here if the library's Environment or parse result stop fitting.
    const fits: [Cel.Environment extends CelEnvironment ? true : false, ReturnType<Cel.Environment['parse']> extends CelProgram ? true : false] = [true, true];
    expect(fits).toEqual([true, true]);
  });

  test('from the vendored copy the build writes, never from the ES-module package', () => {
    const file = vendoredCelPath();
    expect(file).toBe(path.join(PROJECT_ROOT, 'lib', 'vendor', 'cel-js', 'index.js'));
    expect(require.cache[file]).toBeDefined();
    expect(Object.keys(require.cache).filter((k) => k.includes(`${path.sep}node_modules${path.sep}@marcbachmann`))).toEqual([]);
    expect(fs.readFileSync(path.join(path.dirname(file), 'LICENSE'), 'utf8')).toMatch(/MIT License/);
    expect(celModule().Optional.none()).toBeDefined();
  });
});
