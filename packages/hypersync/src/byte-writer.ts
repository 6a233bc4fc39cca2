import { HyperSyncError, shown } from './errors.js';

/**
 * A growable big-endian byte writer over one reused buffer: encoding allocates only when the
 * buffer must grow.
 */
export class ByteWriter {
  private bytes: Uint8Array;
  /** Bytes written so far. */
  offset = 0;

  constructor(initialSize = 2048) {
    // Size 0 would never grow (it doubles), and a typed array refuses the rest with a RangeError.
    if (!Number.isInteger(initialSize) || initialSize < 1 || initialSize > 2 ** 30) {
      throw new HyperSyncError(
        'INVALID_CONFIG',
        `initialSize ${shown(initialSize)} must be an integer in 1..2^30`,
      );
    }
    this.bytes = new Uint8Array(initialSize);
  }

  /** Forgets what was written; the buffer is kept. */
  reset(): void {
    this.offset = 0;
  }

  /** Makes room for `extra` more bytes (so a caller writing a known size checks once). */
  ensure(extra: number): void {
    const need = this.offset + extra;
    if (need <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.offset));
    this.bytes = next;
  }

  /**
   * Makes room for `n` bytes and returns the buffer to write them into from `offset` on (the
   * caller advances `offset`): one bounds check for a whole fixed-size field group.
   */
  room(n: number): Uint8Array {
    this.ensure(n);
    return this.bytes;
  }

  /** Appends an unsigned byte. */
  u8(value: number): void {
    this.ensure(1);
    this.bytes[this.offset++] = value;
  }

  /** Appends an unsigned 16-bit integer. */
  u16(value: number): void {
    this.ensure(2);
    const b = this.bytes;
    const at = this.offset;
    b[at] = value >>> 8;
    b[at + 1] = value;
    this.offset = at + 2;
  }

  /** Appends an unsigned 32-bit integer. */
  u32(value: number): void {
    this.ensure(4);
    const b = this.bytes;
    const at = this.offset;
    b[at] = value >>> 24;
    b[at + 1] = value >>> 16;
    b[at + 2] = value >>> 8;
    b[at + 3] = value;
    this.offset = at + 4;
  }

  /** Overwrites a byte already written at `at`. */
  patchU8(at: number, value: number): void {
    this.bytes[at] = value;
  }

  /** Overwrites an unsigned 16-bit integer already written at `at`. */
  patchU16(at: number, value: number): void {
    this.bytes[at] = value >>> 8;
    this.bytes[at + 1] = value;
  }

  /** Appends raw bytes. */
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.bytes.set(data, this.offset);
    this.offset += data.length;
  }

  /** Appends an ASCII string with a one-byte length (callers validate ids first). */
  ascii(text: string): void {
    this.ensure(1 + text.length);
    this.bytes[this.offset++] = text.length;
    for (let i = 0; i < text.length; i++) this.bytes[this.offset++] = text.charCodeAt(i);
  }

  /** A copy of what was written. */
  toBytes(): Uint8Array {
    return this.bytes.slice(0, this.offset);
  }
}
