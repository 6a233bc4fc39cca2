import { DropCause } from '@maestro/correction';
import type { MemberStatus } from './ipc.js';

/** The packet counts of a {@link MemberStatus}. */
type Counts = Pick<MemberStatus, 'processed' | 'received' | 'forwarded' | 'drops' | 'syncBytes' | 'yields'>;

/**
 * What a member node counts for the orchestrator: packets by outcome, drops by cause, sync bytes,
 * and the flows (the orchestrator's numbers) created, missed, recreated, expired and yielded since the
 * last status, which the orchestrator's ledger turns into connections lost or kept.
 */
export class MemberCounters {
  processed = 0;
  received = 0;
  forwarded = 0;
  stale = 0;
  notActive = 0;
  syncBytes = 0;
  /** Connections given up to the member that created them first (split connections settled). */
  yields = 0;
  private noConnection = 0;
  private unknownFragment = 0;
  private unknownIcmp = 0;
  private other = 0;
  private created: number[] = [];
  private missed: number[] = [];
  private recreated: number[] = [];
  private expired: number[] = [];
  private yielded: number[] = [];

  /** Counts a packet dropped for `cause` (a {@link DropCause}) of flow `flow`. */
  dropped(cause: number, flow: number): void {
    if (cause === DropCause.NO_CONNECTION) {
      this.noConnection++;
      this.missed.push(flow);
    } else if (cause === DropCause.UNKNOWN_FRAGMENT) this.unknownFragment++;
    else if (cause === DropCause.UNKNOWN_ICMP) this.unknownIcmp++;
    else this.other++;
  }

  /** Counts a datagram refused as garbage (a packet or message that does not decode). */
  refused(): void {
    this.other++;
  }

  /** Flow `flow` was created here; `again` when its packet was not the flow's first. */
  createdFlow(flow: number, again: boolean): void {
    if (again) this.recreated.push(flow);
    this.created.push(flow);
  }

  /** The connection of flow `flow` expired here. */
  expiredFlow(flow: number): void {
    this.expired.push(flow);
  }

  /** This member gave up the connection of flow `flow` to the member that created it first (a split connection). */
  yieldedFlow(flow: number): void {
    this.yielded.push(flow);
  }

  /** The counts so far, and the flow lists since the last call (which start afresh). */
  take(): Counts & Pick<MemberStatus, 'created' | 'missed' | 'recreated' | 'expired' | 'yielded'> {
    const out = {
      processed: this.processed,
      received: this.received,
      forwarded: this.forwarded,
      drops: {
        noConnection: this.noConnection,
        unknownFragment: this.unknownFragment,
        unknownIcmp: this.unknownIcmp,
        other: this.other,
        stale: this.stale,
        notActive: this.notActive,
      },
      syncBytes: this.syncBytes,
      yields: this.yields,
      created: this.created,
      missed: this.missed,
      recreated: this.recreated,
      expired: this.expired,
      yielded: this.yielded,
    };
    this.created = [];
    this.missed = [];
    this.recreated = [];
    this.expired = [];
    this.yielded = [];
    return out;
  }
}
