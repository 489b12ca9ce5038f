/**
 * A reference to the pods of one workload, for policies: their labels (what a selector
 * matches), their namespace and their service account (the identity other policies allow).
 */
import { Chart } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AuthorizationPolicy } from './authorization-policy';
import { Operation } from './authorization-rule';
import { INamespaceRef, IWorkloadRef } from './references';
import { namespaceName } from './resource';
import { check } from './validation';

export interface WorkloadOptions {
  /**
   * The pods' service account. Needed to allow this workload to call others.
   * @default - unknown: `allowFrom(thisWorkload)` is refused
   */
  readonly serviceAccountName?: string;
  /**
   * A short name for the workload, used to name the policies it creates.
   * @default - the `app` or `app.kubernetes.io/name` label, else the service account name
   */
  readonly name?: string;
  /**
   * Where `allowFrom` creates its policies (their chart decides the output file).
   * @default - none: `allowFrom` then needs `scope` in its options
   */
  readonly scope?: Construct;
}

export interface AllowFromOptions {
  /** Limit what the caller may ask for. @default - any operation */
  readonly operations?: Operation[];
  /**
   * Where the policy is created.
   * @default - the workload's scope (the Deployment for `Workload.fromPlus`)
   */
  readonly scope?: Construct;
  /** Object name, which is also the construct id. @default `<workload>-allow-from-<caller namespace>-<caller service account>` */
  readonly name?: string;
  /** SPIFFE trust domain of the mesh. @default 'cluster.local' */
  readonly trustDomain?: string;
}

/**
 * Pods selected by labels in one namespace, as mesh policies see them. In the spirit of
 * cdk8s-plus `connections.allowFrom`, `workload.allowFrom(caller)` opens it to another workload.
 * (Named so it does not clash with cdk8s-plus's `Workload`, which users import beside it.)
 */
export class MeshWorkload implements IWorkloadRef {
  /** Pods that carry `labels` in `namespace`, created by the app or elsewhere. */
  public static fromLabels(namespace: string | INamespaceRef, labels: Record<string, string>, options: WorkloadOptions = {}): MeshWorkload {
    // A value object: the policies and sidecars that select these pods check the labels, so the
    // error names their construct path and field.
    const ns = namespaceName(namespace);
    const copy = { ...labels };
    return new MeshWorkload(ns, () => copy, options.serviceAccountName,
      options.name ?? labels.app ?? labels['app.kubernetes.io/name'] ?? options.serviceAccountName, options.scope);
  }

  /**
   * The pods of a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet). Its selector is
   * read when policies render, so `select()` calls made later still count. Policies created by
   * `allowFrom` are placed under it.
   */
  public static fromPlus(workload: plus.Workload): MeshWorkload {
    const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
    if (!namespace) {
      check(workload, 'metadata.namespace', {
        problem: 'the workload has no namespace and neither does its chart',
        fix: 'give the chart (or the workload\'s metadata) a namespace: policies are namespaced',
      });
    }
    // No serviceAccount means the namespace's shared `default` account, which many pods use:
    // leaving it unknown makes `allowFrom(thisWorkload)` ask for a dedicated account instead of
    // silently allowing every pod that runs as `default`.
    return new MeshWorkload(namespace!, () => workload.matchLabels, workload.serviceAccount?.name, workload.name, workload);
  }

  private constructor(
    public readonly namespace: string,
    private readonly labels: () => Record<string, string>,
    public readonly serviceAccountName: string | undefined,
    /** Short name used in the names of policies this workload creates. @default - none */
    public readonly name: string | undefined,
    private readonly scope: Construct | undefined,
  ) {}

  public get selector(): Readonly<Record<string, string>> {
    return this.labels();
  }

  /**
   * Allow `caller` to call this workload: an ALLOW policy selecting these pods that lets in the
   * caller's service-account principal (mTLS identity).
   */
  public allowFrom(caller: IWorkloadRef, options: AllowFromOptions = {}): AuthorizationPolicy {
    const scope = options.scope ?? this.scope;
    const where = `MeshWorkload ${this.namespace}/${this.name ?? '(unnamed)'}`;
    if (!scope) {
      check(where, 'allowFrom', { problem: 'the workload has no construct scope to create the policy in', fix: 'pass `scope` to MeshWorkload.fromLabels() or to allowFrom()' });
    }
    if (!caller.serviceAccountName) {
      check(where, 'allowFrom', {
        problem: `the caller in namespace ${caller.namespace} has no service account, so it has no identity to allow`,
        fix: 'give the caller a dedicated ServiceAccount (serviceAccountName, or `serviceAccount` on the cdk8s-plus workload)',
      });
    }
    let name = options.name;
    if (!name) {
      if (!this.name) {
        check(where, 'allowFrom', { problem: 'the workload has no name to derive the policy name from', fix: 'pass `name` to MeshWorkload.fromLabels() or to allowFrom()' });
      }
      name = `${this.name}-allow-from-${caller.namespace}-${caller.serviceAccountName}`;
    }
    if (scope!.node.tryFindChild(name)) {
      check(`${scope!.node.path}/${name}`, 'metadata.name', {
        problem: `a construct named ${name} already exists: the caller is already allowed`,
        fix: 'call allowFrom once per caller, or pass a distinct `name`',
      });
    }
    return AuthorizationPolicy.allowFromWorkloads(scope!, name, {
      name,
      from: [caller],
      to: this,
      operations: options.operations,
      trustDomain: options.trustDomain,
    });
  }
}

/** @deprecated renamed to MeshWorkload, so it does not clash with cdk8s-plus's `Workload`; this alias goes in the next release. */
export const Workload = MeshWorkload;
/** @deprecated renamed to MeshWorkload */
export type Workload = MeshWorkload;
