import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_SLOTS, BucketIndex, OCC_BIT, slotBase } from '../src/bucket-index.js';
import { hash4 } from '../src/mix.js';

const SEED = 7;

/** An IPv4 stored key as words, from small pools so that keys repeat and home buckets collide. */
const words = fc.tuple(
  fc.constantFrom(0, 1, 0xffffffff, 0x0a000001),
  fc.constantFrom(0, 2, 0x80000000),
  fc.constantFrom(0, 0x01bb0035, 0xffffffff),
  fc.constantFrom(6, 17, 1 | (2 << 8)),
);

type Op =
  | { readonly kind: 'insert' | 'remove'; readonly key: readonly [number, number, number, number] }
  | { readonly kind: 'grow'; readonly extra: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: words.map((key): Op => ({ kind: 'insert', key })) },
  { weight: 4, arbitrary: words.map((key): Op => ({ kind: 'remove', key })) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }).map((extra): Op => ({ kind: 'grow', extra })) },
);

describe('BucketIndex', () => {
  it('should keep every tag and overflow count in step with the stored keys, and find exactly those keys, through inserts, removals and rehashes', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { minLength: 20, maxLength: 150, size: 'max' }),
        (buckets, ops) => {
          const index = new BucketIndex(buckets, SEED);
          const model = new Map<string, { key: readonly number[]; code: number; ref: number }>();
          const codeOf = new Map<number, string>(); // ref -> model key
          let nextRef = 1;
          const hashOf = (k: readonly number[]): number =>
            hash4(SEED, k[0] as number, k[1] as number, k[2] as number, k[3] as number);
          for (const o of ops) {
            if (o.kind === 'grow') {
              index.rehash(index.buckets + o.extra, (ref, code) => {
                const row = model.get(codeOf.get(ref) as string);
                if (row !== undefined) row.code = code;
              });
            } else {
              const [s, d, p, m] = o.key;
              const name = o.key.join(',');
              const found = index.find4(s, d, p, m, hashOf(o.key));
              expect(found).toBe(model.get(name)?.code ?? -1);
              if (o.kind === 'insert' && found < 0 && index.used < index.buckets * BUCKET_SLOTS) {
                const code = index.claim(hashOf(o.key));
                const b = slotBase(code);
                index.slots.set([s, d, p, (m | OCC_BIT) >>> 0, nextRef], b);
                model.set(name, { key: o.key, code, ref: nextRef });
                codeOf.set(nextRef++, name);
              } else if (o.kind === 'remove' && found >= 0) {
                index.release(found);
                model.delete(name);
              }
            }
            expect(index.consistent()).toBe(true);
            expect(index.used).toBe(model.size);
            for (const row of model.values()) {
              const [s, d, p, m] = row.key as [number, number, number, number];
              expect(index.find4(s, d, p, m, hashOf(row.key))).toBe(row.code);
              expect(index.slots[slotBase(row.code) + 4]).toBe(row.ref);
            }
          }
        },
      ),
    );
  });
});
