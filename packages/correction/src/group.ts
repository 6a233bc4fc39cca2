import type { FlowKey } from '@maestro/hash';
import { validateConfig } from './config.js';
import { Decision, DropCause } from './decision.js';
import { CorrectionError, shown } from './errors.js';
import { FirstError } from './first-error.js';
import { MAX_HOPS, MemberEngine } from './member-engine.js';
import { checkPacket, checkTime } from './packet-checks.js';
import type { CorrectionConfig, Ingress, Packet } from './types.js';

/** Where a packet injected into a {@link Group} ended. */
export interface DeliveryResult {
  /** PROCESS, CREATE or DROP. */
  readonly decision: Decision;
  /** The member that took the final decision. */
  readonly member: number;
  /** Internal hops taken. */
  readonly hops: number;
  /** The {@link DropCause} of a DROP. */
  readonly drop: number;
}

/**
 * A whole security group in one process: one {@link MemberEngine} per member, the orchestrator's
 * distribution in front, and a sync layer that delivers every message at once, in order. Made for
 * property tests and what-if runs.
 *
 * @example
 * const group = new Group(config);
 * group.inject(packet, now); // { decision: Decision.CREATE, member: 2, hops: 0, drop: 0 }
 */
export class Group {
  /** The member engines, by member index. */
  readonly engines: readonly MemberEngine[];
  private readonly config: CorrectionConfig;

  constructor(config: CorrectionConfig) {
    const c = validateConfig(config);
    this.config = config;
    this.engines = Array.from({ length: c.members }, (_, m) => new MemberEngine(m, config));
  }

  /** Hands `packet` to the member its ingress distribution picks and follows it to a final decision. */
  inject(packet: Packet, now: number): DeliveryResult {
    const c = this.config;
    // Checked before the caller's distribution sees it, as the engine checks it (hops aside: reset here).
    if (typeof packet !== 'object' || packet === null) checkPacket(packet, c.interfaces.length);
    packet.hops = 0;
    try {
      checkPacket(packet, c.interfaces.length);
      let member = c.distribute(packet.key, c.interfaces[packet.ingress] as Ingress);
      if (!Number.isInteger(member) || member < 0 || member >= this.engines.length) {
        throw new CorrectionError(
          'BAD_DISTRIBUTION',
          `distribute returned ${shown(member)}, not a member 0..${this.engines.length - 1}`,
        );
      }
      for (;;) {
        const engine = this.engines[member] as MemberEngine;
        const decision = engine.decide(packet, now);
        this.flush(now);
        if (decision !== Decision.FORWARD)
          return { decision, member, hops: packet.hops, drop: engine.lastDrop };
        if (packet.hops === MAX_HOPS)
          return { decision: Decision.DROP, member, hops: packet.hops, drop: DropCause.NO_CONNECTION };
        packet.hops++;
        member = engine.lastTarget;
      }
    } finally {
      packet.hops = 0;
    }
  }

  /** Announces a related connection on `member`, the owner of `parent`, and delivers the messages. */
  expect(member: number, parent: FlowKey, related: FlowKey, now: number): void {
    if (!Number.isInteger(member) || member < 0 || member >= this.engines.length) {
      throw new CorrectionError(
        'UNKNOWN_MEMBER',
        `member must be 0..${this.engines.length - 1}, got ${shown(member)}`,
      );
    }
    (this.engines[member] as MemberEngine).expect(parent, related, now);
    this.flush(now);
  }

  /**
   * Runs every member's incremental expiry and delivers the messages; returns entries removed.
   * A member whose expiry throws (a config function threw: see {@link MemberEngine.expire}) has
   * done its pass all the same: the other members run theirs and the messages are delivered before
   * the first error is thrown.
   */
  expire(now: number, budget: number): number {
    let removed = 0;
    const first = new FirstError();
    for (const engine of this.engines) {
      try {
        removed += engine.expire(now, budget);
      } catch (error) {
        if (error instanceof CorrectionError && error.code === 'INVALID_PACKET') throw error;
        first.keep(error);
      }
    }
    try {
      this.flush(now);
    } catch (error) {
      // A refused delivery comes after the expiry error: that one is thrown first.
      first.keep(error);
    }
    first.throwIfAny();
    return removed;
  }

  /**
   * Delivers every pending message, including those the deliveries cause, then hands the delivered
   * messages back to their sender ({@link MemberEngine.recycle}): do not keep references to them.
   *
   * A delivery that throws (`TABLE_FULL` at a full receiver, a malformed message) loses only that
   * message: every other pending message, and every message the others cause, is delivered all the
   * same, then the first error is thrown. A time that is not a finite number throws
   * `INVALID_PACKET` before anything is delivered (every delivery would refuse it).
   */
  flush(now: number): void {
    checkTime(now);
    const first = new FirstError();
    for (let busy = true; busy; ) {
      busy = false;
      for (const engine of this.engines) {
        const messages = engine.outbox.splice(0);
        for (const message of messages) {
          busy = true;
          try {
            (this.engines[message.to] as MemberEngine).deliver(message, now);
          } catch (error) {
            first.keep(error);
          }
        }
        engine.recycle(messages);
      }
    }
    first.throwIfAny();
  }
}
