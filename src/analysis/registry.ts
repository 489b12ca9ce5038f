/**
 * Where checks are registered. A check is a small unit that looks at one object or at the whole
 * app (through the ObjectIndex) and reports findings; the engine never changes when one is added.
 * `checks/index.ts` registers the built-in ones.
 */
import { FindingInput } from './finding';
import { ObjectIndex } from './object-index';
import { RenderedObject } from './rendered';

export interface CheckContext {
  readonly index: ObjectIndex;
  /** Report a finding about `obj`. */
  report(obj: RenderedObject, finding: FindingInput): void;
}

/** Looks at one object at a time; the engine dispatches by group kind so cost stays linear. */
export interface ObjectCheck {
  /** A stable name, used in docs and when listing checks. */
  readonly id: string;
  /** Group kinds (`networking.istio.io/VirtualService`) this check applies to, or `*` for every object. */
  readonly groupKinds: readonly string[] | '*';
  check(obj: RenderedObject, ctx: CheckContext): void;
}

/** Looks across objects; must use the index rather than pairwise loops. */
export interface AppCheck {
  readonly id: string;
  check(ctx: CheckContext): void;
}

export class CheckRegistry {
  private readonly objectChecks: ObjectCheck[] = [];
  private readonly appChecks: AppCheck[] = [];
  private readonly ids = new Set<string>();

  public addObjectCheck(check: ObjectCheck): this {
    this.claim(check.id);
    this.objectChecks.push(check);
    return this;
  }

  public addAppCheck(check: AppCheck): this {
    this.claim(check.id);
    this.appChecks.push(check);
    return this;
  }

  /** Per-object checks that apply to a group kind, wildcard checks first. */
  public objectChecksFor(groupKind: string): readonly ObjectCheck[] {
    return this.objectChecks.filter((c) => c.groupKinds === '*' || c.groupKinds.includes(groupKind));
  }

  public get app(): readonly AppCheck[] {
    return this.appChecks;
  }

  private claim(id: string): void {
    if (this.ids.has(id)) {
      throw new Error(`a check named ${id} is already registered`);
    }
    this.ids.add(id);
  }
}
