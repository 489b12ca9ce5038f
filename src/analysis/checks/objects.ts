/**
 * Checks on the set of objects as a whole, whatever their kind.
 */
import { defineCode, Severity } from '../finding';
import { AppCheck } from '../registry';
import { CLUSTER_SCOPED_KINDS, describeObject, groupKindOf, metaOf, RenderedObject } from '../rendered';

/**
 * Two constructs render the same object (same group, kind, namespace and name). Applied one
 * after the other, the second silently replaces the first, so half of the intent is lost.
 */
export const CKI0002 = defineCode('CKI0002', Severity.ERROR, 'Two constructs render the same object (same kind, namespace and name)');

const duplicateObjects: AppCheck = {
  id: 'duplicate-objects',
  check(ctx) {
    const first = new Map<string, RenderedObject>();
    for (const obj of ctx.index.objects) {
      const meta = metaOf(obj.manifest);
      // Cluster-scoped objects have no namespace; namespaced ones without one land in default.
      const ns = meta.namespace ?? (CLUSTER_SCOPED_KINDS.has(groupKindOf(obj.manifest)) ? '' : 'default');
      const key = `${groupKindOf(obj.manifest)}|${ns}|${meta.name}`;
      const earlier = first.get(key);
      if (!earlier) {
        first.set(key, obj);
        continue;
      }
      ctx.report(obj, {
        code: CKI0002.code,
        field: 'metadata.name',
        message: `${describeObject(obj.manifest)} is also rendered by ${earlier.constructPath}; applying both keeps only one`,
        fix: 'give one of them another name, or build the object once and share it',
      });
    }
  },
};

export const objectChecks = [duplicateObjects];
