import { createFlowKey, type FlowKey } from '@maestro/hash';

/** What {@link decodePacket} made of a packet's bytes. */
export const DecodeStatus: {
  /** `flow` holds the outermost IP header's key (check `truncated` for missing transport bytes). */
  readonly OK: 0;
  /** Not decoded (reading with `decode: false`). */
  readonly NOT_DECODED: 1;
  /** A link-layer frame without IP (ARP, STP, LLDP, ...). */
  readonly NOT_IP: 2;
  /** The link type is not one the decoder understands. */
  readonly UNSUPPORTED_LINK_TYPE: 3;
  /** The IP header is cut short or invalid, so there is no flow key. */
  readonly MALFORMED: 4;
} = { OK: 0, NOT_DECODED: 1, NOT_IP: 2, UNSUPPORTED_LINK_TYPE: 3, MALFORMED: 4 };
/** One of the {@link DecodeStatus} values. */
export type DecodeStatus = (typeof DecodeStatus)[keyof typeof DecodeStatus];

/**
 * One packet as the readers hand it out. Readers allocate one record and refill it for every
 * packet: copy what you keep (see `cloneFlowKey` of `@maestro/hash`, {@link packetBytes}) before
 * the callback returns or the iterator steps. `bytes` is the reader's buffer, valid only until then.
 */
export interface PacketRecord {
  /** 0-based number of the packet in the capture. */
  index: number;
  /** Byte offset of the packet's record (pcap record header or pcapng block) in the capture. */
  recordOffset: number;
  /** pcapng interface id; 0 for classic pcap. */
  interfaceId: number;
  /** LINKTYPE_ of the packet's interface (see {@link LinkType}). */
  linkType: number;
  /** Whole seconds since the epoch. */
  timestampSec: number;
  /** Nanoseconds within the second, 0..999999999. */
  timestampNs: number;
  /** Bytes captured (present in `bytes`). */
  capturedLength: number;
  /** Bytes the packet had on the wire. */
  originalLength: number;
  /** True when the record captured more bytes than its interface's snapshot length allows. */
  overSnaplen: boolean;
  /** The buffer holding the packet (shared, reused): the packet is `bytes[dataOffset, dataOffset + capturedLength)`. */
  bytes: Uint8Array;
  /** Where the packet starts in `bytes`. */
  dataOffset: number;

  /** What the decoder found. */
  status: DecodeStatus;
  /** The outermost IP header's flow key (valid when `status` is OK). */
  readonly flow: FlowKey;
  /** Outer VLAN id (0..4095) of the first 802.1Q/802.1ad tag, or -1 without a tag. */
  vlan: number;
  /** TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80); 0 otherwise. */
  tcpFlags: number;
  /** True when the packet is an IP fragment (offset > 0 or more-fragments set). */
  isFragment: boolean;
  /** IP identification (16 bits for IPv4, 32 for IPv6); 0 when not a fragment. */
  fragmentId: number;
  /** Fragment offset in bytes. */
  fragmentOffset: number;
  /** The more-fragments flag. */
  moreFragments: boolean;
  /** True when a header claims more bytes than were captured (the key holds what could be read). */
  truncated: boolean;
  /** Byte offset of the outer IP header within `bytes`, or -1. */
  ipOffset: number;
  /** True when the packet is an ICMP/ICMPv6 error whose embedded IP header decoded into `inner`. */
  hasInner: boolean;
  /** The tuple embedded in an ICMP error (the offending packet, as it was sent); valid when `hasInner`. */
  readonly inner: FlowKey;
}

/** A fresh record, meant to be reused for every packet. */
export function createPacketRecord(): PacketRecord {
  return new ReusedRecord();
}

/**
 * A class rather than an object literal, with the fields that take full 32-bit numbers (addresses,
 * timestamps, lengths and ids read from the capture) given V8's general number representation from
 * the start: then every record has the same shape (map) as the first, for good, and the code V8
 * compiled while a reader read one stays valid for the next reader's (a new literal's fields, or a
 * field that widened mid-read, made it throw all that code away and compile it again).
 */
class ReusedRecord implements PacketRecord {
  index = 0;
  recordOffset = 0;
  interfaceId = 0;
  linkType = 0;
  timestampSec = 0;
  timestampNs = 0;
  capturedLength = 0;
  originalLength = 0;
  overSnaplen = false;
  bytes: Uint8Array = new Uint8Array(0);
  dataOffset = 0;
  status: DecodeStatus = DecodeStatus.NOT_DECODED;
  readonly flow: FlowKey = wideKey(createFlowKey());
  vlan = -1;
  tcpFlags = 0;
  isFragment = false;
  fragmentId = 0;
  fragmentOffset = 0;
  moreFragments = false;
  truncated = false;
  ipOffset = -1;
  hasInner = false;
  readonly inner: FlowKey = wideKey(createFlowKey());

  constructor() {
    this.index = WIDE;
    this.recordOffset = WIDE;
    this.timestampSec = WIDE;
    this.timestampNs = WIDE;
    this.originalLength = WIDE;
    this.fragmentId = WIDE;
    this.index = 0;
    this.recordOffset = 0;
    this.timestampSec = 0;
    this.timestampNs = 0;
    this.originalLength = 0;
    this.fragmentId = 0;
  }
}

/** A number outside V8's small integers: storing one gives a field its general representation. */
const WIDE = 2 ** 32 - 1;

function wideKey(key: FlowKey): FlowKey {
  key.srcV4 = WIDE;
  key.dstV4 = WIDE;
  key.srcV4 = 0;
  key.dstV4 = 0;
  return key;
}

/** A copy of the packet's captured bytes (allocates; for keeping a packet past its callback). */
export function packetBytes(record: PacketRecord): Uint8Array {
  return record.bytes.slice(record.dataOffset, record.dataOffset + record.capturedLength);
}
