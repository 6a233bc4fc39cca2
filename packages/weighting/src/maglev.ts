import { describeValue, WeightingError } from './errors.js';
import { murmur3, utf8 } from './id-hash.js';
import { type Member, normalizeMembers, totalWeight } from './member.js';
import { builtTable, type DistributionTable } from './table.js';
import { assertTableSize, DEFAULT_TABLE_SIZE } from './table-size.js';
import type { Xxh64 } from './xxh64.js';

/** Options of {@link maglev}. */
export interface MaglevOptions {
  /** Number of buckets, a prime at least the member count. @default 65537 */
  readonly size?: number;
  /**
   * `'envoy'` builds exactly the table Envoy's Maglev load balancer builds for hosts whose hash
   * keys are the member ids (XXH64 offsets and skips, Envoy's weighted turns); it needs `xxh64`.
   * Without it the member hashes are ours (MurmurHash3) and the turns use integer weights.
   * @default undefined
   */
  readonly compat?: 'envoy' | undefined;
  /** The XXH64 function for `compat: 'envoy'`, from {@link loadXxh64}. @default undefined */
  readonly xxh64?: Xxh64 | undefined;
}

/** Per active member: where its preference list starts and its stride, as Maglev defines them. */
interface Permutations {
  readonly offsets: Float64Array;
  readonly skips: Float64Array;
}

function ourPermutations(active: readonly Member[], size: number): Permutations {
  const offsets = new Float64Array(active.length);
  const skips = new Float64Array(active.length);
  for (let i = 0; i < active.length; i++) {
    const bytes = utf8((active[i] as Member).id);
    offsets[i] = murmur3(bytes, 0) % size;
    skips[i] = size === 1 ? 1 : (murmur3(bytes, 1) % (size - 1)) + 1;
  }
  return { offsets, skips };
}

function envoyPermutations(active: readonly Member[], size: number, xxh64: Xxh64): Permutations {
  const offsets = new Float64Array(active.length);
  const skips = new Float64Array(active.length);
  const m = BigInt(size);
  const m1 = BigInt(size - 1);
  for (let i = 0; i < active.length; i++) {
    const bytes = utf8((active[i] as Member).id);
    offsets[i] = Number(BigInt.asUintN(64, xxh64(bytes, 0n)) % m);
    skips[i] = Number(BigInt.asUintN(64, xxh64(bytes, 1n)) % m1) + 1;
  }
  return { offsets, skips };
}

/**
 * Fills the table as the Maglev paper's listing 1 does, with Envoy's weighted turns: in iteration
 * k (from 1) member i takes a turn only if `k × w_i ≥ target_i`, then `target_i += max w`; a turn
 * claims the next free bucket of the member's preference list `offset + j × skip (mod size)`.
 * Equal weights give every member every turn, so that test is skipped for them.
 */
function fill(perm: Permutations, weights: Float64Array, maxWeight: number, size: number): Int32Array {
  const n = weights.length;
  const owners = new Int32Array(size);
  // Probing touches a byte per bucket instead of a word: a quarter of the cache footprint.
  const taken = new Uint8Array(size);
  const position = Int32Array.from(perm.offsets);
  const skips = Int32Array.from(perm.skips);
  let equal = true;
  for (let i = 0; i < n; i++) if (weights[i] !== maxWeight) equal = false;
  const target = new Float64Array(n);
  let filled = 0;
  for (let iteration = 1; filled < size; iteration++) {
    for (let i = 0; i < n && filled < size; i++) {
      if (!equal) {
        if (iteration * (weights[i] as number) < (target[i] as number)) continue;
        target[i] = (target[i] as number) + maxWeight;
      }
      const skip = skips[i] as number;
      let c = position[i] as number;
      while (taken[c] !== 0) {
        c += skip;
        if (c >= size) c -= size;
      }
      owners[c] = i;
      taken[c] = 1;
      c += skip;
      position[i] = c >= size ? c - size : c;
      filled++;
    }
  }
  return owners;
}

function readOptions(options: unknown): MaglevOptions {
  if (options === undefined) return {};
  if (typeof options !== 'object' || options === null) {
    throw new WeightingError(
      'INVALID_OPTIONS',
      `maglev options must be an object, got ${describeValue(options)}`,
    );
  }
  const { compat, xxh64 } = options as MaglevOptions;
  if (compat !== undefined && compat !== 'envoy') {
    throw new WeightingError(
      'INVALID_OPTIONS',
      `compat ${describeValue(compat)} is not known: use 'envoy' or leave it out`,
    );
  }
  if (compat === 'envoy' && typeof xxh64 !== 'function') {
    throw new WeightingError(
      'INVALID_OPTIONS',
      "compat 'envoy' needs the xxh64 option: pass `xxh64: await loadXxh64()`",
    );
  }
  return options as MaglevOptions;
}

/** What {@link maglev} builds from, checked: canonical members, options, size and total weight. */
function maglevInput(members: readonly Member[], options: MaglevOptions | undefined) {
  const canonical = normalizeMembers(members);
  const opts = readOptions(options);
  const size = assertTableSize(opts.size ?? DEFAULT_TABLE_SIZE, canonical.length, true);
  return { canonical, opts, size, total: totalWeight(canonical) };
}

/**
 * Throws the {@link WeightingError} {@link maglev} would throw for these arguments, without
 * building the table (cheap: for checking a table's description received from elsewhere).
 *
 * @example
 * validateMaglev([{ id: 'a', weight: 0 }], { size: 13 }); // throws NO_ACTIVE_MEMBER
 */
export function validateMaglev(members: readonly Member[], options?: MaglevOptions): void {
  maglevInput(members, options);
}

/**
 * Builds a weighted Maglev table. The result depends only on the set of members, never on their
 * order (members are sorted by id first, as Envoy sorts hosts by key). With equal weights every
 * member gets ⌊M/N⌋ or ⌈M/N⌉ buckets; weight 0 members own none. For exact quotas and minimal churn
 * on changes, pass the result to {@link rebalance}.
 *
 * Throws a {@link WeightingError} for bad members, a size that is not a prime or is smaller than
 * the member count, or no member of positive weight.
 *
 * @example
 * const t = maglev([{ id: 'sgm1', weight: 2 }, { id: 'sgm2', weight: 1 }], { size: 65537 });
 */
export function maglev(members: readonly Member[], options?: MaglevOptions): DistributionTable {
  const { canonical, opts, size, total } = maglevInput(members, options);
  const activeIndex: number[] = [];
  for (let i = 0; i < canonical.length; i++) {
    if ((canonical[i] as Member).weight > 0) activeIndex.push(i);
  }
  const active = activeIndex.map((i) => canonical[i] as Member);
  const weights = new Float64Array(active.length);
  let maxWeight = 0;
  for (let i = 0; i < active.length; i++) {
    // Envoy normalises weights to w / Σw in doubles; its turn test depends on those exact values.
    const w = opts.compat === 'envoy' ? (active[i] as Member).weight / total : (active[i] as Member).weight;
    weights[i] = w;
    if (w > maxWeight) maxWeight = w;
  }
  const perm =
    opts.compat === 'envoy' && opts.xxh64 !== undefined
      ? envoyPermutations(active, size, opts.xxh64)
      : ourPermutations(active, size);
  const filled = fill(perm, weights, maxWeight, size);
  const owners = new Uint32Array(size);
  if (active.length === canonical.length) {
    owners.set(filled);
  } else {
    const toCanonical = Uint32Array.from(activeIndex);
    for (let b = 0; b < size; b++) owners[b] = toCanonical[filled[b] as number] as number;
  }
  return builtTable(canonical, owners);
}
