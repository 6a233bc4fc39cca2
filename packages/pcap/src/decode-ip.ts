import { type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import { clearAddressesV6, copyAddressesV6, viewOf } from './byte-views.js';
import { DecodeStatus, type PacketRecord } from './packet-record.js';

const MAX_EXTENSION_HEADERS = 16;

/**
 * Decodes the IPv4 header at `p` into `key`. `outer` is false for the header embedded in an ICMP
 * error: that one is cut short by design, so it neither marks the record truncated nor fills the
 * fragment fields, and its own ICMP errors are not followed.
 */
export function decodeIPv4(
  rec: PacketRecord,
  key: FlowKey,
  b: Uint8Array,
  p: number,
  end: number,
  outer: boolean,
): DecodeStatus {
  if (end - p < 20) {
    if (outer) rec.truncated = true;
    return DecodeStatus.MALFORMED;
  }
  const vihl = b[p] as number;
  const ihl = (vihl & 0x0f) << 2;
  if (vihl >> 4 !== 4 || ihl < 20) return DecodeStatus.MALFORMED;
  const total = ((b[p + 2] as number) << 8) | (b[p + 3] as number);
  let limit = end;
  if (total >= ihl) {
    if (total <= end - p) limit = p + total;
    else if (outer) rec.truncated = true;
  }
  if (key.family === 6) clearAddressesV6(key, outer);
  key.family = 4;
  const protocol = b[p + 9] as number;
  key.protocol = protocol;
  const v = viewOf(b);
  key.srcV4 = v.getUint32(p + 12);
  key.dstV4 = v.getUint32(p + 16);
  key.srcPort = 0;
  key.dstPort = 0;
  key.portKind = PortKind.NONE;
  const frag = ((b[p + 6] as number) << 8) | (b[p + 7] as number);
  const offset = (frag & 0x1fff) << 3;
  if (outer && (frag & 0x3fff) !== 0) {
    rec.isFragment = true;
    rec.moreFragments = (frag & 0x2000) !== 0;
    rec.fragmentOffset = offset;
    rec.fragmentId = ((b[p + 4] as number) << 8) | (b[p + 5] as number);
  }
  if (offset > 0) {
    key.portKind = PortKind.FRAGMENT;
    return DecodeStatus.OK;
  }
  if (p + ihl > limit) {
    if (outer) rec.truncated = true;
    return DecodeStatus.OK;
  }
  decodeTransport(rec, key, b, p + ihl, limit, protocol, outer);
  return DecodeStatus.OK;
}

/** Decodes the IPv6 header at `p` and its extension headers into `key` (see {@link decodeIPv4}). */
export function decodeIPv6(
  rec: PacketRecord,
  key: FlowKey,
  b: Uint8Array,
  p: number,
  end: number,
  outer: boolean,
): DecodeStatus {
  if (end - p < 40) {
    if (outer) rec.truncated = true;
    return DecodeStatus.MALFORMED;
  }
  if ((b[p] as number) >> 4 !== 6) return DecodeStatus.MALFORMED;
  const payload = ((b[p + 4] as number) << 8) | (b[p + 5] as number);
  let limit = end;
  // A payload length of 0 is a jumbogram (or a TSO capture): the capture bounds it.
  if (payload > 0) {
    if (payload <= end - p - 40) limit = p + 40 + payload;
    else if (outer) rec.truncated = true;
  }
  key.family = 6;
  key.srcV4 = 0;
  key.dstV4 = 0;
  copyAddressesV6(key, viewOf(b), p, outer);
  key.srcPort = 0;
  key.dstPort = 0;
  key.portKind = PortKind.NONE;
  let next = b[p + 6] as number;
  let q = p + 40;
  for (let n = 0; n < MAX_EXTENSION_HEADERS; n++) {
    if (next === 0 || next === 43 || next === 60) {
      if (limit - q < 2) return cutAt(rec, key, next, outer);
      const length = ((b[q + 1] as number) + 1) << 3;
      next = b[q] as number;
      q += length;
    } else if (next === 44) {
      if (limit - q < 8) return cutAt(rec, key, next, outer);
      const frag = ((b[q + 2] as number) << 8) | (b[q + 3] as number);
      const offset = frag & 0xfff8;
      // An atomic fragment (offset 0, no more fragments; RFC 6946) is a whole datagram: like an
      // IPv4 packet that is not a fragment, it leaves the fragment fields at their zeros.
      if (outer && (frag & 0xfff9) !== 0) {
        rec.isFragment = true;
        rec.moreFragments = (frag & 1) !== 0;
        rec.fragmentOffset = offset;
        rec.fragmentId =
          (((b[q + 4] as number) << 24) |
            ((b[q + 5] as number) << 16) |
            ((b[q + 6] as number) << 8) |
            (b[q + 7] as number)) >>>
          0;
      }
      next = b[q] as number;
      q += 8;
      // A later fragment holds fragment data after this header, not the rest of the chain
      // (RFC 8200 4.5): its Next Header is all it says of what follows, the upper-layer protocol
      // or, when the fragmentable part starts with one (Destination Options), an extension header.
      if (offset > 0) {
        key.protocol = next;
        key.portKind = PortKind.FRAGMENT;
        return DecodeStatus.OK;
      }
    } else {
      break;
    }
  }
  key.protocol = next;
  if (q > limit) return cutAt(rec, key, next, outer);
  decodeTransport(rec, key, b, q, limit, next, outer);
  return DecodeStatus.OK;
}

function cutAt(rec: PacketRecord, key: FlowKey, next: number, outer: boolean): DecodeStatus {
  key.protocol = next;
  if (outer) rec.truncated = true;
  return DecodeStatus.OK;
}

function decodeTransport(
  rec: PacketRecord,
  key: FlowKey,
  b: Uint8Array,
  q: number,
  limit: number,
  protocol: number,
  outer: boolean,
): void {
  const available = limit - q;
  switch (protocol) {
    case IpProtocol.TCP:
      if (available >= 4) setPorts(key, b, q);
      if (!outer) return;
      if (available >= 14) rec.tcpFlags = b[q + 13] as number;
      if (available < 20 || ((b[q + 12] as number) >> 4) << 2 > available) rec.truncated = true;
      return;
    case IpProtocol.UDP:
      if (available >= 4) setPorts(key, b, q);
      if (outer && available < 8) rec.truncated = true;
      return;
    case IpProtocol.SCTP:
      if (available >= 4) setPorts(key, b, q);
      if (outer && available < 12) rec.truncated = true;
      return;
    case IpProtocol.ICMP:
    case IpProtocol.ICMPV6:
      decodeIcmp(rec, key, b, q, limit, protocol, outer);
      return;
    default:
      return;
  }
}

function decodeIcmp(
  rec: PacketRecord,
  key: FlowKey,
  b: Uint8Array,
  q: number,
  limit: number,
  protocol: number,
  outer: boolean,
): void {
  const available = limit - q;
  if (available < 8) {
    if (outer) rec.truncated = true;
    if (available < 1) return;
  }
  const type = b[q] as number;
  const v4 = protocol === IpProtocol.ICMP;
  const echo = v4 ? type === 0 || type === 8 : type === 128 || type === 129;
  if (echo) {
    if (available >= 6) {
      const id = ((b[q + 4] as number) << 8) | (b[q + 5] as number);
      key.srcPort = id;
      key.dstPort = id;
      key.portKind = PortKind.ECHO;
    }
    return;
  }
  if (!outer || available < 8) return;
  const error = v4
    ? type === 3 || type === 4 || type === 5 || type === 11 || type === 12
    : type >= 1 && type <= 4;
  if (!error) return;
  const status = v4
    ? decodeIPv4(rec, rec.inner, b, q + 8, limit, false)
    : decodeIPv6(rec, rec.inner, b, q + 8, limit, false);
  rec.hasInner = status === DecodeStatus.OK;
}

function setPorts(key: FlowKey, b: Uint8Array, q: number): void {
  key.srcPort = ((b[q] as number) << 8) | (b[q + 1] as number);
  key.dstPort = ((b[q + 2] as number) << 8) | (b[q + 3] as number);
  key.portKind = PortKind.PORTS;
}
