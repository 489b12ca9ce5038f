/**
 * RequestAuthentication: which JWTs a workload accepts, and where it finds them.
 */
import { Construct } from 'constructs';
import { AuthorizationPolicy, PolicyAction } from './authorization-policy';
import { Operation, Source } from './authorization-rule';
import { DurationLike, renderDuration } from './duration';
import * as l1 from './l1';
import { checkTargetRefs, PolicyScopeProps, PolicyTargetRef, renderSelector, resolvePolicyScope } from './policy-scope';
import { IWorkloadRef } from './references';
import { IstioResource } from './resource';
import { checkAll, FieldProblem, Problem } from './validation';

type RequestAuthenticationSpec = l1.Wire<l1.RequestAuthenticationSpec>;

/** A header that carries the token, e.g. `Authorization` with prefix `Bearer `. */
export interface JwtHeader {
  readonly name: string;
  /** Stripped before the token is decoded. @default - none */
  readonly prefix?: string;
}

/** A claim copied into a request header for the workload once the token is verified. */
export interface JwtClaimToHeader {
  readonly claim: string;
  readonly header: string;
}

export interface JwtRuleOptions {
  /** Accepted `aud` values. @default - any audience */
  readonly audiences?: string[];
  /** Keep the token on the request passed to the workload. @default false */
  readonly forwardOriginalToken?: boolean;
  /** Headers to read the token from. @default - `Authorization: Bearer <token>` */
  readonly fromHeaders?: JwtHeader[];
  /** Query parameters to read the token from. @default - `access_token` */
  readonly fromParams?: string[];
  /** Cookies to read the token from. @default - none */
  readonly fromCookies?: string[];
  /** Header that receives the verified payload (base64url-encoded JSON). @default - none */
  readonly outputPayloadToHeader?: string;
  /** Claims copied into headers. @default - none */
  readonly outputClaimToHeaders?: JwtClaimToHeader[];
  /** Claims holding space-separated lists (such as `scope`), matched element-wise. @default - only the claims Istio always splits */
  readonly spaceDelimitedClaims?: string[];
  /** How long istiod waits when fetching the key set. @default - istiod's default */
  readonly timeout?: DurationLike;
}

const HEADER_NAME = /^[-_A-Za-z0-9]+$/;

/**
 * How to verify one issuer's tokens: its keys from a URL (`fromJwksUri`), inline
 * (`fromJwks`) or from the issuer's OpenID discovery document (`fromIssuer`).
 */
export class JwtRule {
  /** Keys fetched from `jwksUri` (an http:// or https:// URL). */
  public static fromJwksUri(issuer: string, jwksUri: string, options: JwtRuleOptions = {}): JwtRule {
    return new JwtRule(issuer, options, jwksUri, undefined);
  }

  /** Keys given inline as a JSON Web Key Set (text, or the object to serialize). */
  public static fromJwks(issuer: string, jwks: string | Record<string, unknown>, options: JwtRuleOptions = {}): JwtRule {
    return new JwtRule(issuer, options, undefined, typeof jwks === 'string' ? jwks : JSON.stringify(jwks));
  }

  /** Keys found through the issuer's OpenID discovery document (`<issuer>/.well-known/openid-configuration`). */
  public static fromIssuer(issuer: string, options: JwtRuleOptions = {}): JwtRule {
    return new JwtRule(issuer, options, undefined, undefined);
  }

  private constructor(
    public readonly issuer: string,
    private readonly options: JwtRuleOptions,
    public readonly jwksUri: string | undefined,
    private readonly jwks: string | undefined,
  ) {}

  /** Problems, with fields relative to the `jwtRules` entry. */
  public validate(): FieldProblem[] {
    const problems: FieldProblem[] = [];
    const o = this.options;
    if (!this.issuer) {
      problems.push({ field: 'issuer', problem: 'the issuer is empty', fix: 'pass the `iss` value of the tokens, e.g. https://accounts.example.com' });
    }
    if (this.jwksUri !== undefined) {
      const p = jwksUriProblem(this.jwksUri);
      if (p) {
        problems.push({ field: 'jwksUri', ...p });
      }
    }
    if (this.jwks !== undefined) {
      const p = jwksProblem(this.jwks);
      if (p) {
        problems.push({ field: 'jwks', ...p });
      }
    }
    (o.audiences ?? []).forEach((a, i) => {
      if (!a) {
        problems.push({ field: `audiences[${i}]`, problem: 'the audience is empty', fix: 'remove the empty audience' });
      }
    });
    (o.fromHeaders ?? []).forEach((h, i) => {
      if (!HEADER_NAME.test(h.name)) {
        problems.push({ field: `fromHeaders[${i}].name`, problem: `"${h.name}" is not a header name`, fix: 'use letters, digits, - and _' });
      }
    });
    (o.fromParams ?? []).forEach((p, i) => {
      if (!p) {
        problems.push({ field: `fromParams[${i}]`, problem: 'the parameter name is empty', fix: 'remove the empty name' });
      }
    });
    (o.fromCookies ?? []).forEach((c, i) => {
      if (!c) {
        problems.push({ field: `fromCookies[${i}]`, problem: 'the cookie name is empty', fix: 'remove the empty name' });
      }
    });
    if (o.outputPayloadToHeader !== undefined && !HEADER_NAME.test(o.outputPayloadToHeader)) {
      problems.push({ field: 'outputPayloadToHeader', problem: `"${o.outputPayloadToHeader}" is not a header name`, fix: 'use letters, digits, - and _' });
    }
    (o.outputClaimToHeaders ?? []).forEach((c, i) => {
      if (!c.claim) {
        problems.push({ field: `outputClaimToHeaders[${i}].claim`, problem: 'the claim is empty', fix: 'name the claim to copy' });
      }
      if (!HEADER_NAME.test(c.header)) {
        problems.push({ field: `outputClaimToHeaders[${i}].header`, problem: `"${c.header}" is not a header name`, fix: 'use letters, digits, - and _' });
      }
    });
    if (o.spaceDelimitedClaims && o.spaceDelimitedClaims.length > 64) {
      problems.push({ field: 'spaceDelimitedClaims', problem: 'more than 64 claims', fix: 'list at most 64 claims' });
    }
    return problems;
  }

  /** The `jwtRules` entry. */
  public render(where: { path: string; field: string }): NonNullable<RequestAuthenticationSpec['jwtRules']>[number] {
    const o = this.options;
    return {
      issuer: this.issuer,
      audiences: o.audiences ? [...o.audiences] : undefined,
      jwksUri: this.jwksUri,
      jwks: this.jwks,
      fromHeaders: o.fromHeaders?.map((h) => ({ name: h.name, prefix: h.prefix })),
      fromParams: o.fromParams ? [...o.fromParams] : undefined,
      fromCookies: o.fromCookies ? [...o.fromCookies] : undefined,
      forwardOriginalToken: o.forwardOriginalToken,
      outputPayloadToHeader: o.outputPayloadToHeader,
      outputClaimToHeaders: o.outputClaimToHeaders?.map((c) => ({ claim: c.claim, header: c.header })),
      spaceDelimitedClaims: o.spaceDelimitedClaims ? [...o.spaceDelimitedClaims] : undefined,
      timeout: renderDuration(where.path, `${where.field}.timeout`, o.timeout),
    };
  }
}

/** Istio fetches the key set itself and only speaks http and https. */
export function jwksUriProblem(uri: string): Problem | undefined {
  const fix = 'use the issuer\'s key set URL, e.g. https://issuer.example.com/.well-known/jwks.json';
  if (uri.length > 2048) {
    return { problem: 'the URL is longer than 2048 characters', fix };
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return { problem: `"${uri}" is not a URL (url must have scheme http:// or https://)`, fix };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { problem: `"${uri}" has scheme ${url.protocol.replace(/:$/, '')}; url must have scheme http:// or https://`, fix };
  }
  if (!url.hostname) {
    return { problem: `"${uri}" has no host`, fix };
  }
  return undefined;
}

/** A JSON Web Key Set (`{"keys": [...]}`) or a single JSON Web Key (`{"kty": ...}`). */
function jwksProblem(jwks: string): Problem | undefined {
  const fix = 'pass the issuer\'s key set JSON, {"keys": [{"kty": ...}]}';
  let parsed: unknown;
  try {
    parsed = JSON.parse(jwks);
  } catch {
    return { problem: 'the key set is not JSON', fix };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problem: 'the key set is not a JSON object', fix };
  }
  const obj = parsed as Record<string, unknown>;
  if ('keys' in obj) {
    const keys = obj.keys;
    if (!Array.isArray(keys) || keys.length === 0 || keys.some((k) => !k || typeof k !== 'object' || typeof (k as Record<string, unknown>).kty !== 'string')) {
      return { problem: '`keys` must be a non-empty list of keys, each with a `kty`', fix };
    }
    return undefined;
  }
  if (typeof obj.kty !== 'string') {
    return { problem: 'the JSON is neither a key set (`keys`) nor a key (`kty`)', fix };
  }
  return undefined;
}

export interface RequestAuthenticationProps extends PolicyScopeProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** Issuers whose tokens are accepted. More can be added with `addJwtRule()`. @default - none */
  readonly jwtRules?: JwtRule[];
  /**
   * Attach to a Gateway API Gateway or (for waypoints) a Service in the policy's namespace
   * instead of selecting pods. Cannot be combined with `selector`.
   * @default - none
   */
  readonly targetRefs?: PolicyTargetRef[];
}

export interface RequirePrincipalOptions {
  /** Object name, also the construct id. @default `<request authentication name>-require-jwt` */
  readonly name?: string;
  /**
   * Request principals (`<iss>/<sub>`, `*` prefix/suffix allowed) that are let through.
   * @default ['*'] - any valid token
   */
  readonly principals?: string[];
  /** Require the token only for these operations (say, `Operation.paths('/api/*')`). @default - every request */
  readonly operations?: Operation[];
}

/**
 * An Istio RequestAuthentication (security.istio.io/v1): the JWT issuers a workload (or a
 * namespace, the mesh, a Gateway API gateway) accepts. It rejects requests with an invalid
 * token but lets requests without one through; `requirePrincipal()` closes that.
 */
export class RequestAuthentication extends IstioResource<RequestAuthenticationSpec> {
  public readonly selector?: IWorkloadRef;
  private readonly targetRefs: readonly PolicyTargetRef[];
  private readonly rules: JwtRule[] = [];

  public constructor(scope: Construct, id: string, props: RequestAuthenticationProps = {}) {
    const targetRefs = props.targetRefs ?? [];
    const resolved = resolvePolicyScope(`${scope.node.path}/${id}`, scope, props, targetRefs);
    super(scope, id, { ...props, namespace: resolved.namespace }, l1.RequestAuthentication.GVK);
    this.targetRefs = targetRefs;
    this.selector = resolved.selector;
    checkTargetRefs(this, this.namespace, targetRefs);
    for (const rule of props.jwtRules ?? []) {
      this.addJwtRule(rule);
    }
  }

  /** Accept another issuer's tokens. */
  public addJwtRule(rule: JwtRule): this {
    const field = `spec.jwtRules[${this.rules.length}]`;
    checkAll(this, field, rule.validate());
    // Render once now, so a duration Istio refuses is reported here with its field.
    rule.render({ path: this.node.path, field });
    this.rules.push(rule);
    return this;
  }

  /**
   * Refuse requests without a valid token (or whose principal is not listed), with a DENY
   * policy on the same workloads. DENY rather than ALLOW so the requirement adds to the
   * workload's other policies instead of opening it to every token holder. The token is an
   * HTTP attribute: without `operations` naming ports, Istio also refuses plain TCP traffic to
   * these workloads.
   */
  public requirePrincipal(options: RequirePrincipalOptions = {}): AuthorizationPolicy {
    const name = options.name ?? `${this.name}-require-jwt`;
    return new AuthorizationPolicy(this, name, {
      name,
      namespace: this.selector ? undefined : this.namespace,
      selector: this.selector,
      targetRefs: this.targetRefs.length > 0 ? [...this.targetRefs] : undefined,
      action: PolicyAction.DENY,
      rules: [{ from: [Source.notRequestPrincipals(...(options.principals ?? ['*']))], to: options.operations }],
    });
  }

  protected renderSpec(): RequestAuthenticationSpec {
    return {
      selector: renderSelector(this.selector),
      targetRefs: this.targetRefs.length > 0 ? this.targetRefs.map((t) => t.render()) : undefined,
      jwtRules: this.rules.length > 0
        ? this.rules.map((r, i) => r.render({ path: this.node.path, field: `spec.jwtRules[${i}]` }))
        : undefined,
    };
  }
}
