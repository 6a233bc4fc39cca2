import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createToeplitz,
  HashError,
  MICROSOFT_RSS_KEY,
  parseIPv4,
  parseIPv6,
  SYMMETRIC_RSS_KEY,
  toeplitz,
} from '../src/index.js';
import { ipv6Bytes, port, symmetricKey, toeplitzKey, u32 } from './arbitraries.js';

// Microsoft's "Verifying the RSS Hash Calculation" suite (also Intel 82599 datasheet 7.1.2.8.3
// and DPDK's test_thash.c): every published value, IPv4 and IPv6, with and without ports.
const V4 = [
  ['66.9.149.187', 2794, '161.142.100.80', 1766, 0x323e8fc2, 0x51ccc178],
  ['199.92.111.2', 14230, '65.69.140.83', 4739, 0xd718262a, 0xc626b0ea],
  ['24.19.198.95', 12898, '12.22.207.184', 38024, 0xd2d0a5de, 0x5c2b394a],
  ['38.27.205.30', 48228, '209.142.163.6', 2217, 0x82989176, 0xafc7327f],
  ['153.39.163.191', 44251, '202.188.127.2', 1303, 0x5d1809c5, 0x10e828a2],
] as const;
const V6 = [
  ['3ffe:2501:200:1fff::7', 2794, '3ffe:2501:200:3::1', 1766, 0x2cc18cd5, 0x40207d3d],
  ['3ffe:501:8::260:97ff:fe40:efab', 14230, 'ff02::1', 4739, 0x0f0c461c, 0xdde51bbf],
  ['3ffe:1900:4545:3:200:f8ff:fe21:67cf', 44251, 'fe80::200:f8ff:fe21:67cf', 38024, 0x4b61e985, 0x02d1feef],
] as const;

function be(...parts: [number | Uint8Array, number][]): Uint8Array {
  const out: number[] = [];
  for (const [value, width] of parts) {
    if (value instanceof Uint8Array) out.push(...value);
    else for (let i = width - 1; i >= 0; i--) out.push((value >>> (8 * i)) & 0xff);
  }
  return Uint8Array.from(out);
}

describe('toeplitz verification values', () => {
  const h = createToeplitz(MICROSOFT_RSS_KEY);
  for (const [src, sp, dst, dp, l3, l4] of V4) {
    it(`should give ${l3.toString(16)} / ${l4.toString(16)} for ${src}:${sp} -> ${dst}:${dp}`, () => {
      const s = parseIPv4(src);
      const d = parseIPv4(dst);
      expect(toeplitz(MICROSOFT_RSS_KEY, be([s, 4], [d, 4]))).toBe(l3);
      expect(toeplitz(MICROSOFT_RSS_KEY, be([s, 4], [d, 4], [sp, 2], [dp, 2]))).toBe(l4);
      expect(h.v4(s, d)).toBe(l3);
      expect(h.v4(s, d, sp, dp)).toBe(l4);
    });
  }
  for (const [src, sp, dst, dp, l3, l4] of V6) {
    it(`should give ${l3.toString(16)} / ${l4.toString(16)} for [${src}]:${sp} -> [${dst}]:${dp}`, () => {
      const s = parseIPv6(src);
      const d = parseIPv6(dst);
      expect(toeplitz(MICROSOFT_RSS_KEY, be([s, 16], [d, 16]))).toBe(l3);
      expect(toeplitz(MICROSOFT_RSS_KEY, be([s, 16], [d, 16], [sp, 2], [dp, 2]))).toBe(l4);
      expect(h.v6(s, d)).toBe(l3);
      expect(h.v6(s, d, sp, dp)).toBe(l4);
    });
  }
});

describe('toeplitz table path', () => {
  it('should agree with the serial definition for IPv4 on every key and input', () => {
    fc.assert(
      fc.property(toeplitzKey, u32, u32, port, port, (key, s, d, sp, dp) => {
        const h = createToeplitz(key);
        return (
          h.v4(s, d) === toeplitz(key, be([s, 4], [d, 4])) &&
          h.v4(s, d, sp, dp) === toeplitz(key, be([s, 4], [d, 4], [sp, 2], [dp, 2]))
        );
      }),
    );
  });

  it('should agree with the serial definition for IPv6 on every key and input', () => {
    fc.assert(
      fc.property(toeplitzKey, ipv6Bytes, ipv6Bytes, port, port, (key, s, d, sp, dp) => {
        const h = createToeplitz(key);
        return (
          h.v6(s, d) === toeplitz(key, be([s, 16], [d, 16])) &&
          h.v6(s, d, sp, dp) === toeplitz(key, be([s, 16], [d, 16], [sp, 2], [dp, 2]))
        );
      }),
    );
  });

  it('should agree with the serial definition on any byte string the key covers', () => {
    fc.assert(
      fc.property(toeplitzKey, fc.uint8Array({ maxLength: 36 }), (key, data) => {
        return createToeplitz(key).bytes(data) === toeplitz(key, data);
      }),
    );
  });
});

describe('symmetric key', () => {
  it('should hash a flow and its reverse alike (IPv4 and IPv6)', () => {
    fc.assert(
      fc.property(symmetricKey, u32, u32, port, port, ipv6Bytes, ipv6Bytes, (key, s, d, sp, dp, s6, d6) => {
        const h = createToeplitz(key);
        return h.v4(s, d, sp, dp) === h.v4(d, s, dp, sp) && h.v6(s6, d6, sp, dp) === h.v6(d6, s6, dp, sp);
      }),
    );
  });

  it('should be detected as symmetric with 16 bits of entropy', () => {
    const h = createToeplitz(SYMMETRIC_RSS_KEY);
    expect(h.symmetric).toBe(true);
    expect(h.entropyBits).toBe(16);
    expect(createToeplitz(MICROSOFT_RSS_KEY).symmetric).toBe(false);
    // The pitfall the distribution layer must hide: every output is a multiple of 65537.
    expect(h.v4(0x0a000001, 0xc0000207, 1234, 443) % 65537).toBe(0);
  });

  it('should call a key symmetric exactly when it repeats every 16 bits', () => {
    // A key that repeats every 32 bits swaps the addresses alike, but not the two ports.
    const every32 = Uint8Array.from({ length: 40 }, (_, i) => MICROSOFT_RSS_KEY[i % 4] as number);
    expect(createToeplitz(every32).symmetric).toBe(false);
    fc.assert(
      fc.property(
        fc.oneof(
          toeplitzKey,
          fc
            .uint8Array({ minLength: 2, maxLength: 4 })
            .map((unit) => Uint8Array.from({ length: 40 }, (_, i) => unit[i % unit.length] as number)),
        ),
        (key) => {
          const h = createToeplitz(key);
          expect(h.symmetric).toBe(key.every((b, i) => i < 2 || b === key[i - 2]));
          expect(h.entropyBits).toBe(h.symmetric ? 16 : 32);
        },
      ),
    );
  });
});

describe('toeplitz bad input', () => {
  it('should reject a key shorter than input + 4 bytes with a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 60 }), fc.uint8Array({ maxLength: 60 }), (key, data) => {
        fc.pre(key.length < data.length + 4);
        try {
          toeplitz(key, data);
          return false;
        } catch (error) {
          return error instanceof HashError && error.code === 'INVALID_KEY';
        }
      }),
    );
  });

  it('should refuse IPv6 hashing with a key too short for 36 bytes', () => {
    const h = createToeplitz(MICROSOFT_RSS_KEY.subarray(0, 16));
    expect(h.v4(1, 2, 3, 4)).toBe(toeplitz(MICROSOFT_RSS_KEY, be([1, 4], [2, 4], [3, 2], [4, 2])));
    expect(() => h.v6(new Uint8Array(16), new Uint8Array(16))).toThrow(/at least input length \+ 4/);
  });

  it('should refuse IPv6 addresses of the wrong length', () => {
    const h = createToeplitz(MICROSOFT_RSS_KEY);
    expect(() => h.v6(new Uint8Array(4), new Uint8Array(16))).toThrow(HashError);
  });
});
