import { formatEvent, type SimEvent } from '../simulation/events.js';
import { DEFAULT_WEIGHT, type SimMember } from '../simulation/members.js';
import { CliError } from './errors.js';

/** Where a member stands between events, and the event that put it there (none: the start). */
interface Standing {
  state: 'active' | 'failed' | 'removed';
  weight: number;
  since: SimEvent | undefined;
}

/**
 * The table the group is distributed over, and where its size and the events came from: whose
 * fault an event that passes the size is.
 */
export interface EventTable {
  /** Buckets of the table: the most live members the group can have. */
  readonly size: number;
  /** Where the size came from: `--table-size`, the scenario file's `tableSize`, or the default. */
  readonly source: 'option' | 'file' | 'default';
  /** The scenario file, when one was given. */
  readonly file: string | undefined;
  /** The events read from the scenario file (the others were given as `--event`). */
  readonly fileEvents: ReadonlySet<SimEvent>;
}

/**
 * Refuses, before the run, an event that names no member of the group at its time or that would
 * change nothing there: `fail` of a member not active, `recover` of one that has not failed,
 * `add` of one already active, `remove` of one already removed, `weight=W` equal to the member's
 * weight. The group changes by these events alone, so the walk below knows every member's state
 * at every event, in the order the simulation applies them (by time; equal times as given). A
 * no-op is a mistake in the scenario (a wrong time, member or value) that the report would
 * otherwise hide behind a row of zeros.
 *
 * It also refuses an event after which no active member has a weight above 0 (a `fail`, `remove`
 * or `weight=0` of the last one): the group would have nowhere to send a packet, and the run would
 * stop there, part-way through the capture, with a line naming no event. The simulation applies
 * every event, those past the capture's last packet too, so nothing of this waits for the run.
 *
 * Given the `table`, it refuses an `add` or `recover` after which the group has more live members
 * (weight 0 included: each holds a place in the table) than the table has buckets: the run would
 * stop there, when the table is rebuilt, in the weighting's words.
 * @throws {CliError} (exit 2) naming the event, where the member stands, and what the event applies
 * to; for too many members, exit 1 naming the scenario file when the event came from it and the
 * table size did not come from `--table-size`.
 */
export function checkEvents(
  members: readonly SimMember[],
  events: readonly SimEvent[],
  table?: EventTable,
): void {
  const group = new Map<string, Standing>(
    members.map((m) => [m.id, { state: 'active', weight: m.weight, since: undefined }]),
  );
  events.forEach((e, i) => {
    const text = `event "${formatEvent(e)}"`;
    let m = group.get(e.member);
    if (m === undefined) {
      if (e.kind !== 'add') throw notAMember(text, e, events.slice(i + 1), members);
      m = { state: 'removed', weight: DEFAULT_WEIGHT, since: undefined };
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
        break;
      }
    }
    if (e.kind !== 'weight') m.since = e;
    if (table !== undefined && (e.kind === 'add' || e.kind === 'recover')) {
      let live = 0;
      for (const x of group.values()) if (x.state === 'active') live++;
      if (live > table.size) throw tooMany(text, e, live, table);
    }
    if (![...group.values()].some((x) => x.state === 'active' && x.weight > 0)) {
      throw noneLeft(text, e, group, events.slice(i + 1));
    }
  });
}

/** The refusal of an event after which the group has more live members than the table has buckets. */
function tooMany(text: string, e: SimEvent, live: number, table: EventTable): CliError {
  const fileFault = table.file !== undefined && table.fileEvents.has(e) && table.source !== 'option';
  const size =
    table.source === 'option'
      ? `--table-size ${table.size}`
      : table.source === 'file'
        ? `tableSize ${table.size}${fileFault ? '' : ` of ${table.file}`}`
        : `the default table size ${table.size}`;
  const line = `${text} brings the group to ${live} live members, more than ${size}: each needs a bucket`;
  return fileFault ? new CliError(`${table.file}: ${line}`, 1) : new CliError(line);
}

/** At most this many other members are named in the line that says why none is left. */
const NAMED = 4;

/** The refusal of an event after which no active member has a weight above 0. */
function noneLeft(
  text: string,
  e: SimEvent,
  group: ReadonlyMap<string, Standing>,
  later: readonly SimEvent[],
): CliError {
  const others = [...group].filter(([id]) => id !== e.member).map(([id, m]) => standing(id, m));
  const named =
    others.length <= NAMED
      ? others.join(', ')
      : `${others.slice(0, NAMED).join(', ')} and ${others.length - NAMED} more like them`;
  // Events at one time apply in the order given: one given after this event that would bring
  // back a member with a weight, or give an active member one, comes too late by that order.
  const rescue = later.find((l) => l.at === e.at && l.member !== e.member && rescues(l, group));
  return new CliError(
    `${text} leaves no active member with a weight above 0${named === '' ? '' : ` (${named})`}: ` +
      'the group needs one at every time to distribute to' +
      (rescue === undefined
        ? ''
        : `; events at one time apply in the order given, so put "${formatEvent(rescue)}" before it`),
  );
}

/** True when `l`, applied to `group` as it stands, leaves an active member with a weight above 0. */
function rescues(l: SimEvent, group: ReadonlyMap<string, Standing>): boolean {
  const m = group.get(l.member);
  if (l.kind === 'recover' || l.kind === 'add') {
    return m === undefined ? l.kind === 'add' : m.state !== 'active' && m.weight > 0;
  }
  return l.kind === 'weight' && (l.weight ?? 0) > 0 && m?.state === 'active';
}

/** Why a member other than the event's takes no traffic. */
function standing(id: string, m: Standing): string {
  const by = m.since === undefined ? '' : ` ("${formatEvent(m.since)}")`;
  if (m.state === 'failed') return `${id} has failed${by}`;
  if (m.state === 'removed') return `${id} was removed${by}`;
  return `${id} has weight 0`;
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
