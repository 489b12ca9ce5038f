/**
 * The L1 constructs, pinned to one API version per kind.
 *
 * `cdk8s import` gives the bare class name to whichever version a CRD happens to list first
 * (v1 today, v1alpha3 up to Istio 1.21), so importing `imports/` directly lets a re-import
 * silently change the `apiVersion` we emit. Everything in this project reaches L1 through
 * this module, which names each version explicitly: the newest stable version Istio serves.
 */
import * as net from '../imports/networking.istio.io';
import * as sec from '../imports/security.istio.io';

export type Json = Record<string, unknown>;

// Props interfaces and enums of every version. The classes exported by name below take
// precedence over these star exports, and test/l1.test.ts pins their apiVersion.
export * from '../imports/extensions.istio.io';
export * from '../imports/networking.istio.io';
export * from '../imports/security.istio.io';
export * from '../imports/telemetry.istio.io';

function asObjects(value: unknown): Json[] {
  return Array.isArray(value) ? value.filter((v): v is Json => !!v && typeof v === 'object') : [];
}

/**
 * The CRD lists deprecated snake_case twins of two fields and the generator maps our camelCase
 * property onto the twin. Istio documents `mirrorPercentage` and `jwksUri`; emit those.
 */
export function normalizeDocumentedFieldNames(kind: string, manifest: Json): Json {
  const spec = manifest.spec as Json | undefined;
  if (!spec) {
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

// networking.istio.io/v1: served since Istio 1.22.
export {
  DestinationRule,
  Gateway,
  ServiceEntry,
  Sidecar,
  WorkloadEntry,
  WorkloadGroup,
} from '../imports/networking.istio.io';

/** networking.istio.io/v1 VirtualService, emitting `mirrorPercentage` as Istio documents it. */
export class VirtualService extends net.VirtualService {
  public override toJson(): Json {
    return normalizeDocumentedFieldNames('VirtualService', super.toJson());
  }
}

// Only v1alpha3 exists.
export { EnvoyFilter } from '../imports/networking.istio.io';
// Only v1beta1 exists.
export { ProxyConfig } from '../imports/networking.istio.io';

// security.istio.io/v1: served for all three kinds since Istio 1.22.
export { AuthorizationPolicy, PeerAuthentication } from '../imports/security.istio.io';

/** security.istio.io/v1 RequestAuthentication, emitting `jwksUri` as Istio documents it. */
export class RequestAuthentication extends sec.RequestAuthentication {
  public override toJson(): Json {
    return normalizeDocumentedFieldNames('RequestAuthentication', super.toJson());
  }
}

// telemetry.istio.io/v1 is served since 1.22 even though v1alpha1 stays the storage version.
export { Telemetry } from '../imports/telemetry.istio.io';

// extensions.istio.io has only v1alpha1.
export { WasmPlugin, TrafficExtension } from '../imports/extensions.istio.io';
