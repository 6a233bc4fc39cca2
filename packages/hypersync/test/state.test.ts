import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Candidate,
  CriticalDevices,
  chooseActiveSite,
  composeView,
  deriveMemberState,
  Health,
  HyperSyncError,
  MemberState,
  siteGrade,
} from '../src/index.js';
import { memberId } from './arbitraries.js';

const health = fc.constantFrom(Health.OK, Health.PROBLEM, Health.INIT, Health.PROBLEM | Health.INIT);
const candidates: fc.Arbitrary<Candidate[]> = fc.uniqueArray(
  fc.record({
    id: memberId,
    incarnation: fc.nat(),
    weight: fc.nat({ max: 512 }),
    site: fc.constant(0),
    health,
    components: fc.constant([]),
  }),
  { selector: (c) => c.id, minLength: 1, maxLength: 8 },
);
const policy = (activeMembers: number) => ({
  activeMembers,
  memberFactor: 100,
  componentFactors: [],
  hysteresis: 50,
});

describe('member state', () => {
  it('should never be ACTIVE or ACTIVE(!) while a critical device reports init', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (inView, active, allProblem, problem) => {
          const s = deriveMemberState({
            started: true,
            inView,
            active,
            allProblem,
            health: Health.INIT | (problem ? Health.PROBLEM : 0),
          });
          expect([MemberState.ACTIVE, MemberState.ACTIVE_ATTENTION]).not.toContain(s);
        },
      ),
    );
  });

  it('should be DOWN on a problem unless the whole group has problems and it is active and not initialising', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        (inView, active, allProblem, init) => {
          const health = Health.PROBLEM | (init ? Health.INIT : 0);
          const s = deriveMemberState({ started: true, inView, active, allProblem, health });
          const forwards = inView && active && allProblem && !init;
          expect(s).toBe(forwards ? MemberState.ACTIVE_ATTENTION : MemberState.DOWN);
        },
      ),
    );
  });

  it('should stay READY while not confirmed in the view (e.g. version or config mismatch)', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (active, allProblem) => {
        expect(
          deriveMemberState({ started: true, inView: false, active, allProblem, health: Health.OK }),
        ).toBe(MemberState.READY);
      }),
    );
  });

  it('should treat a missed report as a problem', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 10_000 }),
        fc.integer({ min: 1, max: 10_000 }),
        (timeout, late) => {
          const d = new CriticalDevices();
          d.register('iface', timeout, 0);
          d.report('iface', 'ok', 0);
          expect(d.health(timeout)).toBe(Health.OK);
          expect(d.health(timeout + late)).toBe(Health.PROBLEM);
        },
      ),
    );
  });

  it('should reject unknown devices and statuses with a typed error', () => {
    const d = new CriticalDevices();
    expect(() => d.report('nope', 'ok', 0)).toThrow(HyperSyncError);
    d.register('x', 0, 0);
    expect(() => d.report('x', 'bad' as 'ok', 0)).toThrow(HyperSyncError);
  });
});

describe('view composition', () => {
  it('should never leave a group with a healthy member without an active healthy member', () => {
    fc.assert(
      fc.property(candidates, fc.integer({ min: 1, max: 8 }), (cands, target) => {
        const v = composeView(undefined, cands, policy(target));
        const active = v.members.filter((m) => m.active).map((m) => m.id);
        const healthy = cands.filter((c) => c.health === Health.OK).map((c) => c.id);
        if (healthy.length > 0) {
          expect(active.length).toBe(Math.min(target, healthy.length));
          for (const id of active) expect(healthy).toContain(id);
          expect(v.allProblem).toBe(false);
        }
        for (const c of cands) if (c.health & Health.INIT) expect(active).not.toContain(c.id);
      }),
    );
  });

  it('should fill the active set with spares that take traffic before draining ones (weight 0)', () => {
    fc.assert(
      fc.property(candidates, fc.integer({ min: 1, max: 8 }), (cands, target) => {
        const healthy = cands.filter((c) => c.health === Health.OK);
        fc.pre(healthy.length > 0);
        const v = composeView(undefined, cands, policy(target));
        const active = v.members.filter((m) => m.active);
        expect(active.length).toBe(Math.min(target, healthy.length));
        const weighted = healthy.filter((c) => c.weight > 0).length;
        expect(active.filter((m) => m.weight > 0).length).toBe(Math.min(target, weighted));
      }),
    );
  });

  it('should keep active members active when a recovered member returns (Active Up)', () => {
    fc.assert(
      fc.property(candidates, fc.integer({ min: 1, max: 8 }), memberId, (cands, target, back) => {
        const healthy = cands.filter((c) => c.health === Health.OK);
        fc.pre(healthy.length > 0 && !cands.some((c) => c.id === back));
        const v1 = composeView(undefined, cands, policy(target));
        const v2 = composeView(
          v1,
          [...cands, { id: back, incarnation: 1, weight: 1, site: 0, health: Health.OK, components: [] }],
          policy(target),
        );
        for (const m of v1.members)
          if (m.active) expect(v2.members.find((x) => x.id === m.id)?.active).toBe(true);
      }),
    );
  });

  it('should let a STANDBY spare take over the place of a failed active member (N+1)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 8 }),
        fc.integer({ min: 1, max: 7 }),
        fc.nat(),
        (n, target, victim) => {
          fc.pre(target < n);
          const cands = Array.from({ length: n }, (_, i) => ({
            id: `m${i}`,
            incarnation: 1,
            weight: 1,
            site: 0,
            health: Health.OK,
            components: [],
          }));
          const v1 = composeView(undefined, cands, policy(target));
          const actives = v1.members.filter((m) => m.active).map((m) => m.id);
          const dead = actives[victim % actives.length];
          const v2 = composeView(
            v1,
            cands.filter((c) => c.id !== dead),
            policy(target),
          );
          expect(v2.members.filter((m) => m.active).length).toBe(target);
        },
      ),
    );
  });
});

describe('dual site', () => {
  it('should compute the grade as the sum of factor times components up', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ factor: fc.nat({ max: 1000 }), up: fc.nat({ max: 100 }) })), (cs) => {
        expect(siteGrade(cs)).toBe(cs.reduce((s, c) => s + c.factor * c.up, 0));
      }),
    );
  });

  it('should reject grade factors outside 0..1000', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: 1001 }), fc.integer({ max: -1 })), (factor) => {
        expect(() => siteGrade([{ factor, up: 1 }])).toThrow(HyperSyncError);
      }),
    );
  });

  it('should not move the Active site unless the other grade exceeds it by more than the hysteresis, or its own fell to 0', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1 as const, 2 as const),
        fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 5000 })),
        fc.nat({ max: 5000 }),
        fc.nat({ max: 1000 }),
        (cur, mine, other, h) => {
          const g1 = cur === 1 ? mine : other;
          const g2 = cur === 1 ? other : mine;
          const next = chooseActiveSite(cur, g1, g2, h);
          expect(next !== cur).toBe(other > mine + h || (mine === 0 && other > 0));
        },
      ),
    );
  });

  it('should pick the higher grade when no site is active yet', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.nat(), (g1, g2, h) => {
        expect(chooseActiveSite(0, g1, g2, h)).toBe(g2 > g1 ? 2 : 1);
      }),
    );
  });
});
