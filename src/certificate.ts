/**
 * A cert-manager Certificate (cert-manager.io/v1): cert-manager writes the TLS Secret that a
 * Gateway server names in `credentialName`. Istio reads that Secret from the namespace of the
 * gateway *pods*, not of the Gateway resource, so the Certificate must be created there.
 *
 * cert-manager's CRDs are not imported as L1 classes (the project pins Istio's only), so the
 * object is written as an ApiObject with the few fields we set.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct } from 'constructs';
import { Duration } from './duration';
import { propError } from './errors';
import { hostProblem } from './host';
import { INamespaceRef, resolveNamespace } from './references';

/** The cert-manager issuer that signs the certificate. */
export class CertificateIssuer {
  /** A cluster-wide ClusterIssuer, e.g. `letsencrypt-prod`. */
  public static clusterIssuer(name: string): CertificateIssuer {
    return new CertificateIssuer(name, 'ClusterIssuer', 'cert-manager.io');
  }

  /** An Issuer; cert-manager looks for it in the Certificate's namespace (the gateway's). */
  public static issuer(name: string): CertificateIssuer {
    return new CertificateIssuer(name, 'Issuer', 'cert-manager.io');
  }

  /** An external issuer (e.g. `awspca.cert-manager.io` / `AWSPCAClusterIssuer`). */
  public static external(name: string, kind: string, group: string): CertificateIssuer {
    return new CertificateIssuer(name, kind, group);
  }

  private constructor(public readonly name: string, public readonly kind: string, public readonly group: string) {}

  public equals(other: CertificateIssuer): boolean {
    return this.name === other.name && this.kind === other.kind && this.group === other.group;
  }
}

export interface CertificateProps {
  /** Object name. @default - the secret name */
  readonly name?: string;
  /** Must be the namespace of the gateway pods that use the Secret. @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
  /** The Secret cert-manager writes: the Gateway server's `credentialName`. */
  readonly secretName: string;
  /**
   * Names the certificate covers (wildcards such as `*.example.com` allowed). More can be added with addDnsName().
   * @default - none until addDnsName() is called; a Certificate without names is refused at synth
   */
  readonly dnsNames?: string[];
  readonly issuer: CertificateIssuer;
  /** @default - cert-manager's default (90 days) */
  readonly duration?: Duration;
  /** @default - cert-manager's default (a third of the duration) */
  readonly renewBefore?: Duration;
}

const SECRET_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** Why `name` cannot be a Secret name, or undefined. */
export function secretNameProblem(name: string): string | undefined {
  if (!name || name.length > 253 || !SECRET_NAME.test(name)) {
    return `"${name}" is not a Secret name (lowercase letters, digits, '-' and '.', at most 253 characters)`;
  }
  return undefined;
}

export class Certificate extends Construct {
  public readonly name: string;
  public readonly namespace: string;
  public readonly secretName: string;
  public readonly issuer: CertificateIssuer;
  public readonly apiObject: ApiObject;
  private readonly dnsNames: string[] = [];

  public constructor(scope: Construct, id: string, props: CertificateProps) {
    super(scope, id);
    this.secretName = props.secretName;
    this.name = props.name ?? props.secretName;
    this.namespace = resolveNamespace(this, props.namespace);
    this.issuer = props.issuer;
    const secretProblem = secretNameProblem(props.secretName);
    if (secretProblem) {
      propError(this, 'spec.secretName', secretProblem, 'use the credentialName of the Gateway server');
    }
    if (!props.issuer.name) {
      propError(this, 'spec.issuerRef.name', 'the issuer name is empty', 'name the cert-manager Issuer or ClusterIssuer');
    }
    for (const d of props.dnsNames ?? []) {
      this.addDnsName(d);
    }
    const duration = props.duration?.toIstio({ path: this.node.path, field: 'spec.duration' });
    const renewBefore = props.renewBefore?.toIstio({ path: this.node.path, field: 'spec.renewBefore' });
    if (props.duration && props.renewBefore && props.renewBefore.milliseconds >= props.duration.milliseconds) {
      propError(this, 'spec.renewBefore', 'renewBefore is not shorter than duration, so the certificate would renew forever',
        'use a renewBefore shorter than duration');
    }
    this.node.addValidation({
      validate: () => (this.dnsNames.length === 0
        ? [`[${this.node.path}] spec.dnsNames: the certificate covers no name (fix: give dnsNames or call addDnsName())`]
        : []),
    });

    this.apiObject = new ApiObject(this, 'Resource', {
      apiVersion: 'cert-manager.io/v1',
      kind: 'Certificate',
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({
        produce: () => ({
          secretName: this.secretName,
          dnsNames: [...this.dnsNames],
          issuerRef: { name: this.issuer.name, kind: this.issuer.kind, group: this.issuer.group },
          ...(duration ? { duration } : {}),
          ...(renewBefore ? { renewBefore } : {}),
          // A new key with every renewal, so a leaked key stops working at the next renewal.
          privateKey: { rotationPolicy: 'Always' },
        }),
      }),
    });
  }

  /** Cover one more name; duplicates are ignored. */
  public addDnsName(name: string): void {
    const problem = hostProblem(name, { allowWildcardAll: false, allowShortNames: false })
      ?? (name.startsWith('*') && !name.startsWith('*.') ? 'a certificate wildcard covers one whole label: write *.domain' : undefined);
    if (problem) {
      propError(this, 'spec.dnsNames', `${name}: ${problem}`, 'give a fully qualified name or a *.domain wildcard');
    }
    if (!this.dnsNames.includes(name)) {
      this.dnsNames.push(name);
    }
  }
}
