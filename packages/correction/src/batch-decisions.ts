import { FIND_BATCH, FindFlag, TcpFlag } from '@maestro/flowtable';
import { createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import type { ResolvedConfig } from './config.js';
import { CreatedKeys } from './created-keys.js';
import { Decision, DropCause, Reason } from './decision.js';
import { type DecisionBuffers, fitsBuffers } from './decision-buffers.js';
import { CorrectionError, shown } from './errors.js';
import { MemberTables } from './member-tables.js';
import { PACKED_WORDS, PackedBatch } from './packed-batch.js';
import { checkLanes, laneError, readLane } from './packed-lanes.js';
import { createPacket } from './packet.js';
import { checkPacket, checkTime } from './packet-checks.js';
import { StatsCounter } from './stats.js';
import type { Ingress, Packet } from './types.js';

/**
 * The batch entry points of a member, `decideMany` and `decidePacked`: the packets of a batch are
 * checked, looked up in the owned table together and, when they are hits or TCP packets that can
 * open nothing, decided inline; every other packet goes to {@link decideFound}, `MemberEngine`'s
 * one-packet decision past its lookup, which extends this class. Internal to the package (its
 * members are `MemberEngine`'s).
 */
export abstract class BatchDecisions extends MemberTables {
  /** After `decide`: the member a FORWARD goes to (-1 otherwise). */
  lastTarget = -1;
  /** After `decide`: the {@link Reason} behind the decision. */
  lastReason: number = Reason.NONE;
  /** After `decide`: the {@link DropCause} of a DROP. */
  lastDrop: number = DropCause.NONE;

  protected readonly interfaces: readonly Ingress[];
  protected readonly counter: StatsCounter = new StatsCounter();
  /** Keys and aliases of the connections the current batch has created so far. */
  protected readonly created: CreatedKeys = new CreatedKeys(2 * FIND_BATCH);
  private readonly batchKeys: FlowKey[] = Array.from({ length: FIND_BATCH }, createFlowKey);
  private readonly batchHandles: Int32Array = new Int32Array(FIND_BATCH);
  private readonly batchFlags: Uint8Array = new Uint8Array(FIND_BATCH);
  private readonly batchBytes: Uint32Array = new Uint32Array(FIND_BATCH);
  private readonly batchTcpFlags: Uint8Array = new Uint8Array(FIND_BATCH);
  /** The error of the impossible packet that stopped {@link checkBatch}. */
  private batchError: unknown = null;
  /** The packet decidePacked reads a lane into when it decides the lane the long way. */
  private readonly lanePacket: Packet = createPacket();
  private readonly laneEmbedded: FlowKey = createFlowKey();

  protected constructor(self: number, c: ResolvedConfig) {
    super(self, c);
    this.interfaces = c.interfaces;
  }

  /**
   * `decide` past the checks, given the owned-table lookup of the packet's key (`h`, or -1, and
   * whether it matched in the reply direction); sets {@link lastTarget}, {@link lastReason},
   * {@link lastDrop}.
   */
  protected abstract decideFound(packet: Packet, now: number, h: number, reply: boolean): Decision;

  /**
   * `decide` for `packets[0 .. count-1]`, in order, with the same decisions, messages and
   * counters as one call each; writes each packet's decision, target (-1 unless FORWARD), reason and
   * drop cause to `out` at its index. Faster than a loop over `decide`: the owned-table
   * lookups of up to 32 packets at a time go through `FlowTable.findMany`, and the packets of owned
   * connections are recorded together with `FlowTable.recordMany`, so their cache misses overlap.
   * Throws `INVALID_PACKET` for an impossible packet after deciding those before it (the
   * packet and those after it change nothing; an error from the config's functions, such as
   * `BAD_DISTRIBUTION`, stops the batch the same way), or, deciding nothing, for buffers not made by
   * `createDecisionBuffers` or a `count` past the packets or a buffer.
   *
   * @example
   * const out = createDecisionBuffers(packets.length);
   * engine.decideMany(packets, now, out); // out.decision[i] === Decision.PROCESS ...
   */
  decideMany(
    packets: ArrayLike<Packet>,
    now: number,
    out: DecisionBuffers,
    count: number = packets?.length,
  ): void {
    checkTime(now);
    if (
      typeof packets !== 'object' ||
      packets === null ||
      !Number.isInteger(count) ||
      count < 0 ||
      count > packets.length ||
      !fitsBuffers(out, count)
    ) {
      throw new CorrectionError(
        'INVALID_PACKET',
        `decideMany takes an array of packets, buffers from createDecisionBuffers and a count 0..their lengths; got count ${shown(count)}`,
      );
    }
    for (let from = 0; from < count; from += FIND_BATCH) {
      const m = Math.min(FIND_BATCH, count - from);
      const valid = this.checkBatch(packets, from, m);
      this.decideBatch(packets, from, valid, now, out);
      if (valid < m) {
        const error = this.batchError;
        this.batchError = null;
        throw error;
      }
    }
  }

  /**
   * {@link decideMany} for packets packed as words: lanes `0 .. count-1` of `batch` (a
   * {@link PackedBatch}, filled by `set` or straight by a decoder), in order, with the same
   * decisions, targets, reasons, drop causes, messages, counters and table contents as a loop over
   * `decide` on the packets the lanes spell; results in `out` at each lane's index. The
   * lanes are checked with compares on their words, their keys looked up with
   * `FlowTable.findPacked` (no key object), the hits and the TCP packets that can open nothing
   * decided inline and recorded with `FlowTable.recordMany`; creations, side-table entries,
   * fragments and ICMP errors are decided as `decide` decides them, from a scratch packet
   * the lane is read into. Throws `INVALID_PACKET` for an impossible lane after deciding those
   * before it (the lane and those after it change nothing; a config function's error stops the
   * batch the same way), or, deciding nothing, for a `batch` not made by `new PackedBatch`,
   * buffers not made by `createDecisionBuffers` or a `count` past the batch or a buffer.
   *
   * @example
   * const batch = new PackedBatch(32);
   * const out = createDecisionBuffers(32);
   * const w = batch.words; // lane i at PACKED_WORDS * i, fields as PackedWord says
   * engine.decidePacked(batch, now, out, n); // out.decision[i] === Decision.PROCESS ...
   */
  decidePacked(batch: PackedBatch, now: number, out: DecisionBuffers, count: number = batch?.capacity): void {
    checkTime(now);
    if (
      !(batch instanceof PackedBatch) ||
      !(batch.words instanceof Int32Array) ||
      !Number.isInteger(count) ||
      count < 0 ||
      count > batch.capacity ||
      count * PACKED_WORDS > batch.words.length ||
      !fitsBuffers(out, count)
    ) {
      throw new CorrectionError(
        'INVALID_PACKET',
        `decidePacked takes a PackedBatch, buffers from createDecisionBuffers and a count 0..their lengths; got count ${shown(count)}`,
      );
    }
    const words = batch.words;
    const interfaces = this.interfaces.length;
    for (let from = 0; from < count; from += FIND_BATCH) {
      const m = Math.min(FIND_BATCH, count - from);
      const valid = checkLanes(words, from, m, interfaces, this.batchBytes, this.batchTcpFlags);
      this.decideLanes(words, from, valid, now, out);
      if (valid < m) throw laneError(words, from + valid, interfaces);
    }
  }

  /**
   * {@link decideBatch} over lanes `from .. from+valid-1` of `words`, checked: the same inline
   * decisions, the same record flushes, the rest through decideFound with the lane read into a
   * scratch packet.
   */
  private decideLanes(
    words: Int32Array,
    from: number,
    valid: number,
    now: number,
    out: DecisionBuffers,
  ): void {
    const owned = this.owned;
    const handles = this.batchHandles;
    const flags = this.batchFlags;
    const created = this.created;
    owned.findPacked(words, from * PACKED_WORDS, PACKED_WORDS, valid, handles, flags);
    created.clear();
    const noSideTables = this.corrections.size === 0 && this.expectations.size === 0;
    let hits = 0;
    let drops = 0;
    let pending = 0;
    let hitEnd = 0;
    // PackedWord offsets as literals (see packed-lanes.ts): PROTOCOL 1, PORT_KIND 2, TCP_FLAGS 7,
    // EMBEDDED 16, MORE_FRAGMENTS 23; PortKind.FRAGMENT 3; TcpFlag SYN 2, RST 4, ACK 16.
    for (let i = 0, b = from * 32; i < valid; i++, b += 32) {
      const at = from + i;
      let h = handles[i] as number;
      const plain = words[b + 16] === 0 && words[b + 2] !== 3 && words[b + 23] === 0;
      if (plain) {
        if (h >= 0) {
          decidedInline(out, at, Decision.PROCESS, DropCause.NONE);
          hits++;
          hitEnd = i + 1;
          continue;
        }
        if (
          noSideTables &&
          words[b + 1] === 6 &&
          ((words[b + 7] as number) & 0x16) !== 2 &&
          (created.empty || !created.mayHoldWords(words, b))
        ) {
          decidedInline(out, at, Decision.DROP, DropCause.NO_CONNECTION);
          drops++;
          continue;
        }
      }
      if (hits + drops > 0) {
        this.tally(hits, drops);
        hits = 0;
        drops = 0;
      }
      if (h >= 0 || !plain) {
        this.recordHits(now, pending, hitEnd);
        pending = i + 1;
      }
      const p = readLane(words, at, this.lanePacket, this.laneEmbedded);
      let reply = ((flags[i] as number) & FindFlag.REPLY) !== 0;
      if (h < 0 && !created.empty && created.mayHold(p.key)) {
        h = owned.find(p.key);
        reply = owned.lastReply;
      }
      this.decideLongWay(p, now, h, reply, out, at, pending, hitEnd);
    }
    this.endBatch(now, pending, hitEnd, hits, drops, out, from + valid - 1);
  }

  /**
   * Checks `packets[from .. from+m-1]` and puts their keys in the batch's key list; returns how
   * many lead the batch before an impossible packet (whose error is then in {@link batchError}).
   * The whole batch is checked before any of it is decided: a packet the batch cannot take stops
   * it exactly where a loop over decide would have thrown.
   */
  private checkBatch(packets: ArrayLike<Packet>, from: number, m: number): number {
    const keys = this.batchKeys;
    const bytes = this.batchBytes;
    const tcpFlags = this.batchTcpFlags;
    const interfaces = this.interfaces.length;
    for (let i = 0; i < m; i++) {
      const p = packets[from + i] as Packet;
      try {
        checkPacket(p, interfaces);
      } catch (e) {
        this.batchError = e;
        return i;
      }
      keys[i] = p.key;
      bytes[i] = p.bytes;
      tcpFlags[i] = p.tcpFlags;
    }
    return m;
  }

  /** Records the batch's inline hits among lanes `from .. to-1` (none when the range is empty). */
  private recordHits(now: number, from: number, to: number): void {
    if (from < to) {
      this.owned.recordMany(
        this.batchHandles,
        this.batchFlags,
        now,
        this.batchBytes,
        this.batchTcpFlags,
        from,
        to,
      );
    }
  }

  /**
   * Decides `packets[from .. from+valid-1]`, checked, with one bulk lookup. Packets of owned
   * connections and TCP packets that can open nothing (with no correction or expectation entries
   * to look at) are decided inline and counted once per batch; the rest go through decideFound.
   */
  private decideBatch(
    packets: ArrayLike<Packet>,
    from: number,
    valid: number,
    now: number,
    out: DecisionBuffers,
  ): void {
    const owned = this.owned;
    const handles = this.batchHandles;
    const flags = this.batchFlags;
    const created = this.created;
    owned.findMany(this.batchKeys, handles, flags, valid);
    // Deciding only ever adds owned entries (handles stay valid), so only a miss can go stale,
    // and only if its key is one a packet of this batch has just created (or its alias).
    created.clear();
    const noSideTables = this.corrections.size === 0 && this.expectations.size === 0;
    let hits = 0;
    let drops = 0;
    // The hits decided inline since `pending` are recorded together (FlowTable.recordMany) at the
    // end, or before a packet decided the long way that may record an entry the batch found (an
    // ICMP error, a fragment, a hit), or when one throws: the same records of every entry in the
    // same order as one at a time (a miss decided the long way records only an entry it creates,
    // or created earlier in the batch), none past a packet that throws. Only lanes up to the last
    // inline hit (`hitEnd`) hold hits to record: a range with none costs no call.
    let pending = 0;
    let hitEnd = 0;
    for (let i = 0; i < valid; i++) {
      const p = packets[from + i] as Packet;
      const key = p.key;
      const at = from + i;
      let h = handles[i] as number;
      if (p.embedded === null && key.portKind !== PortKind.FRAGMENT && !p.moreFragments) {
        if (h >= 0) {
          decidedInline(out, at, Decision.PROCESS, DropCause.NONE);
          hits++;
          hitEnd = i + 1;
          continue;
        }
        if (
          noSideTables &&
          key.protocol === IpProtocol.TCP &&
          (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) !== TcpFlag.SYN &&
          (created.empty || !created.mayHold(key))
        ) {
          decidedInline(out, at, Decision.DROP, DropCause.NO_CONNECTION);
          drops++;
          continue;
        }
      }
      if (hits + drops > 0) {
        this.tally(hits, drops);
        hits = 0;
        drops = 0;
      }
      if (h >= 0 || p.embedded !== null || key.portKind === PortKind.FRAGMENT || p.moreFragments) {
        this.recordHits(now, pending, hitEnd);
        pending = i + 1;
      }
      let reply = ((flags[i] as number) & FindFlag.REPLY) !== 0;
      if (h < 0 && !created.empty && created.mayHold(key)) {
        h = owned.find(key);
        reply = owned.lastReply;
      }
      this.decideLongWay(p, now, h, reply, out, at, pending, hitEnd);
    }
    this.endBatch(now, pending, hitEnd, hits, drops, out, from + valid - 1);
  }

  /**
   * Decides lane `at` of a batch the long way (decideFound, given its lookup) and writes its
   * results to `out`; if it throws, the hits pending before it (lanes `pending .. hitEnd-1`) are
   * recorded first, as a loop over decide would have recorded them.
   */
  private decideLongWay(
    p: Packet,
    now: number,
    h: number,
    reply: boolean,
    out: DecisionBuffers,
    at: number,
    pending: number,
    hitEnd: number,
  ): void {
    try {
      out.decision[at] = this.decideFound(p, now, h, reply);
    } catch (error) {
      this.recordHits(now, pending, hitEnd);
      throw error;
    }
    out.target[at] = this.lastTarget;
    out.reason[at] = this.lastReason;
    out.drop[at] = this.lastDrop;
  }

  /**
   * Ends a batch: records the inline hits still pending and counts the `hits` and `drops` decided
   * inline; when there were any, the last* fields describe lane `last` as decide would have left them.
   */
  private endBatch(
    now: number,
    pending: number,
    hitEnd: number,
    hits: number,
    drops: number,
    out: DecisionBuffers,
    last: number,
  ): void {
    this.recordHits(now, pending, hitEnd);
    if (hits + drops > 0) {
      this.tally(hits, drops);
      this.lastTarget = -1;
      this.lastReason = Reason.NONE;
      this.lastDrop = out.drop[last] as number;
    }
  }

  /** Counts the decisions decideBatch made inline: `hits` PROCESS and `drops` NO_CONNECTION drops. */
  private tally(hits: number, drops: number): void {
    const counter = this.counter;
    counter.add(Decision.PROCESS, Reason.NONE, hits);
    counter.add(Decision.DROP, Reason.NONE, drops);
    counter.dropMany(DropCause.NO_CONNECTION, drops);
  }
}

/** Writes lane `at` of a decision made inline in a batch: no target, no reason. */
function decidedInline(out: DecisionBuffers, at: number, decision: Decision, cause: DropCause): void {
  out.decision[at] = decision;
  out.target[at] = -1;
  out.reason[at] = Reason.NONE;
  out.drop[at] = cause;
}
