/**
 * Security policies that point at things the app does not have: a source namespace nobody
 * declared, a CUSTOM action whose extension provider the install lacks.
 */
import { IST0101 } from '../codes';
import { defineCode, Severity } from '../finding';
import { ObjectCheck } from '../registry';
import { DEFAULT_ROOT_NAMESPACE } from '../../mesh-context';
import { GK, Json, metaOf, objectsOf, stringsOf } from '../rendered';
import { ObjectIndex } from '../object-index';
import { destinationsOf, viewsOf } from '../views';
import { fqdnIn, serviceOfHost } from '../../host';
import { suggest } from '../../validation/suggest';

/**
 * An error, not a warning: istiod cannot build the external authorizer for an unknown
 * provider and enforces a deny-all instead, so every request to the selected workloads fails.
 */
export const CKI4001 = defineCode('CKI4001', Severity.ERROR, 'CUSTOM authorization names an extension provider the install does not declare');

/**
 * Namespaces every Kubernetes cluster with Istio has, whether or not the app declares them: the
 * built-in ones and Istio's root namespace (where the ingress gateway usually runs).
 */
const BUILT_IN_NAMESPACES = new Set(['default', 'kube-system', 'kube-public', 'kube-node-lease', DEFAULT_ROOT_NAMESPACE]);


/**
 * IST0101, as istioctl's authorization analyzer: a source (not)namespace that does not exist.
 * Patterns with `*` are skipped: they name no single namespace, and the external ones cannot
 * be listed, so a miss would be a guess. The namespace of a principal
 * (`<trust domain>/ns/<namespace>/sa/<account>`) and of a service account (`namespace/name`) is
 * checked the same way: an allowed caller in a namespace nobody has is a typo that allows no one.
 */
const sourceNamespaceKnown: ObjectCheck = {
  id: 'authorization-policy-source-namespace',
  groupKinds: [GK.AuthorizationPolicy],
  check(obj, ctx) {
    const spec = (obj.manifest.spec ?? {}) as Json;
    objectsOf(spec.rules).forEach((rule, i) => {
      objectsOf(rule.from).forEach((from, j) => {
        const source = (from.source ?? {}) as Json;
        const namespaceOf: Record<string, (value: string) => string | undefined> = {
          namespaces: (v) => v,
          notNamespaces: (v) => v,
          principals: (v) => /^[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/.exec(v)?.[1],
          notPrincipals: (v) => /^[^/]+\/ns\/([^/]+)\/sa\/[^/]+$/.exec(v)?.[1],
          serviceAccounts: (v) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : undefined),
          notServiceAccounts: (v) => (v.includes('/') ? v.slice(0, v.indexOf('/')) : undefined),
        };
        for (const [field, nsOf] of Object.entries(namespaceOf)) {
          stringsOf(source[field]).forEach((value, k) => {
            const ns = nsOf(value);
            // The policy's own namespace exists wherever the policy does.
            if (ns === undefined || ns.includes('*') || ns === ctx.index.namespaceOf(obj) || BUILT_IN_NAMESPACES.has(ns) || ctx.index.namespaceKnown(ns)) {
              return;
            }
            ctx.report(obj, {
              code: IST0101.code,
              field: `spec.rules[${i}].from[${j}].source.${field}[${k}]`,
              message: field.toLowerCase().includes('namespaces')
                ? `namespace ${ns} is neither created by the app nor declared external`
                : `${value} names namespace ${ns}, which is neither created by the app nor declared external`,
              fix: `create the Namespace ${ns}, declare it as existing with MeshContext.of(app).declareExternalNamespace('${ns}'), or correct the name`,
            });
          });
        }
      });
    });
  },
};

/** CKI4001: the provider of a CUSTOM policy is missing from (or absent in) the declared install. */
const customProviderDeclared: ObjectCheck = {
  id: 'authorization-policy-custom-provider',
  groupKinds: [GK.AuthorizationPolicy],
  check(obj, ctx) {
    const spec = (obj.manifest.spec ?? {}) as Json;
    if (spec.action !== 'CUSTOM') {
      return;
    }
    const provider = (spec.provider ?? {}) as Json;
    const name = typeof provider.name === 'string' ? provider.name : '';
    const declared = ctx.index.context.install.extensionProviders;
    if (!name) {
      ctx.report(obj, {
        code: CKI4001.code,
        field: 'spec.provider.name',
        message: 'the CUSTOM policy names no extension provider; istiod enforces it as deny-all',
        fix: 'set spec.provider.name to an extensionProviders name from meshConfig',
      });
      return;
    }
    if (!declared.includes(name)) {
      ctx.report(obj, {
        code: CKI4001.code,
        field: 'spec.provider.name',
        message: `extension provider ${name} is not among the install's providers (${declared.length > 0 ? declared.join(', ') : 'none declared'}); istiod would enforce the policy as deny-all`,
        fix: `add ${name} to meshConfig.extensionProviders and declare it with MeshContext.of(app).declareInstall({ extensionProviders: ['${name}'] })`,
      });
    }
  },
};

export const CKI4003 = defineCode('CKI4003', Severity.WARNING, 'Policy attached to a Service that nothing in the app creates or routes to');

/** Service names of each namespace the app shows it knows: Services, and hosts it routes to. */
function knownServices(index: ObjectIndex): Map<string, Set<string>> {
  return index.memo('security:known-services', () => {
    const known = new Map<string, Set<string>>();
    const add = (ns: string, name: string) => {
      const names = known.get(ns);
      if (names) {
        names.add(name);
      } else {
        known.set(ns, new Set([name]));
      }
    };
    const addHost = (host: string, ns: string) => {
      const svc = serviceOfHost(fqdnIn(host.toLowerCase(), ns));
      if (svc) {
        add(svc.namespace, svc.name);
      }
    };
    for (const svc of index.byGroupKind(GK.Service)) {
      add(index.namespaceOf(svc), metaOf(svc.manifest).name ?? '');
    }
    const views = viewsOf(index);
    for (const dr of views.destinationRules) {
      if (dr.host) {
        addHost(dr.host, dr.namespace);
      }
    }
    for (const vs of views.virtualServices) {
      for (const d of destinationsOf(vs)) {
        addHost(String(d.destination.host ?? ''), vs.namespace);
      }
    }
    for (const gk of [GK.HTTPRoute, GK.GRPCRoute]) {
      for (const route of index.byGroupKind(gk)) {
        const ns = index.namespaceOf(route);
        // A mesh route's parent Service is one the app routes to.
        for (const p of objectsOf(((route.manifest.spec ?? {}) as Json).parentRefs)) {
          if (p.kind === 'Service' && String(p.group ?? '') === '') {
            add(typeof p.namespace === 'string' ? p.namespace : ns, String(p.name));
          }
        }
        for (const rule of objectsOf(((route.manifest.spec ?? {}) as Json).rules)) {
          for (const b of objectsOf(rule.backendRefs)) {
            add(typeof b.namespace === 'string' ? b.namespace : ns, String(b.name));
          }
        }
      }
    }
    return known;
  });
}

/**
 * Ours: an AuthorizationPolicy attached (targetRefs) to a Service of a namespace whose Services
 * the app knows (it creates some, or routes to them), but not this one: most likely a misspelt
 * name, which would attach the policy to nothing and leave the real Service without it. A
 * warning, as the Service may exist outside the app; say so by suppressing CKI4003.
 */
const targetServiceKnown: ObjectCheck = {
  id: 'authorization-policy-target-service',
  groupKinds: [GK.AuthorizationPolicy],
  check(obj, ctx) {
    const spec = (obj.manifest.spec ?? {}) as Json;
    const ns = ctx.index.namespaceOf(obj);
    const known = knownServices(ctx.index).get(ns);
    if (!known) {
      return;
    }
    objectsOf(spec.targetRefs).forEach((t, i) => {
      if (t.kind !== 'Service' || String(t.group ?? '') !== '' || known.has(String(t.name))) {
        return;
      }
      const hint = suggest(String(t.name), [...known]);
      ctx.report(obj, {
        code: CKI4003.code,
        field: `spec.targetRefs[${i}].name`,
        message: `Service ${ns}/${String(t.name)} is not one the app creates or routes to in ${ns} (${[...known].sort().join(', ')})${hint ? `; did you mean ${hint}?` : ''}`,
        fix: hint ? `attach the policy to ${hint}` : 'correct the Service name, or suppress CKI4003 if the Service exists outside the app',
      });
    });
  },
};

export const securityChecks = [sourceNamespaceKnown, customProviderDeclared, targetServiceKnown];
