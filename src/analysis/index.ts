/**
 * `cdk8s-istio/analysis`: the synth-time analysis for those who extend or drive it — run it on
 * any app, register checks of their own, look up finding codes, validate a manifest against
 * Istio's CRDs. Building an app needs none of this; `cdk8s-istio` is the entry point for that.
 */
export { analyze } from './engine';
export type { AnalysisResult, AnalyzeOptions } from './engine';
export { allCodes, codeInfo, defineCode, formatFinding, formatReport, Severity, sortFindings } from './finding';
export type { CodeInfo, Finding, FindingInput } from './finding';
export { CheckRegistry } from './registry';
export type { AppCheck, CheckContext, ObjectCheck } from './registry';
export { defaultRegistry } from './checks';
export { ObjectIndex, labelsMatch } from './object-index';
export type { PodTemplate } from './object-index';
export { describeObject, GK, groupKindOf, metaOf } from './rendered';
export type { Json, ObjectMeta, RenderedObject } from './rendered';
export { suppress, findSuppression } from './suppressions';
export { IST0101, IST0106, IST0109, IST0118, IST0123, IST0128, IST0130, IST0131, IST0132, IST0140, IST0145, IST0147, IST0162 } from './codes';
export { loadSchemaArtefact } from './crd-artefact';
export type { CelRule, CrdVersionSchema, SchemaArtefact, StructuralSchema } from './crd-artefact';
export { servedVersions, validateManifest } from './schema-validator';
export type { SchemaProblem } from './schema-validator';
export { CKI1001, CKI1002, CKI1003, CKI1004, CKI1005, schemaFindings } from './checks/schema';
export { CKI1101, CKI1102, CKI1103 } from './checks/field-rules';
export { CKI0002, CKI1006 } from './checks/objects';
export { CKI2001 } from './checks/edge';
export { CKI3001, CKI3002 } from './checks/virtual-service';
export { CKI4001 } from './checks/security';
export { CKI4002 } from './checks/gateway-authz';
export { CKI0001, synthesize } from '../synthesis';
export type { SynthesisResult } from '../synthesis';
export { renderApp } from '../render';
export type { RenderResult } from '../render';
export { topologyMarkdown } from '../topology';
export { MeshContext } from '../mesh-context';
