/**
 * Requirements platforms state for the mesh (src/mesh-requirement.ts) that the output itself
 * shows: gateways pinned to an Istio version other than istiod's. The settings requirements
 * (proxy start order, DNS capture, minimum version) are checked on the constructs, where the
 * install's props are.
 */
import { defineCode, Severity } from '../finding';
import { CheckContext, ObjectCheck } from '../registry';
import { GK, Json, objectsOf } from '../rendered';
import { compareMinors, ISTIO_CHART_REPO, minorOf } from '../../istio-version';

export const CKI6001 = defineCode('CKI6001', Severity.ERROR,
  'Gateway on another Istio version than istiod, where a platform requires them to match');

/** istiod's version as the app knows it: the MeshInstall's release, or the app's target minor. */
function istiodVersion(ctx: CheckContext): { version: string; exact: boolean } {
  const installs = ctx.index.context.install.installs;
  return installs.length > 0 ? { version: installs.map((i) => i.version).sort(compareMinors)[0], exact: true } : { version: ctx.index.context.istioVersion, exact: false };
}

function requiredBy(ctx: CheckContext): string | undefined {
  return ctx.index.context.gatewaysMatchIstiodRequiredBy;
}

function differs(version: string, istiod: { version: string; exact: boolean }): boolean {
  return istiod.exact && /^\d+\.\d+\.\d+$/.test(version) ? version !== istiod.version : compareMinors(version, istiod.version) !== 0;
}

/** A gateway Deployment whose istio-proxy container names its own image instead of `auto`. */
const gatewayImage: ObjectCheck = {
  id: 'gateway-image-matches-istiod',
  groupKinds: [GK.Deployment],
  check(obj, ctx) {
    const by = requiredBy(ctx);
    if (by === undefined) {
      return;
    }
    const podSpec = ((((obj.manifest.spec ?? {}) as Json).template ?? {}) as Json).spec as Json | undefined;
    objectsOf(podSpec?.containers).forEach((c, i) => {
      const image = typeof c.image === 'string' ? c.image : '';
      if (c.name !== 'istio-proxy' || image === 'auto' || image === '') {
        return;
      }
      // The tag, without a digest: `proxyv2:1.30.3-distroless@sha256:...` is 1.30.3.
      const tag = /:(\d+\.\d+(?:\.\d+)?)[^:/@]*(?:@.*)?$/.exec(image)?.[1];
      const istiod = istiodVersion(ctx);
      if (tag !== undefined && !differs(tag, istiod)) {
        return;
      }
      ctx.report(obj, {
        code: CKI6001.code,
        field: `spec.template.spec.containers[${i}].image`,
        message: `${by} requires gateways on istiod's Istio version (${istiod.version}), and this gateway runs ${tag ?? `image ${image}`}`,
        fix: `use image: auto so the injector gives the gateway istiod's proxy, or pin proxyv2:${istiod.version}`,
      });
    });
  },
};

/** An Argo CD Application of Istio's gateway chart at another chart version than istiod's. */
const gatewayChart: ObjectCheck = {
  id: 'gateway-chart-matches-istiod',
  groupKinds: [GK.ArgoCdApplication],
  check(obj, ctx) {
    const by = requiredBy(ctx);
    if (by === undefined) {
      return;
    }
    const spec = (obj.manifest.spec ?? {}) as Json;
    const sources = spec.source !== undefined ? [['spec.source', spec.source as Json] as const] : objectsOf(spec.sources).map((s, i) => [`spec.sources[${i}]`, s] as const);
    for (const [field, source] of sources) {
      const revision = typeof source.targetRevision === 'string' ? source.targetRevision : '';
      if (source.repoURL !== ISTIO_CHART_REPO || source.chart !== 'gateway') {
        continue;
      }
      const istiod = istiodVersion(ctx);
      if (/^\d+\.\d+(\.\d+)?$/.test(revision) && !differs(revision, istiod)) {
        continue;
      }
      ctx.report(obj, {
        code: CKI6001.code,
        field: `${field}.targetRevision`,
        message: `${by} requires gateways on istiod's Istio version (${istiod.version}), and this gateway chart release is ${revision || 'unpinned'}`,
        fix: `set targetRevision to ${istiod.exact ? istiod.version : `a ${minorOf(istiod.version)} release`}`,
      });
    }
  },
};

export const installChecks = [gatewayImage, gatewayChart];
