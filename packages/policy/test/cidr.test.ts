import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  cidrContainsV4,
  cidrContainsV6,
  formatCidr,
  formatRange,
  maskV4,
  PolicyError,
  parseCidr,
  parseRange,
} from '../src/index.js';
import { cidr, v4Address, v6Address } from './arbitraries/universe.js';

function bit(bytes: Uint8Array, i: number): number {
  return ((bytes[i >>> 3] as number) >>> (7 - (i & 7))) & 1;
}

describe('address blocks and ranges', () => {
  it('should parse what formatCidr prints back into the same block', () => {
    fc.assert(
      fc.property(cidr, (c) => {
        expect(parseCidr(formatCidr(c))).toEqual(c);
      }),
    );
  });

  it('should contain an IPv4 address exactly when its first prefix bits equal the network', () => {
    fc.assert(
      fc.property(cidr, v4Address, (c, a) => {
        fc.pre(c.family === 4);
        let same = true;
        for (let i = 0; i < c.prefix; i++) same &&= ((a >>> (31 - i)) & 1) === ((c.v4 >>> (31 - i)) & 1);
        expect(cidrContainsV4(c, a)).toBe(same);
        expect(cidrContainsV4(c, a)).toBe((a & maskV4(c.prefix)) >>> 0 === c.v4);
      }),
    );
  });

  it('should contain an IPv6 address exactly when its first prefix bits equal the network', () => {
    fc.assert(
      fc.property(cidr, v6Address, (c, a) => {
        fc.pre(c.family === 6);
        let same = true;
        for (let i = 0; i < c.prefix; i++) same &&= bit(a, i) === bit(c.v6, i);
        expect(cidrContainsV6(c, a)).toBe(same);
      }),
    );
  });

  it('should refuse any text with a PolicyError or return a block that prints back to it', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string(), fc.constantFrom('10.0.0.0/8', '10.0.0.1/8', '::/0', '1.2.3.4/33')),
        (text) => {
          try {
            const c = parseCidr(text);
            expect(parseCidr(formatCidr(c))).toEqual(c);
          } catch (error) {
            expect(error).toBeInstanceOf(PolicyError);
          }
        },
      ),
    );
  });

  it('should refuse any range text with a PolicyError or return an ordered in-bounds range', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.integer(), fc.constantFrom('1-2', '5-1', '0-65535')), (value) => {
        try {
          const r = parseRange(value, 0, 65535, 'port');
          expect(r.from).toBeLessThanOrEqual(r.to);
          expect(r.to).toBeLessThanOrEqual(65535);
          expect(parseRange(formatRange(r), 0, 65535, 'port')).toEqual(r);
        } catch (error) {
          expect(error).toBeInstanceOf(PolicyError);
        }
      }),
    );
  });

  it('should say which network a block with host bits set probably meant', () => {
    expect(() => parseCidr('10.1.2.3/8')).toThrow(/10\.0\.0\.0\/8/);
  });
});
