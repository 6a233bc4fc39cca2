/** Why a `@maestro/flowtable` call refused its input. */
export type FlowTableErrorCode =
  | 'INVALID_KEY'
  | 'INVALID_VALUE'
  | 'INVALID_OPTION'
  | 'INVALID_HANDLE'
  | 'EXISTS'
  | 'FULL';

/**
 * The one error class of `@maestro/flowtable`: bad input gets one of these, with a `code` to branch
 * on and a message that says what was found and what is allowed. A refused call leaves the table
 * exactly as it was.
 */
export class FlowTableError extends Error {
  /** Machine-readable reason. */
  readonly code: FlowTableErrorCode;

  constructor(code: FlowTableErrorCode, message: string) {
    super(message);
    this.name = 'FlowTableError';
    this.code = code;
  }
}

/**
 * `error` when it is a {@link FlowTableError}; else, for what reading a key's fields threw (a
 * symbol, a bigint, an object without a usable `valueOf`, a getter that throws), `INVALID_KEY`.
 * Internal to the package.
 */
export function keyError(error: unknown): FlowTableError {
  if (error instanceof FlowTableError) return error;
  return new FlowTableError(
    'INVALID_KEY',
    'a flow key field could not be read as a number (a symbol, a bigint, an object without valueOf, or a getter that throws)',
  );
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
