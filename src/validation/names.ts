/**
 * Kubernetes and Istio name rules: object names, namespaces, labels, annotations, selectors,
 * revisions. The API server enforces most of them only when the object is applied; we refuse
 * the value when it is written, in the user's terms.
 */
import { Problem, shown } from './problem';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** RFC 1123 label: namespaces, subset, port and revision names (at most 63 characters). */
export function dnsLabelProblem(name: string, what = 'name'): Problem | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    return { problem: `the ${what} is empty`, fix: `give a ${what} of lowercase letters, digits and inner hyphens` };
  }
  if (name.length > 63) {
    return { problem: `the ${what} "${shown(name, 40)}" is longer than 63 characters`, fix: `shorten the ${what} to at most 63 characters` };
  }
  return DNS_LABEL.test(name) ? undefined : {
    problem: `"${shown(name)}" is not a valid ${what}: use lowercase letters, digits and inner hyphens only`,
    fix: `rename it, e.g. ${suggestLabel(name)}`,
  };
}

/** RFC 1035 label: Service names (must start with a letter). */
export function dns1035LabelProblem(name: string, what = 'Service name'): Problem | undefined {
  const label = dnsLabelProblem(name, what);
  if (label) {
    return label;
  }
  return DNS_1035_LABEL.test(name) ? undefined : {
    problem: `"${name}" is not a valid ${what}: it must start with a letter`,
    fix: `rename it, e.g. svc-${name}`,
  };
}

/** RFC 1123 subdomain: most object names (Secrets, ServiceAccounts, Istio resources), at most 253 characters. */
export function dnsSubdomainProblem(name: string, what = 'object name'): Problem | undefined {
  if (typeof name !== 'string' || name.length === 0) {
    return { problem: `the ${what} is empty`, fix: `give a ${what} of lowercase letters, digits, '-' and '.'` };
  }
  if (name.length > 253) {
    return { problem: `the ${what} "${shown(name, 40)}" is longer than 253 characters`, fix: `shorten the ${what}` };
  }
  return DNS_SUBDOMAIN.test(name) ? undefined : {
    problem: `"${shown(name)}" is not a valid ${what} (lowercase letters, digits, '-' and '.', starting and ending with a letter or digit)`,
    fix: `rename it, e.g. ${suggestLabel(name)}`,
  };
}

export function namespaceNameProblem(name: string): Problem | undefined {
  return dnsLabelProblem(name, 'namespace name');
}

/** A Secret (or ConfigMap) name, as Gateway `credentialName` and DestinationRule `credentialName` take it. */
export function secretNameProblem(name: string): Problem | undefined {
  return dnsSubdomainProblem(name, 'Secret name');
}

/** An Istio revision or revision tag: it ends up in label values and object names (`istiod-<revision>`). */
export function revisionProblem(name: string): Problem | undefined {
  return dnsLabelProblem(name, 'revision name');
}

function suggestLabel(name: string): string {
  const cleaned = String(name).toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return cleaned || 'my-name';
}

/** A label (or annotation) key: an optional DNS-subdomain prefix and `/`, then a name of at most 63 characters. */
export function labelKeyProblem(key: string, what = 'label key'): Problem | undefined {
  const fix = `use a key such as app, team or example.com/${what === 'label key' ? 'owner' : 'note'}`;
  if (typeof key !== 'string' || key.length === 0) {
    return { problem: `a ${what} is empty`, fix };
  }
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return { problem: `"${shown(key)}" is not a valid ${what}: the prefix before / must be a DNS subdomain such as example.com`, fix };
  }
  if (name.length === 0 || name.length > 63 || !QUALIFIED_NAME.test(name)) {
    return {
      problem: `"${shown(key)}" is not a valid ${what}: the name${prefix !== undefined ? ' after /' : ''} must be 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit`,
      fix,
    };
  }
  return undefined;
}

/** A label value: empty, or at most 63 letters, digits, '-', '_' and '.', starting and ending with a letter or digit. */
export function labelValueProblem(value: string, key?: string): Problem | undefined {
  const of = key !== undefined ? ` of label ${shown(key, 60)}` : '';
  if (typeof value !== 'string') {
    return { problem: `the value${of} is ${value === null ? 'null' : typeof value}, not a string`, fix: 'quote the value so it is a string, e.g. "true" or "8080"' };
  }
  if (value.length > 63) {
    return { problem: `the value${of} is longer than 63 characters`, fix: 'use a label value of at most 63 characters' };
  }
  return value === '' || QUALIFIED_NAME.test(value) ? undefined : {
    problem: `"${shown(value)}" is not a valid label value${of}: use letters, digits, '-', '_' and '.', starting and ending with a letter or digit`,
    fix: `use a value such as ${suggestLabel(value)}`,
  };
}

/** Every key and value of a label map; `field` is where the map is (`metadata.labels`). */
export function labelsProblem(labels: Readonly<Record<string, string>> | undefined): (Problem & { key?: string }) | undefined {
  for (const [k, v] of Object.entries(labels ?? {})) {
    const p = labelKeyProblem(k) ?? labelValueProblem(v, k);
    if (p) {
      return { ...p, key: k };
    }
  }
  return undefined;
}

/** Annotation keys follow label key rules; values are free text, the whole map at most 256 KiB. */
export function annotationsProblem(annotations: Readonly<Record<string, string>> | undefined): (Problem & { key?: string }) | undefined {
  let size = 0;
  for (const [k, v] of Object.entries(annotations ?? {})) {
    const p = labelKeyProblem(k, 'annotation key');
    if (p) {
      return { ...p, key: k };
    }
    if (typeof v !== 'string') {
      return { key: k, problem: `the value of annotation ${shown(k, 60)} is ${v === null ? 'null' : typeof v}, not a string`, fix: 'quote the value so it is a string' };
    }
    size += k.length + v.length;
  }
  return size > 256 * 1024 ? { problem: `the annotations total ${size} bytes, more than Kubernetes' 256 KiB`, fix: 'move large data into a ConfigMap' } : undefined;
}

export interface SelectorOptions {
  /** An empty selector is allowed (it selects everything). @default false */
  readonly allowEmpty?: boolean;
  /** What the selector selects, for messages. @default 'pods' */
  readonly what?: string;
}

/** A label selector (`matchLabels`): valid keys and values, and no wildcards (Kubernetes and Istio match labels exactly). */
export function selectorProblem(selector: Readonly<Record<string, string>>, options: SelectorOptions = {}): (Problem & { key?: string }) | undefined {
  const entries = Object.entries(selector ?? {});
  if (entries.length === 0 && !options.allowEmpty) {
    return {
      problem: 'the selector is empty, which selects everything (in Istio, no selector at all)',
      fix: `give the labels of the ${options.what ?? 'pods'} to select, e.g. { app: 'web' }`,
    };
  }
  for (const [k, v] of entries) {
    if ((typeof k === 'string' && k.includes('*')) || (typeof v === 'string' && v.includes('*'))) {
      return { key: k, problem: `"${shown(k, 60)}=${shown(v, 60)}" contains a wildcard; selectors match labels exactly`, fix: 'list the exact label keys and values' };
    }
    const p = labelKeyProblem(k) ?? labelValueProblem(v, k);
    if (p) {
      return { ...p, key: k, problem: `${p.problem}, so the selector can never match` };
    }
  }
  return undefined;
}
