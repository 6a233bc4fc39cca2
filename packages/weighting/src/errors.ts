/** Why a `@maestro/weighting` call refused its input. */
export type WeightingErrorCode =
  | 'INVALID_MEMBERS'
  | 'INVALID_MEMBER_ID'
  | 'INVALID_WEIGHT'
  | 'DUPLICATE_MEMBER'
  | 'INVALID_CORES'
  | 'INVALID_SIZE'
  | 'SIZE_NOT_PRIME'
  | 'SIZE_TOO_SMALL'
  | 'NO_ACTIVE_MEMBER'
  | 'INVALID_OPTIONS'
  | 'SIZE_MISMATCH'
  | 'INVALID_BUCKET'
  | 'INVALID_TABLE';

/**
 * The one error class of `@maestro/weighting`: bad input gets one of these, with a `code` to
 * branch on and a message that names the offending member or value and says what is allowed.
 */
export class WeightingError extends Error {
  /** Machine-readable reason. */
  readonly code: WeightingErrorCode;

  constructor(code: WeightingErrorCode, message: string) {
    super(message);
    this.name = 'WeightingError';
    this.code = code;
  }
}

/** A short, safe rendering of any value for an error message. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}
