import { type CaptureFormat, Magic } from './capture-format.js';
import type { ClassicLayout } from './classic-run.js';
import { PcapError } from './errors.js';
import { MAX_CAPTURE_LENGTH } from './limits.js';
import type { PacketRecord } from './packet-record.js';
import { PcapngSection, StepResult } from './pcapng-section.js';
import { setClassicTimestamp } from './timestamp.js';

/** A {@link ClassicLayout} the parser fills in from the file header. */
type ClassicLayoutState = { -readonly [K in keyof ClassicLayout]: ClassicLayout[K] };

/**
 * Format detection and the classic-pcap half of the reader: parses one record at a time from a
 * window of bytes and delegates pcapng to {@link PcapngSection}. It never holds bytes itself: the
 * readers own the buffers and give it windows.
 */
export class CaptureParser {
  /** Detected format, once the file header was read. */
  format: CaptureFormat | null = null;
  /** Bytes the pending record needs from its start (valid after a NEED_MORE). */
  needed = 0;
  /** True when the last step filled the record with a packet. */
  produced = false;
  /** The pcapng state (byte order, interfaces). */
  readonly pcapng: PcapngSection = new PcapngSection();

  /** What the file header of a classic capture fixed (valid once `format` is 'pcap'). */
  readonly classic: ClassicLayoutState = {
    littleEndian: true,
    recordHeader: 16,
    nanoseconds: false,
    snaplen: 0,
    linkType: 0,
  };

  /**
   * Parses the record at `pos` (`at` is its offset in the capture). Returns the bytes it spans,
   * possibly past `end` for a skipped pcapng block, or `StepResult.NEED_MORE`.
   * @throws {PcapError} for damage.
   */
  step(b: Uint8Array, v: DataView, pos: number, end: number, at: number, out: PacketRecord): number {
    if (this.format === 'pcapng') {
      const r = this.pcapng.step(b, v, pos, end, at, out);
      this.produced = this.pcapng.produced;
      if (r === StepResult.NEED_MORE) this.needed = this.pcapng.needed;
      return r;
    }
    this.produced = false;
    if (this.format === null) return this.header(v, pos, end, at);
    const layout = this.classic;
    const available = end - pos;
    const headerLength = layout.recordHeader;
    if (available < headerLength) return this.need(headerLength);
    const le = layout.littleEndian;
    const captured = v.getUint32(pos + 8, le);
    if (captured > MAX_CAPTURE_LENGTH) {
      throw new PcapError(
        'BAD_LENGTH',
        `captured length ${String(captured)} exceeds the ${String(MAX_CAPTURE_LENGTH)}-byte limit`,
        at + 8,
      );
    }
    const total = headerLength + captured;
    if (available < total) return this.need(total);
    const fraction = v.getUint32(pos + 4, le);
    out.interfaceId = 0;
    out.linkType = layout.linkType;
    setClassicTimestamp(out, v.getUint32(pos, le), fraction, layout.nanoseconds ? 1 : 1000);
    out.capturedLength = captured;
    out.originalLength = v.getUint32(pos + 12, le);
    out.overSnaplen = layout.snaplen > 0 && captured > layout.snaplen;
    out.bytes = b;
    out.dataOffset = pos + headerLength;
    this.produced = true;
    return total;
  }

  private need(bytes: number): number {
    this.needed = bytes;
    return StepResult.NEED_MORE;
  }

  private header(v: DataView, pos: number, end: number, at: number): number {
    if (end - pos < 4) return this.need(4);
    const layout = this.classic;
    const magic = v.getUint32(pos, false);
    if (magic === Magic.PCAPNG_SHB) {
      this.format = 'pcapng';
      return 0;
    }
    switch (magic) {
      case Magic.PCAP_MICRO_BE:
      case Magic.PCAP_NANO_BE:
      case Magic.PCAP_MODIFIED_BE:
        layout.littleEndian = false;
        break;
      case Magic.PCAP_MICRO_LE:
      case Magic.PCAP_NANO_LE:
      case Magic.PCAP_MODIFIED_LE:
        layout.littleEndian = true;
        break;
      default:
        throw new PcapError(
          'BAD_MAGIC',
          `magic 0x${magic.toString(16).padStart(8, '0')} is neither pcap (0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34 in either byte order) nor pcapng (0x0a0d0d0a)`,
          at,
        );
    }
    if (end - pos < 24) return this.need(24);
    const le = layout.littleEndian;
    const major = v.getUint16(pos + 4, le);
    if (major !== 2) {
      throw new PcapError(
        'UNSUPPORTED_VERSION',
        `pcap major version ${String(major)}, only 2 is known`,
        at + 4,
      );
    }
    layout.nanoseconds = magic === Magic.PCAP_NANO_BE || magic === Magic.PCAP_NANO_LE;
    layout.recordHeader = magic === Magic.PCAP_MODIFIED_BE || magic === Magic.PCAP_MODIFIED_LE ? 24 : 16;
    layout.snaplen = v.getUint32(pos + 16, le);
    // The upper bits of the link-type field carry FCS information, not the type.
    layout.linkType = v.getUint32(pos + 20, le) & 0xffff;
    this.format = 'pcap';
    return 24;
  }
}
