import { FindFlag } from './bulk-find.js';
import { STATE_TABLE, stateIndex } from './conn-state.js';
import type { RecordMemory } from './record-memory.js';
import { POOLED, type TimeStore } from './time-store.js';

// Per entry, one record of eight words (32 bytes on a 32-byte boundary, so that one packet touches
// one cache line): owner | backup << 16; primary slot | state << 28; alias slot + 1 (0 = none);
// created and last-seen as TimeStore codes; the low words of packets and bytes; their high 16 bits
// (packets in the low half, bytes in the high half), so both count to 2^48 and wrap.

/** Words per entry record. */
export const R = 8;
/** The primary slot's bits of a record's word 1. */
export const SLOT_MASK = 0x0fffffff;
/** Where the state sits in a record's word 1. */
export const STATE_SHIFT = 28;
/** 2³². */
export const TWO_32 = 4294967296;

/**
 * Adds one packet of `bytes` to the counters of the entry record at `refs[r ..]`: the low 32 bits
 * of packets and bytes in words 5 and 6, their high 16 bits in word 7 (packets low, bytes high).
 */
export function countPacket(refs: Uint32Array, r: number, bytes: number): void {
  const packets = (refs[r + 5] as number) + 1;
  if (packets < TWO_32) refs[r + 5] = packets;
  else {
    refs[r + 5] = 0;
    const high = refs[r + 7] as number;
    refs[r + 7] = ((high & 0xffff0000) | ((high + 1) & 0xffff)) >>> 0;
  }
  const sum = (refs[r + 6] as number) + bytes;
  if (sum < TWO_32) refs[r + 6] = sum;
  else {
    refs[r + 6] = sum - TWO_32;
    refs[r + 7] = ((refs[r + 7] as number) + 0x10000) >>> 0;
  }
}

/**
 * The last-seen update of one packet at `now` (offset code `nowCode`, or -1) on the record at
 * `refs[r ..]`: two offset codes compare as their times; a pooled code or time goes the general way.
 */
function seenAt(refs: Uint32Array, r: number, times: TimeStore, now: number, nowCode: number): void {
  const seen = refs[r + 4] as number;
  if (seen < nowCode) refs[r + 4] = nowCode;
  else if ((nowCode < 0 || seen >= POOLED) && now > times.decode(seen)) {
    refs[r + 4] = times.replace(seen, now);
  }
}

/** Sink of {@link recordBatch}'s reads, so that they are not optimised away. Internal to the package. */
export const recordSink: { touched: number } = { touched: 0 };

/**
 * `recordMany`'s update in JavaScript, past its buffer checks: one packet on the record of each
 * `handles[i] >= 0`, `i` in `from .. to-1`, in order, after a read of every record (their misses
 * overlap). Returns -1, or, having recorded nothing, the first handle not below `live`.
 */
export function recordBatch(
  refs: Uint32Array,
  times: TimeStore,
  handles: Int32Array,
  findFlags: Uint8Array,
  now: number,
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
  from: number,
  to: number,
  live: number,
): number {
  let sum = 0;
  for (let i = from; i < to; i++) {
    const h = handles[i] as number;
    if (h >= live) return h;
    if (h >= 0) sum = (sum + (refs[h * R + 1] as number)) | 0;
  }
  recordSink.touched ^= sum;
  const nowCode = times.offsetOf(now);
  for (let i = from; i < to; i++) {
    const h = handles[i] as number;
    if (h < 0) continue;
    const r = h * R;
    countPacket(refs, r, bytes[i] as number);
    seenAt(refs, r, times, now, nowCode);
    const w = refs[r + 1] as number;
    const reply = ((findFlags[i] as number) & FindFlag.REPLY) !== 0;
    const state = STATE_TABLE[stateIndex(w >>> STATE_SHIFT, tcpFlags[i] as number, reply)] as number;
    refs[r + 1] = ((w & SLOT_MASK) | (state << STATE_SHIFT)) >>> 0;
  }
  return -1;
}

/**
 * {@link recordBatch} through the WebAssembly kernel of the memory that holds the table's records:
 * the batch goes through the kernel's scratch 32 lanes (`KERNEL_BATCH`) at a time, and
 * the lanes whose last-seen time is not an offset code (or all, when `now` is not one) get the
 * general time update in JavaScript afterwards, in order (the kernel's other steps leave the time
 * codes alone, and that update leaves alone the offset codes the kernel wrote). Returns -1, or,
 * having recorded nothing of that lane's kernel batch, the first handle not below `live` met while
 * copying one (the caller checks longer ranges first).
 */
export function recordBatchKernel(
  kernel: RecordMemory,
  times: TimeStore,
  handles: Int32Array,
  findFlags: Uint8Array,
  now: number,
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
  from: number,
  to: number,
  live: number,
): number {
  const lanes = kernel.lanes;
  const refs = kernel.records;
  const nowCode = times.offsetOf(now);
  for (let start = from; start < to; start += 32) {
    const end = Math.min(to, start + 32); // KERNEL_BATCH
    let o = 0;
    for (let i = start; i < end; i++) {
      // A lane (LANE_BYTES): the handle (below 2²⁴) with the state-index bits of the direction and
      // flags above it, then the bytes. Hits only, without a branch: a negative handle's lane is
      // written and then overwritten by the next (o moves on by 2 only when h >= 0).
      const h = handles[i] as number;
      if (h >= live) return h;
      const f = tcpFlags[i] as number;
      lanes[o] = h | (((((findFlags[i] as number) & 1) << 4) | (f & 7) | ((f >>> 1) & 8)) << 24);
      lanes[o + 1] = bytes[i] as number;
      o += (~h >>> 31) << 1;
    }
    if (kernel.record(o >>> 1, nowCode) === 0) continue;
    for (let i = start; i < end; i++) {
      const h = handles[i] as number;
      if (h >= 0) seenAt(refs, h * R, times, now, nowCode);
    }
  }
  return -1;
}
