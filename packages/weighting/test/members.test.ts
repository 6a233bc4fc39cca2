import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareIds, exactQuotas, MAX_WEIGHT, normalizeMembers, WeightingError } from '../src/index.js';
import { garbage, memberId, members, shuffled } from './arbitraries.js';

describe('normalizeMembers', () => {
  it('should return the same canonical list whatever the input order', () => {
    fc.assert(
      fc.property(
        members().chain((ms) => fc.tuple(fc.constant(ms), shuffled(ms))),
        ([ms, other]) => {
          expect(normalizeMembers(other)).toEqual(normalizeMembers(ms));
        },
      ),
    );
  });

  it('should order ids by code point, as UTF-8 bytes sort', () => {
    fc.assert(
      fc.property(memberId, memberId, (a, b) => {
        const bytes = (s: string) => Array.from(new TextEncoder().encode(s));
        const x = bytes(a);
        const y = bytes(b);
        let expected = 0;
        for (let i = 0; i < Math.min(x.length, y.length) && expected === 0; i++)
          expected = (x[i] ?? 0) - (y[i] ?? 0);
        if (expected === 0) expected = x.length - y.length;
        expect(Math.sign(compareIds(a, b))).toBe(Math.sign(expected));
      }),
    );
  });

  it('should either accept input or throw a WeightingError, never anything else', () => {
    fc.assert(
      fc.property(garbage, (input) => {
        try {
          const out = normalizeMembers(input);
          for (const m of out) {
            expect(typeof m.id).toBe('string');
            expect(Number.isInteger(m.weight) && m.weight >= 0 && m.weight <= MAX_WEIGHT).toBe(true);
          }
        } catch (error) {
          expect(error).toBeInstanceOf(WeightingError);
        }
      }),
    );
  });

  it('should name the member whose weight is outside 0..512 or not an integer', () => {
    fc.assert(
      fc.property(
        memberId,
        fc.oneof(
          fc.integer({ min: MAX_WEIGHT + 1 }),
          fc.integer({ max: -1 }),
          fc.double({ noInteger: true }),
          fc.constant(Number.NaN),
        ),
        (id, w) => {
          const call = () => normalizeMembers([{ id, weight: w }]);
          expect(call).toThrow(WeightingError);
          expect(call).toThrow(JSON.stringify(id));
          try {
            call();
          } catch (error) {
            expect((error as WeightingError).code).toBe('INVALID_WEIGHT');
          }
        },
      ),
    );
  });

  it('should reject a duplicate id, naming it', () => {
    fc.assert(
      fc.property(members(), fc.nat(), (ms, k) => {
        const dup = ms[k % ms.length];
        if (dup === undefined) return;
        const call = () => normalizeMembers([...ms, { id: dup.id, weight: 1 }]);
        expect(call).toThrow(expect.objectContaining({ code: 'DUPLICATE_MEMBER' }));
        expect(call).toThrow(JSON.stringify(dup.id));
      }),
    );
  });
});

describe('exactQuotas', () => {
  it('should give quotas that sum to the table size', () => {
    fc.assert(
      fc.property(members(), fc.integer({ min: 24, max: 100_000 }), (ms, size) => {
        let sum = 0;
        for (const q of exactQuotas(ms, size).values()) sum += q;
        expect(sum).toBe(size);
      }),
    );
  });

  it('should give each member the floor or the ceiling of its exact share, and 0 to weight 0', () => {
    fc.assert(
      fc.property(members(), fc.integer({ min: 24, max: 100_000 }), (ms, size) => {
        const total = ms.reduce((s, m) => s + m.weight, 0);
        const quotas = exactQuotas(ms, size);
        for (const m of ms) {
          const q = quotas.get(m.id) ?? -1;
          const share = (size * m.weight) / total;
          expect(q === Math.floor(share) || q === Math.ceil(share)).toBe(true);
          if (m.weight === 0) expect(q).toBe(0);
        }
      }),
    );
  });

  it('should give leftover buckets to the largest remainders, ties to the smaller id', () => {
    fc.assert(
      fc.property(members(), fc.integer({ min: 24, max: 100_000 }), (ms, size) => {
        const total = ms.reduce((s, m) => s + m.weight, 0);
        const quotas = exactQuotas(ms, size);
        const rem = (w: number) => (size * w) % total;
        for (const a of ms) {
          for (const b of ms) {
            const aUp = (quotas.get(a.id) ?? 0) > Math.floor((size * a.weight) / total);
            const bUp = (quotas.get(b.id) ?? 0) > Math.floor((size * b.weight) / total);
            if (aUp && !bUp) {
              // a won a leftover bucket that b did not: a's remainder is larger, or equal with a smaller id.
              expect(
                rem(a.weight) > rem(b.weight) ||
                  (rem(a.weight) === rem(b.weight) && compareIds(a.id, b.id) < 0),
              ).toBe(true);
            }
          }
        }
      }),
    );
  });

  it('should refuse a member set without positive weight', () => {
    fc.assert(
      fc.property(fc.uniqueArray(memberId, { maxLength: 8 }), (ids) => {
        expect(() =>
          exactQuotas(
            ids.map((id) => ({ id, weight: 0 })),
            101,
          ),
        ).toThrow(expect.objectContaining({ code: 'NO_ACTIVE_MEMBER' }));
      }),
    );
  });
});
