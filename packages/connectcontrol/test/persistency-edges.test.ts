import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { build, method, replayNeverFailed, step } from './arbitraries.js';

// Properties and examples a planted bug in the persistency, freshness or failure handling of
// LogicalServer failed, where the broader properties in logical-server.test.ts passed (found in review).

describe('LogicalServer edges', () => {
  it('should never pick a failed server while a healthy one exists, with servers failing often', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 5 })
          .chain((n) =>
            fc.tuple(
              fc.constant(n),
              method,
              fc.nat(),
              fc.array(step(n, true), { minLength: 20, maxLength: 80 }),
            ),
          ),
        fc.constantFrom('none', 'service', 'server') as fc.Arbitrary<'none' | 'service' | 'server'>,
        ([n, m, seed, steps], persistency) => {
          const built = build(n, m, seed, { persistency, availability: { interval: 1_000, retries: 1 } });
          replayNeverFailed(built, steps);
        },
      ),
    );
  });

  it('should keep a binding at exactly persistencyTimeout after the last connection and end it 1 ms later', () => {
    const { ls, clock } = build(3, 'round-robin', 0, { persistency: 'server', persistencyTimeout: 1_000 });
    expect(ls.pick({ client: 'c' })).toBe('s0');
    clock.advance(1_000);
    expect(ls.pick({ client: 'c' })).toBe('s0');
    clock.advance(1_001);
    expect(ls.pick({ client: 'c' })).toBe('s1');
  });

  it('should evict the least recently used binding past maxPersistentClients', () => {
    const { ls } = build(4, 'round-robin', 0, { persistency: 'server', maxPersistentClients: 2 });
    expect(ls.pick({ client: 'a' })).toBe('s0');
    expect(ls.pick({ client: 'b' })).toBe('s1');
    expect(ls.pick({ client: 'a' })).toBe('s0'); // a is now the most recently used
    expect(ls.pick({ client: 'c' })).toBe('s2'); // evicts b
    expect(ls.pick({ client: 'a' })).toBe('s0');
    expect(ls.pick({ client: 'b' })).toBe('s3'); // b's binding is gone: a new choice
  });

  it('should bind a request without a service as one for the logical server port', () => {
    const { ls } = build(3, 'round-robin', 0, { persistency: 'service' });
    expect(ls.pick({ client: 'c' })).toBe('s0');
    expect(ls.pick({ client: 'c', service: 80 })).toBe('s0');
    expect(ls.pick({ client: 'c', service: 443 })).toBe('s1');
  });

  it('should never pick a server whose equal load report has gone stale', () => {
    const { ls, clock } = build(3, 'server-load', 0, { reportTimeout: 10_000 });
    ls.reportLoad('s0', 5);
    clock.advance(20_000);
    ls.reportLoad('s1', 5);
    ls.reportLoad('s2', 7);
    for (let i = 0; i < 4; i++) expect(ls.pick({ client: 'c' })).toBe('s1');
  });

  it('should end a binding whose server failed since the client last came, even if it is up again', () => {
    const { ls } = build(2, 'round-robin', 0, { persistency: 'server' });
    expect(ls.pick({ client: 'c' })).toBe('s0');
    ls.reportProbe('s0', false);
    ls.reportProbe('s0', false);
    expect(ls.state('s0')).toBe('failed');
    ls.reportProbe('s0', true);
    expect(ls.pick({ client: 'c' })).toBe('s1');
    expect(ls.pick({ client: 'c' })).toBe('s1');
  });
});
