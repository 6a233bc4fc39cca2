import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUCKET_SLOTS, BucketIndex, NO_FREE, OCC_BIT, slotBase } from '../src/bucket-index.js';
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

describe('BucketIndex probe4 and claimAt', () => {
  it('should give with probe4 the slot of a stored key, and for an absent one the slot claim takes, which claimAt then fills as claim does', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.array(op, { minLength: 20, maxLength: 150, size: 'max' }),
        (buckets, ops) => {
          const index = new BucketIndex(buckets, SEED);
          let nextRef = 1;
          for (const o of ops) {
            if (o.kind === 'grow') {
              index.rehash(index.buckets + o.extra, () => undefined);
              continue;
            }
            const [s, d, p, m] = o.key;
            const hash = hash4(SEED, s, d, p, m);
            const found = index.find4(s, d, p, m, hash);
            // probe4 takes the words and the hash as signed 32-bit integers.
            const probed = index.probe4(s | 0, d | 0, p | 0, m, hash | 0);
            if (found >= 0) {
              expect(probed).toBe(~found);
              if (o.kind === 'remove') index.release(found);
              continue;
            }
            if (o.kind === 'remove' || index.used === index.buckets * BUCKET_SLOTS) {
              expect(probed === NO_FREE || probed >= 0).toBe(true);
              continue;
            }
            const before = index.slots.slice();
            const code = index.claim(hash);
            const after = index.slots.slice();
            if (probed !== NO_FREE) expect(probed).toBe(code);
            index.slots.set(before);
            index.used--;
            expect(index.claimAt(probed, hash | 0)).toBe(code);
            expect(index.slots).toEqual(after);
            index.slots.set([s, d, p, (m | OCC_BIT) >>> 0, nextRef++], slotBase(code));
            expect(index.consistent()).toBe(true);
          }
        },
      ),
    );
  });
});

describe('BucketIndex saturation', () => {
  it('should find every key and miss every absent one when more keys pass a bucket than its count can hold', () => {
    const index = new BucketIndex(140, SEED);
    // Keys that all hash home to bucket 0, found by search, so that every later key passes it.
    const keys: [number, number, number, number][] = [];
    for (let s = 1; keys.length < 330; s++) {
      if (index.home(hash4(SEED, s, 9, 80, 6)) === 0) keys.push([s, 9, 80, 6]);
    }
    // Every other key goes in through probe4 + claimAt, which must count past a saturated bucket as claim does.
    const insert = (k: readonly number[], ref: number): void => {
      const hash = hash4(SEED, k[0] as number, k[1] as number, k[2] as number, k[3] as number);
      const code =
        ref % 2 === 0
          ? index.claim(hash)
          : index.claimAt(
              index.probe4((k[0] as number) | 0, (k[1] as number) | 0, (k[2] as number) | 0, 6, hash | 0),
              hash | 0,
            );
      index.slots.set(
        [k[0] as number, k[1] as number, k[2] as number, (6 | OCC_BIT) >>> 0, ref],
        slotBase(code),
      );
    };
    const present = keys.slice(0, 300);
    present.forEach((k, i) => {
      insert(k, i + 1);
    });
    const find = (k: readonly number[]): number =>
      index.find4(
        k[0] as number,
        k[1] as number,
        k[2] as number,
        k[3] as number,
        hash4(SEED, k[0] as number, k[1] as number, k[2] as number, k[3] as number),
      );
    expect((index.slots[15] as number) >>> 24).toBe(255);
    expect(index.consistent()).toBe(true);
    // Remove all but every tenth key: bucket 0's count stays saturated, lookups stay exact.
    const kept = present.filter((_, i) => i % 10 === 0);
    present.forEach((k, i) => {
      if (i % 10 !== 0) index.release(find(k));
    });
    expect((index.slots[15] as number) >>> 24).toBe(255);
    expect(index.consistent()).toBe(true);
    for (const k of kept) expect(find(k)).toBeGreaterThanOrEqual(0);
    for (const k of keys.slice(300)) expect(find(k)).toBe(-1);
    for (const k of present.filter((_, i) => i % 10 !== 0)) expect(find(k)).toBe(-1);
    // A rehash counts afresh: exact again, below saturation.
    index.rehash(140, () => undefined);
    expect((index.slots[15] as number) >>> 24).toBe(kept.length - 3);
    expect(index.consistent()).toBe(true);
    for (const k of kept) expect(find(k)).toBeGreaterThanOrEqual(0);
  });
  it('should keep an index large enough for page-aligned memory exact through removals and a rehash into a new one', () => {
    const buckets = 70_000; // 4.3 MiB of buckets: past the size that moves to page-aligned memory
    const index = new BucketIndex(buckets, SEED);
    expect(index.slots.byteOffset).toBe(0);
    const keys: [number, number, number, number][] = [];
    let x = 0x2545f491;
    for (let i = 0; i < 150_000; i++) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      keys.push([x, i, (x >>> 7) ^ i, 6]);
    }
    const hashOf = (k: readonly number[]): number =>
      hash4(SEED, k[0] as number, k[1] as number, k[2] as number, k[3] as number);
    const find = (k: readonly number[]): number =>
      index.find4(k[0] as number, k[1] as number, k[2] as number, k[3] as number, hashOf(k));
    keys.forEach((k, i) => {
      index.slots.set(
        [k[0] as number, k[1] as number, k[2] as number, (6 | OCC_BIT) >>> 0, i + 1],
        slotBase(index.claim(hashOf(k))),
      );
    });
    keys.forEach((k, i) => {
      if (i % 2 === 1) index.release(find(k));
    });
    index.rehash(2 * buckets, () => undefined);
    expect(index.slots.byteOffset).toBe(0);
    expect(index.consistent()).toBe(true);
    keys.forEach((k, i) => {
      const code = find(k);
      if (i % 2 === 0) expect(index.slots[slotBase(code) + 4]).toBe(i + 1);
      else expect(code).toBe(-1);
    });
  });
});
