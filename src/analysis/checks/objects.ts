/**
 * Checks on the set of objects as a whole, whatever their kind.
 */
import { annotationsProblem, dns1035LabelProblem, dnsLabelProblem, dnsSubdomainProblem, labelsProblem, Problem } from '../../validation';
import { defineCode, Severity } from '../finding';
import { AppCheck, ObjectCheck } from '../registry';
import { CLUSTER_SCOPED_KINDS, describeObject, groupKindOf, groupOf, metaOf, RenderedObject } from '../rendered';
import { isIstioGroup } from '../schema-validator';

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

export const objectChecks: Array<AppCheck | ObjectCheck> = [duplicateObjects];

/**
 * Names, labels and annotations the API server would refuse, on every object however it was
 * built (an L1 class, an ApiObject, a label added after construction). Istio kinds have their
 * name and namespace checked by the schema check (CKI1002) already.
 */
export const CKI1006 = defineCode('CKI1006', Severity.ERROR, 'Object name, namespace, label or annotation that Kubernetes refuses');

const NAMING: Record<string, (name: string) => Problem | undefined> = {
  '/Namespace': (n) => dnsLabelProblem(n, 'Namespace name'),
  '/Service': (n) => dns1035LabelProblem(n),
};

const objectMetadata: ObjectCheck = {
  id: 'object-metadata',
  groupKinds: '*',
  check(obj, ctx) {
    const gk = groupKindOf(obj.manifest);
    const meta = (obj.manifest.metadata ?? {}) as Record<string, unknown>;
    const report = (field: string, p: Problem | undefined) => {
      if (p) {
        ctx.report(obj, { code: CKI1006.code, field, message: p.problem, fix: p.fix });
      }
    };
    if (!isIstioGroup(groupOf(obj.manifest))) {
      if (typeof meta.name === 'string') {
        report('metadata.name', (NAMING[gk] ?? ((n: string) => dnsSubdomainProblem(n)))(meta.name));
      }
      if (typeof meta.namespace === 'string') {
        report('metadata.namespace', dnsLabelProblem(meta.namespace, 'namespace name'));
      }
    }
    const labels = labelsProblem(meta.labels as Record<string, string> | undefined);
    report(`metadata.labels${labels?.key !== undefined ? `[${JSON.stringify(labels.key)}]` : ''}`, labels);
    const annotations = annotationsProblem(meta.annotations as Record<string, string> | undefined);
    report(`metadata.annotations${annotations?.key !== undefined ? `[${JSON.stringify(annotations.key)}]` : ''}`, annotations);
  },
};

objectChecks.push(objectMetadata);
