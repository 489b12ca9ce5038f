/**
 * The parts of an AuthorizationPolicy rule as value objects: who sends the request (`Source`),
 * what it asks for (`Operation`) and extra conditions (`Condition`). They only hold data; the
 * policy validates them when they are added, so errors can name the construct and the exact
 * field (`spec.rules[1].from[0].source.ipBlocks[2]`).
 */
import { INamespaceRef, IWorkloadRef, principalOf } from './references';
import { namespaceName } from './resource';
import { cidrProblem, dnsLabelProblem, FieldProblem, portProblem, Problem } from './validation';

/**
 * A problem found in a value object, with the field relative to the object that holds it.
 * @deprecated use FieldProblem
 */
export type PolicyFieldProblem = FieldProblem;

type SourceField =
  | 'principals' | 'notPrincipals'
  | 'requestPrincipals' | 'notRequestPrincipals'
  | 'namespaces' | 'notNamespaces'
  | 'serviceAccounts' | 'notServiceAccounts'
  | 'ipBlocks' | 'notIpBlocks'
  | 'remoteIpBlocks' | 'notRemoteIpBlocks';

// Spec order, so rendered sources read the same whatever order they were built in.
/**
 * `a.and(b)` for sources and operations: the fields of both; a field given on both sides is a
 * problem, because values of one field are alternatives, which is not what `and` says.
 */
function andFields<F extends string>(
  order: readonly F[], mine: Partial<Record<F, string[]>>, theirs: Partial<Record<F, string[]>>, what: 'source' | 'operation',
): { fields: Partial<Record<F, string[]>>; problems: FieldProblem[] } {
  const fields: Partial<Record<F, string[]>> = { ...mine };
  const problems: FieldProblem[] = [];
  for (const f of order) {
    const values = theirs[f];
    if (!values) {
      continue;
    }
    if (fields[f]) {
      problems.push({
        field: f,
        problem: `${f} is given twice in one ${what}; values of one field are alternatives, so and() cannot combine them`,
        fix: `list all ${f} in one ${what === 'source' ? 'Source' : 'Operation'}.${f}(...) call`,
      });
      continue;
    }
    fields[f] = values;
  }
  return { fields, problems };
}

/** The fields set, in spec order, as fresh arrays. */
function renderFields<F extends string>(order: readonly F[], fields: Partial<Record<F, string[]>>): Partial<Record<F, string[]>> {
  const out: Partial<Record<F, string[]>> = {};
  for (const f of order) {
    const values = fields[f];
    if (values) {
      out[f] = [...values];
    }
  }
  return out;
}

const SOURCE_FIELDS: readonly SourceField[] = [
  'principals', 'notPrincipals', 'requestPrincipals', 'notRequestPrincipals',
  'namespaces', 'notNamespaces', 'serviceAccounts', 'notServiceAccounts',
  'ipBlocks', 'notIpBlocks', 'remoteIpBlocks', 'notRemoteIpBlocks',
];

/** What a Source renders to: `rules[].from[].source`. */
export type SourceSpec = Partial<Record<SourceField, string[]>>;

/**
 * Where a request comes from. Lists inside one field are alternatives (any may match); fields
 * combined with `and()` must all match. Several sources in one rule's `from` are alternatives.
 */
export class Source {
  /** Peers whose mTLS identity is one of these SPIFFE principals (`cluster.local/ns/shop/sa/web`); `*` prefix/suffix allowed. */
  public static principals(...principals: string[]): Source {
    return new Source({ principals });
  }

  public static notPrincipals(...principals: string[]): Source {
    return new Source({ notPrincipals: principals });
  }

  /**
   * Peers running as these workloads' service accounts, as SPIFFE principals in the
   * `cluster.local` trust domain (use `principals(principalOf(ns, sa, domain))` for another).
   */
  public static workloads(...workloads: IWorkloadRef[]): Source {
    const problems: FieldProblem[] = [];
    const principals: string[] = [];
    workloads.forEach((w, i) => {
      if (!w.serviceAccountName) {
        problems.push({
          field: `principals[${i}]`,
          problem: `the workload in namespace ${w.namespace} (${describeLabels(w.selector)}) has no service account, so it has no identity to allow`,
          fix: 'give the workload a dedicated ServiceAccount and pass serviceAccountName',
        });
        principals.push('');
      } else {
        principals.push(principalOf(w.namespace, w.serviceAccountName));
      }
    });
    return new Source({ principals }, problems);
  }

  /** Requests carrying a JWT whose `iss/sub` is one of these (`*` prefix/suffix allowed; `*` means any valid JWT). */
  public static requestPrincipals(...principals: string[]): Source {
    return new Source({ requestPrincipals: principals });
  }

  public static notRequestPrincipals(...principals: string[]): Source {
    return new Source({ notRequestPrincipals: principals });
  }

  /** Peers in these namespaces (from their mTLS identity). */
  public static namespaces(...namespaces: Array<string | INamespaceRef>): Source {
    return new Source({ namespaces: namespaces.map(namespaceName) });
  }

  public static notNamespaces(...namespaces: Array<string | INamespaceRef>): Source {
    return new Source({ notNamespaces: namespaces.map(namespaceName) });
  }

  /**
   * Peers running as these service accounts, `namespace/name` (or a workload with a service
   * account). Needs Istio 1.25 or later; cannot be combined with principals or namespaces.
   */
  public static serviceAccounts(...accounts: Array<string | IWorkloadRef>): Source {
    return Source.accounts('serviceAccounts', accounts);
  }

  public static notServiceAccounts(...accounts: Array<string | IWorkloadRef>): Source {
    return Source.accounts('notServiceAccounts', accounts);
  }

  /** Peers whose connection comes from these IPs or CIDR blocks (the proxy's downstream address). */
  public static ipBlocks(...blocks: string[]): Source {
    return new Source({ ipBlocks: blocks });
  }

  public static notIpBlocks(...blocks: string[]): Source {
    return new Source({ notIpBlocks: blocks });
  }

  /** Clients whose original IP (X-Forwarded-For or PROXY protocol) is in these IPs or CIDR blocks. */
  public static remoteIpBlocks(...blocks: string[]): Source {
    return new Source({ remoteIpBlocks: blocks });
  }

  public static notRemoteIpBlocks(...blocks: string[]): Source {
    return new Source({ notRemoteIpBlocks: blocks });
  }

  private static accounts(field: 'serviceAccounts' | 'notServiceAccounts', accounts: Array<string | IWorkloadRef>): Source {
    const problems: FieldProblem[] = [];
    const values = accounts.map((a, i) => {
      if (typeof a === 'string') {
        return a;
      }
      if (!a.serviceAccountName) {
        problems.push({
          field: `${field}[${i}]`,
          problem: `the workload in namespace ${a.namespace} (${describeLabels(a.selector)}) has no service account`,
          fix: 'give the workload a dedicated ServiceAccount and pass serviceAccountName',
        });
        return '';
      }
      return `${a.namespace}/${a.serviceAccountName}`;
    });
    return new Source({ [field]: values }, problems);
  }

  private constructor(private readonly fields: SourceSpec, private readonly problems: readonly FieldProblem[] = []) {}

  /**
   * A source that matches only when this one and `other` both do. The same field may not be
   * given twice: its values would be alternatives, which is not what `and` says.
   */
  public and(other: Source): Source {
    const { fields, problems } = andFields(SOURCE_FIELDS, this.fields, other.fields, 'source');
    return new Source(fields, [...this.problems, ...other.problems, ...problems]);
  }

  /** The fields this source sets, in spec order. */
  public render(): SourceSpec {
    return renderFields(SOURCE_FIELDS, this.fields);
  }

  /** Problems, with fields relative to `source`. */
  public validate(): FieldProblem[] {
    const problems = [...this.problems];
    const fields = this.fields;
    for (const f of SOURCE_FIELDS) {
      const values = fields[f];
      if (!values) {
        continue;
      }
      if (values.length === 0) {
        problems.push({ field: f, problem: 'the list is empty', fix: `pass at least one value to Source.${f}()` });
        continue;
      }
      values.forEach((v, i) => {
        const p = sourceValueProblem(f, v);
        if (p) {
          problems.push({ field: `${f}[${i}]`, ...p });
        }
      });
    }
    const accounts = fields.serviceAccounts ?? fields.notServiceAccounts;
    if (accounts && accounts.length > 16) {
      problems.push({
        field: fields.serviceAccounts ? 'serviceAccounts' : 'notServiceAccounts',
        problem: `${accounts.length} service accounts; Istio accepts at most 16 in one source`,
        fix: 'split them across several sources in `from`',
      });
    }
    if ((fields.serviceAccounts || fields.notServiceAccounts)
      && (fields.principals || fields.notPrincipals || fields.namespaces || fields.notNamespaces)) {
      problems.push({
        field: fields.serviceAccounts ? 'serviceAccounts' : 'notServiceAccounts',
        problem: 'service accounts cannot be combined with principals or namespaces in one source (Istio\'s CEL rule)',
        fix: 'use either Source.serviceAccounts(...) or Source.principals/namespaces(...), or put them in separate sources',
      });
    }
    return problems;
  }
}

function sourceValueProblem(field: SourceField, value: string): Problem | undefined {
  if (value === '') {
    return { problem: 'the value is empty', fix: 'remove the empty value' };
  }
  switch (field) {
    case 'ipBlocks':
    case 'notIpBlocks':
    case 'remoteIpBlocks':
    case 'notRemoteIpBlocks':
      return cidrProblem(value);
    case 'namespaces':
    case 'notNamespaces':
      return value.includes('*') ? undefined : dnsLabelProblem(value, 'namespace name');
    case 'serviceAccounts':
    case 'notServiceAccounts':
      return serviceAccountProblem(value);
    default:
      return undefined;
  }
}

/** Istio accepts `name` (the policy's namespace) or `namespace/name`, without wildcards. */
export function serviceAccountProblem(value: string): Problem | undefined {
  const fix = 'write namespace/serviceaccount, e.g. shop/frontend';
  if (value.includes('*')) {
    return { problem: `"${value}" contains a wildcard, which service accounts do not support`, fix };
  }
  if (value.length > 320) {
    return { problem: 'the value is longer than 320 characters', fix };
  }
  const parts = value.split('/');
  if (parts.length > 2 || parts.some((p) => p === '')) {
    return { problem: `"${value}" is not a service account`, fix };
  }
  return undefined;
}

function describeLabels(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  return entries.length === 0 ? 'no labels' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

type OperationField = 'hosts' | 'notHosts' | 'ports' | 'notPorts' | 'methods' | 'notMethods' | 'paths' | 'notPaths';

const OPERATION_FIELDS: readonly OperationField[] = ['hosts', 'notHosts', 'ports', 'notPorts', 'methods', 'notMethods', 'paths', 'notPaths'];

/** What an Operation renders to: `rules[].to[].operation`. */
export type OperationSpec = Partial<Record<OperationField, string[]>>;

/**
 * What a request asks for. Like Source: values of one field are alternatives, fields combined
 * with `and()` must all match.
 */
export class Operation {
  /** HTTP methods (`GET`, `POST`); gRPC requests are always `POST`. */
  public static methods(...methods: string[]): Operation {
    return new Operation({ methods });
  }

  public static notMethods(...methods: string[]): Operation {
    return new Operation({ notMethods: methods });
  }

  /**
   * Request paths: exact (`/healthz`), prefix (`/api/*`), suffix (`*.png`), any (`*`), or
   * templates with `{*}` (one segment) and `{**}` (the rest, last only).
   */
  public static paths(...paths: string[]): Operation {
    return new Operation({ paths });
  }

  public static notPaths(...paths: string[]): Operation {
    return new Operation({ notPaths: paths });
  }

  /** Destination ports of the workload (container ports, not Service ports). */
  public static ports(...ports: number[]): Operation {
    return new Operation({ ports: ports.map(String) });
  }

  public static notPorts(...ports: number[]): Operation {
    return new Operation({ notPorts: ports.map(String) });
  }

  /** Host (authority) headers, `*` prefix/suffix allowed. */
  public static hosts(...hosts: string[]): Operation {
    return new Operation({ hosts });
  }

  public static notHosts(...hosts: string[]): Operation {
    return new Operation({ notHosts: hosts });
  }

  private constructor(private readonly fields: OperationSpec, private readonly problems: readonly FieldProblem[] = []) {}

  /** An operation that matches only when this one and `other` both do. */
  public and(other: Operation): Operation {
    const { fields, problems } = andFields(OPERATION_FIELDS, this.fields, other.fields, 'operation');
    return new Operation(fields, [...this.problems, ...other.problems, ...problems]);
  }

  /** The fields this operation sets, in spec order. */
  public render(): OperationSpec {
    return renderFields(OPERATION_FIELDS, this.fields);
  }

  /** Problems, with fields relative to `operation`. */
  public validate(): FieldProblem[] {
    const problems = [...this.problems];
    for (const f of OPERATION_FIELDS) {
      const values = this.fields[f];
      if (!values) {
        continue;
      }
      if (values.length === 0) {
        problems.push({ field: f, problem: 'the list is empty', fix: `pass at least one value to Operation.${f}()` });
        continue;
      }
      values.forEach((v, i) => {
        const p = operationValueProblem(f, v);
        if (p) {
          problems.push({ field: `${f}[${i}]`, ...p });
        }
      });
    }
    return problems;
  }
}

function operationValueProblem(field: OperationField, value: string): Problem | undefined {
  if (value === '') {
    return { problem: 'the value is empty', fix: 'remove the empty value' };
  }
  switch (field) {
    case 'ports':
    case 'notPorts':
      return portProblem(Number(value), 'use the container port the workload listens on');
    case 'paths':
    case 'notPaths':
      return authorizationPathProblem(value);
    default:
      return undefined;
  }
}

/**
 * Istio matches paths exactly, by prefix (`/api/*`), by suffix (`*.png`) or any (`*`); a path
 * that starts with neither `/` nor `*` never matches a request. Templates allow `{*}` and a
 * final `{**}` as whole segments, and nothing else in braces.
 */
export function authorizationPathProblem(path: string): Problem | undefined {
  if (!path.startsWith('/') && !path.startsWith('*')) {
    return { problem: `"${path}" starts with neither / nor *, so no request path matches it`, fix: 'write the path from its leading slash, e.g. /api/*' };
  }
  if (!path.includes('{') && !path.includes('}')) {
    return undefined;
  }
  const segments = path.replace(/^\/+|\/+$/g, '').split('/');
  let sawMatchAny = false;
  for (const seg of segments) {
    if (seg === '{*}' || seg === '{**}') {
      if (sawMatchAny) {
        return { problem: `"${path}" has a template after {**}`, fix: '{**} may only be the last segment' };
      }
      sawMatchAny = seg === '{**}';
      continue;
    }
    if (/[{}]/.test(seg)) {
      return { problem: `"${path}" has a segment "${seg}" with braces that is not {*} or {**}`, fix: 'use {*} for one whole segment and {**} for the rest' };
    }
    if (!/^[a-zA-Z0-9\-._~%!$&'()+,;:@=]+$/.test(seg)) {
      return { problem: `"${path}" has a segment "${seg}" with characters a path template does not allow`, fix: 'use plain path characters next to {*} and {**}' };
    }
  }
  return undefined;
}

/** What a Condition renders to: `rules[].when[]`. */
export interface ConditionSpec {
  key: string;
  values?: string[];
  notValues?: string[];
}

/** Keys Istio knows, with how their values are checked. `[...]` marks keys that take a name. */
const EXACT_KEYS: Record<string, 'ip' | 'port' | 'serviceAccount' | 'any'> = {
  'source.ip': 'ip',
  'remote.ip': 'ip',
  'source.namespace': 'any',
  'source.principal': 'any',
  'source.serviceAccount': 'serviceAccount',
  'request.auth.principal': 'any',
  'request.auth.audiences': 'any',
  'request.auth.presenter': 'any',
  'destination.ip': 'ip',
  'destination.port': 'port',
  'connection.sni': 'any',
};
const MAP_KEY_PREFIXES = ['request.headers', 'request.auth.claims', 'experimental.envoy.filters.'];

/** Keys Istio used to accept; each has a replacement. */
const RETIRED_KEYS: Record<string, string> = {
  'destination.namespace': 'the policy\'s own namespace already scopes it: create the policy in that namespace',
  'destination.name': 'select the workload with `selector` instead',
  'destination.user': 'select the workload with `selector` instead',
};

/** Why `key` is not a condition key Istio accepts, or undefined. */
export function conditionKeyProblem(key: string): Problem | undefined {
  if (key in EXACT_KEYS) {
    return undefined;
  }
  const prefix = MAP_KEY_PREFIXES.find((p) => key.startsWith(p));
  if (prefix) {
    const open = key.indexOf('[');
    if (key.endsWith(']') && open > 0 && open < key.length - 2) {
      return undefined;
    }
    return { problem: `"${key}" names no ${prefix === 'request.headers' ? 'header' : prefix === 'request.auth.claims' ? 'claim' : 'filter field'}`, fix: `write ${prefix}[name]` };
  }
  if (key.startsWith('destination.labels')) {
    return { problem: `"${key}" is not supported in conditions`, fix: 'select the workload with `selector` instead' };
  }
  if (key in RETIRED_KEYS) {
    return { problem: `"${key}" is not supported in conditions`, fix: RETIRED_KEYS[key] };
  }
  return {
    problem: `"${key}" is not a condition key Istio knows`,
    fix: 'use a Condition factory, or one of request.headers[...], source.ip, remote.ip, source.namespace, source.principal, request.auth.principal, request.auth.audiences, request.auth.presenter, request.auth.claims[...], destination.ip, destination.port, connection.sni, experimental.envoy.filters.*[...]',
  };
}

/**
 * An extra condition on a request. `values` are alternatives; `negate()` turns them into
 * `notValues` (the condition then holds when none matches).
 */
export class Condition {
  /** A request header has one of these values (`*` prefix/suffix allowed). HTTP only. */
  public static requestHeader(name: string, values: string[]): Condition {
    return new Condition(`request.headers[${name}]`, values);
  }

  /**
   * A claim of the request's validated JWT has one of these values. For a nested claim pass
   * its path: `requestClaim(['realm_access', 'roles'], ['admin'])`. Lists match any element.
   */
  public static requestClaim(claim: string | string[], values: string[]): Condition {
    const path = typeof claim === 'string' ? [claim] : claim;
    return new Condition(`request.auth.claims${path.map((p) => `[${p}]`).join('')}`, values);
  }

  /** The request's JWT principal (`iss/sub`) is one of these. */
  public static requestPrincipal(...principals: string[]): Condition {
    return new Condition('request.auth.principal', principals);
  }

  /** The JWT's audience is one of these. */
  public static requestAudience(...audiences: string[]): Condition {
    return new Condition('request.auth.audiences', audiences);
  }

  /** The JWT's authorized presenter (`azp`) is one of these. */
  public static requestPresenter(...presenters: string[]): Condition {
    return new Condition('request.auth.presenter', presenters);
  }

  /** The peer's IP is in one of these IPs or CIDR blocks. */
  public static sourceIp(...blocks: string[]): Condition {
    return new Condition('source.ip', blocks);
  }

  /** The original client IP (X-Forwarded-For or PROXY protocol) is in one of these. */
  public static remoteIp(...blocks: string[]): Condition {
    return new Condition('remote.ip', blocks);
  }

  /** The peer's namespace (mTLS) is one of these. */
  public static sourceNamespace(...namespaces: Array<string | INamespaceRef>): Condition {
    return new Condition('source.namespace', namespaces.map(namespaceName));
  }

  /** The peer's SPIFFE principal (mTLS) is one of these. */
  public static sourcePrincipal(...principals: string[]): Condition {
    return new Condition('source.principal', principals);
  }

  /** The destination IP is in one of these IPs or CIDR blocks. */
  public static destinationIp(...blocks: string[]): Condition {
    return new Condition('destination.ip', blocks);
  }

  /** The destination (container) port is one of these. */
  public static destinationPort(...ports: number[]): Condition {
    return new Condition('destination.port', ports.map(String));
  }

  /** The TLS server name (SNI) is one of these. */
  public static sni(...names: string[]): Condition {
    return new Condition('connection.sni', names);
  }

  /** Any key; the policy refuses keys Istio does not know. */
  public static of(key: string, values: string[]): Condition {
    return new Condition(key, values);
  }

  private constructor(public readonly key: string, private readonly values: readonly string[], private readonly negated = false) {}

  /** The same condition, holding when the attribute matches none of the values. */
  public negate(): Condition {
    return new Condition(this.key, this.values, !this.negated);
  }

  public render(): ConditionSpec {
    return this.negated ? { key: this.key, notValues: [...this.values] } : { key: this.key, values: [...this.values] };
  }

  /** Problems, with fields relative to the `when` entry. */
  public validate(): FieldProblem[] {
    const keyProblem = conditionKeyProblem(this.key);
    if (keyProblem) {
      return [{ field: 'key', ...keyProblem }];
    }
    const field = this.negated ? 'notValues' : 'values';
    if (this.values.length === 0) {
      return [{ field, problem: 'no values: a condition needs at least one', fix: 'pass the values the attribute may take' }];
    }
    const kind = EXACT_KEYS[this.key] ?? 'any';
    const problems: FieldProblem[] = [];
    this.values.forEach((v, i) => {
      let p: Problem | undefined;
      if (v === '') {
        p = { problem: 'the value is empty', fix: 'remove the empty value' };
      } else if (kind === 'ip') {
        p = cidrProblem(v);
      } else if (kind === 'port') {
        p = portProblem(Number(v), 'use a port number');
      } else if (kind === 'serviceAccount') {
        p = serviceAccountProblem(v);
      }
      if (p) {
        problems.push({ field: `${field}[${i}]`, ...p });
      }
    });
    return problems;
  }
}

/**
 * One rule: a request matches when it matches any of `from`, any of `to` and every `when`.
 * An empty rule matches every request.
 */
export interface AuthorizationRule {
  /** @default - any source */
  readonly from?: Source[];
  /** @default - any operation */
  readonly to?: Operation[];
  /** @default - no further conditions */
  readonly when?: Condition[];
}
