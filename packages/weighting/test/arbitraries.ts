import fc from 'fast-check';
import type { Member } from '../src/index.js';

/** Member ids: short, from a small alphabet so that sort order and near-collisions get exercised. */
export const memberId: fc.Arbitrary<string> = fc.oneof(
  fc.string({
    unit: fc.constantFrom('a', 'b', 'c', 'z', '0', '9', '-', 'é', '😀', '\uffff'),
    minLength: 1,
    maxLength: 6,
  }),
  fc.nat(9999).map((n) => `sgm${n}`),
);

/** A valid weight, 0..512, biased to small values and to the ends. */
export const weight: fc.Arbitrary<number> = fc.oneof(
  fc.integer({ min: 0, max: 512 }),
  fc.integer({ min: 1, max: 8 }),
  fc.constantFrom(0, 1, 511, 512),
);

/** A member of positive weight. */
export const activeMember: fc.Arbitrary<Member> = fc.record({
  id: memberId,
  weight: fc.integer({ min: 1, max: 512 }),
});

/**
 * 1..maxLength members with distinct ids, at least one of positive weight (the input every
 * builder accepts).
 */
export function members(maxLength = 24, withZero = true): fc.Arbitrary<Member[]> {
  return fc
    .uniqueArray(fc.record({ id: memberId, weight: withZero ? weight : fc.integer({ min: 1, max: 512 }) }), {
      selector: (m) => m.id,
      minLength: 1,
      maxLength,
    })
    .filter((ms) => ms.some((m) => m.weight > 0));
}

/** Members all of the same positive weight. */
export function equalMembers(maxLength = 40): fc.Arbitrary<Member[]> {
  return fc
    .tuple(fc.uniqueArray(memberId, { minLength: 1, maxLength }), fc.integer({ min: 1, max: 512 }))
    .map(([ids, w]) => ids.map((id) => ({ id, weight: w })));
}

/** Prime table sizes, small enough for many runs and large enough for the member lists above. */
export const primeSize: fc.Arbitrary<number> = fc.constantFrom(41, 53, 97, 101, 251, 509, 1009, 2053, 4099);

/** A permutation of a list (to check order independence). */
export function shuffled<T>(items: readonly T[]): fc.Arbitrary<T[]> {
  return fc.array(fc.nat(), { minLength: items.length, maxLength: items.length }).map((keys) =>
    items
      .map((item, i) => ({ item, key: keys[i] ?? 0 }))
      .sort((a, b) => a.key - b.key)
      .map((e) => e.item),
  );
}

/** Anything at all, for the garbage-rejection properties. */
export const garbage: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.array(fc.record({ id: fc.anything(), weight: fc.anything() }, { requiredKeys: [] })),
  fc.array(
    fc.record({
      id: memberId,
      weight: fc.oneof(
        fc.double(),
        fc.integer({ min: -5, max: 1000 }),
        fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, '1', null),
      ),
    }),
  ),
);

/** A 32-bit flow hash, or any number at all. */
export const hashValue: fc.Arbitrary<number> = fc.oneof(
  fc.nat({ max: 0xffffffff }),
  fc.double(),
  fc.integer(),
);
