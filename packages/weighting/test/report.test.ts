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
});
