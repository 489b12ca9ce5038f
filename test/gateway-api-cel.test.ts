/**
 * The Gateway API's CEL rules (v1.5.1 standard channel), evaluated as the API server would: one
 * failing and one passing case per distinct rule, and a check that together they cover every
 * rule the artefact holds. Defaults are applied first, as structural defaulting does (a rule
 * without matches counts its defaulted PathPrefix "/" match).
 */
import { ApiObject } from 'cdk8s';
import { Finding, Severity } from '../src/analysis/finding';
import { CKI1003 } from '../src/analysis/checks/schema';
import { allCrdRules, kindValidator, withDefaults } from '../src/analysis/schema-validator';
import { loadGatewayApiArtefact } from '../src/analysis/crd-artefact';
import { celPropertyName, compileRule, evaluateRule, presenceOnIndexed, re2RegExp, toCelValue } from '../src/analysis/cel';
import { IstioChart } from '../src/istio-chart';
import { findings, testApp } from '../src/testing';

type Json = Record<string, unknown>;
const GW = 'gateway.networking.k8s.io/v1';
const exercised = new Set<string>();

function ruleFindings(kind: string, spec: Json): Finding[] {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new ApiObject(chart, 'obj', { apiVersion: GW, kind, metadata: { name: 'subject' }, spec });
  const all = findings(chart).filter((f) => /^CKI100\d$/.test(f.code));
  for (const f of all.filter((x) => x.code === CKI1003.code)) {
    const m = /\(CRD rule: (.*)\)$/.exec(f.message);
    if (m) {
      exercised.add(m[1]);
    }
  }
  return all;
}

const backend = { name: 'api', port: 8080 };
const route = (...rules: Json[]): Json => ({ parentRefs: [{ name: 'gw' }], rules });
const filters = (...f: Json[]): Json => route({ filters: f });
const backendFilters = (...f: Json[]): Json => route({ backendRefs: [{ ...backend, filters: f }] });
const setHeader = { set: [{ name: 'x-a', value: 'b' }] };
const reqHeader = { type: 'RequestHeaderModifier', requestHeaderModifier: setHeader };
const resHeader = { type: 'ResponseHeaderModifier', responseHeaderModifier: setHeader };
const redirect = (extra: Json = {}) => ({ type: 'RequestRedirect', requestRedirect: { scheme: 'https', ...extra } });
const rewrite = (extra: Json = {}) => ({ type: 'URLRewrite', urlRewrite: { hostname: 'api.example.com', ...extra } });
const cors = (extra: Json = {}) => ({ type: 'CORS', cors: { allowOrigins: ['https://app.example.com'], ...extra } });
const prefix = (value: string) => ({ path: { type: 'PathPrefix', value } });
const pathMatch = (path: Json) => route({ matches: [{ path }], backendRefs: [backend] });
const many = (n: number, v = '/a') => Array.from({ length: n }, () => prefix(v));
const grpc = (...rules: Json[]): Json => ({ parentRefs: [{ name: 'gw' }], rules });
const listeners = (...l: Json[]): Json => ({ gatewayClassName: 'istio', listeners: l });
const http = { name: 'http', port: 80, protocol: 'HTTP' };
const https = (tls: Json) => ({ name: 'https', port: 443, protocol: 'HTTPS', hostname: 'shop.example.com', tls });
const cert = { mode: 'Terminate', certificateRefs: [{ name: 'shop-cert' }] };
const svc = (extra: Json = {}) => ({ group: '', kind: 'Service', name: 'api', ...extra });
const btls = (validation: Json, targetRefs: Json[] = [svc()]): Json => ({ targetRefs, validation: { hostname: 'api.example.com', ...validation } });
const ca = { caCertificateRefs: [{ group: '', kind: 'ConfigMap', name: 'ca' }] };
const san = (s: Json) => btls({ ...ca, subjectAltNames: [s] });
const tlsRoute = (hostnames: string[]) => ({ parentRefs: [{ name: 'gw' }], hostnames, rules: [{ backendRefs: [{ name: 'db', port: 443 }] }] });

/**
 * kind, the rule's message (a part of it), field, failing spec, passing spec, and whether the
 * failing value also breaks the schema (a pattern or enum, or a list keyed by the same field).
 */
type Case = [kind: string, message: string, field: string, failing: Json, passing: Json, alsoSchema?: boolean];

const cases: Case[] = [
  // HTTPRoute rules and filters.
  ['HTTPRoute', 'total number of matches across all rules', 'spec.rules', route({ matches: many(64) }, { matches: many(64) }, { matches: many(1) }), route({ matches: many(64) }, { matches: many(64) })],
  ['HTTPRoute', 'RequestRedirect filter must not be used together with backendRefs', 'spec.rules[0]', route({ filters: [redirect()], backendRefs: [backend] }), route({ filters: [redirect()] })],
  ['HTTPRoute', 'When using RequestRedirect filter with path.replacePrefixMatch', 'spec.rules[0]',
    route({ matches: [prefix('/a'), prefix('/b')], filters: [redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })] }),
    route({ matches: [prefix('/a')], filters: [redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })] })],
  ['HTTPRoute', 'When using URLRewrite filter with path.replacePrefixMatch', 'spec.rules[0]',
    route({ matches: [prefix('/a'), prefix('/b')], filters: [rewrite({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })], backendRefs: [backend] }),
    route({ matches: [prefix('/a')], filters: [rewrite({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })], backendRefs: [backend] })],
  ['HTTPRoute', 'Within backendRefs, when using RequestRedirect filter', 'spec.rules[0]',
    route({ matches: [prefix('/a'), prefix('/b')], backendRefs: [{ ...backend, filters: [redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })] }] }),
    route({ matches: [prefix('/a')], backendRefs: [{ ...backend, filters: [redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })] }] })],
  ['HTTPRoute', 'Within backendRefs, When using URLRewrite filter', 'spec.rules[0]',
    route({ matches: [prefix('/a'), prefix('/b')], backendRefs: [{ ...backend, filters: [rewrite({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })] }] }),
    route({ matches: [prefix('/a')], backendRefs: [{ ...backend, filters: [rewrite({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/x' } })] }] })],
  ['HTTPRoute', 'May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite', 'spec.rules[0].filters', filters(redirect(), rewrite()), filters(redirect())],
  ['HTTPRoute', 'CORS filter cannot be repeated', 'spec.rules[0].filters', filters(cors(), cors()), filters(cors())],
  ['HTTPRoute', 'RequestRedirect filter cannot be repeated', 'spec.rules[0].filters', filters(redirect(), redirect({ port: 8443 })), filters(redirect())],
  ['HTTPRoute', 'URLRewrite filter cannot be repeated', 'spec.rules[0].filters', filters(rewrite(), rewrite()), filters(rewrite())],
  ['HTTPRoute', 'RequestHeaderModifier filter cannot be repeated', 'spec.rules[0].filters', filters(reqHeader, reqHeader), filters(reqHeader)],
  ['HTTPRoute', 'ResponseHeaderModifier filter cannot be repeated', 'spec.rules[0].filters', filters(resHeader, resHeader), filters(resHeader)],
  ['HTTPRoute', 'filter.requestHeaderModifier must be nil', 'spec.rules[0].filters[0]', filters({ ...resHeader, requestHeaderModifier: setHeader }), filters(resHeader)],
  ['HTTPRoute', 'filter.requestHeaderModifier must be specified', 'spec.rules[0].filters[0]', filters({ type: 'RequestHeaderModifier' }), filters(reqHeader)],
  ['HTTPRoute', 'filter.responseHeaderModifier must be nil', 'spec.rules[0].filters[0]', filters({ ...reqHeader, responseHeaderModifier: setHeader }), filters(reqHeader)],
  ['HTTPRoute', 'filter.responseHeaderModifier must be specified', 'spec.rules[0].filters[0]', filters({ type: 'ResponseHeaderModifier' }), filters(resHeader)],
  ['HTTPRoute', 'filter.requestMirror must be nil', 'spec.rules[0].filters[0]', filters({ ...reqHeader, requestMirror: { backendRef: backend } }), filters({ type: 'RequestMirror', requestMirror: { backendRef: backend } })],
  ['HTTPRoute', 'filter.requestMirror must be specified', 'spec.rules[0].filters[0]', filters({ type: 'RequestMirror' }), filters({ type: 'RequestMirror', requestMirror: { backendRef: backend } })],
  ['HTTPRoute', 'filter.extensionRef must be nil', 'spec.rules[0].filters[0]', filters({ ...reqHeader, extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } }), filters({ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } })],
  ['HTTPRoute', 'filter.extensionRef must be specified', 'spec.rules[0].filters[0]', filters({ type: 'ExtensionRef' }), filters({ type: 'ExtensionRef', extensionRef: { group: 'example.com', kind: 'Auth', name: 'a' } })],
  ['HTTPRoute', 'filter.cors must be nil', 'spec.rules[0].filters[0]', filters({ ...reqHeader, cors: { allowOrigins: ['https://a.example.com'] } }), filters(cors())],
  ['HTTPRoute', 'filter.cors must be specified', 'spec.rules[0].filters[0]', filters({ type: 'CORS' }), filters(cors())],
  ['HTTPRoute', 'filter.requestRedirect must be nil', 'spec.rules[0].filters[0]', filters({ ...reqHeader, requestRedirect: { scheme: 'https' } }), filters(redirect())],
  ['HTTPRoute', 'filter.requestRedirect must be specified', 'spec.rules[0].filters[0]', filters({ type: 'RequestRedirect' }), filters(redirect())],
  ['HTTPRoute', 'filter.urlRewrite must be nil', 'spec.rules[0].filters[0]', filters({ ...reqHeader, urlRewrite: { hostname: 'a.example.com' } }), filters(rewrite())],
  ['HTTPRoute', 'filter.urlRewrite must be specified', 'spec.rules[0].filters[0]', filters({ type: 'URLRewrite' }), filters(rewrite())],
  ['HTTPRoute', 'Only one of percent or fraction', 'spec.rules[0].filters[0].requestMirror', filters({ type: 'RequestMirror', requestMirror: { backendRef: backend, percent: 10, fraction: { numerator: 1 } } }), filters({ type: 'RequestMirror', requestMirror: { backendRef: backend, percent: 10 } })],
  ['HTTPRoute', 'numerator must be less than or equal to denominator', 'spec.rules[0].filters[0].requestMirror.fraction', filters({ type: 'RequestMirror', requestMirror: { backendRef: backend, fraction: { numerator: 5, denominator: 2 } } }), filters({ type: 'RequestMirror', requestMirror: { backendRef: backend, fraction: { numerator: 1, denominator: 2 } } })],
  ['HTTPRoute', 'Must have port for Service reference', 'spec.rules[0].backendRefs[0]', route({ backendRefs: [{ name: 'api' }] }), route({ backendRefs: [backend] })],
  ['HTTPRoute', 'AllowHeaders cannot contain \'*\' alongside other', 'spec.rules[0].backendRefs[0].filters[0].cors.allowHeaders', backendFilters(cors({ allowHeaders: ['*', 'x-a'] })), backendFilters(cors({ allowHeaders: ['*'] }))],
  ['HTTPRoute', 'replaceFullPath must be specified when type is set to \'ReplaceFullPath\'', 'spec.rules[0].filters[0].requestRedirect.path', filters(redirect({ path: { type: 'ReplaceFullPath' } })), filters(redirect({ path: { type: 'ReplaceFullPath', replaceFullPath: '/a' } }))],
  ['HTTPRoute', 'type must be \'ReplaceFullPath\' when replaceFullPath is set', 'spec.rules[0].filters[0].requestRedirect.path', filters(redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a', replaceFullPath: '/b' } })), filters(redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a' } }))],
  ['HTTPRoute', 'replacePrefixMatch must be specified when type is set to \'ReplacePrefixMatch\'', 'spec.rules[0].filters[0].requestRedirect.path', filters(redirect({ path: { type: 'ReplacePrefixMatch' } })), filters(redirect({ path: { type: 'ReplacePrefixMatch', replacePrefixMatch: '/a' } }))],
  ['HTTPRoute', 'type must be \'ReplacePrefixMatch\' when replacePrefixMatch is set', 'spec.rules[0].filters[0].requestRedirect.path', filters(redirect({ path: { type: 'ReplaceFullPath', replaceFullPath: '/a', replacePrefixMatch: '/b' } })), filters(redirect({ path: { type: 'ReplaceFullPath', replaceFullPath: '/a' } }))],
  ['HTTPRoute', 'value must be an absolute path', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: 'api' }), pathMatch({ type: 'PathPrefix', value: '/api' })],
  ['HTTPRoute', 'must not contain \'//\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'Exact', value: '/a//b' }), pathMatch({ type: 'RegularExpression', value: '/a//b' })],
  ['HTTPRoute', 'must not contain \'/./\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a/./b' }), pathMatch({ type: 'PathPrefix', value: '/a/b' })],
  ['HTTPRoute', 'must not contain \'/../\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a/../b' }), pathMatch({ type: 'PathPrefix', value: '/a/b' })],
  ['HTTPRoute', 'must not contain \'%2f\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a%2fb' }), pathMatch({ type: 'PathPrefix', value: '/a%20b' })],
  ['HTTPRoute', 'must not contain \'%2F\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a%2Fb' }), pathMatch({ type: 'PathPrefix', value: '/a%20b' })],
  ['HTTPRoute', 'must not contain \'#\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a#b' }), pathMatch({ type: 'PathPrefix', value: '/ab' })],
  ['HTTPRoute', 'must not end with \'/..\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a/..' }), pathMatch({ type: 'PathPrefix', value: '/a/..b' })],
  ['HTTPRoute', 'must not end with \'/.\'', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a/.' }), pathMatch({ type: 'PathPrefix', value: '/a/.b' })],
  ['HTTPRoute', 'must only contain valid characters (matching ^(?:[-A-Za-z0-9/._~!$&', 'spec.rules[0].matches[0].path', pathMatch({ type: 'PathPrefix', value: '/a b' }), pathMatch({ type: 'PathPrefix', value: '/a%20b' })],
  // The schema's enum refuses the value too; the rule says the same in its words.
  ['HTTPRoute', 'type must be one of [\'Exact\', \'PathPrefix\', \'RegularExpression\']', 'spec.rules[0].matches[0].path', pathMatch({ type: 'Glob', value: '/a' }), pathMatch({ type: 'Exact', value: '/a' }), true],
  ['HTTPRoute', 'backendRequest timeout cannot be longer than request timeout', 'spec.rules[0].timeouts', route({ backendRefs: [backend], timeouts: { request: '1s', backendRequest: '2s' } }), route({ backendRefs: [backend], timeouts: { request: '0s', backendRequest: '2s' } })],
  // parentRefs: the same Gateway twice needs sectionNames; the same name in two namespaces is two parents.
  ['HTTPRoute', 'sectionName must be specified when parentRefs includes 2 or more references to the same parent', 'spec.parentRefs',
    { parentRefs: [{ name: 'gw' }, { name: 'gw', sectionName: 'https' }] }, { parentRefs: [{ name: 'gw', sectionName: 'http' }, { name: 'gw', sectionName: 'https' }] }],
  ['HTTPRoute', 'sectionName must be unique when parentRefs includes 2 or more references to the same parent', 'spec.parentRefs',
    { parentRefs: [{ name: 'gw' }, { name: 'gw' }] }, { parentRefs: [{ name: 'gw', namespace: 'edge-a' }, { name: 'gw', namespace: 'edge-b' }] }],
  // GRPCRoute.
  ['GRPCRoute', 'total number of matches across all rules', 'spec.rules', grpc({ matches: many(64).map(() => ({ method: { service: 'shop.Cart' } })) }, { matches: many(64).map(() => ({ method: { service: 'shop.Cart' } })) }, { matches: [{ method: { service: 'shop.Cart' } }] }), grpc({ matches: [{ method: { service: 'shop.Cart' } }] })],
  ['GRPCRoute', 'One or both of \'service\' or \'method\' must be specified', 'spec.rules[0].matches[0].method', grpc({ matches: [{ method: { type: 'Exact' } }] }), grpc({ matches: [{ method: { method: 'Get' } }] })],
  ['GRPCRoute', 'service must only contain valid characters', 'spec.rules[0].matches[0].method', grpc({ matches: [{ method: { service: 'shop-cart' } }] }), grpc({ matches: [{ method: { service: 'shop.v1.Cart' } }] })],
  ['GRPCRoute', 'method must only contain valid characters', 'spec.rules[0].matches[0].method', grpc({ matches: [{ method: { method: 'Get-Cart' } }] }), grpc({ matches: [{ method: { method: 'GetCart' } }] })],
  // Gateway.
  ['Gateway', 'IPAddress values must be unique', 'spec.addresses', { ...listeners(http), addresses: [{ type: 'IPAddress', value: '10.0.0.1' }, { type: 'IPAddress', value: '10.0.0.1' }] }, { ...listeners(http), addresses: [{ type: 'IPAddress', value: '10.0.0.1' }] }],
  ['Gateway', 'Hostname values must be unique', 'spec.addresses', { ...listeners(http), addresses: [{ type: 'Hostname', value: 'lb.example.com' }, { type: 'Hostname', value: 'lb.example.com' }] }, { ...listeners(http), addresses: [{ type: 'Hostname', value: 'lb.example.com' }] }],
  ['Gateway', 'Hostname value must be empty or contain only valid characters', 'spec.addresses[0]', { ...listeners(http), addresses: [{ type: 'Hostname', value: 'LB_1.example.com' }] }, { ...listeners(http), addresses: [{ type: 'Hostname', value: 'lb-1.example.com' }] }],
  ['Gateway', 'Annotation keys must be in the form', 'spec.infrastructure.annotations', { ...listeners(http), infrastructure: { annotations: { 'bad key': 'x' } } }, { ...listeners(http), infrastructure: { annotations: { 'example.com/team': 'shop' } } }],
  ['Gateway', 'the annotation key\'s prefix must be a DNS subdomain not longer than 253', 'spec.infrastructure.annotations', { ...listeners(http), infrastructure: { annotations: { [`${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.example.com/x`]: 'x' } } }, { ...listeners(http), infrastructure: { annotations: { 'example.com/x': 'x' } } }],
  ['Gateway', 'tls must not be specified for protocols [\'HTTP\', \'TCP\', \'UDP\']', 'spec.listeners', listeners({ ...http, tls: cert }), listeners(http)],
  ['Gateway', 'tls mode must be Terminate for protocol HTTPS', 'spec.listeners', listeners(https({ mode: 'Passthrough' })), listeners(https(cert))],
  ['Gateway', 'tls mode must be set for protocol TLS', 'spec.listeners', listeners({ name: 'tls', port: 443, protocol: 'TLS', hostname: 'db.example.com' }), listeners({ name: 'tls', port: 443, protocol: 'TLS', hostname: 'db.example.com', tls: { mode: 'Passthrough' } })],
  ['Gateway', 'hostname must not be specified for protocols [\'TCP\', \'UDP\']', 'spec.listeners', listeners({ name: 'tcp', port: 9000, protocol: 'TCP', hostname: 'db.example.com' }), listeners({ name: 'tcp', port: 9000, protocol: 'TCP' })],
  ['Gateway', 'Listener name must be unique within the Gateway', 'spec.listeners', listeners(http, { ...http, port: 8080 }), listeners(http, { ...http, name: 'http-alt', port: 8080 }), true],
  ['Gateway', 'Combination of port, protocol and hostname must be unique for each listener', 'spec.listeners', listeners(http, { ...http, name: 'http-2' }), listeners(http, { ...http, name: 'http-2', hostname: 'shop.example.com' })],
  ['Gateway', 'certificateRefs or options must be specified when mode is Terminate', 'spec.listeners[0].tls', listeners(https({ mode: 'Terminate' })), listeners(https(cert))],
  ['Gateway', 'Port for TLS configuration must be unique within the Gateway', 'spec.tls.frontend.perPort',
    { ...listeners(https(cert)), tls: { frontend: { default: { validation: ca }, perPort: [{ port: 443, tls: { validation: ca } }, { port: 443, tls: { validation: ca } }] } } },
    { ...listeners(https(cert)), tls: { frontend: { default: { validation: ca }, perPort: [{ port: 443, tls: { validation: ca } }] } } }, true],
  // BackendTLSPolicy.
  ['BackendTLSPolicy', 'sectionName must be specified when targetRefs includes 2 or more references to the same target', 'spec.targetRefs', btls(ca, [svc(), svc({ sectionName: 'https' })]), btls(ca, [svc({ sectionName: 'http' }), svc({ sectionName: 'https' })])],
  ['BackendTLSPolicy', 'sectionName must be unique when targetRefs includes 2 or more references to the same target', 'spec.targetRefs', btls(ca, [svc(), svc()]), btls(ca, [svc(), svc({ name: 'web' })])],
  ['BackendTLSPolicy', 'must not contain both CACertificateRefs and WellKnownCACertificates', 'spec.validation', btls({ ...ca, wellKnownCACertificates: 'System' }), btls({ wellKnownCACertificates: 'System' })],
  ['BackendTLSPolicy', 'must specify either CACertificateRefs or WellKnownCACertificates', 'spec.validation', btls({}), btls(ca)],
  ['BackendTLSPolicy', 'SubjectAltName element must contain Hostname', 'spec.validation.subjectAltNames[0]', san({ type: 'Hostname' }), san({ type: 'Hostname', hostname: 'api.example.com' })],
  ['BackendTLSPolicy', 'SubjectAltName element must not contain Hostname', 'spec.validation.subjectAltNames[0]', san({ type: 'URI', uri: 'spiffe://cluster.local/ns/shop/sa/api', hostname: 'api.example.com' }), san({ type: 'URI', uri: 'spiffe://cluster.local/ns/shop/sa/api' })],
  ['BackendTLSPolicy', 'SubjectAltName element must contain URI', 'spec.validation.subjectAltNames[0]', san({ type: 'URI' }), san({ type: 'URI', uri: 'spiffe://cluster.local/ns/shop/sa/api' })],
  ['BackendTLSPolicy', 'SubjectAltName element must not contain URI', 'spec.validation.subjectAltNames[0]', san({ type: 'Hostname', hostname: 'api.example.com', uri: 'spiffe://cluster.local/ns/shop/sa/api' }), san({ type: 'Hostname', hostname: 'api.example.com' })],
  // ListenerSet and TLSRoute.
  ['ListenerSet', 'Combination of port, protocol and hostname must be unique for each listener', 'spec.listeners',
    { parentRef: { name: 'gw' }, listeners: [http, { ...http, name: 'http-2' }] }, { parentRef: { name: 'gw' }, listeners: [http, { ...http, name: 'http-2', port: 8080 }] }],
  ['TLSRoute', 'Hostnames cannot contain an IP', 'spec.hostnames', tlsRoute(['10.0.0.1']), tlsRoute(['db.example.com'])],
  ['TLSRoute', 'Hostnames must be valid based on RFC-1123', 'spec.hostnames', tlsRoute(['db_1.example.com']), tlsRoute(['db-1.example.com']), true],
  ['TLSRoute', 'Wildcards on hostnames must be the first label', 'spec.hostnames', tlsRoute(['db.*.example.com']), tlsRoute(['*.example.com']), true],
];

describe('Gateway API CEL rules: a failing and a passing case each', () => {
  test.each(cases.map((c) => [`${c[0]}: ${c[1]}`, c] as const))('%s', (_name, [kind, message, field, failing, passing, alsoSchema]) => {
    const found = ruleFindings(kind, failing);
    const hit = found.find((x) => x.code === CKI1003.code && x.message.includes(message));
    expect(hit).toMatchObject({ severity: Severity.ERROR, field, object: `${kind} shop/subject` });
    expect(hit!.fix).toContain(message);
    const others = found.filter((x) => x.code !== CKI1003.code);
    if (alsoSchema) {
      expect(others.map((x) => x.code)).toEqual(['CKI1002']);
    } else {
      expect(others).toEqual([]);
    }
    expect(ruleFindings(kind, passing)).toEqual([]);
  });

  test('a status the API server would refuse: Hostname addresses of a Gateway\'s status (objects as read back, e.g. from a golden file)', () => {
    const v = kindValidator('gateway.networking.k8s.io', 'v1', 'Gateway')!;
    const gw = (value: string) => ({ apiVersion: GW, kind: 'Gateway', metadata: { name: 'gw' }, spec: listeners(http), status: { addresses: [{ type: 'Hostname', value }] } });
    const problems = v.validate(gw('LB_1.example.com')).filter((p) => p.kind === 'rule');
    expect(problems.map((p) => p.field)).toEqual(['status.addresses[0]']);
    const m = /\(CRD rule: (.*)\)$/.exec(problems[0].message);
    exercised.add(m![1]);
    expect(v.validate(gw('lb-1.example.com'))).toEqual([]);
  });

  test('the one transition rule (GatewayClass controllerName is immutable) needs the stored object, so synth skips it', () => {
    const rule = allCrdRules('gateway-api').find((r) => r.key.endsWith('/GatewayClass') && r.path === 'spec.controllerName')!;
    expect(rule.compiled.transition).toBe(true);
    expect(evaluateRule(rule.compiled, 'example.com/other')).toEqual({ status: 'skipped' });
    exercised.add(rule.compiled.text);
  });
});

describe('every CEL rule of the Gateway API artefact', () => {
  const rules = allCrdRules('gateway-api');
  const distinct = new Map(rules.map((r) => [r.compiled.text, r]));

  test('parses and type-checks in our environment (has() on an indexed item and isIP() included)', () => {
    expect([...distinct.values()].filter((r) => r.compiled.unsupported).map((r) => `${r.compiled.text}: ${r.compiled.unsupported}`)).toEqual([]);
    expect(distinct.size).toBe(79);
    expect(Object.keys(loadGatewayApiArtefact().kinds).filter((k) => k.includes('/v1/')).map((k) => k.split('/')[2]).sort())
      .toEqual(['BackendTLSPolicy', 'GRPCRoute', 'Gateway', 'GatewayClass', 'HTTPRoute', 'ListenerSet', 'ReferenceGrant', 'TLSRoute']);
  });

  test('is exercised by a failing case above', () => {
    expect([...distinct.keys()].filter((text) => !exercised.has(text))).toEqual([]);
  });
});

describe('structural defaults before validation', () => {
  test('a rule without matches gets the PathPrefix "/" match, as the API server defaults it; the manifest is not changed', () => {
    const crd = loadGatewayApiArtefact().kinds['gateway.networking.k8s.io/v1/HTTPRoute'];
    const given = { spec: { rules: [{ backendRefs: [{ name: 'api', port: 80 }] }] } };
    const before = JSON.stringify(given);
    expect(withDefaults(given, crd.schema)).toMatchObject({
      spec: { rules: [{ matches: [{ path: { type: 'PathPrefix', value: '/' } }], backendRefs: [{ name: 'api', port: 80, group: '', kind: 'Service', weight: 1 }] }] },
    });
    expect(JSON.stringify(given)).toBe(before);
  });
});

describe('what the evaluator needs to read Kubernetes rules', () => {
  test('has() on an indexed item becomes a key test with the same meaning', () => {
    expect(presenceOnIndexed('has(self.matches[0].path) && has(self.a)')).toBe("('path' in self.matches[0]) && has(self.a)");
    const rule = compileRule({ rule: 'has(self[0].matches)', message: 'm' });
    expect(evaluateRule(rule, [{ matches: [] }])).toEqual({ status: 'pass' });
    expect(evaluateRule(rule, [{}])).toEqual({ status: 'fail', message: 'm' });
  });

  test('property names are escaped as Kubernetes escapes them; map keys are not', () => {
    expect(['namespace', 'in', 'a-b', 'a.b', 'a/b', 'a__b', 'plain'].map(celPropertyName)).toEqual(['__namespace__', '__in__', 'a__dash__b', 'a__dot__b', 'a__slash__b', 'a__underscores__b', 'plain']);
    const schema = { type: 'object', properties: { namespace: { type: 'string' }, labels: { type: 'object', additionalProperties: { type: 'string' } } } };
    expect(toCelValue({ namespace: 'shop', labels: { 'app.kubernetes.io/name': 'x' } }, schema)).toEqual({ __namespace__: 'shop', labels: { 'app.kubernetes.io/name': 'x' } });
  });

  test('matches() reads RE2: leading flags, named groups, \\A and \\z', () => {
    expect(re2RegExp('^(?i)[a-z]+$').test('ABC')).toBe(true);
    expect(re2RegExp('(?i)abc').flags).toBe('i');
    expect(re2RegExp('\\Aab\\z').test('ab')).toBe(true);
    expect(re2RegExp('(?P<x>a)').exec('a')!.groups).toEqual({ x: 'a' });
    expect(() => re2RegExp('a(?i)b')).toThrow(/RE2 flags inside the pattern/);
  });

  test('isIP() as Kubernetes\' IP library: v4 and v6 addresses, no zones', () => {
    const rule = compileRule({ rule: 'isIP(self)', message: 'm' });
    expect(['10.0.0.1', '::1', 'fe80::1%eth0', 'example.com'].map((v) => evaluateRule(rule, v).status)).toEqual(['pass', 'pass', 'fail', 'fail']);
  });
});
