import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { open } from 'node:fs/promises';
import type { ByteSink } from './byte-sink.js';
import { CaptureReader, READ_OPTIONS, type ReadOptions, type ReadSummary } from './capture-reader.js';
import {
  assertCallback,
  assertObject,
  checkOptionKeys,
  describeValue,
  PcapError,
  pickOptions,
} from './errors.js';
import type { PacketRecord } from './packet-record.js';
import { generateTraffic, type TrafficOptions, type TrafficSummary } from './traffic-generator.js';
import { createWriter, type WriterOptions } from './write-capture.js';

/** Options of the file and stream readers. */
export interface FileReadOptions extends ReadOptions {
  /**
   * Bytes read from the file per call (the reader's memory is this plus one block at most). The
   * default keeps a chunk in a core's L2 cache while its packets are decoded. @default 262144
   */
  readonly chunkSize?: number;
}

const MIN_CHUNK = 4096;
const MAX_CHUNK = 64 << 20;

const FILE_READ_OPTIONS: readonly string[] = [...READ_OPTIONS, 'chunkSize'];

/**
 * Checks a reader's options bag (an object, only `allowed` keys) and returns what its
 * {@link CaptureReader} takes: `chunkSize` is the file reader's, and the reader refuses it.
 */
function readOptionsOf(options: FileReadOptions, reader: string, allowed: readonly string[]): ReadOptions {
  assertObject(options, `${reader} options`);
  checkOptionKeys(options, reader, allowed);
  return pickOptions(options, READ_OPTIONS);
}

/**
 * What a file reader reads with, its options checked (their keys, then `chunkSize`, then the
 * reader's own): its {@link CaptureReader} and a buffer of `chunkSize` bytes.
 */
function fileReading(
  options: FileReadOptions,
  reader: string,
): { reader: CaptureReader; buffer: Uint8Array } {
  const readOptions = readOptionsOf(options, reader, FILE_READ_OPTIONS);
  const buffer = new Uint8Array(chunkSizeOf(options));
  return { reader: new CaptureReader(readOptions), buffer };
}

function chunkSizeOf(options: FileReadOptions): number {
  // Only a missing field takes the default: null is refused as every other option refuses it.
  const size = options.chunkSize === undefined ? 256 << 10 : options.chunkSize;
  if (!Number.isInteger(size) || size < MIN_CHUNK || size > MAX_CHUNK) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `chunkSize must be an integer ${String(MIN_CHUNK)}..${String(MAX_CHUNK)}, got ${describeValue(size)}`,
    );
  }
  return size;
}

/**
 * Reads a capture file synchronously in fixed-size chunks: memory stays at one chunk plus one
 * block whatever the file's size. Damage ends the read with a {@link PcapError} in the summary
 * (I/O errors such as a missing file are thrown as Node reports them).
 * @example
 * const { packets, error } = readCaptureFileSync('trace.pcap', (p) => table.add(p.flow));
 */
export function readCaptureFileSync(
  path: string,
  onPacket: (packet: PacketRecord) => void,
  options: FileReadOptions = {},
): ReadSummary {
  assertCallback(onPacket, 'readCaptureFileSync');
  const { reader, buffer } = fileReading(options, 'readCaptureFileSync');
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      if (n === 0) break;
      if (!reader.push(buffer.subarray(0, n), onPacket)) break;
    }
  } finally {
    closeSync(fd);
  }
  return reader.end();
}

/** {@link readCaptureFileSync} with asynchronous reads. */
export async function readCaptureFile(
  path: string,
  onPacket: (packet: PacketRecord) => void,
  options: FileReadOptions = {},
): Promise<ReadSummary> {
  assertCallback(onPacket, 'readCaptureFile');
  const { reader, buffer } = fileReading(options, 'readCaptureFile');
  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      if (!reader.push(buffer.subarray(0, bytesRead), onPacket)) break;
    }
  } finally {
    await file.close();
  }
  return reader.end();
}

/**
 * Reads a capture from a stream of byte chunks (a Node `Readable` without an encoding, a web
 * `ReadableStream<Uint8Array>`, any async iterable). Chunks are parsed as they come and dropped.
 * @example
 * const summary = await readCaptureStream(createReadStream('trace.pcapng'), onPacket);
 */
export async function readCaptureStream(
  stream: AsyncIterable<unknown>,
  onPacket: (packet: PacketRecord) => void,
  options: ReadOptions = {},
): Promise<ReadSummary> {
  assertCallback(onPacket, 'readCaptureStream');
  // Checked before anything is pulled: `for await` would throw a TypeError for it, and would take
  // a sync iterable (an array, a string) that the signature does not promise to take.
  if (typeof (stream as Partial<AsyncIterable<unknown>> | null)?.[Symbol.asyncIterator] !== 'function') {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `readCaptureStream takes an async iterable of byte chunks (a Node Readable, a web ReadableStream, an async generator), got ${describeValue(stream)}`,
    );
  }
  // A stream is chunked by its source: `chunkSize` is refused here, not ignored.
  const reader = new CaptureReader(readOptionsOf(options, 'readCaptureStream', READ_OPTIONS));
  for await (const chunk of stream) {
    if (!(chunk instanceof Uint8Array)) {
      throw new PcapError('INVALID_ARGUMENT', 'the stream must yield bytes (Uint8Array/Buffer), not strings');
    }
    if (!reader.push(chunk, onPacket)) break;
  }
  return reader.end();
}

/**
 * Iterates the packets of a capture file (one reused record, valid until the next step); damage
 * is thrown as a {@link PcapError} after the last good packet.
 * @example
 * for await (const p of captureFilePackets('trace.pcap')) if (p.hasInner) errors++;
 */
export async function* captureFilePackets(
  path: string,
  options: FileReadOptions = {},
): AsyncGenerator<PacketRecord, ReadSummary> {
  const { reader, buffer } = fileReading(options, 'captureFilePackets');
  const file = await open(path, 'r');
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) break;
      reader.feed(buffer.subarray(0, bytesRead));
      for (let p = reader.next(); p !== null; p = reader.next()) yield p;
      if (reader.error !== null) break;
    }
  } finally {
    await file.close();
  }
  const summary = reader.end();
  if (summary.error !== null) throw summary.error;
  return summary;
}

/** A {@link ByteSink} writing to a new file (truncating it); call `close()` after the writer's flush. */
export function fileSink(path: string): { readonly sink: ByteSink; close(): void } {
  const fd = openSync(path, 'w');
  return {
    sink: (chunk) => {
      let at = 0;
      while (at < chunk.length) at += writeSync(fd, chunk, at, chunk.length - at);
    },
    close: () => closeSync(fd),
  };
}

/**
 * Generates synthetic traffic straight into a file, in bounded memory (for captures of any size).
 * The file is opened (and truncated) at the first bytes written, so options the writer or the
 * generator refuse leave an existing file as it was.
 * @example
 * generateCaptureFile('/tmp/big.pcap', { packets: 10_000_000, seed: 1 });
 */
export function generateCaptureFile(
  path: string,
  traffic: TrafficOptions,
  options: WriterOptions = {},
): TrafficSummary {
  let file: ReturnType<typeof fileSink> | undefined;
  const sink: ByteSink = (chunk) => {
    file ??= fileSink(path);
    file.sink(chunk);
  };
  try {
    const writer = createWriter(sink, options);
    const summary = generateTraffic(traffic, writer);
    writer.flush();
    return summary;
  } finally {
    file?.close();
  }
}
