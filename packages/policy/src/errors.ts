/** Why a `@maestro/policy` call refused its input. */
export type PolicyErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_CIDR'
  | 'INVALID_RANGE'
  | 'INVALID_PROTOCOL'
  | 'INVALID_POLICY'
  | 'INVALID_FORMAT'
  | 'INVALID_PACKET';

/**
 * The error class of `@maestro/policy`: bad input gets one of these (or a subclass), with a
 * `code` to branch on and a message that says what was found and what is allowed.
 */
export class PolicyError extends Error {
  /** Machine-readable reason. */
  readonly code: PolicyErrorCode;

  constructor(code: PolicyErrorCode, message: string) {
    super(message);
    this.name = 'PolicyError';
    this.code = code;
  }
}

/** One problem found in a configuration file. */
export interface ConfigIssue {
  /** The file name the caller gave. */
  readonly file: string;
  /** 1-based line of the offending value, when the text locates it. */
  readonly line?: number;
  /** 1-based column of the offending value, when the text locates it. */
  readonly column?: number;
  /** JSON path of the offending value, e.g. `$.rules[3].match.source[0]`. */
  readonly path: string;
  /** What was found there (a short rendering of the value, or a syntax problem). */
  readonly found: string;
  /** What is allowed there. */
  readonly expected: string;
}

/** Renders an issue as `file:line:col: path: found X; allowed: Y`. */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  return `${where}: ${issue.path}: found ${issue.found}; allowed: ${issue.expected}`;
}

/**
 * A configuration was refused. It holds every issue found, not just the first, and a message that
 * lists them one per line; no partial policy is ever returned alongside it.
 */
export class PolicyConfigError extends PolicyError {
  /** Every problem found, in document order. */
  readonly issues: readonly ConfigIssue[];

  constructor(file: string, issues: readonly ConfigIssue[]) {
    const n = issues.length;
    super(
      'INVALID_CONFIG',
      `${file}: ${n} problem${n === 1 ? '' : 's'} in the policy configuration:\n${issues.map(formatIssue).join('\n')}`,
    );
    this.name = 'PolicyConfigError';
    this.issues = issues;
  }
}

/**
 * A short rendering of any argument for an error message. Never throws: `String(x)` would, for an
 * object whose `toString` is not a function.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 64 ? `${value.slice(0, 64)}…` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value);
  if (value === null || value === undefined) return String(value);
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}
