import type { FlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  expectFindManyAsFind,
  expectFindPackedAsFind,
  pseudoRandomFlows,
  queryOf,
  tableWithAliases,
} from './arbitraries.js';

// A table whose index is past 4 MiB, so that findMany's IPv4 keys go through the WebAssembly
// kernel: grown (each rehash makes a new memory and kernel), with aliases and removals.
const keys = pseudoRandomFlows(0x5eed, 240_000);
const table = tableWithAliases(keys, { symmetric: true });
for (let h = 0; h < table.size; h += 5) table.removeAt(h);

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
          const queries = hows.map((how, i) =>
            queryOf(keys[(start + i * 977) % keys.length] as FlowKey, how),
          );
          expectFindManyAsFind(table, queries);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('should give with findMany, for every key of batches of 32 or more (whole kernel batches, IPv6 keys among them), the handle and flags find gives', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: keys.length - 1 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 32, maxLength: 100, size: 'max' }),
        (start, hows) => {
          const queries = hows.map((how, i) =>
            queryOf(keys[(start + i * 977) % keys.length] as FlowKey, how),
          );
          expectFindManyAsFind(table, queries);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should give with findPacked, for every packed key of batches of a large table (whole kernel batches, IPv6 keys among them), the handle and flags find gives', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: keys.length - 1 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 100 }),
        fc.integer({ min: 16, max: 40 }),
        fc.nat(20),
        (start, hows, stride, first) => {
          const queries = hows.map((how, i) =>
            queryOf(keys[(start + i * 977) % keys.length] as FlowKey, how),
          );
          expectFindPackedAsFind(table, queries, first, stride);
        },
      ),
      { numRuns: 200 },
    );
  });
});
