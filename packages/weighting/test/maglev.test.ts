import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadXxh64, maglev, validateMaglev, WeightingError, type Xxh64 } from '../src/index.js';
import { equalMembers, garbage, memberId, members, primeSize, shuffled } from './arbitraries.js';

const bucketsOf = (t: ReturnType<typeof maglev>): string[] =>
  Array.from({ length: t.size }, (_, b) => t.memberAt(b));

describe('maglev', () => {
  it('should refuse with validateMaglev exactly what maglev refuses, with the same code', () => {
    const codeOf = (run: () => unknown): string | undefined => {
      try {
        run();
        return undefined;
      } catch (error) {
        expect(error).toBeInstanceOf(WeightingError);
        return (error as WeightingError).code;
      }
    };
    const list = fc.oneof(
      members(8),
      fc.array(fc.oneof(fc.record({ id: memberId, weight: fc.constant(0) }), garbage), { maxLength: 4 }),
    );
    const size = fc.oneof(primeSize, fc.integer({ min: -2, max: 60 }), garbage);
    fc.assert(
      fc.property(list, size, (ms, s) => {
        const options = { size: s } as { size: number };
        const members = ms as Parameters<typeof maglev>[0];
        expect(codeOf(() => validateMaglev(members, options))).toBe(codeOf(() => maglev(members, options)));
      }),
    );
  });

  it('should build the same table whatever the order of the members', () => {
    fc.assert(
      fc.property(
        members().chain((ms) => fc.tuple(fc.constant(ms), shuffled(ms), primeSize)),
        ([ms, other, size]) => {
          expect(bucketsOf(maglev(other, { size }))).toEqual(bucketsOf(maglev(ms, { size })));
        },
      ),
    );
  });

  it('should give every member of equal weight floor(M/N) or ceil(M/N) buckets', () => {
    fc.assert(
      fc.property(equalMembers(), primeSize, (ms, size) => {
        const t = maglev(ms, { size });
        for (const m of ms) {
          const c = t.countOf(m.id);
          expect(c === Math.floor(size / ms.length) || c === Math.ceil(size / ms.length)).toBe(true);
        }
      }),
    );
  });

  it('should give no bucket to a member of weight 0 and every bucket to a known member', () => {
    fc.assert(
      fc.property(members(), primeSize, (ms, size) => {
        const t = maglev(ms, { size });
        const known = new Set(ms.map((m) => m.id));
        for (const id of bucketsOf(t)) expect(known.has(id)).toBe(true);
        for (const m of ms) if (m.weight === 0) expect(t.countOf(m.id)).toBe(0);
        let sum = 0;
        for (const c of t.counts) sum += c;
        expect(sum).toBe(size);
      }),
    );
  });

  it('should give a heavier member at least as many buckets as a lighter one, give or take one turn', () => {
    fc.assert(
      fc.property(members(8, false), fc.constantFrom(1009, 4099), (ms, size) => {
        const t = maglev(ms, { size });
        for (const a of ms) {
          for (const b of ms) {
            if (a.weight > b.weight) expect(t.countOf(a.id) + 1).toBeGreaterThanOrEqual(t.countOf(b.id));
          }
        }
      }),
    );
  });

  it('should refuse a member set without positive weight', () => {
    fc.assert(
      fc.property(fc.uniqueArray(memberId, { maxLength: 8 }), (ids) => {
        expect(() =>
          maglev(
            ids.map((id) => ({ id, weight: 0 })),
            { size: 101 },
          ),
        ).toThrow(expect.objectContaining({ code: 'NO_ACTIVE_MEMBER' }));
      }),
    );
  });

  it('should refuse a size that is not a prime, naming it', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 4000 })
          .chain((a) => fc.tuple(fc.constant(a), fc.integer({ min: 2, max: 4000 }))),
        ([a, b]) => {
          const call = () => maglev([{ id: 'a', weight: 1 }], { size: a * b });
          expect(call).toThrow(expect.objectContaining({ code: 'SIZE_NOT_PRIME' }));
          expect(call).toThrow(String(a * b));
        },
      ),
    );
  });

  it('should refuse a size smaller than the member count', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(memberId, { minLength: 12, maxLength: 30 }),
        fc.constantFrom(2, 3, 5, 7, 11),
        (ids, size) => {
          expect(() =>
            maglev(
              ids.map((id) => ({ id, weight: 1 })),
              { size },
            ),
          ).toThrow(expect.objectContaining({ code: 'SIZE_TOO_SMALL' }));
        },
      ),
    );
  });

  it('should either build a table or throw a WeightingError for any input', () => {
    fc.assert(
      fc.property(
        garbage,
        fc.oneof(fc.anything(), fc.record({ size: fc.anything(), compat: fc.anything() })),
        (ms, options) => {
          try {
            const t = maglev(ms as never, options as never);
            expect(t.size).toBeGreaterThan(0);
          } catch (error) {
            expect(error).toBeInstanceOf(WeightingError);
          }
        },
      ),
    );
  });
});

/**
 * Envoy's OriginalMaglevTable, written from its source as plainly as possible (bigint XXH64,
 * `(offset + skip × next) mod M` recomputed per probe, doubles for normalised weights): the model
 * the fast implementation is checked against.
 */
function envoyModel(xxh64: Xxh64, hosts: { id: string; weight: number }[], size: number): string[] {
  const enc = new TextEncoder();
  const live = hosts.filter((h) => h.weight > 0);
  const sum = live.reduce((s, h) => s + h.weight, 0);
  const sorted = [...live].sort((a, b) => Buffer.compare(Buffer.from(a.id), Buffer.from(b.id)));
  const entries = sorted.map((h) => ({
    id: h.id,
    offset: xxh64(enc.encode(h.id), 0n) % BigInt(size),
    skip: (xxh64(enc.encode(h.id), 1n) % BigInt(size - 1)) + 1n,
    weight: h.weight / sum,
    target: 0,
    next: 0n,
  }));
  const max = Math.max(...entries.map((e) => e.weight));
  const table: (string | undefined)[] = new Array(size).fill(undefined);
  let index = 0;
  for (let iteration = 1; index < size; iteration++) {
    for (let i = 0; i < entries.length && index < size; i++) {
      const e = entries[i];
      if (e === undefined || iteration * e.weight < e.target) continue;
      e.target += max;
      let c = Number((e.offset + e.skip * e.next) % BigInt(size));
      while (table[c] !== undefined) {
        e.next++;
        c = Number((e.offset + e.skip * e.next) % BigInt(size));
      }
      table[c] = e.id;
      e.next++;
      index++;
    }
  }
  return table.map((id) => id ?? '');
}

describe("maglev with compat: 'envoy'", () => {
  let xxh64: Xxh64;
  beforeAll(async () => {
    xxh64 = await loadXxh64();
  });
  const envoy = (hosts: { id: string; weight: number }[], size: number) =>
    bucketsOf(maglev(hosts, { size, compat: 'envoy', xxh64 }));
  const ports = (list: number[], prefix = '127.0.0.1:') => list.map((p) => `${prefix}${p}`);

  it('should build the reference table of Envoy hosts :90..:95 at M = 7', () => {
    const hosts = ports([90, 91, 92, 93, 94, 95]).map((id) => ({ id, weight: 1 }));
    expect(envoy(hosts, 7)).toEqual(ports([92, 94, 90, 91, 95, 90, 93]));
  });

  it("should build Envoy's hostname-keyed table (hosts 90..95, M = 7)", () => {
    const hosts = ['90', '91', '92', '93', '94', '95'].map((id) => ({ id, weight: 1 }));
    expect(envoy(hosts, 7)).toEqual(['92', '95', '90', '93', '94', '91', '90']);
  });

  it("should build Envoy's weighted table (:90 weight 1, :91 weight 2, M = 17)", () => {
    const table = envoy(
      [
        { id: '127.0.0.1:90', weight: 1 },
        { id: '127.0.0.1:91', weight: 2 },
      ],
      17,
    );
    expect(table).toEqual(ports([91, 90, 90, 91, 90, 91, 91, 90, 91, 91, 91, 91, 91, 90, 91, 90, 91]));
  });

  it("should build Envoy's locality-weighted tables from the weights they normalise to", () => {
    // Localities 1:1 (one host each) normalise to 0.5 / 0.5; localities 8:0:2 drop the zero one
    // and normalise to 0.8 / 0.2 — the same doubles as weights 1:1 and 4:1 here.
    const even = envoy(
      [
        { id: '127.0.0.1:90', weight: 1 },
        { id: '127.0.0.1:91', weight: 1 },
      ],
      17,
    );
    expect(even).toEqual(ports([91, 90, 90, 91, 90, 91, 91, 90, 90, 91, 90, 91, 90, 90, 91, 90, 91]));
    const skewed = envoy(
      [
        { id: '127.0.0.1:90', weight: 4 },
        { id: '127.0.0.1:91', weight: 1 },
        { id: '127.0.0.1:92', weight: 0 },
      ],
      17,
    );
    expect(skewed).toEqual(ports([91, 90, 90, 90, 90, 90, 91, 90, 90, 91, 90, 91, 90, 90, 90, 90, 90]));
  });

  it('should build the table of a plain transcription of Envoy for any hosts, weights and prime size', () => {
    fc.assert(
      fc.property(members(12), fc.constantFrom(13, 17, 101, 251, 1009), (hosts, size) => {
        fc.pre(hosts.length <= size);
        expect(envoy(hosts, size)).toEqual(envoyModel(xxh64, hosts, size));
      }),
      { numRuns: 60 },
    );
  });

  it('should refuse compat envoy without an xxh64 function', () => {
    expect(() => maglev([{ id: 'a', weight: 1 }], { size: 7, compat: 'envoy' })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTIONS' }),
    );
  });
});
