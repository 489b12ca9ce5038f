/**
 * Validates Istio objects against their CRD's `openAPIV3Schema` and CEL rules, as the API server
 * would on `kubectl apply --validate=strict`, from the committed schema artefact.
 *
 * Per `group/version/Kind` we build once per process: an ajv validator of the schema made strict
 * (structural schemas drop unknown fields; strict field validation refuses them, and so do we),
 * and a plan holding only the schema nodes that carry CEL rules or list-map keys, so the per-object
 * walk visits the parts of the object those rules look at and nothing else.
 */
import type Ajv from 'ajv';
import type { ErrorObject, Format, Options, ValidateFunction } from 'ajv';
import { FORMAT_EXPECTATIONS, FORMAT_VALIDATORS } from './formats';
import { precompiledValidator } from './precompiled';
import { CompiledRule, compileRule, evaluateRule, toCelValue } from './cel';
import { CelRule, CrdVersionSchema, GATEWAY_API_GROUP, GATEWAY_API_VERSION, loadGatewayApiArtefact, loadIstioArtefactFor, NEWEST_MINOR, StructuralSchema } from './crd-artefact';
import { BUNDLED_MINORS, bundledMinorFor, compareMinors, minorOf } from '../istio-version';
import { Json } from './rendered';
import { byCodePoint } from '../ordering';
import { suggest } from '../validation/suggest';

/** One thing wrong with an object; the checks turn these into findings with codes. */
export interface SchemaProblem {
  /**
   * `unknown-kind`: the apiVersion/kind is not served by Istio's CRDs. `unknown-group`: an
   * `*.istio.io` group the artefact has no CRD for (not validated). `schema`: the object breaks
   * the openAPIV3Schema. `rule`: a CEL rule fails. `rule-unsupported`: a rule we cannot evaluate.
   */
  readonly kind: 'unknown-kind' | 'unknown-group' | 'schema' | 'rule' | 'rule-unsupported';
  /** Dotted path, e.g. `spec.http[0].timeout`. @default - the whole object */
  readonly field?: string;
  readonly message: string;
  readonly fix: string;
  /** For a field the schema does not declare: where it is, so a newer Istio's schema can be asked. */
  readonly unknownField?: ReadonlyArray<string | number>;
}

/** `networking.istio.io`, `security.istio.io`, ...: Istio's groups. */
export function isIstioGroup(group: string): boolean {
  return group === 'istio.io' || group.endsWith('.istio.io');
}

/** Kinds only the Gateway API's experimental channel has (gateway-api's config/crd/experimental). */
const GATEWAY_API_EXPERIMENTAL_KINDS: ReadonlySet<string> = new Set(['TCPRoute', 'UDPRoute', 'BackendLBPolicy', 'XBackendTrafficPolicy', 'XListenerSet', 'XMesh']);

/** Versions of standard kinds that the v1.5.1 CRDs list but serve only in the experimental channel. */
const GATEWAY_API_EXPERIMENTAL_VERSIONS: Readonly<Record<string, readonly string[]>> = { TLSRoute: ['v1alpha2', 'v1alpha3'], BackendTLSPolicy: ['v1alpha3'] };

/** Groups whose objects we validate: Istio's, and the Gateway API's (Istio implements it). */
export function isValidatedGroup(group: string): boolean {
  return isIstioGroup(group) || group === GATEWAY_API_GROUP;
}

// ---------------------------------------------------------------------------------------------
// Schema transformation for ajv


/** The formats Istio's CRDs use (see formats.ts), with what a value must be for messages. */
const FORMATS: Record<string, { readonly ajv: Format; readonly expect: string }> = Object.fromEntries(
  Object.entries(FORMAT_VALIDATORS).map(([name, ajv]) => [name, { ajv, expect: FORMAT_EXPECTATIONS[name] }]),
);

/** JSON Schema keywords copied as they are; anything else (prose, x-kubernetes-*) is dropped. */
const COPIED = new Set([
  'type', 'enum', 'required', 'nullable', 'pattern', 'multipleOf', 'uniqueItems',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum',
  'minLength', 'maxLength', 'minItems', 'maxItems', 'minProperties', 'maxProperties',
]);

/** Keywords the transformation understands; test/analysis-schema.test.ts proves the artefact uses no others. */
export const UNDERSTOOD_SCHEMA_KEYWORDS: ReadonlySet<string> = new Set([
  ...COPIED, 'format', 'properties', 'items', 'additionalProperties', 'oneOf', 'anyOf', 'allOf', 'not',
  'description', 'default', 'x-kubernetes-validations', 'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-list-map-keys',
  // Gateway API: how server-side apply merges a map; it validates nothing.
  'x-kubernetes-map-type',
]);

type AjvSchema = Record<string, unknown>;

function toAjv(node: StructuralSchema, inJunctor: boolean): AjvSchema {
  const out: AjvSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (COPIED.has(key)) {
      out[key] = value;
    } else if (key === 'format' && typeof value === 'string' && FORMATS[value]) {
      out.format = value;
    } else if (key === 'properties' && value) {
      const props: Record<string, AjvSchema> = {};
      for (const [name, child] of Object.entries(value as Record<string, StructuralSchema>)) {
        props[name] = toAjv(child, inJunctor);
      }
      out.properties = props;
    } else if (key === 'items' && value && typeof value === 'object') {
      out.items = toAjv(value as StructuralSchema, inJunctor);
    } else if (key === 'additionalProperties') {
      out.additionalProperties = typeof value === 'object' && value ? toAjv(value as StructuralSchema, inJunctor) : value;
    } else if ((key === 'oneOf' || key === 'anyOf' || key === 'allOf') && Array.isArray(value)) {
      out[key] = value.map((v: StructuralSchema) => toAjv(v, true));
    } else if (key === 'not' && value) {
      out.not = toAjv(value as StructuralSchema, true);
    }
  }
  if (node['x-kubernetes-int-or-string']) {
    // The anyOf [integer, string] beside the flag says the same; one type list gives one message.
    out.type = ['integer', 'string'];
    delete out.anyOf;
  }
  if (node['x-kubernetes-list-type'] === 'set') {
    out.uniqueItems = true;
  }
  // Structural schemas prune fields they do not declare; strict field validation refuses them.
  if (!inJunctor && node.type === 'object' && node.additionalProperties === undefined && !node['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

const DNS_SUBDOMAIN = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const DNS_LABEL = '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$';
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };

/**
 * The CRD says only `metadata: {type: object}`; the API server validates ObjectMeta itself.
 * Custom resource names must be DNS subdomains, namespaces DNS labels.
 */
const OBJECT_META: AjvSchema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', maxLength: 253, pattern: DNS_SUBDOMAIN },
    generateName: { type: 'string' },
    namespace: { type: 'string', maxLength: 63, pattern: DNS_LABEL },
    labels: stringMap,
    annotations: stringMap,
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: {
      type: 'array',
      items: {
        type: 'object',
        required: ['apiVersion', 'kind', 'name', 'uid'],
        additionalProperties: false,
        properties: {
          apiVersion: { type: 'string' }, kind: { type: 'string' }, name: { type: 'string' }, uid: { type: 'string' },
          controller: { type: 'boolean' }, blockOwnerDeletion: { type: 'boolean' },
        },
      },
    },
    uid: { type: 'string' },
    resourceVersion: { type: 'string' },
    generation: { type: 'integer' },
    creationTimestamp: { type: 'string', nullable: true },
    deletionTimestamp: { type: 'string', nullable: true },
    deletionGracePeriodSeconds: { type: 'integer' },
    managedFields: { type: 'array', items: { type: 'object' } },
    selfLink: { type: 'string' },
  },
};

export function rootSchema(schema: StructuralSchema): AjvSchema {
  const root = toAjv(schema, false);
  root.type = 'object';
  root.properties = {
    apiVersion: { type: 'string' },
    kind: { type: 'string' },
    ...(root.properties as Record<string, AjvSchema> | undefined),
    // After the CRD's own: the Gateway API's CRDs list `metadata: {type: object}` too.
    metadata: OBJECT_META,
  };
  root.required = [...new Set(['metadata', ...((root.required as string[] | undefined) ?? [])])];
  if (!schema['x-kubernetes-preserve-unknown-fields']) {
    root.additionalProperties = false;
  }
  return root;
}

/** Subschemas smaller than this stay inline: a call costs more than the code it saves. */
const MIN_SHARED_SCHEMA = 250;

/**
 * Istio's CRDs repeat whole subtrees (a DestinationRule's traffic policy appears at the top, in
 * every subset and in every port-level setting). ajv inlines each copy, so the generated code of
 * DestinationRule alone was 600 kB, which V8 has to parse and warm up before the first object is
 * validated. Identical subschemas move to `$defs` and are compiled once (`inlineRefs: false`).
 */
export function shareRepeatedSubschemas(root: AjvSchema): AjvSchema {
  const canonical = new Map<AjvSchema, string>();
  const uses = new Map<string, number>();
  const canon = (node: unknown): string => {
    if (Array.isArray(node)) {
      return `[${node.map(canon).join(',')}]`;
    }
    if (node && typeof node === 'object') {
      const obj = node as AjvSchema;
      const text = `{${Object.keys(obj).sort().map((k) => `${JSON.stringify(k)}:${canon(obj[k])}`).join(',')}}`;
      canonical.set(obj, text);
      if (text.length >= MIN_SHARED_SCHEMA) {
        uses.set(text, (uses.get(text) ?? 0) + 1);
      }
      return text;
    }
    return JSON.stringify(node);
  };
  canon(root);

  const defs: Record<string, AjvSchema> = {};
  const names = new Map<string, string>();
  // Only schema positions (property values, items, map values) are shared, never the root.
  const share = (node: AjvSchema): AjvSchema => {
    const text = canonical.get(node);
    if (text === undefined || (uses.get(text) ?? 0) < 2) {
      return rewrite(node);
    }
    let name = names.get(text);
    if (!name) {
      name = `s${names.size}`;
      names.set(text, name);
      defs[name] = rewrite(node);
    }
    return { $ref: `#/$defs/${name}` };
  };
  const rewrite = (node: AjvSchema): AjvSchema => {
    const out: AjvSchema = { ...node };
    if (node.properties) {
      out.properties = Object.fromEntries(Object.entries(node.properties as Record<string, AjvSchema>).map(([k, v]) => [k, share(v)]));
    }
    if (node.items && typeof node.items === 'object') {
      out.items = share(node.items as AjvSchema);
    }
    if (node.additionalProperties && typeof node.additionalProperties === 'object') {
      out.additionalProperties = share(node.additionalProperties as AjvSchema);
    }
    return out;
  };
  const result = rewrite(root);
  if (names.size > 0) {
    result.$defs = defs;
  }
  return result;
}

/**
 * The options every CRD validator is compiled with, here and by the precompiler. strict: false
 * because OpenAPI's `nullable` and junctor branches without `type` are normal here; the keyword
 * whitelist above keeps unknown keywords out instead. ajv's code optimizer doubled the compile
 * time of the large Istio schemas and sped up nothing measurable at validation, so it is off;
 * messages are ours (describeError), so ajv's are not generated.
 */
export function crdAjvOptions(): Options {
  const formats: Record<string, Format> = {};
  for (const [name, info] of Object.entries(FORMATS)) {
    formats[name] = info.ajv;
  }
  return { allErrors: true, messages: false, strict: false, formats, validateFormats: true, inlineRefs: false, code: { optimize: false } };
}

let ajvInstance: Ajv | undefined;

/** ajv's compiler, loaded only for a schema without a precompiled validator (it costs ~100 ms). */
function ajv(): Ajv {
  if (!ajvInstance) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const AjvClass = (require('ajv') as { default: typeof Ajv }).default;
    ajvInstance = new AjvClass(crdAjvOptions());
  }
  return ajvInstance;
}

// ---------------------------------------------------------------------------------------------
// The rule plan: schema nodes with CEL rules or list-map keys, and the way down to them

interface PlanNode {
  readonly schema: StructuralSchema;
  /** The node's rules as the CRD writes them; compiled on first use (`compiledRules`). */
  readonly celRules: readonly CelRule[];
  /** Set the first time a value reaches the node: most objects touch few of a kind's rules. */
  compiled?: readonly CompiledRule[];
  /** `x-kubernetes-list-type: map`: items must be unique by these keys. */
  readonly listMapKeys?: readonly string[];
  readonly props?: ReadonlyArray<readonly [string, PlanNode]>;
  readonly items?: PlanNode;
  readonly values?: PlanNode;
}

/** The node's rules, parsed and type-checked once, when first needed. */
function compiledRules(node: PlanNode): readonly CompiledRule[] {
  return node.compiled ??= node.celRules.map(compileRule);
}

function buildPlan(schema: StructuralSchema): PlanNode | undefined {
  const rules = schema['x-kubernetes-validations'] ?? [];
  const listMapKeys = schema['x-kubernetes-list-type'] === 'map' ? schema['x-kubernetes-list-map-keys'] as string[] | undefined : undefined;
  const props: Array<readonly [string, PlanNode]> = [];
  for (const [name, child] of Object.entries(schema.properties ?? {})) {
    const plan = buildPlan(child);
    if (plan) {
      props.push([name, plan]);
    }
  }
  const items = schema.items ? buildPlan(schema.items) : undefined;
  const values = typeof schema.additionalProperties === 'object' ? buildPlan(schema.additionalProperties) : undefined;
  if (rules.length === 0 && !listMapKeys?.length && props.length === 0 && !items && !values) {
    return undefined;
  }
  return {
    schema,
    celRules: rules,
    listMapKeys: listMapKeys?.length ? listMapKeys : undefined,
    props: props.length ? props : undefined,
    items,
    values,
  };
}

type Segment = string | number;

/** `spec.http[0].timeout`; keys that are not identifiers are quoted (`labels["app.kubernetes.io/name"]`). */
export function dottedPath(segments: readonly Segment[]): string {
  let out = '';
  for (const s of segments) {
    if (typeof s === 'number') {
      out += `[${s}]`;
    } else if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(s)) {
      out += out === '' ? s : `.${s}`;
    } else {
      out += `[${JSON.stringify(s)}]`;
    }
  }
  return out;
}

function pointerOf(segments: readonly Segment[]): string {
  return segments.map((s) => `/${String(s).replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
}

function isObject(v: unknown): v is Json {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** What a CEL rule is called in findings: its message, the rule text, and how to fix it. */
function ruleFailure(path: string, rule: CompiledRule, message: string): SchemaProblem {
  const field = rule.rule.fieldPath ? joinFieldPath(path, rule.rule.fieldPath) : path;
  return {
    kind: 'rule',
    field: field || undefined,
    message: `${message} (CRD rule: ${rule.text})`,
    fix: `change ${field || 'the object'} so that it satisfies: ${rule.rule.message ?? rule.text}`,
  };
}

/** A rule's `fieldPath` is a JSONPath relative to the node: `.foo.bar` or `['key']`. */
function joinFieldPath(path: string, fieldPath: string): string {
  const rel = fieldPath.replace(/\['([^']*)'\]/g, (_m, k: string) => `[${JSON.stringify(k)}]`);
  if (path === '') {
    return rel.replace(/^\./, '');
  }
  return rel.startsWith('.') || rel.startsWith('[') ? `${path}${rel}` : `${path}.${rel}`;
}

class PlanRunner {
  public readonly problems: SchemaProblem[] = [];
  private readonly path: Segment[] = [];

  /** JSON pointers of schema errors: rules below them would only restate the problem. */
  public constructor(private readonly schemaErrorPointers: readonly string[]) {}

  public run(node: PlanNode, value: unknown): void {
    if (value === undefined || value === null) {
      return;
    }
    if (node.celRules.length > 0) {
      const broken = this.schemaErrorHere();
      if (broken !== 'at') {
        const celValue = toCelValue(value, node.schema);
        for (const rule of compiledRules(node)) {
          this.evaluate(rule, celValue, broken === 'below');
        }
      }
    }
    if (node.listMapKeys && Array.isArray(value)) {
      this.checkListMap(node.listMapKeys, value);
    }
    if (node.props && isObject(value)) {
      for (const [name, child] of node.props) {
        if (value[name] !== undefined) {
          this.path.push(name);
          this.run(child, value[name]);
          this.path.pop();
        }
      }
    }
    if (node.items && Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        this.run(node.items, value[i]);
        this.path.pop();
      }
    }
    if (node.values && isObject(value)) {
      for (const key of Object.keys(value)) {
        this.path.push(key);
        this.run(node.values, value[key]);
        this.path.pop();
      }
    }
  }

  /**
   * `quiet`: a value below this node has the wrong type or misses a required field, already
   * reported. A plain false still counts; a rule that trips over the broken value says nothing new.
   */
  private evaluate(rule: CompiledRule, celValue: unknown, quiet: boolean): void {
    const outcome = evaluateRule(rule, celValue);
    if (quiet && (outcome.status === 'unsupported' || (outcome.status === 'fail' && outcome.evaluationError))) {
      return;
    }
    if (outcome.status === 'fail') {
      this.problems.push(ruleFailure(dottedPath(this.path), rule, outcome.message));
    } else if (outcome.status === 'unsupported') {
      const field = dottedPath(this.path);
      this.problems.push({
        kind: 'rule-unsupported',
        field: field || undefined,
        message: `the CRD rule "${rule.text}" (${rule.rule.message ?? 'no message'}) could not be evaluated here: ${outcome.reason}; the API server will evaluate it, so this value is unchecked`,
        fix: 'check the value against the rule by hand, then suppress this code on the construct with that reason (and report the rule to cdk8s-istio)',
      });
    }
  }

  private checkListMap(keys: readonly string[], list: unknown[]): void {
    const seen = new Map<string, number>();
    list.forEach((item, i) => {
      if (!isObject(item)) {
        return;
      }
      const id = JSON.stringify(keys.map((k) => item[k] ?? null));
      const first = seen.get(id);
      if (first === undefined) {
        seen.set(id, i);
        return;
      }
      const field = dottedPath([...this.path, i]);
      const keyText = keys.map((k) => `${k}=${JSON.stringify(item[k])}`).join(', ');
      this.problems.push({
        kind: 'schema',
        field,
        message: `duplicate entry: ${keyText} is already used by item [${first}] (the list is keyed by ${keys.join(', ')})`,
        fix: `give every item of ${dottedPath(this.path)} a distinct ${keys.join('/')}, or merge the two`,
      });
    });
  }

  /** Where schema errors are relative to the current node: on it, somewhere below it, or neither. */
  private schemaErrorHere(): 'at' | 'below' | undefined {
    if (this.schemaErrorPointers.length === 0) {
      return undefined;
    }
    const ptr = pointerOf(this.path);
    if (this.schemaErrorPointers.includes(ptr)) {
      return 'at';
    }
    return this.schemaErrorPointers.some((e) => e.startsWith(`${ptr}/`)) ? 'below' : undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// ajv errors as readable problems

/**
 * Where an ajv error points: path segments (list indexes as numbers), the value there and the
 * schema node that judged it. Looked up here rather than asking ajv for them (`verbose`), which
 * would grow the generated validators by half for errors that are rare.
 */
function locate(pointer: string, manifest: Json, schemaRoot: AjvSchema): { segments: Segment[]; value: unknown; schema?: AjvSchema } {
  const segments: Segment[] = [];
  let cur: unknown = manifest;
  let schema: AjvSchema | undefined = schemaRoot;
  for (const raw of pointer === '' ? [] : pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur)) {
      const i = Number(key);
      segments.push(i);
      cur = cur[i];
      schema = schema?.items as AjvSchema | undefined;
    } else {
      segments.push(key);
      cur = isObject(cur) ? cur[key] : undefined;
      const props = schema?.properties as Record<string, AjvSchema> | undefined;
      const additional = schema?.additionalProperties;
      schema = props?.[key] ?? (typeof additional === 'object' ? additional as AjvSchema : undefined);
    }
  }
  return { segments, value: cur, schema };
}

function listText(values: readonly unknown[], max = 15): string {
  const shown = values.slice(0, max).map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  return values.length > max ? `${shown.join(', ')}, … (${values.length - max} more)` : shown.join(', ');
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function jsonType(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'array';
  }
  if (typeof value === 'number') {
    return Number.isInteger(value) ? 'integer' : 'number';
  }
  return typeof value;
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** Junctor branches only explain why their junctor failed: report the junctor, not them. */
const INSIDE_JUNCTOR = /(?<!\/properties)\/(?:(?:oneOf|anyOf)\/\d+|not)\//;

function describeError(e: ErrorObject, manifest: Json, schemaRoot: AjvSchema): { segments: Segment[]; message: string; fix: string } | undefined {
  const { segments, value, schema } = locate(e.instancePath, manifest, schemaRoot);
  const here = dottedPath(segments) || 'the object';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const allowed = Object.keys(schema?.properties as object ?? {}).sort();
      const suggestion = suggest(name, allowed);
      const where = segments.length ? `${here}` : 'the top level';
      return {
        segments: [...segments, name],
        message: `unknown field "${name}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}: ${where} does not declare it, and the API server's strict field validation refuses it`,
        fix: suggestion ? `rename "${name}" to "${suggestion}"`
          : allowed.length ? `remove "${name}"; fields allowed in ${where}: ${listText(allowed)}` : `remove "${name}": ${where} takes no fields`,
      };
    }
    case 'required': {
      const name = String(params.missingProperty);
      return { segments: [...segments, name], message: `missing required field "${name}"`, fix: `set ${dottedPath([...segments, name])}` };
    }
    case 'type': {
      const expected = String(params.type).split(',').join(' or ');
      return {
        segments,
        message: `expected ${article(expected)}, got ${article(jsonType(value))} (${preview(value)})`,
        fix: `set ${here} to ${article(expected)}`,
      };
    }
    case 'enum': {
      const allowed = (params.allowedValues as unknown[]) ?? [];
      const suggestion = typeof value === 'string' ? suggest(value, allowed.filter((a): a is string => typeof a === 'string')) : undefined;
      return {
        segments,
        message: `${preview(value)} is not one of: ${listText(allowed)}`,
        fix: suggestion ? `use ${JSON.stringify(suggestion)}` : `use one of: ${listText(allowed)}`,
      };
    }
    case 'format': {
      const info = FORMATS[String(params.format)];
      return { segments, message: `${preview(value)} is not ${info?.expect ?? String(params.format)}`, fix: `set ${here} to ${info?.expect ?? `a valid ${String(params.format)}`}` };
    }
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { segments, message: `${preview(value)} must be ${String(params.comparison)} ${String(params.limit)}`, fix: `use a value ${String(params.comparison)} ${String(params.limit)}` };
    case 'minLength':
    case 'maxLength':
      return { segments, message: `${preview(value)} must have ${e.keyword === 'minLength' ? 'at least' : 'at most'} ${String(params.limit)} characters`, fix: `${e.keyword === 'minLength' ? 'lengthen' : 'shorten'} ${here}` };
    case 'minItems':
    case 'maxItems':
      return { segments, message: `the list must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(params.limit)} items (has ${Array.isArray(value) ? value.length : '?'})`, fix: `${e.keyword === 'minItems' ? 'add items to' : 'remove items from'} ${here}` };
    case 'minProperties':
    case 'maxProperties':
      return { segments, message: `the map must have ${e.keyword === 'minProperties' ? 'at least' : 'at most'} ${String(params.limit)} entries (has ${isObject(value) ? Object.keys(value).length : '?'})`, fix: `${e.keyword === 'minProperties' ? 'add entries to, or remove,' : 'remove entries from'} ${here}` };
    case 'pattern':
      return { segments, message: `${preview(value)} does not match the pattern ${String(params.pattern)}`, fix: `change ${here} to match ${String(params.pattern)}` };
    case 'uniqueItems':
      return { segments, message: `items [${String(params.j)}] and [${String(params.i)}] are equal; the list is a set`, fix: `remove the duplicate from ${here}` };
    case 'multipleOf':
      return { segments, message: `${preview(value)} must be a multiple of ${String(params.multipleOf)}`, fix: `use a multiple of ${String(params.multipleOf)}` };
    case 'oneOf': {
      // Istio renders protobuf oneofs as oneOf [not anyOf [required a, required b], required a, required b].
      // The oneOf sits on the node itself or, for several oneofs in one message, in its allOf.
      const inAllOf = /\/allOf\/(\d+)\/oneOf$/.exec(e.schemaPath);
      const holder = inAllOf ? (schema?.allOf as AjvSchema[] | undefined)?.[Number(inAllOf[1])] : schema;
      const branches = (holder?.oneOf as AjvSchema[] | undefined) ?? [];
      const names = branches.flatMap((b) => (Array.isArray(b.required) && b.required.length === 1 ? [String(b.required[0])] : []));
      if (names.length > 0 && isObject(value)) {
        const present = names.filter((n) => value[n] !== undefined);
        return {
          segments,
          message: `only one of ${names.join(', ')} may be set, found ${present.join(' and ')}`,
          fix: `keep one of ${present.join(', ')} in ${here}`,
        };
      }
      return { segments, message: 'the value matches none or several of the allowed forms (oneOf)', fix: `set exactly one of the alternatives in ${here}` };
    }
    case 'anyOf':
    case 'not':
    case 'allOf':
      return { segments, message: `the value does not match the allowed forms (${e.keyword})`, fix: `check ${here} against the CRD reference` };
    default:
      return { segments, message: `fails the schema keyword ${e.keyword} (${JSON.stringify(e.params)})`, fix: `check ${here} against the CRD reference` };
  }
}

function schemaProblems(errors: readonly ErrorObject[], manifest: Json, schemaRoot: AjvSchema): { problems: SchemaProblem[]; pointers: string[] } {
  const relevant = errors.filter((e) => !INSIDE_JUNCTOR.test(e.schemaPath));
  // A value of the wrong type fails everything else at its path too; the type error says it all.
  const typed = new Set(relevant.filter((e) => e.keyword === 'type').map((e) => e.instancePath));
  const problems: SchemaProblem[] = [];
  const pointers: string[] = [];
  const seen = new Set<string>();
  for (const e of relevant) {
    if (e.keyword !== 'type' && typed.has(e.instancePath)) {
      continue;
    }
    const described = describeError(e, manifest, schemaRoot);
    if (!described) {
      continue;
    }
    const field = dottedPath(described.segments);
    const key = `${field}\u0000${described.message}`;
    if (seen.has(key)) {
      continue;
    }
    seen.add(key);
    // An unknown field changes no declared value: rules still judge the rest of the object.
    if (e.keyword !== 'additionalProperties') {
      pointers.push(pointerOf(described.segments));
    }
    problems.push({
      kind: 'schema', field: field || undefined, message: described.message, fix: described.fix,
      ...(e.keyword === 'additionalProperties' ? { unknownField: described.segments } : {}),
    });
  }
  return { problems, pointers };
}

// ---------------------------------------------------------------------------------------------
// Per-kind validators

/** The validator of one `group/version/Kind`, built on first use and kept for the process. */
export class KindValidator {
  private validateFn?: ValidateFunction;
  /** The transformed schema before sharing, to explain errors by instance path. */
  private ajvSchema: AjvSchema = {};
  private planBuilt = false;
  private planRoot?: PlanNode;

  /** `artefactSha256`: the bundle digest of the artefact `crd` comes from (see precompiledValidator). */
  public constructor(public readonly crd: CrdVersionSchema, private readonly artefactSha256?: string) {}

  /** Every problem with `manifest`: schema errors first, then CEL rules and list-map keys. Never mutates it. */
  public validate(given: Json): SchemaProblem[] {
    // The API server fills in schema defaults before it validates, and rules rely on them (an
    // HTTPRoute rule without matches has `matches: [{path: {type: PathPrefix, value: /}}]`).
    const manifest = withDefaults(given, this.crd.schema) as Json;
    if (!this.validateFn) {
      this.ajvSchema = rootSchema(this.crd.schema);
      this.validateFn = precompiledValidator(this.crd, this.artefactSha256) ?? ajv().compile(shareRepeatedSubschemas(this.ajvSchema));
    }
    let problems: SchemaProblem[] = [];
    let pointers: string[] = [];
    if (!this.validateFn(manifest)) {
      ({ problems, pointers } = schemaProblems(this.validateFn.errors ?? [], manifest, this.ajvSchema));
    }
    const plan = this.plan();
    if (plan) {
      const runner = new PlanRunner(pointers);
      runner.run(plan, manifest);
      problems = problems.concat(runner.problems);
    }
    return problems;
  }

  /** The CEL rules of this version, compiled, with the JSON path of the node each applies to. */
  public rules(): Array<{ path: string; rule: CompiledRule }> {
    const out: Array<{ path: string; rule: CompiledRule }> = [];
    const walk = (node: PlanNode | undefined, path: string) => {
      if (!node) {
        return;
      }
      for (const rule of compiledRules(node)) {
        out.push({ path, rule });
      }
      for (const [name, child] of node.props ?? []) {
        walk(child, path ? `${path}.${name}` : name);
      }
      walk(node.items, `${path}[*]`);
      walk(node.values, `${path}[*]`);
    };
    walk(this.plan(), '');
    return out;
  }

  private plan(): PlanNode | undefined {
    if (!this.planBuilt) {
      this.planRoot = buildPlan(this.crd.schema);
      this.planBuilt = true;
    }
    return this.planRoot;
  }
}

interface VersionIndex {
  readonly validators: Map<string, KindValidator>;
  readonly kindsByGroup: Map<string, Map<string, string[]>>;
}

const indexes = new Map<string, VersionIndex>();

/**
 * The validators of one bundled Istio minor (default: the newest), or of the Gateway API when
 * `group` is its group, built once per process: an app with no Gateway API objects never reads
 * that artefact.
 */
function index(minor: string = NEWEST_MINOR, group?: string): VersionIndex {
  const gatewayApi = group === GATEWAY_API_GROUP;
  const key = gatewayApi ? GATEWAY_API_GROUP : minor;
  let found = indexes.get(key);
  if (!found) {
    found = { validators: new Map(), kindsByGroup: new Map() };
    const artefact = gatewayApi ? loadGatewayApiArtefact() : loadIstioArtefactFor(minor);
    for (const [key, crd] of Object.entries(artefact.kinds)) {
      found.validators.set(key, new KindValidator(crd, artefact.sha256));
      const kinds = found.kindsByGroup.get(crd.group) ?? new Map<string, string[]>();
      kinds.set(crd.kind, [...(kinds.get(crd.kind) ?? []), crd.version]);
      found.kindsByGroup.set(crd.group, kinds);
    }
    indexes.set(key, found);
  }
  return found;
}

const defaultsBelow = new WeakMap<StructuralSchema, boolean>();

/** Whether any node at or below `schema` declares a default. */
function hasDefaults(schema: StructuralSchema): boolean {
  let found = defaultsBelow.get(schema);
  if (found === undefined) {
    found = Object.values(schema.properties ?? {}).some((p) => p.default !== undefined || hasDefaults(p))
      || (!!schema.items && hasDefaults(schema.items))
      || (typeof schema.additionalProperties === 'object' && hasDefaults(schema.additionalProperties));
    defaultsBelow.set(schema, found);
  }
  return found;
}

/**
 * `value` with the schema's defaults filled in where a field is absent, as structural defaulting
 * does: only inside objects that exist, recursively, including inside defaults just applied.
 * Copies only what changes; Istio's CRDs declare no defaults, so their objects pass untouched.
 */
export function withDefaults(value: unknown, schema: StructuralSchema): unknown {
  if (!hasDefaults(schema)) {
    return value;
  }
  if (Array.isArray(value)) {
    const items = schema.items;
    return items ? value.map((v) => withDefaults(v, items)) : value;
  }
  if (!isObject(value)) {
    return value;
  }
  const out: Json = { ...value };
  for (const [name, prop] of Object.entries(schema.properties ?? {})) {
    if (out[name] === undefined && prop.default !== undefined) {
      // Not structuredClone: under jest its arrays come from another realm, which the CEL
      // evaluator does not take for lists.
      out[name] = JSON.parse(JSON.stringify(prop.default)) as unknown;
    }
    if (out[name] !== undefined && out[name] !== null) {
      out[name] = withDefaults(out[name], prop);
    }
  }
  const additional = schema.additionalProperties;
  if (typeof additional === 'object') {
    for (const key of Object.keys(out)) {
      if (!(schema.properties && key in schema.properties)) {
        out[key] = withDefaults(out[key], additional);
      }
    }
  }
  return out;
}

/** The validator for `group/version/Kind`, or undefined when Istio's CRDs do not serve it. */
export function kindValidator(group: string, version: string, kind: string, istioVersion: string = NEWEST_MINOR): KindValidator | undefined {
  return index(bundledMinorFor(istioVersion), group).validators.get(`${group}/${version}/${kind}`);
}

/** Every served `group/version/Kind` of the artefacts (Istio's newest and the Gateway API's), with its validator. */
export function allKindValidators(): ReadonlyMap<string, KindValidator> {
  return new Map([...index().validators, ...index(NEWEST_MINOR, GATEWAY_API_GROUP).validators]);
}

/**
 * Kubernetes' version priority: GA before beta before alpha, higher numbers first
 * (v1 > v1beta1 > v1alpha3).
 */
export function compareKubeVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) {
      return [0, 0, 0];
    }
    return [m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1, Number(m[1]), Number(m[3] ?? 0)];
  };
  const [pa, pb] = [parse(a), parse(b)];
  return pb[0] - pa[0] || pb[1] - pa[1] || pb[2] - pa[2] || byCodePoint(a, b);
}

/** The versions Istio's CRDs serve for a kind, preferred first; empty if the kind is unknown. */
export function servedVersions(group: string, kind: string, istioVersion: string = NEWEST_MINOR): string[] {
  return [...(index(bundledMinorFor(istioVersion), group).kindsByGroup.get(group)?.get(kind) ?? [])].sort(compareKubeVersions);
}

/** Whether `schema` declares the field at `segments` (list indexes step into items, map keys into values). */
function declares(schema: StructuralSchema | undefined, segments: ReadonlyArray<string | number>): boolean {
  let node = schema;
  for (const seg of segments) {
    if (!node) {
      return false;
    }
    if (node['x-kubernetes-preserve-unknown-fields']) {
      return true;
    }
    if (typeof seg === 'number') {
      node = node.items;
    } else if (node.properties && seg in node.properties) {
      node = node.properties[seg];
    } else if (typeof node.additionalProperties === 'object') {
      node = node.additionalProperties;
    } else {
      return false;
    }
  }
  return node !== undefined;
}

/** The first bundled minor after `istioVersion` whose schema of the kind declares the field, if any. */
function firstMinorWith(group: string, kind: string, segments: ReadonlyArray<string | number>, istioVersion: string): string | undefined {
  for (const minor of BUNDLED_MINORS) {
    if (compareMinors(minor, istioVersion) <= 0) {
      continue;
    }
    const versions = servedVersions(group, kind, minor);
    const crd = versions.map((v) => index(minor, group).validators.get(`${group}/${v}/${kind}`)?.crd).find((c) => c && declares(c.schema, segments));
    if (crd) {
      return minor;
    }
  }
  return undefined;
}

/**
 * Validates one manifest of an Istio group against its CRD: unknown kinds and versions, the
 * openAPIV3Schema (strictly) and every CEL rule. Returns nothing for non-Istio objects.
 */
export function validateManifest(manifest: Json, istioVersion: string = NEWEST_MINOR): SchemaProblem[] {
  const apiVersion = String(manifest.apiVersion ?? '');
  const slash = apiVersion.indexOf('/');
  if (slash < 0) {
    return [];
  }
  const group = apiVersion.slice(0, slash);
  if (!isValidatedGroup(group)) {
    return [];
  }
  const version = apiVersion.slice(slash + 1);
  const kind = String(manifest.kind ?? '');
  const target = bundledMinorFor(istioVersion);
  const validator = kindValidator(group, version, kind, target);
  if (validator) {
    const problems = validator.validate(manifest);
    if (group === GATEWAY_API_GROUP) {
      // The experimental channel adds fields to standard kinds (HTTPRoute retry, for one).
      return problems.map((p) => (p.kind === 'schema' && p.unknownField ? {
        ...p,
        fix: `${p.fix}; if it is an experimental-channel field and the cluster has those CRDs, suppress CKI1002 on the object with that reason (the standard channel ${GATEWAY_API_VERSION} is what is validated)`,
      } : p));
    }
    if (target === NEWEST_MINOR) {
      return problems;
    }
    // A field the target's schema lacks but a newer Istio has: say which, and how to get it.
    return problems.map((p) => {
      if (p.kind !== 'schema' || !p.unknownField) {
        return p;
      }
      const since = firstMinorWith(group, kind, p.unknownField, target);
      return since === undefined ? p : {
        ...p,
        message: `${p.field ?? 'the field'} is not in Istio ${minorOf(istioVersion)}'s ${kind} (Istio ${since} and later have it); the API server would refuse it`,
        fix: `target Istio ${since} or later (istioVersion), or remove ${p.field ?? 'it'}`,
      };
    });
  }
  const kinds = index(target, group).kindsByGroup.get(group);
  if (!kinds) {
    return [{
      kind: 'unknown-group',
      message: `the Istio CRDs this project pins define no kinds in ${group}, so ${kind} is not validated`,
      fix: `check the apiVersion; if ${group} is served by another CRD in the cluster, suppress this code with that reason`,
    }];
  }
  const versions = servedVersions(group, kind, target);
  if (group === GATEWAY_API_GROUP) {
    // Only the standard channel is bundled: an experimental kind or version (TCPRoute, TLSRoute
    // v1alpha2) is Istio's to serve with the experimental CRDs, not a mistake, unless it is a
    // near miss of a standard kind.
    const experimental = versions.length === 0 ? GATEWAY_API_EXPERIMENTAL_KINDS.has(kind) || !suggest(kind, [...kinds.keys()])
      : (GATEWAY_API_EXPERIMENTAL_VERSIONS[kind] ?? []).includes(version);
    if (experimental) {
      return [{
        kind: 'unknown-group',
        field: versions.length === 0 ? 'kind' : 'apiVersion',
        message: `${apiVersion} ${kind} is not in the Gateway API's standard channel ${GATEWAY_API_VERSION}${versions.length ? ` (it serves ${versions.map((v) => `${group}/${v}`).join(', ')})` : ''}: an experimental-channel ${versions.length ? 'version' : 'kind'} is not validated here`,
        fix: versions.length ? `use ${group}/${versions[0]}, or suppress CKI1005 on the object when the cluster has the experimental CRDs` : 'suppress CKI1005 on the object when the cluster has the experimental CRDs, or correct the kind',
      }];
    }
  }
  if (versions.length === 0) {
    const newer = BUNDLED_MINORS.find((m) => compareMinors(m, target) > 0 && servedVersions(group, kind, m).length > 0);
    if (newer) {
      return [{
        kind: 'unknown-kind',
        field: 'kind',
        message: `Istio ${minorOf(istioVersion)} has no ${kind} (Istio ${newer} and later serve it)`,
        fix: `target Istio ${newer} or later (istioVersion), or do without ${kind}`,
      }];
    }
    const suggestion = suggest(kind, [...kinds.keys()]);
    return [{
      kind: 'unknown-kind',
      field: 'kind',
      message: `${group} has no kind ${kind}${suggestion ? ` (did you mean ${suggestion}?)` : ''}; its kinds are ${[...kinds.keys()].sort().join(', ')}`,
      fix: suggestion ? `set kind: ${suggestion}` : `use one of the kinds of ${group}`,
    }];
  }
  return [{
    kind: 'unknown-kind',
    field: 'apiVersion',
    message: `${apiVersion} is not served for ${kind}; ${group === GATEWAY_API_GROUP ? `the Gateway API ${GATEWAY_API_VERSION}` : target === NEWEST_MINOR ? 'Istio\'s' : `Istio ${minorOf(istioVersion)}'s`} CRDs serve ${versions.map((v) => `${group}/${v}`).join(', ')}`,
    fix: `set apiVersion: ${group}/${versions[0]}`,
  }];
}

/** Every CEL rule of the CRDs of `groups` (Istio's, or the Gateway API's) with where it applies, for tests and docs. */
export function allCrdRules(groups: 'istio' | 'gateway-api' = 'istio'): Array<{ key: string; path: string; rule: CelRule; compiled: CompiledRule }> {
  const out: Array<{ key: string; path: string; rule: CelRule; compiled: CompiledRule }> = [];
  for (const [key, validator] of allKindValidators()) {
    if ((validator.crd.group === GATEWAY_API_GROUP) !== (groups === 'gateway-api')) {
      continue;
    }
    for (const { path, rule } of validator.rules()) {
      out.push({ key, path, rule: rule.rule, compiled: rule });
    }
  }
  return out;
}
