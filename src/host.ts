/**
 * How Istio reads hosts: short names resolve in the namespace of the object that writes them,
 * and wildcards cover whole label suffixes. The rules for what a valid host is live in
 * `validation/network.ts`.
 */

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

/** `<name>.<namespace>.svc.cluster.local` split into its parts; undefined for any other host. */
export function serviceOfHost(fqdn: string): { name: string; namespace: string } | undefined {
  const suffix = `.${CLUSTER_DOMAIN}`;
  if (!fqdn.endsWith(suffix)) {
    return undefined;
  }
  const parts = fqdn.slice(0, -suffix.length).split('.');
  return parts.length === 2 && !parts.includes('*') ? { name: parts[0], namespace: parts[1] } : undefined;
}
