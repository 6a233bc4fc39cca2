import { refusalOf } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  balanceReport,
  churn,
  churnReport,
  DistributionTable,
  exactQuotas,
  MAX_TABLE_SIZE,
  type Member,
  maglev,
  minimumMoves,
  movedBuckets,
  normalizeMembers,
  rebalance,
  WeightingError,
} from '../src/index.js';
import { garbage, members, primeSize } from './arbitraries.js';

/** The code of the WeightingError `run` throws, or undefined when it returns; any other throw fails. */
const refusal = refusalOf(WeightingError);

/** A table size: valid ones, the edges of 1..MAX_TABLE_SIZE and past them, and values that are not numbers. */
const anySize: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: 1, max: 2000 }),
  fc.constantFrom(0, -1, 0.5, 1, MAX_TABLE_SIZE, MAX_TABLE_SIZE + 1, Number.NaN, Number.POSITIVE_INFINITY),
  fc.double(),
  fc.anything().filter((v) => typeof v !== 'number'),
);

/** Tables to compare, and things that are not tables. */
const tableOrNot: fc.Arbitrary<unknown> = fc.oneof(
  members(8).chain((ms) => primeSize.map((size) => maglev(ms, { size }))),
  fc.anything(),
  fc.record({ size: fc.nat(), members: fc.constant([]), owners: fc.constant(new Uint32Array(0)) }),
);

/** Everything a table is made of, copied, to tell whether a call changed it. */
function snapshot(t: DistributionTable): unknown {
  return [
    t.size,
    t.members.map((m) => ({ ...m })),
    Array.from(t.ids),
    Array.from(t.owners),
    Array.from(t.counts),
  ];
}

describe('bad input', () => {
  it('should give quotas summing to the size or refuse the members or size with a WeightingError', () => {
    fc.assert(
      fc.property(fc.oneof(members(12), garbage), anySize, (ms, size) => {
        let quotas: Map<string, number> | undefined;
        const code = refusal(() => {
          quotas = exactQuotas(ms as Member[], size as number);
        });
        if (code === undefined) {
          let sum = 0;
          for (const q of quotas?.values() ?? []) sum += q;
          expect(sum).toBe(size === undefined ? 65_537 : size);
        } else if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || size > MAX_TABLE_SIZE) {
          expect(['INVALID_SIZE', 'INVALID_MEMBERS', 'INVALID_MEMBER_ID', 'INVALID_WEIGHT']).toContain(code);
        }
      }),
    );
  });

  it('should count the minimum moves or refuse the table or members with a WeightingError', () => {
    fc.assert(
      fc.property(tableOrNot, fc.oneof(members(12), garbage), (previous, ms) => {
        let moves = -1;
        if (
          refusal(() => (moves = minimumMoves(previous as DistributionTable, ms as Member[]))) === undefined
        ) {
          expect(Number.isInteger(moves) && moves >= 0).toBe(true);
        }
      }),
    );
  });

  it('should compare and report on tables or refuse what is not one with a WeightingError', () => {
    fc.assert(
      fc.property(tableOrNot, tableOrNot, (a, b) => {
        const x = a as DistributionTable;
        const y = b as DistributionTable;
        const moved = refusal(() => movedBuckets(x, y));
        expect(refusal(() => churn(x, y))).toBe(moved);
        expect(refusal(() => churnReport(x, y))).toBe(moved);
        refusal(() => balanceReport(x));
      }),
    );
  });

  it('should build a table from canonical members and owners naming them, and refuse any other arguments with a WeightingError', () => {
    const args = members(6).chain((ms) => {
      const canonical = normalizeMembers(ms);
      const owners = fc
        .array(fc.nat(canonical.length - 1), { minLength: 1, maxLength: 64 })
        .map((o) => Uint32Array.from(o));
      return fc.tuple(
        fc.constant(canonical),
        owners,
        fc.constantFrom(
          'valid',
          'owner past the members',
          'members reordered',
          'members garbage',
          'owners not a Uint32Array',
          'owners empty',
          'counts off by one',
          'counts given right',
        ),
        fc.nat(),
        garbage,
      );
    });
    fc.assert(
      fc.property(args, ([canonical, owners, change, pick, junk]) => {
        let ms: readonly Member[] = canonical;
        let os: unknown = owners;
        let counts: unknown;
        const tally = new Uint32Array(canonical.length);
        for (const o of owners) tally[o] = (tally[o] as number) + 1;
        if (change === 'owner past the members') {
          os = owners.slice();
          (os as Uint32Array)[pick % owners.length] = canonical.length + (pick % 3);
        } else if (change === 'members reordered') {
          fc.pre(canonical.length > 1);
          ms = [...canonical].reverse();
        } else if (change === 'members garbage') {
          fc.pre(refusal(() => normalizeMembers(junk)) !== undefined);
          ms = junk as Member[];
        } else if (change === 'owners not a Uint32Array') os = Array.from(owners);
        else if (change === 'owners empty') os = new Uint32Array(0);
        else if (change === 'counts off by one') {
          counts = tally.slice();
          const i = pick % canonical.length;
          (counts as Uint32Array)[i] = (tally[i] as number) + 1;
        } else if (change === 'counts given right') counts = tally.slice();
        let table: DistributionTable | undefined;
        const code = refusal(() => {
          table = new DistributionTable(ms, os as Uint32Array, counts as Uint32Array | undefined);
        });
        if (change !== 'valid' && change !== 'counts given right') {
          expect(code).toMatch(
            /^(INVALID_TABLE|INVALID_MEMBERS|INVALID_MEMBER_ID|INVALID_WEIGHT|DUPLICATE_MEMBER)$/,
          );
          return;
        }
        expect(code).toBeUndefined();
        const t = table as DistributionTable;
        expect(Array.from(t.counts)).toEqual(Array.from(tally));
        expect(t.ids).toEqual(canonical.map((m) => m.id));
        for (let b = 0; b < owners.length; b++)
          expect(t.memberAt(b)).toBe(canonical[owners[b] as number]?.id);
      }),
    );
  });

  it('should refuse any value that is not a bucket of the table with INVALID_BUCKET', () => {
    const t = maglev([{ id: 'a', weight: 1 }], { size: 13 });
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), fc.double(), fc.integer(), fc.constantFrom(-1, 0, 12, 13, 0.5)),
        (bucket) => {
          const valid = Number.isInteger(bucket) && (bucket as number) >= 0 && (bucket as number) < 13;
          const code = refusal(() => t.memberAt(bucket as number));
          expect(code).toBe(valid ? undefined : 'INVALID_BUCKET');
        },
      ),
    );
  });

  it('should leave the previous table as it was after any rebalance, refused or not', () => {
    fc.assert(
      fc.property(members(8), primeSize, fc.oneof(members(8), garbage), (before, size, next) => {
        const previous = maglev(before, { size });
        const kept = snapshot(previous);
        refusal(() => rebalance(previous, next as Member[]));
        refusal(() => minimumMoves(previous, next as Member[]));
        expect(snapshot(previous)).toEqual(kept);
      }),
    );
  });
});
