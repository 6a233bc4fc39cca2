import { createPacket, Decision, type MemberEngine, type Packet } from '@maestro/correction';
import { FlowTable } from '@maestro/flowtable';
import {
  copyFlowKey,
  createFlowKey,
  type FlowHasher,
  type FlowKey,
  flowKeyEquals,
  PortKind,
  reverseFlowKey,
} from '@maestro/hash';
import { DecodeStatus, type PacketRecord } from '@maestro/pcap';
import type { EventReport, SimulationReport } from '../report/model.js';
import { EventEffects } from './event-effects.js';
import type { SimEvent } from './events.js';
import { FragmentOwners } from './fragment-owners.js';
import type { SimulatedGroup } from './group.js';
import type { ServerBalancer } from './server-balancer.js';
import { SyncAccounting } from './sync-accounting.js';
import { REASONS, TimelineBuilder } from './timeline.js';
import type { IngressMap } from './topology.js';

/** What a run needs besides the packets. */
export interface RunSetup {
  readonly group: SimulatedGroup;
  readonly balancer: ServerBalancer;
  readonly ingress: IngressMap;
  readonly hasher: FlowHasher;
  readonly events: readonly SimEvent[];
  readonly settings: SimulationReport['settings'];
  readonly capture: string;
  /** Connections the run is expected to see (pre-sizes the ground-truth registry; it still grows). */
  readonly capacity: number;
}

const EXPIRY_STEP = 1;

/**
 * Replays packets through the simulated group, one at a time, and keeps its own record of every
 * connection's owner (a ground truth independent of the correction layer) to count packets that a
 * member processed without owning their connection (`misdelivered`) and connections a second
 * member created (`splitConnections`); both stay 0 when the topology predicts every reply.
 */
export class Simulation {
  private readonly group: SimulatedGroup;
  private readonly ingress: IngressMap;
  private readonly registry: FlowTable;
  private readonly fragments = new FragmentOwners();
  /** Translated addresses of fragmented datagrams whose first fragment was re-addressed. */
  private readonly rewrites = new Map<string, FlowKey>();
  private readonly sync: SyncAccounting;
  private readonly effects: EventEffects;
  private readonly timeline: TimelineBuilder;
  private readonly memberPackets: Float64Array;
  private readonly memberBytes: Float64Array;
  private readonly memberConnections: Float64Array;
  /** Packets each member should have processed by weight, given who was live when. */
  private readonly expectedPackets: Float64Array;
  private segmentPackets = 0;
  private readonly byReason = new Float64Array(6);
  private readonly eventReports: EventReport[] = [];
  private readonly key: FlowKey = createFlowKey();
  private readonly alias: FlowKey = createFlowKey();
  private readonly scratch: FlowKey = createFlowKey();
  private readonly packet: Packet = { ...createPacket(), key: this.key };
  private packets = 0;
  private bytes = 0;
  private skipped = 0;
  private dropped = 0;
  private deadDrops = 0;
  private connections = 0;
  private corrected = 0;
  private extraHops = 0;
  private misdelivered = 0;
  private splitConnections = 0;
  private natCollisions = 0;
  private nextEvent = 0;
  private nextExpiry = EXPIRY_STEP;
  private start = Number.NaN;
  /** Seconds since the capture's first packet (events, timeline, report). */
  private now = 0;
  /**
   * {@link now} in whole milliseconds, for the correction layer and the flow tables, which take
   * their time in milliseconds (their idle timeouts are seconds × 1 000). A whole number is also
   * what a flow table stores in an entry's own word; a fraction takes a side record each time.
   */
  private ms = 0;

  constructor(private readonly setup: RunSetup) {
    this.group = setup.group;
    this.ingress = setup.ingress;
    this.registry = new FlowTable({ symmetric: true, capacity: setup.capacity });
    this.sync = new SyncAccounting(this.group.ids);
    this.timeline = new TimelineBuilder(this.group.ids);
    const n = this.group.ids.length;
    this.memberPackets = new Float64Array(n);
    this.memberBytes = new Float64Array(n);
    this.memberConnections = new Float64Array(n);
    this.expectedPackets = new Float64Array(n);
    this.effects = new EventEffects(
      this.group,
      this.registry,
      this.ingress,
      this.sync,
      this.memberConnections,
    );
  }

  /** Takes one packet of the capture (the reader's reused record). */
  readonly onPacket = (p: PacketRecord): void => {
    this.packets++;
    this.bytes += p.originalLength;
    const ts = p.timestampSec + p.timestampNs / 1e9;
    if (Number.isNaN(this.start)) this.start = ts;
    const now = Math.max(this.now, ts - this.start);
    this.now = now;
    this.ms = Math.floor(now * 1000);
    this.timeline.now = now;
    this.setup.balancer.now = now;
    while (
      this.nextEvent < this.setup.events.length &&
      (this.setup.events[this.nextEvent] as SimEvent).at <= now
    ) {
      const e = this.setup.events[this.nextEvent++] as SimEvent;
      // An event inside a gap of the capture: expire what was idle past its timeout by its time.
      if (e.at >= this.nextExpiry) this.expireAt(e.at);
      this.applyEvent(e);
    }
    if (now >= this.nextExpiry) this.expire(now);
    if (p.status !== DecodeStatus.OK) {
      this.skipped++;
      return;
    }
    this.route(p, this.ms);
  };

  /** Ends the run (remaining events apply at their times) and builds the report. */
  finish(): SimulationReport {
    for (; this.nextEvent < this.setup.events.length; this.nextEvent++) {
      const e = this.setup.events[this.nextEvent] as SimEvent;
      this.now = Math.max(this.now, e.at);
      this.ms = Math.floor(this.now * 1000);
      // Time went on past the last packet: what was idle past its timeout by then has expired.
      if (this.now >= this.nextExpiry) this.expire(this.now);
      this.applyEvent(e);
    }
    this.closeSegment();
    const g = this.group;
    const processed = this.memberPackets.reduce((a, b) => a + b, 0);
    const weighted = g.ids
      .map((_, i) => i)
      .filter((i) => g.status[i] !== 'NOT_JOINED' && (g.weights[i] as number) > 0);
    const mean =
      weighted.length === 0
        ? 0
        : weighted.reduce((a, i) => a + (this.memberPackets[i] as number), 0) / weighted.length;
    const max = Math.max(0, ...weighted.map((i) => this.memberPackets[i] as number));
    const byReason = Object.fromEntries(REASONS.map((r, i) => [r, this.byReason[i + 1] as number])) as Record<
      (typeof REASONS)[number],
      number
    >;
    return {
      capture: this.setup.capture,
      settings: this.setup.settings,
      packets: this.packets,
      bytes: this.bytes,
      skipped: this.skipped,
      dropped: this.dropped,
      connections: this.connections,
      durationSeconds: this.now,
      members: g.ids.map((id, i) => ({
        id,
        weight: g.weights[i] as number,
        packets: this.memberPackets[i] as number,
        bytes: this.memberBytes[i] as number,
        connections: this.memberConnections[i] as number,
        share: processed === 0 ? 0 : (this.memberPackets[i] as number) / processed,
        expectedShare: processed === 0 ? 0 : (this.expectedPackets[i] as number) / processed,
        state: g.status[i] as string,
      })),
      imbalance: mean === 0 ? 0 : max / mean,
      drops: this.dropCauses(),
      corrections: { total: this.corrected, byReason, extraHops: this.extraHops },
      misdelivered: this.misdelivered,
      splitConnections: this.splitConnections,
      natCollisions: this.natCollisions,
      sync: { records: this.sync.records, bytes: this.sync.bytes },
      logicalServers: this.setup.balancer.report(),
      events: this.eventReports,
      timeline: this.timeline.build(this.now),
    };
  }

  /**
   * Drops by cause, summed over the members' correction layers (those a recovered member's
   * earlier engine made included), plus packets sent to a dead member.
   */
  private dropCauses(): Record<string, number> {
    const total: Record<string, number> = { deadMember: this.deadDrops, ...this.group.retiredDrops };
    for (const engine of this.group.engines) {
      for (const [cause, n] of Object.entries(engine.stats().drops)) total[cause] = (total[cause] ?? 0) + n;
    }
    return total;
  }

  /** Routes one decoded packet; `ms`: {@link ms}. */
  private route(p: PacketRecord, ms: number): void {
    this.group.leave();
    const key = copyFlowKey(p.flow, this.key);
    const packet = this.packet;
    const ingress = this.ingress.ingressOf(p.interfaceId, p.vlan);
    // The capture shows traffic as the endpoints see it; the group applies NAT. A reply to a
    // translated connection enters the group addressed to the translated tuple.
    const known = key.portKind === PortKind.FRAGMENT ? -1 : this.lookup(key);
    const knownReply = this.registry.lastReply;
    // Routes are learnt from the first packets of each direction; later ones only confirm them.
    if (known < 0 || this.registry.packets(known) < 4) this.ingress.learn(key, ingress);
    if (known >= 0 && this.registry.lastReply && this.registry.aliasAt(known, this.alias)) {
      if (p.moreFragments)
        this.rewrites.set(fragmentId(key, p.fragmentId), reverseFlowKey(this.alias, createFlowKey()));
      reverseFlowKey(this.alias, key);
    } else if (key.portKind === PortKind.FRAGMENT) {
      // Later fragments carry no ports: they follow the rewrite of their first fragment.
      const rewrite = this.rewrites.size === 0 ? undefined : this.rewrites.get(fragmentId(key, p.fragmentId));
      if (rewrite !== undefined) {
        // IPv6 is translated too (a logical server on an IPv6 address): its addresses are in src6/dst6.
        if (key.family === 4) {
          key.srcV4 = rewrite.srcV4;
          key.dstV4 = rewrite.dstV4;
        } else {
          key.src6.set(rewrite.src6);
          key.dst6.set(rewrite.dst6);
        }
        if (!p.moreFragments) this.rewrites.delete(fragmentId(p.flow, p.fragmentId));
      }
    }
    packet.embedded = null;
    if (p.hasInner) packet.embedded = this.embedded(p);
    packet.ingress = ingress;
    packet.ipId = p.fragmentId >>> 0;
    packet.moreFragments = p.moreFragments;
    packet.tcpFlags = p.tcpFlags;
    packet.bytes = p.originalLength;
    packet.hops = 0;

    const g = this.group;
    g.enter(ingress);
    let m = g.route(key, ingress);
    for (;;) {
      const engine = g.engines[m];
      if (engine === undefined || !g.isLive(m)) {
        this.dropped++;
        this.deadDrops++;
        return;
      }
      const decision = engine.decide(packet, ms);
      if (decision === Decision.FORWARD) {
        // Forwarding sends no message.
        if (packet.hops === 0) {
          this.corrected++;
          this.byReason[engine.lastReason] = (this.byReason[engine.lastReason] as number) + 1;
          if (engine.lastReason > 0) this.timeline.correction(engine.lastReason - 1);
        }
        this.extraHops++;
        packet.hops++;
        m = engine.lastTarget;
        continue;
      }
      if (decision === Decision.DROP) {
        if (engine.outbox.length > 0) this.deliverFrom(engine, ms);
        this.dropped++;
        return;
      }
      if (decision === Decision.CREATE) this.created(m, ingress, ms, known);
      else this.verify(m, ms, p, known, knownReply);
      // Deciding fills an engine's outbox (delivering does only for a split connection, which
      // deliverFrom follows). Delivered once the ground truth has recorded a creation: a delivery
      // may make the creator yield the connection at once, and its translation with it.
      if (engine.outbox.length > 0) this.deliverFrom(engine, ms);
      this.segmentPackets++;
      this.memberPackets[m] = (this.memberPackets[m] as number) + 1;
      this.memberBytes[m] = (this.memberBytes[m] as number) + p.originalLength;
      this.timeline.packet(m);
      if (p.moreFragments && key.portKind === PortKind.PORTS) this.fragments.set(key, p.fragmentId, m);
      return;
    }
  }

  /**
   * The registry's entry of `key` (-1 if none), in a function of its own. Called straight from
   * {@link route}, whose compiled code has no inlining budget left for it, `FlowTable.find` ran
   * its own compiled code, which passes the key's 32-bit words and hash to its probe as boxed
   * numbers: about 60 MiB of garbage per million packets. Compiled here, the find is inlined as it
   * is in the engines' `decide` (3 to 6 MiB sampled per million packets instead; an inlining
   * choice of V8's, so worth checking with a heap profile after a change here).
   */
  private lookup(key: FlowKey): number {
    return this.registry.find(key);
  }

  /** The tuple an ICMP error carries, rewritten to the translated tuple the outside saw. */
  private embedded(p: PacketRecord): FlowKey {
    const inner = copyFlowKey(p.inner, this.scratch);
    const h = this.registry.find(inner);
    if (h >= 0 && !this.registry.lastReply && this.registry.aliasAt(h, this.alias)) {
      copyFlowKey(this.alias, inner);
      if (this.key.family === 4) this.key.dstV4 = this.alias.srcV4;
    }
    return inner;
  }

  /** A member created a connection: record its owner and backup, sync it to the backup. */
  private created(m: number, ingress: number, ms: number, known: number): void {
    const key = this.key;
    // `known`: the registry's entry for the packet, looked up as it entered (nothing changed since).
    const existing = known;
    if (existing >= 0) {
      // A second member created a connection that has an owner: a split connection (a packet
      // entered where the owner did not predict), processed off its owner.
      if (this.registry.owner(existing) !== m) {
        this.misdelivered++;
        this.splitConnections++;
      }
      return;
    }
    const engine = this.group.translates ? this.group.engines[m] : undefined;
    const translated = engine?.translation(key, this.alias) ? this.alias : key;
    const reply = reverseFlowKey(translated, this.scratch);
    // The engine that created the connection asked for the same (its reply's landing).
    const target = this.group.distributeAsked(reply, this.ingress.replyIngress(translated, ingress));
    const backup = this.group.backupOf(key, target, m);
    const alias = translated !== key && !flowKeyEquals(translated, key) ? translated : undefined;
    // `known` < 0: the key is absent, so only a translated tuple already registered refuses this.
    let h = this.registry.tryInsert(key, ms, m, backup < 0 ? m : backup, ingress, alias);
    if (h < 0) {
      // Two members translated two connections alike (hide NAT of a protocol without ports, a
      // many-to-one source NAT: each member keeps its own translations apart, not the group's).
      // Their replies cannot be told apart; the ground truth keeps the tuple for the first.
      this.natCollisions++;
      h = this.registry.tryInsert(key, ms, m, backup < 0 ? m : backup, ingress, undefined);
    }
    this.registry.record(h, ms, this.packet.bytes, this.packet.tcpFlags, false);
    this.connections++;
    this.memberConnections[m] = (this.memberConnections[m] as number) + 1;
    this.sync.upsert(key, m, backup);
  }

  /** A member processed a packet of a known connection: it must be the connection's owner. */
  private verify(m: number, ms: number, p: PacketRecord, known: number, reply: boolean): void {
    const key = this.key;
    if (this.packet.embedded !== null) {
      const h = this.registry.find(this.packet.embedded);
      if (h >= 0 && this.registry.owner(h) !== m) this.misdelivered++;
      return;
    }
    if (key.portKind === PortKind.FRAGMENT) {
      const owner = this.fragments.get(key, p.fragmentId);
      if (owner >= 0 && owner !== m) this.misdelivered++;
      return;
    }
    // The packet's connection was found before it entered (a re-addressed reply finds the same
    // entry through its alias), and nothing changes the registry on the way to its owner.
    const h = known;
    if (h < 0) return;
    if (this.registry.owner(h) !== m) this.misdelivered++;
    const before = this.registry.state(h);
    this.registry.record(h, ms, this.packet.bytes, this.packet.tcpFlags, reply);
    const after = this.registry.state(h);
    if (after !== before) {
      this.sync.upsert(key, m, this.registry.backup(h));
    }
  }

  private deliverMessages(ms: number): void {
    const engines = this.group.engines;
    for (let i = 0; i < engines.length; i++) this.deliverFrom(engines[i] as MemberEngine, ms);
  }

  /**
   * Hands every message in `engine`'s outbox to its live addressee, in order, then what those
   * deliveries sent: a `correct` that reaches the other creator of a split connection (a reply
   * entered where its owner did not predict) is answered, or makes its receiver yield.
   */
  private deliverFrom(engine: MemberEngine, ms: number): void {
    if (this.deliverOutbox(engine, ms)) this.deliverAnswers(ms);
  }

  /** {@link deliverFrom} without the answers; true when a delivery put messages in an outbox. */
  private deliverOutbox(engine: MemberEngine, ms: number): boolean {
    const engines = this.group.engines;
    const outbox = engine.outbox;
    let answered = false;
    for (let i = 0; i < outbox.length; i++) {
      const message = outbox[i] as (typeof outbox)[number];
      const to = engines[message.to];
      if (to !== undefined && this.group.isLive(message.to)) {
        to.deliver(message, ms);
        if (to.outbox.length > 0) answered = true;
      }
    }
    // Delivered messages hand their key objects back for the engine's next messages.
    engine.recycleOutbox();
    return answered;
  }

  /**
   * Delivers the messages deliveries sent, until none is left: the member that keeps a split
   * connection answers a claim once and the one that yields answers nothing, so this ends after a
   * few rounds.
   */
  private deliverAnswers(ms: number): void {
    const engines = this.group.engines;
    for (let again = true; again; ) {
      again = false;
      for (let m = 0; m < engines.length; m++) {
        const e = engines[m] as MemberEngine;
        if (e.outbox.length > 0 && this.deliverOutbox(e, ms)) again = true;
      }
    }
  }

  /** {@link expire} at `at` seconds, earlier than the packet being taken; {@link ms} stays the packet's. */
  private expireAt(at: number): void {
    const ms = this.ms;
    this.ms = Math.floor(at * 1000);
    this.expire(at);
    this.ms = ms;
  }

  /** Expires idle entries of every table; `now` in seconds (see {@link ms}). */
  private expire(now: number): void {
    this.nextExpiry = Math.floor(now / EXPIRY_STEP) * EXPIRY_STEP + EXPIRY_STEP;
    const ms = this.ms;
    const g = this.group;
    for (let m = 0; m < g.engines.length; m++) {
      const e = g.engines[m];
      // One pass over each table: expire() walks `budget` entries round-robin.
      if (e !== undefined && g.isLive(m)) {
        e.expire(ms, Math.max(e.owned.size, e.corrections.size, e.fragments.size, e.expectations.size));
      }
    }
    this.deliverMessages(ms);
    this.registry.expireAll(ms, (h) => this.sync.delete(this.registry.owner(h), this.registry.backup(h)));
  }

  /** Credits the packets since the last change to the live members by weight. */
  private closeSegment(): void {
    const g = this.group;
    let total = 0;
    for (let i = 0; i < g.ids.length; i++) if (g.isLive(i)) total += g.weights[i] as number;
    if (total === 0) return;
    for (let i = 0; i < g.ids.length; i++) {
      if (g.isLive(i))
        this.expectedPackets[i] =
          (this.expectedPackets[i] as number) + (this.segmentPackets * (g.weights[i] as number)) / total;
    }
    this.segmentPackets = 0;
  }

  private applyEvent(e: SimEvent): void {
    this.closeSegment();
    // The event walks the registry with keys of its own; the routed packet's memo goes.
    this.group.leave();
    const outcome = this.effects.apply(e, this.ms);
    this.eventReports.push({
      at: e.at,
      kind: e.kind,
      member: e.member,
      ...(e.weight === undefined ? {} : { weight: e.weight }),
      ...outcome,
    });
  }
}

/**
 * A fragmented datagram's identity, as `fragmentKey` keys it: IPv4 by addresses, protocol and id
 * (RFC 791), IPv6 by addresses and id alone (RFC 8200 4.5: a later fragment's Next Header is what
 * follows its Fragment header, 60 when Destination Options start the fragmentable part).
 */
function fragmentId(key: FlowKey, ipId: number): string {
  return key.family === 4
    ? `${key.srcV4}|${key.dstV4}|${key.protocol}|${ipId}`
    : `${key.src6.join('.')}|${key.dst6.join('.')}|${ipId}`;
}
