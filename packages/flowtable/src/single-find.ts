import type { FlowKey } from '@maestro/hash';
import type { BucketIndex } from './bucket-index.js';
import { mixWord } from './mix.js';
import type { RecordPool } from './record-pool.js';

/** {@link locate4}'s and {@link locate6}'s answer for a key they leave to the general path. */
export const GENERAL = -2;

// One key's lookup, everything in int32 locals: an address or port word of 2³¹ or more is a
// double in V8, boxed as a heap number whenever it crosses a call or lands in an object field, so
// the words stay signed bit patterns (`x | 0`; `x ^ INT_MIN` orders them as unsigned), the hash
// and the probe are written out here (no calls to inline or not; locate6's hash steps are
// mix.ts's `mixWord`, small enough that V8 inlines it: measured the same as a copy written here),
// and the stored words are read with `| 0`. Constants are literals, as in bulk-find.ts: BUCKET_WORDS 16, TAG_WORD 15,
// SLOT_WORDS 5, MATCH_MASK 0x17ff (KEY_MASK | OCC_BIT), OCC_BIT 0x1000, V6_BIT 0x400.

/**
 * The entry of the IPv4 key `key` in `index` (canonical order when `symmetric`), as
 * {@link hit} encodes it (handle, alias and reply bits), -1 when absent, or
 * {@link GENERAL} for anything but a valid IPv4 key (the general path then takes or rejects it).
 * Same entry as {@link BucketIndex.find} on the loaded key. Internal to the package.
 */
export function locate4(index: BucketIndex, key: FlowKey, symmetric: boolean, seed: number): number {
  if (typeof key !== 'object' || key === null || key.family !== 4) return GENERAL;
  const protocol = key.protocol;
  const sp = key.srcPort;
  const dp = key.dstPort;
  const kind = key.portKind;
  const s0 = key.srcV4;
  const d0 = key.dstV4;
  let s = s0 | 0;
  let d = d0 | 0;
  if (
    (protocol & 0xff) !== protocol ||
    (sp & 0xffff) !== sp ||
    (dp & 0xffff) !== dp ||
    (kind & 3) !== kind ||
    s >>> 0 !== s0 ||
    d >>> 0 !== d0
  ) {
    return GENERAL;
  }
  let ports = (sp << 16) | dp;
  let swapped = 0;
  if (symmetric && ((s ^ 0x80000000) > (d ^ 0x80000000) || (s === d && sp > dp))) {
    const t = s;
    s = d;
    d = t;
    ports = (dp << 16) | sp;
    swapped = 1;
  }
  const meta = protocol | (kind << 8);
  // hash4 (mix.ts), as a signed word.
  let h = Math.imul(s ^ seed, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15) ^ d, 0x85ebca77);
  h = Math.imul(h ^ (h >>> 13) ^ ports, 0xc2b2ae3d);
  h = Math.imul(h ^ (h >>> 16) ^ meta, 0x27d4eb2f);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  const m = meta | 0x1000;
  const slots = index.slots;
  const buckets = index.buckets;
  const end = buckets * 16;
  const tags = (((h & 0x7f) | 0x80) * 0x010101) | 0;
  const home = ((h >>> 0) * index.scale) | 0;
  let b = (home < buckets ? home : buckets - 1) * 16;
  for (let left = buckets; left > 0; left--) {
    const w = slots[b + 15] as number;
    // tagCandidates: the slots whose tag is the key's (perhaps also the slot above one).
    const x = (w ^ tags) & 0xffffff;
    for (let c = (x - 0x010101) & ~x & 0x808080; c !== 0; c &= c - 1) {
      const k = (31 - Math.clz32(c & -c)) >>> 3;
      const at = b + k * 5;
      if (
        ((slots[at] as number) | 0) === s &&
        ((slots[at + 1] as number) | 0) === d &&
        ((slots[at + 2] as number) | 0) === ports &&
        ((slots[at + 3] as number) & 0x17ff) === m
      ) {
        return hit(slots, at, swapped);
      }
    }
    if (w >>> 24 === 0) return -1; // no key stored past this bucket
    b += 16;
    if (b === end) b = 0;
  }
  return -1;
}

/**
 * {@link locate4} for an IPv6 key: the entry {@link BucketIndex.find} finds for the key loaded by
 * `QueryKey.load`, its eight address words in int32 locals (big-endian, as signed bit patterns),
 * compared with the pool's records in place. {@link GENERAL} for anything but a valid IPv6 key.
 * Internal to the package.
 */
export function locate6(
  index: BucketIndex,
  pool: RecordPool,
  key: FlowKey,
  symmetric: boolean,
  seed: number,
): number {
  if (typeof key !== 'object' || key === null || key.family !== 6) return GENERAL;
  const protocol = key.protocol;
  const sp0 = key.srcPort;
  const dp0 = key.dstPort;
  const kind = key.portKind;
  const src = key.src6;
  const dst = key.dst6;
  if (
    (protocol & 0xff) !== protocol ||
    (sp0 & 0xffff) !== sp0 ||
    (dp0 & 0xffff) !== dp0 ||
    (kind & 3) !== kind ||
    !(src instanceof Uint8Array) ||
    !(dst instanceof Uint8Array) ||
    src.length !== 16 ||
    dst.length !== 16
  ) {
    return GENERAL;
  }
  // Big-endian words of each address, written out (no array to store them in and read back).
  let s0 =
    ((src[0] as number) << 24) | ((src[1] as number) << 16) | ((src[2] as number) << 8) | (src[3] as number);
  let s1 =
    ((src[4] as number) << 24) | ((src[5] as number) << 16) | ((src[6] as number) << 8) | (src[7] as number);
  let s2 =
    ((src[8] as number) << 24) |
    ((src[9] as number) << 16) |
    ((src[10] as number) << 8) |
    (src[11] as number);
  let s3 =
    ((src[12] as number) << 24) |
    ((src[13] as number) << 16) |
    ((src[14] as number) << 8) |
    (src[15] as number);
  let d0 =
    ((dst[0] as number) << 24) | ((dst[1] as number) << 16) | ((dst[2] as number) << 8) | (dst[3] as number);
  let d1 =
    ((dst[4] as number) << 24) | ((dst[5] as number) << 16) | ((dst[6] as number) << 8) | (dst[7] as number);
  let d2 =
    ((dst[8] as number) << 24) |
    ((dst[9] as number) << 16) |
    ((dst[10] as number) << 8) |
    (dst[11] as number);
  let d3 =
    ((dst[12] as number) << 24) |
    ((dst[13] as number) << 16) |
    ((dst[14] as number) << 8) |
    (dst[15] as number);
  let ports = (sp0 << 16) | dp0;
  let swapped = 0;
  if (symmetric) {
    // The sign of src - dst as unsigned 128-bit numbers (`x ^ INT_MIN` orders words as unsigned).
    const order =
      s0 !== d0
        ? (s0 ^ 0x80000000) - (d0 ^ 0x80000000)
        : s1 !== d1
          ? (s1 ^ 0x80000000) - (d1 ^ 0x80000000)
          : s2 !== d2
            ? (s2 ^ 0x80000000) - (d2 ^ 0x80000000)
            : (s3 ^ 0x80000000) - (d3 ^ 0x80000000);
    if (order > 0 || (order === 0 && sp0 > dp0)) {
      let t = s0;
      s0 = d0;
      d0 = t;
      t = s1;
      s1 = d1;
      d1 = t;
      t = s2;
      s2 = d2;
      d2 = t;
      t = s3;
      s3 = d3;
      d3 = t;
      ports = (dp0 << 16) | sp0;
      swapped = 1;
    }
  }
  const meta = protocol | (kind << 8) | 0x400;
  // QueryKey.load's hash: mixWord over the eight address words, the ports and meta, then fmix32.
  let h = mixWord(seed | 0, s0);
  h = mixWord(h, s1);
  h = mixWord(h, s2);
  h = mixWord(h, s3);
  h = mixWord(h, d0);
  h = mixWord(h, d1);
  h = mixWord(h, d2);
  h = mixWord(h, d3);
  h = mixWord(h, ports);
  h = mixWord(h, meta);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  const m = meta | 0x1000;
  const slots = index.slots;
  const words = pool.words;
  const buckets = index.buckets;
  const end = buckets * 16;
  const tags = (((h & 0x7f) | 0x80) * 0x010101) | 0;
  const home = ((h >>> 0) * index.scale) | 0;
  let b = (home < buckets ? home : buckets - 1) * 16;
  for (let left = buckets; left > 0; left--) {
    const w = slots[b + 15] as number;
    const x = (w ^ tags) & 0xffffff;
    for (let c = (x - 0x010101) & ~x & 0x808080; c !== 0; c &= c - 1) {
      const k = (31 - Math.clz32(c & -c)) >>> 3;
      const at = b + k * 5;
      // An IPv6 slot: its record in the pool, the full hash, the ports, meta.
      if (
        ((slots[at + 1] as number) | 0) === h &&
        ((slots[at + 2] as number) | 0) === ports &&
        ((slots[at + 3] as number) & 0x17ff) === m
      ) {
        const p = (slots[at] as number) * 8;
        if (
          ((words[p] as number) | 0) === s0 &&
          ((words[p + 1] as number) | 0) === s1 &&
          ((words[p + 2] as number) | 0) === s2 &&
          ((words[p + 3] as number) | 0) === s3 &&
          ((words[p + 4] as number) | 0) === d0 &&
          ((words[p + 5] as number) | 0) === d1 &&
          ((words[p + 6] as number) | 0) === d2 &&
          ((words[p + 7] as number) | 0) === d3
        ) {
          return hit(slots, at, swapped);
        }
      }
    }
    if (w >>> 24 === 0) return -1;
    b += 16;
    if (b === end) b = 0;
  }
  return -1;
}

/**
 * What {@link locate4} and {@link locate6} answer for the slot at `slots[at ..]` matched by a key
 * `swapped` (1) or not (0) to canonical order: `handle << 2 | alias << 1 | reply`, where `alias`
 * is the slot's alias bit (ALT_BIT 0x1000000 of its reference word) and `reply` whether the key
 * ran opposite to the entry's insertion (the slot's SWAPPED_BIT 1 << 11 differs from `swapped`).
 * Internal to the package.
 */
export function hit(slots: Uint32Array, at: number, swapped: number): number {
  const ref = slots[at + 4] as number;
  return (
    (((ref & 0xffffff) - 1) << 2) | ((ref >>> 23) & 2) | ((((slots[at + 3] as number) >>> 11) & 1) ^ swapped)
  );
}
