/**
 * The Gateway resource (networking.istio.io/v1): what a gateway deployment listens on. It
 * selects its deployment through a reference (an IngressGateway, or GatewayWorkload.fromSelector
 * for one outside the app), so its selector labels never drift from the pods'.
 */
import { Construct, IConstruct } from 'constructs';
import { Certificate } from './certificate';
import { Server } from './gateway-server';
import * as l1 from './l1';
import { MeshContext } from './mesh-context';
import { IGatewayRef, IGatewayWorkload } from './references';
import { dependOn, IstioResource, IstioResourceProps } from './resource';
import { check, checkAll, dnsLabelProblem } from './validation';

type GatewaySpec = l1.Wire<l1.GatewaySpec>;

export interface GatewayProps extends IstioResourceProps {
  /** The gateway pods this Gateway configures; its selector is theirs. */
  readonly workload: IGatewayWorkload;
  /** More can be added with addServer(). @default - none */
  readonly servers?: Server[];
}

export class Gateway extends IstioResource<GatewaySpec> implements IGatewayRef {
  /**
   * A Gateway resource the app does not create (a platform team's shared gateway). It is
   * declared to the analysis, so VirtualServices bound to it are not reported as dangling.
   */
  public static fromName(scope: IConstruct, namespace: string, name: string): IGatewayRef {
    check(scope, 'namespace', dnsLabelProblem(namespace, 'namespace name'));
    check(scope, 'name', dnsLabelProblem(name, 'Gateway name'));
    const gatewayRef = `${namespace}/${name}`;
    MeshContext.of(scope).declareExternalGateway(gatewayRef);
    return { gatewayRef };
  }

  public readonly workload: IGatewayWorkload;
  private readonly servers: Server[] = [];
  private readonly certificates = new Map<string, { readonly certificate: Certificate; readonly server: Server }>();

  public constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id, props, { ...l1.Gateway.GVK, naming: 'label' });
    this.workload = props.workload;
    if (!props.workload || Object.keys(props.workload.selector ?? {}).length === 0) {
      check(this, 'spec.selector', {
        problem: 'the workload has no selector labels, so the Gateway would configure every gateway in the cluster',
        fix: 'pass an IngressGateway, or GatewayWorkload.fromSelector(...) for a gateway outside the app',
      });
    }
    dependOn(this, props.workload);
    for (const server of props.servers ?? []) {
      this.addServer(server);
    }
    this.addLateCheck(() => (this.servers.length === 0
      ? [{ field: 'spec.servers', problem: 'the Gateway has no servers', fix: 'pass servers or call addServer()' }]
      : []));
  }

  /** `namespace/name`, as VirtualServices list it in `gateways`. */
  public get gatewayRef(): string {
    return `${this.namespace}/${this.name}`;
  }

  /** Add a server; validated now, rendered with the rest. */
  public addServer(server: Server): void {
    const index = this.servers.length;
    const field = `spec.servers[${index}]`;
    checkAll(this, field, server.problems());
    if (server.portName !== undefined) {
      check(this, `${field}.port.name`, dnsLabelProblem(server.portName, 'port name'));
    }
    if (server.portName !== undefined && this.servers.some((s) => s.portName === server.portName)) {
      check(this, `${field}.port.name`, {
        problem: `port name ${server.portName} is used by another server`,
        fix: 'give each server its own port name: Istio names HTTPS routes after it',
      });
    }
    if (server.name !== undefined && this.servers.some((s) => s.name === server.name)) {
      check(this, `${field}.name`, { problem: `server name ${server.name} is used twice`, fix: 'give each server its own name' });
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
        check(this, `${field}.tls.credentialName`, {
          problem: `two servers request certificates for Secret ${secretName} from different issuers`,
          fix: 'use one issuer per credentialName',
        });
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

  protected renderSpec(): GatewaySpec {
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
