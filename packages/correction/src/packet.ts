import { createFlowKey } from '@maestro/hash';
import type { Packet } from './types.js';

/**
 * A blank packet (IPv4 key of zeros, ingress 0, no fragment, no flags, no embedded tuple, no
 * hops) for a caller to fill and reuse for every packet it hands to the engine.
 *
 * @example
 * const packet = createPacket();
 * copyFlowKey(decoded, packet.key);
 * packet.ingress = 1;
 * engine.decide(packet, now);
 */
export function createPacket(): Packet {
  return {
    key: createFlowKey(),
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags: 0,
    bytes: 0,
    embedded: null,
    hops: 0,
  };
}
