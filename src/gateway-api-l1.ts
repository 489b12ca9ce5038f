/**
 * The Gateway API's L1 classes (standard channel v1.5.1), pinned to one served version per
 * kind and rendered without losing fields, as src/l1.ts does for Istio's. `cdk8s import` gives
 * the bare class name to the version a CRD lists first (v1 today), so these name the version
 * explicitly; the generated module (750 kB) loads only when an app uses these.
 */
import * as gw from '../imports/gateway.networking.k8s.io';
import { losslessJson, Json, registerGeneratedL1 } from './l1';

export * from '../imports/gateway.networking.k8s.io';

// The raw generated classes render losslessly too, once this module is loaded.
registerGeneratedL1(gw);

// gateway.networking.k8s.io/v1.
export class Gateway extends gw.Gateway {
  public override toJson(): Json { return losslessJson(this); }
}
export class GatewayClass extends gw.GatewayClass {
  public override toJson(): Json { return losslessJson(this); }
}
export class HttpRoute extends gw.HttpRoute {
  public override toJson(): Json { return losslessJson(this); }
}
export class GrpcRoute extends gw.GrpcRoute {
  public override toJson(): Json { return losslessJson(this); }
}
export class BackendTlsPolicy extends gw.BackendTlsPolicy {
  public override toJson(): Json { return losslessJson(this); }
}
export class ListenerSet extends gw.ListenerSet {
  public override toJson(): Json { return losslessJson(this); }
}
export class TlsRoute extends gw.TlsRoute {
  public override toJson(): Json { return losslessJson(this); }
}
// ReferenceGrant: v1beta1, the storage version, which older Gateway API releases serve too (v1.5.1
// also serves v1).
export class ReferenceGrant extends gw.ReferenceGrantV1Beta1 {
  public override toJson(): Json { return losslessJson(this); }
}
