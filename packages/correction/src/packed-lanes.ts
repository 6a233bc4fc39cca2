import { createFlowKey, type FlowKey, type PortKind } from '@maestro/hash';
import type { CorrectionError } from './errors.js';
import { PACKED_WORDS, PackedWord } from './packed-batch.js';
import { checkPacket, invalid } from './packet-checks.js';
import type { Packet } from './types.js';

// The per-lane reads of the hot loops spell the PackedWord offsets as literals (a bundler turns
// module-level `const`s into `var`s that V8 reloads at every use): FAMILY 0, PROTOCOL 1, PORT_KIND
// 2, SRC_PORT 3, DST_PORT 4, INGRESS 5, HOPS 6, TCP_FLAGS 7, SRC 8, DST 12, EMBEDDED 16, BYTES 22,
// MORE_FRAGMENTS 23; lanes are PACKED_WORDS (32) apart.

/**
 * Checks lanes `from .. from+m-1` of `words` with the checks of `checkPacket`, as compares on the
 * words, and gathers each checked lane's bytes and TCP flags into `bytes[i]`, `tcpFlags[i]`;
 * returns how many lead before an impossible lane (see {@link laneError}). Internal to the package.
 */
export function checkLanes(
  words: Int32Array,
  from: number,
  m: number,
  interfaces: number,
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
): number {
  for (let i = 0, b = from * 32; i < m; i++, b += 32) {
    const protocol = words[b + 1] as number;
    const kind = words[b + 2] as number;
    const sp = words[b + 3] as number;
    const dp = words[b + 4] as number;
    const flags = words[b + 7] as number;
    const more = words[b + 23] as number;
    const family = words[b] as number;
    if (
      (family !== 4 && family !== 6) ||
      (protocol & 0xff) !== protocol ||
      (kind & 3) !== kind ||
      (sp & 0xffff) !== sp ||
      (dp & 0xffff) !== dp ||
      (words[b + 5] as number) >>> 0 >= interfaces ||
      (words[b + 6] as number) >>> 0 > 2 ||
      (flags & 0xff) !== flags ||
      (more & 1) !== more
    ) {
      return i;
    }
    // IpProtocol TCP 6, UDP 17, SCTP 132 have ports; ICMP 1, ICMPV6 58. PortKind NONE 0, PORTS 1,
    // ECHO 2, FRAGMENT 3.
    const ported = protocol === 6 || protocol === 17 || protocol === 132;
    const icmp = protocol === 1 || protocol === 58;
    const portsFit =
      kind === 1 ? ported : kind === 2 ? icmp && sp === dp : (sp | dp) === 0 && (kind === 3 || !ported);
    if (!portsFit) return i;
    if (words[b + 16] !== 0 && !(icmp && kind !== 2 && isPossibleKeyWords(words, b + 16))) return i;
    bytes[i] = words[b + 22] as number;
    tcpFlags[i] = flags;
  }
  return m;
}

/** True when the key words at `words[b ..]` are in range (family 4|6, protocol, port kind, ports). */
function isPossibleKeyWords(words: Int32Array, b: number): boolean {
  const family = words[b] as number;
  const protocol = words[b + 1] as number;
  const kind = words[b + 2] as number;
  const sp = words[b + 3] as number;
  const dp = words[b + 4] as number;
  return (
    (family === 4 || family === 6) &&
    (protocol & 0xff) === protocol &&
    (kind & 3) === kind &&
    (sp & 0xffff) === sp &&
    (dp & 0xffff) === dp
  );
}

/**
 * The `INVALID_PACKET` error of lane `lane`, one {@link checkLanes} stopped at (`interfaces` as
 * there): what `checkPacket` says of the packet the words spell, garbage kept. Internal.
 */
export function laneError(words: Int32Array, lane: number, interfaces: number): CorrectionError {
  const b = lane * PACKED_WORDS;
  const more = words[b + PackedWord.MORE_FRAGMENTS] as number;
  if (more !== 0 && more !== 1) return invalid(`lane ${lane}: MORE_FRAGMENTS must be 0 or 1, got ${more}`);
  const packet: Packet = {
    key: readKey(words, b, createFlowKey()),
    ingress: words[b + PackedWord.INGRESS] as number,
    ipId: 0,
    moreFragments: more === 1,
    tcpFlags: words[b + PackedWord.TCP_FLAGS] as number,
    bytes: 0,
    embedded:
      words[b + PackedWord.EMBEDDED] === 0 ? null : readKey(words, b + PackedWord.EMBEDDED, createFlowKey()),
    hops: words[b + PackedWord.HOPS] as number,
  };
  try {
    checkPacket(packet, interfaces);
  } catch (error) {
    return invalid(`lane ${lane}: ${(error as Error).message}`);
  }
  return invalid(`lane ${lane}: impossible packet`);
}

/**
 * Fills `packet` (whose `embedded` is then null or `embedded`) with checked lane `lane` of
 * `words`: the packet `PackedBatch.set` wrote it from, but for the IPv6 bytes of an IPv4 key
 * (zeros) and the IPv4 words of an IPv6 key (0). Internal to the package.
 */
export function readLane(words: Int32Array, lane: number, packet: Packet, embedded: FlowKey): Packet {
  const b = lane * 32; // PACKED_WORDS
  readKey(words, b, packet.key);
  packet.ingress = words[b + 5] as number;
  packet.hops = words[b + 6] as number;
  packet.tcpFlags = words[b + 7] as number;
  packet.ipId = (words[b + 21] as number) >>> 0;
  packet.bytes = (words[b + 22] as number) >>> 0;
  packet.moreFragments = words[b + 23] === 1;
  packet.embedded = words[b + 16] === 0 ? null : readKey(words, b + 16, embedded);
  return packet;
}

/** Fills `out` with the key words at `words[b ..]` (the family word as it is). */
function readKey(words: Int32Array, b: number, out: FlowKey): FlowKey {
  const family = words[b] as number;
  const wasV6 = out.family === 6;
  out.family = family as 4 | 6;
  out.protocol = words[b + 1] as number;
  out.portKind = words[b + 2] as PortKind;
  out.srcPort = words[b + 3] as number;
  out.dstPort = words[b + 4] as number;
  if (family !== 6) {
    out.srcV4 = (words[b + 8] as number) >>> 0;
    out.dstV4 = (words[b + 12] as number) >>> 0;
    if (wasV6) {
      out.src6.fill(0);
      out.dst6.fill(0);
    }
    return out;
  }
  out.srcV4 = 0;
  out.dstV4 = 0;
  for (let k = 0; k < 4; k++) {
    putWord(out.src6, 4 * k, words[b + 8 + k] as number);
    putWord(out.dst6, 4 * k, words[b + 12 + k] as number);
  }
  return out;
}

/** Writes `word` big-endian at `bytes[at .. at + 3]`. */
function putWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = (word >>> 16) & 0xff;
  bytes[at + 2] = (word >>> 8) & 0xff;
  bytes[at + 3] = word & 0xff;
}
