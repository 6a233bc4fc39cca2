import { HyperSyncError, shown } from './errors.js';

/** Longest member id, in characters (ASCII). */
export const MAX_MEMBER_ID_LENGTH = 64;

const ID_PATTERN = /^[A-Za-z0-9._:@-]{1,64}$/;

/** True when `id` is a valid member id: 1..64 characters of `A-Z a-z 0-9 . _ : @ -`. */
export function isMemberId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

/** Throws `INVALID_MEMBER_ID` unless `id` is a valid member id (see {@link isMemberId}). */
export function assertMemberId(id: unknown, what = 'member id'): asserts id is string {
  if (!isMemberId(id)) {
    throw new HyperSyncError(
      'INVALID_MEMBER_ID',
      `${what} ${shown(id)} is invalid: expected 1..${MAX_MEMBER_ID_LENGTH} characters of A-Z a-z 0-9 . _ : @ -`,
    );
  }
}

/** Byte-wise (code unit) comparison, the one order every member sorts ids by. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
