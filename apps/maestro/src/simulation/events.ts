import { CliError } from '../cli/errors.js';

/** An event injected into a simulation, at a time measured from the capture's first packet. */
export interface SimEvent {
  /** Seconds from the capture's first packet. */
  readonly at: number;
  readonly kind: 'fail' | 'recover' | 'add' | 'remove' | 'weight';
  readonly member: string;
  /** The new weight, for `weight` (and optionally `add`). */
  readonly weight?: number;
}

const SYNTAX = '"<fail|recover|add|remove|weight=W> <member> @<seconds>s", e.g. "fail sgm2 @5s"';

/**
 * Parses one event: `fail sgm2 @5s`, `recover sgm2 @8.5s`, `add sgm5 @10s`, `remove sgm1 @12s`,
 * `weight=200 sgm3 @3s`. A bad event is a usage error naming what is wrong.
 */
export function parseEvent(text: string): SimEvent {
  const m = /^\s*(fail|recover|add|remove|weight=(\d+))\s+(\S+)\s+@(\d+(?:\.\d+)?)s\s*$/.exec(text);
  if (m === null) throw new CliError(`bad event ${JSON.stringify(text)}: expected ${SYNTAX}`);
  const [, verb, weightText, member, atText] = m as unknown as [
    string,
    string,
    string | undefined,
    string,
    string,
  ];
  // The ids `--members` accepts: an added member is named here (`add sgm5=200` is not a weight).
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,31}$/.test(member)) {
    throw new CliError(
      `bad event ${JSON.stringify(text)}: ${JSON.stringify(member)} is not a member id (letters, digits, _ . -; up to 32)`,
    );
  }
  const at = Number(atText);
  if (weightText !== undefined) {
    const weight = Number(weightText);
    if (!Number.isInteger(weight) || weight > 512) {
      throw new CliError(`bad event ${JSON.stringify(text)}: weight must be an integer 0..512`);
    }
    return { at, kind: 'weight', member, weight };
  }
  return { at, kind: verb as SimEvent['kind'], member };
}

/** Formats an event in the syntax {@link parseEvent} reads. */
export function formatEvent(e: SimEvent): string {
  return `${e.kind === 'weight' ? `weight=${e.weight}` : e.kind} ${e.member} @${e.at}s`;
}
