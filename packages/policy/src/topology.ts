import type { DistributionMode } from '@maestro/hash';
import type { Topology, Zone } from './policy.js';

/** The mode auto-topology gives a side: internal -> `user`, external -> `network`. */
export function autoMode(zone: Zone): DistributionMode {
  return zone === 'internal' ? 'user' : 'network';
}

/**
 * The distribution mode of packets entering interface number `iface` (its index in
 * `topology.interfaces`) on VLAN `vlan` (0: untagged), before any rule: the VLAN's explicit mode,
 * else the interface's, else `general` for a General group, else auto-topology from the VLAN's
 * zone (or the interface's). An interface the topology does not know (-1) gets `general`: it has no
 * side, and General is symmetric on its own.
 */
export function topologyMode(topology: Topology, iface: number, vlan: number): DistributionMode {
  const entry = topology.interfaces[iface];
  if (entry === undefined) return 'general';
  const v = vlan === 0 ? undefined : entry.vlans.find((x) => x.id === vlan);
  const explicit = v?.mode ?? entry.mode;
  if (explicit !== undefined) return explicit;
  if (topology.mode === 'general') return 'general';
  return autoMode(v?.zone ?? entry.zone);
}
