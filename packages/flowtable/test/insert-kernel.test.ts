import { createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BucketIndex, setKernelThreshold } from '../src/bucket-index.js';
import { FlowTable } from '../src/index.js';
import { setInsertKernel } from '../src/keyed-entries.js';
import { pseudoRandomFlows, smallFlow } from './arbitraries.js';

// IPv4 keys from pools small enough that a sequence meets present keys and aliases, and large
// enough (65 536 keys) that buckets fill and keys overflow into the next ones.
const pooled = fc
  .tuple(fc.nat({ max: 15 }), fc.nat({ max: 15 }), fc.nat({ max: 15 }), fc.nat({ max: 15 }), fc.boolean())
  .map(([s, d, sp, dp, udp]) =>
    setFlowV4(
      createFlowKey(),
      udp ? IpProtocol.UDP : IpProtocol.TCP,
      0x0a000000 + s,
      0xc0000200 + d * 0x1000000,
      1024 + sp,
      443 + dp,
      PortKind.PORTS,
    ),
  );
const key = fc.oneof({ arbitrary: pooled, weight: 4 }, { arbitrary: smallFlow, weight: 1 });
// A step inserts (or, one in ten, removes an entry); `again` makes its key (1), its alias (2) or
// both (3) keys an earlier step used, so that present keys and aliases come back wherever they sit.
const step = fc.record({
  key,
  alias: fc.option(key, { freq: 2 }),
  tag: fc.nat({ max: 0xffff }),
  remove: fc.nat({ max: 9 }),
  again: fc.nat({ max: 4 }),
  at: fc.nat(),
});

interface Inside {
  index: BucketIndex;
  refs: Uint32Array;
}

/** The index words and the live entries' record words of `table`. */
function words(table: FlowTable): { slots: number[]; records: number[]; used: number } {
  const inside = table as unknown as Inside;
  return {
    slots: Array.from(inside.index.slots),
    records: Array.from(inside.refs.subarray(0, table.size * 8)),
    used: inside.index.used,
  };
}

describe('tryInsert through the WebAssembly insert', () => {
  it('should give with the WebAssembly insert the results, index words and records the JavaScript steps give, through growth and removals', () => {
    const before = setKernelThreshold(0);
    try {
      fc.assert(
        fc.property(
          fc.boolean(),
          fc.integer({ min: 1, max: 8 }),
          fc.nat({ max: 400 }),
          fc.integer(),
          fc.array(step, { maxLength: 120 }),
          (symmetric, capacity, fill, seed, steps) => {
            const kernel = new FlowTable({ symmetric, capacity });
            const js = new FlowTable({ symmetric, capacity });
            expect((kernel as unknown as Inside).index.kernel).not.toBeNull();
            // Filled first (through the JavaScript steps), so that buckets are full and keys sit
            // past their home when the steps come back to them.
            const seen: FlowKey[] = pseudoRandomFlows(seed, fill);
            setInsertKernel(false);
            for (const [i, k] of seen.entries()) {
              const alias = i % 3 === 0 ? (seen[i + 1] ?? null) : null;
              kernel.tryInsert(k, 0, 1, 2, 0, alias);
              js.tryInsert(k, 0, 1, 2, 0, alias);
            }
            setInsertKernel(true);
            let now = 0;
            for (const s of steps) {
              now += 7;
              if (s.remove === 0 && kernel.size > 0) {
                kernel.removeAt(s.at % kernel.size);
                js.removeAt(s.at % js.size);
                continue;
              }
              const k =
                (s.again & 1) === 1 && seen.length > 0 ? (seen[s.at % seen.length] as FlowKey) : s.key;
              const a =
                (s.again & 2) === 2 && seen.length > 0
                  ? (seen[(s.at >>> 4) % seen.length] as FlowKey)
                  : s.alias;
              seen.push(s.key);
              if (s.alias !== null) seen.push(s.alias);
              setInsertKernel(true);
              const got = kernel.tryInsert(k, now, 3, 4, s.tag, a);
              setInsertKernel(false);
              const want = js.tryInsert(k, now, 3, 4, s.tag, a);
              setInsertKernel(true);
              expect(got).toBe(want);
              expect(words(kernel)).toEqual(words(js));
              expect(kernel.aliasCount).toBe(js.aliasCount);
            }
            const out = createFlowKey();
            for (let h = 0; h < kernel.size; h++) {
              const k: FlowKey = kernel.keyAt(h, out);
              expect(kernel.find(k)).toBe(h);
            }
          },
        ),
        { numRuns: 60 },
      );
    } finally {
      setKernelThreshold(before);
      setInsertKernel(true);
    }
  });
});
