import { WeightingError } from './errors.js';
import type { Member } from './member.js';
import { apportion } from './quota.js';
import { DistributionTable, movedBuckets } from './table.js';

/** One member's line of a {@link BalanceReport}. */
export interface MemberBalance {
  /** Member id. */
  readonly id: string;
  /** Its weight, 0..512. */
  readonly weight: number;
  /** Expected share of the flows: weight / Σ weight. */
  readonly expectedShare: number;
  /** Expected buckets, not rounded: size × expectedShare. */
  readonly expectedBuckets: number;
  /** Its exact quota (largest-remainder apportionment). */
  readonly quota: number;
  /** Buckets it owns in the table. */
  readonly buckets: number;
  /** buckets − expectedBuckets (negative: under-loaded). */
  readonly error: number;
}

/** Balance gauges of a table. */
export interface BalanceReport {
  /** Table size. */
  readonly size: number;
  /** Per member, in canonical order. */
  readonly members: readonly MemberBalance[];
  /** The largest |buckets − expectedBuckets| over the members. */
  readonly maxError: number;
  /** The largest |buckets − quota| over the members (0 for a {@link rebalance} table). */
  readonly maxQuotaError: number;
  /** Largest buckets / expectedBuckets over members of positive weight (1 = perfect). */
  readonly maxOverload: number;
}

/** Churn gauges of a change from one table to the next. */
export interface ChurnReport {
  /** Buckets whose owner changed. */
  readonly moved: number;
  /**
   * The fewest moves that give every member its load in the next table: Σ max(0, next count −
   * previous count). For a {@link rebalance} table (exact quotas) this is {@link minimumMoves}.
   */
  readonly minimum: number;
  /** moved / size: the share of flows disturbed. */
  readonly fraction: number;
  /** minimum / size. */
  readonly minimumFraction: number;
  /** moved / minimum (1 = optimal; 1 also when both are 0; Infinity when only minimum is 0). */
  readonly ratio: number;
}

/**
 * Expected share vs actual buckets per member, and the largest errors: the gauges to watch on a
 * live table.
 *
 * @example
 * balanceReport(maglev(members)).maxError; // e.g. 0.9 buckets
 */
export function balanceReport(table: DistributionTable): BalanceReport {
  if (!(table instanceof DistributionTable)) {
    throw new WeightingError('INVALID_TABLE', 'balanceReport needs a DistributionTable');
  }
  let total = 0;
  for (const m of table.members) total += m.weight;
  const quotas = apportion(table.members, table.size);
  let maxError = 0;
  let maxQuotaError = 0;
  let maxOverload = 0;
  const rows = table.members.map((m: Member, i): MemberBalance => {
    const expectedShare = m.weight / total;
    const expectedBuckets = table.size * expectedShare;
    const buckets = table.counts[i] as number;
    const quota = quotas[i] as number;
    const error = buckets - expectedBuckets;
    maxError = Math.max(maxError, Math.abs(error));
    maxQuotaError = Math.max(maxQuotaError, Math.abs(buckets - quota));
    if (m.weight > 0) maxOverload = Math.max(maxOverload, buckets / expectedBuckets);
    return { id: m.id, weight: m.weight, expectedShare, expectedBuckets, quota, buckets, error };
  });
  return { size: table.size, members: rows, maxError, maxQuotaError, maxOverload };
}

/**
 * How many buckets a change moved, against the theoretical minimum for reaching the next table's
 * per-member loads from the previous table.
 *
 * @example
 * churnReport(before, rebalance(before, members)).ratio; // 1
 */
export function churnReport(previous: DistributionTable, next: DistributionTable): ChurnReport {
  const moved = movedBuckets(previous, next);
  let minimum = 0;
  for (let j = 0; j < next.members.length; j++) {
    const gain = (next.counts[j] as number) - previous.countOf(next.ids[j] as string);
    if (gain > 0) minimum += gain;
  }
  const ratio = minimum === 0 ? (moved === 0 ? 1 : Number.POSITIVE_INFINITY) : moved / minimum;
  return {
    moved,
    minimum,
    fraction: moved / previous.size,
    minimumFraction: minimum / previous.size,
    ratio,
  };
}
