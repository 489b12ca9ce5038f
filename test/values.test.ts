import { MergedValues, mergeValues, parseSetPath, ValuesError, ValuesSchema } from '../src/cli/values';
import { suggest } from '../src/validation/suggest';

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
    expect(parseSetPath('a.b[2].c')).toEqual(['a', 'b', 2, 'c']);
    expect(() => parseSetPath('a[x]')).toThrow(/bad list index/);
    expect(mergeValues({ a: { b: 1, c: 2 } }, { a: { c: 3 } })).toEqual({ a: { b: 1, c: 3 } });
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

  test('a missing required key points at the list item; --set values name the flag', () => {
    const merged = new MergedValues().addFile('v.yaml', 'backends:\n  - pathPrefix: /api\n').addSet('gateway.replicas=lots');
    expect(check.problems(merged).sort()).toEqual([
      '--set gateway.replicas=lots:1:1: gateway.replicas: expected integer',
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
