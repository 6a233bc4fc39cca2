import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type HeartbeatMessage, MemberState, MessageType } from '../src/index.js';
import { compareIds } from '../src/member-id.js';
import { PeerTable } from '../src/peer-table.js';
import type { ClusterView } from '../src/view.js';

const DEAD_MS = 300;
const SELF = 'm';
const SOFTWARE = 7;
const CONFIG = 11;

/** A peer heard (or not) at some time, with the heartbeat fields the election reads. */
interface Heard {
  readonly id: string;
  readonly at: number | null;
  readonly incarnation: number;
  readonly viewVersion: number;
  readonly state: number;
  readonly sameSoftware: boolean;
  readonly sameConfig: boolean;
}

// Times in steps of 100 ms, so that silences and listening times of exactly the dead interval occur.
const time = (max: number): fc.Arbitrary<number> => fc.nat({ max: max / 100 }).map((t) => t * 100);

// Ids on both sides of SELF ('m'), so tie-breaks by id go either way.
const peers: fc.Arbitrary<Heard[]> = fc.uniqueArray(
  fc.record({
    id: fc.constantFrom('a', 'b', 'k', 'n', 'p', 'z'),
    at: fc.option(time(2000), { nil: null }),
    incarnation: fc.nat({ max: 3 }),
    viewVersion: fc.nat({ max: 4 }),
    state: fc.constantFrom(...Object.values(MemberState)),
    sameSoftware: fc.boolean(),
    sameConfig: fc.boolean(),
  }),
  { selector: (p) => p.id, maxLength: 6 },
);

function heartbeat(p: Heard): HeartbeatMessage {
  return {
    type: MessageType.HEARTBEAT,
    sender: p.id,
    incarnation: p.incarnation,
    state: p.state,
    health: 1,
    viewVersion: p.viewVersion,
    softwareVersion: p.sameSoftware ? SOFTWARE : SOFTWARE + 1,
    configDigest: p.sameConfig ? CONFIG : CONFIG + 1,
    weight: 100,
    site: 0,
    components: [],
  };
}

function tableOf(heard: readonly Heard[]): PeerTable {
  const table = new PeerTable(SELF, DEAD_MS);
  for (const p of heard) {
    if (p.at === null) table.add(p.id);
    else table.hear(heartbeat(p), p.at);
  }
  return table;
}

const live = (p: Heard, now: number): boolean => p.at !== null && now - p.at <= DEAD_MS;

describe('PeerTable', () => {
  it('should report a peer LOST exactly when silent past the dead interval, its own state otherwise', () => {
    fc.assert(
      fc.property(peers, time(3000), (heard, now) => {
        const table = tableOf(heard);
        for (const p of heard) {
          const expected = p.at === null ? undefined : live(p, now) ? p.state : MemberState.LOST;
          expect(table.stateOf(p.id, now)).toBe(expected);
        }
        expect([...table.liveKnown(now)].sort()).toEqual(
          heard
            .filter((p) => live(p, now))
            .map((p) => p.id)
            .sort(),
        );
      }),
    );
  });

  it('should offer as candidates itself and the live peers of the same software and configuration, with the newest view seen', () => {
    fc.assert(
      fc.property(peers, time(3000), fc.nat({ max: 4 }), (heard, now, version) => {
        const me = {
          id: SELF,
          incarnation: 1,
          weight: 50,
          site: 0,
          health: 1,
          components: [],
          softwareVersion: SOFTWARE,
          configDigest: CONFIG,
        };
        const { cands, newest } = tableOf(heard).candidates(me, version, now);
        const alive = heard.filter((p) => live(p, now));
        expect(cands[0]?.id).toBe(SELF);
        expect(cands.slice(1).map((c) => c.id)).toEqual(
          alive.filter((p) => p.sameSoftware && p.sameConfig).map((p) => p.id),
        );
        expect(newest).toBe(Math.max(version, ...alive.map((p) => p.viewVersion)));
      }),
    );
  });

  it('should bootstrap only after a dead interval and only without a live peer of smaller id or newer view', () => {
    fc.assert(
      fc.property(peers, time(3000), time(1000), (heard, now, startedAt) => {
        const expected =
          now - startedAt >= DEAD_MS &&
          heard.every((p) => !live(p, now) || (p.viewVersion === 0 && compareIds(p.id, SELF) > 0));
        expect(tableOf(heard).isCoordinator(undefined, 0, false, startedAt, now)).toBe(expected);
      }),
    );
  });

  it('should coordinate a view only as its smallest live member, once every member had a dead interval to be heard', () => {
    fc.assert(
      fc.property(peers, time(3000), time(1000), fc.boolean(), (heard, now, startedAt, inView) => {
        const members = [SELF, ...heard.map((p) => p.id)].sort(compareIds).map((id) => ({
          id,
          incarnation: id === SELF ? 0 : 1,
          weight: 100,
          site: 0,
          active: true,
        }));
        const view: ClusterView = {
          version: 1,
          coordinator: SELF,
          members,
          activeSite: 0,
          allProblem: false,
          tableDigest: 0,
          baseDigest: 0,
          tableSize: 0,
        };
        const listening = now - startedAt > DEAD_MS;
        const unheard = heard.some((p) => p.at === null) && !listening;
        const liveIds = members
          .filter((m) => {
            if (m.id === SELF) return true;
            const p = heard.find((h) => h.id === m.id) as Heard;
            if (p.at === null) return !listening;
            return p.incarnation === 1 && live(p, now) && p.viewVersion > 0;
          })
          .map((m) => m.id);
        expect(tableOf(heard).isCoordinator(view, 0, inView, startedAt, now)).toBe(
          inView && !unheard && liveIds[0] === SELF,
        );
      }),
    );
  });

  it('should forget a removed peer and never add itself', () => {
    fc.assert(
      fc.property(peers, (heard) => {
        const table = tableOf(heard);
        table.add(SELF);
        for (const p of heard) table.remove(p.id);
        expect(table.known.size).toBe(0);
        for (const p of heard) expect(table.stateOf(p.id, 0)).toBeUndefined();
      }),
    );
  });
});
