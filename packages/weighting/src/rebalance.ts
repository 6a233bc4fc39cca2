import { WeightingError } from './errors.js';
import { type Member, normalizeMembers } from './member.js';
import { apportion } from './quota.js';
import { builtTable, DistributionTable } from './table.js';
import { assertTableSize } from './table-size.js';

/**
 * A stride close to size / φ and coprime with size: visiting `k × stride mod size` for k = 0, 1, …
 * passes every bucket once, in an order that scatters neighbours far apart.
 */
function scatterStride(size: number): number {
  if (size <= 2) return 1;
  let stride = Math.floor(size * 0.6180339887498949);
  for (;;) {
    let a = size;
    let b = stride;
    while (b !== 0) {
      const t = a % b;
      a = b;
      b = t;
    }
    if (a === 1) return stride;
    stride--;
  }
}

/**
 * Per new member, its bucket count in `previous` (0 for a member `previous` does not know), and
 * per previous member, its index among the new members (-1 once removed).
 */
function carryOver(
  previous: DistributionTable,
  next: readonly Member[],
): { counts: Int32Array; toNext: Int32Array } {
  const toNext = new Int32Array(previous.members.length).fill(-1);
  const counts = new Int32Array(next.length);
  for (let j = 0; j < next.length; j++) {
    const i = previous.indexOf((next[j] as Member).id);
    if (i >= 0) {
      toNext[i] = j;
      counts[j] = previous.counts[i] as number;
    }
  }
  return { counts, toNext };
}

function assertTable(previous: unknown): DistributionTable {
  if (!(previous instanceof DistributionTable)) {
    throw new WeightingError(
      'INVALID_TABLE',
      'rebalance needs the previous DistributionTable (start from maglev(members) for the first one)',
    );
  }
  return previous;
}

/**
 * The fewest buckets that must move to take `previous` to the exact quotas of `members`:
 * Σ max(0, quota − buckets held now) over the new members. When `previous` already had its own
 * exact quotas this is Σ of the positive quota changes.
 */
export function minimumMoves(previous: DistributionTable, members: readonly Member[]): number {
  const table = assertTable(previous);
  const next = normalizeMembers(members);
  assertTableSize(table.size, next.length, false);
  const quotas = apportion(next, table.size);
  const { counts } = carryOver(table, next);
  let moves = 0;
  for (let j = 0; j < next.length; j++) {
    const gain = (quotas[j] as number) - (counts[j] as number);
    if (gain > 0) moves += gain;
  }
  return moves;
}

/**
 * The successor of `previous` for a new member set or new weights (adds, removals, failures,
 * drains, re-weights, any mix): every member ends with exactly its quota (largest-remainder
 * apportionment, see {@link exactQuotas}) and only {@link minimumMoves} buckets change owner. A
 * removed or drained member's buckets are freed, as are the surplus buckets of members whose
 * quota fell (taken in a fixed scattered bucket order); members whose quota rose fill the freed
 * buckets in id order. It is a pure function of (previous, members): every node that applies the
 * same change to the same table gets the same table, whatever the order of `members`.
 *
 * @example
 * let t = rebalance(maglev(members), members); // exact quotas from the start
 * t = rebalance(t, members.filter((m) => m.id !== 'sgm3')); // sgm3 failed: only its buckets move
 */
export function rebalance(previous: DistributionTable, members: readonly Member[]): DistributionTable {
  const table = assertTable(previous);
  const next = normalizeMembers(members);
  const size = assertTableSize(table.size, next.length, false);
  const quotas = apportion(next, size);
  const { counts, toNext } = carryOver(table, next);
  const surplus = new Int32Array(next.length);
  let deficit = 0;
  for (let j = 0; j < next.length; j++) {
    const s = (counts[j] as number) - (quotas[j] as number);
    surplus[j] = s;
    if (s < 0) deficit -= s;
  }

  const prevOwners = table.owners;
  const owners = new Uint32Array(size);
  // Σ deficits = buckets to free: quotas and previous counts both sum to size.
  const freed = new Int32Array(deficit);
  let freedCount = 0;
  // Buckets of removed members are freed in bucket order: one sequential pass, which is what a
  // failure costs (memory order matters: a scattered walk of 65537 buckets is several times slower).
  let anySurplus = false;
  for (let j = 0; j < next.length; j++) if ((surplus[j] as number) > 0) anySurplus = true;
  for (let b = 0; b < size; b++) {
    const j = toNext[prevOwners[b] as number] as number;
    if (j < 0) freed[freedCount++] = b;
    else owners[b] = j;
  }
  if (anySurplus) {
    // Members above their new quota give up buckets taken in a fixed scattered order, so that
    // what they shed is spread over the table rather than taken from its start.
    const stride = scatterStride(size);
    let b = 0;
    for (let k = 0; k < size; k++) {
      const j = toNext[prevOwners[b] as number] as number;
      if (j >= 0 && (surplus[j] as number) > 0) {
        surplus[j] = (surplus[j] as number) - 1;
        freed[freedCount++] = b;
      }
      b += stride;
      if (b >= size) b -= size;
    }
  }
  let f = 0;
  for (let j = 0; j < next.length; j++) {
    for (let d = surplus[j] as number; d < 0; d++) owners[freed[f++] as number] = j;
  }
  return builtTable(next, owners, quotas);
}
