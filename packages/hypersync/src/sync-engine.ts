import { type BackupCandidates, backupCandidates, chooseBackup } from './backup-choice.js';
import { ByteWriter } from './byte-writer.js';
import { encodeMessage } from './codec.js';
import { ConnectionRole, type StoredConnection } from './connection.js';
import {
  type AckMessage,
  type ConnectionFields,
  MessageType,
  RecordOp,
  type SyncMessage,
  type ViewMember,
} from './messages.js';
import { DELETE_RECORD_SIZE, recordSize, writeDelete, writeUpsert } from './record-codec.js';
import { type DeferredRelease, SyncReceiver, SyncSender } from './sync-channel.js';

/** Connections whose backup is (re)chosen per tick after a view change. */
const PLACE_PER_TICK = 262_144;

/** Counters of the sync engine. */
export interface SyncStats {
  /** Records put into new frames (retransmissions not counted). */
  recordsSent: number;
  framesSent: number;
  framesRetransmitted: number;
  recordsApplied: number;
  /** Replicas this member promoted to owner after their owner left. */
  promoted: number;
  /** Records refused because this member owns the connection. */
  conflicts: number;
  /** Frames or acks dropped as stale (wrong incarnation or sender not in the view). */
  stale: number;
}

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
export class SyncEngine {
  /** Every connection held here, owned or replica. */
  readonly store: Map<number, StoredConnection> = new Map();
  readonly senders: Map<string, SyncSender> = new Map();
  readonly receivers: Map<string, SyncReceiver> = new Map();
  readonly stats: SyncStats = {
    recordsSent: 0,
    framesSent: 0,
    framesRetransmitted: 0,
    recordsApplied: 0,
    promoted: 0,
    conflicts: 0,
    stale: 0,
  };
  private members = new Map<string, number>();
  private candidates: BackupCandidates = backupCandidates([]);
  private orphans: DeferredRelease[] = [];
  /** Last channel id handed out: channels reopened to a peer get higher ids. */
  private channels = 0;
  /** Owned connections whose backup must be recomputed after a view change, done a slice per tick. */
  private placing: {
    conns: StoredConnection[];
    joined: readonly string[];
    closed: ReadonlySet<string>;
    next: number;
  }[] = [];
  private readonly writer = new ByteWriter(4096);
  private readonly ackWriter = new ByteWriter(64);
  private readonly encodeEntry = (w: ByteWriter, id: number, peer: string, room: number): boolean =>
    this.writeEntry(w, id, peer, room);

  constructor(
    readonly self: string,
    public incarnation: number,
    private readonly options: ChannelOptions,
    private readonly send: (to: string, bytes: Uint8Array) => void,
  ) {}

  /** Drops everything: connections, channels (used when this member is fenced or restarts). */
  reset(incarnation: number): void {
    this.incarnation = incarnation;
    this.store.clear();
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
      }
    }
    for (const [id, inc] of next) {
      if (this.members.get(id) !== inc) {
        joined.push(id);
        this.senders.set(id, new SyncSender(id, inc, ++this.channels));
      }
    }
    this.members = next;
    this.candidates = backupCandidates(view.length > 0 ? view : []);
    // Promotion is the urgent part of a failover and is done here; choosing backups and queueing
    // the records they need is spread over the next ticks (see placeSome).
    const batch: StoredConnection[] = [];
    // Replicas come in long runs of the same owner: remember the last owner's verdict instead of
    // looking every one of a million replicas up in the member map.
    let lastOwner: string | undefined;
    let lastIncarnation = -1;
    let lastStays = false;
    for (const conn of this.store.values()) {
      if (conn.role === ConnectionRole.OWNER) {
        batch.push(conn);
        continue;
      }
      if (conn.owner !== lastOwner || conn.ownerIncarnation !== lastIncarnation) {
        lastOwner = conn.owner;
        lastIncarnation = conn.ownerIncarnation;
        lastStays = this.members.get(conn.owner) === conn.ownerIncarnation;
      }
      if (lastStays) continue;
      if (conn.role === ConnectionRole.STANDBY) {
        this.promote(conn, batch);
      } else if (conn.backup === undefined || !this.members.has(conn.backup)) {
        // Owner and designated backup both gone: the copy the rendezvous choice lands on takes over.
        if (chooseBackup(conn.hash, conn.target, conn.owner, this.candidates) === this.self)
          this.promote(conn, batch);
        else this.store.delete(conn.id);
      }
    }
    if (batch.length > 0) this.placing.push({ conns: batch, joined, closed, next: 0 });
  }

  /** Places up to `budget` connections of the pending view changes; returns how many. */
  private placeSome(budget: number): number {
    let done = 0;
    const moves = new Map<string, Map<string, number[]>>();
    while (this.placing.length > 0 && done < budget) {
      const b = this.placing[0];
      if (b === undefined) break;
      while (b.next < b.conns.length && done < budget) {
        const conn = b.conns[b.next++];
        done++;
        // Deleted or demoted since: nothing to place.
        if (conn === undefined || conn.role !== ConnectionRole.OWNER || this.store.get(conn.id) !== conn)
          continue;
        // A backup that left (or restarted empty) holds nothing any more.
        if (conn.backup !== undefined && b.closed.has(conn.backup)) conn.backup = undefined;
        this.place(conn, b.joined, moves);
      }
      if (b.next >= b.conns.length) this.placing.shift();
    }
    for (const [to, byOld] of moves) {
      const sender = this.senders.get(to);
      for (const [old, ids] of byOld) {
        if (sender === undefined) this.orphans.push({ peer: old, ids });
        else sender.deferred.push({ peer: old, ids });
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

  private promote(conn: StoredConnection, batch: StoredConnection[]): void {
    conn.role = ConnectionRole.OWNER;
    conn.owner = this.self;
    conn.ownerIncarnation = this.incarnation;
    conn.rev = (conn.rev + 1) >>> 0;
    // Its old backup was this member: place() will choose a new one and send it everything.
    conn.backup = undefined;
    this.stats.promoted++;
    batch.push(conn);
  }

  /** Recomputes an owned connection's backup; queues the records a change or a joiner needs. */
  private place(
    conn: StoredConnection,
    joined: readonly string[],
    moves: Map<string, Map<string, number[]>>,
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
        const ids = byOld.get(old);
        if (ids === undefined) byOld.set(old, [conn.id]);
        else ids.push(conn.id);
      }
    } else if (conn.policy === 'all') {
      for (const id of joined) this.queueOn(this.senders.get(id), conn);
    }
  }

  private queueChange(conn: StoredConnection): void {
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
    s.enqueue(conn.id);
  }

  /** Stores a new owned connection and queues its create record. */
  create(f: ConnectionFields): StoredConnection {
    const conn = storedConnection(f, ConnectionRole.OWNER, this.self, this.incarnation, undefined);
    this.store.set(conn.id, conn);
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
    this.store.delete(conn.id);
    conn.queuedOn = 0;
    this.queueChange(conn);
  }

  private writeEntry(w: ByteWriter, id: number, peer: string, room: number): boolean {
    const conn = this.store.get(id);
    if (conn !== undefined && conn.role === ConnectionRole.OWNER) {
      const standby = peer === conn.backup;
      if (standby || conn.policy === 'all') {
        const extraStandby = standby ? undefined : conn.backup;
        if (recordSize(conn, extraStandby) > room) return false;
        writeUpsert(w, conn, conn.rev <= 1 ? RecordOp.CREATE : RecordOp.UPDATE, !standby, extraStandby);
        this.unmark(conn, peer);
        return true;
      }
    }
    if (DELETE_RECORD_SIZE > room) return false;
    writeDelete(w, id);
    if (conn !== undefined) this.unmark(conn, peer);
    return true;
  }

  private unmark(conn: StoredConnection, peer: string): void {
    if (conn.queuedOn !== 0 && conn.queuedOn === this.senders.get(peer)?.token) conn.queuedOn = 0;
  }

  /** Applies a decoded SYNC frame from a view member (stale frames are dropped). */
  receiveFrame(msg: SyncMessage): void {
    const inc = this.members.get(msg.sender);
    if (inc !== msg.incarnation || msg.peerIncarnation !== this.incarnation) {
      this.stats.stale++;
      return;
    }
    let r = this.receivers.get(msg.sender);
    if (r !== undefined && r.peerIncarnation === inc && msg.channel < r.channel) {
      this.stats.stale++;
      return;
    }
    if (r === undefined || r.peerIncarnation !== inc || msg.channel > r.channel) {
      // A new channel (the owner reopened it): sequence numbers start over.
      r = new SyncReceiver(msg.sender, inc, msg.channel);
      this.receivers.set(msg.sender, r);
    }
    r.accept(msg, this.options.window, (m) => this.apply(m));
  }

  private apply(msg: SyncMessage): void {
    const owner = msg.sender;
    for (const rec of msg.records) {
      const have = this.store.get(rec.id);
      if (rec.op === RecordOp.DELETE) {
        if (have !== undefined && have.role !== ConnectionRole.OWNER && have.owner === owner)
          this.store.delete(rec.id);
        this.stats.recordsApplied++;
        continue;
      }
      if (have !== undefined && have.role === ConnectionRole.OWNER) {
        this.stats.conflicts++;
        continue;
      }
      const role = rec.extra ? ConnectionRole.EXTRA : ConnectionRole.STANDBY;
      const backup = rec.extra ? rec.standby : undefined;
      if (have === undefined) {
        this.store.set(rec.id, storedConnection(rec, role, owner, msg.incarnation, backup));
      } else {
        have.policy = rec.policy;
        have.family = rec.family;
        have.protocol = rec.protocol;
        have.portKind = rec.portKind;
        have.srcV4 = rec.srcV4;
        have.dstV4 = rec.dstV4;
        have.src6 = rec.src6;
        have.dst6 = rec.dst6;
        have.srcPort = rec.srcPort;
        have.dstPort = rec.dstPort;
        have.hash = rec.hash;
        have.state = rec.state;
        have.timeout = rec.timeout;
        have.rev = rec.rev;
        have.target = rec.target;
        have.payload = rec.payload;
        have.role = role;
        have.owner = owner;
        have.ownerIncarnation = msg.incarnation;
        have.backup = backup;
      }
      this.stats.recordsApplied++;
    }
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
      const ack: AckMessage = {
        type: MessageType.ACK,
        sender: this.self,
        incarnation: this.incarnation,
        peerIncarnation: r.peerIncarnation,
        channel: r.channel,
        next: r.next,
      };
      this.send(r.peer, encodeMessage(ack, this.ackWriter));
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
    for (const id of d.ids) s.enqueue(id);
  }
}

/** One shape for every stored connection (a literal, so V8 keeps a single fast hidden class). */
function storedConnection(
  f: ConnectionFields,
  role: ConnectionRole,
  owner: string,
  ownerIncarnation: number,
  backup: string | undefined,
): StoredConnection {
  return {
    id: f.id,
    policy: f.policy,
    family: f.family,
    protocol: f.protocol,
    portKind: f.portKind,
    srcV4: f.srcV4,
    dstV4: f.dstV4,
    src6: f.src6,
    dst6: f.dst6,
    srcPort: f.srcPort,
    dstPort: f.dstPort,
    hash: f.hash,
    state: f.state,
    timeout: f.timeout,
    rev: f.rev,
    target: f.target,
    payload: f.payload,
    role,
    owner,
    ownerIncarnation,
    backup,
    queuedOn: 0,
  };
}
