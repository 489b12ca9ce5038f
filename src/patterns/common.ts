/**
 * Pieces the L3 patterns share. Pattern props are plain data (strings, numbers, lists, maps) so
 * that a YAML values file can say exactly what the TypeScript props say.
 */
import { Construct } from 'constructs';
import { IstioDuration } from '../duration';
import { InjectionMode } from '../injection';
import { IMeshNamespaceRef, MeshNamespace } from '../mesh-namespace';
import { byCodePoint } from '../ordering';
import { check, dnsLabelProblem, labelsProblem } from '../validation';

/** A namespace a pattern puts its objects in, and how its pods join the mesh. */
export interface NamespaceValues {
  /** Namespace name. */
  readonly name: string;
  /**
   * Sidecar injection through the default injector (`istio-injection=enabled`), none, ambient
   * mode, or explicitly disabled. Leave it out when `revision` is set: a namespace carries one
   * injection label, never both.
   * @default 'enabled' - unless `revision` is set
   */
  readonly injection?: 'enabled' | 'disabled' | 'ambient' | 'none';
  /**
   * The Istio revision (or revision tag) of a platform that already runs Istio: labels the
   * namespace `istio.io/rev=<revision>` instead of `istio-injection` (bring your own Istio).
   * @default - none: the default injector
   */
  readonly revision?: string;
  /** Create the Namespace object; false for a namespace that exists already. @default true */
  readonly create?: boolean;
  /** Further labels on a created namespace (no injection labels). @default - none */
  readonly labels?: Record<string, string>;
  /**
   * With `injection: ambient`: the waypoint (a `waypoints` entry's name) the namespace's traffic
   * goes through, for L7 routing and policies.
   * @default - none: L4 only
   */
  readonly useWaypoint?: string;
}

/** Creates (or references) the namespace the values describe; the result knows its injection mode. */
export function meshNamespaceFrom(scope: Construct, id: string, values: NamespaceValues | string, field: string): IMeshNamespaceRef {
  const v: NamespaceValues = typeof values === 'string' ? { name: values } : values;
  if (v.revision !== undefined && v.injection !== undefined) {
    check(scope, `${field}.injection`, { problem: `both injection: ${v.injection} and revision: ${v.revision} are set; a namespace takes one injection label`, fix: 'keep `revision` for a platform that installs Istio by revision, `injection` otherwise' });
  }
  const labels = labelsProblem(v.labels);
  if (labels) {
    check(scope, `${field}.labels${labels.key !== undefined ? `[${JSON.stringify(labels.key)}]` : ''}`, labels);
  }
  const mode = v.revision !== undefined ? InjectionMode.revision(v.revision) : injectionMode(v.injection ?? 'enabled');
  if (v.create === false) {
    return MeshNamespace.fromExisting(scope, v.name, mode);
  }
  return new MeshNamespace(scope, id, { name: v.name, injection: mode, labels: v.labels, useWaypoint: v.useWaypoint });
}

function injectionMode(kind: NonNullable<NamespaceValues['injection']>): InjectionMode {
  switch (kind) {
    case 'enabled': return InjectionMode.enabled();
    case 'disabled': return InjectionMode.disabled();
    case 'ambient': return InjectionMode.ambient();
    case 'none': return InjectionMode.none();
  }
}

/**
 * A URL path prefix as values files write it: `''` or `/` is the whole site, `api` or `/api/`
 * is everything under `/api/`. Always returns `/` or `/segment(s)/`.
 */
export function normalizePathPrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+|\/+$/g, '');
  return trimmed === '' ? '/' : `/${trimmed}/`;
}

/** Longest prefix first, so `/` never shadows `/api/` (which would be an IST0130). */
export function byPrefixLengthDescending<T>(items: readonly T[], prefixOf: (t: T) => string): T[] {
  return [...items].sort((a, b) => prefixOf(b).length - prefixOf(a).length || byCodePoint(prefixOf(a), prefixOf(b)));
}

/** Parses a values-file duration (`30s`, `1m30s`), naming the field when it is wrong. */
export function durationFrom(scope: Construct, field: string, text: string | undefined): IstioDuration | undefined {
  if (text === undefined) {
    return undefined;
  }
  const d = IstioDuration.parse(text);
  const problem = d.problem();
  if (problem) {
    check(scope, field, { problem: problem.problem, fix: 'write a duration such as 30s, 1m30s or 250ms (whole milliseconds, at least 1ms)' });
  }
  return d;
}

/** Refuses a name patterns derive object names from (a DNS label), quoting it for values users. */
export function checkPatternName(scope: Construct, field: string, name: string, fix: string): void {
  const problem = dnsLabelProblem(name, 'name');
  check(scope, field, problem && { problem: problem.problem, fix });
}
