import {
  cloneFlowKey,
  createFlowKey,
  type FlowKey,
  flowKeyEquals,
  IpProtocol,
  PortKind,
  reverseFlowKey,
  setFlowV4,
  setFlowV6,
} from '@maestro/hash';
import { throwingFields, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { expect } from 'vitest';
import { FindFlag, FlowTable, type FlowTableOptions, KeyWord } from '../src/index.js';

// Small address and port pools so that sequences revisit the same keys and collide in slots.
const v4 = fc.constantFrom(0x0a000001, 0x0a000002, 0xc0000207, 0xffffffff, 0);
// IPv6 addresses word by word from small pools, so that two addresses often agree on every word
// before any given one and then differ there, with and without the top bit (compared as unsigned).
const word = fc.constantFrom(0, 1, 2, 0x7fffffff, 0x80000000, 0xffffffff);
const v6 = fc.tuple(fc.constantFrom(0x20010db8, 0xfe800000, 0), word, word, word).map((words) => {
  const a = new Uint8Array(16);
  const view = new DataView(a.buffer);
  for (const [i, w] of words.entries()) view.setUint32(i * 4, w);
  return a;
});
const port = fc.constantFrom(0, 53, 443, 1234, 65535);
const proto = fc.constantFrom(
  { protocol: IpProtocol.TCP, kind: PortKind.PORTS },
  { protocol: IpProtocol.UDP, kind: PortKind.PORTS },
  { protocol: IpProtocol.ICMP, kind: PortKind.ECHO },
  { protocol: IpProtocol.GRE, kind: PortKind.NONE },
  { protocol: IpProtocol.UDP, kind: PortKind.FRAGMENT },
);

/** A flow key from small pools (IPv4 or IPv6), consistent with its port kind. */
export const smallFlow: fc.Arbitrary<FlowKey> = fc
  .tuple(proto, fc.boolean(), v4, v4, v6, v6, port, port)
  .map(([{ protocol, kind }, six, s4, d4, s6, d6, sp, dp]) => {
    const [a, b] = kind === PortKind.PORTS ? [sp, dp] : kind === PortKind.ECHO ? [sp, sp] : [0, 0];
    return six
      ? setFlowV6(createFlowKey(), protocol, s6, d6, a, b, kind)
      : setFlowV4(createFlowKey(), protocol, s4, d4, a, b, kind);
  });

/** Any well-formed flow key over the whole field ranges. */
export const anyFlow: fc.Arbitrary<FlowKey> = fc
  .tuple(
    fc.integer({ min: 0, max: 255 }),
    fc.boolean(),
    fc.nat({ max: 0xffffffff }),
    fc.nat({ max: 0xffffffff }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.uint8Array({ minLength: 16, maxLength: 16 }),
    fc.nat({ max: 0xffff }),
    fc.nat({ max: 0xffff }),
    fc.constantFrom(PortKind.NONE, PortKind.PORTS, PortKind.ECHO, PortKind.FRAGMENT),
  )
  .map(([protocol, six, s4, d4, s6, d6, sp, dp, kind]) =>
    six
      ? setFlowV6(createFlowKey(), protocol, s6, d6, sp, dp, kind)
      : setFlowV4(createFlowKey(), protocol, s4, d4, sp, dp, kind),
  );

const KEY_FIELDS = ['family', 'protocol', 'portKind', 'srcPort', 'dstPort', 'srcV4', 'dstV4'] as const;

/**
 * A flow key with one field out of range, of the wrong type, or whose conversion to a number
 * throws; or not a key at all.
 */
export const garbageFlow: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .tuple(anyFlow, fc.constantFrom(...KEY_FIELDS), unconvertible)
    // The IPv4 words count only in an IPv4 key.
    .map(([key, field, value]) => ({
      ...key,
      family: field === 'srcV4' || field === 'dstV4' ? 4 : key.family,
      [field]: value,
    })),
  fc.constant(null).map(() => throwingFields(KEY_FIELDS)),
  fc
    .tuple(
      anyFlow,
      fc.constantFrom<[string, unknown]>(
        ['family', 5],
        ['family', '4'],
        ['protocol', 256],
        ['protocol', -1],
        ['protocol', 1.5],
        ['srcPort', 65536],
        ['dstPort', Number.NaN],
        ['portKind', 4],
        ['srcV4', 2 ** 32],
        ['dstV4', -1],
        ['srcV4', 0.5],
      ),
    )
    .map(([key, [field, value]]) => {
      const bad: Record<string, unknown> = {
        ...key,
        family: field === 'srcV4' || field === 'dstV4' ? 4 : key.family,
      };
      bad[field] = value;
      return bad;
    }),
  fc.constantFrom<unknown>(null, undefined, 42, 'tcp 1.2.3.4 -> 5.6.7.8', {}),
  anyFlow.map((key) => ({ ...key, family: 6, src6: new Uint8Array(15) })),
);

/**
 * `count` flow keys from a seeded xorshift generator (one in eight IPv6): cheaper than an
 * arbitrary for the thousands of keys a table needs before its probe chains collide.
 */
export function pseudoRandomFlows(seed: number, count: number): FlowKey[] {
  let x = seed | 1;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  const keys: FlowKey[] = [];
  for (let i = 0; i < count; i++) {
    const ports = next();
    const protocol = (next() & 1) === 0 ? IpProtocol.TCP : IpProtocol.UDP;
    if (i % 8 === 7) {
      const a = new Uint8Array(16).map(() => next() & 0xff);
      const b = new Uint8Array(16).map(() => next() & 0xff);
      keys.push(setFlowV6(createFlowKey(), protocol, a, b, ports >>> 16, ports & 0xffff, PortKind.PORTS));
    } else {
      keys.push(
        setFlowV4(createFlowKey(), protocol, next(), next(), ports >>> 16, ports & 0xffff, PortKind.PORTS),
      );
    }
  }
  return keys;
}

/**
 * The query `how` makes of key `k`: 0 as is, 1 reversed, 2 its alias candidate (source port + 1),
 * 3 (mostly) an absent key (destination port + 7).
 */
export function queryOf(k: FlowKey, how: number): FlowKey {
  if (how === 1) return reverseFlowKey(k, createFlowKey());
  const q = cloneFlowKey(k);
  if (how === 2) q.srcPort = (q.srcPort + 1) & 0xffff;
  if (how === 3) q.dstPort = (q.dstPort + 7) & 0xffff;
  return q;
}

/**
 * A table of `keys` (`options` as given; each key tagged with its index), every third key also
 * given its alias candidate, `queryOf(key, 2)`, where that is free.
 */
export function tableWithAliases(keys: readonly FlowKey[], options: FlowTableOptions): FlowTable {
  const table = new FlowTable(options);
  keys.forEach((k, i) => {
    if (table.has(k)) return;
    const h = table.insert(k, 0, i & 0xffff);
    const alias = queryOf(k, 2);
    if (i % 3 === 0 && !table.has(alias)) table.setAlias(h, alias);
  });
  return table;
}

/**
 * Inserts `key` into a new symmetric table and asserts that the key and its reverse find the same
 * entry, `lastReply` telling them apart; returns the table and the entry.
 */
export function expectSymmetricFind(key: FlowKey): { table: FlowTable; handle: number } {
  const table = new FlowTable({ symmetric: true });
  const h = table.insert(key, 0, 1);
  const back = reverseFlowKey(key, createFlowKey());
  expect(table.find(key)).toBe(h);
  expect(table.lastReply).toBe(false);
  expect(table.find(back)).toBe(h);
  expect(table.lastReply).toBe(!flowKeyEquals(back, key));
  return { table, handle: h };
}

/** Asserts that `findMany` gives, for every query, the handle and the flags `find` gives. */
export function expectFindManyAsFind(table: FlowTable, queries: readonly FlowKey[]): void {
  const out = new Int32Array(queries.length);
  const flags = new Uint8Array(queries.length);
  const found = table.findMany(queries, out, flags);
  let hits = 0;
  queries.forEach((q, i) => {
    const h = table.find(q);
    expect(out[i]).toBe(h);
    if (h >= 0) hits++;
    const want = h < 0 ? 0 : (table.lastReply ? FindFlag.REPLY : 0) | (table.lastAlias ? FindFlag.ALIAS : 0);
    expect(flags[i]).toBe(want);
  });
  expect(found).toBe(hits);
}

/** Writes `key` as packed key words at `words[at ..]` (the layout `KeyWord` names), garbage and all. */
export function packKey(key: FlowKey, words: Int32Array, at: number): void {
  words[at + KeyWord.FAMILY] = key.family;
  words[at + KeyWord.PROTOCOL] = key.protocol;
  words[at + KeyWord.PORT_KIND] = key.portKind;
  words[at + KeyWord.SRC_PORT] = key.srcPort;
  words[at + KeyWord.DST_PORT] = key.dstPort;
  if (key.family !== 6) {
    words[at + KeyWord.SRC] = key.srcV4;
    words[at + KeyWord.DST] = key.dstV4;
    return;
  }
  const view = new DataView(key.src6.buffer, key.src6.byteOffset, 16);
  const back = new DataView(key.dst6.buffer, key.dst6.byteOffset, 16);
  for (let k = 0; k < 4; k++) {
    words[at + KeyWord.SRC + k] = view.getInt32(4 * k);
    words[at + KeyWord.DST + k] = back.getInt32(4 * k);
  }
}

/**
 * Asserts that `findPacked` over the queries packed `stride` words apart from word `first` (other
 * words random) gives, for every query, the handle and the flags `find` gives.
 */
export function expectFindPackedAsFind(
  table: FlowTable,
  queries: readonly FlowKey[],
  first: number,
  stride: number,
): void {
  const words = new Int32Array(first + stride * queries.length);
  for (let i = 0; i < words.length; i++) words[i] = Math.imul(i + 1, 0x9e3779b1);
  queries.forEach((q, i) => {
    packKey(q, words, first + i * stride);
  });
  const out = new Int32Array(queries.length);
  const flags = new Uint8Array(queries.length);
  const found = table.findPacked(words, first, stride, queries.length, out, flags);
  let hits = 0;
  queries.forEach((q, i) => {
    const h = table.find(q);
    expect(out[i]).toBe(h);
    if (h >= 0) hits++;
    const want = h < 0 ? 0 : (table.lastReply ? FindFlag.REPLY : 0) | (table.lastAlias ? FindFlag.ALIAS : 0);
    expect(flags[i]).toBe(want);
  });
  expect(found).toBe(hits);
}
