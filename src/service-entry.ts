/**
 * ServiceEntry: adds a host to the mesh's service registry, typically an external API, so that a
 * mesh with `outboundTrafficPolicy: REGISTRY_ONLY` can reach it and routes and DestinationRules
 * can apply to it.
 */
import { Construct } from 'constructs';
import { propError } from './errors';
import { hostProblem, portProblem } from './host';
import * as l1 from './l1';
import { INamespaceRef, IServiceRef, resolveNamespace } from './references';
import { checkCount, checkExportTo, cidrProblem, dnsLabelProblem, isIp } from './routing-internal';

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

export interface ServiceEntryProps {
  /** Object name. @default - the construct id */
  readonly name?: string;
  /** @default - the chart's namespace */
  readonly namespace?: string | INamespaceRef;
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

export class ServiceEntry extends Construct implements IServiceRef {
  public readonly name: string;
  public readonly namespace: string;
  public readonly hosts: readonly string[];
  public readonly ports: readonly number[];

  public constructor(scope: Construct, id: string, props: ServiceEntryProps) {
    super(scope, id);
    this.name = props.name ?? id;
    this.namespace = resolveNamespace(this, props.namespace);
    const resolution = props.resolution ?? ServiceEntryResolution.DNS;
    const endpoints = props.endpoints ?? [];

    if (props.hosts.length === 0) {
      propError(this, 'spec.hosts', 'no hosts', 'list the external hosts, e.g. [\'api.example.com\']');
    }
    props.hosts.forEach((h, i) => {
      const problem = hostProblem(h, { allowWildcardAll: false, allowShortNames: false });
      if (problem) {
        propError(this, `spec.hosts[${i}]`, `"${h}" is not a valid host: ${problem}`, 'use a fully qualified name such as api.example.com');
      }
      if (h.startsWith('*') && (resolution === ServiceEntryResolution.DNS || resolution === ServiceEntryResolution.DNS_ROUND_ROBIN) && endpoints.length === 0) {
        propError(this, `spec.hosts[${i}]`, `the wildcard "${h}" cannot be resolved by DNS`, 'use resolution NONE for wildcard hosts, or list endpoints');
      }
      if (props.hosts.indexOf(h) !== i) {
        propError(this, `spec.hosts[${i}]`, `"${h}" is listed twice`, 'list each host once');
      }
    });

    if (props.ports.length === 0) {
      propError(this, 'spec.ports', 'no ports', 'list the ports with their protocols, e.g. { number: 443, protocol: PortProtocol.TLS }');
    }
    const names = new Set<string>();
    const numbers = new Set<number>();
    const ports = props.ports.map((p, i) => {
      const field = `spec.ports[${i}]`;
      const problem = portProblem(p.number);
      if (problem) {
        propError(this, `${field}.number`, problem, 'use a port from 1 to 65535');
      }
      if (p.targetPort !== undefined && portProblem(p.targetPort)) {
        propError(this, `${field}.targetPort`, portProblem(p.targetPort) as string, 'use a port from 1 to 65535');
      }
      const name = p.name ?? `${p.protocol.toLowerCase()}-${p.number}`;
      const nameProblem = dnsLabelProblem(name);
      if (nameProblem) {
        propError(this, `${field}.name`, `"${name}": ${nameProblem}`, 'use a name such as https-443');
      }
      if (names.has(name)) {
        propError(this, `${field}.name`, `port name "${name}" is used twice`, 'give each port its own name');
      }
      if (numbers.has(p.number)) {
        propError(this, `${field}.number`, `port ${p.number} is listed twice`, 'list each port once');
      }
      names.add(name);
      numbers.add(p.number);
      return { number: p.number, protocol: p.protocol, name, targetPort: p.targetPort };
    });

    if (resolution === ServiceEntryResolution.STATIC && endpoints.length === 0) {
      propError(this, 'spec.endpoints', 'STATIC resolution needs endpoints', 'list the endpoints\' IP addresses, or use DNS resolution');
    }
    if (resolution === ServiceEntryResolution.NONE && endpoints.length > 0) {
      propError(this, 'spec.endpoints', 'endpoints are ignored with resolution NONE', 'use STATIC or DNS resolution, or drop the endpoints');
    }
    if (resolution === ServiceEntryResolution.DNS_ROUND_ROBIN && endpoints.length > 1) {
      propError(this, 'spec.endpoints', 'DNS_ROUND_ROBIN takes at most one endpoint', 'use DNS resolution for several endpoints');
    }
    endpoints.forEach((e, i) => {
      const field = `spec.endpoints[${i}]`;
      if (resolution === ServiceEntryResolution.STATIC && !isIp(e.address) && !e.address.startsWith('unix://')) {
        propError(this, `${field}.address`, `"${e.address}" is not an IP address, which STATIC resolution needs`, 'use an IP address, or DNS resolution for host names');
      }
      if (resolution !== ServiceEntryResolution.STATIC && !isIp(e.address)) {
        const problem = hostProblem(e.address, { allowWildcardAll: false });
        if (problem) {
          propError(this, `${field}.address`, `"${e.address}": ${problem}`, 'use an IP address or a host name');
        }
      }
      for (const [portName, port] of Object.entries(e.ports ?? {})) {
        if (!names.has(portName)) {
          propError(this, `${field}.ports.${portName}`, `no port named "${portName}"`, `use one of ${[...names].join(', ')}`);
        }
        if (portProblem(port)) {
          propError(this, `${field}.ports.${portName}`, portProblem(port) as string, 'use a port from 1 to 65535');
        }
      }
      checkCount(this, `${field}.weight`, e.weight, 1);
    });
    (props.addresses ?? []).forEach((a, i) => {
      const problem = cidrProblem(a);
      if (problem) {
        propError(this, `spec.addresses[${i}]`, problem, 'use an IP address or CIDR block');
      }
    });
    checkExportTo(this, props.exportTo);

    this.hosts = [...props.hosts];
    this.ports = ports.map((p) => p.number);

    new l1.ServiceEntry(this, 'Resource', {
      metadata: { name: this.name, namespace: this.namespace },
      spec: {
        hosts: [...props.hosts],
        addresses: props.addresses && [...props.addresses],
        ports: ports as l1.ServiceEntrySpecPorts[],
        location: (props.location ?? ServiceEntryLocation.MESH_EXTERNAL) as string as l1.ServiceEntrySpecLocation,
        resolution: resolution as string as l1.ServiceEntrySpecResolution,
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
      },
    });
  }

  /** The first host, so the entry can be used where a single service is expected (routes, DestinationRules). */
  public get host(): string {
    return this.hosts[0];
  }
}
