import { type BackupCandidates, backupCandidates, chooseBackup } from './backup-choice.js';
import { ByteWriter } from './byte-writer.js';
import { writeAck } from './codec.js';
import { ConnectionRole, type StoredConnection } from './connection.js';
import { ConnectionStore } from './connection-store.js';
import { writeEntry } from './entry-writer.js';
import type { AckMessage, ConnectionFields, ViewMember } from './messages.js';
import { promoteDeparted, warmPromotion } from './promotion.js';
import { applyFrame, forgetReplicasOf, type ReplicaHost } from './record-apply.js';
import { type DeferredRelease, type EntryEncoder, SyncReceiver, SyncSender } from './sync-channel.js';
import type { SyncFrame } from './sync-frame.js';
import { createSyncStats, type SyncStats } from './sync-stats.js';

export type { SyncStats } from './sync-stats.js';

/** Connections whose backup is (re)chosen per tick after a view change. */
const PLACE_PER_TICK = 262_144;

/** Tuning of the reliable channel. */
export interface ChannelOptions {
  readonly mtu: number;
  readonly window: number;
  readonly retransmitMs: number;
}

/**
 * Connection store and HyperSync replication of one member: per connection, the owner sends
 * create/update/delete records to its one backup (or to all, per policy) over a reliable channel
 * per peer; view changes promote replicas of departed owners and move replicas to new backups.
 */
export class SyncEngine implements ReplicaHost {
  /** Every connection held here, owned or replica. */
  readonly store: ConnectionStore = new ConnectionStore();
  readonly senders: Map<string, SyncSender> = new Map();
  readonly receivers: Map<string, SyncReceiver> = new Map();
  readonly stats: SyncStats = createSyncStats();
  private members = new Map<string, number>();
  /**
   * Incarnations of peers when they left the view. One that comes back with the same incarnation
   * did not restart: it was cut off (a partition) and may own connections this member owns too.
   */
  private readonly departed = new Map<string, number>();
  private candidates: BackupCandidates = backupCandidates([]);
  private orphans: DeferredRelease[] = [];
  /** Last channel id handed out: channels reopened to a peer get higher ids. */
  private channels = 0;
  /**
   * Owned connections (store slots) whose backup must be recomputed after a view change, done a
   * slice per tick. A slot freed and reused meanwhile is placed again, which changes nothing.
   */
  private placing: {
    slots: Int32Array;
    count: number;
    joined: readonly string[];
    closed: ReadonlySet<string>;
    next: number;
  }[] = [];
  /**
   * Slot buffers for `placing`, sized to the store's capacity between view changes (in `tick`),
   * so a failover takes one instead of allocating megabytes that could start a major GC.
   */
  private spare: Int32Array[] = [];
  private readonly writer = new ByteWriter(4096);
  private readonly ackWriter = new ByteWriter(64);
  private readonly encodeEntry: EntryEncoder = (w, conn, peer, room, claim) =>
    writeEntry(this, w, conn, peer, room, claim);
  private readonly applyFrame = (frame: SyncFrame): void => applyFrame(this, frame);

  constructor(
    readonly self: string,
    public incarnation: number,
    private readonly options: ChannelOptions,
    private readonly send: (to: string, bytes: Uint8Array) => void,
  ) {
    warmPromotion();
  }

  /** Drops everything: connections, channels (used when this member is fenced or restarts). */
  reset(incarnation: number): void {
    this.incarnation = incarnation;
    for (const c of this.store.values()) c.held = false;
    this.store.clear();
    this.departed.clear();
    this.senders.clear();
    this.receivers.clear();
    this.orphans = [];
    this.placing = [];
    this.members = new Map();
    this.candidates = backupCandidates([]);
  }

  /** Incarnation of a peer in the view in force, or undefined. */
  memberIncarnation(id: string): number | undefined {
    return this.members.get(id);
  }

  /** True when nothing is queued, in flight or waiting to be released. */
  get idle(): boolean {
    if (this.orphans.length > 0 || this.placing.length > 0) return false;
    for (const s of this.senders.values()) if (!s.idle || s.deferred.length > 0) return false;
    return true;
  }

  /** True when every other view member's bulk resync has arrived. */
  get bulkComplete(): boolean {
    for (const [id, inc] of this.members) {
      const r = this.receivers.get(id);
      if (r === undefined || r.peerIncarnation !== inc || !r.bulkDone) return false;
    }
    return true;
  }

  /**
   * Follows a new view (this member's own entry included; an empty list when it is not in it):
   * closes channels to departed peers, opens them to new ones, promotes replicas whose owner left,
   * and moves replicas to the backups the new view calls for.
   */
  applyView(view: readonly ViewMember[]): void {
    const next = new Map<string, number>();
    for (const m of view) if (m.id !== this.self) next.set(m.id, m.incarnation);
    const joined: string[] = [];
    const closed = new Set<string>();
    for (const [id, inc] of this.members) {
      if (next.get(id) !== inc) {
        this.closePeer(id);
        closed.add(id);
        this.departed.set(id, inc);
      }
    }
    const returning: SyncSender[] = [];
    for (const [id, inc] of next) {
      if (this.members.get(id) !== inc) {
        joined.push(id);
        const s = new SyncSender(id, inc, ++this.channels);
        this.senders.set(id, s);
        if (this.departed.get(id) === inc) {
          // This member dropped the peer and lost its stream (its replicas were promoted here):
          // the peer must send everything again, which it cannot tell by itself when it never
          // saw the view that dropped it.
          s.asksResend = true;
          returning.push(s);
        }
        this.departed.delete(id);
      }
    }
    this.members = next;
    this.candidates = backupCandidates(view.length > 0 ? view : []);
    // Promotion is the urgent part of a failover and is done here, over the store's columns;
    // choosing backups and queueing the records they need is spread over the next ticks.
    const batch = this.takeSlots();
    const n = promoteDeparted(this, this.members, closed, batch);
    if (n > 0) this.placing.push({ slots: batch, count: n, joined, closed, next: 0 });
    else this.spare.push(batch);
    // A peer back from a partition may have promoted its copies of connections this member owns
    // (or the reverse): tell it every synced connection owned here; the loser of each gives it up.
    if (returning.length > 0) {
      for (const conn of this.store.values()) {
        if (conn.role !== ConnectionRole.OWNER || conn.policy === 'none') continue;
        for (const s of returning) s.claim(conn);
      }
    }
  }

  /**
   * Sends a peer that dropped this member from its view (and came back without a view change
   * here) everything again on the same channel: its replicas re-placed and re-sent, a BULK_END,
   * and claims for what it may have promoted meanwhile. The channel is kept, so the peer's own
   * reopening is not answered by another one.
   */
  private resend(peer: string): void {
    const s = this.senders.get(peer);
    if (s === undefined) return;
    s.bulkEndPending = true;
    for (const conn of this.store.values()) {
      if (conn.role !== ConnectionRole.OWNER || conn.policy === 'none') continue;
      // Its copy again where it is the backup (or under `all`), in place: the backup stays what
      // it is, so that a later move away from the peer still releases the copy the peer may hold
      // (records of the old channel can reach it after it reopened its own).
      if (conn.backup === peer || conn.policy === 'all') this.queueOn(s, conn);
      s.claim(conn);
    }
  }

  /** A slot buffer with room for every slot of the store (a spare one when it is large enough). */
  private takeSlots(): Int32Array {
    const need = this.store.cols.used;
    const buf = this.spare.pop();
    return buf !== undefined && buf.length >= need ? buf : new Int32Array(this.store.cols.capacity);
  }

  /** Keeps one spare slot buffer as large as the store's capacity, outside any failover. */
  private presizeSlots(): void {
    const cap = this.store.cols.capacity;
    const top = this.spare[this.spare.length - 1];
    if (top === undefined || top.length < cap) {
      // Doubling: the store grows a chunk at a time, the buffer only log(n) times.
      let size = Math.max(1024, top?.length ?? 0);
      while (size < cap) size *= 2;
      this.spare.length = 0;
      this.spare.push(new Int32Array(size));
    }
  }

  /** Forgets a connection held here. */
  drop(conn: StoredConnection): void {
    this.store.delete(conn.id);
    conn.held = false;
  }

  /** Places up to `budget` connections of the pending view changes; returns how many. */
  private placeSome(budget: number): number {
    let done = 0;
    const moves = new Map<string, Map<string, StoredConnection[]>>();
    while (this.placing.length > 0 && done < budget) {
      const b = this.placing[0];
      if (b === undefined) break;
      while (b.next < b.count && done < budget) {
        const conn = this.store.at(b.slots[b.next++] ?? -1);
        done++;
        // Deleted or demoted since: nothing to place.
        if (conn === undefined || conn.role !== ConnectionRole.OWNER || !conn.held) continue;
        // A backup that left (or restarted empty) holds nothing any more.
        if (conn.backup !== undefined && b.closed.has(conn.backup)) conn.backup = undefined;
        this.place(conn, b.joined, moves);
      }
      if (b.next >= b.count) {
        this.placing.shift();
        this.spare.push(b.slots);
      }
    }
    for (const [to, byOld] of moves) {
      const sender = this.senders.get(to);
      for (const [old, conns] of byOld) {
        if (sender === undefined) this.orphans.push({ peer: old, conns });
        else sender.deferred.push({ peer: old, conns });
      }
    }
    return done;
  }

  private closePeer(id: string): void {
    const s = this.senders.get(id);
    if (s !== undefined) for (const d of s.deferred) this.orphans.push(d);
    this.senders.delete(id);
    this.receivers.delete(id);
  }

  /** Recomputes an owned connection's backup; queues the records a change or a joiner needs. */
  private place(
    conn: StoredConnection,
    joined: readonly string[],
    moves: Map<string, Map<string, StoredConnection[]>>,
  ): void {
    if (conn.policy === 'none') return;
    const nb = chooseBackup(conn.hash, conn.target, this.self, this.candidates);
    const old = conn.backup;
    if (nb !== old) {
      conn.backup = nb;
      if (nb !== undefined) this.queueOn(this.senders.get(nb), conn);
      if (conn.policy === 'all') {
        for (const id of this.members.keys()) this.queueOn(this.senders.get(id), conn);
      } else if (old !== undefined && this.members.has(old)) {
        // Make before break: the old backup lets go only once the new one has everything.
        const key = nb ?? '';
        let byOld = moves.get(key);
        if (byOld === undefined) {
          byOld = new Map();
          moves.set(key, byOld);
        }
        const conns = byOld.get(old);
        if (conns === undefined) byOld.set(old, [conn]);
        else conns.push(conn);
      }
    } else if (conn.policy === 'all') {
      for (const id of joined) this.queueOn(this.senders.get(id), conn);
    }
  }

  /** Queues a connection on the channels it is replicated over (a delete once not owned). */
  queueChange(conn: StoredConnection): void {
    if (conn.policy === 'none') return;
    if (conn.policy === 'all') {
      for (const s of this.senders.values()) this.queueOn(s, conn);
    } else if (conn.backup !== undefined) {
      this.queueOn(this.senders.get(conn.backup), conn);
    }
  }

  /** Queues a connection on a channel, once until its record is framed (later changes coalesce). */
  private queueOn(s: SyncSender | undefined, conn: StoredConnection): void {
    if (s === undefined || conn.queuedOn === s.token) return;
    // A connection queued on two channels keeps the mark of the last: the first may then carry
    // a duplicate record, which is idempotent.
    conn.queuedOn = s.token;
    s.enqueue(conn);
  }

  /** Stores a new owned connection and queues its create record. */
  create(f: ConnectionFields): StoredConnection {
    const conn = this.store.add(f, ConnectionRole.OWNER, this.self, this.incarnation, 0, undefined);
    if (conn.policy !== 'none') {
      conn.backup = chooseBackup(conn.hash, conn.target, this.self, this.candidates);
      this.queueChange(conn);
    }
    return conn;
  }

  /** Queues the update record of an owned connection whose fields were changed in place. */
  updated(conn: StoredConnection): void {
    conn.rev = (conn.rev + 1) >>> 0;
    this.queueChange(conn);
  }

  /** Removes an owned connection and queues its delete record. */
  remove(conn: StoredConnection): void {
    this.drop(conn);
    conn.queuedOn = 0;
    this.queueChange(conn);
  }

  /** Applies a decoded SYNC frame from a view member (stale frames are dropped). */
  receiveFrame(frame: SyncFrame, bytes: Uint8Array): void {
    const inc = this.members.get(frame.sender);
    if (inc !== frame.incarnation || frame.peerIncarnation !== this.incarnation) {
      this.stats.stale++;
      return;
    }
    let r = this.receivers.get(frame.sender);
    if (r !== undefined && r.peerIncarnation === inc && frame.channel < r.channel) {
      this.stats.stale++;
      return;
    }
    let reopened = false;
    if (r !== undefined && r.peerIncarnation === inc && frame.channel > r.channel) {
      // The peer reopened its channel while this member's view kept it: it had dropped this
      // member from its view and lost what this member sent it.
      reopened = true;
      this.receivers.delete(frame.sender);
      r = undefined;
    }
    if (r === undefined || r.peerIncarnation !== inc || frame.channel > r.channel) {
      // The same, told by the peer (RESEND) when this member never followed its earlier channel;
      // unless this member dropped the peer too and its own channel is a new one that sends
      // everything anyway.
      if (reopened || (frame.resend && this.senders.get(frame.sender)?.asksResend !== true)) {
        this.resend(frame.sender);
      }
      // A new channel: the owner (re)opened it because this member (re)entered its view, so it
      // re-sends what this member must hold; a replica of it held from before is stale.
      r = new SyncReceiver(frame.sender, inc, frame.channel, frame.base);
      this.receivers.set(frame.sender, r);
      forgetReplicasOf(this, frame.sender, inc);
    }
    r.accept(frame, bytes, this.options.window, this.applyFrame);
  }

  /** Takes an ACK from a view member. */
  receiveAck(msg: AckMessage): void {
    const s = this.senders.get(msg.sender);
    if (
      s === undefined ||
      s.peerIncarnation !== msg.incarnation ||
      msg.peerIncarnation !== this.incarnation ||
      msg.channel !== s.token
    ) {
      this.stats.stale++;
      return;
    }
    s.ack(msg.next);
  }

  /** Sends what is due: acks, retransmissions, released replicas and new frames. */
  tick(now: number): void {
    for (const r of this.receivers.values()) {
      if (!r.ackDue) continue;
      r.ackDue = false;
      const w = this.ackWriter;
      w.reset();
      writeAck(w, this.self, this.incarnation, r.peerIncarnation, r.channel, r.next);
      this.send(r.peer, w.toBytes());
    }
    let allIdle = true;
    for (const s of this.senders.values()) {
      if (s.idle && s.deferred.length > 0) {
        for (const d of s.deferred.splice(0)) this.release(d);
      }
      if (!s.idle) allIdle = false;
    }
    if (allIdle && this.orphans.length > 0) for (const d of this.orphans.splice(0)) this.release(d);
    this.placeSome(PLACE_PER_TICK);
    this.presizeSlots();
    const { mtu, window, retransmitMs } = this.options;
    for (const s of this.senders.values()) {
      const out = (bytes: Uint8Array): void => this.send(s.peer, bytes);
      this.stats.framesRetransmitted += s.retransmit(now, retransmitMs, out);
      const before = s.inFlight;
      this.stats.recordsSent += s.flush(
        now,
        this.writer,
        this.self,
        this.incarnation,
        mtu,
        window,
        this.encodeEntry,
        out,
      );
      this.stats.framesSent += Math.max(0, s.inFlight - before);
    }
  }

  private release(d: DeferredRelease): void {
    const s = this.senders.get(d.peer);
    if (s === undefined) return;
    for (const conn of d.conns) s.enqueue(conn);
  }
}
