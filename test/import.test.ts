import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { loadSchemaArtefact } from '../src/analysis/crd-artefact';
import { runImport } from '../src/cli/import';
import { describeWithShared, PROJECT_ROOT, SHARED_CRD_BUNDLE } from './shared';

function listTree(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true }).map(String).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describeWithShared('npm run import', () => {
  test('re-importing the pinned bundle reproduces the committed imports/ exactly', () => {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-import-test-')), 'imports');
    runImport({ source: SHARED_CRD_BUNDLE, outdir: out });
    const committed = path.join(PROJECT_ROOT, 'imports');
    // imports/validators/ and the older minors' schemas are written afterwards (test/precompiled.test.ts, test/istio-versions.test.ts).
    const imported = listTree(committed).filter((f) => !f.startsWith('validators/') && f !== 'crd-schemas-versions.json');
    expect(listTree(out)).toEqual(imported);
    for (const f of imported) {
      const fresh = fs.readFileSync(path.join(out, f), 'utf8');
      const ours = fs.readFileSync(path.join(committed, f), 'utf8');
      // toBe on a megabyte of text prints too much on failure; name the file instead.
      if (fresh !== ours) {
        throw new Error(`imports/${f} differs from a fresh \`npm run import\`: re-run it and commit the result`);
      }
    }
  }, 60_000);
});

describe('schema artefact', () => {
  const artefact = loadSchemaArtefact();

  test('holds every served version of the 15 kinds, with scope and storage flags', () => {
    const kinds = new Set(Object.values(artefact.kinds).map((k) => `${k.group}/${k.kind}`));
    expect(kinds.size).toBe(15);
    expect(artefact.kinds['networking.istio.io/v1/VirtualService']).toMatchObject({ scope: 'Namespaced', storage: true });
    expect(artefact.kinds['telemetry.istio.io/v1alpha1/Telemetry']).toMatchObject({ storage: true });
    expect(artefact.kinds['telemetry.istio.io/v1/Telemetry']).toMatchObject({ storage: false });
  });

  test('keeps the CEL rules and drops descriptions', () => {
    const text = JSON.stringify(artefact.kinds['networking.istio.io/v1/VirtualService'].schema);
    expect(text).toContain("duration(self) >= duration('1ms')");
    expect(text).not.toContain('"description"');
  });
});
