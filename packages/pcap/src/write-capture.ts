import type { ByteSink } from './byte-sink.js';
import { collectBytes } from './byte-sink.js';
import type { CaptureFormat } from './capture-format.js';
import { assertObject, checkOptionKeys, describeValue, PcapError, pickOptions } from './errors.js';
import {
  checkPcapWriterKeys,
  PCAP_WRITER_OPTIONS,
  PcapWriter,
  type PcapWriterOptions,
} from './pcap-writer.js';
import { PCAPNG_WRITER_OPTIONS, PcapngWriter, type PcapngWriterOptions } from './pcapng-writer.js';
import { generateTraffic, type TrafficOptions } from './traffic-generator.js';
import type { CaptureWriter, WritablePacket } from './writer-options.js';

/** Options of {@link createWriter}: the format, then that format's writer options. */
export type WriterOptions =
  | ({ readonly format?: 'pcap' } & PcapWriterOptions)
  | ({ readonly format: 'pcapng' } & PcapngWriterOptions);

/** A classic pcap or pcapng writer on `sink`, by `options.format` (default `'pcap'`). */
export function createWriter(sink: ByteSink, options: WriterOptions = {}): CaptureWriter {
  assertObject(options, 'writer options');
  const format: CaptureFormat | undefined = options.format;
  // The writer gets its own keys only: `format` is this function's, and the writer refuses it.
  if (format === 'pcapng') {
    checkOptionKeys(options, 'pcapng writer', ['format', ...PCAPNG_WRITER_OPTIONS]);
    return new PcapngWriter(sink, pickOptions(options, PCAPNG_WRITER_OPTIONS));
  }
  if (format === undefined || format === 'pcap') {
    checkPcapWriterKeys(options, ['format', ...PCAP_WRITER_OPTIONS]);
    return new PcapWriter(sink, pickOptions(options, PCAP_WRITER_OPTIONS));
  }
  throw new PcapError('INVALID_ARGUMENT', `format must be 'pcap' or 'pcapng', got ${describeValue(format)}`);
}

/**
 * Writes `packets` into a capture held in memory.
 * @example
 * const file = writeCapture([{ timestampSec: 0, timestampNs: 0, data: frame }], { format: 'pcapng' });
 */
export function writeCapture(packets: Iterable<WritablePacket>, options: WriterOptions = {}): Uint8Array {
  if (
    packets == null ||
    typeof (packets as Partial<Iterable<WritablePacket>>)[Symbol.iterator] !== 'function'
  ) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `writeCapture takes an iterable of packets, got ${describeValue(packets)}`,
    );
  }
  const out = collectBytes();
  const writer = createWriter(out.sink, options);
  for (const packet of packets) writer.write(packet);
  writer.flush();
  return out.result();
}

/**
 * Generates synthetic traffic (see {@link generateTraffic}) into a capture held in memory.
 * @example
 * const file = generateCapture({ packets: 1000, seed: 42 });
 */
export function generateCapture(traffic: TrafficOptions, options: WriterOptions = {}): Uint8Array {
  const out = collectBytes();
  const writer = createWriter(out.sink, options);
  generateTraffic(traffic, writer);
  writer.flush();
  return out.result();
}
