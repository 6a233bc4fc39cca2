import { DecodeError } from './errors.js';

const ID_CHAR = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:@-')
  ID_CHAR[c.charCodeAt(0)] = 1;

const EMPTY = new Uint8Array(0);

/**
 * A bounds-checked big-endian reader: every read past the end throws `TRUNCATED`. Reads bytes
 * directly (no DataView) and can be pointed at another datagram with {@link ByteReader.reset}, so
 * one reader serves every message a member receives.
 */
export class ByteReader {
  private bytes: Uint8Array;
  /** Next byte to read. */
  offset = 0;

  constructor(bytes: Uint8Array = EMPTY) {
    this.bytes = bytes;
  }

  /** Starts reading `bytes` from offset `at`. */
  reset(bytes: Uint8Array, at = 0): void {
    this.bytes = bytes;
    this.offset = at;
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
    if (this.offset + 1 > this.bytes.length) this.need(1, what);
    return this.bytes[this.offset++] ?? 0;
  }

  /** Reads an unsigned 16-bit integer. */
  u16(what: string): number {
    const b = this.bytes;
    const at = this.offset;
    if (at + 2 > b.length) this.need(2, what);
    this.offset = at + 2;
    return ((b[at] ?? 0) << 8) | (b[at + 1] ?? 0);
  }

  /** Reads an unsigned 32-bit integer. */
  u32(what: string): number {
    const b = this.bytes;
    const at = this.offset;
    if (at + 4 > b.length) this.need(4, what);
    this.offset = at + 4;
    return (
      (((b[at] ?? 0) << 24) | ((b[at + 1] ?? 0) << 16) | ((b[at + 2] ?? 0) << 8) | (b[at + 3] ?? 0)) >>> 0
    );
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

  /**
   * Reads a member id and returns `known` instead of a new string when the bytes spell it (the
   * sender of a stream of frames is nearly always the same member).
   */
  idLike(what: string, known: string): string {
    const len = this.bytes[this.offset] ?? 0;
    if (len === known.length && this.offset + 1 + len <= this.bytes.length) {
      let same = true;
      for (let i = 0; i < len; i++) {
        if (this.bytes[this.offset + 1 + i] !== known.charCodeAt(i)) {
          same = false;
          break;
        }
      }
      if (same) {
        this.offset += 1 + len;
        return known;
      }
    }
    return this.id(what);
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
