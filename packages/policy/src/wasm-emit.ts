/**
 * A minimal WebAssembly emitter: a code buffer with one method per instruction the tree kernel
 * needs (i32 only), and the module bytes around one exported function over an imported memory.
 * The package builds its kernel with it at run time, so it ships no binary. Internal.
 */

/** Appends `value` to `bytes` as LEB128, signed or unsigned (32-bit values). */
function leb128(bytes: number[], value: number, signed: boolean): void {
  let rest = signed ? value | 0 : value >>> 0;
  for (;;) {
    const low = rest & 0x7f;
    rest = signed ? rest >> 7 : rest >>> 7;
    const last = signed
      ? (rest === 0 && (low & 0x40) === 0) || (rest === -1 && (low & 0x40) !== 0)
      : rest === 0;
    bytes.push(last ? low : low | 0x80);
    if (last) return;
  }
}

/** The block type of blocks and loops that take and leave nothing. */
const EMPTY = 0x40;
const I32 = 0x7f;

/** A function body under construction; each method appends one instruction and returns `this`. */
export class Code {
  /** The bytes so far. */
  readonly bytes: number[] = [];

  private op(byte: number, ...args: number[]): this {
    this.bytes.push(byte, ...args);
    return this;
  }

  /** `block` (branch target at its end). */
  block(): this {
    return this.op(0x02, EMPTY);
  }
  /** `loop` (branch target at its start). */
  loop(): this {
    return this.op(0x03, EMPTY);
  }
  /** `if` on the popped i32. */
  if(): this {
    return this.op(0x04, EMPTY);
  }
  /** `end` of a block, loop or if. */
  end(): this {
    return this.op(0x0b);
  }
  /** `br depth`. */
  br(depth: number): this {
    return this.op(0x0c, depth);
  }
  /** `br_if depth` on the popped i32. */
  brIf(depth: number): this {
    return this.op(0x0d, depth);
  }
  /** `local.get`. */
  get(local: number): this {
    return this.op(0x20, local);
  }
  /** `local.set`. */
  set(local: number): this {
    return this.op(0x21, local);
  }
  /** `local.tee`. */
  tee(local: number): this {
    return this.op(0x22, local);
  }
  /** `i32.load` from the popped address plus `offset` bytes (aligned). */
  load(offset = 0): this {
    this.op(0x28, 2);
    leb128(this.bytes, offset, false);
    return this;
  }
  /** `i32.store` of the popped value at the address below it plus `offset` bytes (aligned). */
  store(offset = 0): this {
    this.op(0x36, 2);
    leb128(this.bytes, offset, false);
    return this;
  }
  /** `select`: the first of two values when the popped i32 is not 0, else the second. */
  select(): this {
    return this.op(0x1b);
  }
  /** `return` (with the function's result on the stack, if it has one). */
  return(): this {
    return this.op(0x0f);
  }
  /** `i32.const`. */
  const(value: number): this {
    this.op(0x41);
    leb128(this.bytes, value, true);
    return this;
  }
  /** `i32.eqz`. */
  eqz(): this {
    return this.op(0x45);
  }
  /** `i32.eq`. */
  eq(): this {
    return this.op(0x46);
  }
  /** `i32.ne`. */
  ne(): this {
    return this.op(0x47);
  }
  /** `i32.gt_u`. */
  gtU(): this {
    return this.op(0x4b);
  }
  /** `i32.lt_s`. */
  ltS(): this {
    return this.op(0x48);
  }
  /** `i32.ge_s`. */
  geS(): this {
    return this.op(0x4e);
  }
  /** `i32.le_u`. */
  leU(): this {
    return this.op(0x4d);
  }
  /** `i32.ge_u`. */
  geU(): this {
    return this.op(0x4f);
  }
  /** `i32.add`. */
  add(): this {
    return this.op(0x6a);
  }
  /** `i32.sub`. */
  sub(): this {
    return this.op(0x6b);
  }
  /** `i32.and`. */
  and(): this {
    return this.op(0x71);
  }
  /** `i32.or`. */
  or(): this {
    return this.op(0x72);
  }
  /** `i32.xor`. */
  xor(): this {
    return this.op(0x73);
  }
  /** `i32.shl`. */
  shl(): this {
    return this.op(0x74);
  }
  /** `i32.shr_s`. */
  shrS(): this {
    return this.op(0x75);
  }
  /** `i32.shr_u`. */
  shrU(): this {
    return this.op(0x76);
  }
}

function sized(id: number, content: readonly number[]): number[] {
  return [id, ...lengthPrefixed(content)];
}

function lengthPrefixed(content: readonly number[]): number[] {
  const out: number[] = [];
  leb128(out, content.length, false);
  return out.concat(content);
}

function text(s: string): number[] {
  return [s.length, ...Array.from(s, (c) => c.charCodeAt(0))];
}

/** One exported function of a module: its i32 parameters, i32 locals and body. */
export interface WasmFunction {
  /** The export name. */
  readonly name: string;
  /** How many i32 parameters it takes. */
  readonly params: number;
  /** Whether it returns an i32 (else nothing). */
  readonly returns: boolean;
  /** How many i32 locals it has besides its parameters. */
  readonly locals: number;
  /** Its body, without the final `end`. */
  readonly code: Code;
}

/** The bytes of a module importing `env.memory` and exporting `functions`, in order. */
export function moduleBytes(functions: readonly WasmFunction[]): Uint8Array {
  const n = functions.length;
  const types = functions.flatMap((f) => [
    0x60,
    f.params,
    ...new Array<number>(f.params).fill(I32),
    ...(f.returns ? [1, I32] : [0]),
  ]);
  const exports = functions.flatMap((f, i) => [...text(f.name), 0x00, i]);
  const bodies = functions.flatMap((f) => lengthPrefixed([1, f.locals, I32, ...f.code.bytes, 0x0b]));
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...sized(1, [n, ...types]),
    ...sized(2, [1, ...text('env'), ...text('memory'), 0x02, 0x00, 1]),
    ...sized(3, [n, ...functions.map((_, i) => i)]),
    ...sized(7, [n, ...exports]),
    ...sized(10, [n, ...bodies]),
  ]);
}
