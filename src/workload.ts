/**
 * A reference to the pods of one workload, for policies: their labels (what a selector
 * matches), their namespace and their service account (the identity other policies allow).
 */
import { Chart } from 'cdk8s';
import * as plus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import { AuthorizationPolicy } from './authorization-policy';
import { Operation } from './authorization-rule';
import { propError } from './errors';
import { INamespaceRef, IWorkloadRef } from './references';

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
 * Pods selected by labels in one namespace. In the spirit of cdk8s-plus
 * `connections.allowFrom`, `workload.allowFrom(caller)` opens it to another workload.
 */
export class Workload implements IWorkloadRef {
  /** Pods that carry `labels` in `namespace`, created by the app or elsewhere. */
  public static fromLabels(namespace: string | INamespaceRef, labels: Record<string, string>, options: WorkloadOptions = {}): Workload {
    const ns = typeof namespace === 'string' ? namespace : namespace.name;
    const copy = { ...labels };
    return new Workload(ns, () => copy, options.serviceAccountName,
      options.name ?? labels.app ?? labels['app.kubernetes.io/name'] ?? options.serviceAccountName, options.scope);
  }

  /**
   * The pods of a cdk8s-plus workload (Deployment, StatefulSet, DaemonSet). Its selector is
   * read when policies render, so `select()` calls made later still count. Policies created by
   * `allowFrom` are placed under it.
   */
  public static fromPlus(workload: plus.Workload): Workload {
    const namespace = workload.metadata.namespace ?? Chart.of(workload).namespace;
    if (!namespace) {
      propError(workload, 'metadata.namespace', 'the workload has no namespace and neither does its chart',
        'give the chart (or the workload\'s metadata) a namespace: policies are namespaced');
    }
    // No serviceAccount means the namespace's shared `default` account, which many pods use:
    // leaving it unknown makes `allowFrom(thisWorkload)` ask for a dedicated account instead of
    // silently allowing every pod that runs as `default`.
    return new Workload(namespace, () => workload.matchLabels, workload.serviceAccount?.name, workload.name, workload);
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
    const where = `Workload ${this.namespace}/${this.name ?? '(unnamed)'}`;
    if (!scope) {
      propError(where, 'allowFrom', 'the workload has no construct scope to create the policy in',
        'pass `scope` to Workload.fromLabels() or to allowFrom()');
    }
    if (!caller.serviceAccountName) {
      propError(where, 'allowFrom', `the caller in namespace ${caller.namespace} has no service account, so it has no identity to allow`,
        'give the caller a dedicated ServiceAccount (serviceAccountName, or `serviceAccount` on the cdk8s-plus workload)');
    }
    let name = options.name;
    if (!name) {
      if (!this.name) {
        propError(where, 'allowFrom', 'the workload has no name to derive the policy name from', 'pass `name` to Workload.fromLabels() or to allowFrom()');
      }
      name = `${this.name}-allow-from-${caller.namespace}-${caller.serviceAccountName}`;
    }
    if (scope.node.tryFindChild(name)) {
      propError(`${scope.node.path}/${name}`, 'metadata.name', `a construct named ${name} already exists: the caller is already allowed`,
        'call allowFrom once per caller, or pass a distinct `name`');
    }
    return AuthorizationPolicy.allowFromWorkloads(scope, name, {
      name,
      from: [caller],
      to: this,
      operations: options.operations,
      trustDomain: options.trustDomain,
    });
  }
}
