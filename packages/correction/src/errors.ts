/** Why a `@maestro/correction` call refused its input. */
export type CorrectionErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_NAT_RULE'
  | 'INVALID_PACKET'
  | 'INVALID_MESSAGE'
  | 'UNKNOWN_MEMBER'
  | 'NOT_OWNER'
  | 'BAD_DISTRIBUTION'
  | 'BAD_TRANSLATION'
  | 'TABLE_FULL';

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

/**
 * The error for a table of `name` (owned, corrections, fragments, expectations) that holds
 * `max` entries, the most a flow table holds, and has no room for another. Internal to the package.
 */
export function tableFull(name: string, max: number): CorrectionError {
  return new CorrectionError(
    'TABLE_FULL',
    `the ${name} table holds ${max} entries, the most it can: nothing was changed (expire entries to make room)`,
  );
}
