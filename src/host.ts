/**
 * Hostnames as Istio accepts them. Istio validates these in Go, not in the CRD, so the API server
 * takes a bad host and istiod rejects the config later; we refuse it at synth time.
 */

const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i;

export interface HostCheckOptions {
  /** Allow a lone `*` (any host). @default true */
  readonly allowWildcardAll?: boolean;
  /** Allow short names (`reviews`), which mesh-internal references resolve in their namespace. @default true */
  readonly allowShortNames?: boolean;
}

/**
 * Why `host` is not a valid Istio host (FQDN or `*.`-prefixed wildcard), or undefined if it is.
 */
export function hostProblem(host: string, options: HostCheckOptions = {}): string | undefined {
  const allowAll = options.allowWildcardAll ?? true;
  const allowShort = options.allowShortNames ?? true;
  if (host === '') {
    return 'the host is empty';
  }
  if (host === '*') {
    return allowAll ? undefined : '`*` matches every host and is not allowed here';
  }
  if (host.length > 253) {
    return 'the host is longer than 253 characters';
  }
  let name = host;
  if (name.startsWith('*.')) {
    name = name.slice(2);
  } else if (name.startsWith('*')) {
    // Istio accepts `*foo.com`-style prefixes only as `*.` or a bare leading `*`.
    name = name.slice(1);
  }
  if (name.includes('*')) {
    return 'a wildcard may only stand at the start of the host (`*.example.com`)';
  }
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) {
      return 'the host has an empty label (two dots in a row, or a leading or trailing dot)';
    }
    if (label.length > 63) {
      return `the label "${label}" is longer than 63 characters`;
    }
    if (!LABEL.test(label)) {
      return `the label "${label}" may hold only letters, digits and inner hyphens`;
    }
  }
  if (!allowShort && labels.length < 2 && !host.startsWith('*')) {
    return 'a short name is ambiguous here: give a fully qualified name such as reviews.default.svc.cluster.local';
  }
  return undefined;
}

/**
 * Why a Gateway or Sidecar host (`[namespace/]host`, namespace may be `*`, `.` or `~`) is
 * invalid, or undefined. The host part must be an FQDN or a wildcard.
 */
export function namespacedHostProblem(value: string): string | undefined {
  const slash = value.indexOf('/');
  if (slash >= 0) {
    const ns = value.slice(0, slash);
    const host = value.slice(slash + 1);
    if (ns !== '*' && ns !== '.' && ns !== '~' && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns)) {
      return `"${ns}" is not a namespace (use a namespace name, "*", "." or "~")`;
    }
    return hostProblem(host, { allowShortNames: false });
  }
  return hostProblem(value, { allowShortNames: false });
}

/** Why `port` is not a TCP/UDP port number (1–65535), or undefined. */
export function portProblem(port: number): string | undefined {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    return `${port} is not a port number (1–65535)`;
  }
  return undefined;
}

/** The suffix of in-cluster Service hosts (`name.namespace.svc.cluster.local`). */
export const CLUSTER_DOMAIN = 'svc.cluster.local';

/** Istio's reading of a host written in `namespace`: names without a dot are short Service names. */
export function fqdnIn(host: string, namespace: string): string {
  return host.includes('.') || host.includes('*') ? host : `${host}.${namespace}.${CLUSTER_DOMAIN}`;
}

/** True when `pattern` (a host, possibly `*` or `*.example.com`) covers `host` (which may be a wildcard too). */
export function wildcardCovers(pattern: string, host: string): boolean {
  if (pattern === '*' || pattern === host) {
    return true;
  }
  if (!pattern.startsWith('*')) {
    return false;
  }
  const suffix = pattern.slice(1);
  return host.startsWith('*') ? host.slice(1).endsWith(suffix) : host.length > suffix.length && host.endsWith(suffix);
}

/** Why `name` is not a Kubernetes DNS label (subset, port and namespace names), or undefined. */
export function dnsLabelProblem(name: string): string | undefined {
  if (name.length === 0) {
    return 'the name is empty';
  }
  if (name.length > 63) {
    return 'the name is longer than 63 characters';
  }
  return /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(name) ? undefined : 'use lowercase letters, digits and inner hyphens only';
}
