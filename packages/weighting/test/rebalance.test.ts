import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type DistributionTable,
  exactQuotas,
  type Member,
  maglev,
  minimumMoves,
  movedBuckets,
  rebalance,
  WeightingError,
} from '../src/index.js';
import { activeMember, garbage, members, primeSize, shuffled, weight } from './arbitraries.js';

/** The quota of every member of `ms` for `size` buckets (0 for ids not in `ms`). */
const quotasOf = (ms: readonly Member[], size: number) => {
  const q = exactQuotas(ms, size);
  return (id: string) => q.get(id) ?? 0;
};

/** Σ max(0, new quota − old quota): the minimum moves between two exact-quota tables. */
function positiveQuotaChanges(before: readonly Member[], after: readonly Member[], size: number): number {
  const qb = quotasOf(before, size);
  const qa = quotasOf(after, size);
  let sum = 0;
  for (const m of after) sum += Math.max(0, qa(m.id) - qb(m.id));
  return sum;
}

const start = (ms: readonly Member[], size: number): DistributionTable => rebalance(maglev(ms, { size }), ms);

describe('rebalance', () => {
  it('should give every member exactly its quota', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (before, after, size) => {
        const t = rebalance(maglev(before, { size }), after);
        const q = quotasOf(after, size);
        for (const m of after) expect(t.countOf(m.id)).toBe(q(m.id));
      }),
    );
  });

  it('should move exactly the minimum number of buckets, from any previous table', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (before, after, size) => {
        const previous = maglev(before, { size });
        const next = rebalance(previous, after);
        expect(movedBuckets(previous, next)).toBe(minimumMoves(previous, after));
      }),
    );
  });

  it('should build the same table whatever the order of the new members', () => {
    fc.assert(
      fc.property(
        members().chain((ms) => fc.tuple(fc.constant(ms), shuffled(ms), members(), primeSize)),
        ([ms, other, before, size]) => {
          const previous = maglev(before, { size });
          expect(Array.from(rebalance(previous, other).owners)).toEqual(
            Array.from(rebalance(previous, ms).owners),
          );
        },
      ),
    );
  });

  it('should move only the buckets of the removed member, unless the removal lowers a quota', () => {
    fc.assert(
      fc.property(members(24, false), fc.nat(), primeSize, (ms, k, size) => {
        fc.pre(ms.length >= 2);
        const gone = ms[k % ms.length] as Member;
        const rest = ms.filter((m) => m !== gone);
        const before = start(ms, size);
        const after = rebalance(before, rest);
        const qb = quotasOf(ms, size);
        const qa = quotasOf(rest, size);
        const lowered = new Set(rest.filter((m) => qa(m.id) < qb(m.id)).map((m) => m.id));
        for (let b = 0; b < size; b++) {
          const was = before.memberAt(b);
          if (was !== after.memberAt(b)) expect(was === gone.id || lowered.has(was)).toBe(true);
        }
        if (lowered.size === 0) expect(movedBuckets(before, after)).toBe(before.countOf(gone.id));
      }),
    );
  });

  it('should move buckets only to the added member, unless the addition raises a quota', () => {
    fc.assert(
      fc.property(members(24, false), activeMember, primeSize, (ms, added, size) => {
        fc.pre(!ms.some((m) => m.id === added.id));
        const grown = [...ms, added];
        const before = start(ms, size);
        const after = rebalance(before, grown);
        const qb = quotasOf(ms, size);
        const qa = quotasOf(grown, size);
        const raised = new Set(ms.filter((m) => qa(m.id) > qb(m.id)).map((m) => m.id));
        for (let b = 0; b < size; b++) {
          const now = after.memberAt(b);
          if (before.memberAt(b) !== now) expect(now === added.id || raised.has(now)).toBe(true);
        }
        if (raised.size === 0) expect(movedBuckets(before, after)).toBe(qa(added.id));
      }),
    );
  });

  it('should leave an exact-quota table unchanged when nothing changes', () => {
    fc.assert(
      fc.property(members(), primeSize, (ms, size) => {
        const t = start(ms, size);
        expect(movedBuckets(t, rebalance(t, ms))).toBe(0);
      }),
    );
  });

  it('should keep exact quotas and minimal moves over any sequence of adds, removals, failures and re-weights', () => {
    type Model = { members: Member[]; size: number };
    type Real = { table: DistributionTable };
    const step = (model: Model, real: Real, next: Member[]) => {
      fc.pre(next.some((m) => m.weight > 0));
      const nextTable = rebalance(real.table, next);
      expect(movedBuckets(real.table, nextTable)).toBe(positiveQuotaChanges(model.members, next, model.size));
      const q = quotasOf(next, model.size);
      for (const m of next) expect(nextTable.countOf(m.id)).toBe(q(m.id));
      model.members = next;
      real.table = nextTable;
    };
    class Add implements fc.Command<Model, Real> {
      constructor(readonly member: Member) {}
      check = (m: Readonly<Model>) =>
        !m.members.some((x) => x.id === this.member.id) && m.members.length < m.size;
      run = (m: Model, r: Real) => step(m, r, [...m.members, this.member]);
      toString = () => `add(${JSON.stringify(this.member)})`;
    }
    class Remove implements fc.Command<Model, Real> {
      constructor(
        readonly pick: number,
        readonly reason: 'remove' | 'fail',
      ) {}
      check = (m: Readonly<Model>) => m.members.length > 1;
      run = (m: Model, r: Real) => {
        const gone = m.members[this.pick % m.members.length] as Member;
        step(
          m,
          r,
          m.members.filter((x) => x !== gone),
        );
      };
      toString = () => `${this.reason}(#${this.pick})`;
    }
    class Reweight implements fc.Command<Model, Real> {
      constructor(
        readonly pick: number,
        readonly weight: number,
      ) {}
      check = () => true;
      run = (m: Model, r: Real) => {
        const target = m.members[this.pick % m.members.length] as Member;
        step(
          m,
          r,
          m.members.map((x) => (x === target ? { id: x.id, weight: this.weight } : x)),
        );
      };
      toString = () => `reweight(#${this.pick}, ${this.weight})`;
    }
    const commands = [
      activeMember.map((m) => new Add(m)),
      fc.nat().map((k) => new Remove(k, 'remove')),
      fc.nat().map((k) => new Remove(k, 'fail')),
      fc.tuple(fc.nat(), weight).map(([k, w]) => new Reweight(k, w)),
    ];
    fc.assert(
      fc.property(
        members(12, false),
        primeSize,
        fc.commands(commands, { maxCommands: 25 }),
        (ms, size, cmds) => {
          const model: Model = { members: ms, size };
          const real: Real = { table: start(ms, size) };
          fc.modelRun(() => ({ model, real }), cmds);
        },
      ),
    );
  });

  it('should refuse a member set without positive weight', () => {
    const t = maglev([{ id: 'a', weight: 1 }], { size: 7 });
    expect(() => rebalance(t, [{ id: 'a', weight: 0 }])).toThrow(
      expect.objectContaining({ code: 'NO_ACTIVE_MEMBER' }),
    );
    expect(() => rebalance(t, [])).toThrow(expect.objectContaining({ code: 'NO_ACTIVE_MEMBER' }));
  });

  it('should either rebalance or throw a WeightingError for any input', () => {
    const t = maglev([{ id: 'a', weight: 1 }], { size: 13 });
    fc.assert(
      fc.property(fc.oneof(fc.constant(t), fc.anything()), garbage, (previous, ms) => {
        try {
          expect(rebalance(previous as DistributionTable, ms as Member[]).size).toBe(13);
        } catch (error) {
          expect(error).toBeInstanceOf(WeightingError);
        }
      }),
    );
  });

  it('should move the minimum when a removal lowers a surviving quota (shrunk example)', () => {
    // Hamilton apportionment can lower a surviving member's quota on a removal (the "new states"
    // paradox): weights 403, 469, 122, 286, 452, 142 at M = 7; removing m2 (quota 0) takes m5
    // from 1 bucket to 0. rebalance still moves only the minimum: m5's one bucket.
    const ms = [403, 469, 122, 286, 452, 142].map((w, i) => ({ id: `m${i}`, weight: w }));
    const rest = ms.filter((m) => m.id !== 'm2');
    const before = start(ms, 7);
    const after = rebalance(before, rest);
    expect(before.countOf('m2')).toBe(0);
    expect(before.countOf('m5')).toBe(1);
    expect(after.countOf('m5')).toBe(0);
    expect(movedBuckets(before, after)).toBe(1);
    expect(movedBuckets(before, after)).toBe(positiveQuotaChanges(ms, rest, 7));
  });
});
