import { type ByteSink, ChunkBuffer } from './byte-sink.js';
import { Magic } from './capture-format.js';
import {
  assertObject,
  booleanOption,
  checkOptionKeys,
  describeValue,
  optionOr,
  PcapError,
} from './errors.js';
import { MAX_CAPTURE_LENGTH } from './limits.js';
import { LinkType } from './link-type.js';
import {
  bufferSizeOf,
  type CaptureWriter,
  checkInterface,
  checkPacket,
  type WritablePacket,
  writePacket,
} from './writer-options.js';

/** Options of {@link PcapWriter}. */
export interface PcapWriterOptions {
  /** LINKTYPE_ of every packet. @default LinkType.ETHERNET */
  readonly linkType?: number;
  /** Snapshot length: longer packets are cut to it (their original length is kept). @default 262144 */
  readonly snaplen?: number;
  /** Nanosecond timestamps (magic 0xa1b23c4d) instead of microseconds. @default false */
  readonly nanoseconds?: boolean;
  /** Byte order of the file. @default true */
  readonly littleEndian?: boolean;
  /** Bytes buffered before the sink is called, an integer 1..67108864. @default 1048576 */
  readonly bufferSize?: number;
}

/** The keys of {@link PcapWriterOptions}: the writer refuses any other. */
export const PCAP_WRITER_OPTIONS: readonly string[] = [
  'linkType',
  'snaplen',
  'nanoseconds',
  'littleEndian',
  'bufferSize',
];

/**
 * Refuses a key of `options` not in `allowed` (the classic writer's, with `createWriter`'s
 * `format`); throws `INVALID_ARGUMENT`.
 */
export function checkPcapWriterKeys(options: object, allowed: readonly string[]): void {
  // A classic file has one interface, so pcapng's list of them cannot be honoured: refused, with
  // what a classic writer takes instead, rather than dropped.
  if ((options as { readonly interfaces?: unknown }).interfaces !== undefined) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      "interfaces is a pcapng option (format: 'pcapng'); a classic pcap has one interface, set by linkType, snaplen and nanoseconds",
    );
  }
  checkOptionKeys(options, 'classic pcap writer', allowed);
}

/**
 * Writes a classic pcap file to a {@link ByteSink}: the file header at once, then one record per
 * packet. Call {@link flush} at the end.
 * @example
 * const out = collectBytes();
 * const w = new PcapWriter(out.sink, { nanoseconds: true });
 * w.write({ timestampSec: 1, timestampNs: 5, data: frame });
 * w.flush();
 * const file = out.result();
 */
export class PcapWriter implements CaptureWriter {
  private readonly out: ChunkBuffer;
  private readonly le: boolean;
  private readonly nanoseconds: boolean;
  private readonly snaplen: number;

  constructor(sink: ByteSink, options: PcapWriterOptions = {}) {
    assertObject(options, 'writer options');
    checkPcapWriterKeys(options, PCAP_WRITER_OPTIONS);
    const linkType = optionOr(options.linkType, LinkType.ETHERNET);
    this.snaplen = optionOr(options.snaplen, MAX_CAPTURE_LENGTH);
    checkInterface(linkType, this.snaplen);
    if (typeof sink !== 'function') throw new PcapError('INVALID_ARGUMENT', 'sink must be a function');
    this.le = booleanOption(options.littleEndian, 'littleEndian', true);
    this.nanoseconds = booleanOption(options.nanoseconds, 'nanoseconds', false);
    this.out = new ChunkBuffer(sink, bufferSizeOf(options.bufferSize));
    const { view } = this.out;
    view.setUint32(0, this.nanoseconds ? Magic.PCAP_NANO_BE : Magic.PCAP_MICRO_BE, this.le);
    view.setUint16(4, 2, this.le);
    view.setUint16(6, 4, this.le);
    view.setUint32(16, this.snaplen, this.le);
    view.setUint32(20, linkType, this.le);
    this.out.pos = 24;
  }

  write(packet: WritablePacket): void {
    writePacket(this, packet);
  }

  writeRaw(
    timestampSec: number,
    timestampNs: number,
    data: Uint8Array,
    offset: number,
    length: number,
    originalLength: number,
    interfaceId: number,
  ): void {
    checkPacket(timestampSec, timestampNs, data, offset, length, originalLength, 0xffff_ffff);
    if (interfaceId !== 0) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `classic pcap has one interface (0), got ${describeValue(interfaceId)}`,
      );
    }
    const captured = Math.min(length, this.snaplen);
    const out = this.out;
    out.reserve(16 + captured);
    const { view, pos } = out;
    const le = this.le;
    view.setUint32(pos, timestampSec, le);
    view.setUint32(pos + 4, this.nanoseconds ? timestampNs : Math.floor(timestampNs / 1000), le);
    view.setUint32(pos + 8, captured, le);
    view.setUint32(pos + 12, originalLength, le);
    out.bytes.set(data.subarray(offset, offset + captured), pos + 16);
    out.pos = pos + 16 + captured;
  }

  flush(): void {
    this.out.flush();
  }
}
