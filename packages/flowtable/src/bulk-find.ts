import type { FlowKey } from '@maestro/hash';
import type { BucketIndex } from './bucket-index.js';
import { hash4 } from './mix.js';
import { KERNEL_BATCH, KERNEL_KEY_WORDS } from './probe-kernel.js';

/** Bits of a {@link FlowTable.findMany} result flag. */
export const FindFlag: {
  /** The key matched in the direction opposite to its insertion (as `lastReply`). */
  readonly REPLY: 1;
  /** The key matched the entry's alias, not its primary key (as `lastAlias`). */
  readonly ALIAS: 2;
} = { REPLY: 1, ALIAS: 2 };

/** Keys looked up per pass of the pipeline: enough misses in flight, scratch stays in L1. */
export const BATCH: 32 = KERNEL_BATCH;

/** The entry number (+ 1) bits of a slot's reference word. */
export const ENTRY_MASK = 0xffffff;
/** Set in a slot's reference word when the slot holds the entry's alias key. */
export const ALT_BIT = 0x1000000;
/** An `at` mark: this key needs the general path (IPv6, garbage). */
export const SLOW = -1;

/**
 * Per-table scratch of the bulk lookup, one batch of canonical IPv4 keys in struct-of-arrays
 * form. Internal to the package.
 */
export class BulkScratch {
  /**
   * One batch of canonical IPv4 keys, {@link KERNEL_KEY_WORDS} words each: src, dst, ports, meta
   * (protocol, port kind, the swapped bit, the key's tag in bits 16..23) and the home bucket, or
   * {@link SLOW}. The same layout as a large index's kernel scratch, which is used in its place.
   */
  readonly own: Int32Array = new Int32Array(BATCH * KERNEL_KEY_WORDS);
  /** The keys of the last batch: {@link own} or the kernel's scratch. */
  view: Int32Array = this.own;
  /** After {@link findBatch}: keys of the batch left for the general path. */
  slow = 0;
  /** Sink of the slot touches, so that they are not optimised away. */
  touched = 0;

  /** True when key `i` of the last batch was left for the general path. */
  isSlow(i: number): boolean {
    return (this.view[i * KERNEL_KEY_WORDS + 4] as number) < 0;
  }
}

// The hot loops below spell their constants as literals (named in the comments): a bundler turns
// module-level `const`s into `var`s, which V8 then loads and checks at every use instead of folding
// (seen in the generated code: a load, a Smi check and an overflow-checked multiply per slot).

/**
 * Looks up `keys[from .. from + count - 1]` (at most {@link BATCH}) in `index`, writing each
 * handle (or -1) to `out[from + i]` and the flags to `flags`; returns the number found. One stage
 * at a time over the whole batch, as DPDK's `rte_hash_lookup_bulk` does: (1) validate,
 * canonicalise and hash every key into the scratch, touching no table memory (IPv6 and garbage
 * keys are marked {@link SLOW}, counted in `sc.slow`, and their `out` and `flags` are left to
 * the caller's general path: not written, or in a whole kernel batch written with stale values);
 * (2) read the tag word of every home bucket and of the bucket after it (a fifth of the keys sit there; the
 * next line is cheap, same page, and at 1 M entries this took the bulk rate up by a tenth): a loop
 * this short keeps the cache misses of the whole batch in flight, which a one-key-at-a-time lookup
 * cannot; (3) compare each key with the slots of its bucket whose tag matches its own (usually one
 * for a hit, none for a miss), now in cache, going on to the next bucket only while the overflow
 * count says some key passed it. One function: three calls per batch cost about a tenth more.
 */
export function findBatch(
  sc: BulkScratch,
  keys: ArrayLike<FlowKey>,
  from: number,
  count: number,
  symmetric: boolean,
  seed: number,
  index: BucketIndex,
  out: Int32Array,
  flags: Uint8Array | undefined,
): number {
  const kernel = index.kernel;
  const sv = kernel === null ? sc.own : kernel.scratch;
  sc.view = sv;
  const scale = index.scale;
  const last = index.buckets - 1;
  let slow = 0;
  for (let i = 0; i < count; i++) {
    const key = keys[from + i];
    const o = i * 5; // KERNEL_KEY_WORDS
    if (typeof key === 'object' && key !== null && key.family === 4) {
      const protocol = key.protocol;
      const sp = key.srcPort;
      const dp = key.dstPort;
      const kind = key.portKind;
      const s0 = key.srcV4;
      const d0 = key.dstV4;
      // Addresses as int32 bit patterns; `x ^ INT_MIN` orders them as unsigned.
      let s = s0 | 0;
      let d = d0 | 0;
      if (
        (protocol & 0xff) === protocol &&
        (sp & 0xffff) === sp &&
        (dp & 0xffff) === dp &&
        (kind & 3) === kind &&
        s >>> 0 === s0 &&
        d >>> 0 === d0
      ) {
        let ports = (sp << 16) | dp;
        const meta = protocol | (kind << 8);
        let swapped = 0;
        if (symmetric && ((s ^ 0x80000000) > (d ^ 0x80000000) || (s === d && sp > dp))) {
          const t = s;
          s = d;
          d = t;
          ports = (dp << 16) | sp;
          swapped = 0x800; // SWAPPED_BIT
        }
        const hash = hash4(seed, s, d, ports, meta);
        const home = (hash * scale) | 0;
        sv[o] = s;
        sv[o + 1] = d;
        sv[o + 2] = ports;
        // Meta, SWAPPED_BIT, and the key's tag (tagOf) in bits 16..23.
        sv[o + 3] = meta | swapped | (((hash & 0x7f) | 0x80) << 16);
        sv[o + 4] = Math.min(home, last);
        continue;
      }
    }
    sv[o + 4] = -1; // SLOW
    slow++;
  }
  sc.slow = slow;
  return probeStagedKeys(sc, count, index, out, flags, from);
}

/**
 * Stages 2 and 3 for the first `count` keys staged by stage 1 (in the kernel's scratch or
 * `sc.own`): the kernel's probe, or {@link probeStaged} for an index without it; writes each
 * handle (or -1) to `out[from + i]` and its flags to `flags[from + i]`, keys marked {@link SLOW}
 * left to the caller (in a whole kernel batch written with stale values); returns the number
 * found. Shared with the packed-word lookup (`packed-find.ts`).
 */
export function probeStagedKeys(
  sc: BulkScratch,
  count: number,
  index: BucketIndex,
  out: Int32Array,
  flags: Uint8Array | undefined,
  from: number,
): number {
  const kernel = index.kernel;
  if (kernel === null) return probeStaged(sc, count, index, out, flags, from);
  const found = kernel.probe(count);
  // A whole batch's results in one `set` each (copying them one by one from the WebAssembly
  // memory cost about 10 ns a key); a short batch's one by one.
  if (count === 32 && from + 32 <= out.length && (flags === undefined || from + 32 <= flags.length)) {
    out.set(kernel.handles, from);
    if (flags !== undefined) flags.set(kernel.flags, from);
    return found;
  }
  const sv = sc.view;
  const handles = kernel.handles;
  const hitFlags = kernel.flags;
  for (let i = 0; i < count; i++) {
    if ((sv[i * 5 + 4] as number) < 0) continue;
    out[from + i] = handles[i] as number;
    if (flags !== undefined) flags[from + i] = hitFlags[i] as number;
  }
  return found;
}

/**
 * Stages 2 and 3 of {@link findBatch} in JavaScript, for an index without the WebAssembly kernel:
 * probes the first `count` keys staged in `sc.own` and writes each handle (or -1) to `out[from + i]`
 * and its flags to `flags[from + i]` (keys marked {@link SLOW} are left alone); returns the number
 * found. Shared with the packed-word lookup (`packed-find.ts`).
 */
export function probeStaged(
  sc: BulkScratch,
  count: number,
  index: BucketIndex,
  out: Int32Array,
  flags: Uint8Array | undefined,
  from: number,
): number {
  const sv = sc.own;
  const slots = index.slots;
  const last = index.buckets - 1;
  let touch = 0;
  for (let i = 0; i < count; i++) {
    const b = (sv[i * 5 + 4] as number) << 4; // × BUCKET_WORDS
    if (b >= 0) touch ^= ((slots[b + 15] as number) + (slots[b + 31] as number)) | 0; // TAG_WORDs
  }
  sc.touched ^= touch;
  const end = (last + 1) << 4;
  let found = 0;
  for (let i = 0; i < count; i++) {
    const o = i * 5;
    let b = (sv[o + 4] as number) << 4;
    if (b < 0) continue;
    const s = sv[o] as number;
    const d = sv[o + 1] as number;
    const ports = sv[o + 2] as number;
    const m = sv[o + 3] as number;
    const meta = (m & 0x7ff) | 0x1000; // KEY_MASK bits | OCC_BIT
    const tags = ((m >>> 16) & 0xff) * 0x010101;
    let ref = 0;
    let w3 = 0;
    for (let left = last; left >= 0; left--) {
      const w = slots[b + 15] as number; // TAG_WORD
      // tagCandidates, inline: only slots whose tag matches are compared.
      const x = (w ^ tags) & 0xffffff;
      for (let c = (x - 0x010101) & ~x & 0x808080; c !== 0; c &= c - 1) {
        const k = (31 - Math.clz32(c & -c)) >>> 3; // firstCandidate
        const a = b + k * 5; // SLOT_WORDS
        if (
          ((slots[a] as number) | 0) === s &&
          ((slots[a + 1] as number) | 0) === d &&
          ((slots[a + 2] as number) | 0) === ports &&
          ((slots[a + 3] as number) & 0x17ff) === meta // MATCH_MASK
        ) {
          w3 = slots[a + 3] as number;
          ref = slots[a + 4] as number;
          break;
        }
      }
      if (ref !== 0 || w < 0x1000000) break; // found, or overflow count 0
      b += 16;
      if (b === end) b = 0;
    }
    let h = -1;
    let f = 0;
    if (ref !== 0) {
      h = (ref & 0xffffff) - 1; // ENTRY_MASK
      // FindFlag.REPLY when the stored and the query orientation differ; ALIAS from ALT_BIT.
      f = (((w3 ^ m) & 0x800) >>> 11) | ((ref >>> 23) & 2);
      found++;
    }
    out[from + i] = h;
    if (flags !== undefined) flags[from + i] = f;
  }
  return found;
}
