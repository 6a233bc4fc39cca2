import { type FlowKey, PortKind } from '@maestro/hash';
import { addressWord } from './address-word.js';
import {
  F_DPORT,
  F_DST4,
  F_DST6,
  F_IFACE,
  F_PROTO,
  F_SPORT,
  F_SRC,
  F_VLAN,
  NO_PORTS,
  SIGN,
} from './rule-boxes.js';

/** `PortKind.PORTS`, the one port kind whose ports are real, as a plain constant for the hot loops. */
export const PORTS_KIND: number = PortKind.PORTS;

/** What {@link packetPoint} returns for a packet it refuses. */
export const BAD_PACKET = 0;

/**
 * Writes a packet's field values into `out` from `at` on (see the F_ constants; 13 ints) and
 * returns its family, 4 or 6, or {@link BAD_PACKET} (with `out` partly written) when the key is not
 * a flow key with every field in range (family 4 or 6, protocol 0..255, port kind 0..3, ports
 * 0..65535, IPv4 addresses unsigned 32-bit integers, IPv6 addresses 16-byte `Uint8Array`s), the
 * interface id is not a 32-bit integer or the VLAN not an integer 0..4095. Interface ids outside
 * `0 .. interfaceCount - 1` count as unknown. No allocation: each check is a compare of a value
 * with its own masked copy, which the conversion computes anyway.
 */
export function packetPoint(
  key: FlowKey,
  iface: number,
  vlan: number,
  interfaceCount: number,
  out: Int32Array,
  at: number,
): number {
  if (typeof key !== 'object' || key === null) return BAD_PACKET;
  const protocol = key.protocol;
  const kind = key.portKind;
  const sp = key.srcPort;
  const dp = key.dstPort;
  if (
    (protocol & 255) !== protocol ||
    (kind & 3) !== kind ||
    (sp & 0xffff) !== sp ||
    (dp & 0xffff) !== dp ||
    (iface | 0) !== iface ||
    (vlan & 4095) !== vlan
  ) {
    return BAD_PACKET;
  }
  // Branch-free: the interface id and the port kind vary from packet to packet, and a
  // mispredicted branch costs more than these few operations.
  const known = ((iface - interfaceCount) >> 31) & ~(iface >> 31);
  out[at + F_IFACE] = (iface + 1) & known;
  out[at + F_VLAN] = vlan;
  out[at + F_PROTO] = protocol;
  // 0 for PortKind.PORTS, 1 for the three kinds without ports.
  const noPorts = ((kind ^ PORTS_KIND) + 3) >> 2;
  const keep = noPorts - 1;
  out[at + F_SPORT] = (sp & keep) | (NO_PORTS & -noPorts);
  out[at + F_DPORT] = (dp & keep) | (NO_PORTS & -noPorts);
  const family = key.family;
  if (family === 4) {
    const s = key.srcV4;
    const d = key.dstV4;
    if (s >>> 0 !== s || d >>> 0 !== d) return BAD_PACKET;
    out[at + F_SRC] = s ^ SIGN;
    out[at + F_DST4] = d ^ SIGN;
    return 4;
  }
  return family === 6 ? v6Point(key, out, at) : BAD_PACKET;
}

/**
 * The IPv6 addresses of `key` into `out` (4 words each), and 6, or {@link BAD_PACKET} unless both
 * are 16-byte `Uint8Array`s. Apart from {@link packetPoint}, which then stays small enough for V8
 * to inline into the batch loop.
 */
function v6Point(key: FlowKey, out: Int32Array, at: number): number {
  const s = key.src6;
  const d = key.dst6;
  if (!(s instanceof Uint8Array) || !(d instanceof Uint8Array) || s.length !== 16 || d.length !== 16) {
    return BAD_PACKET;
  }
  for (let w = 0; w < 4; w++) {
    out[at + F_SRC + w] = addressWord(s, 4 * w) ^ SIGN;
    out[at + F_DST6 + w] = addressWord(d, 4 * w) ^ SIGN;
  }
  return 6;
}

/**
 * {@link packetPoint} for a packet from outside data as it is: {@link BAD_PACKET} also for a key
 * field, interface id or VLAN whose conversion to a number throws (a symbol, a bigint, an object
 * without a usable `valueOf`, a getter that throws), which the compares of packetPoint would let
 * escape as a TypeError or the value's own error.
 */
export function checkedPoint(
  key: FlowKey,
  iface: number,
  vlan: number,
  interfaceCount: number,
  out: Int32Array,
  at: number,
): number {
  try {
    return packetPoint(key, iface, vlan, interfaceCount, out, at);
  } catch {
    return BAD_PACKET;
  }
}
