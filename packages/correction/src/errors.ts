/** Why a `@maestro/correction` call refused its input. */
export type CorrectionErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_NAT_RULE'
  | 'INVALID_PACKET'
  | 'INVALID_MESSAGE'
  | 'UNKNOWN_MEMBER'
  | 'NOT_OWNER'
  | 'BAD_DISTRIBUTION'
  | 'BAD_TRANSLATION';

/**
 * The one error class of `@maestro/correction`: bad input gets one of these, with a `code` to
 * branch on and a message that says what was found and what is allowed. A refused call changes no
 * table.
 */
export class CorrectionError extends Error {
  /** Machine-readable reason. */
  readonly code: CorrectionErrorCode;

  constructor(code: CorrectionErrorCode, message: string) {
    super(message);
    this.name = 'CorrectionError';
    this.code = code;
  }
}

/**
 * `value` for an error message, whatever it is: `String` throws for an object without a usable
 * `toString` (and a template literal for a symbol). Internal to the package.
 */
export function shown(value: unknown): string {
  if (typeof value === 'object' && value !== null) return Array.isArray(value) ? 'an array' : 'an object';
  if (typeof value === 'function') return 'a function';
  return typeof value === 'symbol' ? value.toString() : String(value);
}
