import { formatEvent, type SimEvent } from '../simulation/events.js';
import type { SimMember } from '../simulation/members.js';
import { CliError } from './errors.js';

/** Where a member stands between events, and the event that put it there (none: the start). */
interface Standing {
  state: 'active' | 'failed' | 'removed';
  weight: number;
  since: SimEvent | undefined;
}

/** The weight a member that joins by `add` starts with, as the simulated group gives it. */
const JOINING_WEIGHT = 100;

/**
 * Refuses, before the run, an event that names no member of the group at its time or that would
 * change nothing there: `fail` of a member not active, `recover` of one that has not failed,
 * `add` of one already active, `remove` of one already removed, `weight=W` equal to the member's
 * weight. The group changes by these events alone, so the walk below knows every member's state
 * at every event, in the order the simulation applies them (by time; equal times as given). A
 * no-op is a mistake in the scenario (a wrong time, member or value) that the report would
 * otherwise hide behind a row of zeros.
 * @throws {CliError} (exit 2) naming the event, where the member stands, and what the event applies to.
 */
export function checkEvents(members: readonly SimMember[], events: readonly SimEvent[]): void {
  const group = new Map<string, Standing>(
    members.map((m) => [m.id, { state: 'active', weight: m.weight, since: undefined }]),
  );
  events.forEach((e, i) => {
    const text = `event "${formatEvent(e)}"`;
    let m = group.get(e.member);
    if (m === undefined) {
      if (e.kind !== 'add') throw notAMember(text, e, events.slice(i + 1), members);
      m = { state: 'removed', weight: JOINING_WEIGHT, since: undefined };
      group.set(e.member, m);
    }
    const noEffect = (why: string, allowed: string): CliError =>
      new CliError(`${text} changes nothing: ${e.member} ${why}; ${allowed}`);
    const since = m.since === undefined ? 'from the start' : `since "${formatEvent(m.since)}"`;
    const by = m.since === undefined ? '' : ` ("${formatEvent(m.since)}")`;
    switch (e.kind) {
      case 'fail':
        if (m.state === 'failed')
          throw noEffect(`has already failed${by}`, 'fail applies to an active member');
        if (m.state === 'removed') throw noEffect(`was removed${by}`, 'fail applies to an active member');
        m.state = 'failed';
        break;
      case 'recover':
        if (m.state === 'active')
          throw noEffect(`has not failed (active ${since})`, 'recover applies to a failed member');
        m.state = 'active';
        break;
      case 'add':
        if (m.state === 'active')
          throw noEffect(
            `is already in the group (active ${since})`,
            'add applies to a new or removed member',
          );
        m.state = 'active';
        break;
      case 'remove':
        if (m.state === 'removed')
          throw noEffect(`was already removed${by}`, 'remove applies to an active or failed member');
        m.state = 'removed';
        break;
      case 'weight': {
        const weight = e.weight ?? 0;
        if (weight === m.weight)
          throw noEffect(`already has weight ${weight}`, `a weight event sets another weight, 0..512`);
        m.weight = weight;
        // A weight changes the member's share, not where it stands: `since` stays.
        return;
      }
    }
    m.since = e;
  });
}

function notAMember(
  text: string,
  e: SimEvent,
  later: readonly SimEvent[],
  members: readonly SimMember[],
): CliError {
  const joins = later.find((l) => l.kind === 'add' && l.member === e.member);
  return new CliError(
    joins === undefined
      ? `${text}: ${e.member} is not a member (members: ${members.map((m) => m.id).join(', ')})`
      : `${text}: ${e.member} is not a member yet at ${e.at}s; it joins by "${formatEvent(joins)}"`,
  );
}
