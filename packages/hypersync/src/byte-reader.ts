import { DecodeError } from './errors.js';

const ID_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-')
  ID_CHAR[c.charCodeAt(0)] = 1;

/** A bounds-checked big-endian reader: every read past the end throws `TRUNCATED`. */
export class ByteReader {
  private readonly view: DataView;
  /** Next byte to read. */
  offset = 0;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left. */
  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, what: string): void {
    if (this.offset + n > this.bytes.length) {
      throw new DecodeError(
        'TRUNCATED',
        `message truncated reading ${what}: need ${n} byte(s) at offset ${this.offset}, have ${this.bytes.length - this.offset}`,
      );
    }
  }

  /** Reads an unsigned byte. */
  u8(what: string): number {
    this.need(1, what);
    return this.view.getUint8(this.offset++);
  }

  /** Reads an unsigned 16-bit integer. */
  u16(what: string): number {
    this.need(2, what);
    const v = this.view.getUint16(this.offset);
    this.offset += 2;
    return v;
  }

  /** Reads an unsigned 32-bit integer. */
  u32(what: string): number {
    this.need(4, what);
    const v = this.view.getUint32(this.offset);
    this.offset += 4;
    return v;
  }

  /** Copies `n` raw bytes. */
  raw(n: number, what: string): Uint8Array {
    this.need(n, what);
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  /** Copies `n` raw bytes into `into` (length >= n). */
  rawInto(n: number, into: Uint8Array, what: string): void {
    this.need(n, what);
    into.set(this.bytes.subarray(this.offset, this.offset + n));
    this.offset += n;
  }

  /** Reads a member id: one length byte (1..64) then that many id characters. */
  id(what: string): string {
    const len = this.u8(what);
    if (len === 0 || len > 64) throw new DecodeError('CORRUPT', `${what}: id length ${len} outside 1..64`);
    this.need(len, what);
    let s = '';
    for (let i = 0; i < len; i++) {
      const c = this.bytes[this.offset + i] ?? 0;
      if (c >= 128 || ID_CHAR[c] !== 1)
        throw new DecodeError('CORRUPT', `${what}: byte ${c} is not an id character`);
      s += String.fromCharCode(c);
    }
    this.offset += len;
    return s;
  }

  /** Throws `CORRUPT` unless every byte was consumed. */
  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new DecodeError(
        'CORRUPT',
        `${this.bytes.length - this.offset} trailing byte(s) after the message`,
      );
    }
  }
}
