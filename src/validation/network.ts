/**
 * Network values: ports, IP addresses and CIDR blocks, hosts as Istio accepts them. Istio checks
 * hosts in Go, not in the CRD, so the API server takes a bad host and istiod rejects the config
 * later; we refuse it when it is written.
 */
import { isIP } from 'net';
import { dnsLabelProblem } from './names';
import { Problem, shown } from './problem';

/** Why `port` is not a TCP/UDP port number (1–65535), or undefined. */
export function portProblem(port: number, fix = 'use a port number between 1 and 65535'): Problem | undefined {
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { problem: `${shown(port)} is not a port number (1–65535)`, fix };
  }
  return undefined;
}

/** An IPv4 or IPv6 address. */
export function isIpAddress(value: string): boolean {
  return isIP(value) !== 0;
}

/** Why `value` is not an IP address or CIDR block (`10.0.0.0/8`, `fd00::/8`), or undefined. */
export function cidrProblem(value: string): Problem | undefined {
  const fix = 'use an IP address (10.0.0.1) or a CIDR block (10.0.0.0/8)';
  if (typeof value !== 'string' || value === '') {
    return { problem: 'the address is empty', fix };
  }
  const slash = value.indexOf('/');
  if (slash < 0) {
    return isIP(value) ? undefined : { problem: `"${shown(value)}" is not an IP address or CIDR block`, fix };
  }
  const family = isIP(value.slice(0, slash));
  const bits = value.slice(slash + 1);
  if (family === 0) {
    return { problem: `"${shown(value)}" is not an IP address or CIDR block`, fix };
  }
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > (family === 6 ? 128 : 32)) {
    return { problem: `"${shown(value)}" is not a CIDR block: the prefix length must be 0–${family === 6 ? 128 : 32}`, fix };
  }
  return undefined;
}

/** An address that must be a plain IP (no prefix length). */
export function ipProblem(value: string): Problem | undefined {
  return typeof value === 'string' && isIP(value) ? undefined : {
    problem: `"${shown(value)}" is not an IP address`,
    fix: 'use an IP address such as 10.0.0.1',
  };
}

export interface HostCheckOptions {
  /** Allow a lone `*` (any host). @default true */
  readonly allowWildcardAll?: boolean;
  /** Allow short names (`reviews`), which mesh-internal references resolve in their namespace. @default true */
  readonly allowShortNames?: boolean;
}

const HOST_FIX = 'use a fully qualified name such as shop.example.com, or a wildcard such as *.example.com';

/** Why `host` is not an Istio host (FQDN, short name or `*`-prefixed wildcard), or undefined. */
export function hostProblem(host: string, options: HostCheckOptions = {}): Problem | undefined {
  const reason = hostReason(host, options);
  return reason === undefined ? undefined : { problem: `"${shown(host)}" is not a valid host: ${reason}`, fix: HOST_FIX };
}

function hostReason(host: string, options: HostCheckOptions): string | undefined {
  const allowAll = options.allowWildcardAll ?? true;
  const allowShort = options.allowShortNames ?? true;
  if (typeof host !== 'string' || host === '') {
    return 'the host is empty';
  }
  if (host === '*') {
    return allowAll ? undefined : '`*` matches every host and is not allowed here';
  }
  if (host.length > 253) {
    return 'the host is longer than 253 characters';
  }
  // Istio accepts a wildcard only at the start: `*.example.com`, or a bare leading `*`.
  const name = host.startsWith('*.') ? host.slice(2) : host.startsWith('*') ? host.slice(1) : host;
  if (name.includes('*')) {
    return 'a wildcard may only stand at the start of the host (`*.example.com`)';
  }
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) {
      return 'the host has an empty label (two dots in a row, or a leading or trailing dot)';
    }
    if (label.length > 63) {
      return `the label "${shown(label, 40)}" is longer than 63 characters`;
    }
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/i.test(label)) {
      return `the label "${shown(label, 40)}" may hold only letters, digits and inner hyphens`;
    }
  }
  if (!allowShort && labels.length < 2 && !host.startsWith('*')) {
    return 'a short name is ambiguous here: give a fully qualified name such as reviews.default.svc.cluster.local';
  }
  return undefined;
}

/**
 * A Gateway or Sidecar host: `[namespace/]host`, where the namespace may be `*`, `.` or `~` and
 * the host must be an FQDN or a wildcard.
 */
export function namespacedHostProblem(value: string): Problem | undefined {
  const slash = typeof value === 'string' ? value.indexOf('/') : -1;
  if (slash >= 0) {
    const ns = value.slice(0, slash);
    if (ns !== '*' && ns !== '.' && ns !== '~' && dnsLabelProblem(ns)) {
      return {
        problem: `"${shown(value)}": "${shown(ns, 40)}" is not a namespace (use a namespace name, "*", "." or "~")`,
        fix: 'write namespace/host, e.g. shop/shop.example.com, ./shop.example.com or */shop.example.com',
      };
    }
    const reason = hostReason(value.slice(slash + 1), { allowShortNames: false });
    return reason === undefined ? undefined : { problem: `"${shown(value)}" is not a valid host: ${reason}`, fix: HOST_FIX };
  }
  return hostProblem(value, { allowShortNames: false });
}

/** An `exportTo` entry: `.` (this namespace), `*` (all), `~` (none) or a namespace name. */
export function exportToProblem(value: string): Problem | undefined {
  if (value === '.' || value === '*' || value === '~') {
    return undefined;
  }
  return dnsLabelProblem(value) ? {
    problem: `"${shown(value)}" is neither ".", "*", "~" nor a namespace name`,
    fix: 'use "." (this namespace), "*" (all) or namespace names',
  } : undefined;
}
