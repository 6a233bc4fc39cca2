import type { CorrectionMessage, Packet } from '@maestro/correction';
import { type FlowKey, PortKind } from '@maestro/hash';

/**
 * The cluster's own datagrams between the orchestrator and the members (HyperSync's are its own,
 * magic `HS`). Big-endian, every length checked. Two kinds:
 *
 * - `MP` packet: the orchestrator hands a packet to a member, or a member forwards it to the
 *   connection's owner (correction hop). A compact header with the decoded flow key rather than
 *   the raw frame: members decide on the key, and the orchestrator has decoded it already.
 *   `M P flags hops | flow u32 | sentAt u32 (ms since the group's epoch) | ingress u32 | ipId u32 |
 *   tcpFlags u8, 0 u8, bytes u16 | key | [embedded key]`
 *   flags: bit 0 more fragments, bit 1 an embedded key follows (ICMP error), bit 2 the first
 *   packet of its flow.
 * - `MC` correction-layer message (`correct`, `uncorrect`, `fragment`, `expect`, `unexpect`):
 *   `M C kind reason | from u16 | owner u16 | created u32 | key`; `created` (the time of creation
 *   of the connection a `correct` or `uncorrect` is about, ms since the group's epoch), `reason`
 *   (a `correct`'s) and `owner` (an `uncorrect` has none) are 0 where the kind has no such field,
 *   and a datagram where one is not is refused: one message has one encoding.
 *
 * key: `family u8 | protocol u8 | portKind u8 | 0 u8 | srcPort u16 | dstPort u16 | src | dst`
 * with 4-byte (IPv4) or 16-byte (IPv6) addresses.
 */
export const PACKET_MAGIC = 0x4d50;
/** Magic of a correction-layer message datagram (`MC`). */
export const CORRECTION_MAGIC = 0x4d43;
/** Magic of HyperSync datagrams (`HS`). */
export const HYPERSYNC_MAGIC = 0x4853;

const HEADER = 24;
const MORE_FRAGMENTS = 1;
const HAS_EMBEDDED = 2;
const FIRST = 4;
/** Largest datagram of either kind: header and two IPv6 keys. */
export const MAX_CLUSTER_DATAGRAM: number = HEADER + 2 * 40;

const KINDS = ['correct', 'uncorrect', 'fragment', 'expect', 'unexpect'] as const;

/** A datagram that does not decode. */
export class WireError extends Error {
  readonly code = 'BAD_DATAGRAM';
  constructor(message: string) {
    super(message);
    this.name = 'WireError';
  }
}

/** The fields of a packet datagram besides the correction layer's {@link Packet}. */
export interface PacketMeta {
  /** The orchestrator's number of the packet's flow (its connection, both directions). */
  flow: number;
  /** First packet of its flow in the capture. */
  first: boolean;
  /** Milliseconds since the group's epoch when the orchestrator sent it. */
  sentAt: number;
}

function keyLength(key: FlowKey): number {
  return key.family === 4 ? 16 : 40;
}

function writeKey(view: DataView, bytes: Uint8Array, at: number, key: FlowKey): number {
  view.setUint8(at, key.family);
  view.setUint8(at + 1, key.protocol);
  view.setUint8(at + 2, key.portKind);
  view.setUint8(at + 3, 0);
  view.setUint16(at + 4, key.srcPort);
  view.setUint16(at + 6, key.dstPort);
  if (key.family === 4) {
    view.setUint32(at + 8, key.srcV4);
    view.setUint32(at + 12, key.dstV4);
    return at + 16;
  }
  bytes.set(key.src6, at + 8);
  bytes.set(key.dst6, at + 24);
  return at + 40;
}

function readKey(view: DataView, bytes: Uint8Array, at: number, out: FlowKey): number {
  if (at + 16 > view.byteLength) throw new WireError('truncated flow key');
  const family = view.getUint8(at);
  const portKind = view.getUint8(at + 2);
  if (family !== 4 && family !== 6) throw new WireError(`address family ${family} is not 4 or 6`);
  if (portKind > PortKind.FRAGMENT) throw new WireError(`port kind ${portKind} is unknown`);
  out.family = family;
  out.protocol = view.getUint8(at + 1);
  out.portKind = portKind as PortKind;
  out.srcPort = view.getUint16(at + 4);
  out.dstPort = view.getUint16(at + 6);
  if (family === 4) {
    out.srcV4 = view.getUint32(at + 8);
    out.dstV4 = view.getUint32(at + 12);
    return at + 16;
  }
  if (at + 40 > view.byteLength) throw new WireError('truncated IPv6 flow key');
  out.src6.set(bytes.subarray(at + 8, at + 24));
  out.dst6.set(bytes.subarray(at + 24, at + 40));
  return at + 40;
}

function viewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Encodes a packet datagram into a fresh buffer. */
export function encodePacket(p: Packet, meta: PacketMeta): Uint8Array {
  const bytes = new Uint8Array(HEADER + keyLength(p.key) + (p.embedded === null ? 0 : keyLength(p.embedded)));
  const view = viewOf(bytes);
  view.setUint16(0, PACKET_MAGIC);
  view.setUint8(
    2,
    (p.moreFragments ? MORE_FRAGMENTS : 0) |
      (p.embedded === null ? 0 : HAS_EMBEDDED) |
      (meta.first ? FIRST : 0),
  );
  view.setUint8(3, p.hops);
  view.setUint32(4, meta.flow >>> 0);
  view.setUint32(8, meta.sentAt >>> 0);
  view.setUint32(12, p.ingress >>> 0);
  view.setUint32(16, p.ipId >>> 0);
  view.setUint8(20, p.tcpFlags);
  view.setUint16(22, Math.min(p.bytes, 0xffff));
  const end = writeKey(view, bytes, HEADER, p.key);
  if (p.embedded !== null) writeKey(view, bytes, end, p.embedded);
  return bytes;
}

/** Rewrites the send time and hop count of an encoded packet datagram in place. */
export function restamp(bytes: Uint8Array, sentAt: number, hops: number): void {
  const view = viewOf(bytes);
  view.setUint32(8, sentAt >>> 0);
  view.setUint8(3, hops);
}

/**
 * Decodes a packet datagram into the reused `out` packet and `meta` (whose `embedded` key object,
 * when needed, is `embedded`). Throws {@link WireError} on anything malformed, changing only `out`.
 */
export function decodePacket(bytes: Uint8Array, out: Packet, embedded: FlowKey, meta: PacketMeta): void {
  if (bytes.byteLength < HEADER + 16) throw new WireError(`packet datagram of ${bytes.byteLength} bytes`);
  const view = viewOf(bytes);
  if (view.getUint16(0) !== PACKET_MAGIC) throw new WireError('not a packet datagram');
  const flags = view.getUint8(2);
  out.hops = view.getUint8(3);
  meta.flow = view.getUint32(4);
  meta.first = (flags & FIRST) !== 0;
  meta.sentAt = view.getUint32(8);
  out.ingress = view.getUint32(12);
  out.ipId = view.getUint32(16);
  out.moreFragments = (flags & MORE_FRAGMENTS) !== 0;
  out.tcpFlags = view.getUint8(20);
  out.bytes = view.getUint16(22);
  const end = readKey(view, bytes, HEADER, out.key);
  if ((flags & HAS_EMBEDDED) !== 0) {
    if (readKey(view, bytes, end, embedded) !== bytes.byteLength) throw new WireError('trailing bytes');
    out.embedded = embedded;
  } else {
    if (end !== bytes.byteLength) throw new WireError('trailing bytes');
    out.embedded = null;
  }
}

const CORRECTION_HEADER = 12;

/** Encodes a correction-layer message into a fresh buffer. */
export function encodeCorrection(m: CorrectionMessage): Uint8Array {
  const bytes = new Uint8Array(CORRECTION_HEADER + keyLength(m.key));
  const view = viewOf(bytes);
  view.setUint16(0, CORRECTION_MAGIC);
  view.setUint8(2, KINDS.indexOf(m.kind));
  view.setUint8(3, m.kind === 'correct' ? m.reason : 0);
  view.setUint16(4, m.from);
  view.setUint16(6, 'owner' in m ? m.owner : 0);
  view.setUint32(8, m.kind === 'correct' || m.kind === 'uncorrect' ? m.created >>> 0 : 0);
  writeKey(view, bytes, CORRECTION_HEADER, m.key);
  return bytes;
}

/** Decodes a correction-layer message addressed to member `to`; a fresh key object each. */
export function decodeCorrection(bytes: Uint8Array, to: number, key: FlowKey): CorrectionMessage {
  if (bytes.byteLength < CORRECTION_HEADER + 16)
    throw new WireError(`correction datagram of ${bytes.byteLength} bytes`);
  const view = viewOf(bytes);
  if (view.getUint16(0) !== CORRECTION_MAGIC) throw new WireError('not a correction datagram');
  const kind = KINDS[view.getUint8(2)];
  if (kind === undefined) throw new WireError(`correction kind ${view.getUint8(2)} is unknown`);
  if (readKey(view, bytes, CORRECTION_HEADER, key) !== bytes.byteLength)
    throw new WireError('trailing bytes');
  const from = view.getUint16(4);
  const owner = view.getUint16(6);
  const reason = view.getUint8(3);
  const created = view.getUint32(8);
  if (kind !== 'correct' && reason !== 0) throw new WireError(`${kind} with reason ${reason}`);
  if (kind !== 'correct' && kind !== 'uncorrect' && created !== 0)
    throw new WireError(`${kind} with a creation time`);
  switch (kind) {
    case 'correct':
      return { kind, from, to, key, owner, reason, created };
    case 'uncorrect':
      if (owner !== 0) throw new WireError(`uncorrect with owner ${owner}`);
      return { kind, from, to, key, created };
    default:
      return { kind, from, to, key, owner };
  }
}

/** The magic of a datagram (first two bytes), or -1 when it is shorter. */
export function magicOf(bytes: Uint8Array): number {
  return bytes.byteLength < 2 ? -1 : ((bytes[0] as number) << 8) | (bytes[1] as number);
}
