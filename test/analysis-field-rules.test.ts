import { ApiObject } from 'cdk8s';
import { CKI1101, CKI1102 } from '../src/analysis/checks/field-rules';
import { re2Problem } from '../src/validation/http';
import { CKI1003 } from '../src/analysis/checks/schema';
import { IST0106 } from '../src/analysis/codes';
import { Finding, Severity } from '../src/analysis/finding';
import { IstioChart } from '../src/istio-chart';
import * as l1 from '../src/l1';
import { findings, testApp } from '../src/testing';

type Json = Record<string, unknown>;

const OURS = new Set([CKI1101.code, CKI1102.code, IST0106.code, 'CKI1002', CKI1003.code]);

function check(apiVersion: string, kind: string, spec: Json): Finding[] {
  const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
  new ApiObject(chart, 'obj', { apiVersion, kind, metadata: { name: 'subject' }, spec });
  return findings(chart).filter((f) => OURS.has(f.code));
}

const gateway = (hosts: string[], port: Json = { number: 443, name: 'https', protocol: 'HTTPS' }) => check('networking.istio.io/v1', 'Gateway', {
  selector: { istio: 'ingressgateway' },
  servers: [{ port, hosts, tls: { mode: 'SIMPLE', credentialName: 'shop-tls' } }],
});
const sidecar = (spec: Json) => check('networking.istio.io/v1', 'Sidecar', spec);
const virtualService = (spec: Json) => check('networking.istio.io/v1', 'VirtualService', { hosts: ['shop.example.com'], gateways: ['shop/edge'], ...spec });
const destination = (extra: Json = {}) => ({ route: [{ destination: { host: 'api.shop.svc.cluster.local', ...extra } }] });
const matching = (match: Json) => virtualService({ http: [{ match: [match], ...destination() }] });

describe('hosts must be fully qualified or wildcard prefixes', () => {
  test('Gateway hosts refuse short names, with and without a namespace', () => {
    const fs = gateway(['shop', 'shop/reviews', 'shop/shop.example.com', '*/*.example.com', './api.example.com', '*']);
    expect(fs.map((f) => [f.code, f.field])).toEqual([
      [CKI1101.code, 'spec.servers[0].hosts[0]'],
      [CKI1101.code, 'spec.servers[0].hosts[1]'],
    ]);
    expect(fs[0]).toMatchObject({ severity: Severity.ERROR, constructPath: 'c/obj', object: 'Gateway shop/subject' });
    expect(fs[0].message).toContain('"shop" is not a valid host: a short name is ambiguous');
    expect(fs[0].fix).toContain('shop/shop.example.com');
  });

  test('Gateway hosts refuse a namespace that is not one', () => {
    const [f] = gateway(['Shop_NS/api.example.com']);
    expect(f).toMatchObject({ code: CKI1101.code, field: 'spec.servers[0].hosts[0]' });
    expect(f.message).toContain('"Shop_NS" is not a namespace');
  });

  test('Sidecar egress hosts take the namespace/host form', () => {
    const fs = sidecar({ egress: [{ hosts: ['istio-system', './*', 'istio-system/*', '~/*', 'shop/api'] }] });
    expect(fs.map((f) => f.field)).toEqual(['spec.egress[0].hosts[0]', 'spec.egress[0].hosts[4]']);
  });

  test('VirtualService hosts may be short names but must be valid names', () => {
    const fs = virtualService({ hosts: ['reviews', 'shop_example.com', 'a.*.example.com', '*.example.com'], http: [destination()] });
    expect(fs.map((f) => f.field)).toEqual(['spec.hosts[1]', 'spec.hosts[2]']);
    expect(fs[1].message).toContain('a wildcard may only stand at the start');
  });

  test('a mesh-bound VirtualService may not claim `*`; a gateway-bound one may', () => {
    const [f] = check('networking.istio.io/v1', 'VirtualService', { hosts: ['*'], http: [destination()] });
    expect(f).toMatchObject({ code: CKI1101.code, field: 'spec.hosts[0]' });
    expect(f.message).toContain('bound to the mesh');
    expect(check('networking.istio.io/v1', 'VirtualService', { hosts: ['*'], gateways: ['mesh'], http: [destination()] })).toHaveLength(1);
    expect(virtualService({ hosts: ['*'], http: [destination()] })).toEqual([]);
  });

  test('DestinationRule host and ServiceEntry hosts', () => {
    expect(check('networking.istio.io/v1', 'DestinationRule', { host: 'api..shop' }).map((f) => [f.code, f.field])).toEqual([[CKI1101.code, 'spec.host']]);
    expect(check('networking.istio.io/v1', 'DestinationRule', { host: 'api.shop.svc.cluster.local' })).toEqual([]);
    const fs = check('networking.istio.io/v1', 'ServiceEntry', { hosts: ['api.example.*', 'ok.example.com'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' });
    expect(fs.map((f) => [f.code, f.field])).toEqual([[CKI1101.code, 'spec.hosts[0]']]);
  });

  test('ServiceEntry `*` is reported once, by the CRD\'s own rule', () => {
    const fs = check('networking.istio.io/v1', 'ServiceEntry', { hosts: ['*'], ports: [{ number: 443, name: 'https', protocol: 'HTTPS' }], resolution: 'DNS' });
    expect(fs.map((f) => f.code)).toEqual([CKI1003.code]);
  });

  test('hosts written with L1 classes are checked too', () => {
    const chart = new IstioChart(testApp(), 'c', { namespace: 'shop' });
    new l1.Sidecar(chart, 'sc', { metadata: { name: 'default' }, spec: { egress: [{ hosts: ['istio-system'] }] } });
    expect(findings(chart).filter((f) => f.code === CKI1101.code).map((f) => [f.constructPath, f.field])).toEqual([['c/sc', 'spec.egress[0].hosts[0]']]);
  });
});

describe('port numbers are 1-65535 where the CRD does not say so', () => {
  test('Gateway server ports: the CRD accepts any uint32, istiod does not', () => {
    const [f, ...rest] = gateway(['shop.example.com'], { number: 70000, name: 'https', protocol: 'HTTPS' });
    expect(rest).toEqual([]);
    expect(f).toMatchObject({ code: CKI1102.code, severity: Severity.ERROR, field: 'spec.servers[0].port.number' });
    expect(f.message).toContain('70000 is not a port number (1-65535)');
    expect(gateway(['shop.example.com'], { number: 0, name: 'https', protocol: 'HTTPS' }).map((x) => x.code)).toEqual([CKI1102.code]);
    expect(gateway(['shop.example.com'], { number: 443, name: 'https', protocol: 'HTTPS', targetPort: 0 })).toEqual([]);
    expect(gateway(['shop.example.com'], { number: 443, name: 'https', protocol: 'HTTPS', targetPort: 65536 }).map((x) => x.field)).toEqual(['spec.servers[0].port.targetPort']);
  });

  test('VirtualService destination, mirror, redirect and match ports', () => {
    const fs = virtualService({
      http: [
        { match: [{ port: 0 }], ...destination({ port: { number: 0 } }), mirror: { host: 'm.shop.svc.cluster.local', port: { number: 80 } } },
        { match: [{ port: 65536 }], redirect: { port: 99999 } },
      ],
      tcp: [{ route: [{ destination: { host: 'db.shop.svc.cluster.local', port: { number: 70000 } } }] }],
    });
    expect(fs.filter((f) => f.code === CKI1102.code).map((f) => f.field).sort()).toEqual([
      'spec.http[0].route[0].destination.port.number',
      'spec.http[1].match[0].port',
      'spec.http[1].redirect.port',
      'spec.tcp[0].route[0].destination.port.number',
    ]);
  });

  test('DestinationRule port-level settings and Sidecar listeners', () => {
    expect(check('networking.istio.io/v1', 'DestinationRule', {
      host: 'api.shop.svc.cluster.local',
      trafficPolicy: { portLevelSettings: [{ port: { number: 80 } }, { port: { number: 80000 } }] },
    }).map((f) => f.field)).toEqual(['spec.trafficPolicy.portLevelSettings[1].port.number']);
    expect(sidecar({ ingress: [{ port: { number: 0, protocol: 'HTTP', name: 'http' }, defaultEndpoint: '127.0.0.1:8080' }] }).map((f) => f.field))
      .toEqual(['spec.ingress[0].port.number']);
  });

  test('AuthorizationPolicy ports are decimal strings', () => {
    const fs = check('security.istio.io/v1', 'AuthorizationPolicy', {
      selector: { matchLabels: { app: 'api' } },
      rules: [{
        to: [{ operation: { ports: ['8080', '80a', '0'], notPorts: ['65536'] } }],
        when: [{ key: 'destination.port', values: ['443', '99999'] }, { key: 'request.headers[x-port]', values: ['99999'] }],
      }],
    });
    expect(fs.map((f) => f.field)).toEqual([
      'spec.rules[0].to[0].operation.notPorts[0]',
      'spec.rules[0].to[0].operation.ports[1]',
      'spec.rules[0].to[0].operation.ports[2]',
      'spec.rules[0].when[0]',
    ]);
    expect(fs[3].message).toBe('destination.port condition holds "99999", not port numbers (1-65535)');
  });

  test('ports the CRD guards with CEL are reported once, by CEL', () => {
    const fs = check('networking.istio.io/v1', 'ServiceEntry', { hosts: ['db.example.com'], ports: [{ number: 70000, name: 'tcp', protocol: 'TCP' }], resolution: 'DNS' });
    expect(fs.map((f) => f.code)).toEqual([CKI1003.code]);
  });
});

describe('regular expressions Envoy will compile with RE2 (IST0106)', () => {
  test('an invalid uri regex is an error with its path: istiod refuses it (istioctl retired IST0122 in 1.23)', () => {
    const [f] = matching({ uri: { regex: '/api/(?!internal)' } });
    expect(f).toMatchObject({ code: IST0106.code, severity: Severity.ERROR, field: 'spec.http[0].match[0].uri.regex' });
    expect(f.message).toContain('lookahead');
  });

  test('over RE2\'s 1,000-repeat limit, or over istiod\'s 1,024 characters, is an error', () => {
    const [repeat] = matching({ uri: { regex: '^/a{1001}$' } });
    expect(repeat).toMatchObject({ code: IST0106.code, severity: Severity.ERROR });
    const [long] = matching({ uri: { regex: `^/${'a'.repeat(1023)}` } });
    expect(long).toMatchObject({ code: IST0106.code, severity: Severity.ERROR, message: 'the regular expression is 1025 characters long; istiod refuses more than 1024' });
    expect(matching({ uri: { regex: `^/${'a'.repeat(1022)}` } })).toEqual([]);
  });

  test('header, query parameter, authority, CORS origin and rewrite regexes are all checked', () => {
    const fs = virtualService({
      http: [{
        match: [{ headers: { 'x-user': { regex: '(a' } }, queryParams: { v: { regex: '(\\d)\\1' } }, authority: { regex: '[z-a]' }, withoutHeaders: { 'x-b': { regex: 'ok.*' } } }],
        corsPolicy: { allowOrigins: [{ regex: '(?<=https://).*' }] },
        rewrite: { uriRegexRewrite: { match: '^/v1/(.*', rewrite: '/v2/\\1' } },
        ...destination(),
      }],
    });
    expect(fs.map((f) => [f.code, f.field])).toEqual([
      [IST0106.code, 'spec.http[0].match[0].authority.regex'],
      [IST0106.code, 'spec.http[0].match[0].headers.x-user.regex'],
      [IST0106.code, 'spec.http[0].match[0].queryParams.v.regex'],
      [IST0106.code, 'spec.http[0].corsPolicy.allowOrigins[0].regex'],
      [IST0106.code, 'spec.http[0].rewrite.uriRegexRewrite.match'],
    ].sort((a, b) => a[1].localeCompare(b[1])));
  });

  test('valid RE2 passes, RE2-only syntax included', () => {
    expect(matching({ uri: { regex: '(?i)^/api/v[0-9]+/(?P<rest>.*)$' }, headers: { ua: { regex: '.*(Chrome|Firefox).*' } } })).toEqual([]);
  });

  test.each([
    ['(?=a)', 'lookahead'],
    ['(?<!a)b', 'lookbehind'],
    ['(a)\\1', 'backreference'],
    ['(?<n>a)\\k<n>', 'named backreferences'],
    ['(?>a)', 'atomic'],
    ['a{1001}', 'limit of 1000'],
    ['\\e', 'not an escape sequence RE2 knows'],
    ['a**', 'Nothing to repeat'],
    ['(', 'Unterminated group'],
    ['a\\', 'lone backslash'],
  ])('re2Problem(%p) mentions %p', (pattern, reason) => {
    expect(re2Problem(pattern)).toEqual(expect.stringContaining(reason));
  });

  test.each([
    '', '.*', '^/api/v[0-9]+$', '(?i)chrome', '(?i:a)b', '(?s).', '(?P<name>x)', '(?<name>x)', '\\Q.*+\\E', '\\Aab\\z',
    '[[:alpha:]]+', '[]a]', '\\pL', '\\123', 'a{2,1000}', '[\\d-]',
  ])('re2Problem(%p) is undefined', (pattern) => {
    expect(re2Problem(pattern)).toBeUndefined();
  });
});
