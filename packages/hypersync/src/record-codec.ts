import type { ByteReader } from './byte-reader.js';
import type { ByteWriter } from './byte-writer.js';
import { DecodeError, HyperSyncError, shown } from './errors.js';
import { isMemberId } from './member-id.js';
import {
  type ConnectionFields,
  MAX_PAYLOAD_BYTES,
  RecordOp,
  type SyncPolicy,
  type SyncRecord,
} from './messages.js';

const POLICY_CODE: Readonly<Record<SyncPolicy, number>> = { none: 0, backup: 1, all: 2 };
const POLICY_OF: readonly SyncPolicy[] = ['none', 'backup', 'all'];
const F_EXTRA = 4;
const F_V6 = 8;
const F_TARGET = 16;
const F_STANDBY = 32;
const F_PAYLOAD = 64;
const F_CLAIM = 128;
const TWO_32 = 4294967296;

/** A blank record, to be filled in place. */
export function createSyncRecord(): SyncRecord {
  return {
    op: RecordOp.CREATE,
    id: 0,
    epoch: 0,
    claim: false,
    owner: undefined,
    policy: 'backup',
    extra: false,
    family: 4,
    protocol: 0,
    portKind: 0,
    srcV4: 0,
    dstV4: 0,
    src6: undefined,
    dst6: undefined,
    srcPort: 0,
    dstPort: 0,
    hash: 0,
    state: 0,
    timeout: 0,
    rev: 0,
    target: undefined,
    standby: undefined,
    payload: undefined,
  };
}

/** Encoded size in bytes of an upsert record of `r` (a delete is always {@link DELETE_RECORD_SIZE}). */
export function recordSize(
  r: ConnectionFields,
  standby: string | undefined,
  claimOwner: string | undefined = undefined,
): number {
  let n = 9 + 1 + 4 + 2 + (r.family === 6 ? 32 : 8) + 4 + 4 + 2 + 4 + 4;
  if (r.target !== undefined) n += 1 + r.target.length;
  if (standby !== undefined) n += 1 + standby.length;
  if (claimOwner !== undefined) n += 1 + claimOwner.length;
  if (r.payload !== undefined) n += 2 + r.payload.length;
  return n;
}

function inRange(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) invalid(`${what} ${v} outside 0..${max}`);
}

function invalid(message: string): never {
  throw new HyperSyncError('INVALID_CONNECTION', message);
}

/** Throws `INVALID_CONNECTION` unless every field of `r` fits its wire range. */
export function assertSyncRecord(r: SyncRecord): void {
  if (r.op !== 1 && r.op !== 2 && r.op !== 3) invalid(`record op ${r.op} is not 1..3`);
  if (r.op === RecordOp.DELETE) {
    if (!Number.isSafeInteger(r.id) || r.id < 0) invalid(`connection id ${r.id} is not a safe integer >= 0`);
    return;
  }
  assertConnectionFields(r);
  inRange(r.epoch, 0xffffffff, 'epoch');
  if (r.claim !== true && r.claim !== false) invalid('claim must be a boolean');
  if (r.claim ? !isMemberId(r.owner) : r.owner !== undefined)
    invalid(`owner ${shown(r.owner)}: a claim carries its owner's id, other records none`);
  if (r.standby !== undefined && !isMemberId(r.standby))
    invalid(`standby ${shown(r.standby)} is not a member id`);
}

/** Throws `INVALID_CONNECTION` unless every synced field of `r` fits its wire range. */
export function assertConnectionFields(r: ConnectionFields): void {
  if (!Number.isSafeInteger(r.id) || r.id < 0) invalid(`connection id ${r.id} is not a safe integer >= 0`);
  if (r.policy !== 'none' && r.policy !== 'backup' && r.policy !== 'all') {
    invalid(`sync policy ${String(r.policy)} is not none|backup|all`);
  }
  inRange(r.protocol, 255, 'protocol');
  inRange(r.portKind, 3, 'port kind');
  inRange(r.srcPort, 65535, 'source port');
  inRange(r.dstPort, 65535, 'destination port');
  inRange(r.hash, 0xffffffff, 'hash');
  inRange(r.state, 65535, 'state');
  inRange(r.timeout, 0xffffffff, 'timeout');
  inRange(r.rev, 0xffffffff, 'rev');
  if (r.family === 4) {
    inRange(r.srcV4, 0xffffffff, 'IPv4 source');
    inRange(r.dstV4, 0xffffffff, 'IPv4 destination');
  } else if (r.family === 6) {
    if (r.src6?.length !== 16 || r.dst6?.length !== 16) invalid('IPv6 addresses must be 16 bytes');
  } else {
    invalid(`family ${String(r.family)} is not 4 or 6`);
  }
  if (r.target !== undefined && !isMemberId(r.target))
    invalid(`target ${shown(r.target)} is not a member id`);
  if (r.payload !== undefined && r.payload.length > MAX_PAYLOAD_BYTES) {
    invalid(`payload of ${r.payload.length} bytes exceeds ${MAX_PAYLOAD_BYTES}`);
  }
}

/** Encoded size of a delete record. */
export const DELETE_RECORD_SIZE = 9;

/** Writes a delete record. */
export function writeDelete(w: ByteWriter, id: number): void {
  w.u8(RecordOp.DELETE);
  w.u32(Math.floor(id / TWO_32));
  w.u32(id >>> 0);
}

/**
 * Bytes {@link writeRecord} writes for `r`, without writing them: a sync channel's traffic can be
 * counted (planned, simulated) from this and `syncHeaderSize` without encoding a datagram.
 */
export function syncRecordSize(r: SyncRecord): number {
  return r.op === RecordOp.DELETE
    ? DELETE_RECORD_SIZE
    : recordSize(r, r.standby, r.claim ? r.owner : undefined);
}

/** Writes one record (assumed valid: see {@link assertSyncRecord}). */
export function writeRecord(w: ByteWriter, r: SyncRecord): void {
  if (r.op === RecordOp.DELETE) writeDelete(w, r.id);
  else writeUpsert(w, r, r.op, r.extra, r.standby, r.epoch, r.claim ? r.owner : undefined);
}

/** Writes a create or update record of `r`, straight from the connection's fields. */
export function writeUpsert(
  w: ByteWriter,
  r: ConnectionFields,
  op: RecordOp,
  extra: boolean,
  standby: string | undefined,
  epoch: number,
  claimOwner: string | undefined,
): void {
  let flags = POLICY_CODE[r.policy];
  if (extra) flags |= F_EXTRA;
  if (r.family === 6) flags |= F_V6;
  if (r.target !== undefined) flags |= F_TARGET;
  if (standby !== undefined) flags |= F_STANDBY;
  if (r.payload !== undefined) flags |= F_PAYLOAD;
  if (claimOwner !== undefined) flags |= F_CLAIM;
  // The fixed fields are written straight into the buffer: one bounds check per record.
  let b = w.room(16);
  let at = w.offset;
  b[at] = op;
  put32(b, at + 1, Math.floor(r.id / TWO_32));
  put32(b, at + 5, r.id >>> 0);
  b[at + 9] = flags;
  put32(b, at + 10, epoch);
  b[at + 14] = r.protocol;
  b[at + 15] = r.portKind;
  w.offset = at + 16;
  if (r.family === 6 && r.src6 !== undefined && r.dst6 !== undefined) {
    w.raw(r.src6);
    w.raw(r.dst6);
  } else {
    b = w.room(8);
    at = w.offset;
    put32(b, at, r.srcV4);
    put32(b, at + 4, r.dstV4);
    w.offset = at + 8;
  }
  b = w.room(18);
  at = w.offset;
  b[at] = r.srcPort >>> 8;
  b[at + 1] = r.srcPort;
  b[at + 2] = r.dstPort >>> 8;
  b[at + 3] = r.dstPort;
  put32(b, at + 4, r.hash);
  b[at + 8] = r.state >>> 8;
  b[at + 9] = r.state;
  put32(b, at + 10, r.timeout);
  put32(b, at + 14, r.rev);
  w.offset = at + 18;
  if (r.target !== undefined) w.ascii(r.target);
  if (standby !== undefined) w.ascii(standby);
  if (claimOwner !== undefined) w.ascii(claimOwner);
  if (r.payload !== undefined) {
    w.u16(r.payload.length);
    w.raw(r.payload);
  }
}

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v >>> 24;
  b[at + 1] = v >>> 16;
  b[at + 2] = v >>> 8;
  b[at + 3] = v;
}

/** Reads one record into a new object; every field is range-checked. */
export function readRecord(rd: ByteReader): SyncRecord {
  const r = createSyncRecord();
  readRecordInto(rd, r);
  return r;
}

/**
 * Reads one record into `r`, overwriting every field (so one record object can be reused for a
 * whole stream); every field is range-checked. Addresses and payloads are copied.
 */
export function readRecordInto(rd: ByteReader, r: SyncRecord): void {
  const op = rd.u8('record op');
  if (op !== 1 && op !== 2 && op !== 3) throw new DecodeError('CORRUPT', `record op ${op} is not 1..3`);
  r.op = op;
  const hi = rd.u32('connection id');
  if (hi > 0x1fffff) throw new DecodeError('CORRUPT', `connection id high word ${hi} exceeds 2^21-1`);
  r.id = hi * TWO_32 + rd.u32('connection id');
  r.policy = 'backup';
  r.extra = false;
  r.claim = false;
  r.owner = undefined;
  r.epoch = 0;
  r.family = 4;
  r.protocol = 0;
  r.portKind = 0;
  r.srcV4 = 0;
  r.dstV4 = 0;
  r.src6 = undefined;
  r.dst6 = undefined;
  r.srcPort = 0;
  r.dstPort = 0;
  r.hash = 0;
  r.state = 0;
  r.timeout = 0;
  r.rev = 0;
  r.target = undefined;
  r.standby = undefined;
  r.payload = undefined;
  if (op === RecordOp.DELETE) return;
  const flags = rd.u8('record flags');
  const policy = POLICY_OF[flags & 3];
  if (policy === undefined) throw new DecodeError('CORRUPT', `record flags ${flags} are invalid`);
  r.policy = policy;
  r.extra = (flags & F_EXTRA) !== 0;
  r.claim = (flags & F_CLAIM) !== 0;
  r.epoch = rd.u32('epoch');
  r.protocol = rd.u8('protocol');
  r.portKind = rd.u8('port kind');
  if (r.portKind > 3) throw new DecodeError('CORRUPT', `port kind ${r.portKind} is not 0..3`);
  if (flags & F_V6) {
    r.family = 6;
    r.src6 = rd.raw(16, 'IPv6 source');
    r.dst6 = rd.raw(16, 'IPv6 destination');
  } else {
    r.srcV4 = rd.u32('IPv4 source');
    r.dstV4 = rd.u32('IPv4 destination');
  }
  r.srcPort = rd.u16('source port');
  r.dstPort = rd.u16('destination port');
  r.hash = rd.u32('hash');
  r.state = rd.u16('state');
  r.timeout = rd.u32('timeout');
  r.rev = rd.u32('rev');
  if (flags & F_TARGET) r.target = rd.id('target');
  if (flags & F_STANDBY) r.standby = rd.id('standby');
  if (flags & F_CLAIM) r.owner = rd.id('claim owner');
  if (flags & F_PAYLOAD) {
    const len = rd.u16('payload length');
    if (len > MAX_PAYLOAD_BYTES)
      throw new DecodeError('CORRUPT', `payload length ${len} exceeds ${MAX_PAYLOAD_BYTES}`);
    r.payload = rd.raw(len, 'payload');
  }
}
