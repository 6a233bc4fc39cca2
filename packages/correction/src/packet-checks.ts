import { FlowTableError } from '@maestro/flowtable';
import { type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import { CorrectionError, shown } from './errors.js';
import type { Packet } from './types.js';

/** Most internal hops a packet may take (an ICMP error may need two). */
export const MAX_HOPS = 2;

/**
 * Checks a packet from outside data: `INVALID_PACKET` for any impossible field (`interfaces` is
 * the number of ingress interfaces); `now` is checked apart, once per call of the engine. Internal
 * to the package.
 */
export function checkPacket(p: Packet, interfaces: number): void {
  let possible: boolean;
  try {
    possible = isPossiblePacket(p, interfaces);
  } catch {
    throw unreadable();
  }
  if (!possible) {
    let error: CorrectionError;
    try {
      error = explain(p, interfaces);
    } catch {
      error = unreadable();
    }
    throw error;
  }
}

/**
 * The error for a packet a field of which cannot even be converted to a number (a symbol, a bigint,
 * an object without a usable `valueOf`, a getter that throws): the checks' compares threw.
 */
function unreadable(): CorrectionError {
  return invalid(
    'a field of the packet or its key could not be read as a number (a symbol, a bigint, an object without valueOf, or a getter that throws)',
  );
}

/**
 * The checks of {@link checkPacket} as one predicate: integer fields by bit tricks, no calls, so
 * that the per-packet cost stays a few compares. {@link explain} says what was wrong.
 */
function isPossiblePacket(p: Packet, interfaces: number): boolean {
  if (typeof p !== 'object' || p === null) return false;
  const { ingress, hops, key } = p;
  if (
    ingress >>> 0 !== ingress ||
    ingress >= interfaces ||
    p.ipId >>> 0 !== p.ipId ||
    (p.tcpFlags & 0xff) !== p.tcpFlags ||
    p.bytes >>> 0 !== p.bytes ||
    hops >>> 0 !== hops ||
    hops > MAX_HOPS ||
    typeof p.moreFragments !== 'boolean' ||
    !isPossibleKey(key)
  ) {
    return false;
  }
  const { protocol, portKind: kind } = key;
  const ported = protocol === IpProtocol.TCP || protocol === IpProtocol.UDP || protocol === IpProtocol.SCTP;
  const icmp = protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPV6;
  const portsFit =
    kind === PortKind.PORTS
      ? ported
      : kind === PortKind.ECHO
        ? icmp && key.srcPort === key.dstPort
        : (key.srcPort | key.dstPort) === 0 && (kind === PortKind.FRAGMENT || !ported);
  const embedded = p.embedded;
  return portsFit && (embedded === null || (icmp && kind !== PortKind.ECHO && isPossibleKey(embedded)));
}

/** The error {@link checkPacket} throws for a packet that fails {@link isPossiblePacket}. */
function explain(p: Packet, interfaces: number): CorrectionError {
  if (typeof p !== 'object' || p === null) return invalid('a packet must be an object');
  if (!Number.isInteger(p.ingress) || p.ingress < 0 || p.ingress >= interfaces) {
    return invalid(`ingress must be an interface index 0..${interfaces - 1}, got ${shown(p.ingress)}`);
  }
  if (p.ipId >>> 0 !== p.ipId) return invalid(`ipId must be 0..2^32-1, got ${shown(p.ipId)}`);
  if ((p.tcpFlags & 0xff) !== p.tcpFlags) return invalid(`tcpFlags must be 0..255, got ${shown(p.tcpFlags)}`);
  if (p.bytes >>> 0 !== p.bytes) return invalid(`bytes must be an integer 0..2^32-1, got ${shown(p.bytes)}`);
  if (!(p.hops === 0 || p.hops === 1 || p.hops === 2))
    return invalid(`hops must be 0..${MAX_HOPS}, got ${shown(p.hops)}`);
  if (typeof p.moreFragments !== 'boolean') return invalid('moreFragments must be a boolean');
  const key = p.key;
  if (!isPossibleKey(key)) return badKey(key);
  const { portKind: kind, protocol } = key;
  if (!isPossiblePacket({ ...p, embedded: null }, interfaces)) {
    return invalid(
      `port kind ${kind} is impossible for protocol ${protocol} with ports ${key.srcPort}/${key.dstPort}`,
    );
  }
  const icmp = protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPV6;
  if (!icmp || kind === PortKind.ECHO)
    return invalid('only an ICMP error (not an echo) carries an embedded tuple');
  return badKey(p.embedded);
}

/** True when `key` is a flow key object in range (family 4|6, protocol, ports, port kind). */
function isPossibleKey(key: FlowKey): boolean {
  if (typeof key !== 'object' || key === null) return false;
  const { protocol, srcPort, dstPort, portKind } = key;
  if (
    (protocol & 0xff) !== protocol ||
    (srcPort & 0xffff) !== srcPort ||
    (dstPort & 0xffff) !== dstPort ||
    (portKind & 3) !== portKind
  ) {
    return false;
  }
  if (key.family === 4) return key.srcV4 >>> 0 === key.srcV4 && key.dstV4 >>> 0 === key.dstV4;
  const { src6, dst6 } = key;
  return (
    key.family === 6 &&
    src6 instanceof Uint8Array &&
    dst6 instanceof Uint8Array &&
    src6.length === 16 &&
    dst6.length === 16
  );
}

function badKey(key: unknown): CorrectionError {
  if (typeof key !== 'object' || key === null) return invalid('a flow key must be an object');
  return invalid('flow key out of range (family 4|6, protocol 0..255, ports 0..65535, port kind 0..3)');
}

/** An `INVALID_PACKET` error with `message`. */
export function invalid(message: string): CorrectionError {
  return new CorrectionError('INVALID_PACKET', message);
}

/** Runs `run`, turning a flow table's typed error into a {@link CorrectionError} with `code`. */
export function guard<T>(run: () => T, code: 'INVALID_PACKET' | 'INVALID_MESSAGE'): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof FlowTableError) throw new CorrectionError(code, error.message);
    throw error;
  }
}

/** `INVALID_PACKET` unless `now` is a finite number of milliseconds. */
export function checkTime(now: number): void {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new CorrectionError(
      'INVALID_PACKET',
      `now must be a finite number of milliseconds, got ${shown(now)}`,
    );
  }
}

/** True when two byte arrays hold the same bytes (`a` from outside data: any value). */
export function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (!(a instanceof Uint8Array) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
