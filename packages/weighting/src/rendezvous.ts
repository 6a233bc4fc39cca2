import { fmix32, murmur3, utf8 } from './id-hash.js';
import { type Member, normalizeMembers, totalWeight } from './member.js';

/**
 * Weighted rendezvous (highest random weight) hashing over a member set: no table, O(N) per
 * lookup, exact proportional shares in expectation and minimal churn per key.
 */
export interface Rendezvous {
  /** The members, in canonical order (by id), weight 0 included. */
  readonly members: readonly Member[];
  /** The member chosen for a 32-bit flow hash: the highest score −w / ln h(hash, member). */
  pick(hash: number): string;
  /** Like {@link Rendezvous.pick}, but the index into {@link Rendezvous.members}. */
  pickIndex(hash: number): number;
}

const TWO_32 = 4_294_967_296;

/**
 * Weighted rendezvous hashing: for a flow hash, each member of weight w scores −w / ln h, where h
 * in (0, 1) is a hash of (flow hash, member id); the highest score wins. Removing a member moves
 * only the flows it had; adding one moves only flows to it; weight 0 never wins. Validates like
 * {@link maglev} (typed errors for bad members or no member of positive weight).
 *
 * @example
 * const r = rendezvous([{ id: 'a', weight: 1 }, { id: 'b', weight: 3 }]);
 * r.pick(0xdeadbeef); // 'b' three times as often as 'a' over many flows
 */
export function rendezvous(members: readonly Member[]): Rendezvous {
  const canonical = normalizeMembers(members);
  totalWeight(canonical);
  const n = canonical.length;
  const seeds = new Int32Array(n);
  const weights = new Float64Array(n);
  const ids = canonical.map((m) => m.id);
  for (let i = 0; i < n; i++) {
    seeds[i] = murmur3(utf8(ids[i] as string), 0x5bd1e995);
    weights[i] = (canonical[i] as Member).weight;
  }
  const pickIndex = (hash: number): number => {
    const key = fmix32((hash >>> 0) ^ 0x9e3779b9);
    let best = -1;
    let bestScore = -1;
    for (let i = 0; i < n; i++) {
      const w = weights[i] as number;
      if (w === 0) continue;
      // Two mixing rounds so that nearby flow hashes give independent member scores.
      const h = fmix32(Math.imul(key ^ (seeds[i] as number), 0x27d4eb2d) ^ (seeds[i] as number));
      const score = -w / Math.log((h + 0.5) / TWO_32);
      if (score > bestScore) {
        bestScore = score;
        best = i;
      }
    }
    return best;
  };
  return Object.freeze({
    members: canonical,
    pickIndex,
    pick: (hash: number): string => ids[pickIndex(hash)] as string,
  });
}
