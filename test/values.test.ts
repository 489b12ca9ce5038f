import { MergedValues, mergeValues, parseHelmSet, ValuesError, ValuesSchema } from '../src/cli/values';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { run } from '../src/cli/cdk8s-istio';
import { valuesFix } from '../src/cli/values-app';
import { suggest } from '../src/validation/suggest';

function captureRun(argv: string[]): { code: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => { stdout += t; }, stderr: (t) => { stderr += t; } });
  return { code, stdout, stderr };
}

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    namespace: { type: 'string' },
    gateway: {
      type: 'object',
      additionalProperties: false,
      properties: {
        enabled: { type: 'boolean' },
        hosts: { type: 'array', items: { type: 'string' } },
        replicas: { type: 'integer' },
      },
    },
    backends: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['name'],
        properties: { name: { type: 'string' }, pathPrefix: { type: 'string' } },
      },
    },
  },
};

describe('merging values', () => {
  test('later files override earlier ones key by key; lists are replaced', () => {
    const merged = new MergedValues()
      .addFile('base.yaml', 'namespace: shop\ngateway:\n  enabled: true\n  hosts: [a.example.com, b.example.com]\n')
      .addFile('prod.yaml', 'gateway:\n  hosts: [shop.example.com]\n  replicas: 3\n');
    expect(merged.values).toEqual({
      namespace: 'shop',
      gateway: { enabled: true, hosts: ['shop.example.com'], replicas: 3 },
    });
  });

  test('--set parses typed values and patches list elements by index', () => {
    const merged = new MergedValues()
      .addFile('v.yaml', 'backends:\n  - name: api\n    pathPrefix: /api\n  - name: ui\n')
      .addSet('gateway.enabled=false')
      .addSet('gateway.replicas=2')
      .addSet('backends[1].pathPrefix=/')
      .addSet('labels.app\\.kubernetes\\.io/name=shop');
    expect(merged.values).toEqual({
      labels: { 'app.kubernetes.io/name': 'shop' },
      gateway: { enabled: false, replicas: 2 },
      backends: [{ name: 'api', pathPrefix: '/api' }, { name: 'ui', pathPrefix: '/' }],
    });
  });

  test('set paths', () => {
    expect(parseHelmSet('a.b[2].c=x').map((p) => p.segments)).toEqual([['a', 'b', 2, 'c']]);
    expect(() => parseHelmSet('a[x]=1')).toThrow(/bad list index/);
    expect(mergeValues({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } });
  });

  test('--set reads Helm\'s syntax: comma-separated pairs, {a,b} lists, escapes and Helm\'s typing', () => {
    const set = (...args: string[]) => args.reduce((m, a) => m.addSet(a), new MergedValues()).values;
    expect(set('a=1,b=2')).toEqual({ a: 1, b: 2 });
    expect(set('hosts={a.example.com,b.example.com}')).toEqual({ hosts: ['a.example.com', 'b.example.com'] });
    expect(set('list={x,1,true}')).toEqual({ list: ['x', 1, true] });
    expect(set('a=one\\,two')).toEqual({ a: 'one,two' });
    expect(set('a=x=y,b=x.y')).toEqual({ a: 'x=y', b: 'x.y' });
    expect(set('key\\=k=v')).toEqual({ 'key=k': 'v' });
    // Helm types only booleans, null and integers not starting with 0; YAML's [a, b] is a string.
    expect(set('a=007,b=1.5,c=TRUE,d=-5,e=0,f=[a b]')).toEqual({ a: '007', b: '1.5', c: true, d: -5, e: 0, f: '[a b]' });
    expect(set('a=')).toEqual({ a: '' });
    expect(new MergedValues().addSet('port=8080', true).values).toEqual({ port: '8080' });
    expect(() => set('a')).toThrow(/key "a" has no value/);
    expect(() => set('a=1,')).toThrow(/cannot end with ,/);
    expect(() => set('a={x,y')).toThrow(/a list must end with \}/);
  });

  test('null removes a value an earlier file set, as in Helm', () => {
    const merged = new MergedValues().addFile('a.yaml', 'gateway:\n  replicas: 3\n  name: x\n').addSet('gateway.replicas=null');
    expect(merged.values).toEqual({ gateway: { name: 'x' } });
    expect(new MergedValues().addFile('a.yaml', 'a: 1\nb: 2\n').addFile('b.yaml', 'a: null\n').values).toEqual({ b: 2 });
  });

  test('YAML syntax errors and duplicate keys name file, line and column', () => {
    expect(() => new MergedValues().addFile('bad.yaml', 'a: 1\na: 2\n')).toThrow(/^bad\.yaml:2:1: .*unique/im);
    expect(() => new MergedValues().addFile('bad.yaml', 'a: [1, 2\n')).toThrow(ValuesError);
    expect(() => new MergedValues().addFile('list.yaml', '- a\n- b\n')).toThrow(/list\.yaml:1:1: a values file must be a mapping/);
  });
});

describe('checking values against the schema', () => {
  const check = new ValuesSchema(schema);

  test('valid values have no problems', () => {
    expect(check.problems(new MergedValues().addFile('v.yaml', 'namespace: shop\ngateway:\n  hosts: [a.example.com]\n'))).toEqual([]);
  });

  test('a misspelled key is reported at its line and column with a suggestion', () => {
    const merged = new MergedValues().addFile('v.yaml', 'namespace: shop\ngateway:\n  enabeld: true\n');
    expect(check.problems(merged)).toEqual(['v.yaml:3:3: unknown key "gateway.enabeld" (did you mean "enabled"?)']);
  });

  test('a wrong type points at the value, in the file that set it last', () => {
    const merged = new MergedValues()
      .addFile('a.yaml', 'gateway:\n  replicas: 2\n')
      .addFile('b.yaml', '\n\ngateway:\n    replicas: many\n');
    expect(check.problems(merged)).toEqual(['b.yaml:4:5: gateway.replicas: expected integer']);
  });

  test('an unquoted number or boolean where a string is wanted says how YAML read it', () => {
    const merged = new MergedValues().addFile('v.yaml', 'namespace: 1.30\n');
    expect(check.problems(merged)).toEqual(['v.yaml:1:1: namespace: expected string (YAML read it as the number 1.3: put it in quotes as you wrote it)']);
  });

  test('a missing required key points at the list item; --set values name the flag', () => {
    const merged = new MergedValues().addFile('v.yaml', 'backends:\n  - pathPrefix: /api\n').addSet('gateway.replicas=lots');
    expect(check.problems(merged).sort()).toEqual([
      '--set gateway.replicas=lots: gateway.replicas: expected integer',
      'v.yaml:2:5: backends[0]: missing required key "name"',
    ]);
  });

  test('suggestions only for near misses', () => {
    expect(suggest('hsots', ['hosts', 'enabled'])).toBe('hosts');
    expect(suggest('completely', ['hosts', 'enabled'])).toBeUndefined();
  });
});

describe('friendlier messages', () => {
  const check = new ValuesSchema({
    type: 'object',
    additionalProperties: false,
    properties: {
      replicas: { anyOf: [{ type: 'number' }, { type: 'object', properties: { min: { type: 'number' } }, additionalProperties: false }] },
      list: { type: 'array', items: { type: 'object', properties: { a: { type: 'string' } } } },
    },
  });

  test('a value fitting neither side of a union is one problem naming both types', () => {
    expect(check.problems(new MergedValues().addFile('v.yaml', 'replicas: two\n'))).toEqual(['v.yaml:1:1: replicas: expected number or object']);
  });

  test('--set past the end of a list is refused with the list\'s length', () => {
    const merged = new MergedValues().addFile('v.yaml', 'list:\n  - a: x\n  - a: y\n');
    expect(() => merged.addSet('list[5].a=z')).toThrow('--set list[5].a=z: list has 2 entries; index 5 is past its end (use list[2] to add one)');
    expect(merged.addSet('list[2].a=z').values).toEqual({ list: [{ a: 'x' }, { a: 'y' }, { a: 'z' }] });
  });
});

describe('fix hints for values users name values keys, not TypeScript', () => {
  test('valuesFix translates the TypeScript API into the values key and keeps the values half of two-audience hints', () => {
    expect(valuesFix('name the TLS Secret: GatewayTls.simple(\'my-cert\'), and create it')).toBe('name the TLS Secret: tls.credentialName: my-cert, and create it');
    expect(valuesFix('declare it with MeshContext.of(app).declareExternalNamespace(\'shop\')')).toBe('declare it with mesh.externalNamespaces: [shop]');
    expect(valuesFix('declare it (mesh.revisions in a values file, MeshContext.of(app).declareInstall({ revisions }) in code)')).toBe('declare it (mesh.revisions)');
  });

  test('a values file gets values keys in its fixes, end to end', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-fix-'));
    const file = path.join(dir, 'shop.yaml');
    fs.writeFileSync(file, [
      'exposedApplications:',
      '  - name: shop',
      '    namespace: { name: shop }',
      '    hosts: [shop.example.com]',
      '    tls: { credentialName: "" }',
      '    frontend: { name: web, port: 8080 }',
      '',
    ].join('\n'));
    const noCert = captureRun(['synth', '-f', file, '--stdout']);
    expect(noCert.stderr).toContain('(fix: name the TLS Secret: tls.credentialName: my-cert,');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('credentialName: ""', 'credentialName: shop-tls') + 'zeroTrustNamespaces:\n  - namespace: other\n    allowNamespaces: [monitoring]\n');
    const unknownNs = captureRun(['synth', '-f', file, '--stdout']);
    expect(unknownNs.stderr).toContain('fix: create the Namespace monitoring, declare it as existing with mesh.externalNamespaces: [monitoring], or correct the name');
    expect(unknownNs.stderr).not.toMatch(/MeshContext|GatewayTls|in code/);
  });
});
