import { f64Load, get, i32, load, Op, set, store, tee, type WasmFunction } from './wasm-writer.js';

/**
 * `findPacked`'s stage 1 as a WebAssembly function over a large index's memory: the packed keys of
 * a batch, copied into the scratch's lane area, are checked, put in canonical order and hashed
 * into the probe's key scratch, the same words as the JavaScript loop of `findPackedBatch` (hash4,
 * the tag, the home bucket by the same floating-point product), without its typed-array checks.
 * Internal to the package.
 */

/** Words of the scratch's lane area: a batch of 32 keys 32 words apart (a `PackedBatch`'s stride). */
export const STAGE_LANE_WORDS: number = 32 * 32;

// Parameters and locals of the function, by index.
const SC = 0,
  STRIDE = 1,
  N = 2,
  SYM = 3,
  SEED = 4,
  LAST = 5,
  I = 6,
  L = 7,
  O = 8,
  S = 9,
  D = 10,
  SP = 11,
  DP = 12,
  PROTO = 13,
  KIND = 14,
  PORTS = 15,
  META = 16,
  SW = 17,
  H = 18,
  T = 19,
  SLOW = 20;
const V = Op.void;

/** `h = imul(h ^ (h >>> shift) ^ word, factor)`, one round of hash4 (`mix.ts`). */
function round(shift: number, word: number, factor: number): number[] {
  // biome-ignore format: one step per line
  return [...get(H), ...get(H), ...i32(shift), Op.shrU, Op.xor, ...get(word), Op.xor, ...i32(factor), Op.mul, ...set(H)];
}

/**
 * `stage(scratchAt, strideBytes, count, symmetric, seed, last) → slow`: stages the first `count`
 * keys of the lane area (at `scratchAt + lanesAt`, `strideBytes` apart, laid out as `KeyWord`
 * says) as probe keys at `scratchAt` (five words each: src, dst, ports, meta with the swapped bit
 * and the tag, home bucket, or -1 for a key left to the general path: IPv6 or garbage); the home
 * bucket is `min(trunc(hash × scale), last)` with the index's scale, a float64 at
 * `scratchAt + scaleAt`. Returns the number of keys left to the general path.
 */
export function stageFunction(lanesAt: number, scaleAt: number): WasmFunction {
  // biome-ignore format: a line per step of the kernel reads better than an opcode per line
  const body = [
    ...i32(0), ...set(I), ...i32(0), ...set(SLOW), ...get(SC), ...set(O),
    ...get(SC), ...i32(lanesAt), Op.add, ...set(L),
    Op.block, V, Op.loop, V,
      ...get(I), ...get(N), Op.geS, Op.brIf, 1,
      ...get(L), ...load(4), ...set(PROTO), ...get(L), ...load(8), ...set(KIND),
      ...get(L), ...load(12), ...set(SP), ...get(L), ...load(16), ...set(DP),
      // An IPv4 key whose fields fit (KeyWord: FAMILY 0, PROTOCOL 1, PORT_KIND 2, ports 3 and 4).
      ...get(L), ...load(0), ...i32(4), Op.eq,
      ...get(PROTO), ...i32(0xff), Op.and, ...get(PROTO), Op.eq, Op.and,
      ...get(KIND), ...i32(3), Op.and, ...get(KIND), Op.eq, Op.and,
      ...get(SP), ...i32(0xffff), Op.and, ...get(SP), Op.eq, Op.and,
      ...get(DP), ...i32(0xffff), Op.and, ...get(DP), Op.eq, Op.and,
      Op.if, V,
        ...get(L), ...load(32), ...set(S), ...get(L), ...load(48), ...set(D), // KeyWord SRC 8, DST 12
        ...get(SP), ...i32(16), Op.shl, ...get(DP), Op.or, ...set(PORTS),
        ...get(PROTO), ...get(KIND), ...i32(8), Op.shl, Op.or, ...set(META),
        // Canonical order in a symmetric table: the smaller address (unsigned) first, then the
        // smaller port. Without a branch: which way a key goes is a coin toss, and a mispredicted
        // branch per key cost more than the selects.
        ...get(SYM),
        ...get(S), ...get(D), Op.gtU, ...get(S), ...get(D), Op.eq, ...get(SP), ...get(DP), Op.gtS, Op.and, Op.or,
        Op.and, ...set(SW),
        ...get(DP), ...i32(16), Op.shl, ...get(SP), Op.or, ...get(PORTS), ...get(SW), Op.select, ...set(PORTS),
        ...get(D), ...get(S), ...get(SW), Op.select, ...set(T),
        ...get(S), ...get(D), ...get(SW), Op.select, ...set(D),
        ...get(T), ...set(S),
        ...get(SW), ...i32(11), Op.shl, ...set(SW), // SWAPPED_BIT 0x800
        // hash4(seed, s, d, ports, meta)
        ...get(S), ...get(SEED), Op.xor, ...i32(0x9e3779b1), Op.mul, ...set(H),
        ...round(15, D, 0x85ebca77), ...round(13, PORTS, 0xc2b2ae3d), ...round(16, META, 0x27d4eb2f),
        ...get(H), ...get(H), ...i32(15), Op.shrU, Op.xor, ...i32(0x2c1b3c6d), Op.mul, ...set(H),
        ...get(H), ...get(H), ...i32(12), Op.shrU, Op.xor, ...set(H),
        ...get(O), ...get(S), ...store(0), ...get(O), ...get(D), ...store(4), ...get(O), ...get(PORTS), ...store(8),
        // Meta, the swapped bit, and the key's tag (tagOf) in bits 16..23.
        ...get(O), ...get(META), ...get(SW), Op.or,
        ...get(H), ...i32(0x7f), Op.and, ...i32(0x80), Op.or, ...i32(16), Op.shl, Op.or, ...store(12),
        // The home bucket: (hash × scale) | 0 as JavaScript computes it, at most `last`.
        ...get(O),
        ...get(H), Op.f64ConvertI32U, ...get(SC), ...f64Load(scaleAt), Op.f64Mul, Op.i32TruncF64S, ...tee(T),
        ...get(LAST), ...get(T), ...get(LAST), Op.ltS, Op.select,
        ...store(16),
      Op.else,
        ...get(O), ...i32(-1), ...store(16), // SLOW
        ...get(SLOW), ...i32(1), Op.add, ...set(SLOW),
      Op.end,
      ...get(I), ...i32(1), Op.add, ...set(I),
      ...get(L), ...get(STRIDE), Op.add, ...set(L),
      ...get(O), ...i32(20), Op.add, ...set(O), // KERNEL_KEY_WORDS × 4
      Op.br, 0,
    Op.end, Op.end,
    ...get(SLOW),
  ];
  return { name: 'stage', params: 6, locals: 15, body };
}
