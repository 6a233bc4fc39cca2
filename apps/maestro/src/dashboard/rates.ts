import type { ClusterSnapshot } from '../cluster/cluster-handle.js';

/** One member's counters turned into rates per second; `null` where no rate can be told yet. */
export interface MemberRates {
  readonly id: string;
  readonly packets: number | null;
  readonly corrections: number | null;
  readonly syncRecords: number | null;
}

/** The group's counters turned into rates per second over the interval since the previous snapshot. */
export interface GroupRates {
  /** Seconds between the two snapshots; `null` for the first one. */
  readonly seconds: number | null;
  /** In the order of the snapshot's members. */
  readonly members: readonly MemberRates[];
  readonly packetsSent: number | null;
  readonly packetsDropped: number | null;
  /** Σ of the members' correction rates (those that have one). */
  readonly corrections: number | null;
  readonly syncRecords: number | null;
  readonly syncBytes: number | null;
}

/** What the dashboard shows at one instant: the snapshot and its rates. */
export interface DashboardFrame {
  readonly snapshot: ClusterSnapshot;
  readonly rates: GroupRates;
}

/**
 * The rate of a counter over `seconds`. A counter that went down was reset (a restarted process
 * counts from 0 again), so its whole current value is the increase, as Prometheus' `rate()` reads
 * it. `null` when no time passed or a value is not a finite number.
 *
 * @example
 * counterRate(100, 400, 0.5); // 600
 */
export function counterRate(previous: number, current: number, seconds: number): number | null {
  if (!(seconds > 0) || !Number.isFinite(seconds) || !Number.isFinite(previous) || !Number.isFinite(current))
    return null;
  const increase = current >= previous ? current - previous : current;
  return Math.max(0, increase) / seconds;
}

function sumRates(values: readonly (number | null)[]): number | null {
  let sum: number | null = null;
  for (const v of values) if (v !== null) sum = (sum ?? 0) + v;
  return sum;
}

/**
 * The rates between two snapshots of a group (members matched by id; a member absent from the
 * previous snapshot has no rate yet). Without a previous snapshot every rate is `null`.
 */
export function computeRates(previous: ClusterSnapshot | undefined, current: ClusterSnapshot): GroupRates {
  const seconds = previous === undefined ? null : (current.at - previous.at) / 1000;
  const rate = (before: number | undefined, now: number): number | null =>
    seconds === null || before === undefined ? null : counterRate(before, now, seconds);
  const before = new Map(previous?.members.map((m) => [m.id, m]));
  const members = current.members.map((m): MemberRates => {
    const p = before.get(m.id);
    return {
      id: m.id,
      packets: rate(p?.packets, m.packets),
      corrections: rate(p?.corrections, m.corrections),
      syncRecords: rate(p?.syncRecords, m.syncRecords),
    };
  });
  return {
    seconds,
    members,
    packetsSent: rate(previous?.packetsSent, current.packetsSent),
    packetsDropped: rate(previous?.packetsDropped, current.packetsDropped),
    corrections: sumRates(members.map((m) => m.corrections)),
    syncRecords: rate(previous?.sync.records, current.sync.records),
    syncBytes: rate(previous?.sync.bytes, current.sync.bytes),
  };
}
