/**
 * `cdk8s-istio generate`: the `generate` command of the Argo CD config management plugin
 * (argocd/plugin.yaml). Argo CD runs it in a fresh copy of the Application's source directory
 * and reads the objects from stdout; the contract (argo-cd `cmpserver/plugin/plugin.go`):
 *
 * - stdout is one YAML stream of Kubernetes objects and nothing else; findings go to stderr;
 * - an error is a non-zero exit with the report on stderr and nothing on stdout, never an empty
 *   stream: Argo CD takes empty output as "no objects" and, with auto-prune, deletes the app's;
 * - the input comes from the environment: `ARGOCD_APP_PARAMETERS` (JSON) and its `PARAM_*`
 *   spelling, `ARGOCD_ENV_*` (the Application's plugin env, names as written), `ARGOCD_APP_NAME`
 *   and `ARGOCD_APP_NAMESPACE`; nothing is read from the network and nothing is written outside
 *   `/tmp` (`HOME` may be unset or read-only).
 *
 * Which values files: the `values` parameter, else `ARGOCD_ENV_VALUES` (comma-separated), else
 * `cdk8s-istio.yaml` in the source directory. Without any of them, a `cdk8s.yaml` there means a
 * cdk8s app (TypeScript compiled to JavaScript): its `app` command runs with CDK8S_OUTDIR in a
 * temporary folder and the files it writes are printed in name order.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as YAML from 'yaml';
import type { CliIo } from './io';

/** The values file a source directory is rendered from when the Application names none. */
export const DEFAULT_VALUES_FILE = 'cdk8s-istio.yaml';

export interface GenerateInput {
  readonly values: string[];
  readonly sets: string[];
  /** Where the list came from, for messages. */
  readonly valuesFrom: string;
  /** The `istioVersion` parameter (or env ISTIO_VERSION). @default - the values file's, else 1.30 */
  readonly istioVersion?: string;
}

interface Parameter {
  readonly name?: string;
  readonly string?: string;
  readonly array?: string[];
}

function splitList(text: string): string[] {
  return text.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

/** Parameters as Argo CD passes them: the JSON list, or failing that the PARAM_* variables. */
function parameter(env: NodeJS.ProcessEnv, name: string): string[] | undefined {
  const json = env.ARGOCD_APP_PARAMETERS;
  if (json && json !== 'null') {
    let list: unknown;
    try {
      list = JSON.parse(json);
    } catch {
      throw new Error(`ARGOCD_APP_PARAMETERS is not JSON: ${json.slice(0, 200)}`);
    }
    const found = Array.isArray(list) ? (list as Parameter[]).find((p) => p && p.name === name) : undefined;
    if (found) {
      return found.array ?? (found.string !== undefined ? splitList(found.string) : []);
    }
    return undefined;
  }
  // argo-cd escapes names: upper case, anything but [A-Z0-9_] becomes `_`; arrays are `_0`, `_1`, ...
  const base = `PARAM_${name.toUpperCase().replace(/[^A-Z0-9_]/g, '_')}`;
  const items: string[] = [];
  for (let i = 0; env[`${base}_${i}`] !== undefined; i++) {
    items.push(env[`${base}_${i}`]!);
  }
  if (items.length > 0) {
    return items;
  }
  return env[base] !== undefined ? splitList(env[base]!) : undefined;
}

/** What to render, from the plugin's environment. */
export function generateInput(env: NodeJS.ProcessEnv, cwd: string): GenerateInput | { readonly cdk8sApp: true } {
  const sets = parameter(env, 'set') ?? (env.ARGOCD_ENV_SET ? [env.ARGOCD_ENV_SET] : []);
  const istioVersion = parameter(env, 'istioVersion')?.[0] ?? env.ARGOCD_ENV_ISTIO_VERSION;
  const fromParam = parameter(env, 'values');
  if (fromParam && fromParam.length > 0) {
    return { values: fromParam, sets, valuesFrom: 'the values parameter', istioVersion };
  }
  if (env.ARGOCD_ENV_VALUES) {
    return { values: splitList(env.ARGOCD_ENV_VALUES), sets, valuesFrom: 'ARGOCD_ENV_VALUES', istioVersion };
  }
  if (fs.existsSync(path.join(cwd, DEFAULT_VALUES_FILE))) {
    return { values: [DEFAULT_VALUES_FILE], sets, valuesFrom: `the default file ${DEFAULT_VALUES_FILE}`, istioVersion };
  }
  if (fs.existsSync(path.join(cwd, 'cdk8s.yaml'))) {
    return { cdk8sApp: true };
  }
  throw new Error(`nothing to render in ${path.basename(cwd) || cwd}: name the values files with the plugin parameter \`values\` `
    + `(or env VALUES=a.yaml,b.yaml on the Application's plugin), add ${DEFAULT_VALUES_FILE}, or a cdk8s.yaml for a cdk8s app`);
}

/** A DNS label for the chart, from the Application's name. */
export function chartNameFor(appName: string | undefined, fallback: string): string {
  const name = (appName ?? '').replace(/^.*_/, '').toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63).replace(/-+$/, '');
  return name && name !== 'constructor' ? name : fallback;
}

/** The YAML files a cdk8s app wrote, in the order kubectl and cdk8s name them. */
function collect(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      out.push(...collect(p));
    } else if (/\.ya?ml$/.test(entry.name)) {
      out.push(p);
    }
  }
  return out;
}

/** Renders a cdk8s app in `cwd` through its `app` command; returns the exit code. */
export function generateCdk8sApp(cwd: string, env: NodeJS.ProcessEnv, io: CliIo): number {
  const config = YAML.parse(fs.readFileSync(path.join(cwd, 'cdk8s.yaml'), 'utf8')) as { app?: string } | null;
  if (!config?.app) {
    io.stderr('cdk8s.yaml has no `app:` command to run\n');
    return 1;
  }
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk8s-istio-generate-'));
  try {
    const r = spawnSync(config.app, { cwd, shell: true, env: { ...env, CDK8S_OUTDIR: out, HOME: env.HOME ?? os.tmpdir() }, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    // Whatever the app printed is a log line for Argo CD, never part of the manifests.
    io.stderr(`${r.stdout ?? ''}${r.stderr ?? ''}`);
    if (r.status !== 0) {
      io.stderr(`the cdk8s app (${config.app}) exited with ${r.status ?? r.signal}; nothing was rendered\n`);
      return 1;
    }
    const docs: string[] = [];
    for (const file of collect(out)) {
      const text = fs.readFileSync(file, 'utf8');
      if (text.trim() !== '') {
        docs.push(text.endsWith('\n') ? text : `${text}\n`);
      }
    }
    if (docs.length === 0) {
      io.stderr(`the cdk8s app (${config.app}) wrote no manifests; refusing to render nothing (Argo CD would prune the app's objects)\n`);
      return 1;
    }
    io.stdout(docs.join('---\n'));
    return 0;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}
