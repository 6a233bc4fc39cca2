import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { numberAround } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CaptureReader, DecodeStatus, generateCapture, PcapError, readCapture } from '../src/index.js';
import {
  captureFilePackets,
  type FileReadOptions,
  generateCaptureFile,
  readCaptureFile,
  readCaptureFileSync,
  readCaptureStream,
} from '../src/node.js';
import { chunkingArb, mutationsArb, onOff } from './arbitraries.js';
import { readChunked, type Snapshot, snapshot } from './collect.js';

const dir = mkdtempSync(join(tmpdir(), 'maestro-pcap-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = generateCapture({ packets: 300, seed: 4 }, { format: 'pcapng' });

function damaged(mutations: readonly { at: number; value: number }[] | null): Uint8Array {
  const out = base.slice();
  for (const m of mutations ?? []) out[Math.floor(m.at * out.length)] = m.value;
  return out;
}

describe('node readers', () => {
  it('should read a file, synchronously or not, exactly as the in-memory reader reads its bytes', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.option(mutationsArb),
        fc.integer({ min: 4096, max: 20_000 }),
        async (mutations, chunkSize) => {
          const bytes = damaged(mutations);
          const path = join(dir, 'a.pcapng');
          writeFileSync(path, bytes);
          const expected = readChunked(bytes);
          const sync: Snapshot[] = [];
          const syncSummary = readCaptureFileSync(path, (p) => sync.push(snapshot(p)), { chunkSize });
          const async: Snapshot[] = [];
          const asyncSummary = await readCaptureFile(path, (p) => async.push(snapshot(p)), { chunkSize });
          for (const [got, summary] of [
            [sync, syncSummary],
            [async, asyncSummary],
          ] as const) {
            expect(got).toEqual(expected.packets);
            expect(summary.error?.code).toBe(expected.summary.error?.code);
            expect(summary.error?.offset).toBe(expected.summary.error?.offset);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('should read a stream of any chunking exactly as the in-memory reader', async () => {
    await fc.assert(
      fc.asyncProperty(fc.option(mutationsArb), chunkingArb, async (mutations, sizes) => {
        const bytes = damaged(mutations);
        const chunks: Uint8Array[] = [];
        for (let at = 0, i = 0; at < bytes.length; i++) {
          const size = sizes[i % sizes.length] as number;
          chunks.push(bytes.subarray(at, at + size));
          at += size;
        }
        const got: Snapshot[] = [];
        const summary = await readCaptureStream(Readable.from(chunks), (p) => got.push(snapshot(p)));
        const expected = readChunked(bytes);
        expect(got).toEqual(expected.packets);
        expect(summary.error?.offset).toBe(expected.summary.error?.offset);
      }),
      { numRuns: 25 },
    );
  });

  it('should iterate a file asynchronously and throw the damage after the good packets', async () => {
    const bytes = damaged([
      { at: 0.5, value: 0xff },
      { at: 0.5003, value: 0xff },
    ]);
    const path = join(dir, 'b.pcapng');
    writeFileSync(path, bytes);
    const expected = readChunked(bytes);
    const got: Snapshot[] = [];
    let thrown: unknown = null;
    try {
      for await (const p of captureFilePackets(path, { chunkSize: 4096 })) got.push(snapshot(p));
    } catch (error) {
      thrown = error;
    }
    expect(got).toEqual(expected.packets);
    expect(thrown === null ? null : (thrown as PcapError).code).toBe(expected.summary.error?.code ?? null);
  });

  it('should generate a file equal to the in-memory capture of the same options', () => {
    const path = join(dir, 'c.pcap');
    const summary = generateCaptureFile(path, { packets: 500, seed: 8 });
    expect(summary.packets).toBe(500);
    const fromFile: Snapshot[] = [];
    readCaptureFileSync(path, (p) => fromFile.push(snapshot(p)));
    expect(fromFile).toEqual(readChunked(generateCapture({ packets: 500, seed: 8 })).packets);
  });

  it('should read a Node file stream and refuse a stream of strings with a typed error', async () => {
    const path = join(dir, 'd.pcapng');
    writeFileSync(path, base);
    const summary = await readCaptureStream(createReadStream(path, { highWaterMark: 1000 }), () => {});
    expect([summary.packets, summary.error]).toEqual([300, null]);
    await expect(readCaptureStream(Readable.from(['not bytes']), () => {})).rejects.toThrow(PcapError);
    expect(() => readCaptureFileSync(path, () => {}, { chunkSize: 10 })).toThrow(PcapError);
  });

  it('should refuse a reader option before opening the file, and read as the options ask otherwise', async () => {
    const path = join(dir, 'options.pcapng');
    writeFileSync(path, base);
    const missing = join(dir, 'missing.pcapng');
    const validChunk = (v: unknown): boolean =>
      v === undefined || (Number.isInteger(v) && (v as number) >= 4096 && (v as number) <= 64 << 20);
    const whole = readChunked(base).packets;
    const notDecoded = `status ${String(DecodeStatus.NOT_DECODED)}`;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('readCaptureFileSync', 'readCaptureFile', 'captureFilePackets', 'readCaptureStream'),
        onOff,
        // Valid sizes stay small: a 64 MiB chunk says nothing more and costs 64 MiB a run.
        fc.oneof(
          fc.constant(undefined),
          fc.integer({ min: 4096, max: 20_000 }),
          numberAround(4096, 64 << 20).filter((v) => !validChunk(v)),
        ),
        async (entry, decode, chunkSize) => {
          // A stream is chunked by its source: chunkSize is not one of its options.
          const options = (
            entry === 'readCaptureStream' ? { decode } : { decode, chunkSize }
          ) as FileReadOptions;
          const read = async (file: string): Promise<Snapshot[]> => {
            const got: Snapshot[] = [];
            const onPacket = (p: Parameters<Parameters<typeof readCaptureFileSync>[1]>[0]): void => {
              // A Node stream's chunks are Buffers: compare the bytes, not the class.
              const copy = snapshot(p);
              got.push({ ...copy, data: new Uint8Array(copy.data) });
            };
            if (entry === 'readCaptureFileSync') readCaptureFileSync(file, onPacket, options);
            else if (entry === 'readCaptureFile') await readCaptureFile(file, onPacket, options);
            else if (entry === 'readCaptureStream') {
              // Opens the file at the first read, so a refusal before reading leaves it unopened.
              const lazy = (async function* () {
                yield* createReadStream(file);
              })();
              await readCaptureStream(lazy, onPacket, options);
            } else for await (const p of captureFilePackets(file, options)) onPacket(p);
            return got;
          };
          const good =
            (decode === true || decode === false || decode === undefined) &&
            (entry === 'readCaptureStream' || validChunk(chunkSize));
          if (!good) {
            // Refused before the file is opened: a missing file is not what is reported.
            const error = await read(missing).then(
              () => null,
              (e: unknown) => e,
            );
            expect(error).toBeInstanceOf(PcapError);
            expect((error as PcapError).code).toBe('INVALID_ARGUMENT');
            return;
          }
          const got = await read(path);
          expect(got).toEqual(decode === false ? whole.map((p) => ({ ...p, flow: notDecoded })) : whole);
        },
      ),
      { numRuns: 60 },
    );
  });

  // Once the property's counterexample (FC_SEED=1177119511): a null chunkSize took the default.
  it('should refuse a null chunkSize as it refuses any other non-integer', async () => {
    const missing = join(dir, 'missing.pcap');
    const options = { chunkSize: null } as unknown as FileReadOptions;
    const code = (e: unknown): unknown => (e instanceof PcapError ? e.code : e);
    expect(code(catchSync(() => readCaptureFileSync(missing, () => {}, options)))).toBe('INVALID_ARGUMENT');
    expect(code(await readCaptureFile(missing, () => {}, options).catch((e: unknown) => e))).toBe(
      'INVALID_ARGUMENT',
    );
  });

  it('should refuse an onPacket that is not a function before any I/O in every reader, even for empty input', async () => {
    const empty = join(dir, 'empty.pcap');
    writeFileSync(empty, new Uint8Array(0));
    const capture = join(dir, 'callback.pcap');
    writeFileSync(capture, generateCapture({ packets: 3, seed: 2 }));
    const missing = join(dir, 'missing-callback.pcap');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('readCaptureFileSync', 'readCaptureFile', 'readCaptureStream', 'readCapture', 'push'),
        fc.constantFrom(missing, empty, capture),
        fc.anything().filter((v) => typeof v !== 'function'),
        async (entry, file, callback) => {
          const onPacket = callback as () => void;
          let pulled = false;
          const error = await (async () => {
            if (entry === 'readCaptureFileSync') readCaptureFileSync(file, onPacket);
            else if (entry === 'readCaptureFile') await readCaptureFile(file, onPacket);
            else if (entry === 'readCaptureStream') {
              // Opens the file at the first pull: a refusal up front pulls nothing.
              const lazy = (async function* () {
                pulled = true;
                yield* createReadStream(file);
              })();
              await readCaptureStream(lazy, onPacket);
            } else {
              const bytes = file === capture ? readFileSync(capture) : new Uint8Array(0);
              if (entry === 'readCapture') readCapture(bytes, onPacket);
              else new CaptureReader().push(bytes, onPacket);
            }
          })().then(
            () => null,
            (e: unknown) => e,
          );
          // A missing file is not what is reported: the callback is refused before the file is opened.
          expect(error).toBeInstanceOf(PcapError);
          expect((error as PcapError).code).toBe('INVALID_ARGUMENT');
          expect((error as PcapError).message).toMatch(/function/);
          expect(pulled).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should refuse a stream that is not an async iterable with INVALID_ARGUMENT before pulling anything', async () => {
    const chunk = generateCapture({ packets: 3, seed: 2 });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.anything(),
          // Sync iterables `for await` would have taken, and async look-alikes.
          fc.constantFrom<unknown>(
            'pcap',
            chunk,
            [chunk],
            { [Symbol.asyncIterator]: 5 },
            { [Symbol.asyncIterator]: null },
            { next: async () => ({ done: true, value: undefined }) },
          ),
          fc.constant('sync generator'),
        ),
        async (value) => {
          let pulled = false;
          // A sync generator pulls (and says so) only when iterated.
          const stream =
            value === 'sync generator'
              ? (function* () {
                  pulled = true;
                  yield chunk;
                })()
              : value;
          const packets: number[] = [];
          const error = await readCaptureStream(stream as AsyncIterable<Uint8Array>, (p) =>
            packets.push(p.timestampSec),
          ).then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(PcapError);
          expect((error as PcapError).code).toBe('INVALID_ARGUMENT');
          expect((error as PcapError).message).toMatch(/async iterable/);
          expect([pulled, packets]).toEqual([false, []]);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should refuse an unknown option key before opening or pulling anything, in every file and stream reader and generateCaptureFile', async () => {
    const missing = join(dir, 'missing-key.pcap');
    const keep = join(dir, 'keep-key.pcap');
    const file = ['decode', 'chunkSize'];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'readCaptureFileSync',
          'readCaptureFile',
          'captureFilePackets',
          'readCaptureStream',
          'generateCaptureFile traffic',
          'generateCaptureFile writer',
        ),
        fc.oneof(
          fc.constantFrom('decoded', 'chunkSize', 'chunksize', 'format'),
          fc.string({ maxLength: 20 }),
        ),
        // A key set to undefined is left out, as every option left undefined is.
        fc.anything().filter((v) => v !== undefined),
        async (entry, key, value) => {
          const allowed =
            entry === 'readCaptureStream'
              ? ['decode']
              : entry === 'generateCaptureFile writer'
                ? ['format', 'linkType', 'snaplen', 'nanoseconds', 'littleEndian', 'bufferSize']
                : entry === 'generateCaptureFile traffic'
                  ? null
                  : file;
          fc.pre(allowed === null ? key === 'decoded' || key === 'chunkSize' : !allowed.includes(key));
          const options = { [key]: value } as FileReadOptions;
          let pulled = false;
          writeFileSync(keep, 'precious');
          const error = await (async () => {
            if (entry === 'readCaptureFileSync') readCaptureFileSync(missing, () => {}, options);
            else if (entry === 'readCaptureFile') await readCaptureFile(missing, () => {}, options);
            else if (entry === 'captureFilePackets')
              for await (const _ of captureFilePackets(missing, options));
            else if (entry === 'readCaptureStream') {
              const lazy = (async function* () {
                pulled = true;
                yield* createReadStream(missing);
              })();
              await readCaptureStream(lazy, () => {}, options);
            } else if (entry === 'generateCaptureFile traffic') {
              generateCaptureFile(keep, { packets: 3, ...options });
            } else generateCaptureFile(keep, { packets: 3 }, options as never);
          })().then(
            () => null,
            (e: unknown) => e,
          );
          expect(error).toBeInstanceOf(PcapError);
          expect((error as PcapError).code).toBe('INVALID_ARGUMENT');
          expect((error as PcapError).message).toContain(JSON.stringify(key));
          if (allowed !== null)
            expect((error as PcapError).message).toContain(`allowed: ${allowed.join(', ')}`);
          expect(pulled).toBe(false);
          expect(readFileSync(keep, 'utf8')).toBe('precious');
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should leave an existing file as it was when generateCaptureFile refuses its options', () => {
    const path = join(dir, 'keep.pcap');
    for (const [traffic, options] of [
      [{ packets: -1 }, {}],
      [{ packets: 10 }, { format: 'pcapz' }],
      // null is refused, not taken for the default, by the generator and the writer alike.
      [{ packets: 10, seed: null }, {}],
      [{ packets: 10 }, { format: 'pcapng', interfaces: null }],
    ] as const) {
      writeFileSync(path, 'precious');
      expect(() => generateCaptureFile(path, traffic as never, options as never)).toThrow(PcapError);
      expect(readFileSync(path, 'utf8')).toBe('precious');
    }
    expect(generateCaptureFile(path, { packets: 3, seed: 1 }).packets).toBe(3);
    expect(readCaptureFileSync(path, () => {}).packets).toBe(3);
  });
});

function catchSync(f: () => unknown): unknown {
  try {
    f();
    return null;
  } catch (e) {
    return e;
  }
}
