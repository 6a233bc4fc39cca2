import { initialState, TcpFlag, timeoutsByState } from '@maestro/flowtable';
import {
  copyFlowKey,
  createFlowKey,
  type FlowKey,
  flowKeyEquals,
  IpProtocol,
  PortKind,
  reverseFlowKey,
} from '@maestro/hash';
import { BatchDecisions } from './batch-decisions.js';
import { validateConfig } from './config.js';
import { ConnectionNat } from './connection-nat.js';
import { Decision, DropCause, Reason } from './decision.js';
import { CorrectionError, shown } from './errors.js';
import { fragmentKey } from './fragment-key.js';
import { checkPacket, checkTime, guard } from './packet-checks.js';
import type { CorrectionStats } from './stats.js';
import type { CorrectionConfig, CorrectionMessage, Distribute, Ingress, Packet, Route } from './types.js';

export { MAX_HOPS } from './packet-checks.js';

/**
 * The correction layer of one member: for each packet, {@link decide} whether it is processed here
 * (this member owns the connection), forwarded to its owner (this member holds a correction, fragment
 * or expectation entry) or creates a connection here. On creation the owner applies NAT, computes
 * the **target** (the member the reply lands on) and, when the target is another member, emits a
 * `correct` message for the sync layer to deliver there. Pure: topology, NAT and distribution come
 * in the config; time comes in `now` (milliseconds); messages go out through {@link outbox}.
 *
 * @example
 * const engine = new MemberEngine(0, config);
 * const decision = engine.decide(packet, now); // Decision.FORWARD → engine.lastTarget
 * for (const m of engine.outbox.splice(0)) engines[m.to].deliver(m, now);
 */
export class MemberEngine extends BatchDecisions {
  private readonly distribute: Distribute;
  private readonly route: Route;
  private readonly nat: ConnectionNat;
  private readonly translated: FlowKey = createFlowKey();
  private readonly reply: FlowKey = createFlowKey();
  private readonly scratch: FlowKey = createFlowKey();
  private readonly original: FlowKey = createFlowKey();
  /** Idle timeout (ms) of each connection state, as the owned table expires its entries. */
  private readonly stateLife: Float64Array;

  constructor(self: number, config: CorrectionConfig) {
    const c = validateConfig(config);
    super(self, c);
    this.stateLife = timeoutsByState(c.timeouts);
    this.distribute = c.distribute;
    this.route = c.route;
    this.nat = new ConnectionNat(c.nat, self, c.members, c.translate, this.owned);
  }

  /** Decision and reason counters (a snapshot). */
  stats(): CorrectionStats {
    return this.counter.snapshot();
  }

  /**
   * Decides what to do with `packet` at `now`; sets {@link lastTarget}, {@link lastReason},
   * {@link lastDrop} and may append to {@link outbox}. Throws `INVALID_PACKET` for impossible
   * fields, changing nothing.
   */
  decide(packet: Packet, now: number): Decision {
    checkTime(now);
    checkPacket(packet, this.interfaces.length);
    const skip = packet.embedded !== null || packet.key.portKind === PortKind.FRAGMENT;
    const h = skip ? -1 : this.owned.find(packet.key);
    return this.decideFound(packet, now, h, this.owned.lastReply);
  }

  /** {@link decide} past the checks, given the owned-table lookup of the packet's key. */
  protected decideFound(packet: Packet, now: number, h: number, reply: boolean): Decision {
    this.lastTarget = -1;
    this.lastReason = Reason.NONE;
    this.lastDrop = DropCause.NONE;
    if (packet.embedded !== null) return this.icmpError(packet, now);
    const key = packet.key;
    if (key.portKind === PortKind.FRAGMENT) return this.laterFragment(packet, now);
    const owned = this.owned;
    if (h >= 0) {
      if (packet.moreFragments) {
        this.room(this.fragments, 1);
        owned.record(h, now, packet.bytes, packet.tcpFlags, reply);
        this.trackFragment(packet, now);
      } else {
        owned.record(h, now, packet.bytes, packet.tcpFlags, reply);
      }
      return this.done(Decision.PROCESS, Reason.NONE);
    }
    // The side tables are usually small or empty: skip their lookups then (the key is validated).
    const c = this.corrections.size === 0 ? -1 : this.corrections.find(key);
    if (c >= 0) {
      this.corrections.record(c, now, packet.bytes, 0, false);
      return this.forward(this.corrections.owner(c), this.corrections.tag(c));
    }
    // Only a packet that may open a connection creates one, expected or not (a stateful firewall's
    // rule): a TCP packet other than a bare SYN with no state is dropped where it lands, and an
    // expectation waits for its connection's SYN.
    if (
      key.protocol === IpProtocol.TCP &&
      (packet.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) !== TcpFlag.SYN
    ) {
      return this.drop(DropCause.NO_CONNECTION);
    }
    const e = this.expectations.size === 0 ? -1 : this.findExpectation(key);
    if (e >= 0) {
      const owner = this.expectations.owner(e);
      if (owner !== this.self) return this.forward(owner, Reason.RELATED);
      return this.create(packet, now, e);
    }
    if (packet.hops > 0) return this.drop(DropCause.NO_CONNECTION);
    return this.create(packet, now, -1);
  }

  /** Writes the translated tuple of the owned connection `key` into `out`; false if not owned here. */
  translation(key: FlowKey, out: FlowKey): boolean {
    const h = guard(() => this.owned.find(key), 'INVALID_PACKET');
    if (h < 0) return false;
    if (!this.owned.aliasAt(h, out)) this.owned.keyAt(h, out);
    return true;
  }

  private create(packet: Packet, now: number, expectation: number): Decision {
    const o = packet.key;
    const t = this.translated;
    const self = this.self;
    const owned = this.owned;
    const spare = (self + 1) % this.members;
    // Room first: a full table refuses the packet before NAT or any table changes.
    this.room(owned, 1);
    if (packet.moreFragments) this.room(this.fragments, 1);
    let h = -1;
    if (this.nat.direct) {
      // The entry goes in first, its backup set once the target is known (one probe of the
      // translated tuple instead of a `has` and then `tryInsert`'s own); taken out again, leaving
      // the table as it was, if a config function throws below.
      h = this.nat.insert(o, t, now, self, spare, packet.ingress);
      if (h < 0) return this.drop(DropCause.NAT_EXHAUSTED);
    } else if (!this.nat.translate(o, t)) {
      return this.drop(DropCause.NAT_EXHAUSTED);
    }
    const natted = !flowKeyEquals(t, o);
    const r = reverseFlowKey(t, this.reply);
    let target: number;
    let landing: number;
    try {
      target = this.pick(r, this.ingressOf(this.route(t)));
      landing = this.pick(o, this.interfaces[packet.ingress] as Ingress);
    } catch (error) {
      if (h >= 0) owned.removeAt(h);
      throw error;
    }
    const backup = target !== self ? target : spare;
    if (h >= 0) {
      if (backup !== spare) owned.setBackup(h, backup);
    } else {
      // Key and alias in one call (each probed once); -2 only when the translated tuple is the
      // connection's own reverse, which no table change can hold.
      h = owned.tryInsert(o, now, self, backup, packet.ingress, natted ? t : null);
      if (h < 0) return this.drop(DropCause.NAT_EXHAUSTED);
    }
    this.created.add(o);
    if (natted) this.created.add(t);
    this.owned.record(h, now, packet.bytes, packet.tcpFlags, false);
    const reason =
      expectation >= 0
        ? Reason.RELATED
        : target === this.self
          ? Reason.NONE
          : natted
            ? Reason.NAT
            : Reason.ASYMMETRIC;
    if (target !== this.self) this.send(target, r, self, natted ? Reason.NAT : Reason.ASYMMETRIC, now);
    if (landing !== this.self) this.send(landing, o, self, Reason.RELATED, now);
    if (packet.moreFragments) this.trackFragment(packet, now);
    if (expectation >= 0) {
      const pattern = this.expectations.keyAt(expectation, this.scratch);
      this.expectations.removeAt(expectation);
      this.broadcast('unexpect', pattern);
    }
    return this.done(Decision.CREATE, reason);
  }

  private laterFragment(packet: Packet, now: number): Decision {
    const f = fragmentKey(packet.key, packet.ipId, this.scratch);
    const h = this.fragments.find(f);
    if (h < 0) return this.drop(DropCause.UNKNOWN_FRAGMENT);
    this.fragments.record(h, now, packet.bytes, 0, false);
    const owner = this.fragments.owner(h);
    if (owner !== this.self) return this.forward(owner, Reason.FRAGMENT);
    return this.done(Decision.PROCESS, Reason.FRAGMENT);
  }

  private trackFragment(packet: Packet, now: number): void {
    const f = fragmentKey(packet.key, packet.ipId, this.scratch);
    this.putEntry(this.fragments, f, now, this.self, 0);
    const later = copyFlowKey(packet.key, this.original);
    later.srcPort = 0;
    later.dstPort = 0;
    later.portKind = PortKind.FRAGMENT;
    const landing = this.pick(later, this.interfaces[packet.ingress] as Ingress);
    if (landing !== this.self) {
      this.outbox.push({
        kind: 'fragment',
        from: this.self,
        to: landing,
        key: this.pool.keyCopy(f),
        owner: this.self,
      });
    }
  }

  private icmpError(packet: Packet, now: number): Decision {
    const inner = packet.embedded as FlowKey;
    const h = this.owned.find(inner);
    if (h >= 0) {
      this.owned.record(h, now, 0, 0, this.owned.lastReply);
      return this.done(Decision.PROCESS, Reason.ICMP_ERROR);
    }
    const c = this.corrections.find(inner);
    if (c >= 0) return this.forward(this.corrections.owner(c), Reason.ICMP_ERROR);
    if (packet.hops === 0) {
      // A packet of the connection travelling the way this error travels lands on a member that
      // owns it or holds its correction entry.
      const next = this.pick(reverseFlowKey(inner, this.scratch), this.interfaces[packet.ingress] as Ingress);
      if (next !== this.self) return this.forward(next, Reason.ICMP_ERROR);
    }
    return this.drop(DropCause.UNKNOWN_ICMP);
  }

  private findExpectation(key: FlowKey): number {
    const exact = this.expectations.find(key);
    if (exact >= 0 || key.portKind !== PortKind.PORTS) return exact;
    const any = copyFlowKey(key, this.scratch);
    any.srcPort = 0;
    return this.expectations.find(any);
  }

  protected announceRemoval(h: number): void {
    const o = this.owned.keyAt(h, this.original);
    const t = this.translated;
    if (!this.owned.aliasAt(h, t)) copyFlowKey(o, t);
    const r = reverseFlowKey(t, this.reply);
    const target = this.pick(r, this.ingressOf(this.route(t)));
    const landing = this.pick(o, this.interfaces[this.owned.tag(h)] as Ingress);
    const created = this.owned.created(h);
    if (target !== this.self) this.sendUncorrect(target, r, created);
    if (landing !== this.self) this.sendUncorrect(landing, o, created);
  }

  /** Sends `to` an `uncorrect` for `key`, of the connection this member created at `created`. */
  private sendUncorrect(to: number, key: FlowKey, created: number): void {
    this.outbox.push({ kind: 'uncorrect', from: this.self, to, key: this.pool.keyCopy(key), created });
  }

  protected isLateCorrect(c: number, claim: Extract<CorrectionMessage, { kind: 'correct' }>): boolean {
    const entry = this.corrections.created(c);
    // An owner holds one incarnation at a time: its correct older than its entry is of an earlier
    // one. Another owner's older claim may be a split connection settling (the earlier creation
    // wins, so its correct may come after the loser's): late only when older by more than a new
    // connection lives unreplied, as for a stale claim on an owned connection.
    const late =
      this.corrections.owner(c) === claim.owner
        ? claim.created < entry
        : claim.created < entry - this.lifeOf(claim.key.protocol);
    if (late) this.counter.staleClaim();
    return late;
  }

  protected resolveSplit(
    h: number,
    claim: Extract<CorrectionMessage, { kind: 'correct' }>,
    now: number,
  ): void {
    const owned = this.owned;
    const owner = claim.owner;
    const natted = owned.aliasAt(h, this.translated);
    if (
      claimPrecedes(owned.created(h), natted, this.self, claim.created, claim.reason === Reason.NAT, owner)
    ) {
      // Created here first: this member keeps it, and the claimant yields once it hears so.
      const reason = natted ? Reason.NAT : Reason.ASYMMETRIC;
      const mine = owned.created(h);
      this.send(owner, claim.key, this.self, reason, mine);
      if (claim.from !== owner && claim.from !== this.self)
        this.send(claim.from, claim.key, this.self, reason, mine);
      return;
    }
    // Created first there, but so long before this member created it that the claimant's
    // connection had seen no reply for longer than a new connection lives: a claim of an earlier
    // incarnation (held in flight past its expiry), whose owner no longer holds it. Yielding would
    // send the connection's packets to a member that drops them: ignored, and not answered.
    if (claim.created < owned.created(h) - this.lifeOf(claim.key.protocol)) {
      this.counter.staleClaim();
      return;
    }
    // Created first there: yield. Where this member's own `correct`s went at the creation (as
    // announceRemoval finds them), asked before anything changes, in case a config function throws.
    const o = owned.keyAt(h, this.original);
    const t = this.translated;
    if (!natted) copyFlowKey(o, t);
    const r = reverseFlowKey(t, this.reply);
    const target = this.pick(r, this.ingressOf(this.route(t)));
    const landing = this.pick(o, this.interfaces[owned.tag(h)] as Ingress);
    this.room(this.corrections, natted ? 2 : 1);
    owned.removeAt(h);
    this.putCorrection(o, now, owner, claim.reason, claim.created);
    if (natted) this.putCorrection(t, now, owner, claim.reason, claim.created);
    if (target !== this.self && target !== owner) this.send(target, r, owner, claim.reason, claim.created);
    if (landing !== this.self && landing !== owner)
      this.send(landing, o, owner, Reason.RELATED, claim.created);
    this.counter.yielded();
  }

  /** The idle timeout (ms) of the state a new connection of `protocol` starts in. */
  private lifeOf(protocol: number): number {
    return this.stateLife[initialState(protocol)] as number;
  }

  /** Sends `to` a `correct` for `key` naming `owner`, which created the connection at `created`. */
  private send(to: number, key: FlowKey, owner: number, reason: number, created: number): void {
    this.outbox.push(this.pool.correct(this.self, to, key, owner, reason, created));
  }

  private ingressOf(index: number): Ingress {
    const ingress = this.interfaces[index];
    if (!Number.isInteger(index) || ingress === undefined) {
      throw new CorrectionError('BAD_DISTRIBUTION', `route returned ${shown(index)}, not an interface index`);
    }
    return ingress;
  }

  private pick(key: FlowKey, ingress: Ingress): number {
    const m = this.distribute(key, ingress);
    if (!Number.isInteger(m) || m < 0 || m >= this.members) {
      throw new CorrectionError(
        'BAD_DISTRIBUTION',
        `distribute returned ${shown(m)}, not a member 0..${this.members - 1}`,
      );
    }
    return m;
  }

  private forward(owner: number, reason: number): Decision {
    this.lastTarget = owner;
    this.counter.hop(reason);
    return this.done(Decision.FORWARD, reason);
  }

  private drop(cause: number): Decision {
    this.lastDrop = cause;
    this.counter.drop(cause);
    return this.done(Decision.DROP, Reason.NONE);
  }

  private done(decision: Decision, reason: number): Decision {
    this.lastReason = reason;
    this.counter.decision(decision, reason);
    return decision;
  }
}

/**
 * True when member `a`'s claim to a connection comes before member `b`'s: the earlier creation
 * (rule 1: the member of the first packet owns); at the same time, the member that translated it
 * (a reply addressed to a translated tuple cannot be older than the translation, and only the
 * translating member holds both tuples); then the smaller member index. Both members of a split
 * connection rank the two claims alike, so exactly one of them keeps it. A claim whose reason is
 * not NAT (a `related` one) may under-state a translation: its receiver then keeps the connection
 * and answers, and the answer, which states it, settles the split one round later.
 */
function claimPrecedes(
  aCreated: number,
  aTranslated: boolean,
  a: number,
  bCreated: number,
  bTranslated: boolean,
  b: number,
): boolean {
  if (aCreated !== bCreated) return aCreated < bCreated;
  if (aTranslated !== bTranslated) return aTranslated;
  return a < b;
}
