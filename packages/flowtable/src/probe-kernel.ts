import { bucketWalk } from './bucket-walk.js';
import { STATE_TABLE } from './conn-state.js';
import { INSERT_ALIAS_AT, insertFunction } from './insert-kernel.js';
import { recordFunction } from './record-kernel.js';
import { STAGE_LANE_WORDS, stageFunction } from './stage-kernel.js';
import { get, i32, load, Op, set, store, store8, tee, wasmModule } from './wasm-writer.js';

/**
 * The bulk lookup's probe stages as a WebAssembly function over a large index's own memory: with
 * the keys of a batch already checked, put in canonical order and hashed (stage 1: in JavaScript,
 * or for `findPacked` the module's `stage` function, `stage-kernel.ts`), it reads every home bucket (stage 2), then compares each key with the slots of its
 * bucket whose tag matches, bucket after bucket while the overflow count says so (stage 3), and
 * writes each handle and its find flags. The same work as the JavaScript loops of `findBatch`,
 * about a quarter less time per key at 1 M entries (86 against 114 ns in one process): V8's
 * WebAssembly code carries no typed-array bounds and tag checks, and its loads leave the
 * reorder buffer free for more misses in flight. The module also holds `recordMany`'s update
 * (`record-kernel.ts`), which a large table's entry records run in their own memory
 * (`record-memory.ts`), and an insertion's index work (`insert-kernel.ts`), which a large index
 * runs on its own memory. Internal to the package.
 */

/** Keys a scratch holds: the bulk lookup's batch (`findMany` takes its keys this many at a time). */
export const KERNEL_BATCH = 32;
/** Words per key in the scratch: src, dst, ports, meta (with the swapped bit and the tag in bits 16..23), home bucket (-1: not a kernel key). */
export const KERNEL_KEY_WORDS = 5;
/** Word of the scratch where the results start: the batch's handles, then its find flags (a byte each). */
export const KERNEL_OUT: number = KERNEL_BATCH * KERNEL_KEY_WORDS;
/** Byte of the scratch where the batch's find flags start, after its handles. */
const FLAGS_AT = (KERNEL_OUT + KERNEL_BATCH) * 4;
/** Byte of the scratch where the touch sink is, after the flags. */
const SINK_AT = FLAGS_AT + KERNEL_BATCH;
/** Byte of the scratch where the record function finds the state transition table, after the sink. */
export const STATE_AT: number = SINK_AT + 64;
/** Byte of the scratch where `findPacked` copies a batch's packed keys for the stage function, on a cache line. */
const LANES_AT = Math.ceil((STATE_AT + STATE_TABLE.length) / 64) * 64;
/** Byte of the scratch where the stage function finds the index's scale (a float64), after the lanes. */
const SCALE_AT = LANES_AT + STAGE_LANE_WORDS * 4;
/**
 * Bytes of a scratch: keys (or record lanes) in, results out, the touch sink, the state table,
 * the packed keys of a batch and the index's scale.
 */
export const SCRATCH_BYTES: number = SCALE_AT + 8;
/** Bytes of a WebAssembly page. */
export const PAGE = 65536;

/** A WebAssembly memory, as far as the kernels use one. */
export interface KernelMemory {
  readonly buffer: ArrayBuffer;
  /** Adds `pages` pages (the old buffer is then detached); throws when it cannot. */
  grow(pages: number): number;
}

/** The one part of the WebAssembly API used here (the package's TypeScript libs do not declare it). */
interface Wasm {
  Memory: new (d: { initial: number; maximum: number }) => KernelMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => { readonly exports: Record<string, unknown> };
}
const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;

type ProbeFn = (scratchAt: number, count: number, endBytes: number) => number;
type StageFn = (
  scratchAt: number,
  strideBytes: number,
  count: number,
  symmetric: number,
  seed: number,
  last: number,
) => number;
/** The record function of the kernels' module (see `record-kernel.ts`). */
export type RecordFn = (scratchAt: number, recordsAt: number, count: number, nowCode: number) => number;
type InsertFn = (
  scratchAt: number,
  endBytes: number,
  keyHome: number,
  aliasHome: number,
  keyWord3: number,
  aliasWord3: number,
  ref: number,
) => number;

/**
 * A memory of `pages` pages that may grow to `maximum`, with the kernels' functions over it, or
 * null when WebAssembly, the reservation or the compilation fails (each memory reserves about
 * 10 GiB of address space, so a process holds some thousands at most).
 */
export function kernelMemory(
  pages: number,
  maximum: number,
): { memory: KernelMemory; probe: ProbeFn; record: RecordFn; insert: InsertFn; stage: StageFn } | null {
  if (wasm === undefined) return null;
  try {
    const memory = new wasm.Memory({ initial: pages, maximum });
    compiled ??= new wasm.Module(kernelModule());
    const exports = new wasm.Instance(compiled, { env: { memory } }).exports;
    return {
      memory,
      probe: exports['probe'] as ProbeFn,
      record: exports['record'] as RecordFn,
      insert: exports['insert'] as InsertFn,
      stage: exports['stage'] as StageFn,
    };
  } catch {
    return null;
  }
}

/** A large index's kernel: its scratch (a view of the index's memory) and the function. */
export class ProbeKernel {
  /** The scratch: {@link KERNEL_BATCH} keys of {@link KERNEL_KEY_WORDS} words, then the results. */
  readonly scratch: Int32Array;
  /**
   * After {@link probe}: each key's handle (or -1), contiguous, so that a full batch's go to the
   * caller in one `TypedArray.set` (a view of the scratch).
   */
  readonly handles: Int32Array;
  /** After {@link probe}: each key's find flags (0 for a miss), contiguous (a view of the scratch). */
  readonly flags: Uint8Array;
  /** Where {@link stage} reads a batch's packed keys (a view of the scratch). */
  readonly lanes: Int32Array;
  private readonly fn: ProbeFn;
  private readonly insertFn: InsertFn;
  private readonly stageFn: StageFn;
  private readonly at: number;
  private readonly end: number;

  constructor(
    fns: { probe: ProbeFn; insert: InsertFn; stage: StageFn },
    buffer: ArrayBuffer,
    at: number,
    buckets: number,
    scale: number,
  ) {
    this.fn = fns.probe;
    this.insertFn = fns.insert;
    this.stageFn = fns.stage;
    this.at = at;
    this.end = buckets * 64;
    this.scratch = new Int32Array(buffer, at, SCRATCH_BYTES / 4);
    this.handles = new Int32Array(buffer, at + KERNEL_OUT * 4, KERNEL_BATCH);
    this.flags = new Uint8Array(buffer, at + FLAGS_AT, KERNEL_BATCH);
    this.lanes = new Int32Array(buffer, at + LANES_AT, STAGE_LANE_WORDS);
    new Float64Array(buffer, at + SCALE_AT, 1)[0] = scale;
  }

  /**
   * Stages the first `count` packed keys of {@link lanes}, `stride` words apart, as probe keys
   * (see `stage-kernel.ts`); returns how many were left to the general path.
   */
  stage(stride: number, count: number, symmetric: boolean, seed: number): number {
    return this.stageFn(this.at, stride * 4, count, symmetric ? 1 : 0, seed, this.end / 64 - 1);
  }

  /** Probes the first `count` keys of the scratch; returns how many were found. */
  probe(count: number): number {
    return this.fn(this.at, count, this.end);
  }

  /**
   * `tryInsert`'s index work (see `insert-kernel.ts`) for the key `load4` left at scratch word 0
   * and, with `aliasHome` not negative, the alias at word 6: -1 or -2 (key or alias present,
   * nothing changed), else the key's new slot code (the alias's in {@link aliasCode}).
   */
  insert(keyHome: number, aliasHome: number, keyWord3: number, aliasWord3: number, ref: number): number {
    return this.insertFn(this.at, this.end, keyHome, aliasHome, keyWord3, aliasWord3, ref);
  }

  /** After an {@link insert} with an alias: the alias's slot code. */
  aliasCode(): number {
    return this.scratch[INSERT_ALIAS_AT >>> 2] as number;
  }
}

/**
 * Page-aligned memory for an index of `buckets` buckets (`words` words, padding included) and its
 * kernel, or null when {@link kernelMemory} fails.
 */
export function pageAlignedIndex(
  words: number,
  buckets: number,
  scale: number,
): { slots: Uint32Array; kernel: ProbeKernel } | null {
  const at = Math.ceil((words * 4) / 64) * 64;
  const pages = Math.ceil((at + SCRATCH_BYTES) / PAGE);
  const k = kernelMemory(pages, pages);
  if (k === null) return null;
  return {
    slots: new Uint32Array(k.memory.buffer, 0, words),
    kernel: new ProbeKernel(k, k.memory.buffer, at, buckets, scale),
  };
}

let compiled: object | undefined;

// Parameters and locals of the kernel, by index.
const SC = 0,
  N = 1,
  END = 2,
  I = 3,
  P = 4,
  B = 5,
  S = 6,
  D = 7,
  PORTS = 8,
  M = 9,
  META = 10,
  TAGS = 11,
  W = 12,
  X = 13,
  C = 14,
  A = 15,
  REF = 16,
  W3 = 17,
  LEFT = 18,
  FOUND = 19,
  TOUCH = 20,
  OUT = 21;
const V = Op.void;

/**
 * The kernels' module: `probe(scratchAt, count, endBytes) → found`, the same steps as findBatch's
 * stages 2 and 3, `record` (see `record-kernel.ts`) and `insert` (see `insert-kernel.ts`).
 */
function kernelModule(): Uint8Array {
  const keyAt = [...get(SC), ...get(I), ...i32(KERNEL_KEY_WORDS * 4), Op.mul, Op.add];
  // biome-ignore format: a line per step of the kernel reads better than an opcode per line
  const body = [
    ...i32(0), ...set(I), ...i32(0), ...set(TOUCH), ...i32(0), ...set(FOUND),
    // Stage 2: read every home bucket's tag word and the next one's (a fifth of the keys live there).
    Op.block, V, Op.loop, V,
      ...get(I), ...get(N), Op.geS, Op.brIf, 1,
      ...keyAt, ...load(16), ...tee(B), ...i32(0), Op.geS,
      Op.if, V,
        ...get(B), ...i32(6), Op.shl, ...set(B),
        ...get(TOUCH), ...get(B), ...load(60), ...get(B), ...load(124), Op.add, Op.xor, ...set(TOUCH),
      Op.end,
      ...get(I), ...i32(1), Op.add, ...set(I), Op.br, 0,
    Op.end, Op.end,
    // Stage 3: per key, the slots of its buckets whose tag matches.
    ...i32(0), ...set(I),
    Op.block, V, Op.loop, V,
      ...get(I), ...get(N), Op.geS, Op.brIf, 1,
      ...keyAt, ...set(P),
      ...get(P), ...load(16), ...tee(B), ...i32(0), Op.geS,
      Op.if, V,
        ...get(B), ...i32(6), Op.shl, ...set(B),
        ...get(P), ...load(0), ...set(S), ...get(P), ...load(4), ...set(D),
        ...get(P), ...load(8), ...set(PORTS), ...get(P), ...load(12), ...set(M),
        // Key bits | OCC_BIT; the tag in each of the three slot bytes.
        ...get(M), ...i32(0x7ff), Op.and, ...i32(0x1000), Op.or, ...set(META),
        ...get(M), ...i32(16), Op.shrU, ...i32(0xff), Op.and, ...i32(0x010101), Op.mul, ...set(TAGS),
        ...i32(0), ...set(REF), ...i32(0), ...set(W3),
        ...get(END), ...i32(6), Op.shrU, ...set(LEFT),
        ...bucketWalk(
          { B, LEFT, END, S, D, PORTS, MATCH: META, TAGS, W, X, C, A },
          [...get(A), ...load(12), ...set(W3), ...get(A), ...load(16), ...set(REF)],
        ),
        ...get(SC), ...i32(KERNEL_OUT * 4), Op.add, ...get(I), ...i32(4), Op.mul, Op.add, ...set(OUT),
        ...get(REF), Op.eqz,
        Op.if, V,
          ...get(OUT), ...i32(-1), ...store(0),
          ...get(SC), ...get(I), Op.add, ...i32(0), ...store8(FLAGS_AT),
        Op.else,
          // The handle (entry + 1 in the reference); REPLY when the stored and the query
          // orientation differ, ALIAS from ALT_BIT.
          ...get(OUT), ...get(REF), ...i32(0xffffff), Op.and, ...i32(1), Op.sub, ...store(0),
          ...get(SC), ...get(I), Op.add,
          ...get(W3), ...get(M), Op.xor, ...i32(0x800), Op.and, ...i32(11), Op.shrU,
          ...get(REF), ...i32(23), Op.shrU, ...i32(2), Op.and, Op.or, ...store8(FLAGS_AT),
          ...get(FOUND), ...i32(1), Op.add, ...set(FOUND),
        Op.end,
      Op.end,
      ...get(I), ...i32(1), Op.add, ...set(I), Op.br, 0,
    Op.end, Op.end,
    ...get(SC), ...get(TOUCH), ...store(SINK_AT),
    ...get(FOUND),
  ];
  return wasmModule([
    { name: 'probe', params: 3, locals: 19, body },
    recordFunction(STATE_AT, SINK_AT),
    insertFunction(SINK_AT),
    stageFunction(LANES_AT, SCALE_AT),
  ]);
}
