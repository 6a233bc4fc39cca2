import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectControlError, LogicalServer } from '../src/index.js';
import { build, client, method, replayNeverFailed, step } from './arbitraries.js';

describe('LogicalServer', () => {
  it('should never pick a failed server while a healthy one exists', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) => fc.tuple(fc.constant(n), method, fc.nat(), fc.array(step(n), { maxLength: 80 }))),
        fc.constantFrom('none', 'service', 'server') as fc.Arbitrary<'none' | 'service' | 'server'>,
        ([n, m, seed, steps], persistency) => {
          replayNeverFailed(build(n, m, seed, { persistency, persistencyTimeout: 20_000 }), steps);
        },
      ),
    );
  });

  it('should keep persistency until its timeout and end it after', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }),
        fc.constantFrom('service', 'server') as fc.Arbitrary<'service' | 'server'>,
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2_000 }), fc.constantFrom(80, 443)), {
          minLength: 1,
          maxLength: 30,
        }),
        (n, persistency, steps) => {
          const timeout = 1_000;
          const { ls, clock, ids } = build(n, 'round-robin', 1, { persistency, persistencyTimeout: timeout });
          // Model: a binding per persistency key, refreshed on use; Round Robin moves only on new choices.
          const bound = new Map<string, { server: number; at: number }>();
          let cursor = -1;
          for (const [gap, service] of steps) {
            clock.advance(gap);
            const key = persistency === 'server' ? '*' : String(service);
            const b = bound.get(key);
            let expected: number;
            if (b !== undefined && clock.now() - b.at <= timeout) expected = b.server;
            else {
              cursor = (cursor + 1) % n;
              expected = cursor;
            }
            bound.set(key, { server: expected, at: clock.now() });
            expect(ls.pick({ client: 'c', service })).toBe(ids[expected]);
          }
        },
      ),
    );
  });

  it('should be fair in Round Robin over any window of n*k picks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.integer({ min: 1, max: 5 }),
        fc.nat(50),
        fc.array(client, { maxLength: 200 }),
        (n, k, offset, clients) => {
          const { ls, ids } = build(n, 'round-robin', 0);
          const picks = [
            ...Array.from(
              { length: offset + n * k * 2 },
              (_, i) => clients[i % Math.max(1, clients.length)] ?? 'x',
            ),
          ].map((c) => ls.pick({ client: c }) as string);
          for (let start = 0; start + n * k <= picks.length; start++) {
            const counts = new Map<string, number>();
            for (const id of picks.slice(start, start + n * k)) counts.set(id, (counts.get(id) ?? 0) + 1);
            for (const id of ids) expect(counts.get(id)).toBe(k);
          }
        },
      ),
    );
  });

  it("should pass a chi-square test on Random's shares", () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 10 }), fc.nat(), (n, seed) => {
        const { ls, ids } = build(n, 'random', seed);
        const picks = 500 * n;
        const counts = new Map<string, number>();
        for (let i = 0; i < picks; i++) {
          const id = ls.pick({ client: 'c' }) as string;
          counts.set(id, (counts.get(id) ?? 0) + 1);
        }
        const expected = picks / n;
        const chi2 = ids.reduce((sum, id) => sum + ((counts.get(id) ?? 0) - expected) ** 2 / expected, 0);
        // 99.99th percentile of chi-square with 9 degrees of freedom (the largest used): 33.7.
        expect(chi2).toBeLessThan(33.7);
      }),
      { numRuns: 40 },
    );
  });

  it('should pick the least loaded server among fresh reports', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 6 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              fc.array(fc.tuple(fc.nat(n - 1), fc.nat(10_000), fc.nat(8_000)), { maxLength: 20 }),
            ),
          ),
        ([n, reports]) => {
          const { ls, clock, ids } = build(n, 'server-load', 0, { reportTimeout: 10_000 });
          const latest = new Map<number, { load: number; at: number }>();
          for (const [server, load, wait] of reports) {
            clock.advance(wait);
            ls.reportLoad(ids[server] as string, load);
            latest.set(server, { load, at: clock.now() });
          }
          const fresh = [...latest].filter(([, r]) => clock.now() - r.at <= 10_000);
          const picked = ls.pick({ client: 'c' });
          if (fresh.length === 0) {
            expect(ids).toContain(picked);
            return;
          }
          const least = Math.min(...fresh.map(([, r]) => r.load));
          const best = fresh.filter(([, r]) => r.load === least).map(([s]) => ids[s]);
          expect(best).toContain(picked);
        },
      ),
    );
  });

  it('should pick the server with the shortest fresh round trip', () => {
    const { ls } = build(3, 'round-trip', 0);
    ls.reportRtt('s0', 40);
    ls.reportRtt('s1', 12);
    ls.reportRtt('s2', 25);
    expect(ls.pick({ client: 'c' })).toBe('s1');
    ls.reportProbe('s1', false);
    ls.reportProbe('s1', false);
    expect(ls.pick({ client: 'c' })).toBe('s2');
  });

  it('should pick the server whose domain shares the longest suffix with the client', () => {
    const { ls } = build(4, 'domain', 0);
    expect(ls.pick({ client: 'c', domain: 'host.a.eu.example.com' })).toBe('s3');
    expect(ls.pick({ client: 'c', domain: 'x.us.example.com' })).toBe('s1');
    expect(ls.pick({ client: 'c', domain: 'x.example.net' })).toBe('s2');
  });

  it('should drop reordered load reports by sequence, across the counter wrap', () => {
    const { ls } = build(2, 'server-load', 0);
    expect(ls.reportLoad('s0', 10, 0xffff_fffe)).toBe(true);
    expect(ls.reportLoad('s0', 20, 1)).toBe(true);
    expect(ls.reportLoad('s0', 99, 0xffff_ffff)).toBe(false);
  });

  it('should refuse bad configuration and unknown servers with typed errors', () => {
    const base = {
      name: 'x',
      address: '192.0.2.1',
      port: 80,
      method: 'random' as const,
      now: () => 0,
      random: () => 0.5,
    };
    expect(() => new LogicalServer({ ...base, servers: [] })).toThrow(ConnectControlError);
    expect(() => new LogicalServer({ ...base, servers: [{ id: 'a' }, { id: 'a' }] })).toThrow(
      ConnectControlError,
    );
    expect(() => new LogicalServer({ ...base, servers: [{ id: 'a' }], port: 70_000 })).toThrow(
      ConnectControlError,
    );
    const ls = new LogicalServer({ ...base, servers: [{ id: 'a' }] });
    expect(() => ls.reportLoad('b', 1)).toThrow(ConnectControlError);
    expect(() => ls.reportLoad('a', Number.NaN)).toThrow(ConnectControlError);
  });
  it('should refuse a random source value outside [0, 1] with INVALID_CONFIG, never pick no server or throw a TypeError', () => {
    for (const r of [Number.NaN, -0.1, -1, 1.5]) {
      const ls = new LogicalServer({
        name: 'w',
        address: '192.0.2.1',
        port: 80,
        method: 'random',
        servers: [{ id: 'a' }, { id: 'b' }],
        persistency: 'server',
        now: () => 0,
        random: () => r,
      });
      for (let i = 0; i < 2; i++) {
        expect(() => ls.pick({ client: 'c' })).toThrow(
          expect.objectContaining({ name: 'ConnectControlError', code: 'INVALID_CONFIG' }),
        );
      }
    }
  });

  it('should keep to the servers it was built with when the caller changes its own array later', () => {
    const servers = [{ id: 'a' }, { id: 'b' }];
    const ls = new LogicalServer({
      name: 'w',
      address: '192.0.2.1',
      port: 80,
      method: 'round-robin',
      servers,
      now: () => 0,
      random: () => 0,
    });
    servers.push({ id: 'c' });
    servers.shift();
    expect([0, 1, 2, 3].map(() => ls.pick({ client: 'x' }))).toEqual(['a', 'b', 'a', 'b']);
  });
});
