import * as fs from 'fs';
import * as path from 'path';
import { findingsMarkdown, versionsMarkdown } from '../src/cli/docs';
import { PROJECT_ROOT } from './shared';

test('docs/findings.md lists every finding code (regenerate with `npm run docs`)', () => {
  const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'findings.md'), 'utf8');
  const generated = findingsMarkdown();
  expect(generated).toContain('| IST0123 | error |');
  expect(generated).toContain('| CKI0001 | error |');
  expect(committed).toBe(generated);
});

test('docs/istio-versions.md lists what older Istio minors lack (regenerate with `npm run docs`)', () => {
  const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'istio-versions.md'), 'utf8');
  const generated = versionsMarkdown();
  // The fields the issue named, each verified against the bundles.
  for (const row of [
    '| AuthorizationPolicy (security.istio.io) | `spec.targetRefs` | 1.22 |',
    '| AuthorizationPolicy (security.istio.io) | `spec.rules[].from[].source.serviceAccounts` | 1.26 |',
    '| AuthorizationPolicy (security.istio.io) | `spec.rules[].from[].source.trustDomains` | 1.30 |',
    '| Gateway (networking.istio.io) | `spec.servers[].tls.credentialNames` | 1.26 |',
    '| VirtualService (networking.istio.io) | `spec.http[].retries.backoff` | 1.26 |',
    '| Gateway (networking.istio.io) | `spec.servers[].tls.caCertCredentialName` | 1.28 |',
    '| DestinationRule (networking.istio.io) | `spec.trafficPolicy.retryBudget` | 1.28 |',
    '| TrafficExtension (extensions.istio.io) | the whole kind | 1.30 |',
  ]) {
    expect(generated).toContain(row);
  }
  expect(committed).toBe(generated);
});
