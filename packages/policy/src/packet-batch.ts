import type { FlowKey } from '@maestro/hash';
import { addressWord } from './address-word.js';
import { describeValue, PolicyError } from './errors.js';
import { BAD_PACKET, checkedPoint } from './packet-point.js';

/** Int32 words per packet of a {@link PacketBatch} (64 bytes, one cache line). */
export const PACKET_WORDS = 16;

/**
 * Where each field of a packet sits in its {@link PACKET_WORDS} words of a {@link PacketBatch}:
 * the address family (4 or 6), the IP protocol (0..255), the flow key's port kind (0..3), the
 * ports (0..65535, 0 without ports), the interface id it entered by (-1 or any id past the
 * topology's: unknown), the VLAN (0 untagged, at most 4095), then the source address at
 * {@link PacketWord.SRC} and the destination at {@link PacketWord.DST}: an IPv4 address as one
 * 32-bit word (its unsigned value `| 0`), an IPv6 address as four, each the big-endian value of
 * four of its bytes (what `DataView.getInt32` reads off the wire). Word 7 and unused address words
 * are ignored.
 */
export const PacketWord = {
  FAMILY: 0,
  PROTOCOL: 1,
  PORT_KIND: 2,
  SRC_PORT: 3,
  DST_PORT: 4,
  IFACE: 5,
  VLAN: 6,
  SRC: 8,
  DST: 12,
} as const;

/** The most packets one {@link PacketBatch} holds (its words stay at 1 GiB). */
const MAX_CAPACITY = 1 << 24;

/**
 * A batch of packets as one `Int32Array`, {@link PACKET_WORDS} words per packet laid out as
 * {@link PacketWord} says: the layout a capture decoder or a receive ring fills directly, with no
 * object per packet, for {@link CompiledPolicy.matchBatch}. `set` fills a packet from a flow key.
 *
 * @example
 * const batch = new PacketBatch(64);
 * batch.set(0, parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443'), compiled.interfaceIndex('eth1-01'), 0);
 * compiled.matchBatch(batch, out, 1);
 */
export class PacketBatch {
  /** Packets the batch holds. */
  readonly capacity: number;
  /** Packet `i` in words `PACKET_WORDS * i ..`, laid out as {@link PacketWord} says. */
  readonly words: Int32Array;

  /** Room for `capacity` packets (1 .. 2^24), all words zero. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new PolicyError(
        'INVALID_PACKET',
        `PacketBatch takes a capacity 1..${MAX_CAPACITY}, got ${describeValue(capacity)}`,
      );
    }
    this.capacity = capacity;
    this.words = new Int32Array(PACKET_WORDS * capacity);
  }

  /**
   * Writes packet `i` from a flow key, the interface id it entered by and its VLAN. Throws a
   * `PolicyError` `INVALID_PACKET`, writing nothing, when `i` is not an index of the batch or the
   * packet is one `match` refuses.
   */
  set(i: number, key: FlowKey, iface: number, vlan: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) {
      throw new PolicyError(
        'INVALID_PACKET',
        `PacketBatch.set: index ${describeValue(i)} is not in 0..${this.capacity - 1}`,
      );
    }
    if (checkedPoint(key, iface, vlan, 0, CHECK, 0) === BAD_PACKET) {
      throw new PolicyError(
        'INVALID_PACKET',
        `PacketBatch.set: packet ${i} is not a valid flow key with an integer interface id and a VLAN 0..4095`,
      );
    }
    const w = this.words;
    const at = PACKET_WORDS * i;
    w.fill(0, at, at + PACKET_WORDS);
    w[at + PacketWord.FAMILY] = key.family;
    w[at + PacketWord.PROTOCOL] = key.protocol;
    w[at + PacketWord.PORT_KIND] = key.portKind;
    w[at + PacketWord.SRC_PORT] = key.srcPort;
    w[at + PacketWord.DST_PORT] = key.dstPort;
    w[at + PacketWord.IFACE] = iface;
    w[at + PacketWord.VLAN] = vlan;
    if (key.family === 4) {
      w[at + PacketWord.SRC] = key.srcV4;
      w[at + PacketWord.DST] = key.dstV4;
      return;
    }
    for (let k = 0; k < 4; k++) {
      w[at + PacketWord.SRC + k] = addressWord(key.src6, 4 * k);
      w[at + PacketWord.DST + k] = addressWord(key.dst6, 4 * k);
    }
  }
}

/** Scratch point for {@link PacketBatch.set}'s checks. */
const CHECK = new Int32Array(16);
