import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_WEIGHT, normalizeMembers, WeightingError, weightsFromCores } from '../src/index.js';
import { memberId } from './arbitraries.js';

const coresList = (maxCores: number) =>
  fc
    .uniqueArray(fc.record({ id: memberId, cores: fc.integer({ min: 0, max: maxCores }) }), {
      selector: (m) => m.id,
      minLength: 1,
      maxLength: 20,
    })
    .filter((ms) => ms.some((m) => m.cores > 0));

describe('weightsFromCores', () => {
  it('should give shares exactly cores / total cores when core counts fit the weight scale', () => {
    fc.assert(
      fc.property(coresList(MAX_WEIGHT), (ms) => {
        const weighted = weightsFromCores(ms);
        const totalCores = ms.reduce((s, m) => s + m.cores, 0);
        const totalWeight = weighted.reduce((s, m) => s + m.weight, 0);
        ms.forEach((m, i) => {
          // w_i / Σw = c_i / Σc, cross-multiplied to stay in integers.
          expect((weighted[i]?.weight ?? -1) * totalCores).toBe(m.cores * totalWeight);
        });
      }),
    );
  });

  it('should scale core counts beyond the weight scale to the nearest weight, and at least 1', () => {
    const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
    fc.assert(
      fc.property(coresList(100_000), (ms) => {
        const divisor = ms.reduce((g, m) => gcd(g, m.cores), 0);
        const largest = Math.max(...ms.map((m) => m.cores)) / divisor;
        const scale = Math.min(1, MAX_WEIGHT / largest);
        weightsFromCores(ms).forEach((m, i) => {
          const cores = ms[i]?.cores ?? 0;
          const exact = (cores / divisor) * scale;
          if (cores === 0) expect(m.weight).toBe(0);
          else expect(Math.abs(m.weight - Math.max(1, exact))).toBeLessThanOrEqual(0.5 + 1e-9);
        });
      }),
    );
  });

  it('should give valid weights, 0 only to members without cores, for any core counts', () => {
    fc.assert(
      fc.property(coresList(1_000_000), (ms) => {
        const weighted = normalizeMembers(weightsFromCores(ms));
        for (const m of weighted) {
          const cores = ms.find((x) => x.id === m.id)?.cores ?? -1;
          expect(m.weight === 0).toBe(cores === 0);
        }
      }),
    );
  });

  it('should either derive weights or throw a WeightingError for any input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.array(fc.record({ id: fc.anything(), cores: fc.anything() }, { requiredKeys: [] })),
        ),
        (input) => {
          try {
            weightsFromCores(input as never);
          } catch (error) {
            expect(error).toBeInstanceOf(WeightingError);
          }
        },
      ),
    );
  });
});
