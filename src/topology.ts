/**
 * A picture of what was synthesized: a Mermaid flowchart of gateways → hosts and paths →
 * services → subsets, with policies noted on the edges they affect. Built from the manifests
 * alone, so it shows what will be applied, whichever layer wrote it.
 */
import { Json, objectsOf, stringsOf } from './analysis/rendered';
import { AuthorizationRule, HttpMatch, PolicyView, viewsOfManifests } from './analysis/views';
import { DEFAULT_ROOT_NAMESPACE } from './mesh-context';

interface Route {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

/** Mermaid ids may hold only word characters. */
function nodeId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** Quotes a label for Mermaid; `#quot;` is its escape for a double quote. */
function quote(text: string): string {
  return `"${text.replace(/"/g, '#quot;')}"`;
}

function fqdn(host: string, namespace: string): string {
  return host.includes('.') || host === '*' ? host : `${host}.${namespace}.svc.cluster.local`;
}

function describeMatch(match: HttpMatch): string {
  const parts: string[] = [];
  const uri = match.uri;
  if (uri?.prefix !== undefined) {
    parts.push(`${uri.prefix}*`);
  } else if (uri?.exact !== undefined) {
    parts.push(uri.exact);
  } else if (uri?.regex !== undefined) {
    parts.push(`~${uri.regex}`);
  }
  for (const [name, m] of Object.entries(match.headers ?? {})) {
    parts.push(`${name}=${m?.exact ?? m?.prefix ?? m?.regex ?? ''}`);
  }
  if (match.port !== undefined) {
    parts.push(`:${String(match.port)}`);
  }
  return parts.join(' ');
}

/** Sources of a policy rule, short: `sa ns/name`, `ns name`, `ip 10.0.0.0/8`. */
function describeSource(source: NonNullable<NonNullable<AuthorizationRule['from']>[number]['source']>): string[] {
  const out: string[] = [];
  for (const p of stringsOf(source.principals)) {
    const m = /\/ns\/([^/]+)\/sa\/(.+)$/.exec(p);
    out.push(m ? `sa ${m[1]}/${m[2]}` : p);
  }
  out.push(...stringsOf(source.namespaces).map((n) => `ns ${n}`));
  out.push(...stringsOf(source.ipBlocks).map((b) => `ip ${b}`));
  out.push(...stringsOf(source.requestPrincipals).map((r) => `jwt ${r}`));
  return out;
}

function describeFault(rule: { fault?: { delay?: { fixedDelay?: string }; abort?: { httpStatus?: number; grpcStatus?: string } }; timeout?: string }): string {
  const parts: string[] = [];
  const { delay, abort } = rule.fault ?? {};
  if (delay) {
    parts.push(`delay ${String(delay.fixedDelay)}`);
  }
  if (abort) {
    parts.push(`abort ${String(abort.httpStatus ?? abort.grpcStatus)}`);
  }
  if (rule.timeout) {
    parts.push(`timeout ${String(rule.timeout)}`);
  }
  return parts.length ? ` [${parts.join(', ')}]` : '';
}

/** Whether a policy attached with targetRefs names the Service `name`. */
function targetsService(policy: PolicyView, name: string): boolean {
  const spec = (policy.obj.manifest.spec ?? {}) as Json;
  return [...objectsOf(spec.targetRefs), ...(spec.targetRef ? [spec.targetRef as Json] : [])].some((t) => t.kind === 'Service' && t.name === name);
}

/** Builds the Markdown document (a heading and one Mermaid block) for a set of manifests. */
export function topologyMarkdown(title: string, manifests: readonly Json[]): string {
  const lines: string[] = [];
  const declared = new Set<string>();
  const declare = (id: string, label: string, shape: 'box' | 'round' | 'stadium' | 'hex' = 'box') => {
    if (declared.has(id)) {
      return;
    }
    declared.add(id);
    const q = quote(label);
    lines.push(`  ${id}${shape === 'round' ? `(${q})` : shape === 'stadium' ? `([${q}])` : shape === 'hex' ? `{{${q}}}` : `[${q}]`}`);
  };

  const views = viewsOfManifests(manifests);
  const servicesByHost = new Map(views.services.map((svc) => [svc.host, svc]));

  // Policies by namespace, looked up per destination (a big mesh has many of both).
  const byNamespace = (policies: readonly PolicyView[]) => {
    const map = new Map<string, PolicyView[]>();
    for (const p of policies) {
      const list = map.get(p.namespace);
      if (list) {
        list.push(p);
      } else {
        map.set(p.namespace, [p]);
      }
    }
    return (ns: string) => [...(map.get(ns) ?? []), ...(ns === DEFAULT_ROOT_NAMESPACE ? [] : map.get(DEFAULT_ROOT_NAMESPACE) ?? [])];
  };
  const peerAuthIn = byNamespace(views.peerAuthentications);
  const authzIn = byNamespace(views.authorizationPolicies);

  // Policies that apply to a host's pods: by namespace (no selector) or by a selector the
  // Service's own selector satisfies.
  // `viaGateway`: an ingress gateway calls the pods directly, so policies attached to a waypoint
  // (targetRefs) do not apply on its edges (ingress skips the waypoint by default).
  const notesFor = (host: string, viaGateway = false): string[] => {
    const svc = servicesByHost.get(host);
    const [name, ns] = host.split('.');
    // A Service the app does not render: assume the usual `app: <service>` pod label.
    const podLabels: Readonly<Record<string, string>> = svc ? svc.selector : { app: name };
    const applies = (policy: PolicyView) => (viaGateway ? !policy.targeted : !policy.targeted || targetsService(policy, name))
      && (!policy.selector || Object.entries(policy.selector).every(([k, v]) => podLabels[k] === v));
    const notes: string[] = [];
    for (const pa of peerAuthIn(ns).filter(applies)) {
      if (pa.mtlsMode) {
        notes.push(`mTLS ${pa.mtlsMode}`);
      }
    }
    for (const ap of authzIn(ns).filter(applies)) {
      const from = ap.rules.flatMap((r) => objectsOf(r.from)).flatMap((f) => describeSource((f.source ?? {}) as Json));
      notes.push(ap.rules.length === 0 && ap.action === 'ALLOW'
        ? `${ap.name}: allow nothing`
        : `${ap.name}: ${ap.action}${from.length ? ` from ${from.join(', ')}` : ''}`);
    }
    return notes;
  };

  for (const gw of views.gateways) {
    const servers = gw.servers.map((s) => `:${String(s.port?.number)} ${String(s.port?.protocol)}${s.tls?.mode ? ` ${s.tls.mode}` : ''}${s.tls?.httpsRedirect ? ' redirect→https' : ''}`);
    declare(nodeId('gw', gw.key), `Gateway ${gw.key}<br/>${servers.join('<br/>')}`, 'hex');
  }

  const routes: Route[] = [];
  for (const vs of views.virtualServices) {
    const ns = vs.namespace;
    const sources = (vs.gateways.length ? vs.gateways : ['mesh']).map((g) => {
      if (g === 'mesh') {
        declare('mesh', 'mesh (sidecars)', 'round');
        return 'mesh';
      }
      const ref = g.includes('/') ? g : `${ns}/${g}`;
      const id = nodeId('gw', ref);
      declare(id, `Gateway ${ref}<br/>(outside this app)`, 'hex');
      return id;
    });
    for (const rule of [...vs.http, ...vs.tcp, ...vs.tls]) {
      const matches = (objectsOf(rule.match) as HttpMatch[]).map(describeMatch).filter(Boolean);
      const http = rule as typeof vs.http[number];
      const where = `${vs.hosts.join(', ')}${matches.length ? ` ${matches.join(' | ')}` : ''}${describeFault(http)}`;
      const redirect = http.redirect;
      if (redirect) {
        const target = nodeId('redirect', `${vs.name}_${routes.length}`);
        declare(target, `redirect ${String(redirect.scheme ?? '')}${redirect.scheme ? '://' : ''}${String(redirect.authority ?? '')}${String(redirect.uri ?? '')} ${String(redirect.redirectCode ?? 301)}`, 'stadium');
        for (const from of sources) {
          routes.push({ from, to: target, label: where });
        }
        continue;
      }
      for (const dest of objectsOf(rule.route) as NonNullable<typeof http.route>) {
        const d = dest.destination ?? { host: '' };
        const host = fqdn(String(d.host ?? ''), ns);
        const hostId = nodeId('host', host);
        const port = d.port?.number;
        declare(hostId, `${host}${port ? `:${String(port)}` : ''}`, 'round');
        const weight = dest.weight !== undefined ? `${String(dest.weight)}%` : '';
        const rewrite = http.rewrite?.uri !== undefined ? ` rewrite→${String(http.rewrite.uri)}` : '';
        const policyNote = (from: string) => {
          const notes = notesFor(host, from !== 'mesh');
          return notes.length ? `<br/>${notes.join('; ')}` : '';
        };
        if (d.subset) {
          // The split shows on the host → subset edge, where the traffic divides.
          const subsetId = nodeId('subset', `${host}_${String(d.subset)}`);
          declare(subsetId, `subset ${String(d.subset)}`, 'stadium');
          routes.push({ from: hostId, to: subsetId, label: weight });
          for (const from of sources) {
            routes.push({ from, to: hostId, label: `${where}${rewrite}${policyNote(from)}` });
          }
        } else {
          for (const from of sources) {
            routes.push({ from, to: hostId, label: `${where}${weight ? ` (${weight})` : ''}${rewrite}${policyNote(from)}` });
          }
        }
      }
    }
  }

  // The Gateway API: Gateways with their listeners, routes from them (or from a Service, for
  // mesh routes) to weighted Services.
  const gatewayApiId = (ns: string, name: string) => nodeId('kgw', `${ns}/${name}`);
  for (const m of manifests.filter((x) => x.kind === 'Gateway' && String(x.apiVersion).startsWith('gateway.networking.k8s.io/'))) {
    const meta = (m.metadata ?? {}) as Json;
    const spec = (m.spec ?? {}) as Json;
    const listeners = objectsOf(spec.listeners).map((l) => `:${String(l.port)} ${String(l.protocol)}${typeof l.hostname === 'string' ? ` ${l.hostname}` : ''}${l.tls ? ' TLS' : ''}`);
    declare(gatewayApiId(String(meta.namespace ?? 'default'), String(meta.name)), `Gateway API ${String(meta.namespace ?? 'default')}/${String(meta.name)} (${String(spec.gatewayClassName)})<br/>${listeners.join('<br/>')}`, 'hex');
  }
  for (const m of manifests.filter((x) => (x.kind === 'HTTPRoute' || x.kind === 'GRPCRoute') && String(x.apiVersion).startsWith('gateway.networking.k8s.io/'))) {
    const meta = (m.metadata ?? {}) as Json;
    const ns = String(meta.namespace ?? 'default');
    const spec = (m.spec ?? {}) as Json;
    const sources = objectsOf(spec.parentRefs).map((p) => {
      const pns = typeof p.namespace === 'string' ? p.namespace : ns;
      if (p.kind === 'Service') {
        const id = nodeId('mesh_svc', `${pns}/${String(p.name)}`);
        declare(id, `mesh → Service ${pns}/${String(p.name)}`, 'round');
        return id;
      }
      const id = gatewayApiId(pns, String(p.name));
      declare(id, `Gateway API ${pns}/${String(p.name)}<br/>(outside this app)`, 'hex');
      return id;
    });
    const hosts = stringsOf(spec.hostnames).join(', ') || '*';
    for (const rule of objectsOf(spec.rules)) {
      const matches = objectsOf(rule.matches).map((mt) => {
        const path = (mt.path ?? {}) as Json;
        const method = (mt.method ?? {}) as Json;
        return path.value !== undefined ? (path.type === 'PathPrefix' ? `${String(path.value)}*` : path.type === 'Exact' ? String(path.value) : `~${String(path.value)}`)
          : `${String(method.service ?? '*')}/${String(method.method ?? '*')}`;
      });
      const timeout = ((rule.timeouts ?? {}) as Json).request;
      const where = `${hosts}${matches.length ? ` ${matches.join(' | ')}` : ''}${timeout ? ` [timeout ${String(timeout)}]` : ''}`;
      const redirect = objectsOf(rule.filters).find((f) => f.type === 'RequestRedirect');
      if (redirect) {
        const r = (redirect.requestRedirect ?? {}) as Json;
        const target = nodeId('redirect', `${String(meta.name)}_${routes.length}`);
        declare(target, `redirect ${String(r.scheme ?? '')}${r.scheme ? '://' : ''}${String(r.hostname ?? '')} ${String(r.statusCode ?? 302)}`, 'stadium');
        sources.forEach((from) => routes.push({ from, to: target, label: where }));
        continue;
      }
      const backends = objectsOf(rule.backendRefs);
      const total = backends.reduce((sum, b) => sum + (typeof b.weight === 'number' ? b.weight : 1), 0);
      for (const b of backends) {
        const host = `${String(b.name)}.${typeof b.namespace === 'string' ? b.namespace : ns}.svc.cluster.local`;
        const hostId = nodeId('host', host);
        declare(hostId, `${host}${b.port !== undefined ? `:${String(b.port)}` : ''}`, 'round');
        const share = backends.length > 1 && total > 0 ? ` (${Math.round(((typeof b.weight === 'number' ? b.weight : 1) / total) * 100)}%)` : '';
        sources.forEach((from) => {
          const notes = notesFor(host, !from.startsWith('mesh_svc_'));
          routes.push({ from, to: hostId, label: `${where}${share}${notes.length ? `<br/>${notes.join('; ')}` : ''}` });
        });
      }
    }
  }

  const edges = new Set<string>();
  for (const r of routes) {
    const edge = r.label ? `  ${r.from} -->|${quote(r.label)}| ${r.to}` : `  ${r.from} --> ${r.to}`;
    if (!edges.has(edge)) {
      edges.add(edge);
      lines.push(edge);
    }
  }

  const body = lines.length ? lines : ['  empty["no Istio or Gateway API routing in this app"]'];
  return `# ${title}\n\nWhat was synthesized, as routes flow: gateways → hosts and paths → services → subsets, with the\nmTLS and authorization policies that apply to each destination on its edge.\n\n\`\`\`mermaid\nflowchart LR\n${body.join('\n')}\n\`\`\`\n`;
}
