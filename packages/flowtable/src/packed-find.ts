import type { FlowKey, PortKind } from '@maestro/hash';
import type { BucketIndex } from './bucket-index.js';
import { type BulkScratch, probeStagedKeys } from './bulk-find.js';
import { hash4 } from './mix.js';
import { STAGE_LANE_WORDS } from './stage-kernel.js';

/**
 * Where each field of a flow key sits among the words of a packed key (as in `@maestro/policy`'s
 * `PacketBatch`): the address family (4 or 6), the IP protocol (0..255), the port kind (0..3), the
 * ports (0..65535), then the source address at {@link KeyWord.SRC} and the destination at
 * {@link KeyWord.DST}: an IPv4 address as one word (its unsigned value `| 0`), an IPv6 address as
 * four, each the big-endian value of four of its bytes. Words 5..7 and unused address words are
 * not read: a packed key spans 16 words.
 */
export const KeyWord: {
  readonly FAMILY: 0;
  readonly PROTOCOL: 1;
  readonly PORT_KIND: 2;
  readonly SRC_PORT: 3;
  readonly DST_PORT: 4;
  readonly SRC: 8;
  readonly DST: 12;
} = { FAMILY: 0, PROTOCOL: 1, PORT_KIND: 2, SRC_PORT: 3, DST_PORT: 4, SRC: 8, DST: 12 };

/** Words a packed key spans (see {@link KeyWord}). */
export const KEY_WORDS = 16;

/**
 * {@link findBatch} over packed keys: key `i` (of at most 32) in `words[first + i * stride ..]`,
 * laid out as {@link KeyWord} says; writes each handle (or -1) to `out[at + i]` and the flags to
 * `flags[at + i]`;
 * returns the number found. Stage 1 reads, checks, orders and hashes the words straight into the
 * probe's scratch (no key object): for a large index in its WebAssembly module
 * (`stage-kernel.ts`), the batch's words copied there first when they span at most
 * {@link STAGE_LANE_WORDS} words (32 keys 32 words apart), else in JavaScript. IPv6 and garbage
 * keys are marked `SLOW`, counted in `sc.slow` and left to the caller (their `out` and `flags` not
 * written, or written with stale values).
 * Internal to the package.
 */
export function findPackedBatch(
  sc: BulkScratch,
  words: Int32Array,
  first: number,
  stride: number,
  count: number,
  symmetric: boolean,
  seed: number,
  index: BucketIndex,
  out: Int32Array,
  flags: Uint8Array | undefined,
  at: number,
): number {
  const kernel = index.kernel;
  const span = (count - 1) * stride + KEY_WORDS;
  if (kernel !== null && span <= STAGE_LANE_WORDS) {
    // Stage 1 in the kernel's module: the batch's words copied next to it in one `set`.
    kernel.lanes.set(words.subarray(first, first + span));
    sc.view = kernel.scratch;
    sc.slow = kernel.stage(stride, count, symmetric, seed);
    return probeStagedKeys(sc, count, index, out, flags, at);
  }
  const sv = kernel === null ? sc.own : kernel.scratch;
  sc.view = sv;
  const scale = index.scale;
  const last = index.buckets - 1;
  let slow = 0;
  // Literals for the layout (see bulk-find.ts on bundled module constants): KeyWord, KERNEL_KEY_WORDS 5.
  for (let i = 0, b = first; i < count; i++, b += stride) {
    const o = i * 5;
    const protocol = words[b + 1] as number;
    const kind = words[b + 2] as number;
    const sp = words[b + 3] as number;
    const dp = words[b + 4] as number;
    if (
      words[b] === 4 &&
      (protocol & 0xff) === protocol &&
      (sp & 0xffff) === sp &&
      (dp & 0xffff) === dp &&
      (kind & 3) === kind
    ) {
      let s = words[b + 8] as number;
      let d = words[b + 12] as number;
      let ports = (sp << 16) | dp;
      const meta = protocol | (kind << 8);
      let swapped = 0;
      // `x ^ INT_MIN` orders the int32 words as unsigned addresses.
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
      sv[o + 3] = meta | swapped | (((hash & 0x7f) | 0x80) << 16);
      sv[o + 4] = Math.min(home, last);
      continue;
    }
    sv[o + 4] = -1; // SLOW
    slow++;
  }
  sc.slow = slow;
  return probeStagedKeys(sc, count, index, out, flags, at);
}

/**
 * The flow key the packed words at `words[b ..]` spell, into `out` (for the general path: IPv6
 * keys, garbage). The family, protocol, port kind and ports are copied as they are, so that
 * `find` rejects garbage with its own `INVALID_KEY`. Internal to the package.
 */
export function unpackKey(words: Int32Array, b: number, out: FlowKey): FlowKey {
  const family = words[b] as number;
  out.family = family as 4 | 6;
  out.protocol = words[b + KeyWord.PROTOCOL] as number;
  out.portKind = words[b + KeyWord.PORT_KIND] as PortKind;
  out.srcPort = words[b + KeyWord.SRC_PORT] as number;
  out.dstPort = words[b + KeyWord.DST_PORT] as number;
  if (family !== 6) {
    out.srcV4 = (words[b + KeyWord.SRC] as number) >>> 0;
    out.dstV4 = (words[b + KeyWord.DST] as number) >>> 0;
    return out;
  }
  out.srcV4 = 0;
  out.dstV4 = 0;
  for (let k = 0; k < 4; k++) {
    putWord(out.src6, 4 * k, words[b + KeyWord.SRC + k] as number);
    putWord(out.dst6, 4 * k, words[b + KeyWord.DST + k] as number);
  }
  return out;
}

/** Writes `word` big-endian at `bytes[at .. at + 3]`. */
function putWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = (word >>> 16) & 0xff;
  bytes[at + 2] = (word >>> 8) & 0xff;
  bytes[at + 3] = word & 0xff;
}
