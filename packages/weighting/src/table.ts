import { describeValue, WeightingError } from './errors.js';
import { type Member, normalizeMembers } from './member.js';
import { MAX_TABLE_SIZE } from './table-size.js';

const TWO_TO_MINUS_32 = 1 / 4294967296;
/** Up to this size a 32-bit hash times the size is below 2^53: one double product is exact. */
const ONE_PRODUCT_SIZE = 2 ** 21;

/**
 * `floor(h × size / 2^32)` for a 32-bit `h` and any size, exactly: the sum of `h`'s two 16-bit
 * halves times the size (each product below 2^40).
 */
function wideBucket(h: number, size: number): number {
  return Math.floor(((h >>> 16) * size + Math.floor(((h & 0xffff) * size) / 65536)) / 65536);
}

/**
 * The lookups of a table larger than {@link ONE_PRODUCT_SIZE}, where one double product could round
 * across a bucket boundary. Own properties of such a table only: a table of any other size keeps
 * the prototype's one-product lookups, with no branch on their hot path.
 */
const wideLookups: PropertyDescriptorMap = {
  bucketOf: {
    value(this: DistributionTable, hash: number): number {
      return wideBucket(hash >>> 0, this.size);
    },
  },
  lookup: {
    value(this: DistributionTable, hash: number): string {
      return this.ids[this.owners[wideBucket(hash >>> 0, this.size)] as number] as string;
    },
  },
  lookupIndex: {
    value(this: DistributionTable, hash: number): number {
      return this.owners[wideBucket(hash >>> 0, this.size)] as number;
    },
  },
};

const interned = new Map<string, string>();
const MAX_INTERNED = 1 << 16;

/**
 * The engine's unique copy of a string (property keys are interned), remembered so that tables
 * rebuilt for the same members do not pay for it again; the memo is bounded.
 */
function intern(text: string): string {
  let unique = interned.get(text);
  if (unique === undefined) {
    if (interned.size >= MAX_INTERNED) interned.clear();
    unique = Object.keys({ [text]: 0 })[0] ?? text;
    interned.set(text, unique);
  }
  return unique;
}

/**
 * A distribution table: `size` buckets, each owned by one member. A flow's hash picks bucket
 * `floor(hash × size / 2^32)` (multiply-shift: the hash's high bits choose, so a 16-bit-entropy
 * symmetric-RSS value spread by `@maestro/hash` still reaches every bucket, and no division is
 * needed); the bucket's owner processes the flow. Tables are immutable: {@link rebalance}
 * and {@link maglev} return new ones.
 *
 * @example
 * const t = maglev([{ id: 'sgm1', weight: 1 }, { id: 'sgm2', weight: 1 }]);
 * t.lookup(0x9e3779b9); // 'sgm1' or 'sgm2'
 */
export class DistributionTable {
  // The fields are `declare`d so that no class-field initialiser stores `undefined` first: V8 then
  // keeps their exact representation (Smi size, typed-array owners), which lookup needs to be fast.
  /** Number of buckets. */
  declare readonly size: number;
  /** The members the table was built for, in canonical order (by id), weight 0 included. */
  declare readonly members: readonly Member[];
  /** Member ids, aligned with {@link members}: `ids[owners[b]]` owns bucket `b`. */
  declare readonly ids: readonly string[];
  /** Per bucket, the index (into {@link members}) of its owner. Do not write to it. */
  declare readonly owners: Uint32Array;
  /** Per member (aligned with {@link members}), the number of buckets it owns. */
  declare readonly counts: Uint32Array;
  // Built on first use: rebalance makes a table per change, and most are never asked for an index.
  #indexById: Map<string, number> | undefined;

  /**
   * Wraps canonical members and an owner array, as this package's builders and a table received
   * whole (`owners` off the wire) do. `owners` is taken, not copied. Refuses, with a
   * {@link WeightingError}: members that {@link normalizeMembers} refuses or that are not in
   * canonical order (by id); `owners` that is not a `Uint32Array` of 1..{@link MAX_TABLE_SIZE}
   * entries or names a member past the list (`INVALID_TABLE`); `counts`, when given, that is not
   * each member's number of buckets (`INVALID_TABLE`).
   */
  constructor(members: readonly Member[], owners: Uint32Array, counts?: Uint32Array) {
    const canonical = trusting ? members : canonicalMembers(members);
    if (
      !trusting &&
      (!(owners instanceof Uint32Array) || owners.length < 1 || owners.length > MAX_TABLE_SIZE)
    ) {
      throw new WeightingError(
        'INVALID_TABLE',
        `a table's owners are a Uint32Array of 1..${MAX_TABLE_SIZE} buckets, got ${describeValue(owners)}`,
      );
    }
    // The builders' counts are right by construction; anyone else's are checked against a count.
    const counted = trusting && counts !== undefined ? counts : countOwners(owners, canonical.length);
    if (!trusting && counts !== undefined && !sameCounts(counts, counted)) {
      throw new WeightingError('INVALID_TABLE', "counts given are not each member's number of buckets");
    }
    this.size = owners.length;
    this.members = canonical;
    // Not frozen: V8 reads frozen arrays several times slower, and lookup reads this one per flow.
    // Interned: callers compare lookup's result with an id (`t.lookup(h) === t.ids[i]`), and two
    // interned strings compare by pointer where others compare by content (3x the lookup's cost).
    this.ids = canonical.map((m) => intern(m.id));
    this.owners = owners;
    this.counts = counts ?? counted;
    if (this.size > ONE_PRODUCT_SIZE) Object.defineProperties(this, wideLookups);
  }

  /**
   * The bucket of a 32-bit hash: `floor(hash × size / 2^32)`, exactly for every size up to
   * {@link MAX_TABLE_SIZE} (one double product up to 2^21 buckets, two above), so never `size`
   * itself; any number is taken modulo 2^32 first.
   */
  bucketOf(hash: number): number {
    return ((hash >>> 0) * this.size * TWO_TO_MINUS_32) | 0;
  }

  /**
   * The member that owns the flow with this 32-bit hash (bucket {@link bucketOf}). Allocation-free;
   * no input can throw.
   */
  lookup(hash: number): string {
    return this.ids[this.owners[((hash >>> 0) * this.size * TWO_TO_MINUS_32) | 0] as number] as string;
  }

  /** Like {@link lookup}, but the owner's index into {@link members}. */
  lookupIndex(hash: number): number {
    return this.owners[((hash >>> 0) * this.size * TWO_TO_MINUS_32) | 0] as number;
  }

  /** The id of the member that owns `bucket` (an integer 0..size-1); a typed error otherwise. */
  memberAt(bucket: number): string {
    if (!Number.isInteger(bucket) || bucket < 0 || bucket >= this.size) {
      throw new WeightingError(
        'INVALID_BUCKET',
        `bucket ${describeValue(bucket)} does not exist: buckets are integers 0..${this.size - 1}`,
      );
    }
    return this.ids[this.owners[bucket] as number] as string;
  }

  /** The index of member `id` in {@link members}, or -1 when the table does not know it. */
  indexOf(id: string): number {
    this.#indexById ??= new Map(this.ids.map((id, i) => [id, i]));
    return this.#indexById.get(id) ?? -1;
  }

  /** The number of buckets member `id` owns (0 for a member the table does not know). */
  countOf(id: string): number {
    const i = this.indexOf(id);
    return i < 0 ? 0 : (this.counts[i] as number);
  }

  /** The weight of member `id`, or `undefined` when the table does not know it. */
  weightOf(id: string): number | undefined {
    const i = this.indexOf(id);
    return i < 0 ? undefined : (this.members[i] as Member).weight;
  }
}

/** Number of buckets whose owner differs between two tables of the same size. */
export function movedBuckets(a: DistributionTable, b: DistributionTable): number {
  if (!(a instanceof DistributionTable) || !(b instanceof DistributionTable)) {
    throw new WeightingError('INVALID_TABLE', 'movedBuckets compares two DistributionTable values');
  }
  if (a.size !== b.size) {
    throw new WeightingError(
      'SIZE_MISMATCH',
      `tables of ${a.size} and ${b.size} buckets cannot be compared: sizes must be equal`,
    );
  }
  // a's member index -> b's member index of the same id (or -1), then one pass over the buckets.
  const map = new Int32Array(a.members.length);
  for (let i = 0; i < map.length; i++) map[i] = b.indexOf(a.ids[i] as string);
  let moved = 0;
  const ao = a.owners;
  const bo = b.owners;
  for (let k = 0; k < ao.length; k++) {
    if (map[ao[k] as number] !== (bo[k] as number)) moved++;
  }
  return moved;
}

/**
 * The fraction (0..1) of buckets whose member differs between `a` and `b`, two tables of the same
 * size: the share of flows a change disturbs.
 */
export function churn(a: DistributionTable, b: DistributionTable): number {
  return movedBuckets(a, b) / a.size;
}

// Set while this package's builders construct a table from members and owners they made.
let trusting = false;

/**
 * A table from members and owners that this package's builders made (canonical, in range, and
 * `counts` right when given), without the constructor's checks, which would cost `rebalance` half
 * its time. Internal to the package (not exported from its entry point).
 */
export function builtTable(
  members: readonly Member[],
  owners: Uint32Array,
  counts?: Uint32Array,
): DistributionTable {
  trusting = true;
  try {
    return new DistributionTable(members, owners, counts);
  } finally {
    trusting = false;
  }
}

/** Buckets per member of `owners`; `INVALID_TABLE` when a bucket names a member past `n`. */
function countOwners(owners: Uint32Array, n: number): Uint32Array {
  const counted = new Uint32Array(n);
  for (let b = 0; b < owners.length; b++) {
    const o = owners[b] as number;
    if (o >= n) throw new WeightingError('INVALID_TABLE', `bucket ${b} names member ${o} of ${n}`);
    counted[o] = (counted[o] as number) + 1;
  }
  return counted;
}

/** `members` checked by {@link normalizeMembers}, which must not have had to reorder them. */
function canonicalMembers(members: readonly Member[]): readonly Member[] {
  const canonical = normalizeMembers(members);
  for (let i = 0; i < canonical.length; i++) {
    if ((canonical[i] as Member).id !== (members[i] as Member).id) {
      throw new WeightingError(
        'INVALID_MEMBERS',
        `a table's members must be in canonical order (by id): ${JSON.stringify((members[i] as Member).id)} is out of place`,
      );
    }
  }
  return canonical;
}

/** True when `given` is a Uint32Array equal to `counted`. */
function sameCounts(given: unknown, counted: Uint32Array): boolean {
  if (!(given instanceof Uint32Array) || given.length !== counted.length) return false;
  for (let i = 0; i < counted.length; i++) if (given[i] !== counted[i]) return false;
  return true;
}
