import { type Member, normalizeMembers, totalWeight } from './member.js';
import { assertTableSize, DEFAULT_TABLE_SIZE } from './table-size.js';

/**
 * Largest-remainder apportionment (the engine of {@link exactQuotas}): how many of `size` buckets each member owns, by largest-remainder (Hamilton)
 * apportionment of `size × weight / Σ weight`; leftover buckets go to the largest remainders, ties
 * to the smaller id. Quotas always sum to `size`; weight 0 gets 0; every quota is the floor or the
 * ceiling of the exact share. `members` must be canonical (see `normalizeMembers`); the result is
 * aligned with it.
 */
export function apportion(members: readonly Member[], size: number): Uint32Array {
  const total = totalWeight(members);
  const n = members.length;
  const quotas = new Uint32Array(n);
  // size × weight < 2^24 × 2^9 × 2^16 stays an exact integer in a double.
  const remainders = new Float64Array(n);
  let assigned = 0;
  for (let i = 0; i < n; i++) {
    const scaled = size * (members[i] as Member).weight;
    const q = Math.floor(scaled / total);
    quotas[i] = q;
    remainders[i] = scaled - q * total;
    assigned += q;
  }
  const leftover = size - assigned;
  if (leftover > 0) {
    const order = Array.from({ length: n }, (_, i) => i);
    // Canonical member order is the id order, so a stable sort on the remainder breaks ties by id.
    order.sort((a, b) => (remainders[b] as number) - (remainders[a] as number));
    for (let k = 0; k < leftover; k++) {
      const i = order[k] as number;
      quotas[i] = (quotas[i] as number) + 1;
    }
  }
  return quotas;
}

/**
 * Exact quotas of a member set for a table of `size` buckets: how many buckets each member owns
 * in a {@link rebalance} table. Largest-remainder (Hamilton) apportionment of
 * `size × weight / Σ weight`, leftovers to the largest remainders, ties to the smaller id; quotas
 * sum to `size`, weight 0 gets 0, each quota is the floor or the ceiling of the exact share.
 * Validates its input like the table builders.
 *
 * @example
 * exactQuotas([{ id: 'a', weight: 1 }, { id: 'b', weight: 1 }], 7); // Map { 'a' => 4, 'b' => 3 }
 */
export function exactQuotas(
  members: readonly Member[],
  size: number = DEFAULT_TABLE_SIZE,
): Map<string, number> {
  const canonical = normalizeMembers(members);
  assertTableSize(size, canonical.length, false);
  const quotas = apportion(canonical, size);
  return new Map(canonical.map((m, i) => [m.id, quotas[i] as number]));
}
