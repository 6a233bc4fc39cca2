import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  collectBytes,
  createWriter,
  PcapError,
  PcapngWriter,
  PcapWriter,
  readCapture,
  type WriterOptions,
  writeCapture,
} from '../src/index.js';
import { packetsArb } from './arbitraries.js';
import { readChunked } from './collect.js';

describe('writers', () => {
  it('should cut packets longer than the snapshot length, keeping their original length', () => {
    fc.assert(
      fc.property(
        packetsArb,
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom('pcap' as const, 'pcapng' as const),
        (packets, snaplen, format) => {
          const file =
            format === 'pcap'
              ? writeCapture(packets, { format, snaplen })
              : writeCapture(packets, { format, interfaces: [{ snaplen }] });
          const { packets: got, summary } = readChunked(file);
          expect(summary.error).toBeNull();
          got.forEach((g, i) => {
            const p = packets[i] as (typeof packets)[number];
            expect(g.data).toEqual(p.data.subarray(0, snaplen));
            expect(g.originalLength).toBe(p.originalLength);
          });
        },
      ),
    );
  });

  it('should apply linkType, snaplen and nanoseconds alike in both formats, as defaults a pcapng interface overrides', () => {
    const settings = fc.record(
      {
        linkType: fc.constantFrom(1, 101, 113, 0, 147),
        snaplen: fc.integer({ min: 1, max: 200 }),
        nanoseconds: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(
        settings,
        fc.option(fc.array(settings, { minLength: 1, maxLength: 3 }), { nil: undefined }),
        fc.uint8Array({ maxLength: 300 }),
        fc.nat({ max: 999_999_999 }),
        (top, interfaces, data, timestampNs) => {
          const read = (file: Uint8Array): [number, number, number, number][] => {
            const got: [number, number, number, number][] = [];
            readCapture(file, (p) => got.push([p.interfaceId, p.linkType, p.capturedLength, p.timestampNs]), {
              decode: false,
            });
            return got;
          };
          const n = interfaces?.length ?? 1;
          const packets = Array.from({ length: n }, (_, interfaceId) => ({
            timestampSec: 1,
            timestampNs,
            data,
            interfaceId,
          }));
          const expected = packets.map((_, i): [number, number, number, number] => {
            const own = interfaces?.[i] ?? {};
            const snaplen = own.snaplen ?? top.snaplen ?? 262_144;
            const nanoseconds = own.nanoseconds ?? top.nanoseconds ?? false;
            return [
              i,
              own.linkType ?? top.linkType ?? 1,
              Math.min(data.length, snaplen),
              nanoseconds ? timestampNs : Math.floor(timestampNs / 1000) * 1000,
            ];
          });
          expect(
            read(writeCapture(packets, { format: 'pcapng', ...top, ...(interfaces && { interfaces }) })),
          ).toEqual(expected);
          // A classic file has one interface: the same options write the same packet, and a list
          // of interfaces is refused rather than dropped.
          const classic = { format: 'pcap', ...top, interfaces } as WriterOptions;
          if (interfaces === undefined) {
            expect(read(writeCapture(packets, classic))).toEqual(expected);
          } else {
            expect(() => writeCapture(packets, classic)).toThrow(
              expect.objectContaining({
                code: 'INVALID_ARGUMENT',
                message: expect.stringContaining('pcapng'),
              }),
            );
          }
        },
      ),
    );
  });

  it('should reject out-of-range packets and options with a typed error, writing nothing for them', () => {
    const bad = fc.oneof(
      fc.record({
        timestampSec: fc.oneof(fc.integer({ max: -1 }), fc.constant(2 ** 41), fc.constant(0.5)),
        timestampNs: fc.constant(0),
        data: fc.constant(new Uint8Array(4)),
      }),
      fc.record({
        timestampSec: fc.constant(0),
        timestampNs: fc.oneof(fc.integer({ min: 1e9 }), fc.integer({ max: -1 })),
        data: fc.constant(new Uint8Array(4)),
      }),
      fc.record({
        timestampSec: fc.constant(0),
        timestampNs: fc.constant(0),
        data: fc.constant(new Uint8Array(4)),
        originalLength: fc.integer({ max: 3 }),
      }),
      fc.record({
        timestampSec: fc.constant(0),
        timestampNs: fc.constant(0),
        data: fc.constant(new Uint8Array(300_000)),
      }),
      fc.record({
        timestampSec: fc.constant(0),
        timestampNs: fc.constant(0),
        data: fc.constant(new Uint8Array(4)),
        interfaceId: fc.integer({ min: 1, max: 9 }),
      }),
      fc.record({
        timestampSec: fc.constant(0),
        timestampNs: fc.constant(0),
        data: fc.constant('abc' as unknown as Uint8Array),
      }),
    );
    fc.assert(
      fc.property(bad, fc.constantFrom('pcap' as const, 'pcapng' as const), (packet, format) => {
        const out = collectBytes();
        const writer = createWriter(out.sink, { format });
        expect(() => writer.write(packet)).toThrow(PcapError);
        writer.flush();
        const summary = readCapture(out.result(), () => {});
        expect([summary.packets, summary.error]).toEqual([0, null]);
      }),
    );
    const sink = collectBytes().sink;
    expect(() => new PcapWriter(sink, { snaplen: 0 })).toThrow(PcapError);
    expect(() => new PcapWriter(sink, { linkType: 70_000 })).toThrow(PcapError);
    expect(() => new PcapngWriter(sink, { interfaces: [] })).toThrow(PcapError);
    expect(() => createWriter(sink, { format: 'erf' as 'pcap' })).toThrow(PcapError);
  });

  it('should write pcapng timestamps up to the last second its 64-bit units hold, and refuse later ones', () => {
    const data = new Uint8Array(20);
    const last = 18_446_744_072;
    const packets = [
      { timestampSec: 2 ** 40, timestampNs: 999_999, data, interfaceId: 0 },
      { timestampSec: last, timestampNs: 999_999_999, data, interfaceId: 1 },
      { timestampSec: 2 ** 34 + 3, timestampNs: 7, data, interfaceId: 1 },
    ];
    const file = writeCapture(packets, { format: 'pcapng', interfaces: [{}, { nanoseconds: true }] });
    const { packets: got, summary } = readChunked(file);
    expect(summary.error).toBeNull();
    expect(got.map((p) => [p.timestampSec, p.timestampNs])).toEqual([
      [2 ** 40, 999_000],
      [last, 999_999_999],
      [2 ** 34 + 3, 7],
    ]);
    const out = collectBytes();
    const writer = new PcapngWriter(out.sink, { interfaces: [{ nanoseconds: true }] });
    // These wrapped around 2^64 ns: 2^35 s read back as 15912994294 s.
    for (const timestampSec of [last + 1, 2 ** 35, 2 ** 40]) {
      expect(() => writer.write({ timestampSec, timestampNs: 0, data })).toThrow(PcapError);
    }
    // Not an integer id, though the writer's per-interface arrays have such a property.
    expect(() =>
      writer.write({ timestampSec: 0, timestampNs: 0, data, interfaceId: 'length' as never }),
    ).toThrow(PcapError);
    writer.flush();
    expect([readCapture(out.result(), () => {}).packets]).toEqual([0]);
  });

  it('should carry a classic record fraction of a whole second or more into its seconds', () => {
    const header = (magic: number[]) => [
      ...magic,
      2,
      0,
      4,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0,
      0xff,
      0xff,
      0,
      0,
      1,
      0,
      0,
      0,
    ];
    // Nanosecond format, fraction 1e9 + 5; microsecond format, fraction 2e6 + 7.
    const ns = [
      ...header([0x4d, 0x3c, 0xb2, 0xa1]),
      5,
      0,
      0,
      0,
      0x05,
      0xca,
      0x9a,
      0x3b,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0xaa,
    ];
    const us = [
      ...header([0xd4, 0xc3, 0xb2, 0xa1]),
      5,
      0,
      0,
      0,
      0x87,
      0x84,
      0x1e,
      0,
      1,
      0,
      0,
      0,
      1,
      0,
      0,
      0,
      0xaa,
    ];
    for (const [bytes, want] of [
      [ns, [6, 5]],
      [us, [7, 7000]],
    ] as const) {
      const whole: number[][] = [];
      readCapture(Uint8Array.from(bytes), (p) => whole.push([p.timestampSec, p.timestampNs]));
      const chunked = readChunked(Uint8Array.from(bytes)).packets.map((p) => [p.timestampSec, p.timestampNs]);
      expect([whole, chunked]).toEqual([[want], [want]]);
      const copy = { timestampSec: want[0], timestampNs: want[1], data: Uint8Array.of(0xaa) };
      expect(readChunked(writeCapture([copy], { nanoseconds: true })).packets[0]?.timestampSec).toBe(want[0]);
    }
  });

  it('should read the modified (Kuznetsov) pcap format with its 24-byte records', () => {
    const header = [0x34, 0xcd, 0xb2, 0xa1, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 0, 0, 0];
    const record = [5, 0, 0, 0, 7, 0, 0, 0, 3, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0xaa, 0xbb, 0xcc];
    const { packets, summary } = readChunked(Uint8Array.from([...header, ...record, ...record]));
    expect(summary.error).toBeNull();
    expect(packets.map((p) => [p.timestampSec, p.timestampNs, [...p.data]])).toEqual([
      [5, 7000, [0xaa, 0xbb, 0xcc]],
      [5, 7000, [0xaa, 0xbb, 0xcc]],
    ]);
  });
});
