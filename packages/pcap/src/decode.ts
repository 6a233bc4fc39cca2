import { viewOf } from './byte-views.js';
import { decodeCommonFrame } from './decode-common.js';
import { decodeIPv4, decodeIPv6 } from './decode-ip.js';
import { findNetworkLayer, type NetworkLayer, UNSUPPORTED } from './decode-link.js';
import { describeValue, PcapError } from './errors.js';
import { LinkType } from './link-type.js';
import { DecodeStatus, type PacketRecord } from './packet-record.js';

const layer: NetworkLayer = { offset: 0, version: 0 };

/**
 * Decodes a link-layer frame into the decode fields of `out` (status, flow key, VLAN, TCP flags,
 * fragment fields, truncation, ICMP-error inner key) without allocating, and returns the status.
 * The capture fields of `out` (`bytes`, lengths, timestamps) are left alone.
 * @throws {PcapError} `INVALID_ARGUMENT` when `offset`/`length` are not integers that lie within `bytes`.
 * @example
 * const rec = createPacketRecord();
 * if (decodeFrame(LinkType.ETHERNET, frame, 0, frame.length, rec) === DecodeStatus.OK) {
 *   console.log(formatFlow(rec.flow), rec.vlan);
 * }
 */
export function decodeFrame(
  linkType: number,
  bytes: Uint8Array,
  offset: number,
  length: number,
  out: PacketRecord,
): DecodeStatus {
  if (!(bytes instanceof Uint8Array) || typeof out !== 'object' || out === null) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      'decodeFrame takes a Uint8Array and a record from createPacketRecord()',
    );
  }
  if (
    !(
      Number.isInteger(offset) &&
      Number.isInteger(length) &&
      offset >= 0 &&
      length >= 0 &&
      offset + length <= bytes.length
    )
  ) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `offset ${describeValue(offset)} and length ${describeValue(length)} must be integers that lie within the ${String(bytes.length)}-byte buffer`,
    );
  }
  return decodeUnchecked(linkType, bytes, offset, offset + length, out);
}

/** Decodes the packet a reader put in `record` (its bytes, link type and captured length). */
export function decodePacket(record: PacketRecord): DecodeStatus {
  if (typeof record !== 'object' || record === null) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `decodePacket takes a packet record, got ${describeValue(record)}`,
    );
  }
  return decodeFrame(record.linkType, record.bytes, record.dataOffset, record.capturedLength, record);
}

/** {@link decodeFrame} for callers (the readers) whose bounds are already checked. */
export function decodeUnchecked(
  linkType: number,
  b: Uint8Array,
  start: number,
  end: number,
  out: PacketRecord,
): DecodeStatus {
  if (linkType === LinkType.ETHERNET && decodeCommonFrame(b, viewOf(b), start, end, out)) {
    return DecodeStatus.OK;
  }
  return decodeGeneral(linkType, b, start, end, out);
}

/** Every frame the hard way: {@link decodeUnchecked} without the common-frame shortcut. */
export function decodeGeneral(
  linkType: number,
  b: Uint8Array,
  start: number,
  end: number,
  out: PacketRecord,
): DecodeStatus {
  out.vlan = -1;
  out.tcpFlags = 0;
  // Fragment fields are written only for fragments: reset them only when the last packet was one.
  if (out.isFragment || out.fragmentId !== 0) {
    out.isFragment = false;
    out.fragmentId = 0;
    out.fragmentOffset = 0;
    out.moreFragments = false;
  }
  out.truncated = false;
  out.ipOffset = -1;
  out.hasInner = false;
  let status: DecodeStatus;
  const version = findNetworkLayer(out, linkType, b, start, end, layer);
  if (version === 4) {
    out.ipOffset = layer.offset;
    status = decodeIPv4(out, out.flow, b, layer.offset, end, true);
  } else if (version === 6) {
    out.ipOffset = layer.offset;
    status = decodeIPv6(out, out.flow, b, layer.offset, end, true);
  } else if (version === 0) {
    status = DecodeStatus.NOT_IP;
  } else if (version === UNSUPPORTED) {
    status = DecodeStatus.UNSUPPORTED_LINK_TYPE;
  } else {
    out.truncated = true;
    status = DecodeStatus.MALFORMED;
  }
  out.status = status;
  return status;
}
