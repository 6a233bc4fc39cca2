import { ByteReader } from './byte-reader.js';
import { checkDatagram, FrameFlag, readFrameFlags, readPreamble } from './codec.js';
import { DecodeError } from './errors.js';
import { MessageType, type SyncRecord } from './messages.js';
import { createSyncRecord, readRecordInto } from './record-codec.js';

/**
 * A SYNC frame decoded without per-record allocation: its records are read into a pool of record
 * objects that the next frame overwrites. Internal: the receive path of a member uses it instead
 * of {@link decodeMessage}, which returns fresh records.
 */
export class SyncFrame {
  sender = '';
  incarnation = 0;
  peerIncarnation = 0;
  channel = 0;
  seq = 0;
  base = 0;
  bulkEnd = false;
  /** The sender reopened its channel after dropping this member from its view: send everything again. */
  resend = false;
  /** Records of the frame: the first `count` of `records`. */
  count = 0;
  /** Record pool (only ever as long as the largest frame seen). */
  readonly records: SyncRecord[] = [];
  private readonly reader = new ByteReader();

  /**
   * Decodes a whole SYNC datagram into this frame; nothing is kept from the bytes.
   * @throws DecodeError exactly as {@link decodeMessage} would on the same bytes.
   */
  decode(bytes: Uint8Array): void {
    checkDatagram(bytes);
    const rd = this.reader;
    rd.reset(bytes);
    const type = readPreamble(rd);
    if (type !== MessageType.SYNC) throw new DecodeError('CORRUPT', `message type ${type} is not SYNC`);
    this.sender = rd.idLike('sender', this.sender);
    this.incarnation = rd.u32('incarnation');
    this.peerIncarnation = rd.u32('peer incarnation');
    this.channel = rd.u32('channel');
    this.seq = rd.u32('sequence');
    this.base = rd.u32('base');
    const flags = readFrameFlags(rd);
    this.bulkEnd = (flags & FrameFlag.BULK_END) !== 0;
    this.resend = (flags & FrameFlag.RESEND) !== 0;
    const n = rd.u16('record count');
    const pool = this.records;
    this.count = 0;
    for (let i = 0; i < n; i++) {
      let r = pool[i];
      if (r === undefined) {
        r = createSyncRecord();
        pool.push(r);
      }
      readRecordInto(rd, r);
      this.count = i + 1;
    }
    rd.end();
  }
}

/** True when `bytes` announce a SYNC frame (the type byte; {@link SyncFrame.decode} checks the rest). */
export function isSyncDatagram(bytes: Uint8Array): boolean {
  return bytes instanceof Uint8Array && bytes.length > 3 && bytes[3] === MessageType.SYNC;
}
