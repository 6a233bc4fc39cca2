/** Why a `@maestro/hypersync` decoder refused a message. */
export type DecodeErrorCode =
  | 'TRUNCATED'
  | 'OVERSIZED'
  | 'BAD_MAGIC'
  | 'UNKNOWN_VERSION'
  | 'UNKNOWN_TYPE'
  | 'CORRUPT';

/** Why a `@maestro/hypersync` call refused its input. */
export type HyperSyncErrorCode =
  | DecodeErrorCode
  | 'INVALID_CONFIG'
  | 'INVALID_MEMBER_ID'
  | 'INVALID_CONNECTION'
  | 'DUPLICATE_CONNECTION'
  | 'UNKNOWN_CONNECTION'
  | 'NOT_OWNER'
  | 'INVALID_DEVICE'
  | 'INVALID_GRADE';

/**
 * The error class of `@maestro/hypersync`: bad input gets one of these, with a `code` to branch on
 * and a message that says what was found and what is allowed.
 */
export class HyperSyncError extends Error {
  /** Machine-readable reason. */
  readonly code: HyperSyncErrorCode;

  constructor(code: HyperSyncErrorCode, message: string) {
    super(message);
    this.name = 'HyperSyncError';
    this.code = code;
  }
}

/**
 * A message that cannot be decoded: truncated, oversized, corrupt, of an unknown wire version or
 * type. A member that meets one drops the datagram whole and changes no state.
 */
export class DecodeError extends HyperSyncError {
  /** Machine-readable reason. */
  declare readonly code: DecodeErrorCode;

  constructor(code: DecodeErrorCode, message: string) {
    super(code, message);
    this.name = 'DecodeError';
  }
}

/**
 * `value` for an error message, whatever it is: `String` throws for an object without a usable
 * `toString` (and a template literal for a symbol), `JSON.stringify` for a bigint. Internal to the
 * package.
 */
export function shown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'symbol' ? value.toString() : String(value);
}
