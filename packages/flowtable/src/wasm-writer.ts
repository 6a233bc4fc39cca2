/**
 * Just enough of the WebAssembly binary format to write a few functions that work on an imported
 * memory: LEB128 numbers, the opcodes used, and the module around the function bodies. Internal to
 * the package (the bulk kernels are written with it, so the package ships no binary).
 */

/** Unsigned LEB128 bytes of `n` (0 .. 2³² - 1). */
export function uleb(n: number): number[] {
  const out: number[] = [];
  let v = n >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

/** Signed LEB128 bytes of the int32 `n`. */
export function sleb(n: number): number[] {
  const out: number[] = [];
  let v = n | 0;
  for (;;) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

/** The opcodes the kernels use (i32, and the few float64 ones of a home bucket), and `void` as a block type. */
export const Op = {
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  else: 0x05,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  select: 0x1b,
  void: 0x40,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  load: 0x28,
  f64Load: 0x2b,
  load8u: 0x2d,
  store: 0x36,
  store8: 0x3a,
  const: 0x41,
  eqz: 0x45,
  eq: 0x46,
  ltS: 0x48,
  ltU: 0x49,
  gtS: 0x4a,
  gtU: 0x4b,
  geS: 0x4e,
  geU: 0x4f,
  ctz: 0x68,
  add: 0x6a,
  sub: 0x6b,
  mul: 0x6c,
  and: 0x71,
  or: 0x72,
  xor: 0x73,
  shl: 0x74,
  shrU: 0x76,
  f64Mul: 0xa2,
  i32TruncF64S: 0xaa,
  f64ConvertI32U: 0xb8,
} as const;

/** `local.get i`. */
export const get = (i: number): number[] => [Op.get, ...uleb(i)];
/** `local.set i`. */
export const set = (i: number): number[] => [Op.set, ...uleb(i)];
/** `local.tee i`. */
export const tee = (i: number): number[] => [Op.tee, ...uleb(i)];
/** `i32.const n`. */
export const i32 = (n: number): number[] => [Op.const, ...sleb(n)];
/** `i32.load` at the address on the stack plus `offset` (4-byte aligned). */
export const load = (offset: number): number[] => [Op.load, 2, ...uleb(offset)];
/** `f64.load` at the address on the stack plus `offset` (8-byte aligned). */
export const f64Load = (offset: number): number[] => [Op.f64Load, 3, ...uleb(offset)];
/** `i32.load8_u` at the address on the stack plus `offset`. */
export const load8u = (offset: number): number[] => [Op.load8u, 0, ...uleb(offset)];
/** `i32.store` of the value on the stack at the address below it plus `offset` (4-byte aligned). */
export const store = (offset: number): number[] => [Op.store, 2, ...uleb(offset)];
/** `i32.store8` of the low byte of the value on the stack at the address below it plus `offset`. */
export const store8 = (offset: number): number[] => [Op.store8, 0, ...uleb(offset)];

function section(id: number, body: readonly number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  return [...uleb(text.length), ...Array.from(text, (c) => c.charCodeAt(0))];
}

/** One exported function of a {@link wasmModule}: `params` i32 parameters, an i32 result. */
export interface WasmFunction {
  readonly name: string;
  readonly params: number;
  /** More i32 locals after the parameters. */
  readonly locals: number;
  readonly body: readonly number[];
}

/** A module that imports `env.memory` and exports `functions`, each of its own type. */
export function wasmModule(functions: readonly WasmFunction[]): Uint8Array {
  const I32 = 0x7f;
  const n = functions.length;
  const types = functions.flatMap((f) => [0x60, f.params, ...new Array<number>(f.params).fill(I32), 1, I32]);
  const exports = functions.flatMap((f, i) => [...name(f.name), 0x00, i]);
  const codes = functions.flatMap((f) => {
    const code = [...(f.locals > 0 ? [1, ...uleb(f.locals), I32] : [0]), ...f.body, Op.end];
    return [...uleb(code.length), ...code];
  });
  return new Uint8Array([
    0x00,
    0x61,
    0x73,
    0x6d,
    0x01,
    0x00,
    0x00,
    0x00,
    ...section(1, [n, ...types]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]),
    ...section(3, [n, ...functions.map((_, i) => i)]),
    ...section(7, [n, ...exports]),
    ...section(10, [n, ...codes]),
  ]);
}
