import { describeValue, WeightingError } from './errors.js';
import { MAX_MEMBERS, MAX_WEIGHT, type Member } from './member.js';

/** A member and its CPU core count, the input of {@link weightsFromCores}. */
export interface MemberCores {
  /** Unique, non-empty member id. */
  readonly id: string;
  /** CPU cores, an integer ≥ 0 (0 drains the member). */
  readonly cores: number;
}

function gcd(a: number, b: number): number {
  let x = a;
  let y = b;
  while (y !== 0) {
    const t = x % y;
    x = y;
    y = t;
  }
  return x;
}

/**
 * Default weights from CPU core counts: share = cores / Σ cores, as the vendor defines it. Core
 * counts are divided by their greatest common divisor; when the largest still exceeds 512 they
 * are scaled to the 0..512 scale, rounding to nearest, and a member with cores keeps at least
 * weight 1. Input order is kept. Bad input (not an array, an empty id, cores not a non-negative
 * integer) gets a typed error naming the member; duplicate ids are left to the table builders.
 *
 * @example
 * weightsFromCores([{ id: 'a', cores: 16 }, { id: 'b', cores: 32 }]); // weights 1 and 2
 */
export function weightsFromCores(members: readonly MemberCores[]): Member[] {
  if (!Array.isArray(members) || members.length > MAX_MEMBERS) {
    throw new WeightingError(
      'INVALID_MEMBERS',
      `members must be an array of at most ${MAX_MEMBERS} { id, cores }, got ${describeValue(members)}`,
    );
  }
  const checked: MemberCores[] = [];
  let divisor = 0;
  for (let i = 0; i < members.length; i++) {
    const entry: unknown = members[i];
    const { id, cores } = (typeof entry === 'object' && entry !== null ? entry : {}) as {
      id?: unknown;
      cores?: unknown;
    };
    if (typeof id !== 'string' || id.length === 0) {
      throw new WeightingError(
        'INVALID_MEMBER_ID',
        `member #${i} has id ${describeValue(id)}: ids are non-empty strings`,
      );
    }
    if (typeof cores !== 'number' || !Number.isSafeInteger(cores) || cores < 0) {
      throw new WeightingError(
        'INVALID_CORES',
        `member ${JSON.stringify(id)} has ${describeValue(cores)} cores: core counts are integers ≥ 0`,
      );
    }
    checked.push({ id, cores });
    divisor = gcd(divisor, cores);
  }
  let largest = 0;
  for (const m of checked) largest = Math.max(largest, divisor === 0 ? 0 : m.cores / divisor);
  const scale = largest > MAX_WEIGHT ? MAX_WEIGHT / largest : 1;
  return checked.map(({ id, cores }) => {
    if (cores === 0) return { id, weight: 0 };
    return { id, weight: Math.max(1, Math.round((cores / divisor) * scale)) };
  });
}
