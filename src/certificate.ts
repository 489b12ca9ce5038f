/**
 * A cert-manager Certificate (cert-manager.io/v1): cert-manager writes the TLS Secret that a
 * Gateway server names in `credentialName`. Istio reads that Secret from the namespace of the
 * gateway *pods*, not of the Gateway resource, so the Certificate must be created there.
 *
 * cert-manager's CRDs are not imported as L1 classes (the project pins Istio's only), so the
 * object is written as an ApiObject with the few fields we set.
 */
import { Construct } from 'constructs';
import { durationMillis, DurationLike, renderDuration } from './duration';
import { IstioResource, IstioResourceProps } from './resource';
import { check, hostProblem, secretNameProblem, withFix } from './validation';

/** The fields of cert-manager's `Certificate` spec this construct writes. */
interface CertificateSpec {
  readonly secretName: string;
  readonly dnsNames: string[];
  readonly issuerRef: { readonly name: string; readonly kind: string; readonly group: string };
  readonly duration?: string;
  readonly renewBefore?: string;
  readonly privateKey: { readonly rotationPolicy: 'Always' | 'Never' };
}

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

export interface CertificateProps extends IstioResourceProps {
  /**
   * Object name. Must be the namespace of the gateway pods that use the Secret.
   * @default - the secret name
   */
  readonly name?: string;
  /** The Secret cert-manager writes: the Gateway server's `credentialName`. */
  readonly secretName: string;
  /**
   * Names the certificate covers (wildcards such as `*.example.com` allowed). More can be added with addDnsName().
   * @default - none until addDnsName() is called; a Certificate without names is refused at synth
   */
  readonly dnsNames?: string[];
  readonly issuer: CertificateIssuer;
  /** @default - cert-manager's default (90 days) */
  readonly duration?: DurationLike;
  /** @default - cert-manager's default (a third of the duration) */
  readonly renewBefore?: DurationLike;
}

export class Certificate extends IstioResource<CertificateSpec> {
  public readonly secretName: string;
  public readonly issuer: CertificateIssuer;
  private readonly dnsNames: string[] = [];
  private readonly duration?: string;
  private readonly renewBefore?: string;

  public constructor(scope: Construct, id: string, props: CertificateProps) {
    // The object is named after the Secret by default: say what is wrong with the Secret name first.
    check(`${scope.node.path}/${id}`, 'spec.secretName', withFix(secretNameProblem(props.secretName), 'use the credentialName of the Gateway server'));
    super(scope, id, { ...props, name: props.name ?? props.secretName }, { apiVersion: 'cert-manager.io/v1', kind: 'Certificate' });
    this.secretName = props.secretName;
    this.issuer = props.issuer;
    if (!props.issuer.name) {
      check(this, 'spec.issuerRef.name', { problem: 'the issuer name is empty', fix: 'name the cert-manager Issuer or ClusterIssuer' });
    }
    for (const d of props.dnsNames ?? []) {
      this.addDnsName(d);
    }
    this.duration = renderDuration(this, 'spec.duration', props.duration);
    this.renewBefore = renderDuration(this, 'spec.renewBefore', props.renewBefore);
    if (props.duration && props.renewBefore && durationMillis(props.renewBefore) >= durationMillis(props.duration)) {
      check(this, 'spec.renewBefore', {
        problem: 'renewBefore is not shorter than duration, so the certificate would renew forever',
        fix: 'use a renewBefore shorter than duration',
      });
    }
    this.addLateCheck(() => (this.dnsNames.length === 0
      ? [{ field: 'spec.dnsNames', problem: 'the certificate covers no name', fix: 'give dnsNames or call addDnsName()' }]
      : []));
  }

  /** Cover one more name; duplicates are ignored. */
  public addDnsName(name: string): void {
    check(this, 'spec.dnsNames', withFix(hostProblem(name, { allowWildcardAll: false, allowShortNames: false }), 'give a fully qualified name or a *.domain wildcard')
      ?? (name.startsWith('*') && !name.startsWith('*.')
        ? { problem: `"${name}": a certificate wildcard covers one whole label`, fix: 'write *.domain' }
        : undefined));
    if (!this.dnsNames.includes(name)) {
      this.dnsNames.push(name);
    }
  }

  protected renderSpec(): CertificateSpec {
    return {
      secretName: this.secretName,
      dnsNames: [...this.dnsNames],
      issuerRef: { name: this.issuer.name, kind: this.issuer.kind, group: this.issuer.group },
      duration: this.duration,
      renewBefore: this.renewBefore,
      // A new key with every renewal, so a leaked key stops working at the next renewal.
      privateKey: { rotationPolicy: 'Always' },
    };
  }
}
