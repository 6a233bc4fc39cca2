import { createFlowKey, type FlowKey, reverseFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BucketIndex, OCC_BIT, slotBase } from '../src/bucket-index.js';
import { QueryKey } from '../src/query-key.js';
import { RecordPool } from '../src/record-pool.js';
import { GENERAL, hit, locate4, locate6 } from '../src/single-find.js';
import { anyFlow, garbageFlow, smallFlow } from './arbitraries.js';

/** Keys from small pools (they collide and repeat) and over the whole ranges (high address bits). */
const flow = fc.oneof(smallFlow, anyFlow);

type Op = { readonly kind: 'insert' | 'remove'; readonly key: FlowKey };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: flow.map((key): Op => ({ kind: 'insert', key })) },
  { weight: 1, arbitrary: flow.map((key): Op => ({ kind: 'remove', key })) },
);

/** What `FlowTable`'s general path answers for `key`: the entry as {@link hit} encodes it, or -1. */
function general(
  index: BucketIndex,
  pool: RecordPool,
  key: FlowKey,
  symmetric: boolean,
  seed: number,
): number {
  const q = new QueryKey();
  q.load(key, symmetric, seed);
  const i = index.find(q, pool);
  return i < 0 ? -1 : hit(index.slots, slotBase(i), q.swapped);
}

/** The fast path's answer for `key`: {@link locate4}, else {@link locate6}, else {@link GENERAL}. */
function fast(index: BucketIndex, pool: RecordPool, key: unknown, symmetric: boolean, seed: number): number {
  const k = key as FlowKey;
  const r4 = locate4(index, k, symmetric, seed);
  return r4 !== GENERAL ? r4 : locate6(index, pool, k, symmetric, seed);
}

describe('single-key lookup (locate4, locate6)', () => {
  it('should give for every key, its reverse and any other, the entry, alias and direction the general path gives, through inserts and removals in small indexes', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.nat({ max: 0xffffffff }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { minLength: 1, maxLength: 40 }),
        fc.array(flow, { maxLength: 8 }),
        (symmetric, seed, buckets, ops, others) => {
          const index = new BucketIndex(buckets, seed);
          const pool = new RecordPool(8, 4);
          const q = new QueryKey();
          let nextRef = 1;
          const check = (key: FlowKey): void => {
            expect(fast(index, pool, key, symmetric, seed)).toBe(general(index, pool, key, symmetric, seed));
          };
          for (const o of ops) {
            q.load(o.key, symmetric, seed);
            const code = index.find(q, pool);
            if (o.kind === 'insert' && code < 0 && index.used < index.buckets * 3) {
              const b = slotBase(index.claim(q.hash));
              q.store(index.slots, b, pool, OCC_BIT);
              // A distinct entry per slot, every other one an alias (ALT_BIT).
              index.slots[b + 4] = (nextRef | ((nextRef & 1) << 24)) >>> 0;
              nextRef++;
            } else if (o.kind === 'remove' && code >= 0) {
              const b = slotBase(code);
              if (((index.slots[b + 3] as number) & 0x400) !== 0) pool.release(index.slots[b] as number);
              index.release(code);
            }
            for (const p of ops) {
              check(p.key);
              check(reverseFlowKey(p.key, createFlowKey()));
            }
            for (const other of others) check(other);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('should leave every garbage key to the general path (which rejects it)', () => {
    fc.assert(
      fc.property(garbageFlow, fc.boolean(), (key, symmetric) => {
        const index = new BucketIndex(2, 0);
        // A field that cannot even be converted to a number throws here instead; the table's
        // methods turn that into INVALID_KEY (flow-table.test.ts).
        let answer: unknown;
        try {
          answer = fast(index, new RecordPool(8, 4), key, symmetric, 0);
        } catch {
          return;
        }
        expect(answer).toBe(GENERAL);
      }),
    );
  });
});
