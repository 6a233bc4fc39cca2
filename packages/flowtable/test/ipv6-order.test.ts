import {
  createFlowKey,
  type FlowKey,
  flowKeyEquals,
  IpProtocol,
  PortKind,
  reverseFlowKey,
  setFlowV6,
} from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowTable } from '../src/index.js';
import { expectSymmetricFind } from './arbitraries.js';

/**
 * Two IPv6 addresses equal but for one of their four 32-bit words (high bit set or not), and
 * ports that are often equal: the canonical order of a symmetric table must then come from that
 * word alone, compared unsigned.
 */
const nearPair = fc
  .tuple(
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.integer({ min: 0, max: 3 }),
    fc.constantFrom(0, 1, 0x7fffffff, 0x80000000, 0xffffffff, 0x12345678),
    fc.constantFrom(0, 443, 0xffff),
    fc.constantFrom(0, 443, 0xffff),
  )
  .map(([base, word, value, sp, dp]): FlowKey => {
    const other = Uint8Array.from(base);
    for (let i = 0; i < 4; i++) other[word * 4 + i] = (value >>> (24 - 8 * i)) & 0xff;
    return setFlowV6(createFlowKey(), IpProtocol.TCP, base, other, sp, dp, PortKind.PORTS);
  });

describe('FlowTable with IPv6 keys', () => {
  it('should find an IPv6 flow and its reverse at the same entry whichever word their addresses differ in', () => {
    fc.assert(
      fc.property(nearPair, (key) => {
        const { table, handle } = expectSymmetricFind(key);
        expect(flowKeyEquals(table.keyAt(handle, createFlowKey()), key)).toBe(true);
      }),
    );
  });

  it('should find neither an IPv6 flow nor its reverse in a symmetric table holding only a flow one word away', () => {
    fc.assert(
      fc.property(nearPair, fc.integer({ min: 0, max: 31 }), (key, bit) => {
        const near = reverseFlowKey(key, createFlowKey());
        const bytes = bit < 16 ? near.src6 : near.dst6;
        bytes[bit % 16] = (bytes[bit % 16] as number) ^ 0x80;
        const table = new FlowTable({ symmetric: true });
        table.insert(near, 0, 1);
        expect(table.find(key)).toBe(-1);
        expect(table.find(reverseFlowKey(key, createFlowKey()))).toBe(-1);
      }),
    );
  });
});
