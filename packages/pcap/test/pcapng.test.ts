import { describe, expect, it } from 'vitest';
import { LinkType, PcapError, readCapture } from '../src/index.js';
import { readChunked } from './collect.js';
import { epb, idb, opb, shb, spb, u16, u32, unknownBlock } from './pcapng-blocks.js';

const frame = [1, 2, 3, 4, 5];

describe('pcapng reader', () => {
  it('should read enhanced, obsolete and simple packet blocks, skipping unknown blocks and options', () => {
    for (const le of [true, false]) {
      const bytes = Uint8Array.from([
        ...shb(le, 'made by hand'),
        ...idb(le, LinkType.ETHERNET, 0, 9),
        ...unknownBlock(le, 4, 40), // name resolution
        ...idb(le, LinkType.RAW, 96),
        ...epb(le, 1, 1_700_000_000_123_456_789n, frame, 60),
        ...unknownBlock(le, 5, 24), // interface statistics
        ...opb(le, 0, 2_000_000_000n, frame),
        ...unknownBlock(le, 0x40000bad, 12), // custom
        ...spb(le, frame),
      ]);
      const { packets, summary } = readChunked(bytes, [7]);
      expect(summary.error).toBeNull();
      expect(
        packets.map((p) => [p.interfaceId, p.linkType, p.timestampSec, p.timestampNs, p.originalLength]),
      ).toEqual([
        [1, LinkType.RAW, 1_700_000_000_123, 456_789_000, 60],
        [0, LinkType.ETHERNET, 2, 0, 5],
        [0, LinkType.ETHERNET, 0, 0, 5],
      ]);
      for (const p of packets) expect([...p.data]).toEqual(frame);
    }
  });

  it('should convert nanosecond timestamps exactly beyond 2^53 units', () => {
    const units = 1_700_000_000_987_654_321n;
    const bytes = Uint8Array.from([...shb(true), ...idb(true, 1, 0, 9), ...epb(true, 0, units, frame)]);
    const { packets } = readChunked(bytes);
    expect(packets[0]?.timestampSec).toBe(1_700_000_000);
    expect(packets[0]?.timestampNs).toBe(987_654_321);
  });

  it('should convert binary and sub-nanosecond if_tsresol timestamps exactly', () => {
    // 2^-30 s and picosecond units pass 2^53 at these dates: a double lost up to ~20 ns here.
    const cases: [number, bigint, number, number][] = [
      [0x80 | 30, (1_700_000_000n << 30n) + 123_456_789n, 1_700_000_000, 114_978_094],
      [0x80 | 20, (1_700_000_000n << 20n) + 524_288n, 1_700_000_000, 500_000_000],
      [12, 10_000_000n * 10n ** 12n + 123_456_789_012n, 10_000_000, 123_456_789],
      [0x80 | 127, 2n ** 64n - 1n, 0, 0],
    ];
    for (const le of [true, false]) {
      for (const [tsresol, units, sec, ns] of cases) {
        const bytes = Uint8Array.from([...shb(le), ...idb(le, 1, 0, tsresol), ...epb(le, 0, units, frame)]);
        const { packets, summary } = readChunked(bytes);
        expect(summary.error).toBeNull();
        expect([packets[0]?.timestampSec, packets[0]?.timestampNs]).toEqual([sec, ns]);
      }
    }
  });

  it('should add a signed if_tsoffset to the seconds, in either byte order', () => {
    const withOffset = (le: boolean, tsresol: number, offset: bigint): number[] => {
      const o = BigInt.asUintN(64, offset);
      const [hi, lo] = [Number(o >> 32n), Number(o & 0xffff_ffffn)];
      const value = le ? [...u32(lo, le), ...u32(hi, le)] : [...u32(hi, le), ...u32(lo, le)];
      const body = [
        ...u16(LinkType.ETHERNET, le),
        0,
        0,
        ...u32(0, le),
        ...u16(9, le),
        ...u16(1, le),
        tsresol,
        0,
        0,
        0,
        ...u16(14, le),
        ...u16(8, le),
        ...value,
        ...u32(0, le),
      ];
      return [...u32(1, le), ...u32(12 + body.length, le), ...body, ...u32(12 + body.length, le)];
    };
    for (const le of [true, false]) {
      const bytes = Uint8Array.from([
        ...shb(le),
        ...withOffset(le, 9, -1000n),
        ...epb(le, 0, 5_000_000_123n, frame),
        ...shb(!le),
        ...withOffset(!le, 6, 1n << 33n),
        ...epb(!le, 0, 7_000_001n, frame),
      ]);
      const { packets, summary } = readChunked(bytes, [9]);
      expect(summary.error).toBeNull();
      expect(packets.map((p) => [p.timestampSec, p.timestampNs])).toEqual([
        [5 - 1000, 123],
        [7 + 2 ** 33, 1000],
      ]);
    }
  });

  it('should reset interfaces at a new section, whose byte order may differ', () => {
    const bytes = Uint8Array.from([
      ...shb(true),
      ...idb(true, LinkType.ETHERNET, 0),
      ...epb(true, 0, 1_000_000n, frame),
      ...shb(false),
      ...idb(false, LinkType.LINUX_SLL, 0),
      ...epb(false, 0, 2_000_000n, frame),
    ]);
    const { packets, summary } = readChunked(bytes);
    expect(summary.error).toBeNull();
    expect(packets.map((p) => [p.linkType, p.timestampSec])).toEqual([
      [LinkType.ETHERNET, 1],
      [LinkType.LINUX_SLL, 2],
    ]);
  });

  it('should report a packet naming an undescribed interface as UNKNOWN_INTERFACE', () => {
    const bytes = Uint8Array.from([
      ...shb(true),
      ...idb(true, 1, 0),
      ...epb(true, 0, 0n, frame),
      ...epb(true, 3, 0n, frame),
    ]);
    const first = 28 + idb(true, 1, 0).length;
    const { packets, summary } = readChunked(bytes);
    expect(packets.length).toBe(1);
    expect(summary.error?.code).toBe('UNKNOWN_INTERFACE');
    expect(summary.error?.offset).toBe(first + epb(true, 0, 0n, frame).length + 8);
  });

  it('should report a trailing length that differs from the leading one as BAD_BLOCK', () => {
    const good = [...shb(true), ...idb(true, 1, 0)];
    const bad = epb(true, 0, 0n, frame);
    bad.splice(bad.length - 4, 4, ...u32(bad.length + 4, true));
    const { summary } = readChunked(Uint8Array.from([...good, ...bad]));
    expect(summary.error?.code).toBe('BAD_BLOCK');
  });

  it('should refuse a packet block longer than the block limit without buffering it', () => {
    const bytes = Uint8Array.from([
      ...shb(true),
      ...idb(true, 1, 0),
      6,
      0,
      0,
      0,
      ...u32(0x7fff_fff0, true),
      ...new Array<number>(64).fill(0),
    ]);
    const { summary, maxCarry } = readChunked(bytes, [16]);
    expect(summary.error?.code).toBe('BAD_LENGTH');
    expect(maxCarry).toBeLessThanOrEqual(4096);
  });

  it('should skip an unknown block of any size without buffering it, and call a cut one TRUNCATED', () => {
    const bytes = Uint8Array.from([
      ...shb(true),
      ...u32(0x0bad, true),
      ...u32(0x7fff_fff0, true),
      ...new Array<number>(5000).fill(0),
    ]);
    const { summary, maxCarry } = readChunked(bytes, [100]);
    expect(summary.error?.code).toBe('TRUNCATED');
    expect(summary.error?.offset).toBe(28);
    expect(maxCarry).toBeLessThanOrEqual(4096);
  });

  it('should reject wrong magic, unknown versions and empty input with typed errors at their offsets', () => {
    const cases: [number[], string, number][] = [
      [[1, 2, 3, 4, 5, 6, 7, 8], 'BAD_MAGIC', 0],
      [[], 'TRUNCATED', 0],
      [[0xd4, 0xc3, 0xb2, 0xa1, 3, 0, 4, 0, ...new Array<number>(16).fill(0)], 'UNSUPPORTED_VERSION', 4],
      [[0xd4, 0xc3, 0xb2, 0xa1, 2, 0], 'TRUNCATED', 0],
      [[0x0a, 0x0d, 0x0d, 0x0a, 28, 0, 0, 0, 1, 2, 3, 4], 'BAD_BLOCK', 8],
    ];
    for (const [bytes, code, offset] of cases) {
      const summary = readCapture(Uint8Array.from(bytes), () => {});
      expect(summary.error).toBeInstanceOf(PcapError);
      expect([summary.error?.code, summary.error?.offset]).toEqual([code, offset]);
    }
  });
});
