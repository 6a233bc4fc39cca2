/** Why a `@maestro/connectcontrol` call refused its input. */
export type ConnectControlErrorCode =
  | 'INVALID_CONFIG'
  | 'UNKNOWN_SERVER'
  | 'INVALID_REPORT'
  | 'INVALID_REQUEST'
  | 'TRUNCATED'
  | 'BAD_MAGIC'
  | 'BAD_VERSION'
  | 'BAD_FLAGS'
  | 'LOAD_OUT_OF_RANGE'
  | 'BAD_SERVER_ID'
  | 'TRAILING_BYTES';

/**
 * The error class of `@maestro/connectcontrol`: bad input gets one of these, with a `code` to
 * branch on and a message that says what was found and what is allowed.
 */
export class ConnectControlError extends Error {
  /** Machine-readable reason. */
  readonly code: ConnectControlErrorCode;

  constructor(code: ConnectControlErrorCode, message: string) {
    super(message);
    this.name = 'ConnectControlError';
    this.code = code;
  }
}

/** A load-agent report was malformed; `code` says how. */
export class LoadReportError extends ConnectControlError {
  constructor(code: ConnectControlErrorCode, message: string) {
    super(code, message);
    this.name = 'LoadReportError';
  }
}

/**
 * A short rendering of any value for an error message. Never throws: a template literal would,
 * for an object whose `toString` is not a function.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
