/**
 * What another platform needs from the mesh it runs on, stated once and checked against the
 * install at synth: deployKF's proxy settings, a vendor chart's minimum Istio version, gateways
 * on the same Istio version as istiod. A requirement the app cannot check (the cluster's
 * install is neither a MeshInstall of the app nor described by hand) is an error too, rather
 * than a check silently skipped: the fix says which fact to declare.
 */
import { IConstruct } from 'constructs';
import { compareMinors, DEFAULT_ISTIO_VERSION, minorOf } from './istio-version';
import { MeshContext } from './mesh-context';
import { addLateCheck } from './validation/late';
import { FieldProblem } from './validation/problem';

/** A platform's requirements, as a values file writes them (`mesh.requires`). */
export interface MeshRequirementProps {
  /** Who states the requirement, shown in errors, e.g. `deployKF`. @default 'a requirement' */
  readonly by?: string;
  /** The oldest Istio minor that works, e.g. `1.22` (compared by minor: a patch is not checked). @default - any supported version */
  readonly minimumIstioVersion?: string;
  /** Proxies must start before the application containers (meshConfig.defaultConfig). @default false */
  readonly holdApplicationUntilProxyStarts?: boolean;
  /** Proxies must answer DNS (ISTIO_META_DNS_CAPTURE in the proxy metadata). @default false */
  readonly dnsCapture?: boolean;
  /** Gateway pods and gateway chart releases must run istiod's Istio version. @default false */
  readonly gatewaysMatchIstiod?: boolean;
}

export class MeshRequirement {
  /** deployKF's mesh: proxies that start first and capture DNS (its Istio prerequisites). */
  public static deployKf(): MeshRequirement {
    return new MeshRequirement({ by: 'deployKF', holdApplicationUntilProxyStarts: true, dnsCapture: true });
  }

  /** The oldest Istio minor a platform supports. */
  public static minimumIstioVersion(version: string, by?: string): MeshRequirement {
    return new MeshRequirement({ by, minimumIstioVersion: version });
  }

  /** Gateways on istiod's Istio version, as vendors that ship a gateway chart ask. */
  public static gatewaysMatchIstiod(by?: string): MeshRequirement {
    return new MeshRequirement({ by, gatewaysMatchIstiod: true });
  }

  /** Any combination, as written in a values file. */
  public static of(props: MeshRequirementProps): MeshRequirement {
    return new MeshRequirement(props);
  }

  private constructor(public readonly props: MeshRequirementProps) {}

  /** Who states it, for messages. */
  public get by(): string {
    return this.props.by ?? 'a requirement';
  }
}

/** A requirement as the context keeps it: with where it was stated, for errors. */
export interface StatedRequirement {
  readonly requirement: MeshRequirement;
  /** The field that states it, e.g. `mesh.requires[0]` or `requires[1]`. */
  readonly field: string;
}

/**
 * States `requirements` on `scope` (a pattern, a chart, a MeshInstall): they are checked once
 * the app is complete, against every MeshInstall of the app, or against the facts declared for
 * an install outside it (`MeshContext.declareInstall`, the values file's `mesh` key).
 */
export function requireMesh(scope: IConstruct, requirements: readonly MeshRequirement[], fieldPrefix = 'requires'): void {
  const ctx = MeshContext.of(scope);
  const stated = requirements.map((requirement, i) => ({ requirement, field: `${fieldPrefix}[${i}]` }));
  for (const r of requirements) {
    if (r.props.gatewaysMatchIstiod) {
      // Checked by the analysis, on the gateway Deployments and chart releases (CKI6001).
      ctx.requireGatewaysMatchIstiod(r.by);
    }
  }
  addLateCheck(scope, () => stated.flatMap((s) => unmet(ctx, s)));
}

const VERSION = /^1\.\d+(\.\d+)?$/;

function unmet(ctx: MeshContext, { requirement, field }: StatedRequirement): FieldProblem[] {
  const r = requirement.props;
  const by = requirement.by;
  const install = ctx.install;
  const problems: FieldProblem[] = [];
  const where = install.installs.length > 0 ? 'the MeshInstall' : 'the cluster\'s install';
  if (r.minimumIstioVersion !== undefined) {
    if (!VERSION.test(r.minimumIstioVersion)) {
      problems.push({ field: `${field}.minimumIstioVersion`, problem: `"${r.minimumIstioVersion}" is not an Istio version`, fix: 'write a minor such as 1.22' });
    } else {
      // The app's target version is what the install runs: a MeshInstall must equal it.
      const running = install.installs.length > 0 ? install.installs.map((i) => i.version).sort(compareMinors)[0] : ctx.istioVersion;
      if (compareMinors(running, r.minimumIstioVersion) < 0) {
        const beyond = compareMinors(r.minimumIstioVersion, DEFAULT_ISTIO_VERSION) > 0;
        problems.push({
          field: `${field}.minimumIstioVersion`,
          problem: `${by} needs Istio ${minorOf(r.minimumIstioVersion)} or later, and ${where} is ${running}${beyond ? `; this version of cdk8s-istio targets Istio up to ${DEFAULT_ISTIO_VERSION}` : ''}`,
          fix: beyond ? `a cdk8s-istio release that supports Istio ${minorOf(r.minimumIstioVersion)} is needed; check the minimum ${by} states`
            : install.installs.length > 0 ? `install Istio ${minorOf(r.minimumIstioVersion)} or later (the MeshInstall's version and the app's istioVersion)` : `upgrade the cluster to Istio ${minorOf(r.minimumIstioVersion)} and set the app's istioVersion (values: mesh.istioVersion) to it`,
        });
      }
    }
  }
  const setting = (key: 'holdApplicationUntilProxyStarts' | 'dnsCapture', meshConfigPath: string): void => {
    if (!r[key]) {
      return;
    }
    const value = install[key];
    if (value === true) {
      return;
    }
    const lacking = install.installs.filter((i) => !i[key]).map((i) => i.path);
    problems.push({
      field: `${field}.${key}`,
      problem: value === false
        ? `${by} needs ${meshConfigPath}, which ${lacking.length > 0 ? `the MeshInstall ${lacking.join(', ')} does not set` : 'the cluster\'s install does not set'}`
        : `${by} needs ${meshConfigPath}, and the app does not say whether the cluster's install sets it`,
      fix: install.installs.length > 0 || value === false
        ? `set meshConfig.${key} on the MeshInstall (values: meshInstall.meshConfig.${key})`
        : `add the install to the app (values: meshInstall), or, if the cluster's install sets it, declare mesh.${key}: true (TypeScript: MeshContext.declareInstall({ ${key}: true }))`,
    });
  };
  setting('holdApplicationUntilProxyStarts', 'meshConfig.defaultConfig.holdApplicationUntilProxyStarts: true');
  setting('dnsCapture', 'DNS capture (ISTIO_META_DNS_CAPTURE in meshConfig.defaultConfig.proxyMetadata)');
  return problems;
}
