import type { FailoverReport, ResyncReport } from './report.js';

interface Failover {
  readonly member: string;
  readonly kind: 'kill' | 'stop';
  readonly at: number;
  detectMs: number | null;
  tableMs: number | null;
  packetsToFailed: number;
}

interface Resync {
  readonly member: string;
  readonly at: number;
  ms: number | null;
  records: number;
}

/**
 * The failures the orchestrator caused and how the group answered: for each kill or stop, when a
 * member first saw it LOST and when a table without it went in force; for each restart (or
 * continued member the group had given up), when it was back in the table with its resync done.
 * Times are milliseconds since the group started.
 */
export class FailureLog {
  private readonly failovers: Failover[] = [];
  private readonly resyncs: Resync[] = [];

  /** A member was killed or stopped at `at`. */
  failed(member: string, kind: 'kill' | 'stop', at: number): void {
    this.failovers.push({ member, kind, at, detectMs: null, tableMs: null, packetsToFailed: 0 });
  }

  /** A member starts coming back at `at` (a restart, or a continued member that was given up). */
  returning(member: string, at: number): void {
    this.resyncs.push({ member, at, ms: null, records: 0 });
  }

  /** True when the group put a table without the stopped `member` in force. */
  gaveUp(member: string): boolean {
    return this.failovers.some((f) => f.member === member && f.kind === 'stop' && f.tableMs !== null);
  }

  /** The orchestrator handed a packet to the failed `member` (no new table yet). */
  countFailed(member: string): void {
    for (let i = this.failovers.length - 1; i >= 0; i--) {
      const f = this.failovers[i] as Failover;
      if (f.member === member && f.tableMs === null) {
        f.packetsToFailed++;
        return;
      }
    }
  }

  /** A member saw `peer` LOST at `at`; returns the detection time when this is the first. */
  detected(peer: string, at: number): number | null {
    for (const f of this.failovers) {
      if (f.member === peer && f.detectMs === null && at >= f.at) {
        f.detectMs = at - f.at;
        return f.detectMs;
      }
    }
    return null;
  }

  /** A new table went in force at `now`: failed members it leaves out are failed over. */
  tableInstalled(now: number, inTable: (member: string) => boolean): void {
    for (const f of this.failovers) if (f.tableMs === null && !inTable(f.member)) f.tableMs = now - f.at;
  }

  /**
   * Marks the returns that are complete at `now` (`records` gives the records a member applied
   * when it is back, else undefined); returns those just completed.
   */
  resynced(now: number, records: (member: string) => number | undefined): ResyncReport[] {
    const done: ResyncReport[] = [];
    for (const r of this.resyncs) {
      if (r.ms !== null) continue;
      const n = records(r.member);
      if (n === undefined) continue;
      r.ms = now - r.at;
      r.records = n;
      done.push({ member: r.member, ms: r.ms, records: n });
    }
    return done;
  }

  /** Every failure followed by a table (unless its member runs again) and every return complete. */
  settled(running: (member: string) => boolean): boolean {
    return (
      this.failovers.every((f) => f.tableMs !== null || running(f.member)) &&
      this.resyncs.every((r) => r.ms !== null)
    );
  }

  /** The failures and their timings so far. */
  failoverReports(): FailoverReport[] {
    return this.failovers.map(({ member, kind, detectMs, tableMs, packetsToFailed }) => ({
      member,
      kind,
      detectMs,
      tableMs,
      packetsToFailed,
    }));
  }

  /** The returns and their resyncs so far. */
  resyncReports(): ResyncReport[] {
    return this.resyncs.map(({ member, ms, records }) => ({ member, ms, records }));
  }
}
