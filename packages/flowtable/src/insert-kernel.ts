import { bucketWalk } from './bucket-walk.js';
import { get, i32, load, Op, set, store, tee, type WasmFunction } from './wasm-writer.js';

/**
 * `tryInsert`'s index work for IPv4 keys as a WebAssembly function over a large index's memory:
 * with the key (and alias) checked, put in canonical order and hashed by `load4` into the scratch,
 * it looks each up (absent?), then claims a slot for each (tag, overflow counts) and writes its
 * words and reference, the same slots and words as the JavaScript path (`probe4`, `claimAt` and
 * the slot stores) without its typed-array checks and calls. Internal to the package.
 */

/** Words per key in the insert scratch (`load4`'s layout: src, dst, ports, meta, hash, swapped). */
export const INSERT_KEY_WORDS = 6;
/** Byte of the scratch where the function leaves the alias's slot code. */
export const INSERT_ALIAS_AT: number = 2 * INSERT_KEY_WORDS * 4;

// Parameters and locals of the function, by index.
const SC = 0,
  END = 1,
  KH = 2,
  AH = 3,
  W3K = 4,
  W3A = 5,
  REF = 6,
  B = 7,
  W = 8,
  X = 9,
  C = 10,
  A = 11,
  S = 12,
  D = 13,
  PORTS = 14,
  MQ = 15,
  TAG = 16,
  LEFT = 17,
  FOUND = 18,
  CODE = 19,
  TOUCH = 20;
const V = Op.void;

/**
 * Sets FOUND to 1 when the key at scratch byte `off` (stored fourth word in local `w3`, home bucket
 * in local `home`) is in the index, else 0: find4's walk (tag-matching slots only, on
 * to the next bucket while the overflow count is not 0, one lap at most).
 */
function find(off: number, w3: number, home: number): number[] {
  // biome-ignore format: a line per step reads better than an opcode per line
  return [
    ...get(SC), ...load(off), ...set(S), ...get(SC), ...load(off + 4), ...set(D),
    ...get(SC), ...load(off + 8), ...set(PORTS),
    ...get(w3), ...i32(0x17ff), Op.and, ...set(MQ), // MATCH_MASK: key bits | OCC_BIT
    ...get(SC), ...load(off + 16), ...i32(0x7f), Op.and, ...i32(0x80), Op.or, ...i32(0x010101), Op.mul, ...set(TAG),
    ...get(home), ...i32(6), Op.shl, ...set(B), ...get(END), ...i32(6), Op.shrU, ...set(LEFT), ...i32(0), ...set(FOUND),
    ...bucketWalk(
      { B, LEFT, END, S, D, PORTS, MATCH: MQ, TAGS: TAG, W, X, C, A },
      [...i32(1), ...set(FOUND)],
    ),
  ];
}

/**
 * Claims a slot for the key at scratch byte `off` as `BucketIndex.claim` does (the first free
 * slot from its home bucket on, counting it in every full bucket passed) and writes the key there:
 * its three words, the stored fourth word `w3` and the reference `ref`; leaves the slot's code in
 * CODE. The index has a free slot (the caller checked the load).
 */
function claim(off: number, w3: number, home: number, ref: number[]): number[] {
  // biome-ignore format: a line per step reads better than an opcode per line
  return [
    ...get(SC), ...load(off + 16), ...i32(0x7f), Op.and, ...i32(0x80), Op.or, ...set(TAG),
    ...get(home), ...i32(6), Op.shl, ...set(B),
    Op.block, V, Op.loop, V,
      ...get(B), ...load(60), ...tee(W), ...i32(0xffffff), Op.and, ...set(X),
      // Tags have their top bit set, so this zero-byte test is exact: bit 8k + 7 per empty slot k.
      ...get(X), ...i32(0x010101), Op.sub, ...get(X), ...i32(-1), Op.xor, Op.and, ...i32(0x808080), Op.and, ...tee(C),
      Op.if, V,
        ...get(C), Op.ctz, ...i32(3), Op.shrU, ...set(X), // the slot, 0..2
        ...get(B), ...get(W), ...get(TAG), ...get(X), ...i32(3), Op.shl, Op.shl, Op.or, ...store(60),
        ...get(B), ...i32(4), Op.shrU, ...get(X), Op.or, ...set(CODE),
        ...get(B), ...get(X), ...i32(20), Op.mul, Op.add, ...set(A),
        ...get(A), ...get(SC), ...load(off), ...store(0),
        ...get(A), ...get(SC), ...load(off + 4), ...store(4),
        ...get(A), ...get(SC), ...load(off + 8), ...store(8),
        ...get(A), ...get(w3), ...store(12),
        ...get(A), ...ref, ...store(16),
        Op.br, 2,
      Op.end,
      // Full: count the key as passing (COUNT_MAX saturates).
      ...get(W), ...i32(24), Op.shrU, ...i32(255), Op.ltU,
      Op.if, V, ...get(B), ...get(W), ...i32(0x1000000), Op.add, ...store(60), Op.end,
      ...get(B), ...i32(64), Op.add, ...set(B),
      ...get(B), ...get(END), Op.eq, Op.if, V, ...i32(0), ...set(B), Op.end,
      Op.br, 0,
    Op.end, Op.end,
  ];
}

/**
 * `insert(scratchAt, endBytes, keyHome, aliasHome, keyWord3, aliasWord3, ref) → code`: the key
 * at scratch word 0 and, when `aliasHome` is not negative, its alias at word 6 (each as `load4`
 * leaves it), their home buckets, their stored fourth words (meta, swapped bit,
 * tag, OCC_BIT) and the key's reference (entry + 1). Returns -1, changing nothing, when the key is
 * in the index, -2 when the alias is; else claims and writes the key's slot, then the alias's
 * (reference | ALT_BIT; its code at byte {@link INSERT_ALIAS_AT}), and returns the key's slot code.
 * The index has room for both (the caller checked), and the alias is not the key.
 */
export function insertFunction(sinkAt: number): WasmFunction {
  // biome-ignore format: a line per step reads better than an opcode per line
  const body = [
    // The alias's bucket is seldom in cache: its miss (and its neighbour's) starts first.
    ...i32(0), ...set(TOUCH),
    ...get(AH), ...i32(0), Op.geS,
    Op.if, V,
      ...get(AH), ...i32(6), Op.shl, ...tee(B), ...load(60), ...get(B), ...load(124), Op.add, ...set(TOUCH),
    Op.end,
    ...find(0, W3K, KH),
    ...get(FOUND), Op.if, V, ...i32(-1), Op.return, Op.end,
    ...get(AH), ...i32(0), Op.geS,
    Op.if, V,
      ...find(INSERT_KEY_WORDS * 4, W3A, AH),
      ...get(FOUND), Op.if, V, ...i32(-2), Op.return, Op.end,
    Op.end,
    ...get(SC), ...get(TOUCH), ...store(sinkAt),
    ...claim(0, W3K, KH, get(REF)),
    ...get(AH), ...i32(0), Op.geS,
    Op.if, V,
      // The key's code waits in TOUCH (no longer needed as a sink).
      ...get(CODE), ...set(TOUCH),
      ...claim(INSERT_KEY_WORDS * 4, W3A, AH, [...get(REF), ...i32(0x1000000), Op.or]),
      ...get(SC), ...get(CODE), ...store(INSERT_ALIAS_AT),
      ...get(TOUCH), ...set(CODE),
    Op.end,
    ...get(CODE),
  ];
  return { name: 'insert', params: 7, locals: 14, body };
}
