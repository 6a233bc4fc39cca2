import { CaptureReader, type ReadOptions, type ReadSummary } from './capture-reader.js';
import { assertCallback, PcapError } from './errors.js';
import type { PacketRecord } from './packet-record.js';

/**
 * Reads a whole capture held in memory (classic pcap or pcapng, detected from the magic), calling
 * `onPacket` with one reused record per packet. Bad data never throws: reading stops at the
 * damage and the summary carries a {@link PcapError} with its byte offset.
 * @example
 * const { packets, error } = readCapture(bytes, (p) => {
 *   if (p.status === DecodeStatus.OK) seen.add(formatFlow(p.flow));
 * });
 */
export function readCapture(
  bytes: Uint8Array,
  onPacket: (packet: PacketRecord) => void,
  options: ReadOptions = {},
): ReadSummary {
  assertBytes(bytes);
  assertCallback(onPacket, 'readCapture');
  const reader = new CaptureReader(options);
  reader.push(bytes, onPacket);
  return reader.end();
}

/**
 * Iterates the packets of a capture held in memory (one reused record). After the last good
 * packet, damage is thrown as a {@link PcapError} carrying the byte offset.
 * @example
 * for (const p of capturePackets(bytes)) keys.push(cloneFlowKey(p.flow));
 */
export function* capturePackets(
  bytes: Uint8Array,
  options: ReadOptions = {},
): Generator<PacketRecord, ReadSummary> {
  assertBytes(bytes);
  const reader = new CaptureReader(options);
  reader.feed(bytes);
  for (let p = reader.next(); p !== null; p = reader.next()) yield p;
  const summary = reader.end();
  if (summary.error !== null) throw summary.error;
  return summary;
}

function assertBytes(bytes: unknown): void {
  if (!(bytes instanceof Uint8Array)) {
    throw new PcapError('INVALID_ARGUMENT', 'a capture must be given as a Uint8Array (a Buffer is one)');
  }
}
