/**
 * Gateway deployments the app does not render (installed by Helm, istioctl or another team),
 * referenced by the labels of their pods. Gateway resources select them exactly as they select
 * an IngressGateway, and the analysis knows they exist.
 */
import { Construct } from 'constructs';
import { MeshContext } from './analysis/mesh-context';
import { propError } from './errors';
import { portProblem } from './host';
import { IGatewayWorkload, IServiceRef, ServiceRef } from './references';

export interface GatewayWorkloadSelectorOptions {
  /** Labels of the gateway pods, which Gateway resources will select. */
  readonly selector: Record<string, string>;
  /**
   * Namespace of the gateway pods: TLS Secrets named by `credentialName` must live there.
   * @default 'istio-system' - where `istioctl install` puts istio-ingressgateway
   */
  readonly namespace?: string;
  /**
   * Ports its Service exposes (Service `port`, not `targetPort`).
   * @default - unknown: Gateway server ports are not checked against them
   */
  readonly servicePorts?: number[];
  /** Name of the Service in front of the pods, for routing to the gateway. @default - none */
  readonly serviceName?: string;
  /** The pods' service account, for policies that allow the gateway. @default - unknown */
  readonly serviceAccountName?: string;
}

const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Why `labels` cannot be a label selector, or undefined. */
export function gatewaySelectorProblem(labels: Readonly<Record<string, string>>): string | undefined {
  const entries = Object.entries(labels);
  if (entries.length === 0) {
    return 'the selector is empty and would match every gateway';
  }
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k) || k.length > 316) {
      return `"${k}" is not a label key`;
    }
    if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
      return `"${String(v)}" (label ${k}) is not a label value`;
    }
  }
  return undefined;
}

/** A gateway deployment outside the app, known by its pod labels. */
class ImportedGatewayWorkload extends Construct implements IGatewayWorkload {
  public readonly namespace: string;
  public readonly selector: Readonly<Record<string, string>>;
  public readonly serviceAccountName?: string;
  public readonly servicePorts?: readonly number[];
  public readonly service?: IServiceRef;

  public constructor(scope: Construct, id: string, options: GatewayWorkloadSelectorOptions) {
    super(scope, id);
    const problem = gatewaySelectorProblem(options.selector);
    if (problem) {
      propError(this, 'selector', problem, 'give the labels of the gateway pods, e.g. { istio: "ingressgateway" }');
    }
    (options.servicePorts ?? []).forEach((port, i) => {
      const p = portProblem(port);
      if (p) {
        propError(this, `servicePorts[${i}]`, p, 'list the port numbers of the gateway Service');
      }
    });
    this.namespace = options.namespace ?? 'istio-system';
    this.selector = { ...options.selector };
    this.serviceAccountName = options.serviceAccountName;
    this.servicePorts = options.servicePorts ? [...options.servicePorts] : undefined;
    this.service = options.serviceName
      ? ServiceRef.fromName(options.serviceName, this.namespace, { ports: options.servicePorts, selector: options.selector })
      : undefined;
    MeshContext.of(this).declareExternalGatewayWorkload({
      constructPath: this.node.path,
      namespace: this.namespace,
      labels: this.selector,
      servicePorts: this.servicePorts,
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
