import { assertObject, describeValue, optionOr, PcapError } from './errors.js';
import { MAX_CAPTURE_LENGTH } from './limits.js';

/** A packet to write. */
export interface WritablePacket {
  /**
   * Whole seconds since the epoch: 0..2^32-1 (classic pcap), 0..2^40 (pcapng), 0..18446744072 on a
   * pcapng nanosecond interface (its 64-bit count of nanoseconds ends there).
   */
  readonly timestampSec: number;
  /** Nanoseconds within the second, 0..999999999 (rounded down to microseconds unless the file is nanosecond). */
  readonly timestampNs: number;
  /** The packet's bytes from the link-layer header on (at most 262144 bytes). */
  readonly data: Uint8Array;
  /** Length on the wire. @default data.length */
  readonly originalLength?: number;
  /** pcapng interface the packet was seen on. @default 0 */
  readonly interfaceId?: number;
}

/** The common surface of {@link PcapWriter} and {@link PcapngWriter}. */
export interface CaptureWriter {
  /** Appends one packet. */
  write(packet: WritablePacket): void;
  /**
   * Appends `data[offset, offset + length)` as one packet without building an object (the
   * generator's path); same checks as {@link write}.
   */
  writeRaw(
    timestampSec: number,
    timestampNs: number,
    data: Uint8Array,
    offset: number,
    length: number,
    originalLength: number,
    interfaceId: number,
  ): void;
  /** Hands everything buffered to the sink. */
  flush(): void;
}

/**
 * `write(packet)` in terms of `writeRaw`: the one place that reads a {@link WritablePacket}'s
 * defaults (the whole `data`, original length = captured, interface 0). A non-`Uint8Array` `data`
 * goes through as length 0 so that `writeRaw`'s checks name it.
 */
export function writePacket(writer: CaptureWriter, packet: WritablePacket): void {
  assertObject(packet, 'a packet');
  const { data } = packet;
  const length = data instanceof Uint8Array ? data.length : 0;
  writer.writeRaw(
    packet.timestampSec,
    packet.timestampNs,
    data,
    0,
    length,
    // Only a missing field takes its default: null is garbage like any other non-integer.
    packet.originalLength === undefined ? length : packet.originalLength,
    packet.interfaceId === undefined ? 0 : packet.interfaceId,
  );
}

/** Largest write buffer a writer takes (64 MiB). */
const MAX_BUFFER_SIZE = 64 << 20;

/** Checks a writer's `bufferSize` option and applies its default; throws `INVALID_ARGUMENT`. */
export function bufferSizeOf(size: number | undefined): number {
  const value = optionOr(size, 1 << 20);
  if (!Number.isInteger(value) || value < 1 || value > MAX_BUFFER_SIZE) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `bufferSize must be an integer 1..${String(MAX_BUFFER_SIZE)}, got ${describeValue(value)}`,
    );
  }
  return value;
}

/** Checks what every writer checks of a packet; throws `INVALID_ARGUMENT`. */
export function checkPacket(
  timestampSec: number,
  timestampNs: number,
  data: Uint8Array,
  offset: number,
  length: number,
  originalLength: number,
  maxSeconds: number,
): void {
  if (!Number.isInteger(timestampSec) || timestampSec < 0 || timestampSec > maxSeconds) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `timestampSec must be an integer 0..${String(maxSeconds)}, got ${describeValue(timestampSec)}`,
    );
  }
  if (!Number.isInteger(timestampNs) || timestampNs < 0 || timestampNs > 999_999_999) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `timestampNs must be an integer 0..999999999, got ${describeValue(timestampNs)}`,
    );
  }
  if (
    !(data instanceof Uint8Array) ||
    !(
      Number.isInteger(offset) &&
      Number.isInteger(length) &&
      offset >= 0 &&
      length >= 0 &&
      offset + length <= data.length
    )
  ) {
    throw new PcapError('INVALID_ARGUMENT', 'packet data must be a Uint8Array holding offset..offset+length');
  }
  if (length > MAX_CAPTURE_LENGTH) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `packet of ${String(length)} bytes exceeds the ${String(MAX_CAPTURE_LENGTH)}-byte limit`,
    );
  }
  if (!Number.isInteger(originalLength) || originalLength < length || originalLength > 0xffff_ffff) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `originalLength must be an integer from the captured length (${String(length)}) to 2^32-1, got ${describeValue(originalLength)}`,
    );
  }
}

/** Checks a link type / snapshot length pair of writer options. */
export function checkInterface(linkType: number, snaplen: number): void {
  if (!Number.isInteger(linkType) || linkType < 0 || linkType > 0xffff) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `linkType must be an integer 0..65535, got ${describeValue(linkType)}`,
    );
  }
  if (!Number.isInteger(snaplen) || snaplen < 1 || snaplen > MAX_CAPTURE_LENGTH) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `snaplen must be an integer 1..${String(MAX_CAPTURE_LENGTH)}, got ${describeValue(snaplen)}`,
    );
  }
}
