/**
 * ServiceEntry: adds a host to the mesh's service registry, typically an external API, so that a
 * mesh with `outboundTrafficPolicy: REGISTRY_ONLY` can reach it and routes and DestinationRules
 * can apply to it.
 */
import { Construct } from 'constructs';
import { checkExportTo } from './destination-rule';
import * as l1 from './l1';
import { IServiceRef } from './references';
import { IstioResource, IstioResourceProps } from './resource';
import { check, cidrProblem, countProblem, dnsLabelProblem, hostProblem, isIpAddress, labelsProblem, portProblem, withFix } from './validation';

type ServiceEntrySpec = l1.Wire<l1.ServiceEntrySpec>;

/** Protocols Istio knows for a port. */
export enum PortProtocol {
  HTTP = 'HTTP',
  HTTPS = 'HTTPS',
  HTTP2 = 'HTTP2',
  GRPC = 'GRPC',
  TCP = 'TCP',
  TLS = 'TLS',
  MONGO = 'MONGO',
  MYSQL = 'MYSQL',
  REDIS = 'REDIS',
}

export enum ServiceEntryResolution {
  /** Resolve the hosts (or endpoint names) by DNS; the usual choice for external APIs. */
  DNS = 'DNS',
  /** Like DNS, but connect to the first address only (for hosts with many addresses). */
  DNS_ROUND_ROBIN = 'DNS_ROUND_ROBIN',
  /** Use the IP addresses listed in `endpoints`. */
  STATIC = 'STATIC',
  /** Forward to the address the client connected to (wildcard hosts, IP ranges). */
  NONE = 'NONE',
}

export enum ServiceEntryLocation {
  /** Outside the mesh: no mTLS, metrics as external. */
  MESH_EXTERNAL = 'MESH_EXTERNAL',
  /** Part of the mesh (VMs, services of another cluster). */
  MESH_INTERNAL = 'MESH_INTERNAL',
}

export interface ServiceEntryPort {
  readonly number: number;
  readonly protocol: PortProtocol;
  /** @default - `<protocol>-<number>`, e.g. `https-443` */
  readonly name?: string;
  /** Port on the endpoints, when it differs. @default - `number` */
  readonly targetPort?: number;
}

export interface ServiceEntryEndpoint {
  /** IP address (STATIC) or host name (DNS). */
  readonly address: string;
  /** Port name → endpoint port. @default - the ServiceEntry's ports */
  readonly ports?: Record<string, number>;
  /** @default - none */
  readonly labels?: Record<string, string>;
  /** @default - none */
  readonly network?: string;
  /** `region/zone/subzone`. @default - none */
  readonly locality?: string;
  /** Relative load-balancing weight. @default - equal weights */
  readonly weight?: number;
}

export interface ServiceEntryProps extends IstioResourceProps {
  /** FQDNs (or `*.example.com` with resolution NONE). */
  readonly hosts: string[];
  readonly ports: ServiceEntryPort[];
  /** @default ServiceEntryResolution.DNS */
  readonly resolution?: ServiceEntryResolution;
  /** @default ServiceEntryLocation.MESH_EXTERNAL */
  readonly location?: ServiceEntryLocation;
  /** @default - none: with DNS resolution the hosts themselves are resolved */
  readonly endpoints?: ServiceEntryEndpoint[];
  /** Virtual IPs or CIDR blocks of the service (needed for non-HTTP traffic without DNS). @default - none */
  readonly addresses?: string[];
  /** @default - every namespace (Istio's default) */
  readonly exportTo?: string[];
  /** Names the endpoints' certificates must carry (MESH_INTERNAL with mTLS). @default - none */
  readonly subjectAltNames?: string[];
}

export class ServiceEntry extends IstioResource<ServiceEntrySpec> implements IServiceRef {
  public readonly hosts: readonly string[];
  public readonly ports: readonly number[];
  private readonly spec: ServiceEntrySpec;

  public constructor(scope: Construct, id: string, props: ServiceEntryProps) {
    super(scope, id, props, l1.ServiceEntry.GVK);
    const resolution = props.resolution ?? ServiceEntryResolution.DNS;
    const endpoints = props.endpoints ?? [];

    if (props.hosts.length === 0) {
      check(this, 'spec.hosts', { problem: 'no hosts', fix: 'list the external hosts, e.g. [\'api.example.com\']' });
    }
    props.hosts.forEach((h, i) => {
      check(this, `spec.hosts[${i}]`, withFix(hostProblem(h, { allowWildcardAll: false, allowShortNames: false }), 'use a fully qualified name such as api.example.com'));
      if (h.startsWith('*') && (resolution === ServiceEntryResolution.DNS || resolution === ServiceEntryResolution.DNS_ROUND_ROBIN) && endpoints.length === 0) {
        check(this, `spec.hosts[${i}]`, { problem: `the wildcard "${h}" cannot be resolved by DNS`, fix: 'use resolution NONE for wildcard hosts, or list endpoints' });
      }
      if (props.hosts.indexOf(h) !== i) {
        check(this, `spec.hosts[${i}]`, { problem: `"${h}" is listed twice`, fix: 'list each host once' });
      }
    });

    if (props.ports.length === 0) {
      check(this, 'spec.ports', { problem: 'no ports', fix: 'list the ports with their protocols, e.g. { number: 443, protocol: PortProtocol.TLS }' });
    }
    const names = new Set<string>();
    const numbers = new Set<number>();
    const ports = props.ports.map((p, i) => {
      const field = `spec.ports[${i}]`;
      check(this, `${field}.number`, portProblem(p.number, 'use a port from 1 to 65535'));
      if (p.targetPort !== undefined) {
        check(this, `${field}.targetPort`, portProblem(p.targetPort, 'use a port from 1 to 65535'));
      }
      const name = p.name ?? `${p.protocol.toLowerCase()}-${p.number}`;
      check(this, `${field}.name`, withFix(dnsLabelProblem(name, 'port name'), 'use a name such as https-443'));
      if (names.has(name)) {
        check(this, `${field}.name`, { problem: `port name "${name}" is used twice`, fix: 'give each port its own name' });
      }
      if (numbers.has(p.number)) {
        check(this, `${field}.number`, { problem: `port ${p.number} is listed twice`, fix: 'list each port once' });
      }
      names.add(name);
      numbers.add(p.number);
      return { number: p.number, protocol: p.protocol, name, targetPort: p.targetPort };
    });

    if (resolution === ServiceEntryResolution.STATIC && endpoints.length === 0) {
      check(this, 'spec.endpoints', { problem: 'STATIC resolution needs endpoints', fix: 'list the endpoints\' IP addresses, or use DNS resolution' });
    }
    if (resolution === ServiceEntryResolution.NONE && endpoints.length > 0) {
      check(this, 'spec.endpoints', { problem: 'endpoints are ignored with resolution NONE', fix: 'use STATIC or DNS resolution, or drop the endpoints' });
    }
    if (resolution === ServiceEntryResolution.DNS_ROUND_ROBIN && endpoints.length > 1) {
      check(this, 'spec.endpoints', { problem: 'DNS_ROUND_ROBIN takes at most one endpoint', fix: 'use DNS resolution for several endpoints' });
    }
    endpoints.forEach((e, i) => {
      const field = `spec.endpoints[${i}]`;
      if (resolution === ServiceEntryResolution.STATIC && !isIpAddress(e.address) && !e.address.startsWith('unix://')) {
        check(this, `${field}.address`, { problem: `"${e.address}" is not an IP address, which STATIC resolution needs`, fix: 'use an IP address, or DNS resolution for host names' });
      }
      if (resolution !== ServiceEntryResolution.STATIC && !isIpAddress(e.address)) {
        check(this, `${field}.address`, withFix(hostProblem(e.address, { allowWildcardAll: false }), 'use an IP address or a host name'));
      }
      for (const [portName, port] of Object.entries(e.ports ?? {})) {
        if (!names.has(portName)) {
          check(this, `${field}.ports.${portName}`, { problem: `no port named "${portName}"`, fix: `use one of ${[...names].join(', ')}` });
        }
        check(this, `${field}.ports.${portName}`, portProblem(port, 'use a port from 1 to 65535'));
      }
      check(this, `${field}.labels`, labelsProblem(e.labels));
      check(this, `${field}.weight`, countProblem(e.weight, 1));
    });
    (props.addresses ?? []).forEach((a, i) => check(this, `spec.addresses[${i}]`, cidrProblem(a)));
    checkExportTo(this, props.exportTo);

    this.hosts = [...props.hosts];
    this.ports = ports.map((p) => p.number);
    this.spec = {
      hosts: [...props.hosts],
      addresses: props.addresses && [...props.addresses],
      ports,
      location: props.location ?? ServiceEntryLocation.MESH_EXTERNAL,
      resolution,
      endpoints: endpoints.length > 0 ? endpoints.map((e) => ({
        address: e.address,
        ports: e.ports && { ...e.ports },
        labels: e.labels && { ...e.labels },
        network: e.network,
        locality: e.locality,
        weight: e.weight,
      })) : undefined,
      exportTo: props.exportTo && [...props.exportTo],
      subjectAltNames: props.subjectAltNames && [...props.subjectAltNames],
    };
  }

  /** The first host, so the entry can be used where a single service is expected (routes, DestinationRules). */
  public get host(): string {
    return this.hosts[0];
  }

  protected renderSpec(): ServiceEntrySpec {
    return this.spec;
  }
}
