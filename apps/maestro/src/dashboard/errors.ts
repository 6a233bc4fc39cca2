/** Why the dashboard refused to start or to answer a request. */
export type DashboardErrorCode =
  | 'INVALID_OPTIONS'
  | 'BAD_REQUEST'
  | 'FORBIDDEN'
  | 'NOT_FOUND'
  | 'UNKNOWN_MEMBER'
  | 'METHOD_NOT_ALLOWED'
  | 'CONFLICT'
  | 'PAYLOAD_TOO_LARGE'
  | 'UNSUPPORTED_MEDIA_TYPE';

/** An error of the dashboard: bad options to {@link startDashboard}, or a request it refused. */
export class DashboardError extends Error {
  readonly code: DashboardErrorCode;

  constructor(code: DashboardErrorCode, message: string) {
    super(message);
    this.name = 'DashboardError';
    this.code = code;
  }
}

/**
 * A request the dashboard refused: answered with `status` (4xx) and the JSON body
 * `{ "error": { "code", "message" } }`.
 */
export class DashboardRequestError extends DashboardError {
  readonly status: number;
  /** Methods the resource takes, for a 405's `Allow` header. */
  readonly allow: readonly string[] | undefined;

  constructor(status: number, code: DashboardErrorCode, message: string, allow?: readonly string[]) {
    super(code, message);
    this.name = 'DashboardRequestError';
    this.status = status;
    this.allow = allow;
  }
}

/** A short, printable rendering of an untrusted value for an error message. */
export function describeValue(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}
