/**
 * The one place built-in checks are registered. A new check is a module under checks/ that
 * exports ObjectCheck/AppCheck values; list it here.
 */
import { CheckRegistry } from '../registry';
import { injectionChecks } from './injection';

let registry: CheckRegistry | undefined;

export function defaultRegistry(): CheckRegistry {
  if (!registry) {
    registry = new CheckRegistry();
    for (const check of [...injectionChecks]) {
      if ('groupKinds' in check) {
        registry.addObjectCheck(check);
      } else {
        registry.addAppCheck(check);
      }
    }
  }
  return registry;
}
