import { maglev } from '@maestro/weighting';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecodeError,
  decodeMessage,
  encodeMessage,
  type HeartbeatMessage,
  MAX_MESSAGE_BYTES,
  Member,
  MemberState,
  MessageType,
  type SyncMessage,
  syncHeaderSize,
  syncRecordSize,
  type ViewMember,
  WIRE_VERSION,
} from '../src/index.js';
import { SyncFrame } from '../src/sync-frame.js';
import { message, syncRecord } from './arbitraries.js';

function heartbeatOf(sender: string): HeartbeatMessage {
  return {
    type: MessageType.HEARTBEAT,
    sender,
    incarnation: 1,
    state: 0,
    health: 1,
    viewVersion: 0,
    softwareVersion: 1,
    configDigest: 0,
    weight: 1,
    site: 0,
    components: [],
  };
}

/**
 * A view from 'a' that decodes, drawn around the edges of what a table can be built from: ids that
 * may repeat, weights that may all be 0, no active member, sizes that are not primes, below the
 * active set or beyond any table.
 */
const poisonableView = fc
  .record({
    members: fc.array(
      fc.record({
        id: fc.constantFrom('a', 'b', 'c', 'd'),
        incarnation: fc.constant(1),
        weight: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 512 })),
        site: fc.constant(0),
        active: fc.boolean(),
      }),
      { maxLength: 5 },
    ),
    tableDigest: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 0xffffffff })),
    baseDigest: fc.constantFrom(0, 777),
    tableSize: fc.oneof(
      fc.integer({ min: 0, max: 40 }),
      fc.constantFrom(65_536, 65_537, 16_777_259, 0xffffffff),
    ),
  })
  .map((v) => ({
    type: MessageType.VIEW,
    sender: 'a',
    incarnation: 1,
    version: 5,
    coordinator: 'a',
    activeSite: 0,
    allProblem: false,
    ...v,
  }));

/** Whether a coordinator could have composed a view: distinct ids and, with a table, one that builds. */
function composable(members: readonly ViewMember[], tableDigest: number, tableSize: number): boolean {
  if (new Set(members.map((m) => m.id)).size !== members.length) return false;
  if (tableDigest === 0) return true;
  try {
    maglev(
      members.filter((m) => m.active).map((m) => ({ id: m.id, weight: m.weight })),
      { size: tableSize },
    );
    return true;
  } catch {
    return false;
  }
}

function decodeOrError(bytes: Uint8Array): unknown {
  try {
    return decodeMessage(bytes);
  } catch (e) {
    return e;
  }
}

describe('codec', () => {
  it('should round-trip every message', () => {
    fc.assert(
      fc.property(message, (msg) => {
        expect(decodeMessage(encodeMessage(msg))).toEqual(msg);
      }),
    );
  });

  it('should size a SYNC message exactly as encodeMessage writes it', () => {
    fc.assert(
      fc.property(
        message.filter((m): m is SyncMessage => m.type === MessageType.SYNC),
        fc.array(syncRecord, { maxLength: 40 }),
        (msg, records) => {
          const sized = { ...msg, records };
          const expected = records.reduce((n, r) => n + syncRecordSize(r), syncHeaderSize(msg.sender.length));
          expect(encodeMessage(sized).length).toBe(expected);
        },
      ),
    );
  });

  it('should reject every strict prefix of a message as truncated', () => {
    fc.assert(
      fc.property(message, fc.nat(), (msg, cut) => {
        const bytes = encodeMessage(msg);
        const prefix = bytes.subarray(0, cut % bytes.length);
        const e = decodeOrError(prefix);
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).code).toBe('TRUNCATED');
      }),
    );
  });

  it('should reject trailing bytes as corrupt', () => {
    fc.assert(
      fc.property(message, fc.uint8Array({ minLength: 1, maxLength: 8 }), (msg, tail) => {
        const bytes = encodeMessage(msg);
        const e = decodeOrError(Uint8Array.from([...bytes, ...tail]));
        expect(e).toBeInstanceOf(DecodeError);
        expect((e as DecodeError).code).toBe('CORRUPT');
      }),
    );
  });

  it('should reject an unknown wire version', () => {
    fc.assert(
      fc.property(message, fc.nat({ max: 255 }), (msg, version) => {
        fc.pre(version !== WIRE_VERSION);
        const bytes = encodeMessage(msg);
        bytes[2] = version;
        expect((decodeOrError(bytes) as DecodeError).code).toBe('UNKNOWN_VERSION');
      }),
    );
  });

  it('should reject a version 1 datagram as an unknown version, on the SYNC path too', () => {
    const m = new Member({ id: 'a', transport: { send: () => undefined } });
    m.tick(0);
    const sync: SyncMessage = {
      type: MessageType.SYNC,
      sender: 'b',
      incarnation: 1,
      peerIncarnation: 1,
      channel: 1,
      seq: 0,
      bulkEnd: true,
      records: [],
    };
    for (const msg of [heartbeatOf('b'), sync]) {
      const bytes = encodeMessage(msg);
      bytes[2] = 1;
      expect(m.receive('b', bytes, 1)?.code).toBe('UNKNOWN_VERSION');
    }
    expect(m.peerState('b')).toBeUndefined();
    expect(m.rejected).toBe(2);
  });

  it('should carry BULK_END and RESEND in a SYNC frame and reject any other flag bit as corrupt, on both decoders', () => {
    const syncs = message.filter((m): m is SyncMessage => m.type === MessageType.SYNC);
    fc.assert(
      fc.property(syncs, fc.integer({ min: 0, max: 255 }), (msg, flags) => {
        const bytes = encodeMessage(msg);
        // The flags byte comes right before the 16-bit record count that ends the header.
        bytes[syncHeaderSize(msg.sender.length) - 3] = flags;
        const frame = new SyncFrame();
        if (flags > 3) {
          expect((decodeOrError(bytes) as DecodeError).code).toBe('CORRUPT');
          expect(() => frame.decode(bytes)).toThrow(DecodeError);
          return;
        }
        const decoded = decodeMessage(bytes) as SyncMessage;
        frame.decode(bytes);
        expect([decoded.bulkEnd, decoded.resend === true]).toEqual([(flags & 1) !== 0, (flags & 2) !== 0]);
        expect([frame.bulkEnd, frame.resend]).toEqual([(flags & 1) !== 0, (flags & 2) !== 0]);
      }),
    );
  });

  it('should reject an unknown message type', () => {
    fc.assert(
      fc.property(message, fc.integer({ min: 7, max: 255 }), (msg, type) => {
        const bytes = encodeMessage(msg);
        bytes[3] = type;
        expect((decodeOrError(bytes) as DecodeError).code).toBe('UNKNOWN_TYPE');
      }),
    );
  });

  it('should reject oversized input before parsing it', () => {
    const e = decodeOrError(new Uint8Array(MAX_MESSAGE_BYTES + 1));
    expect((e as DecodeError).code).toBe('OVERSIZED');
  });

  it('should never throw anything but a DecodeError on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const r = decodeOrError(bytes);
        expect(r instanceof DecodeError || (typeof r === 'object' && r !== null && 'type' in r)).toBe(true);
      }),
    );
  });

  it('should either decode or reject a message with flipped bytes, never crash', () => {
    fc.assert(
      fc.property(
        message,
        fc.array(fc.tuple(fc.nat(), fc.nat({ max: 255 })), { minLength: 1, maxLength: 4 }),
        (msg, flips) => {
          const bytes = encodeMessage(msg);
          for (const [at, v] of flips) bytes[at % bytes.length] = v;
          const r = decodeOrError(bytes);
          if (r instanceof DecodeError) return;
          expect(encodeMessage(r as ReturnType<typeof decodeMessage>)).toEqual(bytes);
        },
      ),
    );
  });

  it('should refuse a view that decodes but that no coordinator composes as CORRUPT, and go on as before', () => {
    fc.assert(
      fc.property(poisonableView, (view) => {
        const m = new Member({ id: 'b', peers: ['a'], transport: { send: () => undefined } });
        m.tick(0);
        const before = JSON.stringify([m.view, m.state(), m.stats, m.connectionCount]);
        const r = m.receive('a', encodeMessage(view), 10);
        if (composable(view.members, view.tableDigest, view.tableSize)) {
          if (r !== undefined) expect(r.code).not.toBe('CORRUPT');
        } else {
          expect(r).toBeInstanceOf(DecodeError);
          expect(r?.code).toBe('CORRUPT');
          expect(JSON.stringify([m.view, m.state(), m.stats, m.connectionCount])).toBe(before);
        }
        for (let t = 20; t <= 200; t += 20) m.tick(t);
      }),
    );
  });

  it('should refuse a heartbeat whose state is none of the seven member states, on both sides of the wire', () => {
    const states = Object.values(MemberState) as number[];
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (state) => {
        const valid = states.includes(state);
        const heartbeat = { ...heartbeatOf('a'), state: state as MemberState };
        let encoded: unknown;
        try {
          encoded = encodeMessage(heartbeat);
        } catch (e) {
          encoded = e;
        }
        if (valid) expect(decodeMessage(encoded as Uint8Array)).toEqual(heartbeat);
        else expect(encoded).toMatchObject({ code: 'INVALID_CONFIG' });
        // The same byte written over a valid heartbeat's state: the one byte two states change.
        const bytes = encodeMessage(heartbeatOf('a'));
        const other = encodeMessage({ ...heartbeatOf('a'), state: MemberState.DOWN });
        const at = bytes.findIndex((b, i) => b !== other[i]);
        bytes[at] = state;
        const m = new Member({ id: 'b', peers: ['a'], transport: { send: () => undefined } });
        m.tick(0);
        const r = m.receive('a', bytes, 10);
        if (valid) expect(r).toBeUndefined();
        else expect(r?.code).toBe('CORRUPT');
        expect(m.peerState('a', 10)).toBe(valid ? state : undefined);
      }),
    );
  });

  it('should leave a member unchanged when it receives garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        fc.pre(!(bytes[0] === 0x48 && bytes[1] === 0x53));
        const sent: Uint8Array[] = [];
        const m = new Member({ id: 'a', transport: { send: (_to, b) => sent.push(b) } });
        m.tick(0);
        const before = JSON.stringify([m.view, m.state(), m.stats, m.connectionCount]);
        const e = m.receive('b', bytes, 1);
        expect(e).toBeInstanceOf(DecodeError);
        expect(JSON.stringify([m.view, m.state(), m.stats, m.connectionCount])).toBe(before);
        expect(m.rejected).toBe(1);
      }),
    );
  });
});
