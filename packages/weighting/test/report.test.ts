import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { balanceReport, churnReport, maglev, rebalance } from '../src/index.js';
import { members, primeSize } from './arbitraries.js';

describe('balanceReport', () => {
  it('should report no quota error and less than one bucket of error for a rebalance table', () => {
    fc.assert(
      fc.property(members(), primeSize, (ms, size) => {
        const report = balanceReport(rebalance(maglev(ms, { size }), ms));
        expect(report.maxQuotaError).toBe(0);
        expect(report.maxError).toBeLessThan(1);
      }),
    );
  });

  it('should report the largest error as the largest |buckets − expected buckets|', () => {
    fc.assert(
      fc.property(members(), primeSize, (ms, size) => {
        const t = maglev(ms, { size });
        const total = ms.reduce((s, m) => s + m.weight, 0);
        let largest = 0;
        for (const m of ms)
          largest = Math.max(largest, Math.abs(t.countOf(m.id) - (size * m.weight) / total));
        expect(balanceReport(t).maxError).toBeCloseTo(largest, 9);
      }),
    );
  });
});

describe('churnReport', () => {
  it('should report a ratio of 1 to the minimum for any rebalance', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (a, b, size) => {
        const before = maglev(a, { size });
        const report = churnReport(before, rebalance(before, b));
        expect(report.ratio).toBe(1);
        expect(report.moved).toBe(report.minimum);
      }),
    );
  });

  it('should never report fewer moves than the minimum, for any two tables', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (a, b, size) => {
        const report = churnReport(maglev(a, { size }), maglev(b, { size }));
        expect(report.moved).toBeGreaterThanOrEqual(report.minimum);
      }),
    );
  });

  it('should report the moves as fractions of the table size, and the overload as the largest buckets over expected buckets', () => {
    fc.assert(
      fc.property(members(), members(), primeSize, (a, b, size) => {
        fc.pre(size >= Math.max(a.length, b.length));
        const t = maglev(a, { size });
        const churn = churnReport(t, rebalance(t, b));
        expect(churn.fraction).toBe(churn.moved / size);
        expect(churn.minimumFraction).toBe(churn.minimum / size);
        const balance = balanceReport(t);
        const loads = balance.members.filter((m) => m.weight > 0).map((m) => m.buckets / m.expectedBuckets);
        expect(balance.maxOverload).toBe(Math.max(...loads));
      }),
    );
  });
});
