import { get, i32, load, load8u, Op, set, store, tee, type WasmFunction } from './wasm-writer.js';

/**
 * `recordMany`'s update as a WebAssembly function over a large table's record memory (its scratch,
 * then the entry records; see `record-memory.ts`): the same steps per packet as the
 * JavaScript loop (counters with their carries into the high word, an offset last-seen time,
 * the state through the transition table), without its typed-array checks. Internal to the package.
 */

/**
 * Bytes per lane of a record batch in the scratch: the handle with the state-index bits of the
 * packet's direction and flags in bits 24..28 (negative: skip the lane), then the bytes.
 */
export const LANE_BYTES = 8;

// Parameters and locals of the function, by index.
const SC = 0,
  REC = 1,
  N = 2,
  NOW = 3,
  I = 4,
  L = 5,
  H = 6,
  R = 7,
  P = 8,
  W = 9,
  SEEN = 10,
  FALLBACK = 11,
  TOUCH = 12;
const V = Op.void;

/**
 * `record(scratchAt, recordsAt, count, nowCode) → pooled`: records one packet for each of the first
 * `count` lanes of the scratch whose handle is not negative, in order, as `recordMany` does, with
 * the state table at `scratchAt + stateAt` and the touch sink at `scratchAt + sinkAt`. `nowCode` is
 * the offset code of the time, or -1; a lane whose last-seen time is not an offset, or every lane
 * when the time is not one, is left for the JavaScript side's general time update, and counted in
 * the result.
 */
export function recordFunction(stateAt: number, sinkAt: number): WasmFunction {
  const lane = [...get(SC), ...get(I), ...i32(LANE_BYTES), Op.mul, Op.add];
  // biome-ignore format: a line per step of the kernel reads better than an opcode per line
  const body = [
    ...i32(0), ...set(I), ...i32(0), ...set(TOUCH), ...i32(0), ...set(FALLBACK),
    // First read a word of every record, so that their cache misses overlap.
    Op.block, V, Op.loop, V,
      ...get(I), ...get(N), Op.geS, Op.brIf, 1,
      ...lane, ...load(0), ...tee(H), ...i32(0), Op.geS,
      Op.if, V,
        ...get(TOUCH), ...get(REC), ...get(H), ...i32(0xffffff), Op.and, ...i32(5), Op.shl, Op.add, ...load(4), Op.xor, ...set(TOUCH),
      Op.end,
      ...get(I), ...i32(1), Op.add, ...set(I), Op.br, 0,
    Op.end, Op.end,
    ...get(SC), ...get(TOUCH), ...store(sinkAt),
    ...i32(0), ...set(I),
    Op.block, V, Op.loop, V,
      ...get(I), ...get(N), Op.geS, Op.brIf, 1,
      ...lane, ...tee(L), ...load(0), ...tee(H), ...i32(0), Op.geS,
      Op.if, V,
        ...get(REC), ...get(H), ...i32(0xffffff), Op.and, ...i32(5), Op.shl, Op.add, ...set(R),
        // Packets (word 5), carrying into the low half of word 7.
        ...get(R), ...get(R), ...load(20), ...i32(1), Op.add, ...tee(P), ...store(20),
        ...get(P), Op.eqz,
        Op.if, V,
          ...get(R), ...get(R), ...load(28), ...tee(W), ...i32(0xffff0000), Op.and,
          ...get(W), ...i32(1), Op.add, ...i32(0xffff), Op.and, Op.or, ...store(28),
        Op.end,
        // Bytes (word 6), carrying into the high half of word 7.
        ...get(R), ...get(R), ...load(24), ...tee(W), ...get(L), ...load(4), Op.add, ...tee(P), ...store(24),
        ...get(P), ...get(W), Op.ltU,
        Op.if, V, ...get(R), ...get(R), ...load(28), ...i32(0x10000), Op.add, ...store(28), Op.end,
        // Last seen (word 4): two offset codes compare as their times; anything else is left to JavaScript.
        ...get(R), ...load(16), ...set(SEEN),
        ...get(NOW), ...i32(0), Op.ltS, ...get(SEEN), ...i32(0x80000000), Op.geU, Op.or,
        Op.if, V,
          ...get(FALLBACK), ...i32(1), Op.add, ...set(FALLBACK),
        Op.else,
          ...get(SEEN), ...get(NOW), Op.ltU, Op.if, V, ...get(R), ...get(NOW), ...store(16), Op.end,
        Op.end,
        // State (top 4 bits of word 1) through the transition table.
        ...get(R), ...load(4), ...set(W),
        ...get(R), ...get(W), ...i32(0x0fffffff), Op.and,
        ...get(SC), ...get(W), ...i32(28), Op.shrU, ...i32(5), Op.shl, ...get(H), ...i32(24), Op.shrU, Op.or, Op.add,
        ...load8u(stateAt), ...i32(28), Op.shl, Op.or, ...store(4),
      Op.end,
      ...get(I), ...i32(1), Op.add, ...set(I), Op.br, 0,
    Op.end, Op.end,
    ...get(FALLBACK),
  ];
  return { name: 'record', params: 4, locals: 9, body };
}
