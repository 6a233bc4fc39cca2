import { BlockType, Magic } from './capture-format.js';
import { PcapError } from './errors.js';
import { MAX_BLOCK_LENGTH, MAX_CAPTURE_LENGTH, MAX_INTERFACES } from './limits.js';
import type { PacketRecord } from './packet-record.js';
import { setUnitsTimestamp } from './timestamp.js';

/** A pcapng interface as its description block declared it. */
export interface CaptureInterface {
  /** LINKTYPE_ of the interface's packets. */
  readonly linkType: number;
  /** Snapshot length (0: unlimited). */
  readonly snaplen: number;
  /** Raw `if_tsresol` byte (6 = microseconds, 9 = nanoseconds; bit 7 set: powers of two). */
  readonly tsresol: number;
  /** `if_tsoffset`: seconds added to every timestamp. */
  readonly tsoffset: number;
}

/** What one call of {@link PcapngSection.step} did. */
export const StepResult: { readonly NEED_MORE: -1 } = { NEED_MORE: -1 };

/**
 * The pcapng half of the reader: parses one block at a time from a window of bytes, keeping the
 * byte order and the interfaces of the current section. Blocks it does not need are skipped by
 * length without being buffered.
 */
export class PcapngSection {
  /** Byte order of the current section. */
  littleEndian = true;
  /** Interfaces of the current section, by id. */
  readonly interfaces: CaptureInterface[] = [];
  /** Bytes the pending block needs from its start (valid after a NEED_MORE). */
  needed = 0;
  /** True when the last step filled the record with a packet. */
  produced = false;

  /**
   * Parses the block at `pos`. Returns the bytes it spans (which may run past `end` for a block
   * that is skipped: the caller skips the rest), or `NEED_MORE` with {@link needed} set.
   * @throws {PcapError} for damage, with `at + ...` as the offset.
   */
  step(b: Uint8Array, v: DataView, pos: number, end: number, at: number, out: PacketRecord): number {
    this.produced = false;
    const available = end - pos;
    if (available < 12) return this.need(12);
    let type = v.getUint32(pos, this.littleEndian);
    if (type === BlockType.SECTION_HEADER) {
      const bom = v.getUint32(pos + 8, true);
      if (bom === Magic.PCAPNG_BYTE_ORDER) this.littleEndian = true;
      else if (v.getUint32(pos + 8, false) === Magic.PCAPNG_BYTE_ORDER) this.littleEndian = false;
      else {
        throw new PcapError('BAD_BLOCK', 'section header has no valid byte-order magic 0x1a2b3c4d', at + 8);
      }
      type = BlockType.SECTION_HEADER;
    }
    const le = this.littleEndian;
    const length = v.getUint32(pos + 4, le);
    if (length < 12 || length % 4 !== 0) {
      throw new PcapError(
        'BAD_BLOCK',
        `block length ${String(length)} must be a multiple of 4 and at least 12`,
        at + 4,
      );
    }
    const held =
      type === BlockType.SECTION_HEADER ||
      type === BlockType.INTERFACE_DESCRIPTION ||
      type === BlockType.ENHANCED_PACKET ||
      type === BlockType.SIMPLE_PACKET ||
      type === BlockType.OBSOLETE_PACKET;
    if (!held) return length;
    if (length > MAX_BLOCK_LENGTH) {
      throw new PcapError(
        'BAD_LENGTH',
        `block length ${String(length)} exceeds the ${String(MAX_BLOCK_LENGTH)}-byte limit`,
        at + 4,
      );
    }
    if (available < length) return this.need(length);
    if (v.getUint32(pos + length - 4, le) !== length) {
      throw new PcapError('BAD_BLOCK', 'trailing block length differs from the leading one', at + length - 4);
    }
    switch (type) {
      case BlockType.SECTION_HEADER:
        this.section(v, pos, length, at);
        break;
      case BlockType.INTERFACE_DESCRIPTION:
        this.interfaceDescription(v, pos, length, at);
        break;
      case BlockType.ENHANCED_PACKET:
      case BlockType.OBSOLETE_PACKET:
        this.packet(b, v, pos, length, at, out, type === BlockType.OBSOLETE_PACKET);
        break;
      default:
        this.simplePacket(b, v, pos, length, at, out);
    }
    return length;
  }

  private need(bytes: number): number {
    this.needed = bytes;
    return StepResult.NEED_MORE;
  }

  private section(v: DataView, pos: number, length: number, at: number): void {
    if (length < 28) throw new PcapError('BAD_BLOCK', 'section header block shorter than 28 bytes', at + 4);
    const major = v.getUint16(pos + 12, this.littleEndian);
    if (major !== 1) {
      throw new PcapError(
        'UNSUPPORTED_VERSION',
        `pcapng major version ${String(major)}, only 1 is known`,
        at + 12,
      );
    }
    this.interfaces.length = 0;
  }

  private interfaceDescription(v: DataView, pos: number, length: number, at: number): void {
    if (length < 20)
      throw new PcapError('BAD_BLOCK', 'interface description block shorter than 20 bytes', at + 4);
    if (this.interfaces.length >= MAX_INTERFACES) {
      throw new PcapError(
        'TOO_MANY_INTERFACES',
        `more than ${String(MAX_INTERFACES)} interfaces in one section`,
        at,
      );
    }
    const le = this.littleEndian;
    let tsresol = 6;
    let tsoffset = 0;
    // Options: lenient like the tools users compare with; a bad option ends the option list.
    let o = pos + 16;
    const stop = pos + length - 4;
    while (stop - o >= 4) {
      const code = v.getUint16(o, le);
      const size = v.getUint16(o + 2, le);
      if (code === 0 || o + 4 + size > stop) break;
      if (code === 9 && size >= 1) tsresol = v.getUint8(o + 4);
      else if (code === 14 && size >= 8) {
        const hi = v.getInt32(o + 4 + (le ? 4 : 0), le);
        const lo = v.getUint32(o + 4 + (le ? 0 : 4), le);
        tsoffset = hi * 4294967296 + lo;
      }
      o += 4 + ((size + 3) & ~3);
    }
    this.interfaces.push({
      linkType: v.getUint16(pos + 8, le),
      snaplen: v.getUint32(pos + 12, le),
      tsresol,
      tsoffset,
    });
  }

  private packet(
    b: Uint8Array,
    v: DataView,
    pos: number,
    length: number,
    at: number,
    out: PacketRecord,
    obsolete: boolean,
  ): void {
    if (length < 32) throw new PcapError('BAD_BLOCK', 'packet block shorter than 32 bytes', at + 4);
    const le = this.littleEndian;
    const id = obsolete ? v.getUint16(pos + 8, le) : v.getUint32(pos + 8, le);
    const iface = this.interfaces[id];
    if (iface === undefined) {
      throw new PcapError(
        'UNKNOWN_INTERFACE',
        `packet names interface ${String(id)}, the section describes ${String(this.interfaces.length)}`,
        at + 8,
      );
    }
    const captured = v.getUint32(pos + 20, le);
    if (captured > MAX_CAPTURE_LENGTH) {
      throw new PcapError(
        'BAD_LENGTH',
        `captured length ${String(captured)} exceeds the ${String(MAX_CAPTURE_LENGTH)}-byte limit`,
        at + 20,
      );
    }
    if (28 + captured > length - 4) {
      throw new PcapError('BAD_BLOCK', `captured length ${String(captured)} overruns its block`, at + 20);
    }
    out.interfaceId = id;
    out.linkType = iface.linkType;
    setUnitsTimestamp(
      v.getUint32(pos + 12, le),
      v.getUint32(pos + 16, le),
      iface.tsresol,
      iface.tsoffset,
      out,
    );
    out.capturedLength = captured;
    out.originalLength = v.getUint32(pos + 24, le);
    out.overSnaplen = iface.snaplen > 0 && captured > iface.snaplen;
    out.bytes = b;
    out.dataOffset = pos + 28;
    this.produced = true;
  }

  private simplePacket(
    b: Uint8Array,
    v: DataView,
    pos: number,
    length: number,
    at: number,
    out: PacketRecord,
  ): void {
    if (length < 16) throw new PcapError('BAD_BLOCK', 'simple packet block shorter than 16 bytes', at + 4);
    const iface = this.interfaces[0];
    if (iface === undefined) {
      throw new PcapError('UNKNOWN_INTERFACE', 'simple packet block before any interface description', at);
    }
    const original = v.getUint32(pos + 8, this.littleEndian);
    let captured = Math.min(original, length - 16);
    if (iface.snaplen > 0) captured = Math.min(captured, iface.snaplen);
    out.interfaceId = 0;
    out.linkType = iface.linkType;
    out.timestampSec = 0;
    out.timestampNs = 0;
    out.capturedLength = captured;
    out.originalLength = original;
    out.overSnaplen = false;
    out.bytes = b;
    out.dataOffset = pos + 12;
    this.produced = true;
  }
}
