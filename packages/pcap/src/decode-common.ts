import { PortKind } from '@maestro/hash';
import { clearAddressesV6, copyAddressesV6 } from './byte-views.js';
import { DecodeStatus, type PacketRecord } from './packet-record.js';

/**
 * The frames a gateway sees most, decoded in one pass: Ethernet with at most one 802.1Q/802.1ad
 * tag, then IPv4 without options and not a fragment, or IPv6 without extension headers, carrying
 * a whole TCP or UDP header. For those it writes every decode field of `out` exactly as the
 * general decoder would (a property test holds it to that) and returns true; for any other frame
 * it returns false having written nothing. `v` is a DataView over the same bytes as `b`.
 *
 * Kept under V8's inlining limit (460 bytes of bytecode; the writes are in a helper) so that the
 * reader's loop compiles it in place: about 10 % of the read + decode time.
 */
export function decodeCommonFrame(
  b: Uint8Array,
  v: DataView,
  start: number,
  end: number,
  out: PacketRecord,
): boolean {
  let p = start + 14;
  if (end - p < 28) return false; // the shortest: IPv4 + UDP
  let type = v.getUint16(p - 2);
  let vlan = -1;
  if (type === 0x8100 || type === 0x88a8) {
    vlan = v.getUint16(p) & 0x0fff;
    type = v.getUint16(p + 2);
    p += 4;
  }
  // `total` is the IP packet's length as its header says; too short a one fails the transport
  // checks below. Numbers are literal (0x0800 IPv4, 0x86dd IPv6, 6 TCP, 17 UDP): a named constant
  // is a load, and loads count against the inlining limit.
  const v4 = type === 0x0800;
  let total: number;
  let l4: number;
  let protocol: number;
  if (v4) {
    // No options, and neither an offset nor more fragments (DF alone is fine).
    if (end - p < 28 || b[p] !== 0x45 || (v.getUint16(p + 6) & 0x3fff) !== 0) return false;
    total = v.getUint16(p + 2);
    l4 = p + 20;
    protocol = b[p + 9] as number;
  } else if (type === 0x86dd) {
    if (end - p < 48 || (b[p] as number) >> 4 !== 6) return false;
    // A payload length of 0 is a jumbogram (or a TSO capture): the capture bounds it.
    total = v.getUint16(p + 4);
    total = total === 0 ? end - p : total + 40;
    l4 = p + 40;
    protocol = b[p + 6] as number;
  } else {
    return false;
  }
  let truncated = total > end - p;
  const available = (truncated ? end : p + total) - l4;
  let flags = 0;
  if (protocol === 6) {
    if (available < 20) return false;
    flags = b[l4 + 13] as number;
    if (((b[l4 + 12] as number) >> 4) << 2 > available) truncated = true;
  } else if (protocol !== 17 || available < 8) {
    return false;
  }
  fillCommon(out, v, v4, p, l4, protocol, vlan, flags, truncated);
  return true;
}

/** Writes the decode fields of a common frame: the IP header at `p`, the transport header at `l4`. */
function fillCommon(
  out: PacketRecord,
  v: DataView,
  v4: boolean,
  p: number,
  l4: number,
  protocol: number,
  vlan: number,
  flags: number,
  truncated: boolean,
): void {
  out.status = DecodeStatus.OK;
  out.vlan = vlan;
  out.tcpFlags = flags;
  out.truncated = truncated;
  out.ipOffset = p;
  out.hasInner = false;
  if (out.isFragment || out.fragmentId !== 0) {
    out.isFragment = false;
    out.fragmentId = 0;
    out.fragmentOffset = 0;
    out.moreFragments = false;
  }
  const key = out.flow;
  if (v4) {
    if (key.family === 6) clearAddressesV6(key, true);
    key.family = 4;
    key.srcV4 = v.getUint32(p + 12);
    key.dstV4 = v.getUint32(p + 16);
  } else {
    key.family = 6;
    key.srcV4 = 0;
    key.dstV4 = 0;
    copyAddressesV6(key, v, p, true);
  }
  key.protocol = protocol;
  key.srcPort = v.getUint16(l4);
  key.dstPort = v.getUint16(l4 + 2);
  key.portKind = PortKind.PORTS;
}
