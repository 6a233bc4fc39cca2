import { ByteWriter } from './byte-writer.js';
import { decodeMessage, encodeMessage } from './codec.js';
import {
  type ConnectionInfo,
  ConnectionRole,
  type StoredConnection,
  snapshotConnection,
} from './connection.js';
import {
  applyChange,
  type ConnectionChange,
  type ConnectionInit,
  connectionFields,
} from './connection-input.js';
import { CriticalDevices, type DeviceStatus } from './critical-devices.js';
import { DecodeError, HyperSyncError } from './errors.js';
import { assertMemberId } from './member-id.js';
import { type MemberOptions, type ResolvedOptions, resolveOptions } from './member-options.js';
import { deriveMemberState, Health, type MemberState } from './member-state.js';
import { type HeartbeatMessage, type Message, MessageType, type ViewMessage } from './messages.js';
import { PeerTable } from './peer-table.js';
import { SyncEngine, type SyncStats } from './sync-engine.js';
import { isSyncDatagram, SyncFrame } from './sync-frame.js';
import {
  answerTableRequest,
  planTable,
  TableAgreement,
  tableMembers,
  viewProblem,
} from './table-agreement.js';
import type { DistributionTable } from './table-source.js';
import { type ClusterView, compareViews, composeView, sameShape } from './view.js';

/** Name of the built-in critical device that stays `init` until the bulk resync is complete. */
export const FULL_SYNC_DEVICE = 'full-sync';

/**
 * One security group member: cluster state machine, view/table agreement and HyperSync. Pure and
 * deterministic: time comes in through `tick(now)` / `receive(from, bytes, now)`, datagrams go
 * out through the injected transport, so a simulator and a UDP process drive the same code.
 * @example
 * const m = new Member({ id: 'sgm1', peers: ['sgm2'], transport: { send: (to, b) => udp.send(to, b) } });
 * setInterval(() => m.tick(Date.now()), 10);
 * udp.on('message', (from, bytes) => m.receive(from, bytes, Date.now()));
 */
export class Member {
  /** This member's id. */
  readonly id: string;
  /** Critical devices ("pnotes"); `full-sync` is built in. */
  readonly devices: CriticalDevices = new CriticalDevices();
  private readonly o: ResolvedOptions;
  private inc: number;
  private readonly engine: SyncEngine;
  private readonly agreement = new TableAgreement();
  private readonly peers: PeerTable;
  private readonly writer = new ByteWriter(2048);
  /** Every SYNC datagram is decoded into this one frame (no per-record allocation). */
  private readonly frame = new SyncFrame();
  private currentView: ClusterView | undefined = undefined;
  private inView = false;
  private started = false;
  private startedAt = 0;
  private now = 0;
  private lastHeartbeat = Number.NEGATIVE_INFINITY;
  private lastTableRequest = Number.NEGATIVE_INFINITY;
  private components: number[] = [];
  /** Datagrams rejected by the decoder. */
  rejected = 0;

  constructor(options: MemberOptions) {
    this.o = resolveOptions(options);
    this.id = this.o.id;
    this.inc = this.o.incarnation;
    this.peers = new PeerTable(this.id, this.o.deadMs);
    for (const p of this.o.peers) this.peers.add(p);
    this.engine = new SyncEngine(
      this.id,
      this.inc,
      { mtu: this.o.mtu, window: this.o.window, retransmitMs: this.o.retransmitMs },
      (to, bytes) => this.o.transport.send(to, bytes),
    );
  }

  /** Current incarnation (it changes when the member is fenced out of the view). */
  get incarnation(): number {
    return this.inc;
  }

  /** The view in force here. */
  get view(): ClusterView | undefined {
    return this.currentView;
  }

  /** The distribution table in force here (undefined while none or while fetching it). */
  get table(): DistributionTable | undefined {
    return this.agreement.table;
  }

  /** True when the table in force is the one the view names. */
  get tableAgreed(): boolean {
    return this.currentView === undefined || this.agreement.digest === this.currentView.tableDigest;
  }

  /** Sync counters. */
  get stats(): Readonly<SyncStats> {
    return this.engine.stats;
  }

  /** Nothing of the sync is queued, in flight or waiting for release. */
  get syncIdle(): boolean {
    return this.engine.idle;
  }

  /** This member's own cluster state at the last tick/receive time (or `now`). */
  state(now: number = this.now): MemberState {
    const me = this.inView ? this.currentView?.members.find((m) => m.id === this.id) : undefined;
    return deriveMemberState({
      started: this.started,
      inView: this.inView,
      health: this.started ? this.devices.health(now) : Health.INIT,
      active: me?.active ?? false,
      allProblem: this.currentView?.allProblem ?? false,
    });
  }

  /** A peer's state as seen here: LOST when silent for the dead interval, else what it reports. */
  peerState(id: string, now: number = this.now): MemberState | undefined {
    return id === this.id ? this.state(now) : this.peers.stateOf(id, now);
  }

  /** Adds a peer to send heartbeats to (a member joining at run time); `INVALID_MEMBER_ID` for a bad id. */
  addPeer(id: string): void {
    assertMemberId(id, 'peer id');
    this.peers.add(id);
  }

  /** Stops sending heartbeats to a peer that left for good. */
  removePeer(id: string): void {
    this.peers.remove(id);
  }

  /** Registers a critical device (starts in `init`). */
  registerDevice(name: string, timeoutMs: number): void {
    this.devices.register(name, timeoutMs, this.now);
  }

  /** Reports a critical device's status. */
  reportDevice(name: string, status: DeviceStatus, now: number = this.now): void {
    this.devices.report(name, status, now);
  }

  /** Counts of UP grade components this member reports, by the group's component kinds. */
  setComponents(counts: readonly number[]): void {
    for (const c of counts) {
      if (!Number.isInteger(c) || c < 0 || c > 65535)
        throw new HyperSyncError('INVALID_GRADE', `count ${c} not 0..65535`);
    }
    if (counts.length > 16) throw new HyperSyncError('INVALID_GRADE', 'at most 16 component kinds');
    this.components = [...counts];
  }

  // ---- connections ----

  /** Creates a connection this member owns; its record goes to its backup at the next tick. */
  createConnection(init: ConnectionInit): void {
    if (!this.inView) throw new HyperSyncError('NOT_OWNER', `${this.id} is not in the group's view yet`);
    const fields = connectionFields(init, this.o.defaultSync);
    if (this.engine.store.has(fields.id)) {
      throw new HyperSyncError('DUPLICATE_CONNECTION', `connection ${fields.id} already exists here`);
    }
    this.engine.create(fields);
  }

  private owned(id: number): StoredConnection {
    const c = this.engine.store.get(id);
    if (c === undefined) throw new HyperSyncError('UNKNOWN_CONNECTION', `connection ${id} is not held here`);
    if (c.role !== ConnectionRole.OWNER)
      throw new HyperSyncError('NOT_OWNER', `${this.id} does not own ${id}`);
    return c;
  }

  /** Updates an owned connection (state, timeout, payload, target). */
  updateConnection(id: number, change: ConnectionChange): void {
    const c = this.owned(id);
    applyChange(c, change);
    this.engine.updated(c);
  }

  /** Deletes an owned connection; its backup drops it too. */
  deleteConnection(id: number): void {
    this.engine.remove(this.owned(id));
  }

  /** A snapshot of a connection held here (owned or replica). */
  connection(id: number): ConnectionInfo | undefined {
    const c = this.engine.store.get(id);
    return c === undefined ? undefined : snapshotConnection(c);
  }

  /** Visits every connection held here, without copying (do not keep or mutate the objects). */
  forEachConnection(visit: (c: ConnectionInfo) => void): void {
    for (const c of this.engine.store.values()) visit(c);
  }

  /** Connections held here. */
  get connectionCount(): number {
    return this.engine.store.size;
  }

  // ---- network ----

  /**
   * Takes one datagram. A message that does not decode is dropped whole (no state changes) and
   * its DecodeError returned; otherwise undefined.
   */
  receive(from: string, bytes: Uint8Array, now: number): DecodeError | undefined {
    if (isSyncDatagram(bytes)) return this.receiveSync(from, bytes, now);
    let msg: Message;
    try {
      msg = decodeMessage(bytes);
      if (msg.sender !== from)
        throw new DecodeError('CORRUPT', `message from ${from} claims sender ${msg.sender}`);
      // A view that decodes but that no coordinator composes would fail in the table builder, at
      // its receipt and at every tick after: refuse it whole, like a datagram that does not decode.
      if (msg.type === MessageType.VIEW) {
        const problem = viewProblem(msg.members, msg.tableDigest, msg.tableSize);
        if (problem !== undefined) throw new DecodeError('CORRUPT', `view ${msg.version}: ${problem}`);
      }
    } catch (e) {
      this.rejected++;
      if (e instanceof DecodeError) return e;
      throw e;
    }
    this.now = now;
    if (msg.sender === this.id || !this.started) return undefined;
    switch (msg.type) {
      case MessageType.HEARTBEAT:
        this.peers.hear(msg, now);
        // A peer behind on the view gets the newer one from whoever holds it, not only from its
        // coordinator: a coordinator that composed a view and then found a smaller live id in it
        // stops publishing, its one broadcast may have been lost, and a restarted member defers
        // coordination to a peer that knows a newer view (which defers to the smaller id).
        if (this.currentView !== undefined && msg.viewVersion < this.currentView.version)
          this.sendView(msg.sender);
        break;
      case MessageType.VIEW:
        this.onView(msg);
        break;
      case MessageType.TABLE_REQUEST:
        for (const c of answerTableRequest(this.agreement.table, this.currentView?.version ?? 0, msg)) {
          this.send(msg.sender, {
            type: MessageType.TABLE_CHUNK,
            sender: this.id,
            incarnation: this.inc,
            ...c,
          });
        }
        break;
      case MessageType.TABLE_CHUNK:
        this.agreement.accept(msg.digest, msg.size, msg.offset, msg.owners);
        break;
      case MessageType.SYNC:
        // Handled by receiveSync before decoding.
        break;
      case MessageType.ACK:
        this.engine.receiveAck(msg);
        break;
    }
    return undefined;
  }

  /** The hot path: a SYNC frame is decoded whole into the reused frame, then applied from it. */
  private receiveSync(from: string, bytes: Uint8Array, now: number): DecodeError | undefined {
    try {
      this.frame.decode(bytes);
      if (this.frame.sender !== from)
        throw new DecodeError('CORRUPT', `message from ${from} claims sender ${this.frame.sender}`);
    } catch (e) {
      this.rejected++;
      if (e instanceof DecodeError) return e;
      throw e;
    }
    this.now = now;
    if (from !== this.id && this.started) this.engine.receiveFrame(this.frame, bytes);
    return undefined;
  }

  private send(to: string, msg: Message): void {
    this.o.transport.send(to, encodeMessage(msg, this.writer));
  }

  private onView(msg: ViewMessage): void {
    const v: ClusterView = {
      version: msg.version,
      coordinator: msg.coordinator,
      members: msg.members,
      activeSite: msg.activeSite,
      allProblem: msg.allProblem,
      tableDigest: msg.tableDigest,
      baseDigest: msg.baseDigest,
      tableSize: msg.tableSize,
    };
    const cmp = this.currentView === undefined ? 1 : compareViews(v, this.currentView);
    if (cmp > 0) this.adopt(v);
    else if (cmp < 0 && this.inView) this.sendView(msg.sender);
  }

  private adopt(v: ClusterView): void {
    const wasIn = this.inView;
    this.currentView = v;
    this.inView = v.members.some((m) => m.id === this.id && m.incarnation === this.inc);
    if (wasIn && !this.inView) this.fence();
    this.engine.applyView(this.inView ? v.members : []);
    this.agreement.follow(v.version, v.tableDigest, v.baseDigest, v.tableSize, v.members);
  }

  /** Dropped from the view while alive: its connections were taken over, so it starts afresh. */
  private fence(): void {
    this.inc = (this.inc + 1) >>> 0;
    this.engine.reset(this.inc);
    this.devices.register(FULL_SYNC_DEVICE, 0, this.now);
  }

  private coordinate(now: number): void {
    const { cands, newest } = this.peers.candidates(
      {
        id: this.id,
        incarnation: this.inc,
        weight: this.o.weight,
        site: this.o.site,
        health: this.devices.health(now),
        components: this.components,
        softwareVersion: this.o.softwareVersion,
        configDigest: this.o.configDigest,
      },
      this.currentView?.version ?? 0,
      now,
    );
    const v = this.currentView;
    const shape = composeView(v, cands, {
      // A table has a bucket for each active member at least: more could not be distributed to.
      activeMembers: Math.min(this.o.activeMembers, this.o.tableSize),
      memberFactor: this.o.memberFactor,
      componentFactors: this.o.componentFactors,
      hysteresis: this.o.hysteresis,
    });
    // Republish when the group changed, when taking over, or when a peer has seen a newer view
    // (two coordinators raced): the group must end on one view, the newest.
    if (v !== undefined && v.coordinator === this.id && sameShape(v, shape) && newest <= v.version) return;
    const tm = tableMembers(shape.members);
    const current = this.agreement.table;
    const sameTable =
      current !== undefined &&
      current.members.length === tm.length &&
      tm.every((m, i) => current.members[i]?.id === m.id && current.members[i]?.weight === m.weight);
    let digest = this.agreement.digest;
    let base = v?.baseDigest ?? 0;
    if (!sameTable) {
      base = current !== undefined && current.size === this.o.tableSize ? this.agreement.digest : 0;
      this.agreement.set(planTable(current, tm, this.o.tableSize));
      digest = this.agreement.digest;
      if (digest === 0) base = 0;
    }
    const next: ClusterView = {
      version: (newest + 1) >>> 0,
      coordinator: this.id,
      ...shape,
      tableDigest: digest,
      baseDigest: base,
      tableSize: this.o.tableSize,
    };
    this.adopt(next);
    this.broadcastView(now);
  }

  private broadcastView(now: number): void {
    for (const id of this.peers.liveKnown(now)) this.sendView(id);
  }

  private sendView(to: string): void {
    const v = this.currentView;
    if (v === undefined) return;
    this.send(to, {
      type: MessageType.VIEW,
      sender: this.id,
      incarnation: this.inc,
      version: v.version,
      coordinator: v.coordinator,
      tableDigest: v.tableDigest,
      baseDigest: v.baseDigest,
      tableSize: v.tableSize,
      activeSite: v.activeSite,
      allProblem: v.allProblem,
      members: v.members,
    });
  }

  /** Advances the member to `now`: health, coordination, heartbeats, table fetch and sync. */
  tick(now: number): void {
    this.now = now;
    if (!this.started) {
      this.started = true;
      this.startedAt = now;
      this.devices.register(FULL_SYNC_DEVICE, 0, now);
    }
    const coordinating = this.peers.isCoordinator(
      this.currentView,
      this.inc,
      this.inView,
      this.startedAt,
      now,
    );
    if (coordinating) this.coordinate(now);
    if (this.inView && this.engine.bulkComplete && this.devices.statusOf(FULL_SYNC_DEVICE, now) === 'init') {
      this.devices.report(FULL_SYNC_DEVICE, 'ok', now);
    }
    if (now - this.lastHeartbeat >= this.o.heartbeatMs) {
      this.lastHeartbeat = now;
      this.sendHeartbeats(now);
      if (coordinating) this.broadcastView(now);
    }
    const v = this.currentView;
    if (
      v !== undefined &&
      this.agreement.digest !== v.tableDigest &&
      this.agreement.request() === undefined
    ) {
      // Neither agreed nor fetching (a late chunk of an older table landed): follow the view again.
      this.agreement.follow(v.version, v.tableDigest, v.baseDigest, v.tableSize, v.members);
    }
    const req = this.agreement.request();
    const coord = this.currentView?.coordinator;
    if (
      req !== undefined &&
      coord !== undefined &&
      coord !== this.id &&
      now - this.lastTableRequest >= this.o.retransmitMs
    ) {
      this.lastTableRequest = now;
      this.send(coord, { type: MessageType.TABLE_REQUEST, sender: this.id, incarnation: this.inc, ...req });
    }
    this.engine.tick(now);
  }

  private sendHeartbeats(now: number): void {
    const hb: HeartbeatMessage = {
      type: MessageType.HEARTBEAT,
      sender: this.id,
      incarnation: this.inc,
      state: this.state(now),
      health: this.devices.health(now),
      viewVersion: this.currentView?.version ?? 0,
      softwareVersion: this.o.softwareVersion,
      configDigest: this.o.configDigest,
      weight: this.o.weight,
      site: this.o.site,
      components: this.components,
    };
    const bytes = encodeMessage(hb, this.writer);
    for (const id of this.peers.known) this.o.transport.send(id, bytes);
  }
}
