import { FlowTable, FlowTableError, MAX_ENTRIES, TcpFlag } from '@maestro/flowtable';
import { cloneFlowKey, createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CorrectionError,
  type CorrectionMessage,
  createDecisionBuffers,
  Decision,
  MemberEngine,
  PackedBatch,
  type Packet,
  Reason,
} from '../src/index.js';
import { exampleConfig } from './example-group.js';

/** The table's real entry count, whatever `fill` made its `size` say. */
function realSize(): () => number {
  for (let p: object | null = FlowTable.prototype; p !== null; p = Object.getPrototypeOf(p)) {
    const get = Object.getOwnPropertyDescriptor(p, 'size')?.get;
    if (get !== undefined) return get as () => number;
  }
  throw new Error('FlowTable has no size getter');
}
const sizeOf = realSize();

/** Makes `table` behave as a table holding MAX_ENTRIES entries: its size says so and inserts throw FULL. */
function fill(table: FlowTable): void {
  Object.defineProperty(table, 'size', { get: () => MAX_ENTRIES, configurable: true });
  const full = (): never => {
    throw new FlowTableError('FULL', `the table holds ${MAX_ENTRIES} entries at most`);
  };
  table.insert = full;
  table.tryInsert = full;
}

const TABLES = ['owned', 'corrections', 'fragments', 'expectations'] as const;

/** Every entry of every table, its owner and packet count, the stats and the outbox: all a refused call must leave. */
function dump(e: MemberEngine): string {
  const key = createFlowKey();
  const out: string[] = [];
  for (const name of TABLES) {
    const table = e[name];
    for (let h = 0; h < sizeOf.call(table); h++) {
      table.keyAt(h, key);
      out.push(
        `${name} ${JSON.stringify({ ...key, src6: [], dst6: [] })} ${table.owner(h)} ${table.packets(h)}`,
      );
    }
  }
  return JSON.stringify([out.sort(), e.stats(), e.outbox.length]);
}

/** A packet of `protocol` between 10.0.0.`a`:`sport` and 192.0.2.1:80. */
function packet(
  protocol: number,
  a: number,
  sport: number,
  flags: number,
  more: boolean,
  later: boolean,
  reply: boolean,
): Packet {
  const k = later
    ? setFlowV4(createFlowKey(), protocol, 0x0a000000 + a, 0xc0000201, 0, 0, PortKind.FRAGMENT)
    : setFlowV4(createFlowKey(), protocol, 0x0a000000 + a, 0xc0000201, sport, 80, PortKind.PORTS);
  if (reply) [k.srcV4, k.dstV4, k.srcPort, k.dstPort] = [k.dstV4, k.srcV4, k.dstPort, k.srcPort];
  return {
    key: k,
    ingress: 0,
    ipId: a,
    moreFragments: more,
    tcpFlags: flags,
    bytes: 100,
    embedded: null,
    hops: 0,
  };
}

type Op =
  | { readonly kind: 'packet'; readonly p: Packet }
  | { readonly kind: 'message'; readonly m: CorrectionMessage }
  | { readonly kind: 'expect'; readonly parent: FlowKey; readonly related: FlowKey }
  | { readonly kind: 'expire'; readonly budget: number };

const small = fc.record({ a: fc.integer({ min: 1, max: 3 }), sport: fc.constantFrom(1000, 1001) });
const anyPacket = fc
  .record({
    s: small,
    protocol: fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP),
    flags: fc.constantFrom(TcpFlag.SYN, TcpFlag.ACK, TcpFlag.SYN | TcpFlag.ACK),
    more: fc.boolean(),
    later: fc.boolean(),
    reply: fc.boolean(),
  })
  .map(({ s, protocol, flags, more, later, reply }) =>
    packet(protocol, s.a, s.sport, flags, more, later, reply),
  );
const op: fc.Arbitrary<Op> = fc.oneof(
  anyPacket.map((p) => ({ kind: 'packet' as const, p })),
  fc
    .record({
      p: anyPacket,
      from: fc.constantFrom(1, 2),
      kind: fc.constantFrom('correct', 'fragment', 'expect'),
      created: fc.nat(50),
    })
    .map(({ p, from, kind, created }) => {
      const key = cloneFlowKey(p.key);
      if (kind === 'fragment') key.portKind = PortKind.FRAGMENT;
      if (kind === 'fragment') [key.srcPort, key.dstPort] = [0, p.ipId];
      const m: CorrectionMessage =
        kind === 'correct'
          ? { kind, from, to: 0, key, owner: from, reason: Reason.ASYMMETRIC, created }
          : { kind, from, to: 0, key, owner: from };
      return { kind: 'message' as const, m };
    }),
  fc
    .tuple(anyPacket, anyPacket)
    .map(([a, b]) => ({ kind: 'expect' as const, parent: a.key, related: b.key })),
  fc.nat(4).map((budget) => ({ kind: 'expire' as const, budget })),
);

function run(e: MemberEngine, o: Op, now: number): void {
  if (o.kind === 'packet') e.decide({ ...o.p, key: cloneFlowKey(o.p.key) }, now);
  else if (o.kind === 'message') e.deliver({ ...o.m, key: cloneFlowKey(o.m.key) }, now);
  else if (o.kind === 'expect') e.expect(o.parent, o.related, now);
  else e.expire(now, o.budget);
}

describe('full tables', () => {
  it('should refuse with TABLE_FULL, changing nothing, a packet or message that needs room in a full table, and never throw a FlowTableError', () => {
    fc.assert(
      fc.property(
        fc.array(op, { maxLength: 30 }),
        fc.nat(30),
        fc.constantFrom(...TABLES),
        fc.constantFrom(0, 1),
        (ops, fullAt, table, pick) => {
          // Replies and later fragments land on member 0 too, or on 1 (its correction layer's work).
          const e = new MemberEngine(0, exampleConfig(3, {}, pick));
          ops.forEach((o, i) => {
            if (i === fullAt) fill(e[table]);
            const before = dump(e);
            try {
              run(e, o, 1000 * (i + 1));
            } catch (error) {
              expect(error).toBeInstanceOf(CorrectionError);
              const code = (error as CorrectionError).code;
              if (code === 'NOT_OWNER') return; // expect() for a parent not owned here
              expect(code).toBe('TABLE_FULL');
              expect(i).toBeGreaterThanOrEqual(fullAt);
              expect(dump(e)).toBe(before);
            }
            e.recycleOutbox();
          });
        },
      ),
    );
  });

  it('should record the hits of a batch before a creation refused with TABLE_FULL, in decideMany and decidePacked', () => {
    for (const packed of [false, true]) {
      const e = new MemberEngine(0, exampleConfig(2));
      const syn = packet(IpProtocol.TCP, 1, 1000, TcpFlag.SYN, false, false, false);
      expect(e.decide(syn, 1)).toBe(Decision.CREATE);
      fill(e.owned);
      const ack = packet(IpProtocol.TCP, 1, 1000, TcpFlag.ACK, false, false, false);
      const batch = [ack, ack, packet(IpProtocol.UDP, 2, 1000, 0, false, false, false), ack];
      const out = createDecisionBuffers(4);
      let thrown: unknown;
      try {
        if (packed) {
          const b = new PackedBatch(4);
          for (const [i, p] of batch.entries()) b.set(i, p);
          e.decidePacked(b, 2, out);
        } else {
          e.decideMany(batch, 2, out);
        }
      } catch (error) {
        thrown = error;
      }
      expect((thrown as CorrectionError).code).toBe('TABLE_FULL');
      // The SYN and the two ACKs before the refused creation; not the ACK after it.
      expect(e.owned.packets(0)).toBe(3);
      expect(sizeOf.call(e.owned)).toBe(1);
    }
  });
});
