import { LogicalServer } from '@maestro/connectcontrol';
import type { Translate } from '@maestro/correction';
import { type FlowKey, formatIPv4, formatIPv6, PortKind } from '@maestro/hash';
import { Sfc32 } from '@maestro/pcap';
import type { Cidr, LogicalServerConfig } from '@maestro/policy';
import { CliError } from '../cli/errors.js';
import type { LogicalServerReport } from '../report/model.js';

function hostText(c: Cidr): string {
  return c.family === 4 ? formatIPv4(c.v4) : formatIPv6(c.v6);
}

interface Served {
  readonly config: LogicalServerConfig;
  readonly balancer: LogicalServer;
  /** Real server id (its index, as text) → index. */
  readonly index: ReadonlyMap<string, number>;
  readonly connections: Float64Array;
}

/**
 * ConnectControl in the simulated group: each logical server of the policy becomes a
 * `@maestro/connectcontrol` {@link LogicalServer} on the simulation's clock, and {@link translate}
 * (the correction layer's per-connection hook) turns a new connection to a logical server's
 * address and service into a destination NAT to the real server its method picks. The owner of the
 * connection then handles the reply from that real server like any other NAT: a correction entry
 * where the reply lands on another member.
 */
export class ServerBalancer {
  /** The simulation's clock, in seconds from the first packet; the simulation keeps it current. */
  now = 0;
  private readonly served: readonly Served[];
  /** `protocol|address|port` → served logical server. */
  private readonly byService: ReadonlyMap<string, Served>;
  /** IPv4 addresses that are some logical server's: the fast rejection for everything else. */
  private readonly v4Addresses: ReadonlySet<number>;
  private readonly hasV6: boolean;

  constructor(configs: readonly LogicalServerConfig[], seed = 1) {
    // Seeded, so that the Random method replays identically.
    const prng = new Sfc32(seed);
    const random = (): number => prng.next();
    this.served = configs.map((config) => {
      const balancer = new LogicalServer({
        name: config.name,
        address: hostText(config.address),
        port: config.port,
        method: config.method,
        servers: config.servers.map((_, i) => ({ id: String(i) })),
        persistency: config.persistency,
        persistencyTimeout: config.persistencyTimeout * 1000,
        now: () => this.now * 1000,
        random,
      });
      return {
        config,
        balancer,
        index: new Map(config.servers.map((_, i) => [String(i), i])),
        connections: new Float64Array(config.servers.length),
      };
    });
    const byService = new Map<string, Served>();
    for (const s of this.served) {
      const key = serviceKey(s.config.protocol, hostText(s.config.address), s.config.port);
      const other = byService.get(key);
      if (other !== undefined) {
        throw new CliError(
          `logical servers ${JSON.stringify(other.config.name)} and ${JSON.stringify(s.config.name)} serve the same address, protocol and port`,
          1,
        );
      }
      byService.set(key, s);
    }
    this.byService = byService;
    this.v4Addresses = new Set(configs.filter((c) => c.address.family === 4).map((c) => c.address.v4));
    this.hasV6 = configs.some((c) => c.address.family === 6);
  }

  /** True when the policy has logical servers (otherwise the group needs no hook). */
  get active(): boolean {
    return this.served.length > 0;
  }

  /** The correction layer's hook: a new connection to a logical server goes to a real server. */
  readonly translate: Translate = (original: FlowKey, out: FlowKey): boolean => {
    if (original.portKind !== PortKind.PORTS) return false;
    if (original.family === 4 ? !this.v4Addresses.has(original.dstV4) : !this.hasV6) return false;
    const dst = original.family === 4 ? formatIPv4(original.dstV4) : formatIPv6(original.dst6);
    const served = this.byService.get(serviceKey(original.protocol, dst, original.dstPort));
    if (served === undefined) return false;
    const client = original.family === 4 ? formatIPv4(original.srcV4) : formatIPv6(original.src6);
    const id = served.balancer.pick({ client, service: original.dstPort });
    const i = id === undefined ? undefined : served.index.get(id);
    const server = i === undefined ? undefined : served.config.servers[i];
    if (i === undefined || server === undefined) return false;
    served.connections[i] = (served.connections[i] as number) + 1;
    if (server.address.family === 4) out.dstV4 = server.address.v4;
    else out.dst6.set(server.address.v6);
    out.dstPort = server.port ?? served.config.port;
    return true;
  };

  /** Connections balanced to each real server, per logical server. */
  report(): LogicalServerReport[] {
    return this.served.map(({ config, connections }) => ({
      name: config.name,
      address: hostText(config.address),
      port: config.port,
      method: config.method,
      persistency: config.persistency,
      servers: config.servers.map((s, i) => ({
        address: hostText(s.address),
        port: s.port ?? config.port,
        connections: connections[i] as number,
      })),
    }));
  }
}

function serviceKey(protocol: number, address: string, port: number): string {
  return `${protocol}|${address}|${port}`;
}
