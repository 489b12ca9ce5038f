import * as fs from 'fs';
import * as path from 'path';

let root: string | undefined;

/**
 * The folder holding this package's package.json. Code runs both compiled (lib/src/...) and from
 * sources under jest (src/...), so paths to imports/, schemas/ and examples/ are found by walking
 * up rather than by counting `..`.
 */
export function packageRoot(): string {
  if (!root) {
    let dir = __dirname;
    while (!fs.existsSync(path.join(dir, 'package.json')) || !fs.existsSync(path.join(dir, 'imports'))) {
      const parent = path.dirname(dir);
      if (parent === dir) {
        throw new Error(`cannot find the cdk8s-istio package folder above ${__dirname}`);
      }
      dir = parent;
    }
    root = dir;
  }
  return root;
}
