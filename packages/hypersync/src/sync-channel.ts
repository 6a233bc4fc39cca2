import type { ByteWriter } from './byte-writer.js';
import { FrameFlag, writeSyncHeader } from './codec.js';
import type { StoredConnection } from './connection.js';
import type { SyncFrame } from './sync-frame.js';

/**
 * Writes the record for `conn` to `peer` if it fits in `room` bytes; returns false if not. A claim
 * (see {@link SyncSender.claim}) is written only while this member still owns the connection.
 */
export type EntryEncoder = (
  w: ByteWriter,
  conn: StoredConnection,
  peer: string,
  room: number,
  claim: boolean,
) => boolean;

interface Frame {
  readonly seq: number;
  bytes: Uint8Array;
  sentAt: number;
  /** The base the bytes carry, and where. */
  base: number;
  readonly baseAt: number;
}

/** Releases to send to `peer` once the sender holding them is idle (make before break). */
export interface DeferredRelease {
  readonly peer: string;
  readonly conns: StoredConnection[];
}

/**
 * The sending half of a reliable sync channel to one peer (FTFW-like): connections wait in a
 * coalescing queue (the newest state is read when the frame is built), frames carry a sequence
 * number, stay in flight until cumulatively acknowledged, and are re-sent on timeout.
 */
export class SyncSender {
  private readonly queue: StoredConnection[] = [];
  private head = 0;
  /** Ownership claims owed to a peer that came back after a partition (sent before the queue). */
  private claims: StoredConnection[] = [];
  private claimHead = 0;
  private readonly frames: Frame[] = [];
  private nextSeq = 0;
  /** A BULK_END marker is owed after the queued records. */
  bulkEndPending = true;
  /**
   * Every frame of this channel asks the peer to send everything again (RESEND): the channel was
   * opened to a peer this member had dropped from its view, whose stream it no longer follows.
   */
  asksResend = false;
  /** Releases waiting for this channel to go idle. */
  readonly deferred: DeferredRelease[] = [];

  constructor(
    readonly peer: string,
    readonly peerIncarnation: number,
    /** Unique per channel: marks the connections already queued here. */
    readonly token: number,
  ) {}

  /** Nothing queued, nothing in flight. */
  get idle(): boolean {
    return (
      this.head === this.queue.length &&
      this.claimHead === this.claims.length &&
      this.frames.length === 0 &&
      !this.bulkEndPending
    );
  }

  /** Frames in flight. */
  get inFlight(): number {
    return this.frames.length;
  }

  /** Connection ids waiting. */
  get queuedCount(): number {
    return this.queue.length - this.head;
  }

  /** Queues a connection (callers coalesce repeats: see SyncEngine's per-connection mark). */
  enqueue(conn: StoredConnection): void {
    this.queue.push(conn);
  }

  /** Queues an ownership claim of an owned connection (not coalesced: claims are rare). */
  claim(conn: StoredConnection): void {
    this.claims.push(conn);
  }

  /** Builds and sends frames while the window has room; returns the number of records sent. */
  flush(
    now: number,
    w: ByteWriter,
    self: string,
    incarnation: number,
    mtu: number,
    window: number,
    encode: EntryEncoder,
    out: (bytes: Uint8Array) => void,
  ): number {
    let sent = 0;
    while (
      (this.head < this.queue.length || this.claimHead < this.claims.length || this.bulkEndPending) &&
      this.frames.length < window
    ) {
      w.reset();
      const countAt = writeSyncHeader(
        w,
        self,
        incarnation,
        this.peerIncarnation,
        this.token,
        this.nextSeq,
        this.frames[0]?.seq ?? this.nextSeq,
        this.asksResend ? FrameFlag.RESEND : 0,
      );
      let count = 0;
      const start = w.offset;
      while (this.claimHead < this.claims.length && count < 65535) {
        const conn = this.claims[this.claimHead];
        if (conn === undefined) break;
        const room = w.offset === start ? Number.POSITIVE_INFINITY : mtu - w.offset;
        const before = w.offset;
        if (!encode(w, conn, this.peer, room, true)) break;
        this.claimHead++;
        if (w.offset !== before) count++;
      }
      if (this.claimHead === this.claims.length && this.claimHead > 0) {
        this.claims = [];
        this.claimHead = 0;
      }
      const queue = this.queue;
      while (this.head < queue.length && count < 65535) {
        const conn = queue[this.head];
        if (conn === undefined) break;
        const room = w.offset === start ? Number.POSITIVE_INFINITY : mtu - w.offset;
        if (!encode(w, conn, this.peer, room, false)) break;
        this.head++;
        count++;
      }
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      } else if (this.head > 4096 && this.head * 2 > this.queue.length) {
        this.queue.splice(0, this.head);
        this.head = 0;
      }
      w.patchU16(countAt, count);
      if (this.head === this.queue.length && this.bulkEndPending) {
        w.patchU8(countAt - 1, FrameFlag.BULK_END | (this.asksResend ? FrameFlag.RESEND : 0));
        this.bulkEndPending = false;
      }
      const bytes = w.toBytes();
      const base = this.frames[0]?.seq ?? this.nextSeq;
      // countAt is preceded by the flags byte and the base.
      this.frames.push({ seq: this.nextSeq, bytes, sentAt: now, base, baseAt: countAt - 5 });
      this.nextSeq = (this.nextSeq + 1) >>> 0;
      sent += count;
      out(bytes);
    }
    return sent;
  }

  /** Takes a cumulative acknowledgement: every frame before `next` arrived. */
  ack(next: number): void {
    // Serial-number arithmetic; an ack beyond what was sent is bogus and ignored.
    if (((next - this.nextSeq) | 0) > 0) return;
    let drop = 0;
    for (const f of this.frames) {
      if (((f.seq - next) | 0) >= 0) break;
      drop++;
    }
    if (drop > 0) this.frames.splice(0, drop);
  }

  /** Re-sends every frame in flight when the oldest has waited `rtoMs`; returns frames re-sent. */
  retransmit(now: number, rtoMs: number, out: (bytes: Uint8Array) => void): number {
    const first = this.frames[0];
    if (first === undefined || now - first.sentAt < rtoMs) return 0;
    for (const f of this.frames) {
      f.sentAt = now;
      if (f.base !== first.seq) {
        // A receiver that starts following late must learn the current base; the old bytes may
        // still be in the transport's hands, so the patched frame is a copy.
        const bytes = f.bytes.slice();
        const b = first.seq;
        bytes[f.baseAt] = b >>> 24;
        bytes[f.baseAt + 1] = b >>> 16;
        bytes[f.baseAt + 2] = b >>> 8;
        bytes[f.baseAt + 3] = b;
        f.bytes = bytes;
        f.base = b;
      }
      out(f.bytes);
    }
    return this.frames.length;
  }
}

/**
 * The receiving half of a reliable sync channel from one peer: frames are applied strictly in
 * sequence order, early ones are held (as bytes, up to the window), duplicates are dropped, and an
 * ack is owed after any frame.
 */
export class SyncReceiver {
  private expected = 0;
  private readonly held = new Map<number, Uint8Array>();
  /** An acknowledgement should be sent. */
  ackDue = false;
  /** The peer's BULK_END arrived. */
  bulkDone = false;

  constructor(
    readonly peer: string,
    readonly peerIncarnation: number,
    /** The sender's channel id this receiver follows. */
    readonly channel: number,
    /** The first frame to expect (the base of the first frame seen). */
    first = 0,
  ) {
    this.expected = first;
  }

  /** The next sequence number expected (the cumulative ack). */
  get next(): number {
    return this.expected;
  }

  /**
   * Takes a frame decoded from `bytes`; applies it and any held successors in order (decoding
   * them into the same `frame`); returns frames applied.
   */
  accept(frame: SyncFrame, bytes: Uint8Array, window: number, apply: (frame: SyncFrame) => void): number {
    this.ackDue = true;
    if (((frame.base - this.expected) | 0) > 0) {
      // Frames before the base were acknowledged by an earlier follower of this channel here.
      this.expected = frame.base;
      for (const seq of this.held.keys()) if (((seq - frame.base) | 0) < 0) this.held.delete(seq);
    }
    const d = (frame.seq - this.expected) | 0;
    if (d < 0 || d >= window) return 0;
    if (d > 0) {
      // The caller may reuse its buffer: keep a copy.
      if (!this.held.has(frame.seq)) this.held.set(frame.seq, bytes.slice());
      return 0;
    }
    let applied = 0;
    for (;;) {
      apply(frame);
      if (frame.bulkEnd) this.bulkDone = true;
      applied++;
      this.held.delete(this.expected);
      this.expected = (this.expected + 1) >>> 0;
      const next = this.held.get(this.expected);
      if (next === undefined) return applied;
      // Checked whole when it arrived: decoding it again cannot fail.
      frame.decode(next);
    }
  }
}
