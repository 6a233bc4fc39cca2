// MurmurHash3's 32-bit block step (its finaliser is @maestro/hash's fmix32): cheap with Math.imul.
// It is not a keyed PRF; tables exposed to hostile traffic should pass a random `seed`.

/** Mixes one 32-bit word into the running hash `h`. */
export function mixWord(h: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/**
 * Hash of four words (an IPv4 stored key): multiply-xorshift rounds and a final avalanche, about
 * half the work of four {@link mixWord} steps.
 */
export function hash4(seed: number, a: number, b: number, c: number, d: number): number {
  let h = Math.imul(a ^ seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ b, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13) ^ c, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16) ^ d, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h >>> 0;
}
