import { HashError } from './errors.js';
import { shown } from './shown.js';

/** IP protocol numbers the flow key gives meaning to (any 0..255 is accepted). */
export const IpProtocol: {
  readonly ICMP: 1;
  readonly TCP: 6;
  readonly UDP: 17;
  readonly GRE: 47;
  readonly ESP: 50;
  readonly AH: 51;
  readonly ICMPV6: 58;
  readonly SCTP: 132;
} = { ICMP: 1, TCP: 6, UDP: 17, GRE: 47, ESP: 50, AH: 51, ICMPV6: 58, SCTP: 132 };

/**
 * What the two port fields of a {@link FlowKey} hold.
 * - `NONE`: the protocol has no ports (GRE, ESP, ...); both are 0.
 * - `PORTS`: TCP, UDP or SCTP source and destination ports.
 * - `ECHO`: ICMP / ICMPv6 echo; the identifier is in both fields, so a request and its reply
 *   carry the same values in the same places a port-based reply would.
 * - `FRAGMENT`: a non-first IP fragment; the ports exist but are not in this packet (both 0).
 */
export const PortKind: { readonly NONE: 0; readonly PORTS: 1; readonly ECHO: 2; readonly FRAGMENT: 3 } = {
  NONE: 0,
  PORTS: 1,
  ECHO: 2,
  FRAGMENT: 3,
};
/** One of the {@link PortKind} values. */
export type PortKind = (typeof PortKind)[keyof typeof PortKind];

/**
 * A flow key: the fields of one packet that distribution and connection lookup use. It is a
 * plain mutable record of numbers and two 16-byte arrays, made to be allocated once and refilled
 * per packet on hot paths (see {@link setFlowV4}, {@link setFlowV6}).
 *
 * IPv4 addresses are unsigned 32-bit numbers in `srcV4`/`dstV4` (`src6`/`dst6` then hold
 * leftovers and are ignored by every function here); IPv6 addresses are the 16 network-order
 * bytes of `src6`/`dst6` (`srcV4`/`dstV4` are then 0).
 */
export interface FlowKey {
  /** 4 or 6. */
  family: 4 | 6;
  /** IP protocol number, 0..255 (the IPv6 upper-layer protocol after extension headers). */
  protocol: number;
  /** IPv4 source address as an unsigned 32-bit number. */
  srcV4: number;
  /** IPv4 destination address as an unsigned 32-bit number. */
  dstV4: number;
  /** IPv6 source address, 16 bytes in network order. */
  readonly src6: Uint8Array;
  /** IPv6 destination address, 16 bytes in network order. */
  readonly dst6: Uint8Array;
  /** Source port, or the echo identifier, 0..65535; 0 when there is none. */
  srcPort: number;
  /** Destination port, or the echo identifier, 0..65535; 0 when there is none. */
  dstPort: number;
  /** What the port fields mean. */
  portKind: PortKind;
}

/** A fresh, all-zero IPv4 flow key, meant to be reused. */
export function createFlowKey(): FlowKey {
  return {
    family: 4,
    protocol: 0,
    srcV4: 0,
    dstV4: 0,
    src6: new Uint8Array(16),
    dst6: new Uint8Array(16),
    srcPort: 0,
    dstPort: 0,
    portKind: PortKind.NONE,
  };
}

/**
 * Fills `key` with an IPv4 flow; no allocation, no validation (the hot-path setter: callers that
 * take outside data use {@link parseFlow} or validate first).
 */
export function setFlowV4(
  key: FlowKey,
  protocol: number,
  src: number,
  dst: number,
  srcPort: number,
  dstPort: number,
  portKind: PortKind,
): FlowKey {
  key.family = 4;
  key.protocol = protocol;
  key.srcV4 = src >>> 0;
  key.dstV4 = dst >>> 0;
  key.srcPort = srcPort;
  key.dstPort = dstPort;
  key.portKind = portKind;
  return key;
}

/** Fills `key` with an IPv6 flow, copying the two 16-byte addresses; no allocation. */
export function setFlowV6(
  key: FlowKey,
  protocol: number,
  src: Uint8Array,
  dst: Uint8Array,
  srcPort: number,
  dstPort: number,
  portKind: PortKind,
): FlowKey {
  key.family = 6;
  key.protocol = protocol;
  key.srcV4 = 0;
  key.dstV4 = 0;
  key.src6.set(src.subarray(0, 16));
  key.dst6.set(dst.subarray(0, 16));
  key.srcPort = srcPort;
  key.dstPort = dstPort;
  key.portKind = portKind;
  return key;
}

/** Copies every field of `from` into `to`; returns `to`. */
export function copyFlowKey(from: FlowKey, to: FlowKey): FlowKey {
  to.family = from.family;
  to.protocol = from.protocol;
  to.srcV4 = from.srcV4;
  to.dstV4 = from.dstV4;
  if (from.family === 6) {
    to.src6.set(from.src6);
    to.dst6.set(from.dst6);
  }
  to.srcPort = from.srcPort;
  to.dstPort = from.dstPort;
  to.portKind = from.portKind;
  return to;
}

/** A new flow key equal to `key`. */
export function cloneFlowKey(key: FlowKey): FlowKey {
  return copyFlowKey(key, createFlowKey());
}

/**
 * Writes the reverse of `key` (source and destination swapped, ports swapped) into `out`, which
 * may be `key` itself. ICMP echo keys reverse to themselves but for the addresses.
 */
export function reverseFlowKey(key: FlowKey, out: FlowKey): FlowKey {
  const srcV4 = key.srcV4;
  const srcPort = key.srcPort;
  out.family = key.family;
  out.protocol = key.protocol;
  out.portKind = key.portKind;
  out.srcV4 = key.dstV4;
  out.dstV4 = srcV4;
  out.srcPort = key.dstPort;
  out.dstPort = srcPort;
  if (key.family === 6) {
    for (let i = 0; i < 16; i++) {
      const s = key.src6[i] as number;
      out.src6[i] = key.dst6[i] as number;
      out.dst6[i] = s;
    }
  }
  return out;
}

/** True when both keys describe the same flow in the same direction. */
export function flowKeyEquals(a: FlowKey, b: FlowKey): boolean {
  if (
    a.family !== b.family ||
    a.protocol !== b.protocol ||
    a.srcPort !== b.srcPort ||
    a.dstPort !== b.dstPort ||
    a.portKind !== b.portKind
  ) {
    return false;
  }
  if (a.family === 4) return a.srcV4 === b.srcV4 && a.dstV4 === b.dstV4;
  for (let i = 0; i < 16; i++) {
    if (a.src6[i] !== b.src6[i] || a.dst6[i] !== b.dst6[i]) return false;
  }
  return true;
}

/**
 * Checks that every field of a key built from outside data is in range: an object, family 4 or 6,
 * protocol 0..255, port kind 0..3, ports 0..65535, IPv4 addresses as unsigned 32-bit integers or
 * IPv6 addresses as 16-byte `Uint8Array`s; throws a {@link HashError} naming the first bad field
 * (also for a field that cannot be read: a getter that throws). Hot paths that fill keys from a
 * decoder skip this.
 */
export function assertFlowKey(key: FlowKey): void {
  if (typeof key !== 'object' || key === null) {
    throw new HashError('INVALID_ADDRESS', `a flow key must be an object, got ${shown(key)}`);
  }
  try {
    checkFields(key);
  } catch (error) {
    if (error instanceof HashError) throw error;
    throw new HashError('INVALID_ADDRESS', 'a field of the flow key could not be read');
  }
}

function checkFields(key: FlowKey): void {
  if (key.family !== 4 && key.family !== 6) {
    throw new HashError('INVALID_ADDRESS', `family must be 4 or 6, got ${shown(key.family)}`);
  }
  if (!Number.isInteger(key.protocol) || key.protocol < 0 || key.protocol > 255) {
    throw new HashError('INVALID_PROTOCOL', `protocol must be an integer 0..255, got ${shown(key.protocol)}`);
  }
  if (!Number.isInteger(key.portKind) || key.portKind < 0 || key.portKind > 3) {
    throw new HashError('INVALID_PORT', `portKind must be an integer 0..3, got ${shown(key.portKind)}`);
  }
  assertPort(key.srcPort, 'srcPort');
  assertPort(key.dstPort, 'dstPort');
  if (key.family === 4) {
    assertU32(key.srcV4, 'srcV4');
    assertU32(key.dstV4, 'dstV4');
  } else if (!isAddress6(key.src6) || !isAddress6(key.dst6)) {
    throw new HashError('INVALID_ADDRESS', 'IPv6 addresses must be 16-byte Uint8Arrays');
  }
}

function isAddress6(bytes: unknown): boolean {
  return bytes instanceof Uint8Array && bytes.length === 16;
}

/**
 * True when `value` is an object with the two 16-byte address arrays a flow key's fields are
 * written into (what {@link createFlowKey} makes): an `out` that {@link parseFlow} and
 * `@maestro/flowtable`'s `keyAt` can write. Its other fields are not looked at; a getter that
 * throws makes it false.
 */
export function isFlowKeyObject(value: unknown): value is FlowKey {
  if (typeof value !== 'object' || value === null) return false;
  try {
    const { src6, dst6 } = value as Partial<FlowKey>;
    return isAddress6(src6) && isAddress6(dst6);
  } catch {
    return false;
  }
}

/** Throws a {@link HashError} unless `port` is an integer 0..65535. */
export function assertPort(port: number, what = 'port'): void {
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) {
    throw new HashError('INVALID_PORT', `${what} must be an integer 0..65535, got ${shown(port)}`);
  }
}

function assertU32(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new HashError(
      'INVALID_ADDRESS',
      `${what} must be an IPv4 address as an unsigned 32-bit integer, got ${shown(value)}`,
    );
  }
}
