/**
 * Sidecar injection: labels that contradict each other, and gateway pods no injector will take.
 */
import { IST0123 } from '../codes';
import { ObjectCheck } from '../registry';
import { GK, metaOf } from '../rendered';

/**
 * Istio's webhooks match `istio-injection` before `istio.io/rev`, so a namespace with both is
 * injected by the default revision and the revision label is silently ignored. istioctl calls
 * this a warning; it is an error here because the result is never what was meant.
 */
const conflictingInjectionLabels: ObjectCheck = {
  id: 'namespace-injection-labels',
  groupKinds: [GK.Namespace],
  check(obj, ctx) {
    const labels = metaOf(obj.manifest).labels;
    if (labels['istio-injection'] !== undefined && labels['istio.io/rev'] !== undefined) {
      ctx.report(obj, {
        code: IST0123.code,
        field: 'metadata.labels',
        message: `both istio-injection=${labels['istio-injection']} and istio.io/rev=${labels['istio.io/rev']} are set; the revision label is ignored`,
        fix: 'keep one: istio.io/rev=<revision> for revision-based installs, istio-injection=enabled otherwise',
      });
    }
  },
};

export const injectionChecks = [conflictingInjectionLabels];
