/**
 * The bundled app: `npm run synth` (or `cdk8s synth`) runs this compiled file. Every values file
 * in examples/ becomes `dist/<example>/<example>.k8s.yaml` plus a `topology.md` picture.
 *
 * Each example is its own IstioApp, because each describes a different cluster (its own mesh
 * install, its own external gateways). All examples are built and checked before anything is
 * written, and every problem in any of them is reported at once.
 */
import * as fs from 'fs';
import * as path from 'path';
import { ValuesError } from './cli/values';
import { buildValuesApp, loadValues, topologyOf, ValuesApp } from './cli/values-app';
import { packageRoot } from './package-root';
import { OutputFile, writeFiles } from './output';
import { manifestFiles, toYamlStream } from './synthesis';
import { pluginConfig, repoServerPatch } from './argocd';
import { byCodePoint } from './ordering';

export const EXAMPLES_DIR = path.join(packageRoot(), 'examples');

/** Example names and their values files, sorted so the output order never changes. */
export function exampleFiles(dir: string = EXAMPLES_DIR): Array<{ name: string; file: string }> {
  return fs.readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .map((f) => ({ name: f.replace(/\.ya?ml$/, ''), file: path.join(dir, f) }))
    .sort((a, b) => byCodePoint(a.name, b.name));
}

export interface BuiltExample {
  readonly name: string;
  readonly built: ValuesApp;
}

/** Builds and checks every example; throws one ValuesError listing the problems of all of them. */
export function buildExamples(dir: string = EXAMPLES_DIR): BuiltExample[] {
  const built: BuiltExample[] = [];
  const problems: string[] = [];
  for (const { name, file } of exampleFiles(dir)) {
    try {
      built.push({ name, built: buildValuesApp(name, loadValues([path.relative(process.cwd(), file)])) });
    } catch (e) {
      if (!(e instanceof ValuesError)) {
        throw e;
      }
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) {
    throw new ValuesError(problems);
  }
  return built;
}

/** The files `npm run synth` writes, relative to the output folder. */
export function exampleOutput(examples: readonly BuiltExample[]): OutputFile[] {
  return [
    ...examples.flatMap(({ name, built }) => [
      ...manifestFiles(built.result).map((f) => ({ ...f, path: `${name}/${f.path}` })),
      { path: `${name}/topology.md`, content: topologyOf(built, name) },
    ]),
    ...argocdFiles().map((f) => ({ path: `argocd/${f.path}`, content: f.content })),
  ];
}

/** The Argo CD plugin file and repo-server patch (src/argocd.ts), as argocd/ commits them. */
export function argocdFiles(): OutputFile[] {
  return [
    { path: 'plugin.yaml', content: toYamlStream([pluginConfig()]) },
    { path: 'repo-server-patch.yaml', content: toYamlStream([repoServerPatch()]) },
  ];
}

if (require.main === module) {
  try {
    const examples = buildExamples();
    const report = examples.flatMap((e) => e.built.report);
    if (report.length > 0) {
      process.stderr.write(`${report.join('\n')}\n`);
    }
    // cdk8s passes the output folder in CDK8S_OUTDIR; `node lib/src/main.js` alone writes dist/.
    const outdir = process.env.CDK8S_OUTDIR ?? 'dist';
    writeFiles(outdir, exampleOutput(examples));
    for (const { name, built } of examples) {
      process.stderr.write(`${name}: ${built.result.render.objects.length} objects\n`);
    }
  } catch (e) {
    if (e instanceof ValuesError) {
      process.stderr.write(`${e.problems.join('\n')}\n${e.problems.length} problem(s); nothing was written\n`);
    } else {
      process.stderr.write(`internal error: ${(e as Error).message ?? String(e)}; please report this (CDK8S_ISTIO_DEBUG=1 shows the stack)\n${process.env.CDK8S_ISTIO_DEBUG ? `${(e as Error).stack ?? ""}\n` : ""}`);
    }
    process.exit(1);
  }
}
