/**
 * Facts about the cluster that no synthesized object carries: what already exists outside the
 * app (a platform team's shared gateway, namespaces created elsewhere, a gateway deployment
 * installed by Helm) and how Istio is installed there. Constructs declare them; cross-object
 * checks read them so that a reference to something outside the app is not reported as missing.
 */
import { IConstruct } from 'constructs';
import { DEFAULT_ISTIO_VERSION } from './istio-version';

/** The key a Gateway API Gateway outside the app is declared under (KubernetesGateway.fromName). */
export function externalGatewayApiKey(namespace: string, name: string): string {
  return `gateway.networking.k8s.io/${namespace}/${name}`;
}

/** Istio's default root namespace (meshConfig.rootNamespace): policies there apply mesh-wide. */
export const DEFAULT_ROOT_NAMESPACE = 'istio-system';

/** A gateway deployment the app does not render but Gateway resources may select. */
export interface ExternalGatewayWorkload {
  /** Construct that declared it, for findings. */
  readonly constructPath: string;
  /** @default - any namespace (a Gateway's selector applies across namespaces unless PILOT_SCOPE_GATEWAY_TO_NAMESPACE is set) */
  readonly namespace?: string;
  /** Pod labels of the deployment, which Gateway selectors match. */
  readonly labels: Readonly<Record<string, string>>;
  /** Ports its Service exposes. @default - unknown: port checks are skipped */
  readonly servicePorts?: readonly number[];
  /** The Service's target ports, where they differ from `servicePorts`. @default - the same as servicePorts */
  readonly targetPorts?: readonly number[];
}

/** How Istio is installed in the target cluster, as far as injection is concerned. */
export interface InstallFacts {
  /** Revisions (and revision tags) that have an injector. @default [] */
  readonly revisions: readonly string[];
  /**
   * Whether a default injector exists (a `default` revision or tag, or a revision-less install),
   * which serves `istio-injection=enabled` and `sidecar.istio.io/inject: "true"`.
   * @default true
   */
  readonly hasDefaultInjector: boolean;
  /** Extension providers declared in meshConfig, for CUSTOM authorization. @default [] */
  readonly extensionProviders: readonly string[];
  /** The mesh's SPIFFE trust domain (meshConfig.trustDomain), which principals name. @default 'cluster.local' */
  readonly trustDomain: string;
  /** Whether every proxy starts before the app's containers (meshConfig.defaultConfig). @default - unknown */
  readonly holdApplicationUntilProxyStarts?: boolean;
  /** Whether every proxy answers DNS (ISTIO_META_DNS_CAPTURE). @default - unknown */
  readonly dnsCapture?: boolean;
  /** The MeshInstalls of the app, when the install is part of it. @default [] */
  readonly installs: readonly InstalledControlPlane[];
}

/** One MeshInstall of the app, as requirements see it. */
export interface InstalledControlPlane {
  /** Its construct path, for messages. */
  readonly path: string;
  /** The Istio release, `1.x.y`. */
  readonly version: string;
  readonly holdApplicationUntilProxyStarts: boolean;
  readonly dnsCapture: boolean;
}

export class MeshContext {
  /** The context of the app `scope` belongs to, created on first use. */
  public static of(scope: IConstruct): MeshContext {
    const root = scope.node.root;
    let ctx = MeshContext.contexts.get(root);
    if (!ctx) {
      ctx = new MeshContext();
      MeshContext.contexts.set(root, ctx);
    }
    return ctx;
  }

  private static readonly contexts = new WeakMap<IConstruct, MeshContext>();

  private readonly gateways = new Set<string>();
  private readonly namespaces = new Map<string, Record<string, string>>();
  private readonly gatewayWorkloads: ExternalGatewayWorkload[] = [];
  private installInfo: InstallFacts = { revisions: [], hasDefaultInjector: true, extensionProviders: [], trustDomain: 'cluster.local', installs: [] };
  private targetVersion: string = DEFAULT_ISTIO_VERSION;

  /**
   * The Istio version the output is for (`1.24` or `1.24.6`): apiVersions are chosen from what
   * it serves and objects are validated against its CRDs. Checked by IstioApp and the values
   * file (`mesh.istioVersion`); see src/istio-version.ts.
   */
  public get istioVersion(): string {
    return this.targetVersion;
  }

  /** Sets the target Istio version; `istioVersionProblem` says first whether it is supported. */
  public targetIstioVersion(version: string): void {
    this.targetVersion = version;
  }

  /** A Gateway resource outside the app, as `namespace/name`. */
  public declareExternalGateway(ref: string): void {
    this.gateways.add(ref);
  }

  public isExternalGateway(ref: string): boolean {
    return this.gateways.has(ref);
  }

  /** A namespace that exists already, with the labels it carries (injection labels matter). */
  public declareExternalNamespace(name: string, labels: Record<string, string> = {}): void {
    this.namespaces.set(name, { ...(this.namespaces.get(name) ?? {}), ...labels });
  }

  /** Labels of a namespace declared external, or undefined if it was not declared. */
  public externalNamespace(name: string): Readonly<Record<string, string>> | undefined {
    return this.namespaces.get(name);
  }

  public declareExternalGatewayWorkload(workload: ExternalGatewayWorkload): void {
    this.gatewayWorkloads.push(workload);
  }

  /**
   * A ReferenceGrant that exists in the cluster outside the app (another team's), as the
   * manifest it has: the Gateway API checks count it as if the app wrote it.
   */
  public declareExternalReferenceGrant(grant: Readonly<Record<string, unknown>>): void {
    this.referenceGrants.push(grant);
  }

  public externalReferenceGrants(): ReadonlyArray<Readonly<Record<string, unknown>>> {
    return this.referenceGrants;
  }

  private readonly referenceGrants: Array<Readonly<Record<string, unknown>>> = [];

  public externalGatewayWorkloads(): readonly ExternalGatewayWorkload[] {
    return this.gatewayWorkloads;
  }

  /** Describe the target cluster's Istio install; fields not given keep their defaults. */
  public declareInstall(install: Partial<InstallFacts>): void {
    this.installInfo = { ...this.installInfo, ...install };
  }

  public get install(): InstallFacts {
    return this.installInfo;
  }

  /** A platform (`by`) needs gateways on istiod's Istio version; see MeshRequirement. */
  public requireGatewaysMatchIstiod(by: string): void {
    this.gatewaysMatchBy ??= by;
  }

  /** Who requires gateways on istiod's version, if anyone does. */
  public get gatewaysMatchIstiodRequiredBy(): string | undefined {
    return this.gatewaysMatchBy;
  }

  private gatewaysMatchBy?: string;
}
