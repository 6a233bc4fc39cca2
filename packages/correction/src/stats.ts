import type { REASON_NAMES } from './decision.js';

/** Counts of one member's decisions, by kind, by reason (with the internal hops), and drops by cause. */
export interface CorrectionStats {
  readonly process: number;
  readonly forward: number;
  readonly create: number;
  readonly drop: number;
  /** Per reason: decisions it caused and internal hops it cost (each FORWARD is one hop). */
  readonly reasons: Readonly<
    Record<(typeof REASON_NAMES)[number], { readonly decisions: number; readonly hops: number }>
  >;
  /** Drops per cause: no-connection, unknown-fragment, unknown-icmp, nat-exhausted. */
  readonly drops: Readonly<
    Record<'noConnection' | 'unknownFragment' | 'unknownIcmp' | 'natExhausted', number>
  >;
  /**
   * Split connections this member gave up: it created a connection that another member had
   * created first (each from one direction) and, told so by a `correct`, now forwards it there.
   */
  readonly yielded: number;
  /**
   * Claims this member ignored as stale: a `correct` for a connection it owns whose owner created
   * it longer before this member did than a new connection of its protocol lives unreplied (a
   * message of an earlier incarnation, held in flight past its expiry).
   */
  readonly staleClaims: number;
}

/** Allocation-free counters behind {@link CorrectionStats}. Internal to the package. */
export class StatsCounter {
  private readonly decisions = new Float64Array(4);
  private readonly reasonDecisions = new Float64Array(6);
  private readonly reasonHops = new Float64Array(6);
  private readonly drops = new Float64Array(5);
  private yields = 0;
  private stale = 0;

  decision(decision: number, reason: number): void {
    this.decisions[decision] = (this.decisions[decision] as number) + 1;
    this.reasonDecisions[reason] = (this.reasonDecisions[reason] as number) + 1;
  }

  /** Counts `count` decisions of one kind and reason at once. */
  add(decision: number, reason: number, count: number): void {
    this.decisions[decision] = (this.decisions[decision] as number) + count;
    this.reasonDecisions[reason] = (this.reasonDecisions[reason] as number) + count;
  }

  hop(reason: number): void {
    this.reasonHops[reason] = (this.reasonHops[reason] as number) + 1;
  }

  /** Counts `count` drops for `cause` at once. */
  dropMany(cause: number, count: number): void {
    this.drops[cause] = (this.drops[cause] as number) + count;
  }

  drop(cause: number): void {
    this.drops[cause] = (this.drops[cause] as number) + 1;
  }

  yielded(): void {
    this.yields++;
  }

  staleClaim(): void {
    this.stale++;
  }

  snapshot(): CorrectionStats {
    const d = (i: number) => this.decisions[i] as number;
    const reason = (i: number) => ({
      decisions: this.reasonDecisions[i] as number,
      hops: this.reasonHops[i] as number,
    });
    return {
      process: d(0),
      forward: d(1),
      create: d(2),
      drop: d(3),
      reasons: {
        none: reason(0),
        nat: reason(1),
        asymmetric: reason(2),
        fragment: reason(3),
        related: reason(4),
        'icmp-error': reason(5),
      },
      drops: {
        noConnection: this.drops[1] as number,
        unknownFragment: this.drops[2] as number,
        unknownIcmp: this.drops[3] as number,
        natExhausted: this.drops[4] as number,
      },
      yielded: this.yields,
      staleClaims: this.stale,
    };
  }
}
