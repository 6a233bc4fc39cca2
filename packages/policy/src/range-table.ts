import { type BitsetPool, CountingSet } from './bitset-pool.js';

/** One rule's inclusive range to insert. */
export interface RangeEntry {
  readonly from: number;
  readonly to: number;
  readonly rule: number;
}

/**
 * An interval lookup flattened into a table: the values 0..size-1 are cut into elementary
 * intervals at every range end, each interval gets the class of the rules covering it (plus the
 * `base` rules, which cover everything), and `table[value]` names that class in one load.
 */
export function buildRangeTable(
  size: number,
  entries: readonly RangeEntry[],
  base: readonly number[],
  pool: BitsetPool,
  ruleCount: number,
): Int32Array {
  const work = new CountingSet(ruleCount, pool.words);
  for (const rule of base) work.add(rule);
  const starts = new Map<number, number[]>();
  const ends = new Map<number, number[]>();
  const push = (map: Map<number, number[]>, at: number, rule: number): void => {
    const list = map.get(at);
    if (list === undefined) map.set(at, [rule]);
    else list.push(rule);
  };
  for (const e of entries) {
    push(starts, e.from, e.rule);
    push(ends, e.to + 1, e.rule);
  }
  const cuts = [...new Set([0, ...starts.keys(), ...ends.keys()])]
    .filter((x) => x < size)
    .sort((a, b) => a - b);
  const table = new Int32Array(size);
  for (let i = 0; i < cuts.length; i++) {
    const at = cuts[i] as number;
    for (const rule of ends.get(at) ?? []) work.remove(rule);
    for (const rule of starts.get(at) ?? []) work.add(rule);
    table.fill(pool.intern(work.set), at, cuts[i + 1] ?? size);
  }
  return table;
}
