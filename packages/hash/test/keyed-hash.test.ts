import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createKeyedHash, HashError, randomHashKey } from '../src/index.js';
import { hashKey, ipv6Bytes, port, u32 } from './arbitraries.js';

// The reference implementation's vectors_hsip32 (HalfSipHash-2-4, key 00..07, message 00..len-1),
// read as little-endian 32-bit tags.
const HSIP32 = [
  [0xa9, 0x35, 0x9f, 0x5b],
  [0x27, 0x47, 0x5a, 0xb8],
  [0xfa, 0x62, 0xa6, 0x03],
  [0x8a, 0xfe, 0xe7, 0x04],
  [0x2a, 0x6e, 0x46, 0x89],
  [0xc5, 0xfa, 0xb6, 0x69],
  [0x58, 0x63, 0xfc, 0x23],
  [0x8b, 0xcf, 0x63, 0xc5],
] as const;

// Pinned outputs of the default HalfSipHash-1-3: a release that changes them moves every flow.
const GOLDEN_1_3: number[] = [0x423146e2, 0x9ccfd4f9, 0x5814c896];

const le32 = (value: number): number[] => [
  value & 0xff,
  (value >>> 8) & 0xff,
  (value >>> 16) & 0xff,
  value >>> 24,
];

describe('HalfSipHash', () => {
  it('should reproduce the reference HalfSipHash-2-4 vectors', () => {
    const h = createKeyedHash(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7), { cRounds: 2, dRounds: 4 });
    HSIP32.forEach((tag, length) => {
      const message = Uint8Array.from({ length }, (_, i) => i);
      const [a, b, c, d] = tag;
      expect(h.bytes(message)).toBe((a | (b << 8) | (c << 16) | (d << 24)) >>> 0);
    });
  });

  it('should hash an IPv4 tuple as the bytes of its documented layout', () => {
    fc.assert(
      fc.property(hashKey, u32, u32, port, port, (key, s, d, sp, dp) => {
        const h = createKeyedHash(key);
        const layout = Uint8Array.from([...le32(s), ...le32(d), ...le32(((sp << 16) | dp) >>> 0)]);
        return h.v4(s, d, sp, dp) === h.bytes(layout);
      }),
    );
  });

  it('should hash an IPv6 tuple as the bytes of its documented layout', () => {
    fc.assert(
      fc.property(hashKey, ipv6Bytes, ipv6Bytes, port, port, (key, s, d, sp, dp) => {
        const h = createKeyedHash(key);
        const layout = Uint8Array.from([...s, ...d, ...le32(((sp << 16) | dp) >>> 0)]);
        return h.v6(s, d, sp, dp) === h.bytes(layout);
      }),
    );
  });

  it('should give different clusters different hashes for the same flow', () => {
    // Two random keys collide on a given input with probability 2^-32 per flow; over 64 flows
    // all colliding would mean the key is ignored.
    fc.assert(
      fc.property(hashKey, hashKey, (k1, k2) => {
        fc.pre(k1.some((b, i) => b !== k2[i]));
        const a = createKeyedHash(k1);
        const b = createKeyedHash(k2);
        let same = 0;
        for (let i = 0; i < 64; i++)
          if (a.v4(i, 0x0a000001, 1000 + i, 443) === b.v4(i, 0x0a000001, 1000 + i, 443)) same++;
        return same < 4;
      }),
    );
  });

  it('should pin the HalfSipHash-1-3 outputs used for distribution', () => {
    const h = createKeyedHash(Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7));
    expect([h.v4(0x0a000001, 0xc0000207, 1234, 443), h.v4(0, 0), h.bytes(new Uint8Array(0))]).toEqual(
      GOLDEN_1_3,
    );
  });

  it('should draw random 8-byte keys', () => {
    const a = randomHashKey();
    expect(a).toHaveLength(8);
    expect(randomHashKey()).not.toEqual(a);
  });

  it('should reject keys that are not 8 bytes and rounds out of range with typed errors', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 20 }), (key) => {
        fc.pre(key.length !== 8);
        expect(() => createKeyedHash(key)).toThrow(HashError);
      }),
    );
    expect(() => createKeyedHash(new Uint8Array(8), { cRounds: 0 })).toThrow(
      /cRounds must be an integer 1..8/,
    );
  });
});
