/**
 * An App whose synth renders once, runs the Istio analysis, and writes nothing unless every
 * check passed.
 */
import { App, AppProps } from 'cdk8s';
import { formatReport } from './analysis/finding';
import { writeFiles } from './output';
import { manifestFiles, synthesize, ValidationError } from './synthesis';

export interface IstioAppProps extends AppProps {}

export class IstioApp extends App {
  public constructor(props: IstioAppProps = {}) {
    // outdir stays unset unless the caller sets it: cdk8s then honours CDK8S_OUTDIR, which the
    // CLI passes (a hard-coded outdir breaks `cdk8s synth -o`).
    super(props);
  }

  /**
   * Renders, analyzes and writes one `<chart>.k8s.yaml` per chart. Findings go to stderr; any
   * error throws a ValidationError listing them all and leaves the output folder untouched.
   */
  public override synth(): void {
    const result = synthesize(this);
    if (result.errors.length > 0) {
      throw new ValidationError(result.findings);
    }
    const report = formatReport(result.findings);
    if (report) {
      process.stderr.write(report);
    }
    writeFiles(this.outdir, manifestFiles(result));
  }
}

/**
 * Adds the Istio analysis to any cdk8s App as a construct validation, so a plain `app.synth()`
 * fails on errors and prints warnings. IstioApp does the same without rendering twice.
 */
export function addIstioValidation(app: App): void {
  app.node.addValidation({
    validate: () => {
      // Our own render would run this validation again; guard against re-entry.
      if (validating.has(app)) {
        return [];
      }
      validating.add(app);
      try {
        const result = synthesize(app);
        const report = formatReport(result.findings.filter((f) => f.severity !== 'error'));
        if (report) {
          process.stderr.write(report);
        }
        return result.errors.map((f) => `${f.code} ${f.object}${f.field ? ` ${f.field}` : ''}: ${f.message} (fix: ${f.fix}) [${f.constructPath}]`);
      } finally {
        validating.delete(app);
      }
    },
  });
}

const validating = new WeakSet<App>();
