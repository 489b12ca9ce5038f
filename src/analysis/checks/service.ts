/**
 * Services: port names Istio cannot read a protocol from.
 */
import { IST0118 } from '../codes';
import { ObjectCheck } from '../registry';
import { GK, metaOf } from '../rendered';
import { viewsOf } from '../views';

const PROTOCOL_PREFIXES = new Set(['http', 'http2', 'https', 'grpc', 'grpc-web', 'tcp', 'tls', 'udp', 'mongo', 'mysql', 'redis', 'http_proxy']);
const SYSTEM_NAMESPACES = new Set(['kube-system', 'kube-public', 'kube-node-lease', 'local-path-storage']);

/** Istio's convention: `<protocol>` or `<protocol>-<suffix>`, case-insensitive. */
export function portNameHasProtocol(name: string): boolean {
  const lower = name.toLowerCase();
  if (lower === 'grpc-web' || lower.startsWith('grpc-web-')) {
    return true;
  }
  const dash = lower.indexOf('-');
  return PROTOCOL_PREFIXES.has(dash < 0 ? lower : lower.slice(0, dash));
}

const servicePortNames: ObjectCheck = {
  id: 'service-port-names',
  groupKinds: [GK.Service],
  check(obj, ctx) {
    const svc = viewsOf(ctx.index).serviceOf.get(obj);
    const meta = metaOf(obj.manifest);
    if (!svc || SYSTEM_NAMESPACES.has(svc.namespace) || ['pilot', 'istiod'].includes(meta.labels.istio ?? '')) {
      return;
    }
    if (svc.type === 'ExternalName') {
      return;
    }
    svc.ports.forEach((p, i) => {
      if (typeof p.appProtocol === 'string' && p.appProtocol) {
        return;
      }
      if (p.protocol === 'UDP' || p.protocol === 'SCTP') {
        return;
      }
      const name = typeof p.name === 'string' ? p.name : '';
      // Istio's own gateway chart exposes the proxy's health port under this name; the proxy
      // answers it itself, so no protocol has to be read from the name.
      if (name === 'status-port' && p.port === 15021) {
        return;
      }
      if (portNameHasProtocol(name)) {
        return;
      }
      ctx.report(obj, {
        code: IST0118.code,
        field: `spec.ports[${i}].name`,
        message: name
          ? `port ${String(p.port)} is named "${name}", which does not start with a protocol, so Istio has to sniff the protocol`
          : `port ${String(p.port)} has no name, so Istio has to sniff the protocol`,
        fix: `name it <protocol>[-<suffix>] (e.g. http-${name || 'web'}, grpc, tcp-db) or set appProtocol`,
      });
    });
  },
};

export const serviceChecks: ObjectCheck[] = [servicePortNames];
