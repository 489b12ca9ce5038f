/**
 * An App whose synth renders once, runs the Istio analysis, and writes nothing unless every
 * check passed.
 */
import { App, AppProps } from 'cdk8s';
import { formatReport } from './analysis/finding';
import { writeFiles } from './output';
import { quietWhenUncaught } from './errors';
import { istioVersionProblem } from './istio-version';
import { MeshContext } from './mesh-context';
import { check } from './validation';
import { constructMetadataFile, manifestFiles, synthesize, ValidationError } from './synthesis';

/**
 * cdk8s's AppProps, all honoured: `outdir`, `yamlOutputType` and `outputFileExtension` name the
 * files as cdk8s's App does, `recordConstructMetadata` writes its construct-metadata.json, and
 * `resolvers` run when objects render.
 */
export interface IstioAppProps extends AppProps {
  /**
   * The Istio version the cluster runs (`1.24` or `1.24.6`, from 1.20 to 1.30): objects get the
   * apiVersions it serves and are validated against its CRDs; a field it lacks is an error.
   * @default '1.30'
   */
  readonly istioVersion?: string;
}

export class IstioApp extends App {
  /** Whether synth writes cdk8s's construct-metadata.json (App keeps its own copy private). */
  private readonly writesConstructMetadata: boolean;

  public constructor(props: IstioAppProps = {}) {
    // outdir stays unset unless the caller sets it: cdk8s then honours CDK8S_OUTDIR, which the
    // CLI passes (a hard-coded outdir breaks `cdk8s synth -o`).
    super(props);
    this.writesConstructMetadata = props.recordConstructMetadata ?? process.env.CDK8S_RECORD_CONSTRUCT_METADATA === 'true';
    if (props.istioVersion !== undefined) {
      check(this, 'istioVersion', istioVersionProblem(props.istioVersion));
      MeshContext.of(this).targetIstioVersion(props.istioVersion);
    }
  }

  /**
   * Renders, analyzes and writes one `<chart>.k8s.yaml` per chart. Findings go to stderr. On any
   * error the report is printed once, the output folder is left untouched and a ValidationError
   * (with `findings`) is thrown; left uncaught in a cdk8s app's main file, it ends the process
   * with exit code 1 and without a second, raw dump of the same findings.
   */
  public override synth(): void {
    const result = synthesize(this);
    if (result.errors.length > 0) {
      process.stderr.write(formatReport(result.findings));
      const error = new ValidationError(result.findings, { reported: true });
      // The report was printed above.
      quietWhenUncaught(error);
      throw error;
    }
    const report = formatReport(result.findings);
    if (report) {
      process.stderr.write(report);
    }
    const files = manifestFiles(result, { yamlOutputType: this.yamlOutputType, outputFileExtension: this.outputFileExtension });
    writeFiles(this.outdir, this.writesConstructMetadata ? [...files, constructMetadataFile(result)] : files);
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


