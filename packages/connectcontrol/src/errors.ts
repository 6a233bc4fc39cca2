/** Why a `@maestro/connectcontrol` call refused its input. */
export type ConnectControlErrorCode =
  | 'INVALID_CONFIG'
  | 'UNKNOWN_SERVER'
  | 'INVALID_REPORT'
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
