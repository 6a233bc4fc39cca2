import { type ByteSink, ChunkBuffer } from './byte-sink.js';
import { BlockType, Magic } from './capture-format.js';
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
import { unitsFromTimestamp } from './timestamp.js';
import {
  bufferSizeOf,
  type CaptureWriter,
  checkInterface,
  checkPacket,
  type WritablePacket,
  writePacket,
} from './writer-options.js';

/**
 * The last second whose every nanosecond fits the 64-bit timestamp of a nanosecond interface
 * (`2^64 - 1` ns is 18446744073.709551615 s).
 */
const MAX_NANOSECOND_SECONDS = 18_446_744_072;

/** One interface of a pcapng file; a field left out takes the writer's option of that name. */
export interface PcapngInterfaceOptions {
  /** LINKTYPE_ of the interface. @default the writer's `linkType` */
  readonly linkType?: number;
  /** Snapshot length. @default the writer's `snaplen` */
  readonly snaplen?: number;
  /** Nanosecond timestamps (`if_tsresol` = 9) instead of microseconds. @default the writer's `nanoseconds` */
  readonly nanoseconds?: boolean;
}

/**
 * Options of {@link PcapngWriter}. `linkType`, `snaplen` and `nanoseconds` mean what they mean to
 * a classic `PcapWriter`, here for every interface that does not set its own: the same
 * options write the same packets in either format.
 * @example
 * // Two nanosecond interfaces, Ethernet and raw IP.
 * new PcapngWriter(sink, { nanoseconds: true, interfaces: [{}, { linkType: LinkType.RAW }] });
 */
export interface PcapngWriterOptions {
  /** The interfaces, by id. @default [{}] (one interface, with the defaults below) */
  readonly interfaces?: readonly PcapngInterfaceOptions[];
  /** LINKTYPE_ of every interface that does not set its own. @default LinkType.ETHERNET */
  readonly linkType?: number;
  /** Snapshot length of every interface that does not set its own. @default 262144 */
  readonly snaplen?: number;
  /** Nanosecond timestamps on every interface that does not set its own. @default false */
  readonly nanoseconds?: boolean;
  /** Byte order of the section. @default true */
  readonly littleEndian?: boolean;
  /** Bytes buffered before the sink is called, an integer 1..67108864. @default 1048576 */
  readonly bufferSize?: number;
}

/** The keys of {@link PcapngWriterOptions}: the writer refuses any other. */
export const PCAPNG_WRITER_OPTIONS: readonly string[] = [
  'interfaces',
  'linkType',
  'snaplen',
  'nanoseconds',
  'littleEndian',
  'bufferSize',
];

/** The keys of {@link PcapngInterfaceOptions}: an interface refuses any other. */
const PCAPNG_INTERFACE_OPTIONS: readonly string[] = ['linkType', 'snaplen', 'nanoseconds'];

/**
 * Writes a pcapng file to a {@link ByteSink}: one section header, one interface description per
 * interface, then an enhanced packet block per packet. Call {@link flush} at the end.
 */
export class PcapngWriter implements CaptureWriter {
  private readonly out: ChunkBuffer;
  private readonly le: boolean;
  private readonly snaplens: number[] = [];
  private readonly exponents: number[] = [];
  private readonly units = new Uint32Array(2);

  constructor(sink: ByteSink, options: PcapngWriterOptions = {}) {
    assertObject(options, 'writer options');
    checkOptionKeys(options, 'pcapng writer', PCAPNG_WRITER_OPTIONS);
    if (typeof sink !== 'function') throw new PcapError('INVALID_ARGUMENT', 'sink must be a function');
    const interfaces = optionOr<readonly PcapngInterfaceOptions[]>(options.interfaces, [{}]);
    if (!Array.isArray(interfaces)) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `interfaces must be an array, got ${describeValue(interfaces)}`,
      );
    }
    if (interfaces.length < 1 || interfaces.length > 65_536) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `a pcapng writer needs 1..65536 interfaces, got ${String(interfaces.length)}`,
      );
    }
    this.le = booleanOption(options.littleEndian, 'littleEndian', true);
    // The section-wide defaults are checked even when every interface sets its own: a bad value
    // is refused wherever it is given, never skipped.
    const linkTypeDefault = optionOr(options.linkType, LinkType.ETHERNET);
    const snaplenDefault = optionOr(options.snaplen, MAX_CAPTURE_LENGTH);
    checkInterface(linkTypeDefault, snaplenDefault);
    const nanosecondsDefault = booleanOption(options.nanoseconds, 'nanoseconds', false);
    // Every interface is checked before the first byte goes to the sink.
    const checked = interfaces.map((iface: PcapngInterfaceOptions, i) => {
      assertObject(iface, 'an interface');
      checkOptionKeys(iface, `interfaces[${String(i)}]`, PCAPNG_INTERFACE_OPTIONS);
      const linkType = optionOr(iface.linkType, linkTypeDefault);
      const snaplen = optionOr(iface.snaplen, snaplenDefault);
      checkInterface(linkType, snaplen);
      const nanoseconds = booleanOption(
        iface.nanoseconds,
        `interfaces[${String(i)}].nanoseconds`,
        nanosecondsDefault,
      );
      return { linkType, snaplen, nanoseconds };
    });
    this.out = new ChunkBuffer(sink, bufferSizeOf(options.bufferSize));
    this.sectionHeader();
    for (const { linkType, snaplen, nanoseconds } of checked) {
      this.snaplens.push(snaplen);
      this.exponents.push(nanoseconds ? 9 : 6);
      this.interfaceDescription(linkType, snaplen, nanoseconds);
    }
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
    // An integer first: `snaplens['length']` is a number too.
    const snaplen = Number.isInteger(interfaceId) ? this.snaplens[interfaceId] : undefined;
    const exponent = Number.isInteger(interfaceId) ? this.exponents[interfaceId] : undefined;
    if (snaplen === undefined || exponent === undefined) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `interfaceId must be 0..${String(this.snaplens.length - 1)}, got ${describeValue(interfaceId)}`,
      );
    }
    // The timestamp is a 64-bit count of units: in nanoseconds it ends before 2^40 seconds.
    const maxSeconds = exponent === 9 ? MAX_NANOSECOND_SECONDS : 2 ** 40;
    checkPacket(timestampSec, timestampNs, data, offset, length, originalLength, maxSeconds);
    const captured = Math.min(length, snaplen);
    const padded = (captured + 3) & ~3;
    const total = 32 + padded;
    const out = this.out;
    out.reserve(total);
    const { view, pos, bytes } = out;
    const le = this.le;
    unitsFromTimestamp(timestampSec, timestampNs, exponent, this.units);
    view.setUint32(pos, BlockType.ENHANCED_PACKET, le);
    view.setUint32(pos + 4, total, le);
    view.setUint32(pos + 8, interfaceId, le);
    view.setUint32(pos + 12, this.units[0] as number, le);
    view.setUint32(pos + 16, this.units[1] as number, le);
    view.setUint32(pos + 20, captured, le);
    view.setUint32(pos + 24, originalLength, le);
    bytes.set(data.subarray(offset, offset + captured), pos + 28);
    bytes.fill(0, pos + 28 + captured, pos + 28 + padded);
    view.setUint32(pos + 28 + padded, total, le);
    out.pos = pos + total;
  }

  flush(): void {
    this.out.flush();
  }

  private sectionHeader(): void {
    const { view } = this.out;
    const le = this.le;
    view.setUint32(0, BlockType.SECTION_HEADER, le);
    view.setUint32(4, 28, le);
    view.setUint32(8, Magic.PCAPNG_BYTE_ORDER, le);
    view.setUint16(12, 1, le);
    view.setUint16(14, 0, le);
    // Section length unknown: -1.
    view.setUint32(16, 0xffff_ffff, le);
    view.setUint32(20, 0xffff_ffff, le);
    view.setUint32(24, 28, le);
    this.out.pos = 28;
  }

  private interfaceDescription(linkType: number, snaplen: number, nanoseconds: boolean): void {
    const total = nanoseconds ? 32 : 20;
    this.out.reserve(total);
    const { view, pos } = this.out;
    const le = this.le;
    view.setUint32(pos, BlockType.INTERFACE_DESCRIPTION, le);
    view.setUint32(pos + 4, total, le);
    view.setUint16(pos + 8, linkType, le);
    view.setUint16(pos + 10, 0, le);
    view.setUint32(pos + 12, snaplen, le);
    if (nanoseconds) {
      view.setUint16(pos + 16, 9, le); // if_tsresol
      view.setUint16(pos + 18, 1, le);
      view.setUint32(pos + 20, 9, true); // value byte 9, then padding
      view.setUint32(pos + 24, 0, le); // opt_endofopt
    }
    view.setUint32(pos + total - 4, total, le);
    this.out.pos = pos + total;
  }
}
