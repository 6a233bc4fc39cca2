import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { kernelThreshold, setKernelThreshold } from '../src/bucket-index.js';
import { FlowTable, KEY_WORDS, KeyWord } from '../src/index.js';
import {
  anyFlow,
  expectFindPackedAsFind,
  packKey,
  pseudoRandomFlows,
  queryOf,
  smallFlow,
  tableWithAliases,
} from './arbitraries.js';

/**
 * findPacked against find: up to `most` keys of a table grown from one entry (aliases among them,
 * IPv6 keys after them), each queried one of four ways, packed at any stride and offset.
 */
function packedAsFind(most: number): void {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 0x7fffffff }),
      fc.integer({ min: 1, max: 3000 }),
      fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: most }),
      fc.array(smallFlow, { maxLength: 8 }),
      fc.boolean(),
      fc.integer({ min: KEY_WORDS, max: 40 }),
      fc.nat(20),
      (seed, n, hows, v6, symmetric, stride, first) => {
        const keys = [...pseudoRandomFlows(seed, n), ...v6];
        const table = tableWithAliases(keys, { capacity: 1, symmetric });
        const picked = [...keys.slice(0, most), ...v6];
        const queries = picked.map((k, i) => queryOf(k, hows[i % hows.length] as number));
        expectFindPackedAsFind(table, queries, first, stride);
      },
    ),
    { numRuns: 25 },
  );
}

describe('findPacked', () => {
  it('should give with findPacked, for every packed key at any stride and offset, the handle and flags find gives', () => {
    packedAsFind(60);
  });

  it('should give with findPacked through the kernels (every index in WebAssembly memory, its stage 1 there too), for every packed key at any stride and offset, the handle and flags find gives', () => {
    const before = setKernelThreshold(0);
    try {
      packedAsFind(80);
    } finally {
      setKernelThreshold(before);
    }
  });

  it('should reject garbage packed words with INVALID_KEY and bad arrays, strides and counts with INVALID_VALUE, leaving the table unchanged (with or without the kernels)', () => {
    const badWord = fc.constantFrom<[number, number]>(
      [KeyWord.FAMILY, 5],
      [KeyWord.FAMILY, 0],
      [KeyWord.FAMILY, -4],
      [KeyWord.PROTOCOL, 256],
      [KeyWord.PROTOCOL, -1],
      [KeyWord.PORT_KIND, 4],
      [KeyWord.SRC_PORT, 65536],
      [KeyWord.DST_PORT, -1],
    );
    // Through the kernels too: every index in WebAssembly memory, findPacked's stage 1 there.
    for (const threshold of [kernelThreshold(), 0]) {
      const before = setKernelThreshold(threshold);
      try {
        fc.assert(
          fc.property(
            fc.array(anyFlow, { minLength: 1, maxLength: 40 }),
            fc.nat(39),
            badWord,
            fc.oneof(fc.integer({ min: -5, max: 60 }), fc.double()),
            fc.integer({ min: -2, max: 20 }),
            fc.constantFrom<unknown>(null, 42, [0, 1], new Float64Array(64), new Uint32Array(64)),
            (keys, at, [word, value], count, stride, buffer) => {
              const table = new FlowTable({ symmetric: true, capacity: 64 });
              for (const k of keys) if (!table.has(k)) table.insert(k, 0, 1);
              const size = table.size;
              const words = new Int32Array(KEY_WORDS * keys.length);
              keys.forEach((k, i) => {
                packKey(k, words, KEY_WORDS * i);
              });
              const out = new Int32Array(keys.length);
              const ok = Number.isInteger(count) && count >= 0 && count <= keys.length;
              if (ok) expect(table.findPacked(words, 0, KEY_WORDS, count, out)).toBe(Math.abs(count));
              else
                expect(() => table.findPacked(words, 0, KEY_WORDS, count, out)).toThrow(
                  expect.objectContaining({ code: 'INVALID_VALUE' }),
                );
              const strideOk = stride >= KEY_WORDS && (keys.length - 1) * stride + KEY_WORDS <= words.length;
              if (!strideOk) {
                expect(() => table.findPacked(words, 0, stride, keys.length, out)).toThrow(
                  expect.objectContaining({ code: 'INVALID_VALUE' }),
                );
              }
              for (const call of [
                () => table.findPacked(buffer as Int32Array, 0, KEY_WORDS, 1, out),
                () => table.findPacked(words, 0, KEY_WORDS, 1, buffer as Int32Array),
                () => table.findPacked(words, 0, KEY_WORDS, 1, out, buffer as Uint8Array),
                () => table.findPacked(words, -1, KEY_WORDS, 1, out),
                () => table.findPacked(words, 1, KEY_WORDS, keys.length, out),
              ]) {
                expect(call).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
              }
              const i = at % keys.length;
              // A field check that a lookup could not pass: the family, a field out of its range.
              words[KEY_WORDS * i + word] = value;
              expect(() => table.findPacked(words, 0, KEY_WORDS, keys.length, out)).toThrow(
                expect.objectContaining({ code: 'INVALID_KEY' }),
              );
              expect(table.size).toBe(size);
              for (const key of keys) expect(table.find(key)).toBeGreaterThanOrEqual(0);
            },
          ),
        );
      } finally {
        setKernelThreshold(before);
      }
    }
  });
});
