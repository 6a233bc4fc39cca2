import { get, i32, load, Op, set, tee } from './wasm-writer.js';

/** The locals (indexes in the calling function) a {@link bucketWalk} reads and writes. */
export interface WalkLocals {
  /** In: the home bucket's byte offset; then the bucket being read. */
  readonly B: number;
  /** In: the buckets of the index (one lap at most); counted down. */
  readonly LEFT: number;
  /** In: the index's end in bytes (the walk wraps to 0 there). */
  readonly END: number;
  /** In: the key's words and its key bits with OCC_BIT, as stored in a slot. */
  readonly S: number;
  readonly D: number;
  readonly PORTS: number;
  readonly MATCH: number;
  /** In: the key's tag in each of the three slot bytes. */
  readonly TAGS: number;
  /** Scratch: the bucket's tag word, the tag test, the candidate bits, a slot's byte address. */
  readonly W: number;
  readonly X: number;
  readonly C: number;
  readonly A: number;
}

/**
 * The bytecode of `BucketIndex.find4`'s walk, shared by the kernels' probe and insert functions:
 * from bucket `B`, each slot whose tag matches `TAGS` is compared with the key; a match runs
 * `onMatch` (the slot's byte address in `A`) and leaves the walk; with no match the walk goes on to
 * the next bucket only while this one's overflow count says a key passed it, one lap at most.
 */
export function bucketWalk(l: WalkLocals, onMatch: readonly number[]): number[] {
  const V = Op.void;
  // biome-ignore format: a line per step of the kernel reads better than an opcode per line
  return [
    Op.block, V, Op.loop, V,
      ...get(l.B), ...load(60), ...set(l.W),
      // tagCandidates: a SWAR zero-byte test of (tag word ^ tags) over the three slot bytes.
      ...get(l.W), ...get(l.TAGS), Op.xor, ...i32(0xffffff), Op.and, ...set(l.X),
      ...get(l.X), ...i32(0x010101), Op.sub, ...get(l.X), ...i32(-1), Op.xor, Op.and, ...i32(0x808080), Op.and, ...set(l.C),
      Op.block, V, Op.loop, V,
        ...get(l.C), Op.eqz, Op.brIf, 1,
        ...get(l.B), ...get(l.C), Op.ctz, ...i32(3), Op.shrU, ...i32(20), Op.mul, Op.add, ...set(l.A),
        ...get(l.A), ...load(0), ...get(l.S), Op.eq,
        ...get(l.A), ...load(4), ...get(l.D), Op.eq, Op.and,
        ...get(l.A), ...load(8), ...get(l.PORTS), Op.eq, Op.and,
        ...get(l.A), ...load(12), ...i32(0x17ff), Op.and, ...get(l.MATCH), Op.eq, Op.and, // MATCH_MASK
        Op.if, V, ...onMatch, Op.br, 4, Op.end,
        ...get(l.C), ...get(l.C), ...i32(1), Op.sub, Op.and, ...set(l.C),
        Op.br, 0,
      Op.end, Op.end,
      // No match here: on to the next bucket only while this one's overflow count is not 0.
      ...get(l.W), ...i32(0x1000000), Op.ltU, Op.brIf, 1, // COUNT_ONE
      ...get(l.B), ...i32(64), Op.add, ...set(l.B),
      ...get(l.B), ...get(l.END), Op.eq, Op.if, V, ...i32(0), ...set(l.B), Op.end,
      ...get(l.LEFT), ...i32(1), Op.sub, ...tee(l.LEFT), ...i32(0), Op.gtS, Op.brIf, 0,
    Op.end, Op.end,
  ];
}
