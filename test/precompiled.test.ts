/**
 * The precompiled validators are what the generators write today (no drift), stand only for the
 * schema they were compiled from, and judge exactly as ajv compiling at run time does.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { validateManifest } from '../src/analysis/schema-validator';
import { loadGatewayApiArtefact, loadSchemaArtefact } from '../src/analysis/crd-artefact';
import { precompiledValidator, validatorFileName, VALIDATORS_DIR } from '../src/analysis/precompiled';
import { generateValuesSchema, generateValuesValidator } from '../src/cli/schema';
import { generateValidators } from '../src/cli/validators';
import { PROJECT_ROOT } from './shared';

describe('precompiled validators', () => {
  test('imports/validators/ is what `npm run validators` writes from the committed artefact', () => {
    const generated = generateValidators();
    const dir = path.join(PROJECT_ROOT, VALIDATORS_DIR);
    expect(fs.readdirSync(dir).sort()).toEqual([...generated.keys()].sort());
    for (const [name, text] of generated) {
      expect({ name, same: fs.readFileSync(path.join(dir, name), 'utf8') === text }).toEqual({ name, same: true });
    }
    // Istio's kinds and the Gateway API's.
    expect(generated.size).toBe(Object.keys(loadSchemaArtefact().kinds).length + Object.keys(loadGatewayApiArtefact().kinds).length);
  }, 60_000);

  test('schemas/values.validator.js is what `npm run schema` writes', () => {
    const committed = fs.readFileSync(path.join(PROJECT_ROOT, 'schemas', 'values.validator.js'), 'utf8');
    expect(committed).toBe(generateValuesValidator(generateValuesSchema()));
  }, 60_000);

  test('every kind uses its precompiled validator; a changed schema does not', () => {
    const artefact = loadSchemaArtefact();
    for (const crd of [...Object.values(artefact.kinds), ...Object.values(loadGatewayApiArtefact().kinds)]) {
      expect({ file: validatorFileName(crd), found: precompiledValidator(crd) !== undefined }).toEqual({ file: validatorFileName(crd), found: true });
    }
    const vs = artefact.kinds['networking.istio.io/v1/VirtualService'];
    expect(precompiledValidator({ ...vs, schema: { ...vs.schema, description: 'another version' } })).toBeUndefined();
  });

  test('the precompiled and the run-time compiled validator give the same errors', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = (require('ajv') as { default: new (o: object) => { compile(s: object): (d: unknown) => boolean } & object }).default;
    const { crdAjvOptions, rootSchema, shareRepeatedSubschemas } = jest.requireActual<typeof import('../src/analysis/schema-validator')>('../src/analysis/schema-validator');
    const crd = loadSchemaArtefact().kinds['networking.istio.io/v1/DestinationRule'];
    const compiled = new Ajv(crdAjvOptions()).compile(shareRepeatedSubschemas(rootSchema(crd.schema))) as ((d: unknown) => boolean) & { errors?: unknown };
    const pre = precompiledValidator(crd)!;
    const bad = { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', metadata: { name: 'x' }, spec: { host: 7, trafficPolicy: { loadBalancer: { simpel: 1 }, connectionPool: { tcp: { maxConnections: 3e10 } } } } };
    expect(pre(bad)).toBe(false);
    expect(compiled(bad)).toBe(false);
    expect(pre.errors).toEqual(compiled.errors);
  });
});

describe('V8 code caches the build writes for the evaluator and the validators', () => {
  test('a plain Node process compiles both from their caches and validates as the jest realm does', () => {
    const script = `
      const { validateManifest } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'lib/src/analysis/schema-validator.js'))});
      const { celCodeCacheUsed } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'lib/src/analysis/cel-runtime.js'))});
      const { validatorCodeCacheLoads } = require(${JSON.stringify(path.join(PROJECT_ROOT, 'lib/src/analysis/precompiled.js'))});
      const vs = { apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }], timeout: '0.1ms' }] } };
      const problems = validateManifest(vs).map((p) => p.field + ' ' + p.kind);
      process.stdout.write(JSON.stringify({ problems, cel: celCodeCacheUsed(), validators: validatorCodeCacheLoads() }));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as { problems: string[]; cel: boolean; validators: number };
    expect(out).toEqual({ problems: ['spec.http[0].timeout rule'], cel: true, validators: 1 });
    // Here (jest's own realm) the modules are required instead, with the same verdict.
    const here = validateManifest({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'a' }, spec: { hosts: ['a'], http: [{ route: [{ destination: { host: 'a' } }], timeout: '0.1ms' }] } });
    expect(here.map((p) => `${p.field} ${p.kind}`)).toEqual(out.problems);
  });
});
