/**
 * Gateway deployments the app does not render (installed by Helm, istioctl or another team),
 * referenced by the labels of their pods. Gateway resources select them exactly as they select
 * an IngressGateway, and the analysis knows they exist.
 */
import { Construct } from 'constructs';
import { MeshContext } from './mesh-context';
import { IGatewayWorkload, IServiceRef, ServiceRef } from './references';
import { check, dnsLabelProblem, dnsSubdomainProblem, portProblem, selectorProblem, withFix } from './validation';

export interface GatewayWorkloadSelectorOptions {
  /** Labels of the gateway pods, which Gateway resources will select. */
  readonly selector: Record<string, string>;
  /**
   * Namespace of the gateway pods: TLS Secrets named by `credentialName` must live there.
   * @default 'istio-system' - where `istioctl install` puts istio-ingressgateway
   */
  readonly namespace?: string;
  /**
   * Ports its Service exposes (Service `port`).
   * @default - unknown: Gateway server ports are not checked against them
   */
  readonly servicePorts?: number[];
  /**
   * The ports behind them that the pods listen on (Service `targetPort`), when they differ:
   * deployKF's gateway Service maps 80/443 to 8080/8443, and its Gateway servers name 8080/8443.
   * @default - the same as `servicePorts`
   */
  readonly targetPorts?: number[];
  /** Name of the Service in front of the pods, for routing to the gateway. @default - none */
  readonly serviceName?: string;
  /** The pods' service account, for policies that allow the gateway. @default - unknown */
  readonly serviceAccountName?: string;
}

/** A gateway deployment outside the app, known by its pod labels. */
class ImportedGatewayWorkload extends Construct implements IGatewayWorkload {
  public readonly namespace: string;
  public readonly selector: Readonly<Record<string, string>>;
  public readonly serviceAccountName?: string;
  public readonly servicePorts?: readonly number[];
  public readonly targetPorts?: readonly number[];
  public readonly service?: IServiceRef;

  public constructor(scope: Construct, id: string, options: GatewayWorkloadSelectorOptions) {
    super(scope, id);
    check(this, 'selector', withFix(selectorProblem(options.selector, { what: 'gateway pods' }),
      'give the labels of the gateway pods, e.g. { istio: "ingressgateway" }'));
    for (const key of ['servicePorts', 'targetPorts'] as const) {
      (options[key] ?? []).forEach((port, i) => check(this, `${key}[${i}]`, portProblem(port, 'list the port numbers of the gateway Service')));
    }
    this.namespace = options.namespace ?? 'istio-system';
    check(this, 'namespace', dnsLabelProblem(this.namespace, 'namespace name'));
    if (options.serviceAccountName !== undefined) {
      check(this, 'serviceAccountName', dnsSubdomainProblem(options.serviceAccountName, 'service account name'));
    }
    if (options.serviceName !== undefined) {
      check(this, 'serviceName', dnsLabelProblem(options.serviceName, 'Service name'));
    }
    this.selector = { ...options.selector };
    this.serviceAccountName = options.serviceAccountName;
    this.servicePorts = options.servicePorts ? [...options.servicePorts] : undefined;
    this.targetPorts = options.targetPorts ? [...options.targetPorts] : undefined;
    this.service = options.serviceName
      ? ServiceRef.fromName(options.serviceName, this.namespace, { ports: options.servicePorts, selector: options.selector })
      : undefined;
    // Its pods run there, so the namespace exists (policies may name it as a source).
    MeshContext.of(this).declareExternalNamespace(this.namespace);
    MeshContext.of(this).declareExternalGatewayWorkload({
      constructPath: this.node.path,
      namespace: this.namespace,
      labels: this.selector,
      servicePorts: this.servicePorts,
      targetPorts: this.targetPorts,
    });
  }
}

export class GatewayWorkload {
  /**
   * Bring your own gateway: the pods of an existing gateway deployment, by their labels. Gateway
   * resources use it like an owned IngressGateway, and the analysis treats its labels as a
   * gateway that exists (no IST0101) with the given Service ports (IST0162).
   */
  public static fromSelector(scope: Construct, id: string, options: GatewayWorkloadSelectorOptions): IGatewayWorkload {
    return new ImportedGatewayWorkload(scope, id, options);
  }

  private constructor() {}
}
