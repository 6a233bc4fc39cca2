import { describeValue, WeightingError } from './errors.js';

/** The largest member weight: weights are integers on a 0..512 scale. */
export const MAX_WEIGHT = 512;

/** The most members a table or a rendezvous set takes. */
export const MAX_MEMBERS = 65_536;

/**
 * A member of a security group and its weight. `weight` is an integer 0..512; its share is
 * `weight / Σ weight` (same value = same share, 7× the weight = 7× the share); 0 drains the member:
 * it stays known but owns no bucket and takes no new flow.
 */
export interface Member {
  /** Unique, non-empty name of the member (for Envoy compatibility: the host's hash key). */
  readonly id: string;
  /** Integer 0..512. */
  readonly weight: number;
}

/**
 * Orders ids by Unicode code point (the order of their UTF-8 bytes, as C++ `std::string` sorts
 * them), so the canonical order is the same in every runtime and in Envoy.
 */
export function compareIds(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (0xd800..0xdfff) encode code points above 0xffff: lift them over 0xe000..0xffff.
      const xs = x >= 0xd800 && x <= 0xdfff ? x + 0x2000 : x >= 0xe000 ? x - 0x800 : x;
      const ys = y >= 0xd800 && y <= 0xdfff ? y + 0x2000 : y >= 0xe000 ? y - 0x800 : y;
      return xs - ys;
    }
  }
  return a.length - b.length;
}

function assertWeight(id: string, weight: unknown): number {
  if (typeof weight !== 'number' || !Number.isInteger(weight) || weight < 0 || weight > MAX_WEIGHT) {
    throw new WeightingError(
      'INVALID_WEIGHT',
      `member ${JSON.stringify(id)} has weight ${describeValue(weight)}: weights are integers 0..${MAX_WEIGHT}`,
    );
  }
  return weight;
}

/**
 * Validates a member list taken from outside and returns a frozen copy in canonical order (by
 * id). Throws a {@link WeightingError} naming the offending member: not an array, an empty or
 * non-string id, a weight outside 0..512 or not an integer, a duplicate id, too many members.
 *
 * @example
 * normalizeMembers([{ id: 'b', weight: 2 }, { id: 'a', weight: 1 }]); // [{ id: 'a', … }, { id: 'b', … }]
 */
export function normalizeMembers(members: unknown): readonly Member[] {
  if (!Array.isArray(members)) {
    throw new WeightingError('INVALID_MEMBERS', `members must be an array, got ${describeValue(members)}`);
  }
  if (members.length > MAX_MEMBERS) {
    throw new WeightingError(
      'INVALID_MEMBERS',
      `${members.length} members given: at most ${MAX_MEMBERS} are allowed`,
    );
  }
  const out: Member[] = [];
  for (let i = 0; i < members.length; i++) {
    const entry: unknown = members[i];
    if (typeof entry !== 'object' || entry === null) {
      throw new WeightingError(
        'INVALID_MEMBERS',
        `member #${i} must be an object { id, weight }, got ${describeValue(entry)}`,
      );
    }
    const { id, weight } = entry as { id?: unknown; weight?: unknown };
    if (typeof id !== 'string' || id.length === 0) {
      throw new WeightingError(
        'INVALID_MEMBER_ID',
        `member #${i} has id ${describeValue(id)}: ids are non-empty strings`,
      );
    }
    out.push(Object.freeze({ id, weight: assertWeight(id, weight) }));
  }
  // Native string comparison is code unit order, which equals code point order unless an id
  // holds a surrogate: use it (several times faster) when none does.
  if (out.some((m) => /[\ud800-\udfff]/.test(m.id))) out.sort((a, b) => compareIds(a.id, b.id));
  else out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (let i = 1; i < out.length; i++) {
    const id = (out[i] as Member).id;
    if (id === (out[i - 1] as Member).id) {
      throw new WeightingError('DUPLICATE_MEMBER', `member ${JSON.stringify(id)} appears more than once`);
    }
  }
  return Object.freeze(out);
}

/** Σ weight of canonical members; throws `NO_ACTIVE_MEMBER` when it is 0. */
export function totalWeight(members: readonly Member[]): number {
  let total = 0;
  for (const m of members) total += m.weight;
  if (total === 0) {
    throw new WeightingError(
      'NO_ACTIVE_MEMBER',
      members.length === 0
        ? 'no member given: a table needs at least one member of positive weight'
        : `all ${members.length} members have weight 0: a table needs at least one member of positive weight`,
    );
  }
  return total;
}
