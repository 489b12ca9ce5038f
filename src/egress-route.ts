/**
 * Egress through an egress gateway, as one construct: a ServiceEntry for the external host, a
 * Gateway on the egress gateway pods, a VirtualService that sends mesh traffic for the host to
 * the egress gateway and from there to the host, and the DestinationRules both hops need.
 * Routing egress through dedicated pods gives one place to apply egress policy and a fixed set
 * of source IPs for the external side's allow-lists.
 */
import { Construct } from 'constructs';
import { DestinationRule, Subset } from './destination-rule';
import { Gateway } from './gateway';
import { GatewayTls, Server } from './gateway-server';
import { Match } from './http-match';
import { IGatewayRef, IGatewayWorkload, IServiceRef } from './references';
import { checkMetadata, IstioResourceProps, namespaceOf } from './resource';
import { Destination } from './route-destination';
import { PortProtocol, ServiceEntry } from './service-entry';
import { ClientTls, SimpleClientTlsOptions } from './traffic-policy';
import { check, dnsLabelProblem, hostProblem, portProblem } from './validation';
import { MESH_GATEWAY, VirtualService } from './virtual-service';

/** Who speaks TLS to the external host. */
export class EgressTls {
  /**
   * The application opens TLS to the host itself; sidecar and egress gateway route by SNI and
   * never see the plain text. The default.
   */
  public static passthrough(): EgressTls {
    return new EgressTls('passthrough', {});
  }

  /**
   * The application sends plain HTTP to port 80; the sidecar forwards it to the egress gateway
   * over Istio mTLS, and the egress gateway originates TLS to the host (so egress policy can see
   * paths and headers). `options` verify the host's certificate.
   */
  public static originate(options: SimpleClientTlsOptions = {}): EgressTls {
    return new EgressTls('originate', options);
  }

  private constructor(public readonly mode: 'passthrough' | 'originate', public readonly options: SimpleClientTlsOptions) {}
}

export interface EgressRouteProps extends IstioResourceProps {
  /** Base name of the objects; `metadata` goes on each of them. @default - the construct id */
  readonly name?: string;
  /** The external host, e.g. `api.example.com`. */
  readonly host: string;
  /** The egress gateway pods and their Service (an edge construct, or a reference to an installed one). */
  readonly egressGateway: IGatewayWorkload;
  /** @default EgressTls.passthrough() */
  readonly tls?: EgressTls;
  /** The host's TLS port. @default 443 */
  readonly port?: number;
  /**
   * Port of the egress gateway's Service the Gateway listens on.
   * @default 443 for passthrough, 80 for origination (the ports Istio's egress gateway exposes)
   */
  readonly gatewayPort?: number;
}

export class EgressRoute extends Construct implements IGatewayRef {
  public readonly name: string;
  public readonly namespace: string;
  public readonly serviceEntry: ServiceEntry;
  public readonly virtualService: VirtualService;
  /** Rule for the egress gateway's Service, holding the subset mesh traffic is sent to. */
  public readonly gatewayDestinationRule: DestinationRule;
  /** Rule for the external host (TLS origination only). */
  public readonly hostDestinationRule?: DestinationRule;
  public readonly gatewaySubset: Subset;
  /** The Gateway on the egress gateway pods. */
  public readonly gateway: Gateway;
  /** The Gateway on the egress gateway pods, as `namespace/name`. */
  public readonly gatewayRef: string;

  public constructor(scope: Construct, id: string, props: EgressRouteProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = namespaceOf(this, props.namespace);
    checkMetadata(this, 'metadata', props.metadata);
    check(this, 'name', dnsLabelProblem(this.name, 'name'));
    check(this, 'host', hostProblem(props.host, { allowWildcardAll: false, allowShortNames: false }) ?? (props.host.startsWith('*')
      ? { problem: `"${props.host}" is not an external host: wildcards cannot be routed to a single destination`, fix: 'use a fully qualified name such as api.example.com' }
      : undefined));
    const tls = props.tls ?? EgressTls.passthrough();
    const originate = tls.mode === 'originate';
    const port = props.port ?? 443;
    const gatewayPort = props.gatewayPort ?? (originate ? 80 : 443);
    check(this, 'port', portProblem(port, 'use a port from 1 to 65535'));
    check(this, 'gatewayPort', portProblem(gatewayPort, 'use a port from 1 to 65535'));
    const gw = props.egressGateway;
    if (!gw.service) {
      check(this, 'egressGateway.service', {
        problem: 'the egress gateway has no Service, so mesh traffic cannot be sent to it',
        fix: 'pass a gateway workload with its Service (e.g. ServiceRef.fromName(\'istio-egressgateway\', \'istio-system\', { ports: [80, 443] }))',
      });
    }
    const gatewayService: IServiceRef = gw.service!;
    const known = gw.servicePorts ?? gatewayService.ports;
    if (known && known.length > 0 && !known.includes(gatewayPort)) {
      check(this, 'gatewayPort', { problem: `the egress gateway's Service exposes ${known.join(', ')}, not ${gatewayPort}`, fix: 'pick one of its ports with gatewayPort' });
    }
    if (Object.keys(gw.selector).length === 0) {
      check(this, 'egressGateway.selector', { problem: 'is empty, so the Gateway would select every pod', fix: 'use the gateway pods\' labels, e.g. { istio: \'egressgateway\' }' });
    }
    const ns = props.namespace ?? this.namespace;
    const metadata = props.metadata;

    this.serviceEntry = new ServiceEntry(this, 'ServiceEntry', {
      name: this.name,
      namespace: ns,
      metadata,
      hosts: [props.host],
      ports: originate
        ? [{ number: 80, protocol: PortProtocol.HTTP }, { number: port, protocol: PortProtocol.HTTPS }]
        : [{ number: port, protocol: PortProtocol.TLS }],
    });

    this.gateway = new Gateway(this, 'Gateway', {
      name: `${this.name}-egress`,
      namespace: ns,
      metadata,
      workload: gw,
      servers: [originate
        ? Server.https({ hosts: [props.host], port: gatewayPort, portName: `https-${gatewayPort}`, tls: GatewayTls.istioMutual() })
        : Server.tls({ hosts: [props.host], port: gatewayPort, portName: `tls-${gatewayPort}`, tls: GatewayTls.passthrough() })],
    });
    const gatewayRef: IGatewayRef = this.gateway;

    this.gatewayDestinationRule = new DestinationRule(this, 'GatewayDestinationRule', {
      name: `${this.name}-egress-gateway`,
      namespace: ns,
      metadata,
      host: gatewayService,
    });
    this.gatewaySubset = this.gatewayDestinationRule.addSubset(this.name, {}, originate
      ? { trafficPolicy: { portLevelSettings: [{ port: gatewayPort, tls: ClientTls.istioMutual({ sni: props.host }) }] } }
      : {});

    this.virtualService = new VirtualService(this, 'VirtualService', {
      name: this.name,
      namespace: ns,
      metadata,
      hosts: [props.host],
      gateways: [gatewayRef, MESH_GATEWAY],
    });
    const toGateway = Destination.to(gatewayService, { port: gatewayPort, subset: this.gatewaySubset });
    const toHost = Destination.to(props.host, { port });
    if (originate) {
      this.virtualService.addHttpRoute({ name: 'mesh-to-egress-gateway', match: [Match.port(80).and(Match.onGateways(MESH_GATEWAY))], to: [toGateway] });
      this.virtualService.addHttpRoute({ name: 'egress-gateway-to-host', match: [Match.port(gatewayPort).and(Match.onGateways(gatewayRef))], to: [toHost] });
      this.hostDestinationRule = new DestinationRule(this, 'HostDestinationRule', {
        name: this.name,
        namespace: ns,
        metadata,
        host: props.host,
        trafficPolicy: { portLevelSettings: [{ port, tls: ClientTls.simple({ ...tls.options, sni: tls.options.sni ?? props.host }) }] },
      });
    } else {
      this.virtualService.addTlsRoute({ match: [{ gateways: [MESH_GATEWAY], port, sniHosts: [props.host] }], to: [toGateway] });
      this.virtualService.addTlsRoute({ match: [{ gateways: [gatewayRef], port: gatewayPort, sniHosts: [props.host] }], to: [toHost] });
    }
    this.gatewayRef = gatewayRef.gatewayRef;
  }
}
