import { F_DPORT, F_DST4, F_IFACE, F_PROTO, F_SPORT, F_SRC, F_VLAN } from './rule-boxes.js';

/** Int32 fields per slot: five key words, the rule, two unused (32 bytes, half a cache line). */
const SLOT = 8;

/** What {@link FlowCache.get} returns when the slot holds another flow (no rule is -2). */
export const MISS = -2;

/**
 * An exact-match flow cache in front of the IPv4 classifier, as in Open vSwitch: one slot per
 * hash of the packet's point, holding the point's fields and the rule they matched. The fields
 * decide the answer completely, so a hit is always right; a miss overwrites the slot. It pays
 * when flows repeat within a few thousand packets, and costs a hash and a slot read when they do
 * not: a table larger than the core's L2 (64 Ki slots, 2 MiB) costs a cache miss per lookup.
 *
 * So it steps aside when it does not pay: it counts the hits of every `window` lookups, and when
 * fewer than a quarter hit (a miss costs about a quarter of the tree walk a hit saves), the next
 * `window * 15` packets skip it ({@link active} is false); then it samples again. Skipping changes
 * no result, only whether a packet is walked or answered from the cache.
 */
export class FlowCache {
  private readonly slots: Int32Array;
  private readonly shift: number;
  private readonly mask: number;
  /** The key words of the point last hashed by {@link slot}. */
  private readonly words = new Int32Array(5);
  private readonly window: number;
  /** Lookups left in the current sampling window. */
  private left: number;
  /** Hits in the current sampling window. */
  private hits = 0;
  /** Packets left to skip the cache for. */
  private skip = 0;

  /** `size` slots, a power of two; hit rates sampled over `window` lookups. */
  constructor(size: number, window = 1024) {
    this.slots = new Int32Array(size * SLOT);
    this.shift = 32 - Math.log2(Math.max(size, 2));
    this.mask = size - 1;
    this.window = window;
    this.left = window;
  }

  /**
   * Whether the next IPv4 packet goes through the cache ({@link slot}, {@link get}, and on a miss
   * {@link put}); false while the cache stands aside.
   */
  active(): boolean {
    if (this.skip === 0) return true;
    this.skip--;
    return false;
  }

  /** The offset of the slot of the IPv4 point at `points[at ..]`. */
  slot(points: Int32Array, at: number): number {
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
    const words = this.words;
    words[0] = w0;
    words[1] = w1;
    words[2] = w2;
    words[3] = w3;
    words[4] = w4;
    const h =
      Math.imul(
        Math.imul(w3 ^ Math.imul(w4, 0x9e3779b1), 0x85ebca6b) ^ w1 ^ Math.imul(w0 ^ (w2 << 21), 0xc2b2ae35),
        0x27d4eb2f,
      ) >>> this.shift;
    return (h & this.mask) * SLOT;
  }

  /**
   * The rule cached at slot `o` for the point {@link slot} last hashed, or {@link MISS}; counts
   * towards the hit rate that decides whether the cache stands aside.
   */
  get(o: number): number {
    const cache = this.slots;
    const words = this.words;
    const hit =
      cache[o] === words[0] &&
      cache[o + 1] === words[1] &&
      cache[o + 2] === words[2] &&
      cache[o + 3] === words[3] &&
      cache[o + 4] === words[4];
    if (hit) this.hits++;
    if (--this.left === 0) {
      if (4 * this.hits < this.window) this.skip = 15 * this.window;
      this.left = this.window;
      this.hits = 0;
    }
    return hit ? (cache[o + 5] as number) : MISS;
  }

  /** Stores `rule` at slot `o` for the IPv4 point at `points[at ..]`. */
  put(o: number, points: Int32Array, at: number, rule: number): void {
    this.slot(points, at);
    const cache = this.slots;
    const words = this.words;
    for (let w = 0; w < 5; w++) cache[o + w] = words[w] as number;
    cache[o + 5] = rule;
  }
}
