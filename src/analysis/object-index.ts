/**
 * One pass over the synthesized objects builds lookup tables, so that whole-app checks ask
 * "which Deployments carry these labels?" in near-constant time instead of comparing every
 * object with every other (15,000 objects make pairwise loops unaffordable).
 */
import { MeshContext } from '../mesh-context';
import { GK, groupKindOf, Json, metaOf, RenderedObject } from './rendered';

/** A pod template found in a workload (or a bare Pod). */
export interface PodTemplate {
  readonly owner: RenderedObject;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Json;
}

const WORKLOAD_KINDS = new Set<string>([GK.Deployment, GK.StatefulSet, GK.DaemonSet, 'apps/ReplicaSet', 'batch/Job']);

export class ObjectIndex {
  private readonly byGk = new Map<string, RenderedObject[]>();
  private readonly byKey = new Map<string, RenderedObject>();
  private readonly templatesByLabel = new Map<string, PodTemplate[]>();
  private readonly memos = new Map<string, unknown>();

  public constructor(public readonly objects: readonly RenderedObject[], public readonly context: MeshContext = new MeshContext()) {
    for (const obj of objects) {
      const gk = groupKindOf(obj.manifest);
      let list = this.byGk.get(gk);
      if (!list) {
        list = [];
        this.byGk.set(gk, list);
      }
      list.push(obj);
      const meta = metaOf(obj.manifest);
      this.byKey.set(`${gk}|${meta.namespace ?? ''}|${meta.name}`, obj);
      const template = podTemplateOf(obj);
      if (template) {
        for (const [k, v] of Object.entries(template.labels)) {
          const key = `${k}=${v}`;
          const bucket = this.templatesByLabel.get(key);
          if (bucket) {
            bucket.push(template);
          } else {
            this.templatesByLabel.set(key, [template]);
          }
        }
      }
    }
  }

  /** Objects of one group kind (`networking.istio.io/Gateway`, see `GK`), in synthesis order. */
  public byGroupKind(groupKind: string): readonly RenderedObject[] {
    return this.byGk.get(groupKind) ?? [];
  }

  public find(groupKind: string, namespace: string | undefined, name: string): RenderedObject | undefined {
    return this.byKey.get(`${groupKind}|${namespace ?? ''}|${name}`);
  }

  /** The namespace an object lands in when applied (kubectl's default for unset namespaces). */
  public namespaceOf(obj: RenderedObject): string {
    return metaOf(obj.manifest).namespace ?? 'default';
  }

  /**
   * Labels of a namespace the app creates or declares external; undefined when neither, which
   * checks report as unknown (IST0101) or treat as "cannot tell".
   */
  public namespaceLabels(name: string): Readonly<Record<string, string>> | undefined {
    const owned = this.find(GK.Namespace, undefined, name);
    if (owned) {
      return metaOf(owned.manifest).labels;
    }
    return this.context.externalNamespace(name);
  }

  public namespaceKnown(name: string): boolean {
    return this.namespaceLabels(name) !== undefined;
  }

  /**
   * Pod templates whose labels include every label of `selector`, optionally limited to a
   * namespace. Looks up the first selector label and filters that bucket.
   */
  public podTemplatesMatching(selector: Readonly<Record<string, string>>, namespace?: string): PodTemplate[] {
    const entries = Object.entries(selector);
    if (entries.length === 0) {
      return [];
    }
    let smallest: PodTemplate[] | undefined;
    for (const [k, v] of entries) {
      const bucket = this.templatesByLabel.get(`${k}=${v}`);
      if (!bucket) {
        return [];
      }
      if (!smallest || bucket.length < smallest.length) {
        smallest = bucket;
      }
    }
    return (smallest ?? []).filter((t) =>
      (namespace === undefined || t.namespace === namespace)
      && entries.every(([k, v]) => t.labels[k] === v));
  }

  /** A secondary index built once per analysis and shared by the checks that need it. */
  public memo<T>(key: string, build: () => T): T {
    if (!this.memos.has(key)) {
      this.memos.set(key, build());
    }
    return this.memos.get(key) as T;
  }
}

/** Whether `labels` carry every label of `selector` (Kubernetes matchLabels semantics). */
export function labelsMatch(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export function podTemplateOf(obj: RenderedObject): PodTemplate | undefined {
  const gk = groupKindOf(obj.manifest);
  const namespace = metaOf(obj.manifest).namespace ?? 'default';
  if (gk === GK.Pod) {
    const meta = metaOf(obj.manifest);
    return { owner: obj, namespace, labels: meta.labels, annotations: meta.annotations, spec: (obj.manifest.spec ?? {}) as Json };
  }
  if (!WORKLOAD_KINDS.has(gk)) {
    return undefined;
  }
  const template = ((obj.manifest.spec as Json | undefined)?.template ?? {}) as Json;
  const meta = (template.metadata ?? {}) as Json;
  return {
    owner: obj,
    namespace,
    labels: (meta.labels ?? {}) as Record<string, string>,
    annotations: (meta.annotations ?? {}) as Record<string, string>,
    spec: (template.spec ?? {}) as Json,
  };
}
