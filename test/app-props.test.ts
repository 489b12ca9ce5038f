/**
 * IstioApp honours cdk8s's AppProps: the same charts give the same file names as cdk8s's own App
 * for every output type, extension and metadata setting, and resolvers run.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, AppProps, Chart, IResolver, ResolutionContext, YamlOutputType } from 'cdk8s';
import { k8s } from 'cdk8s-plus-28';
import * as YAML from 'yaml';
import { IstioApp } from '../src/istio-app';
import { OUTPUT_MARKER } from '../src/output';

/** Two charts, one depending on the other, plus an empty one and an upper-case id. */
function build(app: App): void {
  const platform = new Chart(app, 'platform');
  new k8s.KubeNamespace(platform, 'ns', { metadata: { name: 'shop' } });
  const shop = new Chart(app, 'Shop', { namespace: 'shop' });
  new k8s.KubeServiceAccount(shop, 'sa', { metadata: { name: 'web' } });
  new k8s.KubeConfigMap(shop, 'cm', { metadata: { name: 'web.config' }, data: { a: '1' } });
  shop.addDependency(platform);
  new Chart(app, 'empty');
}

function files(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile() && f !== OUTPUT_MARKER).sort();
}

function synthBoth(props: AppProps): { ours: string; theirs: string } {
  const theirs = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-app-'));
  const ours = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-app-'));
  const plain = new App({ ...props, outdir: theirs });
  build(plain);
  plain.synth();
  const istio = new IstioApp({ ...props, outdir: ours });
  build(istio);
  istio.synth();
  return { ours, theirs };
}

describe('IstioApp writes the files cdk8s\'s App writes', () => {
  test.each([
    ['FILE_PER_CHART', YamlOutputType.FILE_PER_CHART],
    ['FILE_PER_APP', YamlOutputType.FILE_PER_APP],
    ['FILE_PER_RESOURCE', YamlOutputType.FILE_PER_RESOURCE],
    ['FOLDER_PER_CHART_FILE_PER_RESOURCE', YamlOutputType.FOLDER_PER_CHART_FILE_PER_RESOURCE],
  ])('%s', (_name, yamlOutputType) => {
    const { ours, theirs } = synthBoth({ yamlOutputType });
    expect(files(ours)).toEqual(files(theirs));
    expect(files(ours).length).toBeGreaterThan(0);
  });

  test('with another extension, and the documents in each file are the same objects', () => {
    const { ours, theirs } = synthBoth({ yamlOutputType: YamlOutputType.FILE_PER_RESOURCE, outputFileExtension: '.yml' });
    expect(files(ours)).toEqual(['ConfigMap.web.config.yml', 'Namespace.shop.yml', 'ServiceAccount.web.yml']);
    expect(files(ours)).toEqual(files(theirs));
    for (const f of files(ours)) {
      const kinds = (dir: string) => YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => (d.toJSON() as { kind: string }).kind);
      expect(kinds(ours)).toEqual(kinds(theirs));
    }
  });

  test('FILE_PER_CHART numbers the files in dependency order, as cdk8s does', () => {
    const { ours } = synthBoth({});
    expect(files(ours)).toEqual(['0000-platform.k8s.yaml', '0001-shop-c887447c.k8s.yaml', '0002-empty.k8s.yaml'].sort());
  });

  test('recordConstructMetadata writes construct-metadata.json as cdk8s does', () => {
    const { ours, theirs } = synthBoth({ recordConstructMetadata: true });
    expect(files(ours)).toContain('construct-metadata.json');
    const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'construct-metadata.json'), 'utf8')) as unknown;
    expect(read(ours)).toEqual(read(theirs));
    expect(read(ours)).toMatchObject({ version: '1.0.0', resources: { 'web': { path: 'Shop/sa' }, 'shop': { path: 'platform/ns' } } });
  });

  test('two objects cdk8s would write to one file (and keep one) are refused', () => {
    const app = new IstioApp({ outdir: fs.mkdtempSync(path.join(os.tmpdir(), 'istio-app-')), yamlOutputType: YamlOutputType.FILE_PER_RESOURCE });
    new k8s.KubeServiceAccount(new Chart(app, 'a', { namespace: 'a' }), 'sa', { metadata: { name: 'web' } });
    new k8s.KubeServiceAccount(new Chart(app, 'b', { namespace: 'b' }), 'sa', { metadata: { name: 'web' } });
    expect(() => app.synth()).toThrow(/^a\/sa and b\/sa would both be written to ServiceAccount\.web\.k8s\.yaml, and one would be lost/);
    expect(files(app.outdir)).toEqual([]);
  });

  test('resolvers given in the props run on every value', () => {
    class Upper implements IResolver {
      public resolve(context: ResolutionContext): void {
        if (typeof context.value === 'string' && context.value.startsWith('upper:')) {
          context.replaceValue(context.value.slice('upper:'.length).toUpperCase());
        }
      }
    }
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'istio-app-'));
    const app = new IstioApp({ outdir, resolvers: [new Upper()] });
    new k8s.KubeConfigMap(new Chart(app, 'c'), 'cm', { metadata: { name: 'cm' }, data: { level: 'upper:debug' } });
    app.synth();
    expect(YAML.parse(fs.readFileSync(path.join(outdir, 'c.k8s.yaml'), 'utf8'))).toMatchObject({ data: { level: 'DEBUG' } });
  });
});
