import * as fs from 'fs';
import * as path from 'path';
import { findingsMarkdown } from '../src/cli/docs';
import { PROJECT_ROOT } from './shared';

test('docs/findings.md lists every finding code (regenerate with `npm run docs`)', () => {
  const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'docs', 'findings.md'), 'utf8');
  const generated = findingsMarkdown();
  expect(generated).toContain('| IST0123 | error |');
  expect(generated).toContain('| CKI0001 | error |');
  expect(committed).toBe(generated);
});
