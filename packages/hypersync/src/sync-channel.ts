import type { ByteWriter } from './byte-writer.js';
import { writeSyncHeader } from './codec.js';
import type { SyncMessage } from './messages.js';

/** Writes the record for connection `id` to `peer` if it fits in `room` bytes; returns false if not. */
export type EntryEncoder = (w: ByteWriter, id: number, peer: string, room: number) => boolean;

interface Frame {
  readonly seq: number;
  readonly bytes: Uint8Array;
  sentAt: number;
}

/** Releases to send to `peer` once the sender holding them is idle (make before break). */
export interface DeferredRelease {
  readonly peer: string;
  readonly ids: number[];
}

/**
 * The sending half of a reliable sync channel to one peer (FTFW-like): connection ids wait in a
 * coalescing queue (the newest state is read when the frame is built), frames carry a sequence
 * number, stay in flight until cumulatively acknowledged, and are re-sent on timeout.
 */
export class SyncSender {
  private readonly queue: number[] = [];
  private head = 0;
  private readonly frames: Frame[] = [];
  private nextSeq = 0;
  /** A BULK_END marker is owed after the queued records. */
  bulkEndPending = true;
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
    return this.head === this.queue.length && this.frames.length === 0 && !this.bulkEndPending;
  }

  /** Frames in flight. */
  get inFlight(): number {
    return this.frames.length;
  }

  /** Connection ids waiting. */
  get queuedCount(): number {
    return this.queue.length - this.head;
  }

  /** Queues connection `id` (callers coalesce repeats: see SyncEngine's per-connection mark). */
  enqueue(id: number): void {
    this.queue.push(id);
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
    while ((this.head < this.queue.length || this.bulkEndPending) && this.frames.length < window) {
      w.reset();
      const countAt = writeSyncHeader(
        w,
        self,
        incarnation,
        this.peerIncarnation,
        this.token,
        this.nextSeq,
        false,
      );
      let count = 0;
      while (this.head < this.queue.length && count < 65535) {
        const id = this.queue[this.head] ?? 0;
        const room = count === 0 ? Number.POSITIVE_INFINITY : mtu - w.offset;
        if (!encode(w, id, this.peer, room)) break;
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
        w.patchU8(countAt - 1, 1);
        this.bulkEndPending = false;
      }
      const bytes = w.toBytes();
      this.frames.push({ seq: this.nextSeq, bytes, sentAt: now });
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
      out(f.bytes);
    }
    return this.frames.length;
  }
}

/**
 * The receiving half of a reliable sync channel from one peer: frames are applied strictly in
 * sequence order, early ones are held (up to the window), duplicates are dropped, and an ack is
 * owed after any frame.
 */
export class SyncReceiver {
  private expected = 0;
  private readonly held = new Map<number, SyncMessage>();
  /** An acknowledgement should be sent. */
  ackDue = false;
  /** The peer's BULK_END arrived. */
  bulkDone = false;

  constructor(
    readonly peer: string,
    readonly peerIncarnation: number,
    /** The sender's channel id this receiver follows. */
    readonly channel: number,
  ) {}

  /** The next sequence number expected (the cumulative ack). */
  get next(): number {
    return this.expected;
  }

  /** Takes a frame; applies it and any held successors in order; returns frames applied. */
  accept(msg: SyncMessage, window: number, apply: (msg: SyncMessage) => void): number {
    this.ackDue = true;
    const d = (msg.seq - this.expected) | 0;
    if (d < 0 || d >= window) return 0;
    if (d > 0) {
      this.held.set(msg.seq, msg);
      return 0;
    }
    let applied = 0;
    let m: SyncMessage | undefined = msg;
    while (m !== undefined) {
      apply(m);
      if (m.bulkEnd) this.bulkDone = true;
      applied++;
      this.held.delete(this.expected);
      this.expected = (this.expected + 1) >>> 0;
      m = this.held.get(this.expected);
    }
    return applied;
  }
}
