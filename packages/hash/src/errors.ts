/** Why a `@maestro/hash` call refused its input. */
export type HashErrorCode =
  | 'INVALID_ADDRESS'
  | 'INVALID_PORT'
  | 'INVALID_PROTOCOL'
  | 'INVALID_FLOW_TEXT'
  | 'INVALID_KEY'
  | 'INVALID_INPUT_LENGTH'
  | 'INVALID_SEED'
  | 'INVALID_MODE';

/**
 * The one error class of `@maestro/hash`: bad input gets one of these, with a `code` to branch on
 * and a message that says what was found and what is allowed.
 */
export class HashError extends Error {
  /** Machine-readable reason. */
  readonly code: HashErrorCode;

  constructor(code: HashErrorCode, message: string) {
    super(message);
    this.name = 'HashError';
    this.code = code;
  }
}
