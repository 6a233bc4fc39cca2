import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Member, rendezvous, WeightingError } from '../src/index.js';
import { activeMember, garbage, hashValue, members, shuffled } from './arbitraries.js';

const hashes = fc.array(fc.nat({ max: 0xffffffff }), { minLength: 1, maxLength: 200 });

describe('rendezvous', () => {
  it('should pick the same member whatever the order of the members', () => {
    fc.assert(
      fc.property(
        members().chain((ms) => fc.tuple(fc.constant(ms), shuffled(ms), hashes)),
        ([ms, other, hs]) => {
          const a = rendezvous(ms);
          const b = rendezvous(other);
          for (const h of hs) expect(b.pick(h)).toBe(a.pick(h));
        },
      ),
    );
  });

  it('should never pick a member of weight 0', () => {
    fc.assert(
      fc.property(members(), fc.array(hashValue, { maxLength: 200 }), (ms, hs) => {
        const r = rendezvous(ms);
        const zero = new Set(ms.filter((m) => m.weight === 0).map((m) => m.id));
        for (const h of hs) expect(zero.has(r.pick(h))).toBe(false);
      }),
    );
  });

  it('should move only the flows of a removed member', () => {
    fc.assert(
      fc.property(members(16, false), fc.nat(), hashes, (ms, k, hs) => {
        fc.pre(ms.length >= 2);
        const gone = ms[k % ms.length] as Member;
        const before = rendezvous(ms);
        const after = rendezvous(ms.filter((m) => m !== gone));
        for (const h of hs) if (before.pick(h) !== gone.id) expect(after.pick(h)).toBe(before.pick(h));
      }),
    );
  });

  it('should move flows only to an added member', () => {
    fc.assert(
      fc.property(members(16), activeMember, hashes, (ms, added, hs) => {
        fc.pre(!ms.some((m) => m.id === added.id));
        const before = rendezvous(ms);
        const after = rendezvous([...ms, added]);
        for (const h of hs) {
          const now = after.pick(h);
          if (now !== before.pick(h)) expect(now).toBe(added.id);
        }
      }),
    );
  });

  it('should give shares proportional to the weights over many flows (example)', () => {
    const r = rendezvous([
      { id: 'a', weight: 1 },
      { id: 'b', weight: 2 },
      { id: 'c', weight: 5 },
    ]);
    const tally = new Map<string, number>();
    const n = 80_000;
    for (let i = 0; i < n; i++) {
      const id = r.pick(Math.imul(i, 0x9e3779b1));
      tally.set(id, (tally.get(id) ?? 0) + 1);
    }
    expect((tally.get('a') ?? 0) / n).toBeCloseTo(1 / 8, 1);
    expect((tally.get('b') ?? 0) / n).toBeCloseTo(2 / 8, 1);
    expect((tally.get('c') ?? 0) / n).toBeCloseTo(5 / 8, 1);
  });

  it('should either build or throw a WeightingError for any input', () => {
    fc.assert(
      fc.property(garbage, (ms) => {
        try {
          expect(rendezvous(ms as Member[]).members.length).toBeGreaterThan(0);
        } catch (error) {
          expect(error).toBeInstanceOf(WeightingError);
        }
      }),
    );
  });
});
