import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CaptureReader,
  capturePackets,
  generateCapture,
  MAX_BLOCK_LENGTH,
  MAX_CAPTURE_LENGTH,
  PcapError,
  readCapture,
  writeCapture,
} from '../src/index.js';
import { chunkingArb, mutationsArb, packetsArb, writerSettingsArb } from './arbitraries.js';
import { readChunked, type Snapshot, snapshot } from './collect.js';

const small = generateCapture({ packets: 40, seed: 5, flows: 8 });
const smallNg = generateCapture(
  { packets: 40, seed: 6, flows: 8 },
  { format: 'pcapng', littleEndian: false },
);

function mutate(bytes: Uint8Array, mutations: readonly { at: number; value: number }[]): Uint8Array {
  const out = bytes.slice();
  for (const m of mutations) out[Math.floor(m.at * out.length)] = m.value;
  return out;
}

/** Offsets where each packet's record ends (the next record's start), from a clean read. */
function recordEnds(bytes: Uint8Array): number[] {
  const starts: number[] = [];
  const reader = new CaptureReader({ decode: false });
  reader.feed(bytes);
  for (let p = reader.next(); p !== null; p = reader.next()) starts.push(p.recordOffset);
  return [...starts.slice(1), bytes.length];
}

describe('readCapture', () => {
  it('should read back every written packet exactly (both formats, byte orders, resolutions, interfaces)', () => {
    fc.assert(
      fc.property(writerSettingsArb, packetsArb, (settings, packets) => {
        const n = settings.format === 'pcap' ? 1 : settings.linkTypes.length;
        const withIfaces = packets.map((p, i) => ({ ...p, interfaceId: i % n }));
        const file =
          settings.format === 'pcap'
            ? writeCapture(withIfaces, {
                format: 'pcap',
                littleEndian: settings.littleEndian,
                nanoseconds: settings.nanoseconds,
                linkType: settings.linkTypes[0] as number,
              })
            : writeCapture(withIfaces, {
                format: 'pcapng',
                littleEndian: settings.littleEndian,
                interfaces: settings.linkTypes.map((linkType) => ({
                  linkType,
                  nanoseconds: settings.nanoseconds,
                })),
              });
        const got: Snapshot[] = [];
        const summary = readCapture(file, (p) => got.push(snapshot(p)));
        expect(summary.error).toBeNull();
        expect(summary.format).toBe(settings.format);
        expect(summary.bytes).toBe(file.length);
        expect(got.length).toBe(packets.length);
        got.forEach((g, i) => {
          const p = withIfaces[i] as (typeof withIfaces)[number];
          expect(g.data).toEqual(p.data);
          expect(g.timestampSec).toBe(p.timestampSec);
          expect(g.timestampNs).toBe(
            settings.nanoseconds ? p.timestampNs : Math.floor(p.timestampNs / 1000) * 1000,
          );
          expect(g.originalLength).toBe(p.originalLength);
          expect(g.interfaceId).toBe(p.interfaceId);
          expect(g.linkType).toBe(settings.linkTypes[p.interfaceId]);
          expect(g.index).toBe(i);
        });
      }),
    );
  });

  it('should give the same packets and summary whatever the chunking, damaged or not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(small, smallNg),
        fc.option(mutationsArb),
        chunkingArb,
        (base, mutations, sizes) => {
          const bytes = mutations === null ? base : mutate(base, mutations);
          const whole = readChunked(bytes);
          const chunked = readChunked(bytes, sizes);
          expect(chunked.packets).toEqual(whole.packets);
          expect(chunked.summary.packets).toBe(whole.summary.packets);
          expect(chunked.summary.error?.code).toBe(whole.summary.error?.code);
          expect(chunked.summary.error?.offset).toBe(whole.summary.error?.offset);
        },
      ),
    );
  });

  it('should never throw on random bytes, and report damage as a PcapError with an offset inside the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 400 }),
          fc
            .uint8Array({ maxLength: 400 })
            .map((b) => Uint8Array.from([0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0, ...b])),
          fc.uint8Array({ maxLength: 400 }).map((b) => Uint8Array.from([0x0a, 0x0d, 0x0d, 0x0a, ...b])),
        ),
        chunkingArb,
        (bytes, sizes) => {
          const { summary, maxCarry } = readChunked(bytes, sizes);
          if (summary.error !== null) {
            expect(summary.error).toBeInstanceOf(PcapError);
            expect(summary.error.offset).toBeGreaterThanOrEqual(0);
            expect(summary.error.offset).toBeLessThanOrEqual(bytes.length);
          }
          expect(maxCarry).toBeLessThanOrEqual(MAX_BLOCK_LENGTH);
        },
      ),
    );
  });

  it('should survive random mutations of valid captures with memory bounded by the block limit', () => {
    fc.assert(
      fc.property(fc.constantFrom(small, smallNg), mutationsArb, chunkingArb, (base, mutations, sizes) => {
        const bytes = mutate(base, mutations);
        const { summary, packets, maxCarry } = readChunked(bytes, sizes);
        expect(packets.length).toBe(summary.packets);
        expect(maxCarry).toBeLessThanOrEqual(MAX_BLOCK_LENGTH);
        if (summary.error !== null) expect(summary.error.offset).toBeLessThanOrEqual(bytes.length);
      }),
    );
  });

  it('should keep every packet before a truncation and name the cut record', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(small, smallNg),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (base, where) => {
          const cut = Math.floor(where * base.length);
          const ends = recordEnds(base);
          const { packets, summary } = readChunked(base.subarray(0, cut));
          const whole = readChunked(base).packets;
          const complete = ends.filter((e) => e <= cut).length;
          expect(packets).toEqual(whole.slice(0, complete));
          if (summary.error !== null) {
            expect(summary.error.code).toBe('TRUNCATED');
            expect(summary.error.offset).toBe(summary.bytes);
            expect(summary.bytes).toBeLessThanOrEqual(cut);
          } else {
            expect(summary.bytes).toBe(cut);
          }
        },
      ),
    );
  });

  it('should stop at an absurd captured length with BAD_LENGTH at its field, keeping the packets before', () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 39 }),
        fc.integer({ min: MAX_CAPTURE_LENGTH + 1, max: 0xffff_ffff }),
        (k, length) => {
          const bytes = small.slice();
          const view = new DataView(bytes.buffer);
          const target = readChunked(small).packets[k] as Snapshot;
          view.setUint32(target.recordOffset + 8, length, true);
          const { packets, summary, maxCarry } = readChunked(bytes, [4096]);
          expect(packets.length).toBe(k);
          expect(summary.error?.code).toBe('BAD_LENGTH');
          expect(summary.error?.offset).toBe(target.recordOffset + 8);
          expect(maxCarry).toBeLessThanOrEqual(MAX_BLOCK_LENGTH);
        },
      ),
    );
  });

  it('should count exactly the complete records of what was pushed so far (model-based)', () => {
    const ends = recordEnds(smallNg);
    const headerEnd = readChunked(smallNg).packets[0]?.recordOffset ?? 0;
    type Model = { pushed: number };
    type Real = { reader: CaptureReader; seen: number };
    class Push implements fc.Command<Model, Real> {
      constructor(readonly size: number) {}
      check(): boolean {
        return true;
      }
      run(model: Model, real: Real): void {
        const chunk = smallNg.subarray(model.pushed, model.pushed + this.size);
        model.pushed += chunk.length;
        real.reader.push(chunk, () => {
          real.seen++;
        });
        expect(real.seen).toBe(ends.filter((e) => e <= model.pushed).length);
        expect(real.reader.error).toBeNull();
      }
      toString(): string {
        return `push(${String(this.size)})`;
      }
    }
    class End implements fc.Command<Model, Real> {
      check(): boolean {
        return true;
      }
      run(model: Model, real: Real): void {
        const summary = real.reader.end();
        expect(summary.packets).toBe(real.seen);
        // Block boundaries: after the 28-byte section header, after the interface block, after each packet.
        expect(summary.error === null).toBe(
          model.pushed === 28 || model.pushed === headerEnd || ends.includes(model.pushed),
        );
        if (summary.error !== null) expect(summary.error.code).toBe('TRUNCATED');
        real.reader = new CaptureReader();
        real.seen = 0;
        model.pushed = 0;
      }
      toString(): string {
        return 'end()';
      }
    }
    fc.assert(
      fc.property(
        fc.commands([fc.integer({ min: 0, max: 900 }).map((n) => new Push(n)), fc.constant(new End())], {
          maxCommands: 60,
        }),
        (commands) => {
          fc.modelRun(
            () => ({ model: { pushed: 0 }, real: { reader: new CaptureReader(), seen: 0 } }),
            commands,
          );
        },
      ),
    );
  });

  it('should iterate the same packets as the callback reader, then throw the damage', () => {
    fc.assert(
      fc.property(fc.constantFrom(small, smallNg), fc.option(mutationsArb), (base, mutations) => {
        const bytes = mutations === null ? base : mutate(base, mutations);
        const expected = readChunked(bytes);
        const got: Snapshot[] = [];
        let thrown: unknown = null;
        try {
          for (const p of capturePackets(bytes)) got.push(snapshot(p));
        } catch (error) {
          thrown = error;
        }
        expect(got).toEqual(expected.packets);
        expect(thrown === null ? null : (thrown as PcapError).code).toBe(
          expected.summary.error?.code ?? null,
        );
      }),
    );
  });

  it('should refuse a capture that is not bytes with a typed error', () => {
    expect(() => readCapture('pcap' as unknown as Uint8Array, () => {})).toThrow(PcapError);
  });
});
