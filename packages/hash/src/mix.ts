/**
 * MurmurHash3's 32-bit finaliser: a bijection on 32-bit values in which every input bit affects
 * every output bit. Toeplitz is linear (structured inputs give structured outputs); this is what
 * makes its output safe to cut into buckets by its high bits.
 */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A bijection on 16-bit values with full avalanche (a xorshift-multiply mixer from Chris
 * Wellons' hash prospector, 16-bit form).
 */
export function fmix16(x: number): number {
  x &= 0xffff;
  x ^= x >>> 8;
  x = Math.imul(x, 0x88b5) & 0xffff;
  x ^= x >>> 7;
  x = Math.imul(x, 0xdb2d) & 0xffff;
  x ^= x >>> 9;
  return x;
}

/**
 * Spreads a 16-bit hash (a symmetric-key Toeplitz output) over 32 bits for tables cut by
 * multiply-shift (`Math.floor(value * size / 2 ** 32)`): the 16 random bits go on top, and the
 * low half is filled with bits that vary with them yet stay below `65535 - m`, which keeps the
 * map from the 65536 values to the buckets of a 65537-bucket table one-to-one (each value gets
 * its own bucket instead of bucket 0 for all, the classic pitfall). Fewer buckets each get an
 * equal share of the 65536 values, to within one.
 */
export function spread16(h16: number): number {
  const m = fmix16(h16);
  const low = Math.imul(0xffff - m, fmix16(m ^ 0x5bd1)) >>> 16;
  return ((m << 16) | low) >>> 0;
}
