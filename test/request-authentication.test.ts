import { Json } from '../src/analysis/rendered';
import { Operation } from '../src/authorization-rule';
import { IstioDuration } from '../src/duration';
import { IstioChart } from '../src/istio-chart';
import { PolicyTargetRef } from '../src/policy-scope';
import { JwtRule, RequestAuthentication } from '../src/request-authentication';
import { synthManifests, testApp } from '../src/testing';
import { MeshWorkload } from '../src/mesh-workload';

function chart(): IstioChart {
  return new IstioChart(testApp(), 'c', { namespace: 'shop' });
}

function ofKind(c: IstioChart, kind: string): Json[] {
  return synthManifests(c).filter((m) => m.kind === kind);
}

const api = MeshWorkload.fromLabels('shop', { app: 'api' }, { serviceAccountName: 'api' });
const JWKS = { keys: [{ kty: 'RSA', kid: 'k1', n: 'sXch', e: 'AQAB' }] };

describe('RequestAuthentication', () => {
  test('a JWT rule with every option renders field by field, emitting jwksUri (never jwks_uri)', () => {
    const c = chart();
    new RequestAuthentication(c, 'api-jwt', {
      selector: api,
      jwtRules: [JwtRule.fromJwksUri('https://issuer.example.com', 'https://issuer.example.com/.well-known/jwks.json', {
        audiences: ['shop-api'],
        forwardOriginalToken: true,
        fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }, { name: 'x-token' }],
        fromParams: ['token'],
        fromCookies: ['session'],
        outputPayloadToHeader: 'x-jwt-payload',
        outputClaimToHeaders: [{ claim: 'sub', header: 'x-user' }],
        spaceDelimitedClaims: ['scope'],
        timeout: IstioDuration.seconds(3),
      })],
    });
    const [ra] = ofKind(c, 'RequestAuthentication');
    expect(ra.apiVersion).toBe('security.istio.io/v1');
    expect(ra.metadata).toEqual({ name: 'api-jwt', namespace: 'shop' });
    const spec = ra.spec as Json;
    expect(spec.selector).toEqual({ matchLabels: { app: 'api' } });
    const [rule] = spec.jwtRules as Json[];
    expect(rule).toEqual({
      issuer: 'https://issuer.example.com',
      audiences: ['shop-api'],
      jwksUri: 'https://issuer.example.com/.well-known/jwks.json',
      forwardOriginalToken: true,
      fromHeaders: [{ name: 'x-jwt', prefix: 'Bearer ' }, { name: 'x-token' }],
      fromParams: ['token'],
      fromCookies: ['session'],
      outputPayloadToHeader: 'x-jwt-payload',
      outputClaimToHeaders: [{ claim: 'sub', header: 'x-user' }],
      spaceDelimitedClaims: ['scope'],
      timeout: '3s',
    });
    expect(rule).not.toHaveProperty('jwks_uri');
    expect(ra).toMatchSnapshot();
  });

  test('inline jwks, OpenID discovery, rules added later, namespace and gateway scope', () => {
    const c = chart();
    const ra = new RequestAuthentication(c, 'ns-jwt', { jwtRules: [JwtRule.fromJwks('issuer-a', JWKS)] });
    ra.addJwtRule(JwtRule.fromIssuer('https://accounts.example.com'));
    new RequestAuthentication(c, 'gw-jwt', {
      targetRefs: [PolicyTargetRef.gateway('public')],
      jwtRules: [JwtRule.fromJwks('issuer-b', JSON.stringify(JWKS))],
    });
    const [ns, gw] = ofKind(c, 'RequestAuthentication');
    expect(ns.spec).toEqual({
      jwtRules: [
        { issuer: 'issuer-a', jwks: JSON.stringify(JWKS) },
        { issuer: 'https://accounts.example.com' },
      ],
    });
    expect(gw.spec).toEqual({
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
      jwtRules: [{ issuer: 'issuer-b', jwks: JSON.stringify(JWKS) }],
    });
  });

  test('requirePrincipal pairs it with a DENY for requests without a valid token, on the same workloads', () => {
    const c = chart();
    const ra = new RequestAuthentication(c, 'api-jwt', {
      selector: api,
      jwtRules: [JwtRule.fromJwksUri('https://issuer.example.com', 'https://issuer.example.com/jwks')],
    });
    const policy = ra.requirePrincipal({ operations: [Operation.paths('/api/*')] });
    expect(policy.name).toBe('api-jwt-require-jwt');
    const [ap] = ofKind(c, 'AuthorizationPolicy');
    expect(ap.metadata).toEqual({ name: 'api-jwt-require-jwt', namespace: 'shop' });
    expect(ap.spec).toEqual({
      action: 'DENY',
      selector: { matchLabels: { app: 'api' } },
      rules: [{
        from: [{ source: { notRequestPrincipals: ['*'] } }],
        to: [{ operation: { paths: ['/api/*'] } }],
      }],
    });
    expect(ap).toMatchSnapshot();
  });

  test('requirePrincipal with named principals, on a gateway target and mesh-wide', () => {
    const c = chart();
    new RequestAuthentication(c, 'gw', { targetRefs: [PolicyTargetRef.gateway('public')], jwtRules: [JwtRule.fromIssuer('https://i')] })
      .requirePrincipal({ name: 'gw-needs-alice', principals: ['https://i/alice'] });
    new RequestAuthentication(c, 'mesh', { meshWide: true, jwtRules: [JwtRule.fromIssuer('https://i')] }).requirePrincipal();
    const [gw, mesh] = ofKind(c, 'AuthorizationPolicy');
    expect(gw.metadata).toEqual({ name: 'gw-needs-alice', namespace: 'shop' });
    expect(gw.spec).toEqual({
      action: 'DENY',
      targetRefs: [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'public' }],
      rules: [{ from: [{ source: { notRequestPrincipals: ['https://i/alice'] } }] }],
    });
    expect(mesh.metadata).toEqual({ name: 'mesh-require-jwt', namespace: 'istio-system' });
    expect((mesh.spec as Json).selector).toBeUndefined();
  });
});

describe('RequestAuthentication refuses wrong input, naming the construct path and field', () => {
  test('a jwksUri that is not an http(s) URL', () => {
    expect(() => new RequestAuthentication(chart(), 'ra', { jwtRules: [JwtRule.fromJwksUri('iss', 'ftp://issuer/jwks')] }))
      .toThrow(/^\[c\/ra\] spec\.jwtRules\[0\]\.jwksUri: "ftp:\/\/issuer\/jwks" has scheme ftp; url must have scheme http:\/\/ or https:\/\//);
    expect(() => new RequestAuthentication(chart(), 'ra', { jwtRules: [JwtRule.fromJwksUri('iss', 'issuer.example.com/jwks')] }))
      .toThrow(/^\[c\/ra\] spec\.jwtRules\[0\]\.jwksUri: "issuer\.example\.com\/jwks" is not a URL/);
    const ra = new RequestAuthentication(chart(), 'ra', { jwtRules: [JwtRule.fromIssuer('a')] });
    expect(() => ra.addJwtRule(JwtRule.fromJwksUri('b', `https://x/${'a'.repeat(2050)}`)))
      .toThrow(/^\[c\/ra\] spec\.jwtRules\[1\]\.jwksUri: the URL is longer than 2048 characters/);
  });

  test('inline jwks that is not a key set', () => {
    expect(() => new RequestAuthentication(chart(), 'ra', { jwtRules: [JwtRule.fromJwks('iss', '{not json')] }))
      .toThrow(/^\[c\/ra\] spec\.jwtRules\[0\]\.jwks: the key set is not JSON/);
    expect(() => new RequestAuthentication(chart(), 'ra', { jwtRules: [JwtRule.fromJwks('iss', { keys: [] })] }))
      .toThrow(/^\[c\/ra\] spec\.jwtRules\[0\]\.jwks: `keys` must be a non-empty list/);
  });

  test('empty issuer, bad header names, empty audiences and too short timeouts', () => {
    const make = (rule: JwtRule) => () => new RequestAuthentication(chart(), 'ra', { jwtRules: [rule] });
    expect(make(JwtRule.fromIssuer(''))).toThrow(/^\[c\/ra\] spec\.jwtRules\[0\]\.issuer: the issuer is empty/);
    expect(make(JwtRule.fromIssuer('i', { fromHeaders: [{ name: 'bad header' }] }))).toThrow(/spec\.jwtRules\[0\]\.fromHeaders\[0\]\.name: "bad header" is not a header name/);
    expect(make(JwtRule.fromIssuer('i', { outputPayloadToHeader: 'x:y' }))).toThrow(/spec\.jwtRules\[0\]\.outputPayloadToHeader: "x:y" is not a header name/);
    expect(make(JwtRule.fromIssuer('i', { outputClaimToHeaders: [{ claim: 'sub', header: 'a b' }] }))).toThrow(/outputClaimToHeaders\[0\]\.header/);
    expect(make(JwtRule.fromIssuer('i', { audiences: [''] }))).toThrow(/spec\.jwtRules\[0\]\.audiences\[0\]: the audience is empty/);
    expect(make(JwtRule.fromIssuer('i', { fromParams: [''] }))).toThrow(/spec\.jwtRules\[0\]\.fromParams\[0\]/);
    expect(make(JwtRule.fromIssuer('i', { timeout: IstioDuration.millis(0.5) }))).toThrow(/spec\.jwtRules\[0\]\.timeout: 0\.5 ms is below Istio's minimum of 1 ms/);
  });

  test('selector together with targetRefs', () => {
    expect(() => new RequestAuthentication(chart(), 'ra', { selector: api, targetRefs: [PolicyTargetRef.gateway('public')] }))
      .toThrow(/^\[c\/ra\] spec\.targetRefs: cannot be combined with spec\.selector/);
  });
});
