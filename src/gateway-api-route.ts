/**
 * What HTTPRoutes and GRPCRoutes share: parents, hostnames, and backends resolved to Service
 * name, namespace and port, with the ReferenceGrant a backend in another namespace needs created
 * in that namespace (the Gateway API ignores such a backend otherwise; the route's status says
 * RefNotPermitted and its requests get a 500).
 */
import { Construct } from 'constructs';
import { GrantsFrom } from './reference-grant';
import { IstioResource, IstioResourceProps, ResourceType } from './resource';
import { IRouteParent, ParentReference, resolveService, RouteBackend } from './route-parts';
import { check, checkAll, hostProblem } from './validation';
import { FieldProblem } from './validation/problem';

/** A backendRef as both route kinds write it (a Service: the default group and kind). */
export interface BackendReference {
  readonly name: string;
  readonly namespace?: string;
  readonly port?: number;
  readonly weight?: number;
}

export interface GatewayApiRouteProps extends IstioResourceProps {
  /** Gateways (or listeners) the route attaches to, or Services for mesh routing. More with addParent(). @default - none */
  readonly parents?: IRouteParent[];
  /** Hosts the route answers for; wildcards such as `*.example.com` allowed. @default - every host its listeners take */
  readonly hostnames?: string[];
}

/** What both route kinds' specs are made of: parents, hostnames and their own kind of rules. */
export interface RouteSpecOf<Rule> {
  readonly parentRefs: ParentReference[];
  readonly hostnames?: string[];
  readonly rules: Rule[];
}

export abstract class GatewayApiRoute<Spec, Rule> extends IstioResource<Spec> {
  protected readonly parents: ParentReference[] = [];
  protected readonly hostnames: readonly string[];
  /** Each rule, rendered when the app renders (its backends' ports may be known only then). */
  protected readonly rules: Array<() => Rule> = [];
  private readonly grants: GrantsFrom;
  private readonly late: Array<() => FieldProblem[]> = [];

  protected constructor(scope: Construct, id: string, props: GatewayApiRouteProps, type: ResourceType) {
    super(scope, id, props, type);
    this.grants = new GrantsFrom(this, type.kind);
    this.hostnames = [...(props.hostnames ?? [])];
    this.hostnames.forEach((h, i) => check(this, `hostnames[${i}]`, hostProblem(h, { allowWildcardAll: false })));
    (props.parents ?? []).forEach((p) => this.addParent(p));
    this.addLateCheck(() => [
      ...(this.parents.length === 0 ? [{ field: 'spec.parentRefs', problem: 'the route attaches to nothing, so no gateway or mesh proxy serves it', fix: 'pass parents (a KubernetesGateway, one of its listeners, or RouteParent.service(...)) or call addParent()' }] : []),
      ...(this.rules.length === 0 ? [{ field: 'spec.rules', problem: 'the route has no rules', fix: 'pass rules or call addRule()' }] : []),
      ...this.late.flatMap((f) => f()),
    ]);
  }

  /** Attach the route to a Gateway, a listener of one, or a Service. */
  public addParent(parent: IRouteParent): void {
    const ref = parent.parentReference;
    const same = (a: ParentReference) => a.kind === ref.kind && a.name === ref.name && a.namespace === ref.namespace && a.sectionName === ref.sectionName && a.port === ref.port;
    if (this.parents.some(same)) {
      check(this, `spec.parentRefs[${this.parents.length}]`, { problem: `${ref.kind} ${ref.namespace}/${ref.name} is a parent already`, fix: 'list each parent once' });
    }
    this.parents.push({ ...ref });
  }

  /**
   * The backendRef of `backend`, checked now (options) and at render (the port, once the Service
   * has them all); a Service in another namespace is granted here.
   */
  protected backendReference(field: string, backend: RouteBackend): () => BackendReference {
    checkAll(this, field, backend.problems());
    const svc = resolveService(this, `${field}.name`, backend.target, this.namespace);
    if (svc.namespace !== this.namespace) {
      this.grants.in(svc.namespace).allowTo({ kind: 'Service', name: svc.name });
    }
    const port = (): number | undefined => {
      if (backend.options.port !== undefined) {
        return backend.options.port;
      }
      const ports = svc.ports();
      return ports && ports.length === 1 ? ports[0] : undefined;
    };
    this.late.push(() => {
      const ports = svc.ports();
      if (port() === undefined) {
        return [{ field: `${field}.port`, problem: `Service ${svc.namespace}/${svc.name} ${ports ? `exposes ${ports.length} ports (${ports.join(', ')})` : 'has no known ports'}, so the backend needs its port`, fix: 'pass port in RouteBackend.to(service, { port })' }];
      }
      if (ports && !ports.includes(port()!)) {
        return [{ field: `${field}.port`, problem: `Service ${svc.namespace}/${svc.name} has no port ${port()} (ports: ${ports.join(', ')})`, fix: 'use one of the Service\'s ports' }];
      }
      return [];
    });
    return () => ({
      name: svc.name,
      ...(svc.namespace !== this.namespace ? { namespace: svc.namespace } : {}),
      ...(port() !== undefined ? { port: port() } : {}),
      ...(backend.options.weight !== undefined ? { weight: backend.options.weight } : {}),
    });
  }

  /** The spec both kinds share the shape of. */
  protected renderRoute(): RouteSpecOf<Rule> {
    return {
      parentRefs: this.parents.map((p) => ({ ...p })),
      ...(this.hostnames.length ? { hostnames: [...this.hostnames] } : {}),
      rules: this.rules.map((r) => r()),
    };
  }
}
