import { createFlowKey, setFlowV4 } from '@maestro/hash';
import { numbersAround, refusalOf, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ByteWriter,
  type ConnectionChange,
  type ConnectionInit,
  decodeMessage,
  encodeMessage,
  HyperSyncError,
  Member,
  type MemberOptions,
  type Message,
  MessageType,
} from '../src/index.js';
import { memberId, message } from './arbitraries.js';

/** The code of the HyperSyncError `run` throws, or undefined when it returns; any other throw fails. */
const refusal = refusalOf(HyperSyncError);

const isIntIn = (v: unknown, min: number, max: number): boolean =>
  Number.isInteger(v) && (v as number) >= min && (v as number) <= max;

/** Text that is sometimes a member id and mostly not. */
const idOrNot: fc.Arbitrary<string> = fc.oneof(
  memberId,
  fc.string({ maxLength: 70 }),
  fc.constantFrom('', ' ', 'a b', 'x'.repeat(65), 'é'),
);

/** One member option replaced by a value of the right type but any range, with its documented range. */
const optionChange: fc.Arbitrary<{ change: Partial<MemberOptions>; valid: boolean }> = fc.oneof(
  ...(
    [
      ['incarnation', 0, 0xffffffff],
      ['weight', 0, 512],
      ['site', 0, 2],
      ['softwareVersion', 0, 0xffffffff],
      ['configDigest', 0, 0xffffffff],
      ['window', 1, 65535],
      ['mtu', 128, 65000],
      ['memberFactor', 0, 1000],
      ['hysteresis', 0, 0x7fffffff],
    ] as const
  ).map(([name, min, max]) =>
    numbersAround(min, max).map((v) => ({ change: { [name]: v }, valid: isIntIn(v, min, max) })),
  ),
  numbersAround(1, 1000).map((v) => ({ change: { heartbeatMs: v }, valid: v > 0 && v < 1000 })),
  numbersAround(100, 10_000).map((v) => ({ change: { deadMs: v }, valid: v > 100 })),
  numbersAround(1, 1000).map((v) => ({ change: { retransmitMs: v }, valid: v > 0 })),
  numbersAround(1, 64).map((v) => ({ change: { activeMembers: v }, valid: v >= 1 })),
  fc.constantFrom(2, 3, 65537, 65536, 16_777_213, 16_777_214, 1, 4.5).map((v) => ({
    change: { tableSize: v },
    valid: [2, 3, 65537, 16_777_213].includes(v),
  })),
  fc.array(numbersAround(0, 1000), { maxLength: 18 }).map((fs) => ({
    change: { componentFactors: fs },
    valid: fs.length <= 16 && fs.every((f) => isIntIn(f, 0, 1000)),
  })),
  fc
    .string()
    .map((s) => ({ change: { defaultSync: s as 'all' }, valid: ['none', 'backup', 'all'].includes(s) })),
  idOrNot.map((id) => ({ change: { id }, valid: /^[A-Za-z0-9._:@-]{1,64}$/.test(id) })),
  fc
    .array(idOrNot, { maxLength: 3 })
    .map((peers) => ({ change: { peers }, valid: peers.every((p) => /^[A-Za-z0-9._:@-]{1,64}$/.test(p)) })),
);

/** A member alone in its group, ticked until it is ACTIVE and in the view, and what it sends. */
function soloMember(): { m: Member; sent: [string, Uint8Array][] } {
  const sent: [string, Uint8Array][] = [];
  const m = new Member({ id: 'a', transport: { send: (to, bytes) => sent.push([to, bytes]) } });
  for (let t = 0; t <= 2000; t += 100) m.tick(t);
  return { m, sent };
}

/** A connection any member accepts. */
function goodInit(id: number): ConnectionInit {
  return { id, flow: setFlowV4(createFlowKey(), 6, 0x0a000001, 0x0a000002, 1000 + id, 80, 1), hash: id };
}

/** Everything a member shows of its connections. */
function connections(m: Member): unknown {
  const all: unknown[] = [];
  m.forEachConnection((c) => all.push(structuredClone(c)));
  return all;
}

/** Connection inits with one field replaced by a value of the right type but out of its range. */
const badInit: fc.Arbitrary<ConnectionInit> = fc
  .oneof(
    numbersAround(0, Number.MAX_SAFE_INTEGER)
      .filter((id) => !Number.isSafeInteger(id) || id < 0)
      .map((id) => ({ id })),
    numbersAround(0, 0xffffffff)
      .filter((hash) => !isIntIn(hash, 0, 0xffffffff))
      .map((hash) => ({ hash })),
    numbersAround(0, 65535)
      .filter((state) => !isIntIn(state, 0, 65535))
      .map((state) => ({ state })),
    numbersAround(0, 0xffffffff)
      .filter((timeout) => !isIntIn(timeout, 0, 0xffffffff))
      .map((timeout) => ({ timeout })),
    idOrNot.filter((target) => !/^[A-Za-z0-9._:@-]{1,64}$/.test(target)).map((target) => ({ target })),
    fc
      .string()
      .filter((sync) => !['none', 'backup', 'all'].includes(sync))
      .map((sync) => ({ sync: sync as 'all' })),
    fc.uint8Array({ minLength: 1025, maxLength: 2000 }).map((payload) => ({ payload })),
    numbersAround(0, 255)
      .filter((protocol) => !isIntIn(protocol, 0, 255))
      .map((protocol) => ({ flow: { ...goodInit(1).flow, protocol } })),
    numbersAround(0, 65535)
      .filter((srcPort) => !isIntIn(srcPort, 0, 65535))
      .map((srcPort) => ({ flow: { ...goodInit(1).flow, srcPort } })),
  )
  .map((change) => ({ ...goodInit(1000), ...change }) as ConnectionInit);

/** Connection changes that are sometimes in range. */
const anyChange: fc.Arbitrary<ConnectionChange> = fc.record(
  {
    state: numbersAround(0, 65535),
    timeout: numbersAround(0, 0xffffffff),
    payload: fc.uint8Array({ maxLength: 2000, size: 'max' }),
    target: idOrNot,
  },
  { requiredKeys: [] },
);

/** The numeric leaves of a message (not its type), as paths. */
function numericPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (typeof value === 'number') return path.length === 1 && path[0] === 'type' ? [] : [path];
  if (value === null || typeof value !== 'object' || value instanceof Uint8Array) return [];
  return Object.entries(value).flatMap(([k, v]) =>
    numericPaths(v, [...path, Array.isArray(value) ? Number(k) : k]),
  );
}

function withNumber(msg: Message, path: readonly (string | number)[], v: number): Message {
  const copy = structuredClone(msg) as unknown as Record<string | number, unknown>;
  let at: Record<string | number, unknown> = copy;
  for (const key of path.slice(0, -1)) at = at[key] as Record<string | number, unknown>;
  at[path[path.length - 1] as string | number] = v;
  return copy as unknown as Message;
}

/**
 * Whether the wire carries `field` of record `r`: a delete its op and id only, a record of one
 * family not the other family's addresses.
 */
function carries(r: Record<string, unknown>, field: unknown): boolean {
  if (r['op'] === 3) return field === 'op' || field === 'id';
  return r['family'] === 6 ? field !== 'srcV4' && field !== 'dstV4' : field !== 'src6' && field !== 'dst6';
}

/**
 * `msg` with only the record fields the wire carries ({@link carries}). A nudge that turns an
 * upsert into a delete, or changes a record's family, leaves fields in the record that its new op
 * or family does not carry.
 */
function asOnTheWire(msg: Message): Message {
  const records = (msg as { records?: Record<string, unknown>[] }).records;
  if (records === undefined) return msg;
  const carried = records.map((r) => Object.fromEntries(Object.entries(r).filter(([f]) => carries(r, f))));
  return { ...msg, records: carried } as unknown as Message;
}

describe('bad input', () => {
  it('should build a member from options in range and refuse any others with a HyperSyncError', () => {
    fc.assert(
      fc.property(optionChange, ({ change, valid }) => {
        const options = { id: 'a', transport: { send: () => undefined }, ...change } as MemberOptions;
        const code = refusal(() => new Member(options));
        expect(code === undefined).toBe(valid);
        if (code !== undefined) expect(['INVALID_CONFIG', 'INVALID_MEMBER_ID']).toContain(code);
      }),
      // Fourteen options, each with its edges: more runs than the default to reach every edge.
      { numRuns: 1000 },
    );
  });

  it('should refuse member options that cannot be read as numbers, lists or text with a HyperSyncError', () => {
    const odd = fc.oneof(unconvertible, fc.constant({ toString: null }));
    const field = fc.constantFrom(
      'id',
      'peers',
      'heartbeatMs',
      'deadMs',
      'retransmitMs',
      'activeMembers',
      'componentFactors',
      'defaultSync',
      'incarnation',
      'weight',
      'site',
      'tableSize',
    );
    fc.assert(
      fc.property(field, odd, (f, v) => {
        const options = { id: 'a', transport: { send: () => undefined }, [f]: v } as unknown as MemberOptions;
        expect(['INVALID_CONFIG', 'INVALID_MEMBER_ID']).toContain(refusal(() => new Member(options)));
      }),
    );
    fc.assert(
      fc.property(fc.oneof(odd, fc.constant(null)), (v) => {
        // an object is read as options and lacks an id
        expect(['INVALID_CONFIG', 'INVALID_MEMBER_ID']).toContain(
          refusal(() => new Member(v as unknown as MemberOptions)),
        );
        expect(refusal(() => new ByteWriter(v as unknown as number))).toBe('INVALID_CONFIG');
      }),
    );
  });

  it('should encode a message with any number in any field or refuse it, and decode what it encodes', () => {
    // Every numeric field of the message, nudged each of these ways in turn (and by one random number).
    const nudges: ((x: number) => number)[] = [
      (x) => x + 0.5,
      (x) => -1 - x,
      (x) => x + 2 ** 32,
      () => Number.NaN,
      () => Number.POSITIVE_INFINITY,
      (x) => x + 256,
      (x) => x + 65536,
    ];
    fc.assert(
      fc.property(message, numbersAround(0, 0xffffffff), (msg, v) => {
        // Only fields on the wire are nudged (see carries).
        const records = (msg as { records?: Record<string, unknown>[] }).records ?? [];
        const paths = numericPaths(msg).filter(
          ([top, i, field]) => top !== 'records' || carries(records[i as number] ?? {}, field),
        );
        for (const path of paths) {
          for (const nudge of [...nudges, () => v]) {
            const x = path.reduce<unknown>((at, key) => (at as Record<string | number, unknown>)[key], msg);
            const value = nudge(x as number);
            // -0 is the integer 0 and goes on the wire as 0.
            const mutated = withNumber(msg, path, value === 0 ? 0 : value);
            let bytes: Uint8Array;
            try {
              bytes = encodeMessage(mutated);
            } catch (error) {
              expect(error).toBeInstanceOf(HyperSyncError);
              continue;
            }
            // A nudged op or family changes what the record carries; any other nudge, nothing.
            const reshaped = path[0] === 'records' && (path[2] === 'op' || path[2] === 'family');
            if (reshaped) expect(asOnTheWire(decodeMessage(bytes))).toEqual(asOnTheWire(mutated));
            else expect(decodeMessage(bytes)).toEqual(mutated);
          }
        }
      }),
    );
  });

  it('should encode an IPv6 record whose op is set to delete as a delete carrying its id only', () => {
    // Shrunk from seed -666932238 of the property above, which then expected every field back.
    const record = {
      op: 3,
      id: 7,
      epoch: 1,
      claim: false,
      owner: undefined,
      policy: 'none',
      extra: false,
      family: 6,
      protocol: 6,
      portKind: 1,
      srcV4: 0,
      dstV4: 0,
      src6: new Uint8Array(16).fill(1),
      dst6: new Uint8Array(16).fill(2),
      srcPort: 1,
      dstPort: 2,
      hash: 3,
      state: 4,
      timeout: 5,
      rev: 6,
      target: undefined,
      standby: undefined,
      payload: undefined,
    };
    const base = { type: 5, sender: 'a', incarnation: 0, peerIncarnation: 0, channel: 0, seq: 0, base: 0 };
    const msg = { ...base, bulkEnd: false, records: [record] } as unknown as Message;
    const decoded = decodeMessage(encodeMessage(msg)) as unknown as { records: Record<string, unknown>[] };
    expect(decoded.records).toHaveLength(1);
    expect(decoded.records[0]).toMatchObject({ op: 3, id: 7, epoch: 0, src6: undefined, dst6: undefined });
  });

  it('should refuse a message of unknown type instead of encoding nothing', () => {
    fc.assert(
      fc.property(
        fc.integer().filter((t) => !Object.values(MessageType).includes(t as MessageType)),
        memberId,
        (type, sender) => {
          const msg = { type, sender, incarnation: 1 } as unknown as Message;
          expect(refusal(() => encodeMessage(msg))).toBe('INVALID_CONFIG');
        },
      ),
    );
  });

  it('should make a byte writer of any initial size or refuse it with INVALID_CONFIG', () => {
    fc.assert(
      fc.property(numbersAround(0, 1 << 20), (size) => {
        const code = refusal(() => new ByteWriter(size));
        expect(code).toBe(isIntIn(size, 1, 2 ** 30) ? undefined : 'INVALID_CONFIG');
      }),
    );
  });

  it('should refuse a peer id that is not a member id and never send to it', () => {
    fc.assert(
      fc.property(idOrNot, (id) => {
        const { m, sent } = soloMember();
        const code = refusal(() => m.addPeer(id));
        const valid = /^[A-Za-z0-9._:@-]{1,64}$/.test(id);
        expect(code).toBe(valid ? undefined : 'INVALID_MEMBER_ID');
        sent.length = 0;
        m.tick(2100);
        m.tick(2200);
        expect(sent.some(([to]) => to === id)).toBe(valid && id !== 'a');
      }),
    );
  });

  it('should refuse a garbage connection with INVALID_CONNECTION and keep every connection as it was', () => {
    fc.assert(
      fc.property(badInit, (init) => {
        const { m } = soloMember();
        m.createConnection(goodInit(1));
        m.createConnection(goodInit(2));
        const before = connections(m);
        expect(refusal(() => m.createConnection(init))).toBe('INVALID_CONNECTION');
        expect(connections(m)).toEqual(before);
      }),
    );
  });

  it('should apply a connection change in range whole, and refuse any other leaving the connection as it was', () => {
    fc.assert(
      fc.property(anyChange, (change) => {
        const { m } = soloMember();
        m.createConnection(goodInit(1));
        const before = structuredClone(m.connection(1));
        const code = refusal(() => m.updateConnection(1, change));
        if (code === undefined) {
          expect(m.connection(1)).toMatchObject(
            Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
          );
        } else {
          expect(code).toBe('INVALID_CONNECTION');
          expect(m.connection(1)).toEqual(before);
        }
      }),
    );
  });

  it('should refuse grade components that are not 0..65535 counts and keep reporting the last good ones', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(65535), { maxLength: 16 }),
        fc.array(numbersAround(0, 65535), { minLength: 1, maxLength: 18 }),
        (good, bad) => {
          fc.pre(!(bad.length <= 16 && bad.every((c) => isIntIn(c, 0, 65535))));
          const { m, sent } = soloMember();
          m.setComponents(good);
          expect(refusal(() => m.setComponents(bad))).toBe('INVALID_GRADE');
          m.addPeer('b');
          sent.length = 0;
          m.tick(2100);
          const heartbeat = sent
            .map(([, bytes]) => decodeMessage(bytes))
            .find((x) => x.type === MessageType.HEARTBEAT);
          expect(heartbeat).toMatchObject({ components: good });
        },
      ),
    );
  });

  it('should refuse a bad device name, timeout or status with INVALID_DEVICE and keep the devices as they were', () => {
    const call = fc.oneof(
      fc.constantFrom('', 'x'.repeat(65)).map((name) => (m: Member) => m.registerDevice(name, 100)),
      numbersAround(0, 1e6)
        .filter((t) => !(t >= 0 && Number.isFinite(t)))
        .map((t) => (m: Member) => m.registerDevice('fw', t)),
      fc
        .string()
        .filter((status) => !['ok', 'init', 'problem'].includes(status))
        .map((status) => (m: Member) => m.reportDevice('fw', status as 'ok')),
      fc.constantFrom('nope', 'FW', '').map((name) => (m: Member) => m.reportDevice(name, 'problem')),
    );
    fc.assert(
      fc.property(call, (bad) => {
        const { m } = soloMember();
        m.registerDevice('fw', 0);
        m.reportDevice('fw', 'ok');
        const state = m.state();
        expect(refusal(() => bad(m))).toBe('INVALID_DEVICE');
        expect(m.state()).toBe(state);
      }),
    );
  });
});
