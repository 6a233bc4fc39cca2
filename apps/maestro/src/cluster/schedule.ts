import { CliError } from '../cli/errors.js';

/** What the orchestrator does to a member's process. */
export type FailureKind = 'kill' | 'stop' | 'cont' | 'restart';

/** One scheduled failure: `--kill sgm2@3s`. */
export interface ScheduledFailure {
  readonly kind: FailureKind;
  readonly member: string;
  /** Milliseconds from the start of the replay. */
  readonly at: number;
}

const SPEC = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]{0,31})\s*@\s*(\d+(?:\.\d+)?)\s*(ms|s)?\s*$/;

/**
 * Parses one `--<kind> MEMBER@TIME` value (`sgm2@3s`, `sgm2@1500ms`; seconds without a unit) for
 * the group's `members`; a usage error names what was wrong.
 */
export function parseFailure(kind: FailureKind, text: string, members: readonly string[]): ScheduledFailure {
  const m = SPEC.exec(text);
  if (m === null) {
    throw new CliError(
      `--${kind} ${JSON.stringify(text)}: expected MEMBER@TIME, e.g. sgm2@3s or sgm2@1500ms`,
    );
  }
  const member = m[1] as string;
  if (!members.includes(member)) {
    throw new CliError(`--${kind} ${text}: ${member} is not a member (members: ${members.join(', ')})`);
  }
  const at = Number(m[2]) * (m[3] === 'ms' ? 1 : 1000);
  if (!Number.isFinite(at) || at > 86_400_000) {
    throw new CliError(`--${kind} ${text}: the time must be at most 24 h`);
  }
  return { kind, member, at };
}

/** Every failure of the command line, in time order (a stable sort keeps the given order at ties). */
export function parseSchedule(
  values: Readonly<Record<FailureKind, readonly string[]>>,
  members: readonly string[],
): ScheduledFailure[] {
  const all: ScheduledFailure[] = [];
  for (const kind of ['kill', 'stop', 'cont', 'restart'] as const) {
    for (const text of values[kind]) all.push(parseFailure(kind, text, members));
  }
  return all.sort((a, b) => a.at - b.at);
}
