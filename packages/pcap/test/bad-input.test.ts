import { numberAround, refusalOf, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptureReader,
  type CaptureWriter,
  capturePackets,
  collectBytes,
  createPacketRecord,
  createWriter,
  DecodeStatus,
  decodeFrame,
  decodePacket,
  generateCapture,
  generateTraffic,
  LinkType,
  type PacketRecord,
  PcapError,
  type PcapngInterfaceOptions,
  PcapngWriter,
  type PcapngWriterOptions,
  PcapWriter,
  type PcapWriterOptions,
  type ReadOptions,
  readCapture,
  Sfc32,
  type TrafficOptions,
  type WritablePacket,
  type WriterOptions,
  writeCapture,
} from '../src/index.js';
import { onOff, packetsArb } from './arbitraries.js';
import { readChunked, type Snapshot, snapshot } from './collect.js';

/** The code of the PcapError `run` throws, or undefined when it returns; any other throw fails. */
const refusal = refusalOf(PcapError);

const small = generateCapture({ packets: 30, seed: 5, flows: 8 });
const smallNg = generateCapture({ packets: 30, seed: 6, flows: 8 }, { format: 'pcapng' });

/** What a reader can be fed besides bytes. */
const notBytes: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything().filter((v) => !(v instanceof Uint8Array)),
  fc.constantFrom('pcap', [1, 2, 3], new ArrayBuffer(8), new Uint16Array(4), { length: 4, buffer: null }),
);

/** The options of a classic writer, each also a pcapng writer's. */
const CLASSIC_KEYS = ['linkType', 'snaplen', 'nanoseconds', 'littleEndian', 'bufferSize'] as const;

/** True when an options bag, or one of its pcapng interfaces, holds a null option. */
function holdsNull(options: object): boolean {
  const { interfaces } = options as { readonly interfaces?: unknown };
  return (
    Object.values(options).includes(null) ||
    (Array.isArray(interfaces) &&
      interfaces.some((iface) => typeof iface === 'object' && iface !== null && holdsNull(iface)))
  );
}

/** Valid writer options with one field replaced by a value of the right shape but any range. */
const anyWriterOptions: fc.Arbitrary<WriterOptions> = fc.oneof(
  fc
    .oneof(
      numberAround(0, 0xffff).map((linkType) => ({ linkType })),
      numberAround(1, 262_144).map((snaplen) => ({ snaplen })),
      numberAround(1, 64 << 20).map((bufferSize) => ({ bufferSize })),
      fc.string().map((format) => ({ format })),
      // pcapng's list on a classic writer: refused whatever it holds, even empty.
      fc
        .array(fc.record({ nanoseconds: fc.boolean() }), { maxLength: 2 })
        .map((interfaces) => ({ interfaces })),
      // null for any option: refused as any other wrong type, never the default.
      fc.constantFrom(...CLASSIC_KEYS, 'format', 'interfaces').map((key) => ({ [key]: null })),
    )
    .map((o) => o as WriterOptions),
  fc
    .oneof(
      numberAround(1, 64 << 20).map((bufferSize) => ({ bufferSize })),
      // The defaults of every interface, then an interface's own value over them.
      fc
        .record(
          { linkType: numberAround(0, 0xffff), snaplen: numberAround(1, 262_144) },
          { requiredKeys: [] },
        )
        .chain((defaults) =>
          fc.constantFrom(defaults, { ...defaults, interfaces: [{ linkType: 1, snaplen: 64 }] }),
        ),
      fc
        .array(
          fc.record(
            {
              linkType: numberAround(0, 0xffff),
              snaplen: numberAround(1, 262_144),
              nanoseconds: fc.boolean(),
            },
            { requiredKeys: [] },
          ),
          { maxLength: 3 },
        )
        .map((interfaces) => ({ interfaces })),
      fc.constantFrom(...CLASSIC_KEYS, 'interfaces').map((key) => ({ [key]: null })),
      // null for an interface's option, on the first or a later interface.
      fc.tuple(fc.constantFrom('linkType', 'snaplen', 'nanoseconds'), fc.nat(1)).map(([key, at]) => ({
        interfaces: [{}, {}].map((iface, i) => (i === at ? { [key]: null } : iface)),
      })),
    )
    .map((o) => ({ format: 'pcapng', ...o }) as WriterOptions),
);

/** A packet that both writers must refuse. */
const badPacket: fc.Arbitrary<WritablePacket> = fc
  .oneof(
    numberAround(0, 0xffff_ffff)
      .filter((v) => !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 0xffff_ffff))
      .map((timestampSec) => ({ timestampSec })),
    numberAround(0, 999_999_999)
      .filter((v) => !(Number.isInteger(v) && (v as number) >= 0 && (v as number) <= 999_999_999))
      .map((timestampNs) => ({ timestampNs })),
    notBytes.map((data) => ({ data })),
    numberAround(4, 0xffff_ffff)
      .filter(
        (v) =>
          v !== undefined && !(Number.isInteger(v) && (v as number) >= 4 && (v as number) <= 0xffff_ffff),
      )
      .map((originalLength) => ({ originalLength })),
    fc.integer({ min: 1, max: 9 }).map((interfaceId) => ({ interfaceId })),
  )
  .map(
    (change) => ({ timestampSec: 1, timestampNs: 2, data: new Uint8Array(4), ...change }) as WritablePacket,
  );

/** The options of the generator. */
const TRAFFIC_KEYS = [
  'packets',
  'seed',
  'flows',
  'zipfExponent',
  'ipv6Share',
  'udpShare',
  'icmpShare',
  'natShare',
  'natView',
  'fragmentShare',
  'icmpErrorShare',
  'vlans',
  'startTime',
  'packetsPerSecond',
] as const;

/** Traffic options with one field replaced by a value of the right shape but any range. */
const anyTraffic: fc.Arbitrary<TrafficOptions> = fc
  .oneof(
    fc
      .oneof(fc.integer({ min: -3, max: 40 }), fc.double({ max: 40 }), notBytes)
      .map((packets) => ({ packets })),
    numberAround(0, Number.MAX_SAFE_INTEGER).map((seed) => ({ seed })),
    // Few flows: a valid count up to 2^22 is legal but slow to set up, and says nothing more here.
    fc
      .oneof(
        fc.constantFrom(0, -1, 0.5, (1 << 22) + 1, Number.NaN),
        fc.integer({ min: 1, max: 64 }),
        notBytes,
      )
      .map((flows) => ({ flows })),
    numberAround(0, 10).map((zipfExponent) => ({ zipfExponent })),
    fc
      .oneof(fc.constantFrom('orchestrator', 'endpoints', 'Endpoints', '', null), fc.anything())
      .map((natView) => ({ natShare: 1, natView })),
    fc
      .constantFrom('ipv6Share', 'udpShare', 'icmpShare', 'natShare', 'fragmentShare', 'icmpErrorShare')
      .chain((name) => numberAround(0, 1).map((v) => ({ [name]: v }))),
    fc
      .record({ internal: numberAround(0, 4095), external: numberAround(0, 4095) })
      .map((vlans) => ({ vlans })),
    numberAround(0, 2 ** 32 - 2 ** 24).map((startTime) => ({ startTime })),
    fc
      .oneof(numberAround(0.001, 1e9), fc.constantFrom(4e-323, 1e-9, 0.0009))
      .map((packetsPerSecond) => ({ packetsPerSecond })),
    // null for any option, or either VLAN: refused as any other wrong type, never the default.
    // `vlans: null` itself is no such case: it asks for untagged frames.
    fc.constantFrom(...TRAFFIC_KEYS.filter((key) => key !== 'vlans')).map((key) => ({ [key]: null })),
    fc
      .constantFrom({ internal: null, external: 200 }, { internal: 100, external: null })
      .map((vlans) => ({ vlans })),
  )
  .map((change) => ({ packets: 12, ...change }) as TrafficOptions);

/** True when traffic options hold a null option or VLAN id (`vlans: null` asks for untagged frames). */
function trafficHoldsNull(traffic: TrafficOptions): boolean {
  const { vlans, ...rest } = traffic;
  const values: unknown[] = Object.values(rest);
  return values.includes(null) || (vlans != null && Object.values(vlans as object).includes(null));
}

describe('bad input', () => {
  it('should refuse a chunk that is not bytes with INVALID_ARGUMENT and read on as if it never came', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(small, smallNg),
        fc.array(fc.integer({ min: 16, max: 900 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(20), notBytes), { maxLength: 4 }),
        (bytes, sizes, junk) => {
          const reader = new CaptureReader();
          const packets: Snapshot[] = [];
          let at = 0;
          for (let i = 0; at < bytes.length; i++) {
            for (const [when, value] of junk) {
              if (when === i) {
                expect(refusal(() => reader.push(value as Uint8Array, () => {}))).toBe('INVALID_ARGUMENT');
              }
            }
            const size = sizes[i % sizes.length] as number;
            reader.push(bytes.subarray(at, at + size), (p) => packets.push(snapshot(p)));
            at += size;
          }
          const clean = readChunked(bytes, sizes);
          expect(packets).toEqual(clean.packets);
          expect(reader.end()).toEqual(clean.summary);
        },
      ),
    );
  });

  it('should refuse a feed before the last chunk is drained, and any feed after end, and lose no packet', () => {
    fc.assert(
      fc.property(fc.constantFrom(small, smallNg), fc.integer({ min: 16, max: 900 }), (bytes, size) => {
        const reader = new CaptureReader();
        const packets: Snapshot[] = [];
        for (let at = 0; at < bytes.length; at += size) {
          const chunk = bytes.subarray(at, at + size);
          reader.feed(chunk);
          expect(refusal(() => reader.feed(new Uint8Array(8)))).toBe('INVALID_ARGUMENT');
          for (let p = reader.next(); p !== null; p = reader.next()) packets.push(snapshot(p));
        }
        const summary = reader.end();
        expect(refusal(() => reader.feed(new Uint8Array(8)))).toBe('INVALID_ARGUMENT');
        const clean = readChunked(bytes);
        expect(packets).toEqual(clean.packets);
        expect(summary).toEqual(clean.summary);
      }),
    );
  });

  it('should build a writer from any options or refuse them with INVALID_ARGUMENT, never throw anything else, and refuse null for every option', () => {
    const packet: WritablePacket = { timestampSec: 1, timestampNs: 0, data: new Uint8Array(60) };
    fc.assert(
      fc.property(
        anyWriterOptions,
        fc.constantFrom('createWriter', 'writer class', 'writeCapture', 'generateCapture'),
        (options, entry) => {
          const out = collectBytes();
          let bytes: Uint8Array | undefined;
          let expected = 1;
          const code = refusal(() => {
            if (entry === 'writeCapture') bytes = writeCapture([packet], options);
            else if (entry === 'generateCapture') {
              expected = 3;
              bytes = generateCapture({ packets: 3, seed: 1 }, options);
            } else {
              // The classes take the options without createWriter's `format` (kept when it is
              // neither format, for the class to refuse).
              const { format, ...rest } = options;
              const own = format === undefined || format === 'pcap' || format === 'pcapng' ? rest : options;
              const writer =
                entry === 'createWriter'
                  ? createWriter(out.sink, options)
                  : format === 'pcapng'
                    ? new PcapngWriter(out.sink, own as PcapngWriterOptions)
                    : new PcapWriter(out.sink, own as PcapWriterOptions);
              writer.write(packet);
              writer.flush();
              bytes = out.result();
            }
          });
          if (holdsNull(options)) {
            expect(code).toBe('INVALID_ARGUMENT');
            expect(out.result().length).toBe(0);
            return;
          }
          if (code !== undefined) return;
          const summary = readCapture(bytes ?? new Uint8Array(0), () => {});
          expect([summary.packets, summary.error]).toEqual([expected, null]);
        },
      ),
    );
  });

  it("should take only true, false or nothing for a writer's nanoseconds and littleEndian, and write what they ask", () => {
    fc.assert(
      fc.property(
        // Where each option lives: both on a classic writer; byte order on a pcapng section,
        // resolution on the section (for every interface) or on one interface.
        fc.constantFrom(
          ['pcap', 'nanoseconds'],
          ['pcap', 'littleEndian'],
          ['pcapng', 'littleEndian'],
          ['pcapng', 'nanoseconds'],
          ['pcapng interface', 'nanoseconds'],
        ),
        onOff,
        fc.nat(2),
        ([where, field], value, at) => {
          const interfaces = [{}, {}, {}].map((iface, i) => (i === at ? { [field]: value } : iface));
          const options = (
            where === 'pcap'
              ? { [field]: value }
              : where === 'pcapng'
                ? { format: 'pcapng', [field]: value }
                : { format: 'pcapng', interfaces }
          ) as WriterOptions;
          const out = collectBytes();
          let writer: CaptureWriter | undefined;
          const code = refusal(() => (writer = createWriter(out.sink, options)));
          if (typeof value !== 'boolean' && value !== undefined) {
            expect(code).toBe('INVALID_ARGUMENT');
            expect(out.result().length).toBe(0);
            return;
          }
          expect(code).toBeUndefined();
          writer?.write({
            timestampSec: 1,
            timestampNs: 123_456_789,
            data: new Uint8Array(60),
            interfaceId: where === 'pcapng interface' ? at : 0,
          });
          writer?.flush();
          const bytes = out.result();
          const nanoseconds = field === 'nanoseconds' && value === true;
          const littleEndian = !(field === 'littleEndian' && value === false);
          // The classic magic starts the file; pcapng's byte-order magic is the section's 9th byte.
          const magic = where === 'pcap' ? bytes[0] : bytes[8];
          const expected = where === 'pcap' ? (nanoseconds ? 0x4d : 0xd4) : 0x4d;
          expect(magic).toBe(littleEndian ? expected : where === 'pcap' ? 0xa1 : 0x1a);
          const stamps: number[] = [];
          readCapture(bytes, (p) => stamps.push(p.timestampNs), { decode: false });
          expect(stamps).toEqual([nanoseconds ? 123_456_789 : 123_456_000]);
        },
      ),
    );
  });

  it("should take only true, false or nothing for a reader's decode, and decode as it asks", () => {
    const read = (bytes: Uint8Array, decode: boolean): Snapshot[] => {
      const { packets } = readChunked(bytes);
      const notDecoded = `status ${String(DecodeStatus.NOT_DECODED)}`;
      return decode ? packets : packets.map((p) => ({ ...p, flow: notDecoded }));
    };
    fc.assert(
      fc.property(
        fc.constantFrom('pcap', 'pcapng'),
        fc.constantFrom('CaptureReader push', 'CaptureReader next', 'readCapture', 'capturePackets'),
        onOff,
        (format, entry, decode) => {
          const bytes = format === 'pcap' ? small : smallNg;
          const options = { decode } as ReadOptions;
          const got: Snapshot[] = [];
          const code = refusal(() => {
            if (entry === 'readCapture') {
              readCapture(bytes, (p) => got.push(snapshot(p)), options);
            } else if (entry === 'capturePackets') {
              for (const p of capturePackets(bytes, options)) got.push(snapshot(p));
            } else {
              const reader = new CaptureReader(options);
              if (entry === 'CaptureReader push') {
                reader.push(bytes, (p) => got.push(snapshot(p)));
              } else {
                reader.feed(bytes);
                for (let p = reader.next(); p !== null; p = reader.next()) got.push(snapshot(p));
              }
              expect(reader.end().error).toBeNull();
            }
          });
          if (decode !== true && decode !== false && decode !== undefined) {
            expect(code).toBe('INVALID_ARGUMENT');
            expect(got).toEqual([]);
            return;
          }
          expect(code).toBeUndefined();
          expect(got).toEqual(read(bytes, decode !== false));
        },
      ),
    );
  });

  it('should keep every packet written before and after a refused one', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('pcap' as const, 'pcapng' as const),
        packetsArb,
        fc.array(fc.tuple(fc.nat(30), badPacket), { maxLength: 4 }),
        (format, packets, junk) => {
          // pcapng's 64-bit timestamps take seconds past 2^32 - 1 (up to 2^40): not junk there.
          for (const [, bad] of junk) {
            const sec = bad.timestampSec;
            fc.pre(!(format === 'pcapng' && Number.isInteger(sec) && sec > 0xffff_ffff && sec <= 2 ** 40));
          }
          const out = collectBytes();
          const writer = createWriter(
            out.sink,
            format === 'pcap' ? { nanoseconds: true } : { format, interfaces: [{ nanoseconds: true }] },
          );
          packets.forEach((packet, i) => {
            for (const [when, bad] of junk) {
              if (when === i) expect(refusal(() => writer.write(bad))).toBe('INVALID_ARGUMENT');
            }
            writer.write(packet);
          });
          writer.flush();
          const read: [number, number, number, Uint8Array][] = [];
          readCapture(
            out.result(),
            (p) => read.push([p.timestampSec, p.timestampNs, p.originalLength, snapshot(p).data]),
            { decode: false },
          );
          expect(read).toEqual(packets.map((p) => [p.timestampSec, p.timestampNs, p.originalLength, p.data]));
        },
      ),
    );
  });

  it('should generate traffic from any options or refuse them with INVALID_ARGUMENT, never throw anything else, and refuse null for every option', () => {
    fc.assert(
      fc.property(anyTraffic, fc.constantFrom('generateCapture', 'generateTraffic'), (traffic, entry) => {
        const out = collectBytes();
        const writer = new PcapWriter(out.sink);
        let capture: Uint8Array = new Uint8Array(0);
        const code = refusal(() => {
          if (entry === 'generateCapture') capture = generateCapture(traffic);
          else {
            generateTraffic(traffic, writer);
            writer.flush();
            capture = out.result();
          }
        });
        if (trafficHoldsNull(traffic)) {
          expect(code).toBe('INVALID_ARGUMENT');
          // Refused before the first packet: the writer holds its file header only.
          writer.flush();
          expect([readCapture(out.result(), () => {}).packets, out.result().length]).toEqual([0, 24]);
          return;
        }
        if (code !== undefined) return;
        expect(readCapture(capture, () => {}).packets === traffic.packets).toBe(true);
      }),
    );
  });

  it('should refuse a packet rate too small to space timestamps instead of hanging (seed 1345129399)', () => {
    expect(refusal(() => generateCapture({ packets: 12, packetsPerSecond: 4e-323 }))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('should refuse arguments of the wrong type to readers, writers and decoders with INVALID_ARGUMENT and lose nothing a reader accepted', () => {
    const odd = fc.oneof(
      unconvertible,
      fc.constant({ toString: null }),
      fc.constant(null),
      fc.integer(),
      fc.string(),
    );
    const whole = readChunked(small).packets;
    fc.assert(
      fc.property(odd, fc.integer({ min: 1, max: small.length - 1 }), (v, cut) => {
        // a reader fed the first part, refused a push, then fed the rest reads what one fed whole reads
        const reader = new CaptureReader();
        const got: Snapshot[] = [];
        reader.push(small.subarray(0, cut), (p) => got.push(snapshot(p)));
        expect(refusal(() => reader.push(small.subarray(cut), v as () => void))).toBe('INVALID_ARGUMENT');
        reader.push(small.subarray(cut), (p) => got.push(snapshot(p)));
        expect(reader.end().error).toBeNull();
        expect(got).toEqual(whole);
        expect(refusal(() => readCapture(small, v as () => void))).toBe('INVALID_ARGUMENT');
        // a string is iterable: its characters are refused as packets, and '' holds none
        expect(refusal(() => writeCapture(v as Iterable<WritablePacket>))).toBe(
          v === '' ? undefined : 'INVALID_ARGUMENT',
        );
        expect(
          refusal(() => decodeFrame(LinkType.ETHERNET, v as Uint8Array, 0, 0, createPacketRecord())),
        ).toBe('INVALID_ARGUMENT');
        // any object is a record to decode into (and would be written to): only the others here
        if (typeof v !== 'object' || v === null) {
          expect(refusal(() => decodeFrame(LinkType.ETHERNET, small, 40, 20, v as PacketRecord))).toBe(
            'INVALID_ARGUMENT',
          );
        }
        expect(refusal(() => decodePacket(v as PacketRecord))).toBe('INVALID_ARGUMENT');
        // options, packets and interfaces that are not objects (null above all) are refused, not
        // read into a TypeError
        if (typeof v !== 'object' || v === null) {
          expect(refusal(() => new CaptureReader(v as ReadOptions))).toBe('INVALID_ARGUMENT');
          expect(refusal(() => readCapture(small, () => {}, v as ReadOptions))).toBe('INVALID_ARGUMENT');
          expect(refusal(() => createWriter(() => {}, v as WriterOptions))).toBe('INVALID_ARGUMENT');
          expect(refusal(() => new PcapWriter(() => {}, v as PcapWriterOptions))).toBe('INVALID_ARGUMENT');
          expect(
            refusal(() => new PcapngWriter(() => {}, { interfaces: [v as PcapngInterfaceOptions] })),
          ).toBe('INVALID_ARGUMENT');
          expect(refusal(() => writeCapture([v as WritablePacket]))).toBe('INVALID_ARGUMENT');
          expect(refusal(() => generateCapture(v as TrafficOptions))).toBe('INVALID_ARGUMENT');
        }
        expect(refusal(() => generateTraffic({ packets: 1 }, v as CaptureWriter))).toBe('INVALID_ARGUMENT');
        // null included: only a missing list takes the default one interface
        expect(refusal(() => new PcapngWriter(() => {}, { interfaces: v as [] }))).toBe('INVALID_ARGUMENT');
        const writer = new PcapWriter(() => {});
        const whole20 = (x: unknown): boolean =>
          Number.isInteger(x) && (x as number) >= 0 && (x as number) <= 20;
        expect(refusal(() => writer.writeRaw(1, 0, new Uint8Array(20), v as number, 20, 20, 0))).toBe(
          v === 0 ? undefined : 'INVALID_ARGUMENT',
        );
        expect(refusal(() => writer.writeRaw(1, 0, new Uint8Array(20), 0, v as number, 20, 0))).toBe(
          whole20(v) ? undefined : 'INVALID_ARGUMENT',
        );
        expect(refusal(() => new Sfc32(v as number))).toBe(
          typeof v === 'number' ? undefined : 'INVALID_ARGUMENT',
        );
      }),
    );
  });

  it('should refuse a share, exponent or rate that is not a number with INVALID_ARGUMENT (seed -645406647)', () => {
    for (const odd of [{ toString: null }, Symbol('share'), 0n, '0.5']) {
      const value = odd as unknown as number;
      expect(refusal(() => generateCapture({ packets: 12, ipv6Share: value }))).toBe('INVALID_ARGUMENT');
      expect(refusal(() => generateCapture({ packets: 12, zipfExponent: value }))).toBe('INVALID_ARGUMENT');
      expect(refusal(() => generateCapture({ packets: 12, packetsPerSecond: value }))).toBe(
        'INVALID_ARGUMENT',
      );
    }
  });

  it('should refuse an unknown option key with INVALID_ARGUMENT naming it and the allowed keys, in every reader, writer and the generator, writing nothing', () => {
    const read = ['decode'];
    const classic = CLASSIC_KEYS;
    const pcapng = ['interfaces', ...classic];
    const traffic = TRAFFIC_KEYS;
    // Each entry: the keys it takes, and a call with `extra` added to a valid options bag.
    type Entry = [string, readonly string[], (extra: object, sink: (chunk: Uint8Array) => void) => void];
    const entries: Entry[] = [
      ['CaptureReader', read, (o) => new CaptureReader(o)],
      ['readCapture', read, (o) => readCapture(small, () => {}, o)],
      ['capturePackets', read, (o) => [...capturePackets(small, { decode: true, ...o })]],
      ['PcapWriter', classic, (o, sink) => new PcapWriter(sink, { snaplen: 64, ...o })],
      ['PcapngWriter', pcapng, (o, sink) => new PcapngWriter(sink, { nanoseconds: true, ...o })],
      [
        'pcapng interface',
        ['linkType', 'snaplen', 'nanoseconds'],
        (o, sink) => new PcapngWriter(sink, { interfaces: [{}, { snaplen: 64, ...o }] }),
      ],
      [
        'createWriter pcap',
        ['format', ...classic],
        (o, sink) => createWriter(sink, { format: 'pcap', ...o }),
      ],
      [
        'createWriter pcapng',
        ['format', ...pcapng],
        (o, sink) => createWriter(sink, { format: 'pcapng', ...o }),
      ],
      ['writeCapture', ['format', ...classic], (o) => writeCapture([], o)],
      ['generateCapture', traffic, (o) => generateCapture({ packets: 3, ...o })],
      ['generateCapture writer', ['format', ...classic], (o) => generateCapture({ packets: 3 }, o)],
      [
        'generateTraffic',
        traffic,
        (o, sink) => generateTraffic({ packets: 3, ...o }, new PcapWriter(sink, { bufferSize: 1 })),
      ],
      [
        'vlans',
        ['internal', 'external'],
        (o) => generateCapture({ packets: 3, vlans: { internal: 1, external: 2, ...o } }),
      ],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...entries),
        fc.oneof(
          fc.constantFrom('decoded', 'chunkSize', 'format', 'Decode', 'interfaces', 'snapLen', 'toString'),
          fc.string({ maxLength: 20 }),
        ),
        // A key set to undefined is left out, as every option left undefined is.
        fc.anything().filter((v) => v !== undefined),
        ([, allowed, call], key, value) => {
          // A classic writer names pcapng's interfaces in a message of its own (tested above).
          const classicWriter = allowed.includes('bufferSize') && !allowed.includes('interfaces');
          fc.pre(!allowed.includes(key) && !(classicWriter && key === 'interfaces'));
          const written: Uint8Array[] = [];
          let error: unknown = null;
          try {
            call({ [key]: value }, (chunk) => written.push(chunk));
          } catch (e) {
            error = e;
          }
          expect(error).toBeInstanceOf(PcapError);
          expect((error as PcapError).code).toBe('INVALID_ARGUMENT');
          const { message } = error as PcapError;
          expect(message).toContain(`unknown `);
          expect(message).toContain(JSON.stringify(key));
          expect(message).toContain(`allowed: ${allowed.join(', ')}`);
          expect(written).toEqual([]);
        },
      ),
    );
  });

  it('should decode a frame at any offset and length inside the buffer or refuse them with INVALID_ARGUMENT', () => {
    const frame = generateCapture({ packets: 1, seed: 1 }).subarray(40);
    const rec = createPacketRecord();
    fc.assert(
      fc.property(
        fc.oneof(numberAround(0, 0xffff), fc.constant(LinkType.ETHERNET)),
        numberAround(0, frame.length),
        numberAround(0, frame.length),
        (linkType, offset, length) => {
          const inside =
            Number.isInteger(offset) &&
            Number.isInteger(length) &&
            (offset as number) >= 0 &&
            (length as number) >= 0 &&
            (offset as number) + (length as number) <= frame.length;
          const code = refusal(() =>
            decodeFrame(linkType as number, frame, offset as number, length as number, rec),
          );
          expect(code).toBe(inside ? undefined : 'INVALID_ARGUMENT');
        },
      ),
    );
  });
});
