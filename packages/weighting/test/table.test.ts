import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  churn,
  DistributionTable,
  MAX_TABLE_SIZE,
  maglev,
  movedBuckets,
  rebalance,
  WeightingError,
} from '../src/index.js';
import { hashValue, members, primeSize } from './arbitraries.js';

describe('DistributionTable', () => {
  it('should look a hash up as the owner of bucket floor(hash × size / 2^32), for any number', () => {
    fc.assert(
      fc.property(
        members(),
        primeSize,
        fc.array(hashValue, { minLength: 1, maxLength: 50 }),
        (ms, size, hashes) => {
          const t = maglev(ms, { size });
          for (const h of hashes) {
            const bucket = Number((BigInt(h >>> 0) * BigInt(size)) >> 32n);
            expect(t.bucketOf(h)).toBe(bucket);
            expect(t.lookup(h)).toBe(t.memberAt(bucket));
            expect(t.ids[t.lookupIndex(h)]).toBe(t.memberAt(bucket));
          }
        },
      ),
    );
  });

  it('should look a hash up exactly in a table of more than 2^21 buckets, where one double product can round', () => {
    // Tables built once, their buckets dealt round-robin to three members (bucketOf alone is tested).
    const sizes = [2_097_169, 4_194_319, 8_388_617, MAX_TABLE_SIZE];
    const ms = [
      { id: 'a', weight: 1 },
      { id: 'b', weight: 1 },
      { id: 'c', weight: 1 },
    ];
    const tables = sizes.map((size) => {
      const owners = new Uint32Array(size);
      for (let b = 0; b < size; b++) owners[b] = b % 3;
      return new DistributionTable(ms, owners);
    });
    // The inverse of an odd size modulo 2^32 (Newton's iteration): hash = k × inverse makes
    // hash × size ≡ k (mod 2^32), a quotient just past (k > 0) or just short of (k < 0) a bucket.
    const inverse = (size: bigint): bigint => {
      let x = size;
      for (let i = 0; i < 5; i++) x = (x * (2n - size * x)) & 0xffffffffn;
      return x;
    };
    const edge = fc.record({ k: fc.integer({ min: -64, max: 64 }), j: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.nat({ max: sizes.length - 1 }), fc.oneof(edge, hashValue), (i, draw) => {
        const size = sizes[i] as number;
        const t = tables[i] as DistributionTable;
        const h =
          typeof draw === 'number'
            ? draw >>> 0
            : Number((BigInt(draw.k) * BigInt(draw.j + 1) * inverse(BigInt(size))) & 0xffffffffn);
        const bucket = Number((BigInt(h) * BigInt(size)) >> 32n);
        expect(t.bucketOf(h)).toBe(bucket);
        expect(t.lookupIndex(h)).toBe(bucket % 3);
        expect(t.lookup(h)).toBe(t.memberAt(bucket));
      }),
      { numRuns: 500 },
    );
  });

  it('should count for each member exactly the buckets it owns', () => {
    fc.assert(
      fc.property(members(), primeSize, (ms, size) => {
        const t = maglev(ms, { size });
        const tally = new Map<string, number>();
        for (let b = 0; b < size; b++) tally.set(t.memberAt(b), (tally.get(t.memberAt(b)) ?? 0) + 1);
        for (const m of ms) expect(t.countOf(m.id)).toBe(tally.get(m.id) ?? 0);
      }),
    );
  });

  it('should refuse a bucket outside 0..size-1 with a typed error', () => {
    const t = maglev([{ id: 'a', weight: 1 }], { size: 13 });
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ min: 13 }), fc.integer({ max: -1 }), fc.double({ noInteger: true })),
        (b) => {
          expect(() => t.memberAt(b)).toThrow(expect.objectContaining({ code: 'INVALID_BUCKET' }));
        },
      ),
    );
  });
});

describe('churn', () => {
  it('should be 0 between a table and itself and symmetric between two tables', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (a, b, size) => {
        const ta = maglev(a, { size });
        const tb = maglev(b, { size });
        expect(churn(ta, ta)).toBe(0);
        expect(churn(ta, tb)).toBe(churn(tb, ta));
      }),
    );
  });

  it('should equal the fraction of buckets whose member id differs', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (a, b, size) => {
        const ta = maglev(a, { size });
        const tb = rebalance(ta, b);
        let differ = 0;
        for (let k = 0; k < size; k++) if (ta.memberAt(k) !== tb.memberAt(k)) differ++;
        expect(churn(ta, tb)).toBe(differ / size);
        expect(movedBuckets(ta, tb)).toBe(differ);
      }),
    );
  });

  it('should refuse tables of different sizes with a typed error', () => {
    const a = maglev([{ id: 'a', weight: 1 }], { size: 13 });
    const b = maglev([{ id: 'a', weight: 1 }], { size: 17 });
    expect(() => churn(a, b)).toThrow(WeightingError);
    expect(() => churn(a, b)).toThrow(expect.objectContaining({ code: 'SIZE_MISMATCH' }));
  });
});
