import {
  Destination, DestinationRule, IstioChart, PortProtocol, ServiceEntry, ServiceEntryLocation, ServiceEntryResolution, synthManifests, testApp,
  VirtualService,
} from '../src';

// Manifests are untyped JSON that these tests read by path; `any` keeps the assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

function chart() {
  return new IstioChart(testApp(), 'c', { namespace: 'shop' });
}

function seSpec(c: IstioChart, name: string): Json {
  const se = synthManifests(c).find((m) => m.kind === 'ServiceEntry' && (m.metadata as Json).name === name);
  expect(se).toBeDefined();
  return (se as Json).spec;
}

describe('ServiceEntry', () => {
  test('an external API: DNS resolution and MESH_EXTERNAL by default, port names derived', () => {
    const c = chart();
    const se = new ServiceEntry(c, 'payments', {
      hosts: ['api.payments.example.com'],
      ports: [{ number: 443, protocol: PortProtocol.TLS }, { number: 80, protocol: PortProtocol.HTTP, name: 'http', targetPort: 8080 }],
    });
    expect(seSpec(c, 'payments')).toEqual({
      hosts: ['api.payments.example.com'],
      ports: [{ number: 443, protocol: 'TLS', name: 'tls-443' }, { number: 80, protocol: 'HTTP', name: 'http', targetPort: 8080 }],
      resolution: 'DNS',
      location: 'MESH_EXTERNAL',
    });
    expect(se.host).toBe('api.payments.example.com');
    expect(se.ports).toEqual([443, 80]);
    expect(synthManifests(c)).toMatchSnapshot();
  });

  test('STATIC endpoints with addresses, locality and weights', () => {
    const c = chart();
    new ServiceEntry(c, 'db', {
      hosts: ['db.legacy.internal'],
      addresses: ['10.20.0.0/24'],
      ports: [{ number: 5432, protocol: PortProtocol.TCP, name: 'tcp-postgres' }],
      resolution: ServiceEntryResolution.STATIC,
      location: ServiceEntryLocation.MESH_INTERNAL,
      endpoints: [
        { address: '10.20.0.10', ports: { 'tcp-postgres': 6432 }, locality: 'eu-west1/a', weight: 2, labels: { role: 'primary' } },
        { address: '10.20.0.11', network: 'vm-net' },
      ],
      exportTo: ['.'],
    });
    expect(seSpec(c, 'db')).toEqual({
      hosts: ['db.legacy.internal'],
      addresses: ['10.20.0.0/24'],
      ports: [{ number: 5432, protocol: 'TCP', name: 'tcp-postgres' }],
      resolution: 'STATIC',
      location: 'MESH_INTERNAL',
      endpoints: [
        { address: '10.20.0.10', ports: { 'tcp-postgres': 6432 }, locality: 'eu-west1/a', weight: 2, labels: { role: 'primary' } },
        { address: '10.20.0.11', network: 'vm-net' },
      ],
      exportTo: ['.'],
    });
  });

  test('wildcard hosts with resolution NONE', () => {
    const c = chart();
    new ServiceEntry(c, 'wild', { hosts: ['*.googleapis.com'], ports: [{ number: 443, protocol: PortProtocol.TLS }], resolution: ServiceEntryResolution.NONE });
    expect(seSpec(c, 'wild').resolution).toBe('NONE');
  });

  test('a ServiceEntry is a route and DestinationRule target; its ports are checked', () => {
    const c = chart();
    const se = new ServiceEntry(c, 'ext', { hosts: ['api.example.com'], ports: [{ number: 443, protocol: PortProtocol.HTTPS }] });
    const dr = new DestinationRule(c, 'ext-dr', { host: se });
    expect(dr.host).toBe('api.example.com');
    const vs = new VirtualService(c, 'ext-vs', { hosts: [se] });
    vs.addHttpRoute({ to: [Destination.to(se)] });
    const spec = (synthManifests(c).find((m) => m.kind === 'VirtualService') as Json).spec;
    expect(spec.http[0].route[0].destination).toEqual({ host: 'api.example.com', port: { number: 443 } });
    expect(() => vs.addHttpRoute({ to: [Destination.to(se, { port: 80 })] })).toThrow(/\[c\/ext-vs\] spec\.http\[1\]\.route\[0\]\.destination\.port\.number: api\.example\.com exposes ports 443, not 80/);
  });
});

describe('ServiceEntry wrong input', () => {
  test('hosts', () => {
    const c = chart();
    const ports = [{ number: 443, protocol: PortProtocol.TLS }];
    expect(() => new ServiceEntry(c, 'none', { hosts: [], ports })).toThrow(/\[c\/none\] spec\.hosts: no hosts/);
    expect(() => new ServiceEntry(c, 'empty', { hosts: [''], ports })).toThrow(/\[c\/empty\] spec\.hosts\[0\]: "" is not a valid host: the host is empty/);
    expect(() => new ServiceEntry(c, 'short', { hosts: ['payments'], ports })).toThrow(/\[c\/short\] spec\.hosts\[0\]: "payments" is not a valid host: a short name is ambiguous/);
    expect(() => new ServiceEntry(c, 'star', { hosts: ['*'], ports })).toThrow(/\[c\/star\] spec\.hosts\[0\]/);
    expect(() => new ServiceEntry(c, 'wild', { hosts: ['*.example.com'], ports })).toThrow(/\[c\/wild\] spec\.hosts\[0\]: the wildcard "\*\.example\.com" cannot be resolved by DNS/);
  });

  test('ports and endpoints', () => {
    const c = chart();
    const hosts = ['a.example.com'];
    expect(() => new ServiceEntry(c, 'p0', { hosts, ports: [] })).toThrow(/\[c\/p0\] spec\.ports: no ports/);
    expect(() => new ServiceEntry(c, 'p1', { hosts, ports: [{ number: 70000, protocol: PortProtocol.TCP }] })).toThrow(/\[c\/p1\] spec\.ports\[0\]\.number: 70000 is not a port number/);
    expect(() => new ServiceEntry(c, 'p2', { hosts, ports: [{ number: 443, protocol: PortProtocol.TLS }, { number: 443, protocol: PortProtocol.HTTPS }] }))
      .toThrow(/\[c\/p2\] spec\.ports\[1\]\.number: port 443 is listed twice/);
    expect(() => new ServiceEntry(c, 'p3', { hosts, ports: [{ number: 80, protocol: PortProtocol.HTTP, name: 'web' }, { number: 81, protocol: PortProtocol.HTTP, name: 'web' }] }))
      .toThrow(/\[c\/p3\] spec\.ports\[1\]\.name: port name "web" is used twice/);
    const ports = [{ number: 5432, protocol: PortProtocol.TCP, name: 'tcp' }];
    expect(() => new ServiceEntry(c, 'e1', { hosts, ports, resolution: ServiceEntryResolution.STATIC })).toThrow(/\[c\/e1\] spec\.endpoints: STATIC resolution needs endpoints/);
    expect(() => new ServiceEntry(c, 'e2', { hosts, ports, resolution: ServiceEntryResolution.STATIC, endpoints: [{ address: 'db.example.com' }] }))
      .toThrow(/\[c\/e2\] spec\.endpoints\[0\]\.address: "db\.example\.com" is not an IP address/);
    expect(() => new ServiceEntry(c, 'e3', { hosts, ports, resolution: ServiceEntryResolution.STATIC, endpoints: [{ address: '10.0.0.1', ports: { http: 80 } }] }))
      .toThrow(/\[c\/e3\] spec\.endpoints\[0\]\.ports\.http: no port named "http"/);
    expect(() => new ServiceEntry(c, 'e4', { hosts, ports, resolution: ServiceEntryResolution.NONE, endpoints: [{ address: '10.0.0.1' }] }))
      .toThrow(/\[c\/e4\] spec\.endpoints: endpoints are ignored with resolution NONE/);
    expect(() => new ServiceEntry(c, 'a1', { hosts, ports, addresses: ['300.0.0.1'] })).toThrow(/\[c\/a1\] spec\.addresses\[0\]: "300\.0\.0\.1" is not an IP address or CIDR block/);
    expect(() => new ServiceEntry(c, 'x1', { hosts, ports, exportTo: ['Not A Namespace'] })).toThrow(/\[c\/x1\] spec\.exportTo\[0\]/);
  });
});
