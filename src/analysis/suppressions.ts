/**
 * Suppressing a finding code on a construct (and everything under it). The reason is required
 * and lives in the code next to the call, never in the synthesized YAML.
 */
import { IConstruct } from 'constructs';

interface Suppression {
  readonly path: string;
  readonly code: string;
  readonly reason: string;
}

const byRoot = new WeakMap<IConstruct, Suppression[]>();

/**
 * Stop `code` from being reported for objects rendered by `scope` or its children.
 * @param reason why the finding does not apply here; must not be empty
 */
export function suppress(scope: IConstruct, code: string, reason: string): void {
  if (!/^[A-Z]{3}\d{4}$/.test(code)) {
    throw new Error(`[${scope.node.path}] cannot suppress "${code}": codes look like IST0101 or CKI1001`);
  }
  if (!reason || !reason.trim()) {
    throw new Error(`[${scope.node.path}] suppressing ${code} needs a reason: say why the finding does not apply`);
  }
  const root = scope.node.root;
  const list = byRoot.get(root) ?? [];
  list.push({ path: scope.node.path, code, reason: reason.trim() });
  byRoot.set(root, list);
}

/** The suppression that covers `code` at `constructPath`, if any. */
export function findSuppression(root: IConstruct, constructPath: string, code: string): { reason: string } | undefined {
  for (const s of byRoot.get(root) ?? []) {
    if (s.code === code && (constructPath === s.path || constructPath.startsWith(`${s.path}/`) || s.path === '')) {
      return s;
    }
  }
  return undefined;
}
