import { type FlowKey, PortKind } from '@maestro/hash';
import { cidrContainsV4, cidrContainsV6 } from './cidr.js';
import type { Policy, RuleMatch } from './policy.js';
import type { Range } from './range.js';

function inRanges(ranges: readonly Range[], value: number): boolean {
  for (const r of ranges) if (value >= r.from && value <= r.to) return true;
  return false;
}

/** True when `match` accepts the packet (see {@link RuleMatch} for the semantics). */
export function ruleMatches(
  match: RuleMatch,
  key: FlowKey,
  ifaceName: string | undefined,
  vlan: number,
): boolean {
  if (match.interfaces.length > 0 && (ifaceName === undefined || !match.interfaces.includes(ifaceName)))
    return false;
  if (match.vlans.length > 0 && !inRanges(match.vlans, vlan)) return false;
  if (match.protocols.length > 0 && !match.protocols.includes(key.protocol)) return false;
  const ports = key.portKind === PortKind.PORTS;
  if (match.sourcePorts.length > 0 && !(ports && inRanges(match.sourcePorts, key.srcPort))) return false;
  if (match.destinationPorts.length > 0 && !(ports && inRanges(match.destinationPorts, key.dstPort)))
    return false;
  if (match.source.length > 0) {
    const hit = match.source.some((c) =>
      key.family === 4 ? cidrContainsV4(c, key.srcV4) : cidrContainsV6(c, key.src6),
    );
    if (!hit) return false;
  }
  if (match.destination.length > 0) {
    const hit = match.destination.some((c) =>
      key.family === 4 ? cidrContainsV4(c, key.dstV4) : cidrContainsV6(c, key.dst6),
    );
    if (!hit) return false;
  }
  return true;
}

/**
 * The reference evaluator: the index of the first rule that matches, or -1, by trying each rule in
 * turn. The compiled matcher must always agree with it; it is also handy for a handful of rules.
 */
export function matchLinear(policy: Policy, key: FlowKey, iface: number, vlan: number): number {
  const name = policy.topology.interfaces[iface]?.name;
  for (let i = 0; i < policy.rules.length; i++) {
    if (ruleMatches((policy.rules[i] as { match: RuleMatch }).match, key, name, vlan)) return i;
  }
  return -1;
}
