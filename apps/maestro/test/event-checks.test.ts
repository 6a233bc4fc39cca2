import { writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CliError } from '../src/cli/errors.js';
import { checkEvents } from '../src/cli/event-checks.js';
import type { SimEvent } from '../src/simulation/events.js';
import type { SimMember } from '../src/simulation/members.js';
import { maestro, maestroJson, tempDir } from './run-cli.js';

const IDS = ['sgm1', 'sgm2', 'sgm3', 'sgm4'] as const;

const scenario = fc.record({
  members: fc
    .uniqueArray(fc.constantFrom(...IDS), { minLength: 1, maxLength: 3 })
    .chain((ids) =>
      fc.tuple(...ids.map((id) => fc.constantFrom(0, 100, 200).map((weight) => ({ id, weight })))),
    ),
  events: fc.array(
    fc.record({
      at: fc.nat(5),
      kind: fc.constantFrom('fail', 'recover', 'add', 'remove', 'weight') as fc.Arbitrary<SimEvent['kind']>,
      member: fc.constantFrom(...IDS),
      weight: fc.constantFrom(0, 100, 200),
    }),
    { maxLength: 8 },
  ),
});

/**
 * What each event does to the simulated group, as its event effects apply it: fail and remove
 * take a live member out (nothing otherwise), recover and add bring back one that is not live,
 * a weight sets the weight. Members the run never lists or adds do not exist. For each event:
 * whether it changed its member, and whether a live member with a weight above 0 is left after
 * it (the distribution table the run builds after every event needs one), and how many members
 * are live after it (each needs a bucket of that table).
 */
function changesOf(
  members: readonly SimMember[],
  events: readonly SimEvent[],
): { changed: boolean; weighted: boolean; live: number }[] {
  const status = new Map<string, string>(members.map((m) => [m.id, 'ACTIVE']));
  const weight = new Map<string, number>(members.map((m) => [m.id, m.weight]));
  return events.map((e) => {
    const before = `${status.get(e.member) ?? 'NOT_JOINED'}/${weight.get(e.member) ?? 100}`;
    const live = status.get(e.member) === 'ACTIVE';
    if ((e.kind === 'fail' || e.kind === 'remove') && live)
      status.set(e.member, e.kind === 'fail' ? 'DOWN' : 'REMOVED');
    if ((e.kind === 'recover' || e.kind === 'add') && !live) status.set(e.member, 'ACTIVE');
    if (e.kind === 'weight') weight.set(e.member, e.weight ?? 0);
    const weighted = [...status].some(([id, s]) => s === 'ACTIVE' && (weight.get(id) ?? 100) > 0);
    return {
      changed: `${status.get(e.member) ?? 'NOT_JOINED'}/${weight.get(e.member) ?? 100}` !== before,
      weighted,
      live: [...status.values()].filter((s) => s === 'ACTIVE').length,
    };
  });
}

describe('events that change nothing', () => {
  it('should accept events exactly when each changes the group, on a member in it by then (a failed one may be removed), leaves a live member of weight above 0, and no more live members than the table size', () => {
    fc.assert(
      fc.property(scenario, fc.nat(3), ({ members, events: raw }, spare) => {
        // At least the initial members, as --table-size takes; up to the 4 members events can name.
        const size = Math.min(members.length + spare, IDS.length);
        // What --members and a scenario's members take: at least one weight above 0.
        fc.pre(members.some((m) => m.weight > 0));
        const events = raw
          .map((e) => (e.kind === 'weight' ? e : { at: e.at, kind: e.kind, member: e.member }))
          .sort((a, b) => a.at - b.at);
        const changes = changesOf(members, events);
        const inGroup = new Set(members.map((m) => m.id));
        const failed = new Set<string>();
        let accepted = true;
        let starved = false;
        let crowded = false;
        events.forEach((e, i) => {
          if (!accepted) return;
          const known = inGroup.has(e.member) || e.kind === 'add';
          // Removing a failed member leaves the simulated group as it was (it stays down), yet
          // it is what an engineer does with a dead member: accepted, and the member is gone.
          const removesFailed = e.kind === 'remove' && failed.has(e.member);
          const change = changes[i] as { changed: boolean; weighted: boolean; live: number };
          accepted = known && (change.changed || removesFailed);
          // More live members than buckets stops the run when it rebuilds the table: refused before.
          crowded = accepted && change.live > size;
          accepted &&= !crowded;
          // An event that leaves nowhere to send a packet stops the run part-way: refused before it.
          starved = accepted && !change.weighted;
          accepted &&= change.weighted;
          inGroup.add(e.member);
          if (e.kind === 'fail') failed.add(e.member);
          if (e.kind !== 'fail' && e.kind !== 'weight') failed.delete(e.member);
        });
        let refusal: unknown;
        try {
          checkEvents(members, events, { size, source: 'option', file: undefined, fileEvents: new Set() });
        } catch (error) {
          refusal = error;
        }
        if (accepted) expect(refusal).toBeUndefined();
        else {
          expect(refusal).toBeInstanceOf(CliError);
          expect((refusal as CliError).exitCode).toBe(2);
          expect((refusal as CliError).message).toMatch(
            crowded
              ? new RegExp(
                  `^event "[^"]+" brings the group to \\d+ live members, more than --table-size ${size}:`,
                )
              : starved
                ? /^event "[^"]+" leaves no active member with a weight above 0\b/
                : /^event "[^"]+"(:| changes nothing:) /,
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  it.each([
    [
      ['recover sgm2 @1s'],
      /"recover sgm2 @1s" changes nothing: sgm2 has not failed \(active from the start\); recover applies to a failed member/,
    ],
    [
      ['fail sgm2 @1s', 'fail sgm2 @2s'],
      /"fail sgm2 @2s" changes nothing: sgm2 has already failed \("fail sgm2 @1s"\)/,
    ],
    [['weight=100 sgm3 @1s'], /"weight=100 sgm3 @1s" changes nothing: sgm3 already has weight 100/],
    [['add sgm1 @1s'], /"add sgm1 @1s" changes nothing: sgm1 is already in the group/],
    [['remove sgm4 @1s', 'remove sgm4 @2s'], /"remove sgm4 @2s" changes nothing: sgm4 was already removed/],
    [
      ['fail sgm5 @1s', 'add sgm5 @2s'],
      /"fail sgm5 @1s": sgm5 is not a member yet at 1s; it joins by "add sgm5 @2s"/,
    ],
  ])('should refuse the events %j before the run with one line and exit 2', (events, message) => {
    expectRefusedBeforeRun(
      events.flatMap((e) => ['--event', e]),
      message,
    );
  });

  it.each([
    [
      ['--members', '2', '--event', 'fail sgm1 @1s', '--event', 'fail sgm2 @2s'],
      /^maestro: event "fail sgm2 @2s" leaves no active member with a weight above 0 \(sgm1 has failed \("fail sgm1 @1s"\)\): the group needs one at every time to distribute to$/,
    ],
    [
      ['--members', 'sgm1=100,sgm2=0,sgm3', '--event', 'remove sgm3 @1s', '--event', 'weight=0 sgm1 @2s'],
      /"weight=0 sgm1 @2s" leaves no active member with a weight above 0 \(sgm2 has weight 0, sgm3 was removed \("remove sgm3 @1s"\)\)/,
    ],
    [
      [
        '--members',
        '2',
        '--event',
        'fail sgm1 @1s',
        '--event',
        'remove sgm2 @3s',
        '--event',
        'recover sgm1 @3s',
      ],
      /"remove sgm2 @3s" leaves no active member .*; events at one time apply in the order given, so put "recover sgm1 @3s" before it$/,
    ],
    [
      // Past the capture's last packet: the run applies it at its time all the same.
      ['--members', '1', '--event', 'fail sgm1 @100000s'],
      /"fail sgm1 @100000s" leaves no active member with a weight above 0: the group/,
    ],
  ])(
    'should refuse before the run, with one line and exit 2, an event that leaves no live member of weight above 0: %j',
    (args, message) => {
      expectRefusedBeforeRun(args, message);
    },
  );

  it.each([
    [
      ['--members', '3', '--table-size', '3', '--event', 'add sgm4 @1s'],
      /^maestro: event "add sgm4 @1s" brings the group to 4 live members, more than --table-size 3: each needs a bucket$/,
    ],
    [
      // A failed member holds no bucket, until it recovers.
      [
        '--members',
        '3',
        '--table-size',
        '3',
        ...['fail sgm1 @1s', 'add sgm4 @2s', 'recover sgm1 @3s'].flatMap((e) => ['--event', e]),
      ],
      /^maestro: event "recover sgm1 @3s" brings the group to 4 live members, more than --table-size 3: each needs a bucket$/,
    ],
  ])(
    'should refuse before the run, with one line and exit 2, an event that brings more live members than the table size: %j',
    (args, message) => {
      expectRefusedBeforeRun(args, message);
    },
  );

  it("should blame the scenario file (exit 1) for its event that passes its table size, and --table-size (exit 2) when that is the option's", () => {
    const file = `${tempDir()}/scenario.yaml`;
    writeFileSync(file, 'members: 3\ntableSize: 3\nevents:\n  - add sgm4 @1s\n');
    const own = maestro(['simulate', '--scenario', file, '--json']);
    expect([own.code, own.stdout]).toEqual([1, '']);
    expect(own.stderr.trimEnd()).toBe(
      `maestro: ${file}: event "add sgm4 @1s" brings the group to 4 live members, more than tableSize 3: each needs a bucket`,
    );
    // The file's events, against a size the command line gave.
    writeFileSync(file, 'members: 3\nevents:\n  - add sgm4 @1s\n');
    const option = maestro(['simulate', '--scenario', file, '--table-size', '3', '--json']);
    expect([option.code, option.stdout]).toEqual([2, '']);
    expect(option.stderr.trimEnd()).toBe(
      'maestro: event "add sgm4 @1s" brings the group to 4 live members, more than --table-size 3: each needs a bucket',
    );
  });

  it('should run an add that keeps the live members within the table size, a failed member holding no bucket', () => {
    const r = maestroJson<{ events: { kind: string; member: string }[] }>([
      'simulate',
      '--members',
      '3',
      '--table-size',
      '3',
      ...['fail sgm1 @1s', 'add sgm4 @2s'].flatMap((e) => ['--event', e]),
    ]);
    expect(r.events.map((e) => `${e.kind} ${e.member}`)).toEqual(['fail sgm1', 'add sgm4']);
  });

  it('should refuse an event of a scenario file that changes nothing, as one given by flag', () => {
    const dir = tempDir();
    const file = `${dir}/scenario.yaml`;
    writeFileSync(file, 'members: 3\nevents:\n  - recover sgm2 @2s\n');
    const r = maestro(['simulate', '--scenario', file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/"recover sgm2 @2s" changes nothing/);
  });

  it('should apply events on a member added earlier in the run, and the removal of a failed member', () => {
    const r = maestroJson<{ events: { kind: string; member: string; connectionsMoved: number }[] }>([
      'simulate',
      '--members',
      '3',
      ...['add sgm5 @1s', 'fail sgm5 @6s', 'fail sgm2 @3s', 'remove sgm2 @4s'].flatMap((e) => ['--event', e]),
    ]);
    expect(r.events.map((e) => `${e.kind} ${e.member}`)).toEqual([
      'add sgm5',
      'fail sgm2',
      'remove sgm2',
      'fail sgm5',
    ]);
    expect(r.events[3]?.connectionsMoved).toBeGreaterThan(0);
  });
});

/** `maestro simulate ARGS --json` refused before the run: exit 2, nothing on stdout, one line matching `message`. */
function expectRefusedBeforeRun(args: readonly string[], message: RegExp): void {
  const r = maestro(['simulate', ...args, '--json']);
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd()).toMatch(message);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
}
