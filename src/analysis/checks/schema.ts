/**
 * Istio and Gateway API objects against their CRDs: the openAPIV3Schema of the exact apiVersion
 * (unknown fields refused, as strict field validation does) and every `x-kubernetes-validations`
 * CEL rule. Runs on every object of an `*.istio.io` group or `gateway.networking.k8s.io`, however
 * it was built (L2, L1, ApiObject, Include).
 */
import { defineCode, FindingInput, Severity } from '../finding';
import { ObjectCheck } from '../registry';
import { groupOf } from '../rendered';
import { isValidatedGroup, SchemaProblem, validateManifest } from '../schema-validator';
import { Json } from '../rendered';

export const CKI1001 = defineCode('CKI1001', Severity.ERROR, 'Istio or Gateway API kind or apiVersion not served by the CRDs');
export const CKI1002 = defineCode('CKI1002', Severity.ERROR, 'Object does not match its CRD schema');
export const CKI1003 = defineCode('CKI1003', Severity.ERROR, 'Object breaks a CEL validation rule of its CRD');
export const CKI1004 = defineCode('CKI1004', Severity.ERROR, 'A CEL validation rule of the CRD could not be evaluated');
export const CKI1005 = defineCode('CKI1005', Severity.WARNING, 'Istio API group, or Gateway API kind or version, without a CRD in the schema artefacts: not validated');

const CODE_OF: Record<SchemaProblem['kind'], string> = {
  'unknown-kind': CKI1001.code,
  'schema': CKI1002.code,
  'rule': CKI1003.code,
  'rule-unsupported': CKI1004.code,
  'unknown-group': CKI1005.code,
};

/** The schema and CEL findings for one manifest (none for objects outside Istio's groups). */
export function schemaFindings(manifest: Json, istioVersion?: string): FindingInput[] {
  return validateManifest(manifest, istioVersion).map((p) => ({ code: CODE_OF[p.kind], field: p.field, message: p.message, fix: p.fix }));
}

const crdSchemaCheck: ObjectCheck = {
  id: 'crd-schema',
  // Every object: an Istio kind the artefact lacks (a typo in `kind`) must be caught too.
  groupKinds: '*',
  check(obj, ctx) {
    if (!isValidatedGroup(groupOf(obj.manifest))) {
      return;
    }
    for (const finding of schemaFindings(obj.manifest, ctx.index.context.istioVersion)) {
      ctx.report(obj, finding);
    }
  },
};

export const schemaChecks = [crdSchemaCheck];
