import { F_DPORT, F_DST4, F_IFACE, F_PROTO, F_SPORT, F_SRC, F_VLAN } from './rule-boxes.js';
import { lookupPair, type TreePair } from './tree-pair.js';

/** Int32 fields per slot: five key words, the rule, two unused (32 bytes, half a cache line). */
const SLOT = 8;

/**
 * An exact-match flow cache in front of the IPv4 classifier, as in Open vSwitch: one slot per
 * hash of the packet's point, holding the point's fields and the rule they matched. The fields
 * decide the answer completely, so a hit is always right; a miss overwrites the slot. It pays
 * when flows repeat within a few thousand packets, and costs a hash and a slot read when they do
 * not: a table larger than the core's L2 (64 Ki slots, 2 MiB) costs a cache miss per lookup.
 */
export class FlowCache {
  private readonly slots: Int32Array;
  private readonly shift: number;
  private readonly mask: number;

  /** `size` slots, a power of two. */
  constructor(size: number) {
    this.slots = new Int32Array(size * SLOT);
    this.shift = 32 - Math.log2(Math.max(size, 2));
    this.mask = size - 1;
  }

  /** The rule of the IPv4 point at `points[at ..]`, from the cache or else from the tree. */
  lookup(pair: TreePair, points: Int32Array, at: number): number {
    const sport = points[at + F_SPORT] as number;
    // Protocol (8 bits), VLAN (12), a bit that marks the slot used, and one for a key without
    // ports (both port fields are then NO_PORTS = 2^16): together with the ports word, a
    // one-to-one code of the point's fields.
    const w0 =
      (points[at + F_PROTO] as number) |
      ((points[at + F_VLAN] as number) << 8) |
      (1 << 20) |
      ((sport >>> 16) << 21);
    const w1 = ((sport & 0xffff) << 16) | ((points[at + F_DPORT] as number) & 0xffff);
    const w2 = points[at + F_IFACE] as number;
    const w3 = points[at + F_SRC] as number;
    const w4 = points[at + F_DST4] as number;
    const h =
      Math.imul(
        Math.imul(w3 ^ Math.imul(w4, 0x9e3779b1), 0x85ebca6b) ^ w1 ^ Math.imul(w0 ^ (w2 << 21), 0xc2b2ae35),
        0x27d4eb2f,
      ) >>> this.shift;
    const cache = this.slots;
    const o = (h & this.mask) * SLOT;
    if (
      cache[o] === w0 &&
      cache[o + 1] === w1 &&
      cache[o + 2] === w2 &&
      cache[o + 3] === w3 &&
      cache[o + 4] === w4
    ) {
      return cache[o + 5] as number;
    }
    const result = lookupPair(pair, pair.root4, points, at);
    cache[o] = w0;
    cache[o + 1] = w1;
    cache[o + 2] = w2;
    cache[o + 3] = w3;
    cache[o + 4] = w4;
    cache[o + 5] = result;
    return result;
  }
}
