import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { DecodeError, HyperSyncError } from './errors.js';
import { assertMemberId } from './member-id.js';
import { isMemberState } from './member-state.js';
import {
  MAX_COMPONENT_KINDS,
  MAX_MESSAGE_BYTES,
  MAX_VIEW_MEMBERS,
  type Message,
  MessageType,
  type SyncRecord,
  type ViewMember,
  WIRE_MAGIC,
  WIRE_VERSION,
} from './messages.js';
import { assertSyncRecord, readRecord, writeRecord } from './record-codec.js';

const u32ok = (v: number): boolean => Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
/** An integer 0..max: a wire field must not be silently truncated. */
const intOk = (v: number, max: number): boolean => Number.isInteger(v) && v >= 0 && v <= max;

function check(ok: boolean, message: string): void {
  if (!ok) throw new HyperSyncError('INVALID_CONFIG', `cannot encode: ${message}`);
}

/** Writes the common header. */
export function writeHeader(w: ByteWriter, type: number, sender: string, incarnation: number): void {
  w.u16(WIRE_MAGIC);
  w.u8(WIRE_VERSION);
  w.u8(type);
  w.ascii(sender);
  w.u32(incarnation);
}

/**
 * Writes a SYNC frame header; returns the offset of its record count, to patch with
 * `w.patchU16` once the records are written.
 */
export function writeSyncHeader(
  w: ByteWriter,
  sender: string,
  incarnation: number,
  peerIncarnation: number,
  channel: number,
  seq: number,
  base: number,
  flags: number,
): number {
  writeHeader(w, MessageType.SYNC, sender, incarnation);
  w.u32(peerIncarnation);
  w.u32(channel);
  w.u32(seq);
  w.u32(base);
  w.u8(flags);
  const at = w.offset;
  w.u16(0);
  return at;
}

/**
 * Bytes of a SYNC message's header for a sender id of `senderLength` characters: with
 * `syncRecordSize` of each record, the length `encodeMessage` gives that message.
 */
export function syncHeaderSize(senderLength: number): number {
  return 4 + 1 + senderLength + 4 + 4 + 4 + 4 + 4 + 1 + 2;
}

function writeViewMember(w: ByteWriter, m: ViewMember): void {
  assertMemberId(m.id, 'view member id');
  check(u32ok(m.incarnation) && intOk(m.weight, 512) && intOk(m.site, 255), 'view member');
  w.ascii(m.id);
  w.u32(m.incarnation);
  w.u16(m.weight);
  w.u8(m.site);
  w.u8(m.active ? 1 : 0);
}

/**
 * Encodes any message to a fresh byte array, validating every field first.
 * @throws HyperSyncError when a field is out of its wire range.
 */
export function encodeMessage(msg: Message, writer: ByteWriter = new ByteWriter()): Uint8Array {
  assertMemberId(msg.sender, 'sender');
  check(u32ok(msg.incarnation), `incarnation ${msg.incarnation}`);
  const w = writer;
  w.reset();
  switch (msg.type) {
    case MessageType.HEARTBEAT: {
      check(isMemberState(msg.state) && intOk(msg.health, 7), 'heartbeat state/health');
      check(
        u32ok(msg.viewVersion) && u32ok(msg.softwareVersion) && u32ok(msg.configDigest),
        'heartbeat u32 field',
      );
      check(intOk(msg.weight, 512) && intOk(msg.site, 255), 'heartbeat weight/site');
      check(msg.components.length <= MAX_COMPONENT_KINDS, 'too many grade components');
      writeHeader(w, msg.type, msg.sender, msg.incarnation);
      w.u8(msg.state);
      w.u8(msg.health);
      w.u32(msg.viewVersion);
      w.u32(msg.softwareVersion);
      w.u32(msg.configDigest);
      w.u16(msg.weight);
      w.u8(msg.site);
      w.u8(msg.components.length);
      for (const c of msg.components) {
        check(Number.isInteger(c) && c >= 0 && c <= 65535, `component count ${c}`);
        w.u16(c);
      }
      break;
    }
    case MessageType.VIEW: {
      check(
        u32ok(msg.version) && u32ok(msg.tableDigest) && u32ok(msg.baseDigest) && u32ok(msg.tableSize),
        'view',
      );
      check(msg.members.length <= MAX_VIEW_MEMBERS && intOk(msg.activeSite, 255), 'view');
      assertMemberId(msg.coordinator, 'coordinator');
      writeHeader(w, msg.type, msg.sender, msg.incarnation);
      w.u32(msg.version);
      w.ascii(msg.coordinator);
      w.u32(msg.tableDigest);
      w.u32(msg.baseDigest);
      w.u32(msg.tableSize);
      w.u8(msg.activeSite);
      w.u8(msg.allProblem ? 1 : 0);
      w.u16(msg.members.length);
      for (const m of msg.members) writeViewMember(w, m);
      break;
    }
    case MessageType.TABLE_REQUEST:
      check(u32ok(msg.version) && u32ok(msg.offset), 'table request');
      writeHeader(w, msg.type, msg.sender, msg.incarnation);
      w.u32(msg.version);
      w.u32(msg.offset);
      break;
    case MessageType.TABLE_CHUNK:
      check(u32ok(msg.version) && u32ok(msg.digest) && u32ok(msg.size) && u32ok(msg.offset), 'table chunk');
      check(msg.owners.length <= 16384 && msg.offset + msg.owners.length <= msg.size, 'table chunk range');
      writeHeader(w, msg.type, msg.sender, msg.incarnation);
      w.u32(msg.version);
      w.u32(msg.digest);
      w.u32(msg.size);
      w.u32(msg.offset);
      w.u16(msg.owners.length);
      for (const o of msg.owners) w.u16(o);
      break;
    case MessageType.SYNC: {
      check(
        u32ok(msg.peerIncarnation) &&
          u32ok(msg.channel) &&
          u32ok(msg.seq) &&
          u32ok(msg.base ?? 0) &&
          msg.records.length <= 65535,
        'sync',
      );
      for (const r of msg.records) assertSyncRecord(r);
      const at = writeSyncHeader(
        w,
        msg.sender,
        msg.incarnation,
        msg.peerIncarnation,
        msg.channel,
        msg.seq,
        msg.base ?? 0,
        (msg.bulkEnd ? FrameFlag.BULK_END : 0) | (msg.resend === true ? FrameFlag.RESEND : 0),
      );
      w.patchU16(at, msg.records.length);
      for (const r of msg.records) writeRecord(w, r);
      break;
    }
    case MessageType.ACK:
      check(u32ok(msg.peerIncarnation) && u32ok(msg.channel) && u32ok(msg.next), 'ack');
      writeAck(w, msg.sender, msg.incarnation, msg.peerIncarnation, msg.channel, msg.next);
      break;
    default:
      check(false, `message type ${String((msg as { type: unknown }).type)} is not known`);
  }
  check(w.offset <= MAX_MESSAGE_BYTES, `message of ${w.offset} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  return w.toBytes();
}

/** Bits of a SYNC frame's flags byte. */
export const FrameFlag: { readonly BULK_END: 1; readonly RESEND: 2 } = { BULK_END: 1, RESEND: 2 };

/** Reads a SYNC frame's flags byte ({@link FrameFlag} bits; the others must be clear). */
export function readFrameFlags(rd: ByteReader): number {
  const flags = rd.u8('frame flags');
  if (flags > 3) throw new DecodeError('CORRUPT', `frame flags ${flags} are invalid`);
  return flags;
}

/** Writes an ACK message. */
export function writeAck(
  w: ByteWriter,
  sender: string,
  incarnation: number,
  peerIncarnation: number,
  channel: number,
  next: number,
): void {
  writeHeader(w, MessageType.ACK, sender, incarnation);
  w.u32(peerIncarnation);
  w.u32(channel);
  w.u32(next);
}

function readViewMember(rd: ByteReader): ViewMember {
  const id = rd.id('view member id');
  const incarnation = rd.u32('view member incarnation');
  const weight = rd.u16('view member weight');
  if (weight > 512) throw new DecodeError('CORRUPT', `view member weight ${weight} exceeds 512`);
  const site = rd.u8('view member site');
  const flags = rd.u8('view member flags');
  if (flags > 1) throw new DecodeError('CORRUPT', `view member flags ${flags} are invalid`);
  return { id, incarnation, weight, site, active: flags === 1 };
}

/** Checks what can be checked before parsing: the input type and the size limit. */
export function checkDatagram(bytes: Uint8Array): void {
  if (!(bytes instanceof Uint8Array)) throw new DecodeError('CORRUPT', 'message must be a Uint8Array');
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new DecodeError('OVERSIZED', `message of ${bytes.length} bytes exceeds ${MAX_MESSAGE_BYTES}`);
  }
}

/** Reads and checks the magic and the wire version; returns the message type byte. */
export function readPreamble(rd: ByteReader): number {
  const magic = rd.u16('magic');
  if (magic !== WIRE_MAGIC) throw new DecodeError('BAD_MAGIC', `magic 0x${magic.toString(16)} is not 0x4853`);
  const version = rd.u8('wire version');
  if (version !== WIRE_VERSION) {
    throw new DecodeError(
      'UNKNOWN_VERSION',
      `wire version ${version} is not supported (only ${WIRE_VERSION})`,
    );
  }
  return rd.u8('message type');
}

/**
 * Decodes one datagram. The whole message is parsed and checked before anything is returned, so
 * a caller that applies only decoded messages never applies part of a bad one.
 * @throws DecodeError on truncated, oversized, corrupt, unknown-version or unknown-type input.
 */
export function decodeMessage(bytes: Uint8Array): Message {
  checkDatagram(bytes);
  const rd = new ByteReader(bytes);
  const type = readPreamble(rd);
  const sender = rd.id('sender');
  const incarnation = rd.u32('incarnation');
  let msg: Message;
  switch (type) {
    case MessageType.HEARTBEAT: {
      const state = rd.u8('state');
      if (!isMemberState(state)) throw new DecodeError('CORRUPT', `member state ${state} is not 0..6`);
      const health = rd.u8('health');
      if (health > 7) throw new DecodeError('CORRUPT', `health bits ${health} are invalid`);
      const viewVersion = rd.u32('view version');
      const softwareVersion = rd.u32('software version');
      const configDigest = rd.u32('config digest');
      const weight = rd.u16('weight');
      if (weight > 512) throw new DecodeError('CORRUPT', `weight ${weight} exceeds 512`);
      const site = rd.u8('site');
      const n = rd.u8('component count');
      if (n > MAX_COMPONENT_KINDS)
        throw new DecodeError('CORRUPT', `${n} component kinds exceed ${MAX_COMPONENT_KINDS}`);
      const components: number[] = [];
      for (let i = 0; i < n; i++) components.push(rd.u16('component'));
      msg = {
        type,
        sender,
        incarnation,
        state,
        health,
        viewVersion,
        softwareVersion,
        configDigest,
        weight,
        site,
        components,
      };
      break;
    }
    case MessageType.VIEW: {
      const version = rd.u32('view version');
      const coordinator = rd.id('coordinator');
      const tableDigest = rd.u32('table digest');
      const baseDigest = rd.u32('base digest');
      const tableSize = rd.u32('table size');
      const activeSite = rd.u8('active site');
      const flags = rd.u8('view flags');
      if (flags > 1) throw new DecodeError('CORRUPT', `view flags ${flags} are invalid`);
      const n = rd.u16('member count');
      if (n > MAX_VIEW_MEMBERS)
        throw new DecodeError('CORRUPT', `${n} view members exceed ${MAX_VIEW_MEMBERS}`);
      const members: ViewMember[] = [];
      for (let i = 0; i < n; i++) members.push(readViewMember(rd));
      msg = {
        type,
        sender,
        incarnation,
        version,
        coordinator,
        tableDigest,
        baseDigest,
        tableSize,
        activeSite,
        allProblem: flags === 1,
        members,
      };
      break;
    }
    case MessageType.TABLE_REQUEST:
      msg = { type, sender, incarnation, version: rd.u32('version'), offset: rd.u32('offset') };
      break;
    case MessageType.TABLE_CHUNK: {
      const version = rd.u32('version');
      const digest = rd.u32('digest');
      const size = rd.u32('size');
      const offset = rd.u32('offset');
      const n = rd.u16('bucket count');
      if (offset + n > size)
        throw new DecodeError('CORRUPT', `buckets ${offset}+${n} exceed table size ${size}`);
      const owners = new Uint16Array(n);
      for (let i = 0; i < n; i++) owners[i] = rd.u16('bucket owner');
      msg = { type, sender, incarnation, version, digest, size, offset, owners };
      break;
    }
    case MessageType.SYNC: {
      const peerIncarnation = rd.u32('peer incarnation');
      const channel = rd.u32('channel');
      const seq = rd.u32('sequence');
      const base = rd.u32('base');
      const flags = readFrameFlags(rd);
      const n = rd.u16('record count');
      const records: SyncRecord[] = [];
      for (let i = 0; i < n; i++) records.push(readRecord(rd));
      msg = {
        type,
        sender,
        incarnation,
        peerIncarnation,
        channel,
        seq,
        base,
        bulkEnd: (flags & FrameFlag.BULK_END) !== 0,
        ...((flags & FrameFlag.RESEND) !== 0 ? { resend: true } : {}),
        records,
      };
      break;
    }
    case MessageType.ACK:
      msg = {
        type,
        sender,
        incarnation,
        peerIncarnation: rd.u32('peer incarnation'),
        channel: rd.u32('channel'),
        next: rd.u32('next'),
      };
      break;
    default:
      throw new DecodeError('UNKNOWN_TYPE', `message type ${type} is unknown (1..6)`);
  }
  rd.end();
  return msg;
}
