/**
 * `npm run schema`: generates schemas/values.schema.json from the `IstioValues` type, so the
 * values file format can never drift from the pattern props (a test compares them).
 *
 * The generator turns `@default` tags into JSON Schema `default`s. Ours are often prose
 * (`@default - the chart's namespace`), which editors would offer as a value, so prose defaults
 * move into the description and only real values (`true`, `80`, `'auto'`) stay as `default`.
 */
import * as fs from 'fs';
import * as path from 'path';
import { createGenerator } from 'ts-json-schema-generator';
import { packageRoot } from '../package-root';

const ROOT = packageRoot();

type Node = Record<string, unknown>;

function tidy(node: unknown): unknown {
  if (Array.isArray(node)) {
    return node.map(tidy);
  }
  if (!node || typeof node !== 'object') {
    return node;
  }
  const out: Node = {};
  for (const [k, v] of Object.entries(node as Node)) {
    out[k] = k === 'properties' || k === 'definitions'
      ? Object.fromEntries(Object.entries(v as Node).map(([name, child]) => [name, tidy(child)]))
      : tidy(v);
  }
  if (typeof out.default === 'string') {
    // Our convention: `@default - prose` explains, `@default 'auto'` (or `auto`) is a value.
    const text = out.default.replace(/^'([^']*)'$/, '$1');
    if (text.startsWith('- ') || text.includes(' - ')) {
      delete out.default;
      const prose = text.replace(/^- /, '');
      out.description = out.description ? `${String(out.description)} Default: ${prose}.` : `Default: ${prose}.`;
    } else {
      out.default = text;
    }
  }
  return out;
}

export function generateValuesSchema(): string {
  const schema = createGenerator({
    path: path.join(ROOT, 'src', 'patterns', 'values.ts'),
    tsconfig: path.join(ROOT, 'tsconfig.dev.json'),
    type: 'IstioValues',
    skipTypeCheck: true,
    topRef: false,
    additionalProperties: false,
  }).createSchema('IstioValues');
  return `${JSON.stringify(tidy(schema), null, 2)}\n`;
}

if (require.main === module) {
  const target = path.join(ROOT, 'schemas', 'values.schema.json');
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, generateValuesSchema());
  process.stderr.write(`wrote ${path.relative(process.cwd(), target)}\n`);
}
