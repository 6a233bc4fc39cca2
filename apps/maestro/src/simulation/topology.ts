import type { Ingress } from '@maestro/correction';
import type { DistributionLayer, DistributionMode, FlowKey } from '@maestro/hash';
import type { CompiledPolicy, Policy, Topology, VlanTopology } from '@maestro/policy';
import { AddressMap } from './address-map.js';

/** VLAN ids per interface in the ingress numbering (0 = untagged). */
export const VLANS_PER_INTERFACE = 4096;

/** The simulation's `--mode`: the topology's own modes, or one mode forced on every interface. */
export type ModeChoice = 'auto' | DistributionMode;

/**
 * Where packets enter the group. Every (interface, VLAN) pair is one ingress, numbered
 * `interface × 4096 + vlan`, so a packet's ingress is found without a lookup. Each ingress knows
 * its topology mode and the ingress its replies come back through: the one where packets from the
 * destination were last seen entering, else the first ingress on the other side of the topology.
 */
export class IngressMap {
  /** Every ingress, for the correction layer (`CorrectionConfig.interfaces`). */
  readonly ingresses: Ingress[];
  private readonly zoneInternal: Uint8Array;
  private readonly oppositeOf: Int32Array;
  private readonly learned = new AddressMap();
  private readonly interfaceCount: number;

  constructor(compiled: CompiledPolicy, forced: ModeChoice, layer: DistributionLayer) {
    const topology = compiled.policy.topology;
    this.interfaceCount = Math.max(1, topology.interfaces.length);
    const n = this.interfaceCount * VLANS_PER_INTERFACE;
    this.ingresses = new Array<Ingress>(n);
    this.zoneInternal = new Uint8Array(n);
    this.oppositeOf = new Int32Array(n);
    const firstInternal = this.first(topology, 'internal');
    const firstExternal = this.first(topology, 'external');
    for (let i = 0; i < this.interfaceCount; i++) {
      const iface = topology.interfaces[i];
      // The first VLAN entry of each id (as a search of the list finds it), and what every other
      // VLAN of the interface gets: 4 096 ingresses per interface without searching the list.
      const listed = new Map<number, VlanTopology>();
      for (const x of iface?.vlans ?? []) if (!listed.has(x.id)) listed.set(x.id, x);
      const ifaceZone = iface?.zone ?? 'external';
      const towardsExternal = this.onInterface(topology, i, 'external') ?? firstExternal;
      const towardsInternal = this.onInterface(topology, i, 'internal') ?? firstInternal;
      for (let v = 0; v < VLANS_PER_INTERFACE; v++) {
        const id = i * VLANS_PER_INTERFACE + v;
        const mode: DistributionMode = forced === 'auto' ? compiled.topologyMode(iface ? i : -1, v) : forced;
        this.ingresses[id] = { id, mode, layer };
        const internal = (listed.get(v)?.zone ?? ifaceZone) === 'internal';
        this.zoneInternal[id] = internal ? 1 : 0;
        this.oppositeOf[id] = (internal ? towardsExternal : towardsInternal) ?? id;
      }
    }
  }

  /** Where a client on the internal side sends from: the first internal (interface, VLAN), else 0. */
  defaultOutbound(topology: Topology): number {
    return this.first(topology, 'internal') ?? 0;
  }

  /** A readable name of an ingress: `uplink VLAN 100`, `eth1-01`. */
  describe(topology: Topology, ingress: number): string {
    const iface = topology.interfaces[this.interfaceOf(ingress)];
    const vlan = ingress % VLANS_PER_INTERFACE;
    return `${iface?.name ?? 'interface 0'}${vlan > 0 ? ` VLAN ${vlan}` : ''}`;
  }

  /** The ingress of a packet entering capture interface `captureInterface` on `vlan` (-1: untagged). */
  ingressOf(captureInterface: number, vlan: number): number {
    const iface = captureInterface < this.interfaceCount ? captureInterface : 0;
    return iface * VLANS_PER_INTERFACE + Math.max(vlan, 0);
  }

  /** Remembers that packets from `key`'s source enter at `ingress` (so replies to it leave there). */
  learn(key: FlowKey, ingress: number): void {
    if (key.family === 4) this.learned.setV4(key.srcV4, ingress);
    else this.learned.setV6(key.src6, ingress);
  }

  /** The ingress a reply to a packet to `key`'s destination comes back through (see the class). */
  replyIngress(key: FlowKey, packetIngress: number): number {
    const learned = key.family === 4 ? this.learned.getV4(key.dstV4) : this.learned.getV6(key.dst6);
    return learned >= 0 ? learned : (this.oppositeOf[packetIngress] as number);
  }

  /** The policy interface index and VLAN of an ingress. */
  interfaceOf(ingress: number): number {
    return Math.floor(ingress / VLANS_PER_INTERFACE);
  }

  /** The first ingress of `zone`: a VLAN of that zone, else an interface of it (untagged). */
  private first(topology: Topology, zone: 'internal' | 'external'): number | undefined {
    for (let i = 0; i < topology.interfaces.length; i++) {
      const vlan = topology.interfaces[i]?.vlans.find((v) => v.zone === zone);
      if (vlan !== undefined) return i * VLANS_PER_INTERFACE + vlan.id;
    }
    const i = topology.interfaces.findIndex((iface) => iface.zone === zone);
    return i < 0 ? undefined : i * VLANS_PER_INTERFACE;
  }

  /** An ingress of `zone` on interface `i`: one of its VLANs of that zone, else itself untagged. */
  private onInterface(topology: Topology, i: number, zone: 'internal' | 'external'): number | undefined {
    const iface = topology.interfaces[i];
    if (iface === undefined) return undefined;
    const vlan = iface.vlans.find((v) => v.zone === zone);
    if (vlan !== undefined) return i * VLANS_PER_INTERFACE + vlan.id;
    return iface.zone === zone ? i * VLANS_PER_INTERFACE : undefined;
  }
}

/**
 * The topology used when none is given: one interface, `uplink`, whose untagged traffic is
 * distributed in General mode, with VLAN 100 on the internal side (User mode) and VLAN 200 on the
 * external side (Network mode): auto-topology for the convention of `maestro gen`. A value for
 * `validatePolicy` rather than YAML text, so that a run without a topology file never starts the
 * YAML parser (its first document cost a tenth of a small run's start-up).
 */
export const DEFAULT_TOPOLOGY: { readonly topology: Record<string, unknown> } = {
  topology: {
    mode: 'auto',
    layer: 'l4',
    interfaces: [
      {
        name: 'uplink',
        zone: 'external',
        mode: 'general',
        vlans: [
          { id: 100, zone: 'internal', mode: 'user' },
          { id: 200, zone: 'external', mode: 'network' },
        ],
      },
    ],
  },
};

/** True when the policy has rules to consult per packet (otherwise the topology decides alone). */
export function hasRules(policy: Policy): boolean {
  return policy.rules.length > 0;
}
