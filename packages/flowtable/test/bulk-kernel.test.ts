import { cloneFlowKey, createFlowKey, type FlowKey, reverseFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FindFlag, FlowTable } from '../src/index.js';
import { pseudoRandomFlows } from './arbitraries.js';

// A table whose index is past 4 MiB, so that findMany's IPv4 keys go through the WebAssembly
// kernel: grown (each rehash makes a new memory and kernel), with aliases and removals.
const keys = pseudoRandomFlows(0x5eed, 240_000);
const table = new FlowTable({ symmetric: true });
keys.forEach((k, i) => {
  if (table.has(k)) return;
  const h = table.insert(k, 0, i & 0xffff);
  const alias = cloneFlowKey(k);
  alias.srcPort = (alias.srcPort + 1) & 0xffff;
  if (i % 3 === 0 && !table.has(alias)) table.setAlias(h, alias);
});
for (let h = 0; h < table.size; h += 5) table.removeAt(h);

function query(k: FlowKey, how: number): FlowKey {
  if (how === 1) return reverseFlowKey(k, createFlowKey());
  const q = cloneFlowKey(k);
  if (how === 2) q.srcPort = (q.srcPort + 1) & 0xffff;
  if (how === 3) q.dstPort = (q.dstPort + 7) & 0xffff;
  return q;
}

describe('findMany on a large index (WebAssembly kernel)', () => {
  it('should run the kernel on an index past 4 MiB', () => {
    expect((table as unknown as { index: { kernel: unknown } }).index.kernel).not.toBeNull();
  });

  it('should give with findMany, for every key of any batch of a large table, the handle and flags find gives', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: keys.length - 1 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 100 }),
        (start, hows) => {
          const queries = hows.map((how, i) => query(keys[(start + i * 977) % keys.length] as FlowKey, how));
          const out = new Int32Array(queries.length);
          const flags = new Uint8Array(queries.length);
          const found = table.findMany(queries, out, flags);
          let hits = 0;
          queries.forEach((q, i) => {
            const h = table.find(q);
            expect(out[i]).toBe(h);
            if (h >= 0) hits++;
            const want =
              h < 0 ? 0 : (table.lastReply ? FindFlag.REPLY : 0) | (table.lastAlias ? FindFlag.ALIAS : 0);
            expect(flags[i]).toBe(want);
          });
          expect(found).toBe(hits);
        },
      ),
      { numRuns: 300 },
    );
  });
});
