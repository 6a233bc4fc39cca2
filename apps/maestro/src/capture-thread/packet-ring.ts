import type { FlowKey } from '@maestro/hash';
import type { PacketRecord } from '@maestro/pcap';

/**
 * A single-producer, single-consumer ring of decoded packets in a `SharedArrayBuffer`: the capture
 * thread packs each {@link PacketRecord} it decodes into a fixed-size slot of 32-bit words, the
 * simulating thread unpacks them in order. Only the fields a consumer of decoded packets reads are
 * carried (no frame bytes): status, times, lengths, interface, VLAN, TCP flags, fragment fields, the
 * flow key and an ICMP error's embedded key (IPv6 addresses only for IPv6 keys, the embedded key
 * only when there is one, as `copyFlowKey` reads them).
 *
 * The control words: {@link WRITTEN} (slots published), {@link CONSUMED} (slots taken back),
 * {@link DONE} (the producer stopped; its summary is on the side channel) and {@link STARTED}. Neither side wakes the
 * other: `Atomics.notify` took 0.1 to 1.6 ms of the notifying thread on this 2-core host (it yields
 * the core to the thread it wakes), so a side that has to wait sleeps in short timed waits
 * ({@link POLL_MS}) and looks again; the producer waits for half the ring to be free, so it sleeps
 * about once per {@link RING_SLOTS}/2 packets.
 */
export const RING_SLOTS = 16384;
/** Slots published (and taken back) at a time: one atomic store and wake-up per batch. */
export const RING_BATCH = 256;
/**
 * 32-bit words per slot: the first 16 (one cache line: the ring starts on one) hold everything of
 * an IPv4 packet without an embedded key, so that most packets cost the consumer one line brought
 * over from the producer's core; IPv6 addresses and the embedded key follow.
 */
export const SLOT_WORDS = 48;

/** Control word: slots published by the producer. */
export const WRITTEN = 0;
/** Control word: slots the consumer is done with. */
export const CONSUMED = 1;
/** Control word: 1 once the producer has published its last slot. */
export const DONE = 2;
/** Control word that nobody writes: the timed waits sleep on it. */
export const IDLE = 3;
/** Control word: 1 once the producer's code runs (a thread that fails to start never sets it). */
export const STARTED = 4;
/** Words before the slots: the control words, padded to a cache line. */
const CONTROL_WORDS = 16;
/** Milliseconds of one timed wait (the consumer takes a packet in about a microsecond). */
export const POLL_MS = 0.25;

/** Sleeps for {@link POLL_MS} (nobody wakes the sleeper earlier). */
export function pause(control: Int32Array): void {
  Atomics.wait(control, IDLE, 0, POLL_MS);
}

// Word offsets within a slot.
const HEAD = 0; // status | flags << 8 | TCP flags << 16
const TS_SEC = 1;
const TS_NS = 2;
const ORIGINAL_LENGTH = 3;
const INTERFACE = 4;
const VLAN = 5;
const FRAGMENT_ID = 6;
const OFFSET = 7;
const TS_SEC_HIGH = 8; // seconds pass 2^32 in a pcapng with an odd offset
const OFFSET_HIGH = 9; // byte offsets pass 2^32 in large captures
const FLOW = 10; // 4 words, then the IPv6 addresses at FLOW_V6
const HASH = 14; // the distribution hash, when the flag HASHED says there is one
const FLOW_V6 = 16;
const INNER = 24; // 4 words, then its IPv6 addresses

const MORE_FRAGMENTS = 1;
const HAS_INNER = 2;
const HASHED = 4;

/** The views of a ring over its shared buffer. */
export interface PacketRing {
  readonly buffer: SharedArrayBuffer;
  /** The control words ({@link WRITTEN}, {@link CONSUMED}, {@link DONE}, {@link STARTED}). */
  readonly control: Int32Array;
  /** The slots, {@link SLOT_WORDS} words each. */
  readonly words: Int32Array;
  /** The same bytes as {@link words} (IPv6 addresses are copied byte by byte). */
  readonly bytes: Uint8Array;
}

/** A new, empty ring. */
export function createPacketRing(): PacketRing {
  return ringOver(new SharedArrayBuffer(4 * (CONTROL_WORDS + RING_SLOTS * SLOT_WORDS)));
}

/** The views of a ring made by {@link createPacketRing} (in another thread). */
export function ringOver(buffer: SharedArrayBuffer): PacketRing {
  return {
    buffer,
    control: new Int32Array(buffer, 0, CONTROL_WORDS),
    words: new Int32Array(buffer, 4 * CONTROL_WORDS),
    bytes: new Uint8Array(buffer, 4 * CONTROL_WORDS),
  };
}

/**
 * Writes `p` into slot `slot` of `ring`, with its distribution hash `hash` when `hashed` (see
 * {@link slotHash}).
 */
export function packPacket(
  ring: PacketRing,
  slot: number,
  p: PacketRecord,
  hashed: boolean,
  hash: number,
): void {
  const w = ring.words;
  const b = slot * SLOT_WORDS;
  const flags = (p.moreFragments ? MORE_FRAGMENTS : 0) | (p.hasInner ? HAS_INNER : 0) | (hashed ? HASHED : 0);
  w[b + HASH] = hash;
  w[b + HEAD] = p.status | (flags << 8) | (p.tcpFlags << 16);
  w[b + TS_SEC] = p.timestampSec % TWO_32;
  w[b + TS_SEC_HIGH] = Math.floor(p.timestampSec / TWO_32);
  w[b + TS_NS] = p.timestampNs;
  w[b + ORIGINAL_LENGTH] = p.originalLength;
  w[b + INTERFACE] = p.interfaceId;
  w[b + VLAN] = p.vlan;
  w[b + FRAGMENT_ID] = p.fragmentId;
  w[b + OFFSET] = p.recordOffset % TWO_32;
  w[b + OFFSET_HIGH] = Math.floor(p.recordOffset / TWO_32);
  packKey(ring, b + FLOW, b + FLOW_V6, p.flow);
  if (p.hasInner) packKey(ring, b + INNER, b + INNER + 4, p.inner);
}

/** Fills `out` from slot `slot` of `ring` (its `index` is the caller's); returns `out`. */
export function unpackPacket(ring: PacketRing, slot: number, out: PacketRecord): PacketRecord {
  const w = ring.words;
  const b = slot * SLOT_WORDS;
  const head = w[b + HEAD] as number;
  out.status = (head & 0xff) as PacketRecord['status'];
  out.moreFragments = (head & (MORE_FRAGMENTS << 8)) !== 0;
  out.hasInner = (head & (HAS_INNER << 8)) !== 0;
  out.tcpFlags = (head >>> 16) & 0xff;
  out.timestampSec = wide(w[b + TS_SEC] as number, w[b + TS_SEC_HIGH] as number);
  out.timestampNs = w[b + TS_NS] as number;
  out.originalLength = (w[b + ORIGINAL_LENGTH] as number) >>> 0;
  out.interfaceId = (w[b + INTERFACE] as number) >>> 0;
  out.vlan = w[b + VLAN] as number;
  out.fragmentId = (w[b + FRAGMENT_ID] as number) >>> 0;
  out.recordOffset = wide(w[b + OFFSET] as number, w[b + OFFSET_HIGH] as number);
  unpackKey(ring, b + FLOW, b + FLOW_V6, out.flow);
  if (out.hasInner) unpackKey(ring, b + INNER, b + INNER + 4, out.inner);
  return out;
}

/** The distribution hash packed with slot `slot` as a signed 32-bit number, or 0 (see {@link slotHashed}). */
export function slotHash(ring: PacketRing, slot: number): number {
  return ring.words[slot * SLOT_WORDS + HASH] as number;
}

/** True when slot `slot` carries a distribution hash. */
export function slotHashed(ring: PacketRing, slot: number): boolean {
  return ((ring.words[slot * SLOT_WORDS + HEAD] as number) & (HASHED << 8)) !== 0;
}

const TWO_32 = 0x1_0000_0000;

function wide(low: number, high: number): number {
  return high === 0 ? low >>> 0 : (low >>> 0) + high * TWO_32;
}

/** A key in 4 words at `at` (family, protocol and kind; ports; IPv4 addresses), IPv6 addresses at `v6`. */
function packKey(ring: PacketRing, at: number, v6: number, key: FlowKey): void {
  const w = ring.words;
  w[at] = key.family | (key.protocol << 8) | (key.portKind << 16);
  w[at + 1] = (key.srcPort << 16) | key.dstPort;
  w[at + 2] = key.srcV4;
  w[at + 3] = key.dstV4;
  if (key.family === 6) {
    ring.bytes.set(key.src6, 4 * v6);
    ring.bytes.set(key.dst6, 4 * v6 + 16);
  }
}

function unpackKey(ring: PacketRing, at: number, v6: number, key: FlowKey): void {
  const w = ring.words;
  const meta = w[at] as number;
  const ports = w[at + 1] as number;
  const family = meta & 0xff;
  key.family = family === 6 ? 6 : 4;
  key.protocol = (meta >>> 8) & 0xff;
  key.portKind = ((meta >>> 16) & 0xff) as FlowKey['portKind'];
  key.srcPort = ports >>> 16;
  key.dstPort = ports & 0xffff;
  key.srcV4 = (w[at + 2] as number) >>> 0;
  key.dstV4 = (w[at + 3] as number) >>> 0;
  if (family === 6) {
    const bytes = ring.bytes;
    const src = key.src6;
    const dst = key.dst6;
    const o = 4 * v6;
    for (let i = 0; i < 16; i++) {
      src[i] = bytes[o + i] as number;
      dst[i] = bytes[o + 16 + i] as number;
    }
  }
}
