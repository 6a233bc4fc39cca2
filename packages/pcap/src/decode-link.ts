import { LinkType } from './link-type.js';
import type { PacketRecord } from './packet-record.js';

/** Where the network layer starts; a module-level scratch so that the hot path allocates nothing. */
export interface NetworkLayer {
  /** Offset of the IP header in the buffer. */
  offset: number;
  /** 4 or 6 for IP, 0 for a frame without IP, -1 for a link header cut short, -2 for an unknown link type. */
  version: number;
}

/** The `version` of a link type the decoder does not know. */
export const UNSUPPORTED = -2;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const MAX_TAGS = 16;

/**
 * Walks the link-layer header of `linkType` at `p` and finds the IP header, recording the outer
 * VLAN id in `rec.vlan`. Results go to `out` (no allocation); returns `out.version`.
 */
export function findNetworkLayer(
  rec: PacketRecord,
  linkType: number,
  b: Uint8Array,
  p: number,
  end: number,
  out: NetworkLayer,
): number {
  switch (linkType) {
    case LinkType.ETHERNET:
      if (end - p < 14) return cutShort(out);
      return fromEthertype(rec, b, p + 14, end, ((b[p + 12] as number) << 8) | (b[p + 13] as number), out);
    case LinkType.RAW:
    case LinkType.RAW_DLT12:
    case LinkType.RAW_DLT14:
      // Nothing but IP can follow: a bad nibble is a malformed IPv4 header, not a non-IP frame.
      if (end - p < 1) return cutShort(out);
      return setLayer(out, p, (b[p] as number) >> 4 === 6 ? 6 : 4);
    case LinkType.IPV4:
      return setLayer(out, p, 4);
    case LinkType.IPV6:
      return setLayer(out, p, 6);
    case LinkType.NULL:
    case LinkType.LOOP: {
      if (end - p < 4) return cutShort(out);
      // The family is in the capturing host's byte order for NULL: take whichever end is non-zero.
      const family = b[p] !== 0 ? (b[p] as number) : (b[p + 3] as number);
      if (family === 2) return setLayer(out, p + 4, 4);
      if (family === 10 || family === 24 || family === 28 || family === 30) return setLayer(out, p + 4, 6);
      return setLayer(out, p, 0);
    }
    case LinkType.PPP: {
      if (end - p >= 2 && b[p] === 0xff && b[p + 1] === 0x03) p += 2;
      if (end - p < 2) return cutShort(out);
      return fromEthertype(
        rec,
        b,
        p + 2,
        end,
        etherTypeOfPpp(((b[p] as number) << 8) | (b[p + 1] as number)),
        out,
      );
    }
    case LinkType.C_HDLC:
      if (end - p < 4) return cutShort(out);
      return fromEthertype(rec, b, p + 4, end, ((b[p + 2] as number) << 8) | (b[p + 3] as number), out);
    case LinkType.LINUX_SLL:
      if (end - p < 16) return cutShort(out);
      return fromEthertype(rec, b, p + 16, end, ((b[p + 14] as number) << 8) | (b[p + 15] as number), out);
    case LinkType.LINUX_SLL2:
      if (end - p < 20) return cutShort(out);
      return fromEthertype(rec, b, p + 20, end, ((b[p] as number) << 8) | (b[p + 1] as number), out);
    default:
      return setLayer(out, p, UNSUPPORTED);
  }
}

function fromEthertype(
  rec: PacketRecord,
  b: Uint8Array,
  p: number,
  end: number,
  type: number,
  out: NetworkLayer,
): number {
  for (let tags = 0; tags < MAX_TAGS; tags++) {
    switch (type) {
      case ETH_IPV4:
        return setLayer(out, p, 4);
      case ETH_IPV6:
        return setLayer(out, p, 6);
      case 0x8100: // 802.1Q
      case 0x88a8: // 802.1ad
      case 0x9100: // pre-standard QinQ
      case 0x9200:
        if (end - p < 4) return cutShort(out);
        if (rec.vlan < 0) rec.vlan = (((b[p] as number) & 0x0f) << 8) | (b[p + 1] as number);
        type = ((b[p + 2] as number) << 8) | (b[p + 3] as number);
        p += 4;
        break;
      case 0x8847: // MPLS unicast / multicast: skip the label stack, guess IP from the nibble
      case 0x8848:
        for (let labels = 0; ; labels++) {
          if (end - p < 4) return cutShort(out);
          const bottom = (b[p + 2] as number) & 1;
          p += 4;
          if (bottom === 1) return byVersionNibble(b, p, end, out);
          if (labels === MAX_TAGS) return setLayer(out, p, 0);
        }
      case 0x88e5: {
        // MACsec SecTAG (6 bytes, 14 with an SCI); an encrypted payload (E bit) hides the IP header.
        if (end - p < 8) return cutShort(out);
        const tci = b[p] as number;
        if ((tci & 0x08) !== 0) return setLayer(out, p, 0);
        p += (tci & 0x20) !== 0 ? 14 : 6;
        if (end - p < 2) return cutShort(out);
        type = ((b[p] as number) << 8) | (b[p + 1] as number);
        p += 2;
        break;
      }
      case 0xd28b: {
        // Arista vendor header: a timestamp of 8 (version 0x1x) or 6 (0x2x) bytes, then the type.
        if (end - p < 4) return cutShort(out);
        const subtype = ((b[p] as number) << 8) | (b[p + 1] as number);
        const version = (b[p + 3] as number) & 0xf0;
        if (subtype !== 1 || (version !== 0x10 && version !== 0x20)) return setLayer(out, p, 0);
        p += version === 0x10 ? 12 : 10;
        if (end - p < 2) return cutShort(out);
        type = ((b[p] as number) << 8) | (b[p + 1] as number);
        p += 2;
        break;
      }
      case 0x894f: {
        // Network Service Header: length in 4-byte words, then IPv4 (1), IPv6 (2) or Ethernet (3).
        if (end - p < 8) return cutShort(out);
        const length = ((b[p + 1] as number) & 0x3f) << 2;
        const next = b[p + 3] as number;
        if (length < 8) return setLayer(out, p, 0);
        p += length;
        if (next === 1) return setLayer(out, p, 4);
        if (next === 2) return setLayer(out, p, 6);
        if (next !== 3 || end - p < 14) return setLayer(out, p, 0);
        type = ((b[p + 12] as number) << 8) | (b[p + 13] as number);
        p += 14;
        break;
      }
      case 0x8864: {
        // PPPoE session: 6-byte header, then the 2-byte PPP protocol.
        if (end - p < 8) return cutShort(out);
        type = etherTypeOfPpp(((b[p + 6] as number) << 8) | (b[p + 7] as number));
        p += 8;
        break;
      }
      default:
        return setLayer(out, p, 0);
    }
  }
  return setLayer(out, p, 0);
}

/** The Ethernet type of a PPP protocol number (IP and MPLS; 0 for the rest). */
function etherTypeOfPpp(protocol: number): number {
  switch (protocol) {
    case 0x0021:
      return ETH_IPV4;
    case 0x0057:
      return ETH_IPV6;
    case 0x0281:
      return 0x8847;
    case 0x0283:
      return 0x8848;
    default:
      return 0;
  }
}

function byVersionNibble(b: Uint8Array, p: number, end: number, out: NetworkLayer): number {
  if (end - p < 1) return cutShort(out);
  const version = (b[p] as number) >> 4;
  return setLayer(out, p, version === 4 || version === 6 ? version : 0);
}

function setLayer(out: NetworkLayer, offset: number, version: number): number {
  out.offset = offset;
  out.version = version;
  return version;
}

function cutShort(out: NetworkLayer): number {
  out.offset = -1;
  out.version = -1;
  return -1;
}
