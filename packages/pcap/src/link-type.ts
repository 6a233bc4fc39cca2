/**
 * The link-layer header types (tcpdump.org LINKTYPE_ values) the decoder understands. Any other
 * value is carried through on each packet and decodes to `DecodeStatus.UNSUPPORTED_LINK_TYPE`.
 */
export const LinkType: {
  /** BSD loopback: a 4-byte address family in the capturing host's byte order. */
  readonly NULL: 0;
  /** Ethernet II / 802.3, with 802.1Q and 802.1ad VLAN tags. */
  readonly ETHERNET: 1;
  /** PPP, with or without the 0xff03 address/control bytes. */
  readonly PPP: 9;
  /** Raw IP as DLT_RAW on most systems (12). */
  readonly RAW_DLT12: 12;
  /** Raw IP as DLT_RAW on OpenBSD (14). */
  readonly RAW_DLT14: 14;
  /** Raw IPv4 or IPv6, told apart by the version nibble. */
  readonly RAW: 101;
  /** Cisco HDLC: address, control, then an Ethernet type. */
  readonly C_HDLC: 104;
  /** OpenBSD loopback: a 4-byte address family in network byte order. */
  readonly LOOP: 108;
  /** Linux cooked capture v1 (16-byte header). */
  readonly LINUX_SLL: 113;
  /** Raw IPv4 only. */
  readonly IPV4: 228;
  /** Raw IPv6 only. */
  readonly IPV6: 229;
  /** Linux cooked capture v2 (20-byte header). */
  readonly LINUX_SLL2: 276;
} = {
  NULL: 0,
  ETHERNET: 1,
  PPP: 9,
  RAW_DLT12: 12,
  RAW_DLT14: 14,
  RAW: 101,
  C_HDLC: 104,
  LOOP: 108,
  LINUX_SLL: 113,
  IPV4: 228,
  IPV6: 229,
  LINUX_SLL2: 276,
};

/** One of the {@link LinkType} values (other numbers are valid link types too, just not decoded). */
export type LinkType = (typeof LinkType)[keyof typeof LinkType];

/** True when {@link decodePacket} understands `linkType`. */
export function isDecodableLinkType(linkType: number): boolean {
  switch (linkType) {
    case LinkType.NULL:
    case LinkType.ETHERNET:
    case LinkType.PPP:
    case LinkType.C_HDLC:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14:
    case LinkType.RAW:
    case LinkType.LOOP:
    case LinkType.LINUX_SLL:
    case LinkType.IPV4:
    case LinkType.IPV6:
    case LinkType.LINUX_SLL2:
      return true;
    default:
      return false;
  }
}
