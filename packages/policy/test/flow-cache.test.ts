import { cloneFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowCache, MISS } from '../src/flow-cache.js';
import { compilePolicy } from '../src/index.js';
import { matchBatchOf, matchManyOf, type Packet, packet } from './arbitraries/packets.js';
import { policy } from './arbitraries/policies.js';

/** An IPv4 point (7 fields) whose source address is `n`: distinct `n`, distinct cache keys. */
function point(n: number): Int32Array {
  return Int32Array.of(1, 0, 6, 1024, 443, n, 7);
}

describe('the flow cache', () => {
  it('should stand aside for exactly 15 windows after a window with under a quarter hits, and never after one with more', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.nat(16), { minLength: 1, maxLength: 12 }),
        (window, hitCounts) => {
          const cache = new FlowCache(256, window);
          const warm = point(1);
          cache.put(cache.slot(warm, 0), warm, 0, 5);
          let fresh = 100;
          for (const wanted of hitCounts) {
            const hits = Math.min(wanted, window);
            // One window: `hits` lookups of the cached point, the rest of points never seen.
            for (let i = 0; i < window; i++) {
              expect(cache.active()).toBe(true);
              const p = i < hits ? warm : point(fresh++);
              const o = cache.slot(p, 0);
              expect(cache.get(o)).toBe(i < hits ? 5 : MISS);
            }
            if (4 * hits < window) {
              for (let i = 0; i < 15 * window; i++) expect(cache.active()).toBe(false);
            }
          }
          expect(cache.active()).toBe(true);
        },
      ),
    );
  });

  it('should give the same result as no cache through runs where it stands aside and comes back', () => {
    fc.assert(
      fc.property(
        policy(12),
        packet.filter((x) => x.key.family === 4),
        fc.array(packet, { minLength: 1, maxLength: 8 }),
        (p, base, hot) => {
          const plain = compilePolicy(p, { flowCache: 0 });
          const cached = compilePolicy(p, { flowCache: 64 });
          // 1 500 flows seen once (the cache stands aside), then a few flows again and again
          // until it samples, finds them hitting and stays.
          const packets: Packet[] = [];
          for (let i = 0; i < 1500; i++) {
            const key = cloneFlowKey(base.key);
            key.srcPort = i;
            key.dstPort = (i * 7919) & 0xffff;
            packets.push({ key, iface: base.iface, vlan: base.vlan });
          }
          for (let i = 0; i < 18_000; i++) packets.push(hot[i % hot.length] as Packet);
          for (const { key, iface, vlan } of packets) {
            expect(cached.match(key, iface, vlan)).toBe(plain.match(key, iface, vlan));
          }
          expect(matchManyOf(cached, packets)).toEqual(matchManyOf(plain, packets));
          expect(matchBatchOf(cached, packets)).toEqual(matchManyOf(plain, packets));
        },
      ),
      { numRuns: 12 },
    );
  });
});
