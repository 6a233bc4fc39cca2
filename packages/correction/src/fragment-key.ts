import { copyFlowKey, type FlowKey, PortKind } from '@maestro/hash';

/**
 * The key under which fragment tracking keeps a fragmented datagram: `key`'s addresses and
 * protocol, the 32-bit IP id in the two port fields (high half in `srcPort`), port kind
 * `FRAGMENT`. Written into `out`, which is returned; allocates nothing.
 *
 * @example
 * const f = fragmentKey(packet.key, packet.ipId, createFlowKey());
 * engine.fragments.find(f); // the entry of the datagram's first fragment, or -1
 */
export function fragmentKey(key: FlowKey, ipId: number, out: FlowKey): FlowKey {
  copyFlowKey(key, out);
  out.srcPort = (ipId >>> 16) & 0xffff;
  out.dstPort = ipId & 0xffff;
  out.portKind = PortKind.FRAGMENT;
  return out;
}
