/**
 * The one place built-in checks are registered. A new check is a module under checks/ that
 * exports ObjectCheck/AppCheck values; list it here.
 */
import { CheckRegistry } from '../registry';
import { injectionChecks } from './injection';
import { gatewayAuthzChecks } from './gateway-authz';
import { objectChecks } from './objects';
import { schemaChecks } from './schema';
import { fieldRuleChecks } from './field-rules';
import { securityChecks } from './security';
import { edgeChecks } from './edge';
import { destinationRuleChecks } from './destination-rule';
import { serviceChecks } from './service';
import { virtualServiceChecks } from './virtual-service';
import { ambientChecks } from './ambient';
import { installChecks } from './install';
import { gatewayApiChecks } from './gateway-api';

let registry: CheckRegistry | undefined;

export function defaultRegistry(): CheckRegistry {
  if (!registry) {
    registry = new CheckRegistry();
    for (const check of [...objectChecks, ...schemaChecks, ...fieldRuleChecks, ...injectionChecks, ...securityChecks, ...edgeChecks, ...virtualServiceChecks, ...destinationRuleChecks, ...serviceChecks, ...gatewayAuthzChecks, ...ambientChecks, ...installChecks, ...gatewayApiChecks]) {
      if ('groupKinds' in check) {
        registry.addObjectCheck(check);
      } else {
        registry.addAppCheck(check);
      }
    }
  }
  return registry;
}
