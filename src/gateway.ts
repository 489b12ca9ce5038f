/**
 * The Gateway resource (networking.istio.io/v1): what a gateway deployment listens on. It
 * selects its deployment through a reference (an IngressGateway, or GatewayWorkload.fromSelector
 * for one outside the app), so its selector labels never drift from the pods'.
 */
import { ApiObject, Lazy } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import { MeshContext } from './analysis/mesh-context';
import { Certificate } from './certificate';
import { propError } from './errors';
import { Server } from './gateway-server';
import * as l1 from './l1';
import { IGatewayRef, IGatewayWorkload, INamespaceRef, resolveNamespace } from './references';

export interface GatewayProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
  /** The gateway pods this Gateway configures; its selector is theirs. */
  readonly workload: IGatewayWorkload;
  /** More can be added with addServer(). @default - none */
  readonly servers?: Server[];
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class Gateway extends Construct implements IGatewayRef {
  /**
   * A Gateway resource the app does not create (a platform team's shared gateway). It is
   * declared to the analysis, so VirtualServices bound to it are not reported as dangling.
   */
  public static fromName(scope: IConstruct, namespace: string, name: string): IGatewayRef {
    for (const [field, value] of [['namespace', namespace], ['name', name]] as const) {
      if (!NAME.test(value) || value.length > 63) {
        propError(scope, field, `"${value}" is not a valid ${field}`, 'give the namespace and name of the existing Gateway');
      }
    }
    const gatewayRef = `${namespace}/${name}`;
    MeshContext.of(scope).declareExternalGateway(gatewayRef);
    return { gatewayRef };
  }

  public readonly name: string;
  public readonly namespace: string;
  public readonly workload: IGatewayWorkload;
  public readonly apiObject: ApiObject;
  private readonly servers: Server[] = [];
  private readonly certificates = new Map<string, { readonly certificate: Certificate; readonly server: Server }>();

  public constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = resolveNamespace(this, props.namespace);
    this.workload = props.workload;
    if (!NAME.test(this.name) || this.name.length > 63) {
      propError(this, 'metadata.name', `"${this.name}" is not a valid Gateway name`, 'use lowercase letters, digits and inner hyphens');
    }
    if (!props.workload || Object.keys(props.workload.selector ?? {}).length === 0) {
      propError(this, 'spec.selector', 'the workload has no selector labels, so the Gateway would configure every gateway in the cluster',
        'pass an IngressGateway, or GatewayWorkload.fromSelector(...) for a gateway outside the app');
    }
    for (const server of props.servers ?? []) {
      this.addServer(server);
    }
    this.node.addValidation({
      validate: () => (this.servers.length === 0
        ? [`[${this.node.path}] spec.servers: the Gateway has no servers (fix: pass servers or call addServer())`]
        : []),
    });

    this.apiObject = new l1.Gateway(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: Lazy.any({ produce: () => this.renderSpec() }) as unknown as l1.GatewaySpec,
    });
  }

  /** `namespace/name`, as VirtualServices list it in `gateways`. */
  public get gatewayRef(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** Add a server; validated now, rendered with the rest. */
  public addServer(server: Server): void {
    const index = this.servers.length;
    const field = `spec.servers[${index}]`;
    const [problem] = server.problems();
    if (problem) {
      propError(this, `${field}.${problem.field}`, problem.problem, problem.fix);
    }
    if (server.portName !== undefined && !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(server.portName)) {
      propError(this, `${field}.port.name`, `"${server.portName}" is not a port name`, 'use lowercase letters, digits and inner hyphens');
    }
    if (server.portName !== undefined && this.servers.some((s) => s.portName === server.portName)) {
      propError(this, `${field}.port.name`, `port name ${server.portName} is used by another server`,
        'give each server its own port name: Istio names HTTPS routes after it');
    }
    if (server.name !== undefined && this.servers.some((s) => s.name === server.name)) {
      propError(this, `${field}.name`, `server name ${server.name} is used twice`, 'give each server its own name');
    }
    if (server.certificate && server.tls?.credentialName) {
      this.addCertificate(server, field);
    }
    this.servers.push(server);
  }

  private addCertificate(server: Server, field: string): void {
    const secretName = server.tls?.credentialName ?? '';
    const options = server.certificate!;
    const existing = this.certificates.get(secretName);
    if (existing) {
      if (!existing.certificate.issuer.equals(options.issuer)) {
        propError(this, `${field}.tls.credentialName`, `two servers request certificates for Secret ${secretName} from different issuers`,
          'use one issuer per credentialName');
      }
      for (const dns of server.dnsNames) {
        existing.certificate.addDnsName(dns);
      }
      return;
    }
    // Istio reads the Secret where the gateway pods run, so the Certificate goes there too.
    const certificate = new Certificate(this, `Certificate-${secretName}`, {
      secretName,
      namespace: this.workload.namespace,
      issuer: options.issuer,
      dnsNames: server.dnsNames,
      duration: options.duration,
      renewBefore: options.renewBefore,
    });
    this.certificates.set(secretName, { certificate, server });
  }

  /** Certificates this Gateway creates, by Secret name. */
  public get certificateObjects(): readonly Certificate[] {
    return [...this.certificates.values()].map((c) => c.certificate);
  }

  private renderSpec(): l1.GatewaySpec {
    const taken = new Set(this.servers.map((s) => s.portName).filter((n): n is string => n !== undefined));
    const servers = this.servers.map((server) => {
      let portName = server.portName;
      if (portName === undefined) {
        const base = `${server.protocol.toLowerCase()}-${server.port}`;
        portName = base;
        for (let n = 2; taken.has(portName); n++) {
          portName = `${base}-${n}`;
        }
        taken.add(portName);
      }
      return server.render(portName);
    });
    return { selector: { ...this.workload.selector }, servers };
  }
}
