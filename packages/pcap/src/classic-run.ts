import { type FlowKey, PortKind } from '@maestro/hash';
import { decodeGeneral } from './decode.js';
import { MAX_CAPTURE_LENGTH } from './limits.js';
import { LinkType } from './link-type.js';
import { DecodeStatus, type PacketRecord } from './packet-record.js';
import { setClassicTimestamp } from './timestamp.js';

/** What a classic capture's file header fixes for all its records. */
export interface ClassicLayout {
  readonly littleEndian: boolean;
  /** Bytes of a record header: 16, or 24 for the modified format. */
  readonly recordHeader: number;
  readonly nanoseconds: boolean;
  readonly snaplen: number;
  readonly linkType: number;
}

/**
 * Where a run stands: `pos` in the chunk (after the last record handed out) and the packets
 * counted. Written back when the run returns or the callback throws.
 */
export interface RunCursor {
  pos: number;
  count: number;
}

/**
 * DataViews over the 16-byte IPv6 address arrays of a key, so that an address moves as four
 * 32-bit words. The readers make them once for their own record (its arrays are `readonly`).
 */
export function addressViews(key: FlowKey): readonly [src: DataView, dst: DataView] {
  const { src6, dst6 } = key;
  return [new DataView(src6.buffer, src6.byteOffset, 16), new DataView(dst6.buffer, dst6.byteOffset, 16)];
}

/**
 * The hot path of classic pcap: every whole record of `b` from `cursor.pos` on, decoded and handed
 * to `onPacket`, in one loop. It stops at the first record that is incomplete or claims more than
 * {@link MAX_CAPTURE_LENGTH} and leaves that one to the general path (carry buffer, errors).
 *
 * The common frames (Ethernet with at most one 802.1Q/802.1ad tag, IPv4 without options and not a
 * fragment or IPv6 without extension headers, a whole TCP or UDP header) are decoded here in
 * place, with the same rules and output as `decodeCommonFrame` (a property test holds both to the
 * general decoder); the rest go to the general decoder. It is written out in the loop rather than
 * called because V8 inlines only so much into one function, and a callback that is itself inlined
 * would otherwise push the decoder out. `s6`/`d6` are the {@link addressViews} of `out.flow`.
 */
export function runClassic(
  b: Uint8Array,
  v: DataView,
  at: number,
  layout: ClassicLayout,
  decode: boolean,
  out: PacketRecord,
  s6: DataView,
  d6: DataView,
  cursor: RunCursor,
  onPacket: (packet: PacketRecord) => void,
): void {
  // A strict boolean: from a plain field, V8 would convert it to one at every read.
  const le = layout.littleEndian === true;
  const header = layout.recordHeader;
  const scale = layout.nanoseconds ? 1 : 1000;
  const snaplen = layout.snaplen;
  // Captured lengths are at most MAX_CAPTURE_LENGTH here, so this limit flags the same records.
  const overAt = snaplen > 0 && snaplen < MAX_CAPTURE_LENGTH ? snaplen : MAX_CAPTURE_LENGTH;
  const linkType = layout.linkType;
  const decoding = decode === true;
  const common = decoding && linkType === LinkType.ETHERNET;
  const key = out.flow;
  const end = b.length;
  out.interfaceId = 0;
  out.linkType = linkType;
  out.bytes = b;
  let pos = cursor.pos;
  let count = cursor.count;
  // True until the record's fragment fields and inner flag are known to be clear.
  let general = true;
  try {
    while (end - pos >= header) {
      const captured = v.getUint32(pos + 8, le);
      const start = pos + header;
      const next = start + captured;
      if (captured > MAX_CAPTURE_LENGTH || next > end) break;
      out.index = count;
      out.recordOffset = at + pos;
      setClassicTimestamp(out, v.getUint32(pos, le), v.getUint32(pos + 4, le), scale);
      out.capturedLength = captured;
      out.originalLength = v.getUint32(pos + 12, le);
      out.overSnaplen = captured > overAt;
      out.dataOffset = start;
      pos = next;
      count++;

      // The common-frame shortcut: `l4` stays -1 unless the frame qualifies. Headers are read
      // through the DataView only, a word at a time where it helps: each read of the chunk costs
      // a bounds check, and each other view of it one more type check per packet.
      let p = start + 14;
      let l4 = -1;
      let vlan = -1;
      let total = 0;
      let protocol = 0;
      let v4 = false;
      if (common && next - p >= 28) {
        let type = v.getUint16(p - 2);
        if (type === 0x8100 || type === 0x88a8) {
          const tag = v.getUint32(p);
          vlan = (tag >>> 16) & 0x0fff;
          type = tag & 0xffff;
          p += 4;
        }
        if (type === 0x0800) {
          if (next - p >= 28) {
            const w0 = v.getUint32(p);
            // Version 4 without options, and neither an offset nor more fragments (DF alone is fine).
            if (w0 >>> 24 === 0x45 && (v.getUint16(p + 6) & 0x3fff) === 0) {
              v4 = true;
              total = w0 & 0xffff;
              protocol = v.getUint8(p + 9);
              l4 = p + 20;
            }
          }
        } else if (type === 0x86dd && next - p >= 48) {
          const w0 = v.getUint32(p);
          const w1 = v.getUint32(p + 4);
          if (w0 >>> 28 === 6) {
            // A payload length of 0 is a jumbogram (or a TSO capture): the capture bounds it.
            total = w1 >>> 16;
            total = total === 0 ? next - p : total + 40;
            protocol = (w1 >>> 8) & 0xff;
            l4 = p + 40;
          }
        }
      }
      let truncated = false;
      let flags = 0;
      if (l4 >= 0) {
        truncated = total > next - p;
        const available = (truncated ? next : p + total) - l4;
        if (protocol === 6) {
          if (available < 20) {
            l4 = -1;
          } else {
            const offsetAndFlags = v.getUint16(l4 + 12);
            flags = offsetAndFlags & 0xff;
            if ((offsetAndFlags >>> 12) << 2 > available) truncated = true;
          }
        } else if (protocol !== 17 || available < 8) {
          l4 = -1;
        }
      }
      if (l4 >= 0) {
        out.status = DecodeStatus.OK;
        out.vlan = vlan;
        out.tcpFlags = flags;
        out.truncated = truncated;
        out.ipOffset = p;
        // Only the general decoder sets these; clear them once after it ran.
        if (general) {
          general = false;
          out.hasInner = false;
          out.isFragment = false;
          out.fragmentId = 0;
          out.fragmentOffset = 0;
          out.moreFragments = false;
        }
        // Addresses are copied little-endian on both sides: the bytes keep their order, unswapped.
        if (v4) {
          if (key.family === 6) {
            s6.setUint32(0, 0);
            s6.setUint32(4, 0);
            s6.setUint32(8, 0);
            s6.setUint32(12, 0);
            d6.setUint32(0, 0);
            d6.setUint32(4, 0);
            d6.setUint32(8, 0);
            d6.setUint32(12, 0);
          }
          key.family = 4;
          key.srcV4 = v.getUint32(p + 12);
          key.dstV4 = v.getUint32(p + 16);
        } else {
          key.family = 6;
          key.srcV4 = 0;
          key.dstV4 = 0;
          s6.setUint32(0, v.getUint32(p + 8, true), true);
          s6.setUint32(4, v.getUint32(p + 12, true), true);
          s6.setUint32(8, v.getUint32(p + 16, true), true);
          s6.setUint32(12, v.getUint32(p + 20, true), true);
          d6.setUint32(0, v.getUint32(p + 24, true), true);
          d6.setUint32(4, v.getUint32(p + 28, true), true);
          d6.setUint32(8, v.getUint32(p + 32, true), true);
          d6.setUint32(12, v.getUint32(p + 36, true), true);
        }
        const ports = v.getUint32(l4);
        key.protocol = protocol;
        key.srcPort = ports >>> 16;
        key.dstPort = ports & 0xffff;
        key.portKind = PortKind.PORTS;
      } else if (decoding) {
        general = true;
        decodeGeneral(linkType, b, start, next, out);
      } else {
        out.status = DecodeStatus.NOT_DECODED;
      }
      onPacket(out);
    }
  } finally {
    cursor.pos = pos;
    cursor.count = count;
  }
}
