import { KeyWord } from '@maestro/flowtable';
import type { FlowKey } from '@maestro/hash';
import { CorrectionError, shown } from './errors.js';
import { checkPacket } from './packet-checks.js';
import type { Packet } from './types.js';

/** Int32 words per packet of a {@link PackedBatch} (128 bytes, two cache lines). */
export const PACKED_WORDS = 32;

/**
 * Where each field of a packet sits in its {@link PACKED_WORDS} words of a {@link PackedBatch}.
 * The flow key takes the words `@maestro/policy`'s `PacketBatch` gives it (`FAMILY` 4 or 6,
 * `PROTOCOL` 0..255, `PORT_KIND` 0..3, `SRC_PORT` and `DST_PORT` 0..65535, the source address at
 * `SRC` and the destination at `DST`: an IPv4 address as one word, its unsigned value `| 0`, an
 * IPv6 address as four, each the big-endian value of four of its bytes, what `DataView.getInt32`
 * reads off the wire); then `INGRESS` (an index into the config's interfaces), `HOPS` (0..2),
 * `TCP_FLAGS` (0..255). The second half holds an ICMP error's embedded tuple in the same layout
 * from `EMBEDDED` (`EMBEDDED` itself is its family: 0 when the packet carries none), with the
 * packet's `IP_ID` and `BYTES` (any 32-bit value, read unsigned) and `MORE_FRAGMENTS` (0 or 1) in
 * the three words that layout leaves free. Unused address words are ignored.
 */
export const PackedWord: {
  readonly FAMILY: 0;
  readonly PROTOCOL: 1;
  readonly PORT_KIND: 2;
  readonly SRC_PORT: 3;
  readonly DST_PORT: 4;
  readonly INGRESS: 5;
  readonly HOPS: 6;
  readonly TCP_FLAGS: 7;
  readonly SRC: 8;
  readonly DST: 12;
  readonly EMBEDDED: 16;
  readonly IP_ID: 21;
  readonly BYTES: 22;
  readonly MORE_FRAGMENTS: 23;
} = {
  FAMILY: KeyWord.FAMILY,
  PROTOCOL: KeyWord.PROTOCOL,
  PORT_KIND: KeyWord.PORT_KIND,
  SRC_PORT: KeyWord.SRC_PORT,
  DST_PORT: KeyWord.DST_PORT,
  INGRESS: 5,
  HOPS: 6,
  TCP_FLAGS: 7,
  SRC: KeyWord.SRC,
  DST: KeyWord.DST,
  EMBEDDED: 16,
  IP_ID: 21,
  BYTES: 22,
  MORE_FRAGMENTS: 23,
};

/** The most packets one {@link PackedBatch} holds (its words stay at 128 MiB). */
const MAX_CAPACITY = 1 << 20;
/** Ingress indexes `set` can store (a word holds 0 .. 2^31 - 1). */
const WORD_INGRESS = 0x80000000;

/**
 * Packets as one `Int32Array`, {@link PACKED_WORDS} words each, laid out as {@link PackedWord}
 * says: the layout a receive ring or a decoder fills directly, with no object per packet, for
 * `MemberEngine.decidePacked`. `set` fills a lane from a {@link Packet}.
 *
 * @example
 * const batch = new PackedBatch(32);
 * batch.set(0, packet); // or write batch.words[PACKED_WORDS * i + PackedWord.SRC] ... directly
 * engine.decidePacked(batch, now, out, 1);
 */
export class PackedBatch {
  /** Packets the batch holds. */
  readonly capacity: number;
  /** Packet `i` in words `PACKED_WORDS * i ..`, laid out as {@link PackedWord} says. */
  readonly words: Int32Array;

  /** Room for `capacity` packets (1 .. 2^20), all words zero. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new CorrectionError(
        'INVALID_PACKET',
        `PackedBatch takes a capacity 1..${MAX_CAPACITY}, got ${shown(capacity)}`,
      );
    }
    this.capacity = capacity;
    this.words = new Int32Array(PACKED_WORDS * capacity);
  }

  /**
   * Writes lane `i` from `packet`. Throws `INVALID_PACKET`, writing nothing, when `i` is not an
   * index of the batch or the packet has a field `decide` refuses whatever the config (an ingress
   * past 2^31 - 1 included; one past the config's interfaces is refused by `decidePacked`).
   */
  set(i: number, packet: Packet): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) {
      throw new CorrectionError(
        'INVALID_PACKET',
        `PackedBatch.set: index ${shown(i)} is not in 0..${this.capacity - 1}`,
      );
    }
    checkPacket(packet, WORD_INGRESS);
    const w = this.words;
    const at = PACKED_WORDS * i;
    w.fill(0, at, at + PACKED_WORDS);
    packKey(packet.key, w, at);
    w[at + PackedWord.INGRESS] = packet.ingress;
    w[at + PackedWord.HOPS] = packet.hops;
    w[at + PackedWord.TCP_FLAGS] = packet.tcpFlags;
    w[at + PackedWord.IP_ID] = packet.ipId;
    w[at + PackedWord.BYTES] = packet.bytes;
    w[at + PackedWord.MORE_FRAGMENTS] = packet.moreFragments ? 1 : 0;
    if (packet.embedded !== null) packKey(packet.embedded, w, at + PackedWord.EMBEDDED);
  }
}

/** Writes the checked `key` as key words at `w[at ..]`. */
function packKey(key: FlowKey, w: Int32Array, at: number): void {
  w[at + KeyWord.FAMILY] = key.family;
  w[at + KeyWord.PROTOCOL] = key.protocol;
  w[at + KeyWord.PORT_KIND] = key.portKind;
  w[at + KeyWord.SRC_PORT] = key.srcPort;
  w[at + KeyWord.DST_PORT] = key.dstPort;
  if (key.family === 4) {
    w[at + KeyWord.SRC] = key.srcV4;
    w[at + KeyWord.DST] = key.dstV4;
    return;
  }
  for (let k = 0; k < 4; k++) {
    w[at + KeyWord.SRC + k] = wordOf(key.src6, 4 * k);
    w[at + KeyWord.DST + k] = wordOf(key.dst6, 4 * k);
  }
}

/** The big-endian word of `bytes[at .. at + 3]`. */
function wordOf(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number)
  );
}
