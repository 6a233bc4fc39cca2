import type { FlowKey } from '@maestro/hash';
import { hash4 } from './mix.js';
import { KEY_MASK, SWAPPED_BIT } from './query-key.js';

/** Bits of a {@link FlowTable.findMany} result flag. */
export const FindFlag: {
  /** The key matched in the direction opposite to its insertion (as `lastReply`). */
  readonly REPLY: 1;
  /** The key matched the entry's alias, not its primary key (as `lastAlias`). */
  readonly ALIAS: 2;
} = { REPLY: 1, ALIAS: 2 };

/** Keys looked up per pass of the pipeline: enough misses in flight, scratch stays in L1. */
export const BATCH = 32;

const ENTRY_MASK = 0xffffff;
const ALT_BIT = 0x1000000;
const FP_MASK = 0xfe000000 | 0;
/** `at` marks: the key is resolved (hit or miss), or needs the general path. */
const DONE = -1;
/** An `at` mark after the pipeline: this key needs the general path (IPv6, alias match, garbage). */
export const SLOW = -2;

/**
 * Per-table scratch of the bulk lookup, one batch of canonical IPv4 keys in struct-of-arrays
 * form. Internal to the package.
 */
export class BulkScratch {
  readonly s: Uint32Array = new Uint32Array(BATCH);
  readonly d: Uint32Array = new Uint32Array(BATCH);
  readonly p: Uint32Array = new Uint32Array(BATCH);
  readonly m: Uint32Array = new Uint32Array(BATCH);
  /** Fingerprint bits as a signed word, like `slot & FP_MASK`. */
  readonly fp: Int32Array = new Int32Array(BATCH);
  readonly swapped: Uint8Array = new Uint8Array(BATCH);
  /** Slot being probed (home, then the candidate's), or {@link DONE} / {@link SLOW}. */
  readonly at: Int32Array = new Int32Array(BATCH);
  /** The slot word at `at`. */
  readonly w: Int32Array = new Int32Array(BATCH);
  /** Key-word offset of the candidate entry (0 when there is none). */
  readonly cand: Int32Array = new Int32Array(BATCH);
}

/**
 * Stage 1 of the bulk lookup: validates and canonicalises keys `keys[from .. from + count - 1]`
 * (IPv4 only: anything else is marked for the general path, which also rejects garbage), hashes
 * them and computes their home slots. No memory beyond the keys and the scratch is touched.
 */
export function loadBatch(
  sc: BulkScratch,
  keys: ArrayLike<FlowKey>,
  from: number,
  count: number,
  symmetric: boolean,
  seed: number,
  scale: number,
  slotCount: number,
): void {
  const bs = sc.s;
  const bd = sc.d;
  const bp = sc.p;
  const bm = sc.m;
  const bfp = sc.fp;
  const bsw = sc.swapped;
  const at = sc.at;
  for (let i = 0; i < count; i++) {
    const key = keys[from + i];
    if (typeof key === 'object' && key !== null && key.family === 4) {
      const protocol = key.protocol;
      const sp = key.srcPort;
      const dp = key.dstPort;
      const kind = key.portKind;
      let s = key.srcV4;
      let d = key.dstV4;
      if (
        (protocol & 0xff) === protocol &&
        (sp & 0xffff) === sp &&
        (dp & 0xffff) === dp &&
        (kind & 3) === kind &&
        s >>> 0 === s &&
        d >>> 0 === d
      ) {
        let ports = ((sp << 16) | dp) >>> 0;
        let swapped = 0;
        if (symmetric && (s > d || (s === d && sp > dp))) {
          const t = s;
          s = d;
          d = t;
          ports = ((dp << 16) | sp) >>> 0;
          swapped = 1;
        }
        const meta = protocol | (kind << 8);
        const hash = hash4(seed, s, d, ports, meta);
        let home = (hash * scale) | 0;
        if (home >= slotCount) home = slotCount - 1;
        bs[i] = s;
        bd[i] = d;
        bp[i] = ports;
        bm[i] = meta;
        bfp[i] = (hash & 0x7f) << 25;
        bsw[i] = swapped;
        at[i] = home;
        continue;
      }
    }
    at[i] = SLOW;
  }
}

/**
 * Stage 2: reads every key's home slot word. A loop this short keeps many independent cache
 * misses in flight, which the one-key-at-a-time path cannot.
 */
export function readSlots(sc: BulkScratch, slots: Uint32Array, count: number): void {
  const at = sc.at;
  const w = sc.w;
  for (let i = 0; i < count; i++) {
    const j = at[i] as number;
    if (j >= 0) w[i] = slots[j] as number;
  }
}

/**
 * Stage 3: walks each probe chain over slot words (mostly in the line stage 2 brought in) to
 * the first fingerprint match, resolving misses; records the candidate entry's key offset in
 * `cand` (0, a harmless offset, when there is none). Alias candidates go to the general path.
 */
export function findCandidates(
  sc: BulkScratch,
  slots: Uint32Array,
  count: number,
  out: Int32Array,
  outAt: number,
): void {
  const at = sc.at;
  const w = sc.w;
  const bfp = sc.fp;
  const cand = sc.cand;
  const n = slots.length;
  for (let i = 0; i < count; i++) {
    let j = at[i] as number;
    cand[i] = 0;
    if (j < 0) continue;
    let word = w[i] as number;
    const fp = bfp[i] as number;
    for (;;) {
      if (word === 0) {
        out[outAt + i] = -1;
        at[i] = DONE;
        break;
      }
      if ((word & FP_MASK) === fp) {
        if ((word & ALT_BIT) !== 0) {
          at[i] = SLOW;
        } else {
          at[i] = j;
          w[i] = word;
          cand[i] = ((word & ENTRY_MASK) - 1) * 4;
        }
        break;
      }
      if (++j === n) j = 0;
      word = slots[j] as number;
    }
  }
}

/**
 * Stage 3b: loads the first key word of every candidate, in a loop short enough for the CPU to
 * keep all of those misses in flight; the XOR only stops the loads from being optimised away.
 */
export function touchKeys(sc: BulkScratch, keys: Uint32Array, count: number): number {
  const cand = sc.cand;
  let touch = 0;
  for (let i = 0; i < count; i++) touch ^= keys[cand[i] as number] as number;
  return touch;
}

/**
 * Stage 4: compares each candidate's key words; a false fingerprint match resumes probing from
 * the next slot. Returns the number of keys still marked for the general path.
 */
export function confirm(
  sc: BulkScratch,
  slots: Uint32Array,
  keys: Uint32Array,
  count: number,
  out: Int32Array,
  flags: Uint8Array | undefined,
  outAt: number,
): number {
  const at = sc.at;
  const w = sc.w;
  const bs = sc.s;
  const bd = sc.d;
  const bp = sc.p;
  const bm = sc.m;
  const bfp = sc.fp;
  const n = slots.length;
  let slow = 0;
  for (let i = 0; i < count; i++) {
    let j = at[i] as number;
    if (j === DONE) continue;
    if (j === SLOW) {
      slow++;
      continue;
    }
    const s = bs[i] as number;
    const d = bd[i] as number;
    const ports = bp[i] as number;
    const meta = bm[i] as number;
    const fp = bfp[i] as number;
    let word = w[i] as number;
    for (;;) {
      if (word === 0) {
        out[outAt + i] = -1;
        break;
      }
      if ((word & FP_MASK) === fp) {
        if ((word & ALT_BIT) !== 0) {
          at[i] = SLOW;
          slow++;
          break;
        }
        const e = (word & ENTRY_MASK) - 1;
        const b = e * 4;
        const m3 = keys[b + 3] as number;
        if (keys[b] === s && keys[b + 1] === d && keys[b + 2] === ports && (m3 & KEY_MASK) === meta) {
          out[outAt + i] = e;
          if (flags !== undefined) {
            flags[outAt + i] = ((m3 & SWAPPED_BIT) !== 0) !== (sc.swapped[i] === 1) ? 1 : 0;
          }
          break;
        }
      }
      if (++j === n) j = 0;
      word = slots[j] as number;
    }
    if (at[i] !== SLOW) at[i] = DONE;
  }
  return slow;
}
