import { DistributionTable, maglev, rebalance, validateMaglev, WeightingError } from '@maestro/weighting';

export type { DistributionTable } from '@maestro/weighting';

/** A member of a distribution table. */
export interface TableMember {
  readonly id: string;
  readonly weight: number;
}

// The one file that knows how @maestro/weighting builds tables: the rest of the package only
// asks for a fresh table, the next table after a membership change, and a table received whole.

/** A table built from scratch for `members` (deterministic; `size` must be a prime). */
export function freshTable(members: readonly TableMember[], size: number): DistributionTable {
  return maglev(members, { size });
}

/** The table after a membership change, moving the fewest buckets. */
export function nextTable(previous: DistributionTable, members: readonly TableMember[]): DistributionTable {
  return rebalance(previous, members);
}

/** A table from an owners array fetched from the coordinator (members sorted by id). */
export function tableFromOwners(members: readonly TableMember[], owners: Uint32Array): DistributionTable {
  return new DistributionTable(
    members.map((m) => ({ id: m.id, weight: m.weight })),
    owners,
  );
}

/**
 * Why a table of `size` buckets for `members` cannot be built, or undefined when it can: what
 * {@link freshTable}'s builder would refuse, found without building. A view off the wire is checked
 * with this before it is followed.
 */
export function tableProblem(members: readonly TableMember[], size: number): string | undefined {
  try {
    validateMaglev(members, { size });
    return undefined;
  } catch (error) {
    if (error instanceof WeightingError) return error.message;
    throw error;
  }
}
