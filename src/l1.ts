/**
 * The L1 constructs, pinned to one API version per kind, and rendered without losing fields.
 *
 * `cdk8s import` gives the bare class name to whichever version a CRD happens to list first
 * (v1 today, v1alpha3 up to Istio 1.21), so importing `imports/` directly lets a re-import
 * silently change the `apiVersion` we emit. Everything in this project reaches L1 through
 * this module, which names each version explicitly: the newest stable version Istio serves.
 *
 * The generated classes turn their props into JSON with mappers that copy the fields they know
 * and drop every other key, so a misspelt or unsupported field vanished from the output with no
 * word. The classes here render the props as they are instead, renaming only the few fields
 * whose TypeScript name differs from the CRD's; an unknown field reaches the schema check, which
 * reports it (CKI1002) with its path.
 */
import { ApiObject, ApiObjectProps } from 'cdk8s';
import { Construct } from 'constructs';
import * as ext from '../imports/extensions.istio.io';
import * as net from '../imports/networking.istio.io';
import * as sec from '../imports/security.istio.io';
import * as tel from '../imports/telemetry.istio.io';

export type Json = Record<string, unknown>;

// Props interfaces and enums of every version. The classes exported by name below take
// precedence over these star exports, and test/l1.test.ts pins their apiVersion.
export * from '../imports/extensions.istio.io';
export * from '../imports/networking.istio.io';
export * from '../imports/security.istio.io';
export * from '../imports/telemetry.istio.io';

/**
 * The JSON form of a generated L1 type, as renderers write it: the same fields, with each
 * generated enum as the union of its string values. The generator emits one enum per place a
 * CRD uses it (`DestinationRuleSpecTrafficPolicyTlsMode`, `...PortLevelSettingsTlsMode`, ...),
 * which TypeScript treats as unrelated types; in this form the same traffic policy renders for
 * the whole host, one port and one subset, and the compiler still refuses any field the CRD
 * does not have.
 */
export type Wire<T> =
  T extends string ? `${T}` :
    T extends number | boolean | bigint ? T :
      T extends ReadonlyArray<infer U> ? Array<Wire<U>> :
        T extends object ? { -readonly [K in keyof T]: Wire<T[K]> } :
          T;

/**
 * TypeScript names the generator gave CRD fields whose JSON name differs (the CRD lists a
 * deprecated snake_case twin, or the name has a digit the camel-casing changed).
 * test/l1.test.ts reads the generated mappers and fails when this table misses one.
 */
export const L1_FIELD_RENAMES: Readonly<Record<string, string>> = {
  consecutive5XxErrors: 'consecutive5xxErrors',
  // Gateway API BackendTLSPolicy.
  wellKnownCaCertificates: 'wellKnownCACertificates',
};

function asObjects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => !!v && typeof v === 'object') : [];
}

function renameDeep(value: unknown): unknown {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      value[i] = renameDeep(value[i]);
    }
    return value;
  }
  if (!value || typeof value !== 'object') {
    return value;
  }
  const obj = value as Json;
  let renamed = false;
  for (const key of Object.keys(obj)) {
    obj[key] = renameDeep(obj[key]);
    if (key in L1_FIELD_RENAMES) {
      renamed = true;
    }
  }
  if (!renamed) {
    return obj;
  }
  // Rebuild in order so the renamed key keeps its place (the output is key-sorted).
  const out: Json = {};
  for (const [key, v] of Object.entries(obj)) {
    out[L1_FIELD_RENAMES[key] ?? key] = v;
  }
  return out;
}

/**
 * Istio documents `mirrorPercentage` and `jwksUri`; the CRDs also list deprecated twins
 * (`mirror_percent`, `mirrorPercent`, `jwks_uri`) that the generator maps typed props onto.
 * Emit the documented names.
 */
export function normalizeDocumentedFieldNames(kind: string, manifest: Json): Json {
  const spec = manifest.spec as Json | undefined;
  if (!spec || typeof spec !== 'object') {
    return manifest;
  }
  if (kind === 'VirtualService') {
    for (const route of asObjects(spec.http)) {
      for (const legacy of ['mirror_percent', 'mirrorPercent']) {
        if (route[legacy] === undefined) {
          continue;
        }
        if (route.mirrorPercentage !== undefined) {
          throw new Error(`VirtualService ${String((manifest.metadata as Json | undefined)?.name)}: spec.http[].${legacy} and mirrorPercentage are both set; set only mirrorPercentage`);
        }
        route.mirrorPercentage = { value: route[legacy] };
        delete route[legacy];
      }
    }
  }
  if (kind === 'RequestAuthentication') {
    for (const rule of asObjects(spec.jwtRules)) {
      if (rule.jwks_uri !== undefined) {
        rule.jwksUri = rule.jwks_uri;
        delete rule.jwks_uri;
      }
    }
  }
  return manifest;
}

/**
 * An L1 object's manifest, from its props as given: tokens resolved, patches applied and keys
 * sorted as cdk8s does, the generated-name renames applied, and nothing dropped.
 */
export function losslessJson(obj: ApiObject): Json {
  const json = ApiObject.prototype.toJson.call(obj) as Json;
  if (json.spec !== undefined) {
    json.spec = renameDeep(json.spec);
  }
  return normalizeDocumentedFieldNames(String(json.kind), json);
}

/** Generated classes (every version) that render losslessly when the app renders them. */
const GENERATED: Set<unknown> = new Set(
  // Not `instanceof`: ApiObject answers that with a marker its instances carry, not prototypes.
  [ext, net, sec, tel].flatMap((m) => Object.values(m).filter((v) => typeof v === 'function' && Object.prototype.isPrototypeOf.call(ApiObject.prototype, v.prototype))),
);

/**
 * Adds the generated classes of another imported module (the Gateway API's, which loads only
 * when used) to those rendered losslessly.
 */
export function registerGeneratedL1(module: Record<string, unknown>): void {
  for (const v of Object.values(module)) {
    if (typeof v === 'function' && Object.prototype.isPrototypeOf.call(ApiObject.prototype, (v as { prototype: object }).prototype)) {
      GENERATED.add(v);
    }
  }
}

/** Whether `obj` was built from a generated Istio L1 class, whose own toJson would drop unknown fields. */
export function isGeneratedL1(obj: ApiObject): boolean {
  for (let proto = Object.getPrototypeOf(obj) as object | null; proto; proto = Object.getPrototypeOf(proto) as object | null) {
    if (GENERATED.has(proto.constructor)) {
      return true;
    }
  }
  return false;
}

/**
 * The object L2 constructs render through: any apiVersion and kind, spec as given (usually a
 * Lazy), rendered losslessly like the L1 classes below.
 */
export class IstioApiObject extends ApiObject {
  public constructor(scope: Construct, id: string, props: ApiObjectProps) {
    super(scope, id, props);
  }

  public override toJson(): Json {
    return losslessJson(this);
  }
}

// networking.istio.io/v1: served since Istio 1.22.
export class DestinationRule extends net.DestinationRule {
  public override toJson(): Json { return losslessJson(this); }
}
export class Gateway extends net.Gateway {
  public override toJson(): Json { return losslessJson(this); }
}
export class ServiceEntry extends net.ServiceEntry {
  public override toJson(): Json { return losslessJson(this); }
}
export class Sidecar extends net.Sidecar {
  public override toJson(): Json { return losslessJson(this); }
}
export class VirtualService extends net.VirtualService {
  public override toJson(): Json { return losslessJson(this); }
}
export class WorkloadEntry extends net.WorkloadEntry {
  public override toJson(): Json { return losslessJson(this); }
}
export class WorkloadGroup extends net.WorkloadGroup {
  public override toJson(): Json { return losslessJson(this); }
}
// Only v1alpha3 exists.
export class EnvoyFilter extends net.EnvoyFilter {
  public override toJson(): Json { return losslessJson(this); }
}
// Only v1beta1 exists.
export class ProxyConfig extends net.ProxyConfig {
  public override toJson(): Json { return losslessJson(this); }
}

// security.istio.io/v1: served for all three kinds since Istio 1.22.
export class AuthorizationPolicy extends sec.AuthorizationPolicy {
  public override toJson(): Json { return losslessJson(this); }
}
export class PeerAuthentication extends sec.PeerAuthentication {
  public override toJson(): Json { return losslessJson(this); }
}
export class RequestAuthentication extends sec.RequestAuthentication {
  public override toJson(): Json { return losslessJson(this); }
}

// telemetry.istio.io/v1 is served since 1.22 even though v1alpha1 stays the storage version.
export class Telemetry extends tel.Telemetry {
  public override toJson(): Json { return losslessJson(this); }
}

// extensions.istio.io has only v1alpha1.
export class WasmPlugin extends ext.WasmPlugin {
  public override toJson(): Json { return losslessJson(this); }
}
export class TrafficExtension extends ext.TrafficExtension {
  public override toJson(): Json { return losslessJson(this); }
}
