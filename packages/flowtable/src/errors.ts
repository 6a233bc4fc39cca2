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
