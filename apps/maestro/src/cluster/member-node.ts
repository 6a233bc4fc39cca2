import {
  type CorrectionConfig,
  CorrectionError,
  createPacket,
  Decision,
  DropCause,
  MemberEngine,
  type Packet,
  Reason,
} from '@maestro/correction';
import type { ConnState } from '@maestro/flowtable';
import {
  createFlowKey,
  distributionHash,
  type FlowHasher,
  type FlowKey,
  formatFlow,
  IpProtocol,
  PortKind,
} from '@maestro/hash';
import { type ConnectionInfo, ConnectionRole, Member, MemberState, stateName } from '@maestro/hypersync';
import { compilePolicy } from '@maestro/policy';
import { hasherOf, resolveSettings } from '../simulation/settings.js';
import { IngressMap } from '../simulation/topology.js';
import { type FromMember, type MemberInit, type MemberStatus, tableOffer } from './ipc.js';
import { MemberCounters } from './member-counters.js';
import { replicaFlow, replicaIngress, replicaKey, replicaPayload } from './replica-payload.js';
import { TableInForce } from './table-in-force.js';
import {
  CORRECTION_MAGIC,
  decodeCorrection,
  decodePacket,
  encodeCorrection,
  HYPERSYNC_MAGIC,
  magicOf,
  PACKET_MAGIC,
  type PacketMeta,
  restamp,
  WireError,
} from './wire.js';

/** How a member node reaches the outside: UDP datagrams to member ids, IPC to the orchestrator. */
export interface NodeIo {
  /** Sends a datagram to member `to` (dropped when its port is unknown). */
  datagram(to: string, bytes: Uint8Array): void;
  post(message: FromMember): void;
}

const MESSAGE_TYPE_OFFSET = 3;
const SYNC_TYPE = 5;
const ACK_TYPE = 6;
const TCP_SYN_ACK_RST = 0x02 | 0x10 | 0x04;
/** How long a later fragment waits for the tracking entry of its first fragment. */
const FRAGMENT_WAIT_MS = 250;
const MAX_WAITING = 4096;

/**
 * One security group member as a process runs it: the real packages unchanged (HyperSync
 * `Member` for heartbeats, views, the agreed table and connection sync; the correction layer's
 * `MemberEngine` with its flow tables and expiry) glued to datagrams and a clock.
 * Connections live in both: the engine's owned table decides packets, HyperSync replicates them;
 * after a view change the replicas HyperSync promoted here are adopted into the engine, and after a
 * table change every owned connection whose packets now land elsewhere gets a correction entry
 * there, before the member tells the orchestrator it is ready for that table.
 */
export class MemberNode {
  hs: Member;
  private engine: MemberEngine;
  private readonly config: CorrectionConfig;
  private readonly ingress: IngressMap;
  private readonly hasher: FlowHasher;
  private readonly tables: TableInForce;
  private readonly packet: Packet;
  private readonly embedded: FlowKey = createFlowKey();
  private readonly scratch: FlowKey = createFlowKey();
  private readonly meta: PacketMeta = { flow: 0, first: false, sentAt: 0 };
  /** Flow text → HyperSync connection id, for the connections owned here. */
  private readonly ids = new Map<string, number>();
  private nextId = 0;
  private readonly idBase: number;
  private incarnation: number;
  private viewVersion = 0;
  /** Version of the last view whose table this member (as coordinator) sent the orchestrator. */
  private postedView = -1;
  private readonly lost = new Set<string>();
  /** Non-first fragments that came before their tracking entry: decided again at each tick. */
  private waiting: { readonly bytes: Uint8Array; readonly until: number }[] = [];
  /** While a waiting fragment is decided again: until when it may wait (0 otherwise). */
  private retryUntil = 0;
  private lastTick = Number.POSITIVE_INFINITY;
  /** When this process last resumed from a stall longer than `staleMs` (SIGSTOP/SIGCONT). */
  private resumedAt = 0;
  /** Sync records sent by the HyperSync members this process ran before its last rejoin. */
  private syncBase = 0;
  private readonly counters = new MemberCounters();

  constructor(
    private readonly init: MemberInit,
    private readonly io: NodeIo,
    private readonly random: () => number = Math.random,
  ) {
    const settings = resolveSettings(init.flags);
    const compiled = compilePolicy(settings.policy);
    const layer = settings.layer ?? compiled.layer;
    this.ingress = new IngressMap(compiled, settings.mode, layer);
    this.hasher = hasherOf(settings);
    this.tables = new TableInForce(init.index, init.ids, this.ingress, layer, this.hasher, io);
    this.packet = createPacket();
    this.config = {
      members: init.ids.length,
      interfaces: this.ingress.ingresses,
      distribute: (key, ing) => this.tables.landing(key, ing.id),
      route: (key) => this.ingress.replyIngress(key, this.packet.ingress),
      capacity: 1024,
    };
    this.engine = new MemberEngine(init.index, this.config);
    this.incarnation = init.incarnation;
    // Connection ids: a random 20-bit prefix per process, the member index, a 23-bit counter.
    this.idBase = (Math.floor(random() * 0x100000) * 1024 + init.index) * 2 ** 23;
    this.hs = this.createMember(init.incarnation);
  }

  private createMember(incarnation: number): Member {
    const init = this.init;
    return new Member({
      id: init.id,
      incarnation,
      peers: init.ids.filter((id) => id !== init.id),
      transport: { send: (to, bytes) => this.sendSync(to, bytes) },
      weight: init.weight,
      heartbeatMs: init.heartbeatMs,
      deadMs: init.deadMs,
      retransmitMs: Math.max(20, Math.floor(init.heartbeatMs)),
      tableSize: init.tableSize,
    });
  }

  /**
   * Whole milliseconds since the group's epoch: the time of HyperSync and of the correction
   * layer's tables, whose idle timeouts are seconds × 1 000.
   */
  nowMs(): number {
    return Date.now() - this.init.epoch;
  }

  /** Takes one datagram from the member with id `from` (undefined: the orchestrator or unknown). */
  receive(from: string | undefined, bytes: Uint8Array): void {
    const magic = magicOf(bytes);
    if (magic === PACKET_MAGIC) this.onPacket(bytes);
    else if (magic === CORRECTION_MAGIC) this.onCorrection(bytes);
    else if (magic === HYPERSYNC_MAGIC && from !== undefined) {
      this.hs.receive(from, bytes, this.nowMs());
      this.follow();
    }
  }

  /** Advances HyperSync, adopts promoted connections, follows table changes, reports LOST peers. */
  tick(): void {
    const now = this.nowMs();
    this.checkResumed(now);
    this.lastTick = now;
    this.hs.tick(now);
    this.follow();
    if (this.waiting.length > 0) {
      const again = this.waiting;
      this.waiting = [];
      for (const w of again) {
        this.retryUntil = w.until;
        this.onPacket(w.bytes);
      }
      this.retryUntil = 0;
    }
    for (const id of this.init.ids) {
      if (id === this.init.id) continue;
      const lost = this.hs.peerState(id, now) === MemberState.LOST;
      if (lost && !this.lost.has(id)) {
        this.lost.add(id);
        this.io.post({ t: 'lost', peer: id, at: now });
      } else if (!lost) this.lost.delete(id);
    }
  }

  /** Idle expiry of the engine's tables; connections that expired are deleted from HyperSync. */
  expire(): void {
    const now = this.nowMs();
    const e = this.engine;
    e.expire(now, Math.max(e.owned.size, e.corrections.size, e.fragments.size, e.expectations.size));
    this.flushOutbox();
    this.dropGone(false);
  }

  /**
   * Deletes from HyperSync the connections this member owned there but no longer holds, counting
   * their flows as expired, or as yielded when `yielded` (a split connection given up).
   */
  private dropGone(yielded: boolean): void {
    const e = this.engine;
    const gone: number[] = [];
    this.hs.forEachConnection((c) => {
      if (c.role === ConnectionRole.OWNER && !e.owned.has(replicaKey(c, this.scratch))) gone.push(c.id);
    });
    for (const id of gone) {
      const c = this.hs.connection(id);
      if (c !== undefined) {
        this.ids.delete(formatFlow(replicaKey(c, this.scratch)));
        const flow = replicaFlow(c);
        if (yielded) this.counters.yields++;
        if (flow >= 0) {
          if (yielded) this.counters.yieldedFlow(flow);
          else this.counters.expiredFlow(flow);
        }
      }
      this.hs.deleteConnection(id);
    }
  }

  /** The counters and state the orchestrator polls. */
  status(): MemberStatus {
    const stats = this.hs.stats;
    const { created, missed, recreated, expired, yielded, syncBytes, ...counts } = this.counters.take();
    return {
      t: 'status',
      state: stateName(this.hs.state()),
      incarnation: this.hs.incarnation,
      viewVersion: this.hs.view?.version ?? 0,
      tableDigest: this.tables.digest,
      ...counts,
      connections: this.engine.owned.size,
      syncRecords: this.syncBase + stats.recordsSent,
      syncBytes,
      recordsApplied: stats.recordsApplied,
      promoted: stats.promoted,
      fullSync: this.hs.devices.statusOf('full-sync', this.hs.view === undefined ? 0 : this.nowMs()) === 'ok',
      created,
      missed,
      recreated,
      expired,
      yielded,
    };
  }

  /** The flows this member owns, as text (the orchestrator's end-of-run audit). */
  ownedFlows(): string[] {
    const out: string[] = [];
    const owned = this.engine.owned;
    for (let h = 0; h < owned.size; h++) out.push(formatFlow(owned.keyAt(h, this.scratch)));
    return out;
  }

  private sendSync(to: string, bytes: Uint8Array): void {
    const type = bytes[MESSAGE_TYPE_OFFSET];
    if (type === SYNC_TYPE || type === ACK_TYPE) {
      if (this.init.syncLoss > 0 && this.random() < this.init.syncLoss) return;
      if (type === SYNC_TYPE) this.counters.syncBytes += bytes.byteLength;
    }
    this.io.datagram(to, bytes);
  }

  /**
   * A process that did not run for longer than `staleMs` was stopped (or starved): the packets
   * queued at its socket meanwhile are a hung member's backlog, which its peers have given up on.
   */
  private checkResumed(now: number): void {
    if (now - this.lastTick <= this.init.staleMs) return;
    const stalled = now - this.lastTick;
    this.resumedAt = now;
    this.lastTick = now;
    if (this.hs.view === undefined) return;
    this.rejoin();
    this.io.post({ t: 'rejoined', stalledMs: stalled });
  }

  /**
   * After a stall longer than the dead interval the peers have given this member up and promoted
   * its connections: it may not have seen the view that dropped it, so it fences itself, as a
   * restarted member would (a new incarnation, empty tables), and rejoins with a bulk resync.
   */
  private rejoin(): void {
    this.syncBase += this.hs.stats.recordsSent;
    this.hs = this.createMember((this.hs.incarnation + 1) >>> 0);
    this.incarnation = this.hs.incarnation;
    this.engine = new MemberEngine(this.init.index, this.config);
    this.ids.clear();
    this.tables.clear();
    this.viewVersion = 0;
    this.postedView = -1;
    this.lost.clear();
  }

  private active(): boolean {
    const s = this.hs.state();
    return s === MemberState.ACTIVE || s === MemberState.ACTIVE_ATTENTION;
  }

  private onPacket(bytes: Uint8Array): void {
    const p = this.packet;
    const c = this.counters;
    try {
      decodePacket(bytes, p, this.embedded, this.meta);
    } catch (error) {
      if (error instanceof WireError) {
        c.refused();
        return;
      }
      throw error;
    }
    const nowMs = this.nowMs();
    if (p.hops === 0 && this.retryUntil === 0) {
      c.received++;
      if (p.ingress < this.ingress.ingresses.length) this.ingress.learn(p.key, p.ingress);
    }
    this.checkResumed(nowMs);
    if (this.meta.sentAt < this.resumedAt) {
      c.stale++;
      return;
    }
    if (!this.active()) {
      c.notActive++;
      return;
    }
    const owned = this.engine.owned;
    const plain = p.embedded === null && p.key.portKind !== PortKind.FRAGMENT;
    const before = plain ? owned.find(p.key) : -1;
    const stateBefore = before >= 0 ? owned.state(before) : -1;
    let decision: Decision;
    try {
      decision = this.engine.decide(p, nowMs);
    } catch (error) {
      if (error instanceof CorrectionError) {
        c.refused();
        return;
      }
      throw error;
    }
    const target = this.flushOutbox();
    switch (decision) {
      case Decision.FORWARD: {
        c.forwarded++;
        const to = this.init.ids[this.engine.lastTarget];
        restamp(bytes, this.meta.sentAt, p.hops + 1);
        if (to !== undefined) this.io.datagram(to, bytes);
        return;
      }
      case Decision.DROP:
        // A later fragment can overtake the tracking entry its first fragment's owner sends here:
        // it waits for it a little.
        if (this.engine.lastDrop === DropCause.UNKNOWN_FRAGMENT) {
          const until = this.retryUntil > 0 ? this.retryUntil : nowMs + FRAGMENT_WAIT_MS;
          if (nowMs < until && this.waiting.length < MAX_WAITING) {
            this.waiting.push({ bytes, until });
            return;
          }
        }
        c.dropped(this.engine.lastDrop, this.meta.flow);
        return;
      case Decision.CREATE:
        c.processed++;
        this.createSynced(target, nowMs);
        return;
      default: {
        c.processed++;
        if (!plain) return;
        const after = owned.find(p.key);
        if (after >= 0 && owned.state(after) !== stateBefore) {
          const id = this.ids.get(formatFlow(p.key));
          if (id !== undefined && this.hs.connection(id)?.role === ConnectionRole.OWNER) {
            this.hs.updateConnection(id, { state: owned.state(after) });
            this.hs.tick(nowMs);
          }
        }
      }
    }
  }

  /**
   * A connection was created here: replicate it at once (the sync goes out before the next packet
   * is read, so a SIGKILL cannot leave a created connection without its backup for long).
   */
  private createSynced(target: number, now: number): void {
    const p = this.packet;
    this.counters.createdFlow(this.meta.flow, !this.meta.first && !isBareSyn(p));
    if (p.embedded !== null || p.key.portKind === PortKind.FRAGMENT) return;
    const id = this.idBase + (this.nextId++ % 2 ** 23);
    const targetId = target >= 0 && target !== this.init.index ? this.init.ids[target] : undefined;
    try {
      this.hs.createConnection({
        id,
        flow: p.key,
        hash: distributionHash(p.key, 'general', 'l4', this.hasher),
        ...(targetId === undefined ? {} : { target: targetId }),
        state: this.engine.owned.state(this.engine.owned.find(p.key)),
        payload: replicaPayload(p.ingress, this.meta.flow),
      });
    } catch {
      // Not in the view (yet) or a duplicate id: the connection lives here unreplicated.
      return;
    }
    this.ids.set(formatFlow(p.key), id);
    this.hs.tick(now);
  }

  /** Sends the engine's messages; returns the reply target of a creation (-1: none). */
  private flushOutbox(): number {
    const out = this.engine.outbox;
    let target = -1;
    while (out.length > 0) {
      const m = out.shift();
      if (m === undefined) break;
      if (m.kind === 'correct' && m.reason !== Reason.RELATED) target = m.to;
      const to = this.init.ids[m.to];
      if (to !== undefined) this.io.datagram(to, encodeCorrection(m));
    }
    return target;
  }

  private onCorrection(bytes: Uint8Array): void {
    // Only a yield removes an owned connection as a message is delivered.
    const owned = this.engine.owned.size;
    try {
      const m = decodeCorrection(bytes, this.init.index, createFlowKey());
      this.engine.deliver(m, this.nowMs());
    } catch (error) {
      if (error instanceof WireError || error instanceof CorrectionError) return;
      throw error;
    }
    // A `correct` for a connection this member owns (a split connection, each member holding one
    // direction) is answered, or makes this member yield it and tell the members it had corrected.
    // A yielded connection's HyperSync copy goes now, counted as yielded: it lives on at the
    // member that keeps it, and counting it expired told the ledger that no member held it.
    if (this.engine.outbox.length > 0) this.flushOutbox();
    if (this.engine.owned.size < owned) this.dropGone(true);
  }

  /** Reacts to what HyperSync changed: fencing, promotions, a new table in force. */
  private follow(): void {
    const hs = this.hs;
    if (hs.incarnation !== this.incarnation) {
      // Fenced out of the view while alive: HyperSync dropped everything, so does the engine.
      this.incarnation = hs.incarnation;
      this.engine = new MemberEngine(this.init.index, this.config);
      this.ids.clear();
    }
    const view = hs.view;
    if (view !== undefined && view.version !== this.viewVersion) {
      this.viewVersion = view.version;
      this.adoptPromoted();
    }
    const table = hs.table;
    if (view === undefined || table === undefined || !hs.tableAgreed) return;
    if (view.tableDigest !== this.tables.digest) {
      this.tables.install(table, view.tableDigest, this.engine.owned);
      this.io.post({ t: 'tableReady', digest: view.tableDigest });
    }
    // The coordinator publishes every view's table, even one it had already: views race at
    // startup and after failures, and the orchestrator follows the newest view.
    if (view.coordinator === this.init.id && view.version !== this.postedView) {
      this.postedView = view.version;
      this.io.post(tableOffer(view, table));
    }
  }

  /**
   * Connections HyperSync promoted here (their owner left) become owned by the engine, and the
   * members where their packets land get correction entries.
   */
  private adoptPromoted(): void {
    const adopt: ConnectionInfo[] = [];
    const owned = this.engine.owned;
    this.hs.forEachConnection((c) => {
      if (
        c.role === ConnectionRole.OWNER &&
        c.owner === this.init.id &&
        !owned.has(replicaKey(c, this.scratch))
      )
        adopt.push(c);
    });
    const now = this.nowMs();
    for (const c of adopt) {
      const key = replicaKey(c, createFlowKey());
      this.engine.corrections.remove(key);
      const ingress = replicaIngress(c);
      const h = owned.insert(key, now, this.init.index, this.init.index, ingress);
      owned.setState(h, c.state as ConnState);
      this.ids.set(formatFlow(key), c.id);
      // The table may stay as it is (the failed member came back as a new incarnation, same id):
      // the members where its packets land need to know the new owner now.
      this.tables.correctLandings(key, ingress, now);
    }
  }
}

function isBareSyn(p: Packet): boolean {
  return p.key.protocol === IpProtocol.TCP && (p.tcpFlags & TCP_SYN_ACK_RST) === 0x02;
}
