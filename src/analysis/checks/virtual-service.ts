/**
 * VirtualServices: gateways and subsets that do not exist, hosts a bound Gateway does not serve,
 * routes that can never match, hosts claimed twice on the mesh, mesh splits that gateway traffic
 * skips, and paths different teams' VirtualServices collide on at one gateway host.
 *
 * The checks read the typed views of `views.ts`, so they cover L2-built, L1-built and raw
 * ApiObjects alike, and every cross-object lookup is an index built once per analysis.
 */
import { fqdnIn, wildcardCovers } from '../../host';
import { IST0101, IST0109, IST0130, IST0131, IST0132, IST0140 } from '../codes';
import { defineCode, Severity } from '../finding';
import { ObjectIndex } from '../object-index';
import { AppCheck, ObjectCheck } from '../registry';
import { GK, Json, objectsOf, pushTo, stringsOf } from '../rendered';
import { destinationsOf, GatewayView, gatewayKey, HttpMatch, HttpRoute, MESH, VirtualServiceView, viewsOf } from '../views';

/**
 * Our own: two VirtualServices bound to the same gateway route the same path for the same host.
 * Istio merges the routes of all VirtualServices for a host on a gateway, ordered by creation
 * time, so one of the two routes silently never matches and which one depends on the order the
 * objects were applied. An error: the result differs between clusters.
 */
export const CKI3001 = defineCode('CKI3001', Severity.ERROR,
  'Two VirtualServices route the same path for the same host on the same gateway');

/**
 * Our own: a path one VirtualService routes on a gateway host lies under a prefix another
 * VirtualService routes there (`/api/v2` under `/api`, anything under a catch-all). After the
 * merge, the longer path is shadowed whenever the shorter prefix's VirtualService is older. A
 * warning: it works when the creation order is right, but nothing in the YAML guarantees it.
 */
export const CKI3002 = defineCode('CKI3002', Severity.WARNING,
  'A path routed on a gateway host lies under a prefix another VirtualService routes there');

/**
 * Istio follows one level of delegation. istiod refuses a delegate (a VirtualService without
 * hosts) whose route delegates again ("delegate HTTP route cannot contain delegate",
 * pkg/config/validation/virtualservice.go), and drops, with only a log line, a route whose
 * delegate is not a VirtualService without hosts, which includes its own VirtualService
 * (pilot/pkg/model/virtualservice_controller.go looks delegates up among host-less ones only).
 */
export const CKI3003 = defineCode('CKI3003', Severity.ERROR, 'VirtualService delegation Istio does not follow: nested, to itself, or to a VirtualService with hosts');

function overlaps(a: string, b: string): boolean {
  return wildcardCovers(a, b) || wildcardCovers(b, a);
}

/* ------------------------------------------------------------------------------------------ */
/* IST0101 gateway not found; IST0132 VirtualService host not served by its gateway            */
/* ------------------------------------------------------------------------------------------ */

/** Hosts a Gateway offers to VirtualServices in `vsNamespace` (istioctl's namespace rules). */
function gatewayHostsFor(gateway: GatewayView, vsNamespace: string): string[] {
  const out: string[] = [];
  const gatewayNs = gateway.namespace;
  for (const server of gateway.servers) {
    for (const h of stringsOf(server.hosts)) {
      const slash = h.indexOf('/');
      if (slash < 0) {
        out.push(h.toLowerCase());
        continue;
      }
      const ns = h.slice(0, slash);
      const host = h.slice(slash + 1).toLowerCase();
      if (ns === '*' || (ns === '.' ? gatewayNs : ns) === vsNamespace) {
        out.push(host);
      }
    }
  }
  return out;
}

const vsGateways: ObjectCheck = {
  id: 'virtualservice-gateways',
  groupKinds: [GK.VirtualService],
  check(obj, ctx) {
    const views = viewsOf(ctx.index);
    const v = views.virtualServiceOf.get(obj)!;
    const gateways = views.gatewaysByKey;
    const report = (ref: string, field: string) => {
      ctx.report(obj, {
        code: IST0101.code,
        field,
        message: `gateway "${ref}" is neither a Gateway of the app nor declared external`,
        fix: `create the Gateway ${gatewayKey(ref, v.namespace)}, fix the reference (short names resolve in ${v.namespace}), or declare it with MeshContext.of(scope).declareExternalGateway('${gatewayKey(ref, v.namespace)}')`,
      });
    };
    const known = (ref: string) => ref === MESH || gateways.has(gatewayKey(ref, v.namespace)) || ctx.index.context.isExternalGateway(gatewayKey(ref, v.namespace));
    v.gateways.forEach((ref, i) => {
      if (!known(ref)) {
        report(ref, `spec.gateways[${i}]`);
      }
    });
    for (const [key, routes] of [['http', v.http], ['tcp', v.tcp], ['tls', v.tls]] as const) {
      routes.forEach((route, i) => objectsOf(route.match).forEach((m, j) => stringsOf(m.gateways).forEach((ref, k) => {
        if (!known(ref)) {
          report(ref, `spec.${key}[${i}].match[${j}].gateways[${k}]`);
        }
      })));
    }

    // IST0132: only gateways of the app; for others the hosts are unknown.
    const hosts = v.hosts.map((h) => h.toLowerCase());
    if (hosts.length === 0) {
      return;
    }
    const served = new Set<number>();
    let allKnown = true;
    let anyMatched = false;
    const unmatchedGateways: Array<{ index: number; key: string; offered: string[] }> = [];
    v.gateways.forEach((ref, i) => {
      if (ref === MESH) {
        return;
      }
      const key = gatewayKey(ref, v.namespace);
      const gw = gateways.get(key);
      if (!gw) {
        allKnown = false;
        return;
      }
      const offered = gatewayHostsFor(gw, v.namespace);
      let matched = false;
      hosts.forEach((h, j) => {
        if (offered.some((o) => overlaps(o, h))) {
          served.add(j);
          matched = true;
        }
      });
      anyMatched ||= matched;
      if (!matched) {
        unmatchedGateways.push({ index: i, key, offered });
      }
    });
    for (const g of unmatchedGateways) {
      ctx.report(obj, {
        code: IST0132.code,
        field: `spec.gateways[${g.index}]`,
        message: `none of the hosts (${hosts.join(', ')}) is served by Gateway ${g.key}${g.offered.length > 0 ? `, which offers ${g.offered.join(', ')} to namespace ${v.namespace}` : `, which offers no host to namespace ${v.namespace}`}`,
        fix: 'add the host to a server of the Gateway (as host, */host or <namespace>/host), or bind the VirtualService to the gateway that serves it',
      });
    }
    // Per host, when the VirtualService serves gateways only and every gateway is known.
    if (!v.meshBound && allKnown && anyMatched) {
      hosts.forEach((h, j) => {
        if (!served.has(j)) {
          ctx.report(obj, {
            code: IST0132.code,
            field: `spec.hosts[${j}]`,
            message: `host ${h} is served by none of the bound gateways (${v.gateways.join(', ')}), so its routes never apply`,
            fix: 'add the host to the Gateway\'s servers, or remove it from the VirtualService',
          });
        }
      });
    }
  },
};

/* ------------------------------------------------------------------------------------------ */
/* IST0101 subset not defined by any DestinationRule for the host                              */
/* ------------------------------------------------------------------------------------------ */

interface SubsetIndex {
  readonly exact: Map<string, Set<string>>;
  /** Wildcard DestinationRule hosts (`*.example.com`) with their subsets. */
  readonly wildcard: Array<{ readonly host: string; readonly subsets: Set<string> }>;
}

function subsetIndex(index: ObjectIndex): SubsetIndex {
  return index.memo('routing.subsets', () => {
    const exact = new Map<string, Set<string>>();
    const wildcard: SubsetIndex['wildcard'] = [];
    for (const dr of viewsOf(index).destinationRules) {
      if (dr.hostFqdn === undefined) {
        continue;
      }
      const host = dr.hostFqdn;
      const names = dr.subsets.map((s) => s.name).filter((n): n is string => n !== undefined);
      if (host.startsWith('*')) {
        wildcard.push({ host, subsets: new Set(names) });
        continue;
      }
      const set = exact.get(host) ?? new Set<string>();
      names.forEach((n) => set.add(n));
      exact.set(host, set);
    }
    return { exact, wildcard };
  });
}

function subsetKnown(idx: SubsetIndex, host: string, subset: string): boolean {
  if (idx.exact.get(host)?.has(subset)) {
    return true;
  }
  return idx.wildcard.some((w) => w.subsets.has(subset) && wildcardCovers(w.host, host));
}

const vsSubsets: ObjectCheck = {
  id: 'virtualservice-subsets',
  groupKinds: [GK.VirtualService],
  check(obj, ctx) {
    const v = viewsOf(ctx.index).virtualServiceOf.get(obj)!;
    const idx = subsetIndex(ctx.index);
    for (const d of destinationsOf(v)) {
      const subset = d.destination.subset;
      const host = d.destination.host;
      if (typeof subset !== 'string' || subset === '' || typeof host !== 'string') {
        continue;
      }
      const resolved = fqdnIn(host.toLowerCase(), v.namespace);
      if (subsetKnown(idx, resolved, subset)) {
        continue;
      }
      const any = idx.exact.has(resolved) || idx.wildcard.some((w) => wildcardCovers(w.host, resolved));
      ctx.report(obj, {
        code: IST0101.code,
        field: `${d.field}.subset`,
        message: any
          ? `${d.kind} subset "${subset}" of host ${resolved} is not defined by any DestinationRule for that host`
          : `${d.kind} subset "${subset}" of host ${resolved} is not defined: no DestinationRule in the app is for that host`,
        fix: `add subset "${subset}" to a DestinationRule for ${resolved} (dr.addSubset('${subset}', labels)), or route without a subset`,
      });
    }
  },
};

/* ------------------------------------------------------------------------------------------ */
/* IST0130 unreachable rule; IST0131 duplicate match                                           */
/* ------------------------------------------------------------------------------------------ */

const IGNORED_MATCH_KEYS = new Set(['name', 'statPrefix']);

/** A match as a canonical string, without the fields that do not change what it matches. */
function matchKey(match: object): string {
  const canon = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.map(canon);
    }
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.keys(value as Json).sort().map((k) => [k, canon((value as Json)[k])]));
    }
    return value;
  };
  const trimmed = Object.fromEntries(Object.entries(match).filter(([k, v]) => !IGNORED_MATCH_KEYS.has(k) && v !== undefined));
  return JSON.stringify(canon(trimmed));
}

/** A match that every request satisfies: empty, `prefix: /` or a regex matching any path. */
function matchesEverything(match: HttpMatch): boolean {
  const keys = Object.keys(match).filter((k) => !IGNORED_MATCH_KEYS.has(k) && k !== 'ignoreUriCase');
  if (keys.length === 0) {
    return true;
  }
  if (keys.length !== 1 || keys[0] !== 'uri') {
    return false;
  }
  const uri = match.uri;
  return uri?.prefix === '/' || uri?.regex === '.*' || uri?.regex === '/.*';
}

function routeName(route: HttpRoute, i: number): string {
  return typeof route.name === 'string' && route.name ? `route "${route.name}" (spec.http[${i}])` : `spec.http[${i}]`;
}

const vsUnreachable: ObjectCheck = {
  id: 'virtualservice-unreachable-routes',
  groupKinds: [GK.VirtualService],
  check(obj, ctx) {
    const v = viewsOf(ctx.index).virtualServiceOf.get(obj)!;
    let catchAll: number | undefined;
    const seen = new Map<string, number>();
    v.http.forEach((route, i) => {
      const matches = objectsOf(route.match) as HttpMatch[];
      if (catchAll !== undefined) {
        ctx.report(obj, {
          code: IST0130.code,
          field: `spec.http[${i}]`,
          message: `${routeName(route, i)} is never used: ${routeName(v.http[catchAll], catchAll)} before it matches every request`,
          fix: 'move the catch-all route to the end, or give it a narrower match',
        });
        return;
      }
      if (matches.length === 0 || matches.some(matchesEverything)) {
        catchAll = i;
      }
      let duplicates = 0;
      matches.forEach((m, j) => {
        const key = matchKey(m);
        const earlier = seen.get(key);
        if (earlier !== undefined) {
          duplicates++;
          ctx.report(obj, {
            code: IST0131.code,
            field: `spec.http[${i}].match[${j}]`,
            message: `this match repeats one of ${routeName(v.http[earlier], earlier)}, which takes those requests first`,
            fix: 'remove the duplicate match, or merge the two routes',
          });
        } else {
          seen.set(key, i);
        }
      });
      if (matches.length > 0 && duplicates === matches.length) {
        ctx.report(obj, {
          code: IST0130.code,
          field: `spec.http[${i}]`,
          message: `${routeName(route, i)} is never used: every one of its matches is taken by an earlier route`,
          fix: 'remove the route, or change its matches',
        });
      }
    });
  },
};

/* ------------------------------------------------------------------------------------------ */
/* IST0140 subsets on the mesh, none on the gateway                                            */
/* ------------------------------------------------------------------------------------------ */

/** Hosts that mesh-bound VirtualServices route with subsets, with one such VirtualService. */
function meshSubsetHosts(index: ObjectIndex): Map<string, VirtualServiceView> {
  return index.memo('routing.meshSubsetHosts', () => {
    const out = new Map<string, VirtualServiceView>();
    for (const v of viewsOf(index).virtualServices) {
      if (!v.meshBound) {
        continue;
      }
      for (const d of destinationsOf(v)) {
        if (d.kind === 'route' && typeof d.destination.subset === 'string' && d.destination.subset && typeof d.destination.host === 'string') {
          const host = fqdnIn(d.destination.host.toLowerCase(), v.namespace);
          if (!out.has(host)) {
            out.set(host, v);
          }
        }
      }
    }
    return out;
  });
}

const gatewaySubsetBypass: ObjectCheck = {
  id: 'virtualservice-gateway-subsets',
  groupKinds: [GK.VirtualService],
  check(obj, ctx) {
    const v = viewsOf(ctx.index).virtualServiceOf.get(obj)!;
    if (v.meshBound) {
      return;
    }
    const withSubsets = meshSubsetHosts(ctx.index);
    for (const d of destinationsOf(v)) {
      if (d.kind !== 'route' || typeof d.destination.host !== 'string' || (typeof d.destination.subset === 'string' && d.destination.subset)) {
        continue;
      }
      const host = fqdnIn(d.destination.host.toLowerCase(), v.namespace);
      const mesh = withSubsets.get(host);
      if (mesh) {
        ctx.report(obj, {
          code: IST0140.code,
          field: d.field,
          message: `${host} is routed to subsets on the mesh (VirtualService ${mesh.namespace}/${mesh.name}), but this gateway route sends to all its endpoints: mesh routing does not apply to gateway traffic`,
          fix: 'route to the same subsets here too, or bind the mesh VirtualService to the gateway as well',
        });
      }
    }
  },
};

/* ------------------------------------------------------------------------------------------ */
/* IST0109 several mesh-bound VirtualServices for one host                                     */
/* ------------------------------------------------------------------------------------------ */

const meshHostConflicts: AppCheck = {
  id: 'virtualservice-mesh-host-conflicts',
  check(ctx) {
    const byHost = new Map<string, Array<{ v: VirtualServiceView; field: string }>>();
    for (const v of viewsOf(ctx.index).virtualServices) {
      if (!v.meshBound) {
        continue;
      }
      // The scopes the VirtualService is visible in; istioctl keys conflicts by scope and host.
      const scopes = v.exportTo.length === 0 || v.exportTo.includes('*')
        ? ['*']
        : [...new Set(v.exportTo.map((e) => (e === '.' ? v.namespace : e)))];
      v.hosts.forEach((h, j) => {
        const host = fqdnIn(h.toLowerCase(), v.namespace);
        for (const scope of scopes) {
          const key = `${scope}|${host}`;
          const list = byHost.get(key) ?? [];
          if (!list.some((e) => e.v === v)) {
            list.push({ v, field: `spec.hosts[${j}]` });
          }
          byHost.set(key, list);
        }
      });
    }
    for (const [key, list] of byHost) {
      if (list.length < 2) {
        continue;
      }
      const host = key.slice(key.indexOf('|') + 1);
      const names = list.map((e) => `${e.v.namespace}/${e.v.name}`);
      for (const e of list) {
        const own = `${e.v.namespace}/${e.v.name}`;
        ctx.report(e.v.obj, {
          code: IST0109.code,
          field: e.field,
          message: `host ${host} is also claimed on the mesh by ${names.filter((n) => n !== own).join(', ')}; sidecars use only one of them`,
          fix: 'merge the routes into one VirtualService per host, or narrow exportTo so the two never meet',
        });
      }
    }
  },
};

/* ------------------------------------------------------------------------------------------ */
/* CKI3001 / CKI3002 colliding paths of different VirtualServices on one gateway host          */
/* ------------------------------------------------------------------------------------------ */

interface PathEntry {
  readonly v: VirtualServiceView;
  readonly field: string;
  readonly kind: 'prefix' | 'exact';
  readonly path: string;
}

interface PathGroup {
  readonly prefixes: Map<string, PathEntry[]>;
  readonly exacts: Map<string, PathEntry[]>;
}

/** The path part of a match, plus the rest of its conditions as a key; undefined for regexes. */
function pathOf(match: HttpMatch | undefined): { kind: 'prefix' | 'exact'; path: string; rest: string } | undefined {
  const rest: HttpMatch = { ...(match ?? {}) };
  delete rest.gateways;
  delete rest.ignoreUriCase;
  const uri = rest.uri;
  delete rest.uri;
  const restKey = matchKey(rest);
  if (!uri) {
    return { kind: 'prefix', path: '/', rest: restKey };
  }
  if (typeof uri.prefix === 'string') {
    return { kind: 'prefix', path: uri.prefix, rest: restKey };
  }
  if (typeof uri.exact === 'string') {
    return { kind: 'exact', path: uri.exact, rest: restKey };
  }
  return undefined;
}

function vsName(v: VirtualServiceView): string {
  return `${v.namespace}/${v.name}`;
}

const gatewayPathOverlaps: AppCheck = {
  id: 'virtualservice-gateway-path-overlaps',
  check(ctx) {
    const groups = new Map<string, PathGroup>();
    const entries: Array<{ group: PathGroup; entry: PathEntry; groupKey: string }> = [];
    const views = viewsOf(ctx.index);
    for (const v of views.virtualServices) {
      const vsGateways = v.gateways.filter((g) => g !== MESH).map((g) => gatewayKey(g, v.namespace));
      v.http.forEach((route, i) => {
        if (route.delegate) {
          return;
        }
        const matches = objectsOf(route.match) as HttpMatch[];
        const list: Array<{ m: HttpMatch | undefined; field: string }> = matches.length > 0
          ? matches.map((m, j) => ({ m, field: `spec.http[${i}].match[${j}].uri` }))
          : [{ m: undefined, field: `spec.http[${i}]` }];
        for (const { m, field } of list) {
          const p = pathOf(m);
          if (!p) {
            continue;
          }
          const own = m ? stringsOf(m.gateways) : [];
          const gws = own.length > 0 ? own.filter((g) => g !== MESH).map((g) => gatewayKey(g, v.namespace)) : vsGateways;
          for (const gw of new Set(gws)) {
            // A Gateway of the app admits a VirtualService only for the hosts its servers offer
            // the VirtualService's namespace (`./host` is the Gateway's own namespace): one it
            // does not admit takes no paths there (that is IST0132's report), so it collides with none.
            const gateway = views.gatewaysByKey.get(gw);
            const offered = gateway ? gatewayHostsFor(gateway, v.namespace) : undefined;
            for (const h of new Set(v.hosts.map((x) => fqdnIn(x.toLowerCase(), v.namespace)))) {
              if (offered && !offered.some((o) => overlaps(o, h))) {
                continue;
              }
              const groupKey = `${gw}|${h}|${p.rest}`;
              let group = groups.get(groupKey);
              if (!group) {
                group = { prefixes: new Map(), exacts: new Map() };
                groups.set(groupKey, group);
              }
              const entry: PathEntry = { v, field, kind: p.kind, path: p.path };
              pushTo(p.kind === 'prefix' ? group.prefixes : group.exacts, p.path, entry);
              entries.push({ group, entry, groupKey });
            }
          }
        }
      });
    }
    const reported = new Set<string>();
    const once = (e: PathEntry, code: string, other: VirtualServiceView): boolean => {
      const key = `${code}|${e.v.obj.constructPath}|${e.field}|${vsName(other)}`;
      if (reported.has(key)) {
        return false;
      }
      reported.add(key);
      return true;
    };
    for (const { group, entry, groupKey } of entries) {
      const [gw, host] = groupKey.split('|');
      const where = `on gateway ${gw} for host ${host}`;
      // Identical path and kind in another VirtualService.
      const same = (entry.kind === 'prefix' ? group.prefixes : group.exacts).get(entry.path) ?? [];
      for (const other of same) {
        if (other.v !== entry.v && once(entry, CKI3001.code, other.v)) {
          ctx.report(entry.v.obj, {
            code: CKI3001.code,
            field: entry.field,
            message: `${entry.kind} ${entry.path} is also routed by VirtualService ${vsName(other.v)} ${where}; Istio merges both and only the older one's route is used`,
            fix: 'route this path in one VirtualService only, or give each team its own host or path',
          });
        }
      }
      // A shorter prefix (or the same path as a prefix, for exact matches) of another VirtualService.
      const end = entry.kind === 'exact' ? entry.path.length : entry.path.length - 1;
      for (let k = end; k >= 1; k--) {
        const prefix = entry.path.slice(0, k);
        for (const other of group.prefixes.get(prefix) ?? []) {
          if (other.v !== entry.v && once(entry, CKI3002.code, other.v)) {
            ctx.report(entry.v.obj, {
              code: CKI3002.code,
              field: entry.field,
              message: `${entry.kind} ${entry.path} lies under prefix ${prefix} of VirtualService ${vsName(other.v)} ${where}; after Istio merges them, it is shadowed whenever that VirtualService is older`,
              fix: 'move both paths into one VirtualService with the longer path first, or use separate hosts',
            });
          }
        }
      }
    }
  },
};

const delegation: ObjectCheck = {
  id: 'virtualservice-delegation',
  groupKinds: [GK.VirtualService],
  check(obj, ctx) {
    const v = viewsOf(ctx.index).virtualServiceOf.get(obj)!;
    const isDelegate = v.hosts.length === 0;
    v.http.forEach((route, i) => {
      const d = route.delegate;
      if (!d || typeof d !== 'object' || typeof d.name !== 'string') {
        return;
      }
      const ns = typeof d.namespace === 'string' && d.namespace !== '' ? d.namespace : v.namespace;
      const field = `spec.http[${i}].delegate`;
      const report = (message: string, fix: string) => ctx.report(obj, { code: CKI3003.code, field, message, fix });
      if (isDelegate) {
        report(`this VirtualService has no hosts, so it is a delegate itself, and its route hands over again to ${ns}/${d.name}: istiod refuses nested delegation`,
          'move the nested delegate\'s routes into this VirtualService, or delegate to it from the root');
        return;
      }
      if (d.name === v.name && ns === v.namespace) {
        report('the route delegates to its own VirtualService; Istio drops the route',
          'delegate to another VirtualService, one without hosts and gateways');
        return;
      }
      const target = ctx.index.find(GK.VirtualService, ns, d.name);
      const targetView = target && viewsOf(ctx.index).virtualServiceOf.get(target);
      if (targetView && targetView.hosts.length > 0) {
        report(`${ns}/${d.name} lists hosts, so Istio does not take it as a delegate and drops the route`,
          `remove the hosts (and gateways) of ${ns}/${d.name} so that it is a delegate`);
      }
    });
  },
};

export const virtualServiceChecks: Array<ObjectCheck | AppCheck> = [
  vsGateways,
  delegation,
  vsSubsets,
  vsUnreachable,
  gatewaySubsetBypass,
  meshHostConflicts,
  gatewayPathOverlaps,
];
