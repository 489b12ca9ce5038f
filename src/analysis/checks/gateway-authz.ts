/**
 * A gateway closed to the clients it serves. Authorization policies apply to gateway pods like
 * to any workload: an allow-nothing policy (or any ALLOW) in the gateway's namespace turns on
 * deny-by-default there, and requests from outside the mesh carry no peer identity, so rules
 * that match principals, namespaces or service accounts never admit them. The result is a
 * gateway that answers every request with 403, which teams find only after deploying.
 */
import { defineCode, Severity } from '../finding';
import { labelsMatch } from '../object-index';
import { AppCheck } from '../registry';
import { DEFAULT_ROOT_NAMESPACE } from '../../mesh-context';
import { Json, metaOf, objectsOf, stringsOf } from '../rendered';
import { PolicyView, viewsOf } from '../views';

export const CKI4002 = defineCode('CKI4002', Severity.ERROR,
  'ALLOW policies on ingress gateway pods admit no request from outside the mesh');

// Peer identities exist only inside the mesh; a JWT (requestPrincipals) comes from the client
// itself, so requiring one still admits outside clients that present it.
const IDENTITY_FIELDS = ['principals', 'namespaces', 'serviceAccounts'];


/** Whether some rule of an ALLOW policy can match a request with no peer identity. */
function admitsAnonymous(policy: PolicyView): boolean {
  return policy.rules.some((rule) => {
    const from = objectsOf(rule.from);
    return from.length === 0 || from.some((f) => {
      const source = (f.source ?? {}) as Json;
      return !IDENTITY_FIELDS.some((k) => stringsOf(source[k]).length > 0);
    });
  });
}

function appliesTo(policy: PolicyView, labels: Readonly<Record<string, string>>): boolean {
  return !policy.targeted && (!policy.selector || labelsMatch(policy.selector, labels));
}

const closedIngressGateway: AppCheck = {
  id: 'gateway-authorization',
  check(ctx) {
    const views = viewsOf(ctx.index);
    const allowByNamespace = ctx.index.memo('allow-policies-by-namespace', () => {
      const map = new Map<string, PolicyView[]>();
      for (const ap of views.authorizationPolicies) {
        if (ap.action !== 'ALLOW') {
          continue;
        }
        const ns = ap.namespace;
        const list = map.get(ns);
        if (list) {
          list.push(ap);
        } else {
          map.set(ns, [ap]);
        }
      }
      return map;
    });
    // Gateways serving clients outside the mesh: selected by a Gateway resource with a server
    // that does not require Istio mTLS.
    for (const gateway of views.gateways) {
      const gw = gateway.obj;
      const external = gateway.servers.some((s) => s.tls?.mode !== 'ISTIO_MUTUAL');
      const selector = gateway.selector;
      if (!external || Object.keys(selector).length === 0) {
        continue;
      }
      for (const template of ctx.index.podTemplatesMatching(selector)) {
        const applying = [
          ...(allowByNamespace.get(template.namespace) ?? []),
          ...(template.namespace === DEFAULT_ROOT_NAMESPACE ? [] : allowByNamespace.get(DEFAULT_ROOT_NAMESPACE) ?? []),
        ].filter((p) => appliesTo(p, template.labels));
        if (applying.length === 0 || applying.some(admitsAnonymous)) {
          continue;
        }
        ctx.report(template.owner, {
          code: CKI4002.code,
          field: template.owner.manifest.kind === 'Pod' ? 'metadata.labels' : 'spec.template.metadata.labels',
          message: `the gateway pods serve ${metaOf(gw.manifest).namespace ?? 'default'}/${metaOf(gw.manifest).name}, but the ALLOW policies that apply to them (${[...new Set(applying.map((p) => p.name))].join(', ')}) admit nothing or only callers with a mesh identity; clients outside the mesh get 403`,
          fix: 'add an ALLOW policy selecting the gateway pods with a rule that does not require an identity (e.g. rules: [{}]), or move the gateway to its own namespace',
        });
      }
    }
  },
};

export const gatewayAuthzChecks = [closedIngressGateway];
