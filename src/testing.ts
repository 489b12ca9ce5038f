/**
 * Test helpers. cdk8s's `Testing.synth` skips validations; these run the same render and
 * analysis as `npm run synth`, so a test sees exactly what would be written.
 */
import { App, Chart, Testing } from 'cdk8s';
import { Finding } from './analysis/finding';
import { Json } from './analysis/rendered';
import { IstioApp } from './istio-app';
import { synthesize, ValidationError } from './synthesis';

/** A fresh app for a test, writing to a temporary folder if ever synthesized. */
export function testApp(): IstioApp {
  return new IstioApp({ outdir: Testing.app().outdir });
}

/**
 * The manifests of `scope` (a chart, or every chart of an app) after validation.
 * Throws a ValidationError listing all findings when any is an error.
 */
export function synthManifests(scope: Chart | App): Json[] {
  const app = scope instanceof App ? scope : App.of(scope);
  const result = synthesize(app);
  if (result.errors.length > 0) {
    throw new ValidationError(result.findings);
  }
  return result.render.objects
    .filter((o) => scope instanceof App || o.chartPath === scope.node.path)
    .map((o) => o.manifest);
}

/** Every finding for the app `scope` belongs to, errors included, without throwing. */
export function findings(scope: Chart | App): Finding[] {
  return synthesize(scope instanceof App ? scope : App.of(scope)).findings;
}
