import fc from 'fast-check';
import {
  type AckMessage,
  createSyncRecord,
  type HeartbeatMessage,
  type Message,
  MessageType,
  RecordOp,
  type SyncMessage,
  type SyncRecord,
  type TableChunkMessage,
  type TableRequestMessage,
  type ViewMember,
  type ViewMessage,
} from '../src/index.js';

const ID_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:@-'.split('');

/** A valid member id. */
export const memberId: fc.Arbitrary<string> = fc
  .array(fc.constantFrom(...ID_CHARS), { minLength: 1, maxLength: 64 })
  .map((cs) => cs.join(''));

const u32 = fc.nat({ max: 0xffffffff });
const u16 = fc.nat({ max: 0xffff });
const header = fc.record({ sender: memberId, incarnation: u32 });

/** A valid sync record (create, update or delete). */
export const syncRecord: fc.Arbitrary<SyncRecord> = fc
  .record({
    op: fc.constantFrom(RecordOp.CREATE, RecordOp.UPDATE, RecordOp.DELETE),
    id: fc.maxSafeNat(),
    policy: fc.constantFrom('none' as const, 'backup' as const, 'all' as const),
    extra: fc.boolean(),
    v6: fc.boolean(),
    protocol: fc.nat({ max: 255 }),
    portKind: fc.nat({ max: 3 }),
    srcV4: u32,
    dstV4: u32,
    src6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    dst6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    srcPort: u16,
    dstPort: u16,
    hash: u32,
    state: u16,
    timeout: u32,
    rev: u32,
    target: fc.option(memberId, { nil: undefined }),
    standby: fc.option(memberId, { nil: undefined }),
    epoch: u32,
    claimOwner: fc.option(memberId, { nil: undefined }),
    payload: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: undefined }),
  })
  .map((a) => {
    const r = createSyncRecord();
    r.op = a.op;
    r.id = a.id;
    if (a.op === RecordOp.DELETE) return r;
    Object.assign(r, {
      policy: a.policy,
      extra: a.extra,
      protocol: a.protocol,
      portKind: a.portKind,
      srcPort: a.srcPort,
      dstPort: a.dstPort,
      hash: a.hash,
      state: a.state,
      timeout: a.timeout,
      rev: a.rev,
      target: a.target,
      standby: a.standby,
      epoch: a.epoch,
      claim: a.claimOwner !== undefined,
      owner: a.claimOwner,
      payload: a.payload,
    });
    if (a.v6) Object.assign(r, { family: 6, src6: a.src6, dst6: a.dst6 });
    else Object.assign(r, { family: 4, srcV4: a.srcV4, dstV4: a.dstV4 });
    return r;
  });

const viewMember: fc.Arbitrary<ViewMember> = fc.record({
  id: memberId,
  incarnation: u32,
  weight: fc.nat({ max: 512 }),
  site: fc.nat({ max: 255 }),
  active: fc.boolean(),
});

/** Any valid message of the protocol. */
export const message: fc.Arbitrary<Message> = fc.oneof(
  fc
    .record({
      state: fc.nat({ max: 6 }),
      health: fc.nat({ max: 7 }),
      viewVersion: u32,
      softwareVersion: u32,
      configDigest: u32,
      weight: fc.nat({ max: 512 }),
      site: fc.nat({ max: 255 }),
      components: fc.array(u16, { maxLength: 16 }),
    })
    .chain((b) => header.map((h): HeartbeatMessage => ({ type: MessageType.HEARTBEAT, ...h, ...b }))),
  fc
    .record({
      version: u32,
      coordinator: memberId,
      tableDigest: u32,
      baseDigest: u32,
      tableSize: u32,
      activeSite: fc.nat({ max: 255 }),
      allProblem: fc.boolean(),
      members: fc.array(viewMember, { maxLength: 8 }),
    })
    .chain((b) => header.map((h): ViewMessage => ({ type: MessageType.VIEW, ...h, ...b }))),
  fc
    .record({ version: u32, offset: u32 })
    .chain((b) => header.map((h): TableRequestMessage => ({ type: MessageType.TABLE_REQUEST, ...h, ...b }))),
  fc
    .record({
      version: u32,
      digest: u32,
      offset: fc.nat({ max: 1000 }),
      owners: fc.array(u16, { maxLength: 50 }),
    })
    .chain((b) =>
      header.map(
        (h): TableChunkMessage => ({
          type: MessageType.TABLE_CHUNK,
          ...h,
          ...b,
          size: b.offset + b.owners.length,
          owners: Uint16Array.from(b.owners),
        }),
      ),
    ),
  fc
    .record({
      peerIncarnation: u32,
      channel: u32,
      seq: u32,
      base: u32,
      bulkEnd: fc.boolean(),
      resend: fc.boolean(),
      records: fc.array(syncRecord, { maxLength: 8 }),
    })
    // `resend` is absent when false, as decodeMessage gives it.
    .map(({ resend, ...b }) => (resend ? { ...b, resend } : b))
    .chain((b) => header.map((h): SyncMessage => ({ type: MessageType.SYNC, ...h, ...b }))),
  fc
    .record({ peerIncarnation: u32, channel: u32, next: u32 })
    .chain((b) => header.map((h): AckMessage => ({ type: MessageType.ACK, ...h, ...b }))),
);

/** Network misbehaviour: loss up to 30 %, duplication, reordering through jitter. */
export const faults: fc.Arbitrary<{ drop: number; duplicate: number; jitterMs: number }> = fc.record({
  drop: fc.integer({ min: 0, max: 30 }).map((p) => p / 100),
  duplicate: fc.integer({ min: 0, max: 20 }).map((p) => p / 100),
  jitterMs: fc.integer({ min: 0, max: 40 }),
});

/** A seed for the simulated network. */
export const simSeed: fc.Arbitrary<number> = fc.nat();
