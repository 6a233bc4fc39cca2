import { FlowTable, MAX_ENTRIES } from '@maestro/flowtable';
import { type FlowKey, PortKind } from '@maestro/hash';
import type { ResolvedConfig } from './config.js';
import { Reason } from './decision.js';
import { CorrectionError, shown, tableFull } from './errors.js';
import { FirstError } from './first-error.js';
import { MessagePool } from './message-pool.js';
import { checkTime, guard } from './packet-checks.js';
import type { CorrectionMessage } from './types.js';

/** Idle timeouts of `seconds` in every state (the side tables expire by age alone). */
function flat(seconds: number) {
  return {
    tcpSyn: seconds,
    tcpEstablished: seconds,
    tcpClosing: seconds,
    tcpClosed: seconds,
    udp: seconds,
    icmp: seconds,
    other: seconds,
  };
}

/**
 * A member's four tables and the sync side of the correction layer: the messages that fill the
 * side tables ({@link deliver}, {@link expect}), their outbox and message pool, and expiry. The
 * decisions on packets are {@link MemberEngine}'s, which extends it.
 */
export abstract class MemberTables {
  /** This member's index. */
  readonly self: number;
  /** Connections this member owns (symmetric; alias = translated tuple; tag = ingress index). */
  readonly owned: FlowTable;
  /** Correction entries: packets of these connections go to the entry's owner (tag = reason). */
  readonly corrections: FlowTable;
  /** Fragment tracking: (src, dst, protocol, IP id in the port fields) → owner. */
  readonly fragments: FlowTable;
  /** Expected related connections (source port 0 = any) → owner. */
  readonly expectations: FlowTable;
  /** Messages emitted since the caller last drained it (`recycleOutbox()` once delivered, or `outbox.splice(0)`). */
  readonly outbox: CorrectionMessage[] = [];

  protected readonly members: number;
  protected readonly pool: MessagePool = new MessagePool();
  private readonly onOwnedExpire: (handle: number) => void;
  /** The first error a config function threw during the current {@link expire}, if any. */
  private expiryError = new FirstError();

  protected constructor(self: number, c: ResolvedConfig) {
    if (!Number.isInteger(self) || self < 0 || self >= c.members) {
      throw new CorrectionError('UNKNOWN_MEMBER', `member must be 0..${c.members - 1}, got ${shown(self)}`);
    }
    this.self = self;
    this.members = c.members;
    // A translated connection's tuple is a second key in the index: with NAT possible, room for
    // one per connection, so that the table holds `capacity` connections without a rehash.
    const aliases = c.nat.length > 0 || c.translate !== null ? c.capacity : 0;
    this.owned = new FlowTable({ symmetric: true, timeouts: c.timeouts, capacity: c.capacity, aliases });
    // A correction entry never outlives its connection's longest idle timeout, even if the
    // owner's removal message is lost.
    this.corrections = new FlowTable({
      symmetric: true,
      timeouts: flat(Math.max(...Object.values(c.timeouts))),
    });
    this.fragments = new FlowTable({ timeouts: flat(c.fragmentTimeout) });
    this.expectations = new FlowTable({ timeouts: flat(c.expectationTimeout) });
    this.onOwnedExpire = (h) => {
      // The connection expires whatever its announcement does: a config function that throws
      // here must not keep it (every later pass would stop at it again) nor stop the pass.
      try {
        this.announceRemoval(h);
      } catch (error) {
        this.expiryError.keep(error);
      }
    };
  }

  /**
   * Optional: hands back messages taken from {@link outbox} once they have been delivered, so that
   * later messages reuse them and their key objects instead of allocating (a key holds two typed
   * arrays). Pass each message once, and do not read a recycled message or its key afterwards. Any
   * engine's messages may be recycled into any engine. Throws `INVALID_MESSAGE`, keeping nothing,
   * unless every element is an object whose `key` is a flow key object (two 16-byte address arrays).
   */
  recycle(messages: readonly CorrectionMessage[]): void {
    this.pool.take(messages);
  }

  /**
   * {@link recycle} of everything in {@link outbox}, once the caller has delivered it, then empties
   * the outbox keeping its storage: `outbox.length = 0` (or `splice(0)`) gives the array a new
   * backing store at its next message, an allocation in every batch that sends one.
   */
  recycleOutbox(): void {
    const outbox = this.outbox;
    this.pool.take(outbox);
    while (outbox.length > 0) outbox.pop();
  }

  /**
   * Announces a related connection of the owned connection `parent` (e.g. an FTP data channel):
   * its first packet, wherever it lands, reaches this member and is created here. `related` with
   * source port 0 matches any source port. Broadcasts an `expect` message to every other member.
   */
  expect(parent: FlowKey, related: FlowKey, now: number): void {
    checkTime(now);
    if (guard(() => this.owned.find(parent), 'INVALID_PACKET') < 0) {
      throw new CorrectionError('NOT_OWNER', `member ${this.self} does not own the parent connection`);
    }
    guard(() => this.expectations.has(related), 'INVALID_PACKET');
    this.putEntry(this.expectations, related, now, this.self, 0);
    this.broadcast('expect', related);
  }

  /**
   * Applies a message from the sync layer. Throws `UNKNOWN_MEMBER` for a message addressed to
   * another member or naming a member outside the group, `INVALID_MESSAGE` for anything else
   * malformed (a `correct` whose `created` is not a finite number, or that names this member as
   * the owner); a refused message changes nothing.
   * An `uncorrect` (`unexpect`) removes the entry only when the member it names as its sender
   * (owner) is the entry's owner: a late one from an earlier owner of the same tuple changes nothing.
   *
   * A `correct` for a connection this member owns means a split connection: this member and
   * `owner` each created it, from one direction each (a reply entered where its owner did not
   * predict). The earlier creation keeps it (`created`; at the same time the member that translated
   * it, then the smaller member index: both members rank the two claims alike, so exactly one
   * keeps it, and only the one that yields stops answering). Kept here: this member answers
   * `owner` (and the sender, if another) with a `correct` of its own. Yielded: the owned entry is
   * removed, a correction entry sends the connection's packets to `owner` under the message's
   * reason, the members this one had sent a `correct` are sent one naming `owner`, and
   * `stats().yielded` counts it. A claim created longer before this member's connection than a new
   * connection of its protocol lives unreplied is stale (a message of an earlier incarnation, held
   * in flight past its expiry): ignored, unanswered, and counted in `stats().staleClaims`. Only this case makes `deliver` send messages (in {@link outbox});
   * it may call the config's `route` and `distribute`, and a throw from them changes nothing.
   */
  deliver(message: CorrectionMessage, now: number): void {
    checkTime(now);
    if (typeof message !== 'object' || message === null) {
      throw new CorrectionError('INVALID_MESSAGE', 'a message must be an object');
    }
    const { kind, to, from } = message;
    // Checked one by one, in this order, with no array per message (a hot path of the sync layer).
    this.checkMember('to', to);
    this.checkMember('from', from);
    this.checkMember('owner', 'owner' in message ? message.owner : 0);
    if (to !== this.self) {
      throw new CorrectionError(
        'UNKNOWN_MEMBER',
        `message for member ${shown(to)} delivered to ${this.self}`,
      );
    }
    const key = message.key;
    guard(() => this.corrections.has(key), 'INVALID_MESSAGE');
    switch (message.kind) {
      case 'correct': {
        const r = message.reason;
        if (!Number.isInteger(r) || r < Reason.NAT || r > Reason.ICMP_ERROR) {
          throw new CorrectionError('INVALID_MESSAGE', `reason must be 1..5, got ${shown(r)}`);
        }
        checkCreated(message.created);
        if (message.owner === this.self) {
          throw new CorrectionError(
            'INVALID_MESSAGE',
            `a correct for member ${this.self} names it as the owner: it would forward to itself`,
          );
        }
        const o = this.owned.find(key);
        if (o >= 0) {
          this.resolveSplit(o, message, now);
          return;
        }
        const c = this.corrections.find(key);
        if (c >= 0 && this.isLateCorrect(c, message)) return;
        this.putCorrection(key, now, message.owner, r, message.created);
        return;
      }
      case 'uncorrect': {
        checkCreated(message.created);
        // Only the owner that made the entry takes it back, and only for the incarnation that made
        // it (or a later one): a late uncorrect from an earlier owner of the same tuple, or of the
        // same owner's earlier incarnation, must not remove the entry a later correct made.
        const h = this.corrections.find(key);
        if (h >= 0 && this.corrections.owner(h) === from && message.created >= this.corrections.created(h))
          this.corrections.removeAt(h);
        return;
      }
      case 'fragment':
        if (key.portKind !== PortKind.FRAGMENT) {
          throw new CorrectionError('INVALID_MESSAGE', 'a fragment key has port kind FRAGMENT');
        }
        this.putEntry(this.fragments, key, now, message.owner, 0);
        return;
      case 'expect':
        this.putEntry(this.expectations, key, now, message.owner, 0);
        return;
      case 'unexpect': {
        const h = this.expectations.find(key);
        if (h >= 0 && this.expectations.owner(h) === message.owner) this.expectations.removeAt(h);
        return;
      }
      default:
        throw new CorrectionError('INVALID_MESSAGE', `unknown message kind ${shown(kind)}`);
    }
  }

  /**
   * Incremental expiry of every table (at most `budget` entries each); an owned connection that
   * expires sends `uncorrect` to the members holding correction entries for it. Returns the number
   * of entries removed. `INVALID_PACKET` for a time that is not a finite number or a budget that is
   * not a whole number >= 0, changing nothing.
   *
   * Addressing an `uncorrect` asks the config's `route` and `distribute`. When one throws (or
   * returns garbage: `BAD_DISTRIBUTION`), the connection expires all the same, without its
   * messages (the entries they were for expire on their own: a correction entry lives at most the
   * longest idle timeout), the pass goes on in every table, and once it is done `expire` throws the
   * first such error: everything a pass does is done, only its count is not returned.
   */
  expire(now: number, budget: number): number {
    checkTime(now);
    if (!Number.isInteger(budget) || budget < 0) {
      throw new CorrectionError('INVALID_PACKET', `budget must be an integer >= 0, got ${shown(budget)}`);
    }
    // A fresh one each pass: nothing an earlier pass that stopped part-way kept is thrown here.
    this.expiryError = new FirstError();
    const removed =
      this.owned.expire(now, budget, this.onOwnedExpire) +
      this.corrections.expire(now, budget) +
      this.fragments.expire(now, budget) +
      this.expectations.expire(now, budget);
    this.expiryError.throwIfAny();
    return removed;
  }

  /**
   * Makes (or refreshes) the correction entry sending `key`'s packets to `owner` under `reason`,
   * for the connection `owner` created at `created` (the entry's `created`, which an `uncorrect`
   * and a later `correct` are compared with).
   */
  protected putCorrection(key: FlowKey, now: number, owner: number, reason: number, created: number): void {
    // A correct for a tuple already corrected (its connection since re-created, maybe by another
    // owner) carries the reason its forwards now count under: the table has no tag setter, so an
    // entry of another reason is made again.
    const table = this.corrections;
    const h = table.find(key);
    if (h >= 0 && table.tag(h) !== reason) table.removeAt(h);
    table.setCreated(this.putEntry(table, key, now, owner, reason), created);
  }

  /** Makes (or refreshes) `table`'s entry of `key` for `owner`; returns its handle. */
  protected putEntry(table: FlowTable, key: FlowKey, now: number, owner: number, tag: number): number {
    const h = table.find(key);
    if (h < 0) {
      this.room(table, 1);
      return table.insert(key, now, owner, owner, tag);
    }
    table.setOwner(h, owner);
    table.record(h, now, 0, 0, false);
    return h;
  }

  /**
   * `TABLE_FULL` unless `table` has room for `count` more entries: checked before a call changes
   * anything, so that a full table refuses the packet or message whole instead of throwing the
   * flow table's `FULL` half way (a connection created but not its fragment entry, say).
   */
  protected room(table: FlowTable, count: number): void {
    if (table.size > MAX_ENTRIES - count) throw tableFull(this.tableName(table), MAX_ENTRIES);
  }

  private tableName(table: FlowTable): string {
    return table === this.owned
      ? 'owned'
      : table === this.corrections
        ? 'corrections'
        : table === this.fragments
          ? 'fragments'
          : 'expectations';
  }

  protected broadcast(kind: 'expect' | 'unexpect', key: FlowKey): void {
    for (let m = 0; m < this.members; m++) {
      if (m !== this.self)
        this.outbox.push({ kind, from: this.self, to: m, key: this.pool.keyCopy(key), owner: this.self });
    }
  }

  /** `UNKNOWN_MEMBER` unless `m`, a message's field `name`, is a member of the group. */
  private checkMember(name: 'to' | 'from' | 'owner', m: unknown): void {
    if (!Number.isInteger(m) || (m as number) < 0 || (m as number) >= this.members) {
      throw new CorrectionError(
        'UNKNOWN_MEMBER',
        `${name} must be a member 0..${this.members - 1}, got ${shown(m)}`,
      );
    }
  }

  /**
   * True when a `correct` for a tuple this member holds correction entry `c` for, and does not
   * own, is late: it belongs to an incarnation of the connection older than the entry's (ignored,
   * counted as a stale claim).
   */
  protected abstract isLateCorrect(
    c: number,
    claim: Extract<CorrectionMessage, { kind: 'correct' }>,
  ): boolean;

  /** Tells the members holding entries for the owned connection `h` (about to expire) to drop them. */
  protected abstract announceRemoval(h: number): void;

  /**
   * A `correct` claims the owned connection `h` for another member (see {@link deliver}): keeps it
   * and answers, or yields it to the claim's owner.
   */
  protected abstract resolveSplit(
    h: number,
    claim: Extract<CorrectionMessage, { kind: 'correct' }>,
    now: number,
  ): void;
}

/** `INVALID_MESSAGE` unless a message's `created` (its connection's time of creation) is a finite number. */
function checkCreated(created: number): void {
  if (!Number.isFinite(created)) {
    throw new CorrectionError(
      'INVALID_MESSAGE',
      `created must be a finite number (the owner's time of creation), got ${shown(created)}`,
    );
  }
}
