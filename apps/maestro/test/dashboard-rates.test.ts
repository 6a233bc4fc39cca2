import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot, MemberView } from '../src/cluster/cluster-handle.js';
import { computeRates, counterRate } from '../src/dashboard/index.js';

const counter = fc.nat({ max: 1e12 });
const seconds = fc.double({ min: 1e-3, max: 3600, noNaN: true });

const member = (id: string, packets: number, corrections = 0, syncRecords = 0): MemberView => ({
  id,
  state: 'ACTIVE',
  weight: 100,
  pid: 1,
  packets,
  connections: 0,
  corrections,
  syncRecords,
  yielded: 0,
});

const snapshot = (at: number, members: readonly MemberView[], records = 0): ClusterSnapshot => ({
  at,
  tableVersion: 1,
  members,
  packetsSent: members.reduce((s, m) => s + m.packets, 0),
  packetsDropped: 0,
  connectionsLost: 0,
  sync: { records, bytes: records * 40 },
});

describe('counterRate', () => {
  it('should give a growing counter a rate that times the interval is its increase', () => {
    fc.assert(
      fc.property(counter, counter, seconds, (a, b, s) => {
        const [before, after] = a <= b ? [a, b] : [b, a];
        const rate = counterRate(before, after, s);
        expect(rate).not.toBeNull();
        expect((rate ?? Number.NaN) * s).toBeCloseTo(after - before, 0);
      }),
    );
  });

  it('should never give a negative rate', () => {
    fc.assert(
      fc.property(fc.double(), fc.double(), fc.double(), (a, b, s) => {
        const rate = counterRate(a, b, s);
        expect(rate === null || rate >= 0).toBe(true);
      }),
    );
  });

  it('should read a counter that went down as reset to zero', () => {
    fc.assert(
      fc.property(counter, counter, seconds, (a, b, s) => {
        fc.pre(b < a);
        expect(counterRate(a, b, s)).toBeCloseTo(b / s, 6);
      }),
    );
  });

  it('should give no rate without elapsed time or with a non-finite value', () => {
    fc.assert(
      fc.property(
        counter,
        counter,
        fc.oneof(fc.constant(0), fc.double({ max: 0, noNaN: true }), fc.constant(Number.NaN)),
        (a, b, s) => {
          expect(counterRate(a, b, s)).toBeNull();
          expect(counterRate(Number.NaN, b, 1)).toBeNull();
          expect(counterRate(a, Number.POSITIVE_INFINITY, 1)).toBeNull();
        },
      ),
    );
  });
});

describe('computeRates', () => {
  const counters = fc.array(fc.tuple(counter, counter, counter), { minLength: 1, maxLength: 8 });

  it('should give every rate as null for the first snapshot', () => {
    fc.assert(
      fc.property(counters, (cs) => {
        const r = computeRates(
          undefined,
          snapshot(
            1000,
            cs.map(([p, c, s], i) => member(`sgm${i + 1}`, p, c, s)),
          ),
        );
        expect(r.seconds).toBeNull();
        expect(r.members.every((m) => m.packets === null && m.corrections === null)).toBe(true);
        expect([r.corrections, r.syncRecords, r.packetsSent]).toEqual([null, null, null]);
      }),
    );
  });

  it('should match members by id whatever their order', () => {
    fc.assert(
      fc.property(counters, counters, fc.integer({ min: 1, max: 10_000 }), (before, after, ms) => {
        const n = Math.min(before.length, after.length);
        const prev = before.slice(0, n).map(([p, c, s], i) => member(`sgm${i + 1}`, p, c, s));
        const next = after.slice(0, n).map(([p, c, s], i) => member(`sgm${i + 1}`, p, c, s));
        const r = computeRates(snapshot(0, prev), snapshot(ms, [...next].reverse()));
        for (const m of r.members) {
          const p = prev.find((x) => x.id === m.id);
          const q = next.find((x) => x.id === m.id);
          expect(m.packets).toBe(counterRate(p?.packets ?? Number.NaN, q?.packets ?? Number.NaN, ms / 1000));
        }
      }),
    );
  });

  it('should sum the members correction rates into the group rate', () => {
    fc.assert(
      fc.property(counters, counters, fc.integer({ min: 1, max: 10_000 }), (before, after, ms) => {
        const n = Math.min(before.length, after.length);
        const prev = before.slice(0, n).map(([p, c], i) => member(`sgm${i + 1}`, p, c));
        const next = after.slice(0, n).map(([p, c], i) => member(`sgm${i + 1}`, p, c));
        const r = computeRates(snapshot(0, prev), snapshot(ms, next));
        const sum = r.members.reduce((s, m) => s + (m.corrections ?? 0), 0);
        expect(r.corrections).toBeCloseTo(sum, 6);
      }),
    );
  });

  it('should give a member that was not in the previous snapshot no rate yet', () => {
    fc.assert(
      fc.property(counter, counter, fc.integer({ min: 1, max: 10_000 }), (a, b, ms) => {
        const r = computeRates(
          snapshot(0, [member('sgm1', a)]),
          snapshot(ms, [member('sgm1', b), member('sgm2', b)]),
        );
        expect(r.members.map((m) => m.packets === null)).toEqual([false, true]);
      }),
    );
  });

  it('should take the sync rate from the group counters', () => {
    fc.assert(
      fc.property(counter, counter, fc.integer({ min: 1, max: 10_000 }), (a, b, ms) => {
        const r = computeRates(snapshot(0, [], a), snapshot(ms, [], b));
        expect(r.syncRecords).toBe(counterRate(a, b, ms / 1000));
        expect(r.syncBytes).toBe(counterRate(a * 40, b * 40, ms / 1000));
      }),
    );
  });
});
