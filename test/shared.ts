/**
 * ../shared (Istio's CRD bundles, chart values, golden renders) is beside the project in CI but
 * may be missing on a clone. Tests that read it skip with a visible message instead of failing.
 */
import * as fs from 'fs';
import * as path from 'path';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
export const SHARED_DIR = path.resolve(PROJECT_ROOT, '..', 'shared');
export const SHARED_CRD_BUNDLE = path.join(SHARED_DIR, 'istio', 'crd-all.gen.yaml');

export function sharedAvailable(): boolean {
  const ok = fs.existsSync(SHARED_CRD_BUNDLE);
  if (!ok && !warned) {
    warned = true;
    process.stderr.write(`SKIPPED: tests that read ../shared (not found at ${SHARED_DIR})\n`);
  }
  return ok;
}
let warned = false;

/** `describe` when ../shared exists, `describe.skip` with a message otherwise. */
export const describeWithShared: jest.Describe = ((name: string, fn: jest.EmptyFunction) =>
  (sharedAvailable() ? describe : describe.skip)(sharedAvailable() ? name : `${name} (skipped: ../shared not found)`, fn)) as unknown as jest.Describe;
