/**
 * Conditions an HTTP route matches on. Value objects, validated when a route uses them so that
 * errors name the VirtualService and the exact field.
 */
import { IConstruct } from 'constructs';
import * as l1 from './l1';
import { IGatewayRef } from './references';
import { check, dnsLabelProblem, headerNameProblem, labelsProblem, portProblem, regexProblem, withFix } from './validation';

type HttpMatchSpec = l1.Wire<l1.VirtualServiceSpecHttpMatch>;
/** `{ exact | prefix | regex }`, the shape every string match of Istio has. */
export type StringMatchSpec = l1.Wire<l1.VirtualServiceSpecHttpMatchUri>;

/** How a string is compared: exactly, by prefix, or by an RE2 regular expression (full match). */
export class StringMatch {
  public static exact(value: string): StringMatch {
    return new StringMatch('exact', value);
  }

  public static prefix(value: string): StringMatch {
    return new StringMatch('prefix', value);
  }

  /** An RE2 regular expression that must match the whole value. */
  public static regex(pattern: string): StringMatch {
    return new StringMatch('regex', pattern);
  }

  private constructor(public readonly kind: 'exact' | 'prefix' | 'regex', public readonly value: string) {}

  /** @internal */
  public _render(scope: IConstruct, field: string): StringMatchSpec {
    if (this.kind === 'regex') {
      check(scope, `${field}.regex`, regexProblem(this.value));
    }
    switch (this.kind) {
      case 'exact': return { exact: this.value };
      case 'prefix': return { prefix: this.value };
      case 'regex': return { regex: this.value };
    }
  }
}

type Value = string | StringMatch;

function asMatch(value: Value): StringMatch {
  return typeof value === 'string' ? StringMatch.exact(value) : value;
}

interface Conditions {
  uri?: StringMatch;
  scheme?: StringMatch;
  method?: StringMatch;
  authority?: StringMatch;
  headers?: Record<string, StringMatch>;
  withoutHeaders?: Record<string, StringMatch | undefined>;
  queryParams?: Record<string, StringMatch>;
  port?: number;
  sourceLabels?: Record<string, string>;
  sourceNamespace?: string;
  gateways?: IGatewayRef[];
  ignoreUriCase?: boolean;
  name?: string;
}

const SINGLE: ReadonlyArray<keyof Conditions> = ['uri', 'scheme', 'method', 'authority', 'port', 'sourceNamespace', 'ignoreUriCase', 'name'];
const MAPS = ['headers', 'withoutHeaders', 'queryParams', 'sourceLabels'] as const;

/**
 * One HTTP match: every condition in it must hold. A route's `match` list is an OR of these.
 * Combine conditions with `and()`: `Match.prefix('/api').and(Match.header('end-user', 'jason'))`.
 */
export class Match {
  /** URI starts with `prefix` (plain string prefix: `/api` also matches `/apis`; use `/api/` for a path segment). */
  public static prefix(prefix: string): Match {
    return new Match({ uri: StringMatch.prefix(prefix) });
  }

  /** URI is exactly `path`. */
  public static exact(path: string): Match {
    return new Match({ uri: StringMatch.exact(path) });
  }

  /** URI matches an RE2 regular expression (whole path). */
  public static regex(pattern: string): Match {
    return new Match({ uri: StringMatch.regex(pattern) });
  }

  public static uri(match: StringMatch): Match {
    return new Match({ uri: match });
  }

  /** Header `name` (lowercase) equals `value`, or matches a StringMatch. */
  public static header(name: string, value: Value): Match {
    return new Match({ headers: { [name]: asMatch(value) } });
  }

  /** Header `name` is absent, or (with `value`) does not match it. */
  public static withoutHeader(name: string, value?: Value): Match {
    return new Match({ withoutHeaders: { [name]: value === undefined ? undefined : asMatch(value) } });
  }

  /** Query parameter equals `value` (or matches a regex; Istio has no prefix match for these). */
  public static queryParam(name: string, value: Value): Match {
    return new Match({ queryParams: { [name]: asMatch(value) } });
  }

  /** HTTP method, e.g. `GET`. */
  public static method(method: Value): Match {
    return new Match({ method: asMatch(method) });
  }

  public static authority(value: Value): Match {
    return new Match({ authority: asMatch(value) });
  }

  public static scheme(value: Value): Match {
    return new Match({ scheme: asMatch(value) });
  }

  /** The port the request was addressed to (for hosts that serve several ports). */
  public static port(port: number): Match {
    return new Match({ port });
  }

  /** Only requests from workloads carrying these labels (mesh-bound routes only). */
  public static sourceLabels(labels: Record<string, string>): Match {
    return new Match({ sourceLabels: { ...labels } });
  }

  /** Only requests from workloads in this namespace (mesh-bound routes only). */
  public static sourceNamespace(namespace: string): Match {
    return new Match({ sourceNamespace: namespace });
  }

  /** Only on these gateways (use MESH_GATEWAY for sidecars); the VirtualService must be bound to them. */
  public static onGateways(...gateways: IGatewayRef[]): Match {
    return new Match({ gateways: [...gateways] });
  }

  /** Every request (a catch-all match, `uri.prefix: /`). */
  public static any(): Match {
    return Match.prefix('/');
  }

  private readonly conflicts: string[];

  private constructor(private readonly conditions: Conditions, conflicts: string[] = []) {
    this.conflicts = conflicts;
  }

  /** A match that holds when this one and all `others` hold. */
  public and(...others: Match[]): Match {
    const merged: Conditions = { ...this.conditions };
    const conflicts = [...this.conflicts];
    for (const other of others) {
      conflicts.push(...other.conflicts);
      const c = other.conditions;
      for (const key of SINGLE) {
        if (c[key] === undefined) {
          continue;
        }
        if (merged[key] !== undefined && JSON.stringify(merged[key]) !== JSON.stringify(c[key])) {
          conflicts.push(`${key} is set twice`);
        }
        (merged as Record<string, unknown>)[key] = c[key];
      }
      for (const key of MAPS) {
        const add = c[key] as Record<string, unknown> | undefined;
        if (!add) {
          continue;
        }
        const into = { ...(merged[key] ?? {}) } as Record<string, unknown>;
        for (const [k, v] of Object.entries(add)) {
          if (k in into && JSON.stringify(into[k]) !== JSON.stringify(v)) {
            conflicts.push(`${key}.${k} is set twice`);
          }
          into[k] = v;
        }
        (merged as Record<string, unknown>)[key] = into;
      }
      if (c.gateways) {
        merged.gateways = [...(merged.gateways ?? []), ...c.gateways];
      }
    }
    return new Match(merged, conflicts);
  }

  /** Compare the URI case-insensitively. */
  public ignoringUriCase(): Match {
    return new Match({ ...this.conditions, ignoreUriCase: true }, this.conflicts);
  }

  /** A name for the match, used in Envoy route names and stats. */
  public named(name: string): Match {
    return new Match({ ...this.conditions, name }, this.conflicts);
  }

  /**
   * Validates and renders as Istio's HTTPMatchRequest.
   * @internal
   */
  public _render(scope: IConstruct, field: string): HttpMatchSpec {
    if (this.conflicts.length > 0) {
      check(scope, field, {
        problem: `conditions contradict each other: ${this.conflicts.join(', ')}`,
        fix: 'a request cannot satisfy both; use two matches in the route\'s match list for OR',
      });
    }
    const c = this.conditions;
    if (c.uri && c.uri.kind !== 'regex' && !c.uri.value.startsWith('/')) {
      check(scope, `${field}.uri.${c.uri.kind}`, { problem: `"${c.uri.value}" does not start with /`, fix: 'write the path with a leading slash, e.g. /api/' });
    }
    if (c.method?.kind === 'exact' && !/^[A-Z]+$/.test(c.method.value)) {
      check(scope, `${field}.method.exact`, { problem: `"${c.method.value}" is not an HTTP method`, fix: 'use an uppercase method such as GET or POST' });
    }
    const headerMap = (key: 'headers' | 'withoutHeaders'): Record<string, StringMatchSpec> | undefined => {
      const map = c[key];
      if (!map) {
        return undefined;
      }
      const rendered: Record<string, StringMatchSpec> = {};
      for (const [name, m] of Object.entries(map)) {
        check(scope, `${field}.${key}.${name}`, withFix(headerNameProblem(name), 'header names in matches are lowercase, e.g. end-user'));
        rendered[name] = m ? m._render(scope, `${field}.${key}.${name}`) : {};
      }
      return rendered;
    };
    let queryParams: Record<string, StringMatchSpec> | undefined;
    if (c.queryParams) {
      queryParams = {};
      for (const [name, m] of Object.entries(c.queryParams)) {
        if (name.length === 0) {
          check(scope, `${field}.queryParams`, { problem: 'a query parameter name is empty', fix: 'name the parameter' });
        }
        if (m.kind === 'prefix') {
          check(scope, `${field}.queryParams.${name}.prefix`, {
            problem: 'Istio matches query parameters only exactly or by regex',
            fix: `use StringMatch.regex('${m.value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}.*')`,
          });
        }
        queryParams[name] = m._render(scope, `${field}.queryParams.${name}`);
      }
    }
    if (c.port !== undefined) {
      check(scope, `${field}.port`, portProblem(c.port, 'use the port the host is addressed on (1–65535)'));
    }
    if (c.sourceLabels) {
      if (Object.keys(c.sourceLabels).length === 0) {
        check(scope, `${field}.sourceLabels`, { problem: 'no labels given', fix: 'give at least one label, or leave sourceLabels out' });
      }
      check(scope, `${field}.sourceLabels`, labelsProblem(c.sourceLabels));
    }
    if (c.sourceNamespace !== undefined) {
      check(scope, `${field}.sourceNamespace`, dnsLabelProblem(c.sourceNamespace, 'namespace name'));
    }
    return {
      name: c.name,
      uri: c.uri?._render(scope, `${field}.uri`),
      scheme: c.scheme?._render(scope, `${field}.scheme`),
      method: c.method?._render(scope, `${field}.method`),
      authority: c.authority?._render(scope, `${field}.authority`),
      headers: headerMap('headers'),
      withoutHeaders: headerMap('withoutHeaders'),
      queryParams,
      port: c.port,
      sourceLabels: c.sourceLabels && { ...c.sourceLabels },
      sourceNamespace: c.sourceNamespace,
      gateways: c.gateways?.map((g) => g.gatewayRef),
      ignoreUriCase: c.ignoreUriCase ? true : undefined,
    };
  }

  /** Gateways this match is limited to. @internal */
  public get _gateways(): readonly IGatewayRef[] {
    return this.conditions.gateways ?? [];
  }
}
