/**
 * A picture of what was synthesized: a Mermaid flowchart of gateways → hosts and paths →
 * services → subsets, with policies noted on the edges they affect. Built from the manifests
 * alone, so it shows what will be applied, whichever layer wrote it.
 */
import { Json, metaOf } from './analysis/rendered';
import { DEFAULT_ROOT_NAMESPACE } from './mesh-context';

interface Route {
  readonly from: string;
  readonly to: string;
  readonly label: string;
}

function asArray<T = Json>(v: unknown): T[] {
  return Array.isArray(v) ? v as T[] : [];
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

function describeMatch(match: Json): string {
  const parts: string[] = [];
  const uri = match.uri as Record<string, string> | undefined;
  if (uri?.prefix !== undefined) {
    parts.push(`${uri.prefix}*`);
  } else if (uri?.exact !== undefined) {
    parts.push(uri.exact);
  } else if (uri?.regex !== undefined) {
    parts.push(`~${uri.regex}`);
  }
  for (const [name, m] of Object.entries((match.headers ?? {}) as Record<string, Record<string, string>>)) {
    parts.push(`${name}=${m.exact ?? m.prefix ?? m.regex ?? ''}`);
  }
  if (match.port !== undefined) {
    parts.push(`:${String(match.port)}`);
  }
  return parts.join(' ');
}

/** Sources of a policy rule, short: `sa ns/name`, `ns name`, `ip 10.0.0.0/8`. */
function describeSource(source: Json): string[] {
  const out: string[] = [];
  for (const p of asArray<string>(source.principals)) {
    const m = /\/ns\/([^/]+)\/sa\/(.+)$/.exec(p);
    out.push(m ? `sa ${m[1]}/${m[2]}` : p);
  }
  out.push(...asArray<string>(source.namespaces).map((n) => `ns ${n}`));
  out.push(...asArray<string>(source.ipBlocks).map((b) => `ip ${b}`));
  out.push(...asArray<string>(source.requestPrincipals).map((r) => `jwt ${r}`));
  return out;
}

function describeFault(rule: Json): string {
  const fault = rule.fault as Json | undefined;
  const parts: string[] = [];
  const delay = fault?.delay as Json | undefined;
  const abort = fault?.abort as Json | undefined;
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

  const of = (kind: string) => manifests.filter((m) => m.kind === kind && String(m.apiVersion ?? '').includes('istio.io'));
  const servicesByHost = new Map<string, Json>();
  for (const svc of manifests.filter((m) => m.kind === 'Service' && m.apiVersion === 'v1')) {
    const meta = metaOf(svc);
    servicesByHost.set(`${meta.name}.${meta.namespace ?? 'default'}.svc.cluster.local`, svc);
  }

  // Policies by namespace, looked up per destination (a big mesh has many of both).
  const byNamespace = (kind: string) => {
    const map = new Map<string, Json[]>();
    for (const p of of(kind)) {
      const ns = metaOf(p).namespace ?? 'default';
      const list = map.get(ns);
      if (list) {
        list.push(p);
      } else {
        map.set(ns, [p]);
      }
    }
    return (ns: string) => [...(map.get(ns) ?? []), ...(ns === DEFAULT_ROOT_NAMESPACE ? [] : map.get(DEFAULT_ROOT_NAMESPACE) ?? [])];
  };
  const peerAuthIn = byNamespace('PeerAuthentication');
  const authzIn = byNamespace('AuthorizationPolicy');

  // Policies that apply to a host's pods: by namespace (no selector) or by a selector the
  // Service's own selector satisfies.
  const notesFor = (host: string): string[] => {
    const svc = servicesByHost.get(host);
    const [name, ns] = host.split('.');
    // A Service the app does not render: assume the usual `app: <service>` pod label.
    const podLabels = svc ? ((svc.spec as Json | undefined)?.selector ?? {}) as Record<string, string> : { app: name };
    const applies = (policy: Json) => {
      const sel = ((policy.spec as Json | undefined)?.selector as Json | undefined)?.matchLabels as Record<string, string> | undefined;
      return !sel || Object.entries(sel).every(([k, v]) => podLabels[k] === v);
    };
    const notes: string[] = [];
    for (const pa of peerAuthIn(ns).filter(applies)) {
      const mode = ((pa.spec as Json | undefined)?.mtls as Json | undefined)?.mode;
      if (mode) {
        notes.push(`mTLS ${String(mode)}`);
      }
    }
    for (const ap of authzIn(ns).filter(applies)) {
      const spec = (ap.spec ?? {}) as Json;
      const action = String(spec.action ?? 'ALLOW');
      const rules = asArray(spec.rules);
      const from = rules.flatMap((r) => asArray(r.from)).flatMap((f) => describeSource((f.source ?? {}) as Json));
      notes.push(rules.length === 0 && action === 'ALLOW'
        ? `${metaOf(ap).name}: allow nothing`
        : `${metaOf(ap).name}: ${action}${from.length ? ` from ${from.join(', ')}` : ''}`);
    }
    return notes;
  };

  for (const gw of of('Gateway')) {
    const meta = metaOf(gw);
    const ref = `${meta.namespace ?? 'default'}/${meta.name}`;
    const servers = asArray((gw.spec as Json | undefined)?.servers).map((s) => {
      const port = (s.port ?? {}) as Json;
      const tls = s.tls as Json | undefined;
      return `:${String(port.number)} ${String(port.protocol)}${tls?.mode ? ` ${String(tls.mode)}` : ''}${tls?.httpsRedirect ? ' redirect→https' : ''}`;
    });
    declare(nodeId('gw', ref), `Gateway ${ref}<br/>${servers.join('<br/>')}`, 'hex');
  }

  const routes: Route[] = [];
  for (const vs of of('VirtualService')) {
    const meta = metaOf(vs);
    const ns = meta.namespace ?? 'default';
    const spec = (vs.spec ?? {}) as Json;
    const hosts = asArray<string>(spec.hosts);
    const gateways = asArray<string>(spec.gateways);
    const sources = (gateways.length ? gateways : ['mesh']).map((g) => {
      if (g === 'mesh') {
        declare('mesh', 'mesh (sidecars)', 'round');
        return 'mesh';
      }
      const ref = g.includes('/') ? g : `${ns}/${g}`;
      const id = nodeId('gw', ref);
      declare(id, `Gateway ${ref}<br/>(outside this app)`, 'hex');
      return id;
    });
    for (const [kind, field] of [['http', 'route'], ['tcp', 'route'], ['tls', 'route']] as const) {
      for (const rule of asArray(spec[kind])) {
        const matches = asArray(rule.match).map(describeMatch).filter(Boolean);
        const where = `${hosts.join(', ')}${matches.length ? ` ${matches.join(' | ')}` : ''}${describeFault(rule)}`;
        const redirect = rule.redirect as Json | undefined;
        if (redirect) {
          const target = nodeId('redirect', `${meta.name}_${routes.length}`);
          declare(target, `redirect ${String(redirect.scheme ?? '')}${redirect.scheme ? '://' : ''}${String(redirect.authority ?? '')}${String(redirect.uri ?? '')} ${String(redirect.redirectCode ?? 301)}`, 'stadium');
          for (const from of sources) {
            routes.push({ from, to: target, label: where });
          }
          continue;
        }
        for (const dest of asArray(rule[field])) {
          const d = (dest.destination ?? {}) as Json;
          const host = fqdn(String(d.host ?? ''), ns);
          const hostId = nodeId('host', host);
          const port = (d.port as Json | undefined)?.number;
          declare(hostId, `${host}${port ? `:${String(port)}` : ''}`, 'round');
          const weight = dest.weight !== undefined ? `${String(dest.weight)}%` : '';
          const rewrite = ((rule.rewrite as Json | undefined)?.uri !== undefined) ? ` rewrite→${String((rule.rewrite as Json).uri)}` : '';
          const notes = notesFor(host);
          const policyNote = notes.length ? `<br/>${notes.join('; ')}` : '';
          if (d.subset) {
            // The split shows on the host → subset edge, where the traffic divides.
            const subsetId = nodeId('subset', `${host}_${String(d.subset)}`);
            declare(subsetId, `subset ${String(d.subset)}`, 'stadium');
            routes.push({ from: hostId, to: subsetId, label: weight });
            for (const from of sources) {
              routes.push({ from, to: hostId, label: `${where}${rewrite}${policyNote}` });
            }
          } else {
            for (const from of sources) {
              routes.push({ from, to: hostId, label: `${where}${weight ? ` (${weight})` : ''}${rewrite}${policyNote}` });
            }
          }
        }
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

  const body = lines.length ? lines : ['  empty["no Istio routing in this app"]'];
  return `# ${title}\n\nWhat was synthesized, as routes flow: gateways → hosts and paths → services → subsets, with the\nmTLS and authorization policies that apply to each destination on its edge.\n\n\`\`\`mermaid\nflowchart LR\n${body.join('\n')}\n\`\`\`\n`;
}
