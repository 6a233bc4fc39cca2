import type { CaptureFormat } from './capture-format.js';
import { CaptureParser } from './capture-parser.js';
import { addressViews, type RunCursor, runClassic } from './classic-run.js';
import { decodeUnchecked } from './decode.js';
import { assertCallback, assertObject, booleanOption, checkOptionKeys, PcapError } from './errors.js';
import { MAX_BLOCK_LENGTH } from './limits.js';
import { createPacketRecord, DecodeStatus, type PacketRecord } from './packet-record.js';
import type { CaptureInterface } from './pcapng-section.js';
import { StepResult } from './pcapng-section.js';

/** Options of every reader. */
export interface ReadOptions {
  /**
   * Decode each packet into its flow key (`false` to read records only): `true`, `false` or left
   * out, anything else is refused. @default true
   */
  readonly decode?: boolean;
}

/** The keys of {@link ReadOptions}: a reader refuses any other. */
export const READ_OPTIONS: readonly string[] = ['decode'];

/** How a read ended. */
export interface ReadSummary {
  /** Format of the capture, or null when not even its header could be read. */
  readonly format: CaptureFormat | null;
  /** Packets handed out (all of them decoded before any damage). */
  readonly packets: number;
  /** Bytes of whole records read: where the damage starts when there is an error. */
  readonly bytes: number;
  /** Why reading stopped early, or null when the capture was read to its end. */
  readonly error: PcapError | null;
}

const EMPTY = new Uint8Array(0);

/**
 * A push-driven capture reader with bounded memory: feed it chunks of any size in order, take the
 * packets with {@link next} (or {@link push} with a callback), then call {@link end}. Packets are
 * parsed straight from the chunks; only a record split across two chunks is copied, into a carry
 * buffer that never grows past {@link MAX_BLOCK_LENGTH} whatever a length field claims.
 *
 * Damage stops reading: packets before it stay delivered and {@link end} reports a
 * {@link PcapError} with the byte offset. Nothing is thrown for bad data.
 * @example
 * const reader = new CaptureReader();
 * for (const chunk of chunks) reader.push(chunk, (p) => count(p.flow));
 * const { packets, error } = reader.end();
 */
export class CaptureReader {
  /** The record every packet is delivered in (reused). */
  readonly record: PacketRecord = createPacketRecord();
  // Handed to runClassic as arguments, not in an object: V8 would tie its compiled loop to the
  // shape of such an object's fields, and a second reader's would not match (a full recompile).
  private readonly src6View: DataView;
  private readonly dst6View: DataView;
  private readonly cursor: RunCursor = { pos: 0, count: 0 };
  private readonly parser = new CaptureParser();
  private readonly decode: boolean;
  private chunk: Uint8Array = EMPTY;
  private chunkView: DataView = new DataView(EMPTY.buffer);
  private chunkPos = 0;
  private chunkAt = 0;
  private fed = 0;
  private carry: Uint8Array = EMPTY;
  private carryView: DataView = new DataView(EMPTY.buffer);
  private carryLength = 0;
  private carryAt = 0;
  private skip = 0;
  private skipAt = 0;
  private recordAt = 0;
  private consumed = 0;
  private count = 0;
  private failure: PcapError | null = null;
  private ended = false;

  constructor(options: ReadOptions = {}) {
    assertObject(options, 'reader options');
    checkOptionKeys(options, 'reader', READ_OPTIONS);
    this.decode = booleanOption(options.decode, 'decode', true);
    [this.src6View, this.dst6View] = addressViews(this.record.flow);
  }

  /** The error that stopped reading, if any. */
  get error(): PcapError | null {
    return this.failure;
  }

  /** Interfaces of the current pcapng section (empty for classic pcap). */
  get interfaces(): readonly CaptureInterface[] {
    return this.parser.pcapng.interfaces;
  }

  /** Largest carry buffer allocated so far, in bytes (bounded by {@link MAX_BLOCK_LENGTH}). */
  get carryCapacity(): number {
    return this.carry.length;
  }

  /**
   * Makes `chunk` the next bytes of the capture. The previous chunk must have been drained with
   * {@link next} first. The reader keeps no reference to it once drained.
   */
  feed(chunk: Uint8Array): void {
    if (this.ended) throw new PcapError('INVALID_ARGUMENT', 'feed() after end()');
    if (!(chunk instanceof Uint8Array)) {
      throw new PcapError('INVALID_ARGUMENT', 'a chunk must be a Uint8Array (a Buffer is one)');
    }
    if (this.chunkPos < this.chunk.length && this.failure === null) {
      throw new PcapError('INVALID_ARGUMENT', 'feed() before the previous chunk was drained with next()');
    }
    this.chunk = chunk;
    this.chunkView = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    this.chunkPos = 0;
    this.chunkAt = this.fed;
    this.fed += chunk.length;
  }

  /** Feeds `chunk` and calls `onPacket` for each packet it completes; false once reading stopped. */
  push(chunk: Uint8Array, onPacket: (packet: PacketRecord) => void): boolean {
    assertCallback(onPacket, 'push');
    this.feed(chunk);
    for (;;) {
      if (this.parser.format === 'pcap' && this.carryLength === 0 && this.skip === 0)
        this.classicRun(onPacket);
      const p = this.next();
      if (p === null) break;
      onPacket(p);
    }
    return this.failure === null;
  }

  /** Whole classic records straight from the chunk (see {@link runClassic}). */
  private classicRun(onPacket: (packet: PacketRecord) => void): void {
    const cursor = this.cursor;
    cursor.pos = this.chunkPos;
    cursor.count = this.count;
    try {
      runClassic(
        this.chunk,
        this.chunkView,
        this.chunkAt,
        this.parser.classic,
        this.decode,
        this.record,
        this.src6View,
        this.dst6View,
        cursor,
        onPacket,
      );
    } finally {
      if (cursor.pos !== this.chunkPos) {
        this.chunkPos = cursor.pos;
        this.count = cursor.count;
        this.consumed = this.chunkAt + cursor.pos;
      }
    }
  }

  /** The next packet of the fed bytes, or null when the reader needs more bytes (or stopped). */
  next(): PacketRecord | null {
    if (this.failure !== null) return null;
    try {
      return this.advance();
    } catch (error) {
      if (!(error instanceof PcapError)) throw error;
      this.failure = error;
      this.chunkPos = this.chunk.length;
      return null;
    }
  }

  /** Declares the end of the capture and says how reading went. */
  end(): ReadSummary {
    if (!this.ended) {
      this.ended = true;
      if (this.failure === null) {
        if (this.skip > 0) {
          this.failure = new PcapError('TRUNCATED', 'capture ends inside a block', this.skipAt);
        } else if (this.carryLength > 0 || this.parser.format === null) {
          const at = this.carryLength > 0 ? this.carryAt : this.consumed;
          this.failure = new PcapError(
            'TRUNCATED',
            `capture ends inside a record: ${String(this.carryLength)} of ${String(Math.max(this.parser.needed, 4))} bytes present`,
            at,
          );
        }
      }
      this.chunk = EMPTY;
    }
    return { format: this.parser.format, packets: this.count, bytes: this.consumed, error: this.failure };
  }

  private advance(): PacketRecord | null {
    const parser = this.parser;
    const out = this.record;
    for (;;) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, this.chunk.length - this.chunkPos);
        this.chunkPos += n;
        this.skip -= n;
        if (this.skip > 0) return null;
        this.consumed = this.chunkAt + this.chunkPos;
      }
      if (this.carryLength > 0) {
        if (!this.fillCarry()) return null;
        this.recordAt = this.carryAt;
        const r = parser.step(this.carry, this.carryView, 0, this.carryLength, this.carryAt, out);
        if (r === StepResult.NEED_MORE) continue;
        this.afterCarryStep(r);
      } else {
        const pos = this.chunkPos;
        const end = this.chunk.length;
        if (pos >= end) return null;
        const at = this.chunkAt + pos;
        this.recordAt = at;
        const r = parser.step(this.chunk, this.chunkView, pos, end, at, out);
        if (r === StepResult.NEED_MORE) {
          this.startCarry(pos, end, at);
          return null;
        }
        if (r > end - pos) {
          this.skip = r - (end - pos);
          this.skipAt = at;
          this.chunkPos = end;
        } else {
          this.chunkPos = pos + r;
          this.consumed = at + r;
        }
      }
      if (parser.produced) return this.deliver(out);
    }
  }

  private deliver(out: PacketRecord): PacketRecord {
    out.index = this.count++;
    out.recordOffset = this.recordAt;
    if (this.decode) {
      decodeUnchecked(out.linkType, out.bytes, out.dataOffset, out.dataOffset + out.capturedLength, out);
    } else {
      out.status = DecodeStatus.NOT_DECODED;
    }
    return out;
  }

  private startCarry(pos: number, end: number, at: number): void {
    const tail = end - pos;
    this.ensureCarry(Math.max(this.parser.needed, tail));
    this.carry.set(this.chunk.subarray(pos, end), 0);
    this.carryLength = tail;
    this.carryAt = at;
    this.chunkPos = end;
  }

  /** Tops the carry up to what the parser needs; false when the chunk ran out first. */
  private fillCarry(): boolean {
    const needed = this.parser.needed;
    if (this.carryLength < needed) {
      this.ensureCarry(needed);
      const take = Math.min(needed - this.carryLength, this.chunk.length - this.chunkPos);
      this.carry.set(this.chunk.subarray(this.chunkPos, this.chunkPos + take), this.carryLength);
      this.carryLength += take;
      this.chunkPos += take;
      if (this.carryLength < needed) return false;
    }
    return true;
  }

  private afterCarryStep(r: number): void {
    if (r >= this.carryLength) {
      this.skip = r - this.carryLength;
      this.skipAt = this.carryAt;
      this.carryLength = 0;
      if (this.skip === 0) this.consumed = this.carryAt + r;
      return;
    }
    // The parser asked for exactly one record, so a remainder is only the 0-byte format probe.
    this.carry.copyWithin(0, r, this.carryLength);
    this.carryLength -= r;
    this.carryAt += r;
    this.consumed = this.carryAt;
  }

  private ensureCarry(size: number): void {
    if (size <= this.carry.length) return;
    const capacity = Math.min(Math.max(size, this.carry.length * 2, 4096), MAX_BLOCK_LENGTH);
    const grown = new Uint8Array(capacity);
    grown.set(this.carry.subarray(0, this.carryLength));
    this.carry = grown;
    this.carryView = new DataView(grown.buffer);
  }
}

/**
 * A reader kept for the life of the module, never used. V8 compiles the read loop against the
 * shapes (maps) of a reader's objects and holds those shapes weakly: once the last reader was
 * garbage and a full collection ran, they died, and all that compiled code with them, so every
 * read after such a collection started cold again (about twice the CPU time of a 1 M-packet
 * file). This reader's objects keep the shapes alive. Not part of the public API.
 */
export const SHAPE_KEEPER: CaptureReader = new CaptureReader();
