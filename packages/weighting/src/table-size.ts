import { describeValue, WeightingError } from './errors.js';

/** The default table size: a prime, > 65 × 1000 members, the size the Maglev paper uses. */
export const DEFAULT_TABLE_SIZE = 65_537;

/** The largest table size accepted (keeps one table under 64 MiB whatever the input). */
export const MAX_TABLE_SIZE = 16_777_213;

/** True when `n` is a prime (trial division: sizes stay below 2^24). */
export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  if (n % 2 === 0) return n === 2;
  if (n % 3 === 0) return n === 3;
  for (let d = 5; d * d <= n; d += 6) {
    if (n % d === 0 || n % (d + 2) === 0) return false;
  }
  return true;
}

/**
 * Validates a table size taken from outside: an integer 1..{@link MAX_TABLE_SIZE}, at least the
 * member count, and a prime when `prime` is set (Maglev needs one).
 */
export function assertTableSize(size: unknown, memberCount: number, prime: boolean): number {
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_TABLE_SIZE) {
    throw new WeightingError(
      'INVALID_SIZE',
      `table size ${describeValue(size)} is not allowed: sizes are integers 1..${MAX_TABLE_SIZE}`,
    );
  }
  if (prime && !isPrime(size)) {
    throw new WeightingError(
      'SIZE_NOT_PRIME',
      `table size ${size} is not a prime: Maglev needs a prime size such as ${DEFAULT_TABLE_SIZE}`,
    );
  }
  if (size < memberCount) {
    throw new WeightingError(
      'SIZE_TOO_SMALL',
      `table size ${size} is smaller than the ${memberCount} members: every member needs room for a bucket`,
    );
  }
  return size;
}
