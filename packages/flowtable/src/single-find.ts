import type { FlowKey } from '@maestro/hash';
import type { BucketIndex } from './bucket-index.js';
import type { RecordPool } from './record-pool.js';

/** {@link locate4}'s and {@link locate6}'s answer for a key they leave to the general path. */
export const GENERAL = -2;

// One key's lookup, everything in int32 locals: an address or port word of 2³¹ or more is a
// double in V8, boxed as a heap number whenever it crosses a call or lands in an object field, so
// the words stay signed bit patterns (`x | 0`; `x ^ INT_MIN` orders them as unsigned), the hash
// and the probe are written out here (no calls to inline or not), and the stored words are read
// with `| 0`. Constants are literals, as in bulk-find.ts: BUCKET_WORDS 16, TAG_WORD 15,
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
 * `QueryKey.load`, with the addresses read into `addr` (8 words of scratch) as signed words and
 * compared with the pool's records in place. {@link GENERAL} for anything but a valid IPv6 key.
 * Internal to the package.
 */
export function locate6(
  index: BucketIndex,
  pool: RecordPool,
  key: FlowKey,
  symmetric: boolean,
  seed: number,
  addr: Int32Array,
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
  // Big-endian words; `order` the sign of src - dst as unsigned 128-bit numbers.
  let order = 0;
  for (let i = 0; i < 4; i++) {
    const o = i * 4;
    const a =
      ((src[o] as number) << 24) |
      ((src[o + 1] as number) << 16) |
      ((src[o + 2] as number) << 8) |
      (src[o + 3] as number);
    const z =
      ((dst[o] as number) << 24) |
      ((dst[o + 1] as number) << 16) |
      ((dst[o + 2] as number) << 8) |
      (dst[o + 3] as number);
    addr[i] = a;
    addr[i + 4] = z;
    if (order === 0 && a !== z) order = (a ^ 0x80000000) > (z ^ 0x80000000) ? 1 : -1;
  }
  let ports = (sp0 << 16) | dp0;
  let swapped = 0;
  if (symmetric && (order > 0 || (order === 0 && sp0 > dp0))) {
    for (let i = 0; i < 4; i++) {
      const t = addr[i] as number;
      addr[i] = addr[i + 4] as number;
      addr[i + 4] = t;
    }
    ports = (dp0 << 16) | sp0;
    swapped = 1;
  }
  const meta = protocol | (kind << 8) | 0x400;
  // QueryKey.load's hash: mixWord over the eight address words, the ports and meta, then fmix32.
  let h = seed | 0;
  for (let i = 0; i <= 9; i++) {
    let k = Math.imul(i < 8 ? (addr[i] as number) : i === 8 ? ports : meta, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  const m = meta | 0x1000;
  const slots = index.slots;
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
        ((slots[at + 3] as number) & 0x17ff) === m &&
        sameAddresses(pool.words, (slots[at] as number) * 8, addr)
      ) {
        return hit(slots, at, swapped);
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

function sameAddresses(words: Uint32Array, p: number, addr: Int32Array): boolean {
  for (let i = 0; i < 8; i++) if (((words[p + i] as number) | 0) !== addr[i]) return false;
  return true;
}
