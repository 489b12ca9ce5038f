/**
 * Field rules istiod enforces in Go, not in the CRD: the API server stores such objects and istiod
 * rejects (or Envoy NACKs) them later, far from the author. Ports the CRD already guards with a
 * CEL rule (ServiceEntry, WorkloadEntry, WorkloadGroup, PeerAuthentication) are left to the CEL
 * check, so one mistake gives one finding.
 */
import { hostProblem, labelsProblem, namespacedHostProblem, Problem, regexProblem } from '../../validation';
import { IST0106 } from '../codes';
import { defineCode, FindingInput, Severity } from '../finding';
import { ObjectCheck } from '../registry';
import { GK, Json } from '../rendered';
import { dottedPath } from '../schema-validator';

export const CKI1101 = defineCode('CKI1101', Severity.ERROR, 'Host is not a fully qualified name or wildcard prefix');
export const CKI1102 = defineCode('CKI1102', Severity.ERROR, 'Port number outside 1-65535');

// ---------------------------------------------------------------------------------------------
// Path selection: `spec.servers[*].hosts[*]`, `headers{*}` for every map value. All selectors of
// a kind merge into one tree, so each object is walked once however many rules look at it.

type Segment = string | number;

interface FieldRule {
  readonly selectors: readonly string[];
  /** The finding for a value, or undefined when it is fine; `at()` spells the value's path. */
  check(value: unknown, at: () => string, manifest: Json): FindingInput | undefined;
}

interface SelectorNode {
  readonly props: Map<string, SelectorNode>;
  list?: SelectorNode;
  map?: SelectorNode;
  /** Rules whose selector ends here. */
  readonly rules: FieldRule[];
}

const selectorNode = (): SelectorNode => ({ props: new Map(), rules: [] });

/** Adds a selector to the tree; `[*]` steps into every list item, `{*}` into every map value. */
function addSelector(root: SelectorNode, selector: string, rule: FieldRule): void {
  let node = root;
  for (const part of selector.split('.')) {
    const m = /^([^[{]+)((?:\[\*\]|\{\*\})*)$/.exec(part);
    if (!m) {
      throw new Error(`bad selector ${selector}`);
    }
    let next = node.props.get(m[1]);
    if (!next) {
      next = selectorNode();
      node.props.set(m[1], next);
    }
    node = next;
    for (const each of m[2].match(/\[\*\]|\{\*\}/g) ?? []) {
      const key = each === '[*]' ? 'list' : 'map';
      node = node[key] ??= selectorNode();
    }
  }
  node.rules.push(rule);
}

function isMap(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function objectCheck(id: string, groupKind: string, rules: readonly FieldRule[]): ObjectCheck {
  const root = selectorNode();
  for (const rule of rules) {
    for (const selector of rule.selectors) {
      addSelector(root, selector, rule);
    }
  }
  return {
    id,
    groupKinds: [groupKind],
    check(obj, ctx) {
      const path: Segment[] = [];
      const at = () => dottedPath(path);
      const walk = (node: SelectorNode, value: unknown): void => {
        if (value === undefined || value === null) {
          return;
        }
        for (const rule of node.rules) {
          const finding = rule.check(value, at, obj.manifest);
          if (finding) {
            ctx.report(obj, finding);
          }
        }
        if (node.props.size > 0 && isMap(value)) {
          for (const [name, child] of node.props) {
            path.push(name);
            walk(child, value[name]);
            path.pop();
          }
        }
        if (node.list && Array.isArray(value)) {
          for (let i = 0; i < value.length; i++) {
            path.push(i);
            walk(node.list, value[i]);
            path.pop();
          }
        }
        if (node.map && isMap(value)) {
          for (const key of Object.keys(value)) {
            path.push(key);
            walk(node.map, value[key]);
            path.pop();
          }
        }
      };
      walk(root, obj.manifest);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Hosts

function hostRule(selectors: string[], problemOf: (host: string) => Problem | undefined, example: string): FieldRule {
  return {
    selectors,
    check(value, at) {
      if (typeof value !== 'string') {
        return undefined; // The schema check reports the type.
      }
      const problem = problemOf(value);
      return problem ? {
        code: CKI1101.code,
        field: at(),
        message: problem.problem,
        fix: `use a fully qualified name or a wildcard prefix, e.g. ${example}`,
      } : undefined;
    },
  };
}

const namespacedExample = 'shop/shop.example.com, */*.example.com or ./reviews.shop.svc.cluster.local';

/** VirtualServices bound to the mesh (no gateways, or `mesh` among them) may not claim `*`. */
const virtualServiceMeshWildcard: FieldRule = {
  selectors: ['spec.hosts[*]'],
  check(value, at, manifest) {
    if (value !== '*') {
      return undefined;
    }
    const gateways = (manifest.spec as Json | undefined)?.gateways;
    const mesh = !Array.isArray(gateways) || gateways.length === 0 || gateways.includes('mesh');
    return mesh ? {
      code: CKI1101.code,
      field: at(),
      message: 'the host `*` is not allowed on a VirtualService bound to the mesh (no gateways, or `mesh` among them): it would capture every service\'s traffic',
      fix: 'name the hosts this VirtualService routes, or bind it to gateways only',
    } : undefined;
  },
};

// ---------------------------------------------------------------------------------------------
// Ports

/**
 * `zeroIsUnset`: proto3 scalars read 0 as "not set" (`match.port`, `targetPort`); a port
 * selector or listener port with number 0 selects nothing and istiod refuses it.
 */
function portRule(selectors: string[], zeroIsUnset: boolean): FieldRule {
  return {
    selectors,
    check(value, at) {
      if (typeof value !== 'number') {
        return undefined;
      }
      if ((value === 0 && zeroIsUnset) || (Number.isInteger(value) && value >= 1 && value <= 65535)) {
        return undefined;
      }
      const field = at();
      return {
        code: CKI1102.code,
        field,
        message: `${value} is not a port number (1-65535)${value === 0 ? '' : '; the CRD accepts up to 4294967295 but istiod refuses it'}`,
        fix: `set ${field} to a port between 1 and 65535${zeroIsUnset ? ', or leave it out' : ''}`,
      };
    },
  };
}

/** AuthorizationPolicy ports are strings: `"8080"`. */
const stringPortRule: FieldRule = {
  selectors: [
    'spec.rules[*].to[*].operation.ports[*]',
    'spec.rules[*].to[*].operation.notPorts[*]',
  ],
  check(value, at) {
    if (typeof value !== 'string') {
      return undefined;
    }
    const n = /^[0-9]+$/.test(value) ? Number(value) : NaN;
    return n >= 1 && n <= 65535 ? undefined : {
      code: CKI1102.code,
      field: at(),
      message: `"${value}" is not a port number (1-65535)`,
      fix: 'write the port as a decimal number in quotes, e.g. "8080"',
    };
  },
};

/** `when: [{key: destination.port, values: [...]}]` takes port numbers too. */
const conditionPortRule: FieldRule = {
  selectors: ['spec.rules[*].when[*]'],
  check(value, at) {
    const cond = value as Json;
    if (cond.key !== 'destination.port') {
      return undefined;
    }
    const bad = [...(Array.isArray(cond.values) ? cond.values : []), ...(Array.isArray(cond.notValues) ? cond.notValues : [])]
      .filter((v) => typeof v !== 'string' || !/^[0-9]+$/.test(v) || Number(v) < 1 || Number(v) > 65535);
    return bad.length === 0 ? undefined : {
      code: CKI1102.code,
      field: at(),
      message: `destination.port condition holds ${bad.map((b) => JSON.stringify(b)).join(', ')}, not port numbers (1-65535)`,
      fix: 'list the ports as decimal numbers in quotes, e.g. ["8080"]',
    };
  },
};

// ---------------------------------------------------------------------------------------------
// Regular expressions (Envoy compiles them with RE2; validation/http.ts has the rules)

const REGEX_SELECTORS = ['uri', 'scheme', 'method', 'authority'].map((f) => `spec.http[*].match[*].${f}.regex`)
  .concat(['headers', 'queryParams', 'withoutHeaders'].map((f) => `spec.http[*].match[*].${f}{*}.regex`))
  .concat(['spec.http[*].corsPolicy.allowOrigins[*].regex', 'spec.http[*].rewrite.uriRegexRewrite.match']);

const regexRule: FieldRule = {
  selectors: REGEX_SELECTORS,
  check(value, at) {
    if (typeof value !== 'string') {
      return undefined;
    }
    const problem = regexProblem(value);
    return problem ? { code: IST0106.code, field: at(), message: problem.problem, fix: problem.fix } : undefined;
  },
};

// ---------------------------------------------------------------------------------------------

// ---------------------------------------------------------------------------------------------
// Label selectors: a key or value Kubernetes would refuse on a pod can never match one.

export const CKI1103 = defineCode('CKI1103', Severity.ERROR, 'Label selector that can never match: not a valid label key or value');

function labelMapRule(selectors: string[]): FieldRule {
  return {
    selectors,
    check(value, at) {
      if (!isMap(value)) {
        return undefined;
      }
      const problem = labelsProblem(value as Record<string, string>);
      return problem ? {
        code: CKI1103.code,
        field: problem.key !== undefined ? `${at()}[${JSON.stringify(problem.key)}]` : at(),
        message: `${problem.problem}, so it matches no pod`,
        fix: problem.fix,
      } : undefined;
    },
  };
}

const routes = ['http', 'tcp', 'tls'];

export const fieldRuleChecks: ObjectCheck[] = [
  objectCheck('gateway-field-rules', GK.Gateway, [
    hostRule(['spec.servers[*].hosts[*]'], namespacedHostProblem, namespacedExample),
    portRule(['spec.servers[*].port.number'], false),
    portRule(['spec.servers[*].port.targetPort'], true),
    labelMapRule(['spec.selector']),
  ]),
  objectCheck('sidecar-field-rules', GK.Sidecar, [
    hostRule(['spec.egress[*].hosts[*]'], namespacedHostProblem, namespacedExample),
    portRule(['spec.ingress[*].port.number', 'spec.egress[*].port.number', 'spec.outboundTrafficPolicy.egressProxy.port.number'], false),
    portRule(['spec.ingress[*].port.targetPort', 'spec.egress[*].port.targetPort'], true),
    labelMapRule(['spec.workloadSelector.labels']),
  ]),
  objectCheck('virtual-service-field-rules', GK.VirtualService, [
    hostRule(['spec.hosts[*]'], (h) => hostProblem(h), 'reviews, reviews.shop.svc.cluster.local or *.example.com'),
    virtualServiceMeshWildcard,
    portRule(routes.map((r) => `spec.${r}[*].match[*].port`).concat(['spec.http[*].redirect.port']), true),
    portRule(routes.map((r) => `spec.${r}[*].route[*].destination.port.number`)
      .concat(['spec.http[*].mirror.port.number', 'spec.http[*].mirrors[*].destination.port.number']), false),
    regexRule,
    labelMapRule(routes.map((r) => `spec.${r}[*].match[*].sourceLabels`)),
  ]),
  objectCheck('destination-rule-field-rules', GK.DestinationRule, [
    hostRule(['spec.host'], (h) => hostProblem(h), 'reviews.shop.svc.cluster.local'),
    portRule(['spec.trafficPolicy.portLevelSettings[*].port.number', 'spec.subsets[*].trafficPolicy.portLevelSettings[*].port.number'], false),
    portRule(['spec.trafficPolicy.tunnel.targetPort', 'spec.subsets[*].trafficPolicy.tunnel.targetPort'], true),
    labelMapRule(['spec.subsets[*].labels', 'spec.workloadSelector.matchLabels']),
  ]),
  objectCheck('service-entry-field-rules', GK.ServiceEntry, [
    // `*` alone is refused by the CRD's own CEL rule; hostProblem lets it through to avoid a second finding.
    hostRule(['spec.hosts[*]'], (h) => hostProblem(h), 'api.example.com or *.example.com'),
  ]),
  objectCheck('authorization-policy-field-rules', GK.AuthorizationPolicy, [stringPortRule, conditionPortRule, labelMapRule(['spec.selector.matchLabels'])]),
  objectCheck('peer-authentication-field-rules', GK.PeerAuthentication, [labelMapRule(['spec.selector.matchLabels'])]),
  objectCheck('request-authentication-field-rules', GK.RequestAuthentication, [labelMapRule(['spec.selector.matchLabels'])]),
];
