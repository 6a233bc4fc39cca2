import { copyFlowKey, type FlowKey, PortKind } from '@maestro/hash';

/**
 * The key under which fragment tracking keeps a fragmented datagram: `key`'s addresses, for IPv4
 * its protocol, the 32-bit IP id in the two port fields (high half in `srcPort`), port kind
 * `FRAGMENT`. Written into `out`, which is returned; allocates nothing.
 *
 * IPv4 identifies a datagram by source, destination, protocol and id (RFC 791); IPv6 by source,
 * destination and id alone (RFC 8200 4.5), and a later fragment's protocol is only what its
 * Fragment header's Next Header says: 60, not the first fragment's upper layer, when a Destination
 * Options header starts the fragmentable part. So an IPv6 key has protocol 0.
 *
 * @example
 * const f = fragmentKey(packet.key, packet.ipId, createFlowKey());
 * engine.fragments.find(f); // the entry of the datagram's first fragment, or -1
 */
export function fragmentKey(key: FlowKey, ipId: number, out: FlowKey): FlowKey {
  copyFlowKey(key, out);
  if (key.family === 6) out.protocol = 0;
  out.srcPort = (ipId >>> 16) & 0xffff;
  out.dstPort = ipId & 0xffff;
  out.portKind = PortKind.FRAGMENT;
  return out;
}
