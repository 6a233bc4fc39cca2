import { loadavg } from 'node:os';
import { formatRate, peakRssMiB, printTable } from '@maestro/bench-tools';
import { type FlowTable, TcpFlag } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import {
  applyNat,
  type CorrectionConfig,
  createDecisionBuffers,
  type DecisionBuffers,
  hideSlice,
  type Ingress,
  MemberEngine,
  type NatRule,
  PackedBatch,
  type Packet,
} from '../src/index.js';
import { cDifferences, engineSummary } from './c-check.js';
import { type CDecisionParams, compileCDecision, runCDecision } from './c-decision.js';

// One member (of 4) holding 1 M connections decides a stream of 3 M packets: 70 % packets of known
// connections (either direction), 20 % misses (TCP non-SYN with no state: dropped), 10 % SYNs that
// create a connection. Half the connections are hidden behind a hide NAT (translated, with
// correction messages emitted when the reply target is another member).
const LIVE = 1_000_000;
const STREAM = 3_000_000;
const MEMBERS = 4;
const BATCH = 32;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const interfaces: Ingress[] = [
  { id: 0, mode: 'user', layer: 'l4' },
  { id: 1, mode: 'network', layer: 'l4' },
];
const hide: NatRule = {
  kind: 'hide',
  match: { src: { address: 0x0a800000, prefix: 9 } },
  address: 0xc0000201,
  portMin: 1024,
  portMax: 65535,
};
const config: CorrectionConfig = {
  members: MEMBERS,
  interfaces,
  distribute: (key: FlowKey, ingress: Ingress) =>
    ingress.mode === 'user'
      ? mix(key.dstV4 ^ mix(key.srcPort)) % MEMBERS
      : mix(key.srcV4 ^ mix(key.dstPort)) % MEMBERS,
  route: (key: FlowKey) => (key.dstV4 >>> 24 === 10 ? 0 : 1),
  nat: [hide],
};

let seed = 0x2545f491;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};

// Connection i: inside client 10.x (upper half of 10/8 is hidden), outside server, TCP.
const total = LIVE + STREAM / 10 + 1;
const client = new Uint32Array(total);
const server = new Uint32Array(total);
const cport = new Uint16Array(total);
for (let i = 0; i < total; i++) {
  client[i] = (0x0a000000 | (rnd() & 0xffffff)) >>> 0;
  server[i] = (0xc6000000 | (rnd() & 0xffffff)) >>> 0;
  cport[i] = 1024 + (rnd() % 64000);
}

function newPacket(): Packet {
  const key = createFlowKey();
  key.protocol = IpProtocol.TCP;
  key.portKind = PortKind.PORTS;
  key.dstPort = 443;
  return {
    key,
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags: TcpFlag.SYN,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

/** A member holding the LIVE connections; returns it, the fill time and the messages it sent. */
function filled(): [MemberEngine, number, number] {
  const engine = new MemberEngine(0, { ...config, capacity: total });
  const packet = newPacket();
  const key = packet.key;
  let sent = 0;
  const t0 = performance.now();
  for (let i = 0; i < LIVE; i++) {
    key.srcV4 = client[i] as number;
    key.dstV4 = server[i] as number;
    key.srcPort = cport[i] as number;
    engine.decide(packet, 1);
    sent += engine.outbox.length;
    engine.recycleOutbox();
  }
  return [engine, performance.now() - t0, sent];
}

// The stream, laid out in arrival order: kind 0 = hit, 1 = miss, 2 = create.
const kinds = new Uint8Array(STREAM);
const sSrc = new Uint32Array(STREAM);
const sDst = new Uint32Array(STREAM);
const sPort = new Uint16Array(STREAM);
let next = LIVE;
for (let i = 0; i < STREAM; i++) {
  const r = rnd() % 10;
  const kind = r < 7 ? 0 : r < 9 ? 1 : 2;
  const c = kind === 2 ? next++ : rnd() % LIVE;
  kinds[i] = kind;
  sSrc[i] = client[c] as number;
  sDst[i] = server[c] as number;
  sPort[i] = kind === 1 ? (cport[c] as number) ^ 0x8000 : (cport[c] as number);
}

/** Wall and CPU milliseconds spent so far by one way of deciding, and the messages it sent. */
interface Spent {
  wall: number;
  cpu: number;
  messages: number;
}

/** Stream packets `from .. to-1` through `decide`, one packet at a time. */
function single(engine: MemberEngine, packet: Packet, from: number, to: number, spent: Spent): number {
  const key = packet.key;
  let sink = 0;
  for (let i = from; i < to; i++) {
    key.srcV4 = sSrc[i] as number;
    key.dstV4 = sDst[i] as number;
    key.srcPort = sPort[i] as number;
    packet.tcpFlags = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
    sink += engine.decide(packet, 2);
    if (engine.outbox.length > 0) {
      spent.messages += engine.outbox.length;
      engine.recycleOutbox(); // as a sync layer would once it has sent them
    }
  }
  return sink;
}

/** Loads stream packets `start .. start+n-1` into `packets[0 .. n-1]` (part of the measured cost). */
function fillBatch(packets: Packet[], start: number, n: number): void {
  for (let k = 0; k < n; k++) {
    const i = start + k;
    const packet = packets[k] as Packet;
    const key = packet.key;
    key.srcV4 = sSrc[i] as number;
    key.dstV4 = sDst[i] as number;
    key.srcPort = sPort[i] as number;
    packet.tcpFlags = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
  }
}

/** The same packets through `decideMany`, BATCH per call (filling the batch is part of the cost). */
function batched(
  engine: MemberEngine,
  packets: Packet[],
  out: DecisionBuffers,
  from: number,
  to: number,
  spent: Spent,
): number {
  let sink = 0;
  for (let start = from; start < to; start += BATCH) {
    const n = Math.min(BATCH, to - start);
    fillBatch(packets, start, n);
    engine.decideMany(packets, 2, out, n);
    sink += out.decision[0] as number;
    if (engine.outbox.length > 0) {
      spent.messages += engine.outbox.length;
      engine.recycleOutbox();
    }
  }
  return sink;
}

/**
 * Loads stream packets `start .. start+n-1` into lanes `0 .. n-1` of `words` (part of the measured
 * cost): the same four fields {@link fillBatch} writes, as words; the lanes' other words (family,
 * protocol, port kind, destination port, ingress, bytes) were written once, as fillBatch's packet
 * objects keep theirs. Offsets as literals (a bundler makes module consts vars): SRC 8, DST 12,
 * SRC_PORT 3, TCP_FLAGS 7.
 */
function fillPacked(words: Int32Array, start: number, n: number): void {
  for (let k = 0, b = 0; k < n; k++, b += 32) {
    const i = start + k;
    words[b + 8] = sSrc[i] as number;
    words[b + 12] = sDst[i] as number;
    words[b + 3] = sPort[i] as number;
    words[b + 7] = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
  }
}

/** The same packets through `decidePacked`, BATCH lanes per call (filling the lanes is part of the cost). */
function packed(
  engine: MemberEngine,
  batch: PackedBatch,
  out: DecisionBuffers,
  from: number,
  to: number,
  spent: Spent,
): number {
  const words = batch.words;
  let sink = 0;
  for (let start = from; start < to; start += BATCH) {
    const n = Math.min(BATCH, to - start);
    fillPacked(words, start, n);
    engine.decidePacked(batch, 2, out, n);
    sink += out.decision[0] as number;
    if (engine.outbox.length > 0) {
      spent.messages += engine.outbox.length;
      engine.recycleOutbox();
    }
  }
  return sink;
}

/** {@link fillBatch}, then the batch's keys, bytes and TCP flags gathered as decideMany gathers them. */
function gatherBatch(
  packets: Packet[],
  start: number,
  n: number,
  keys: FlowKey[],
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
): void {
  fillBatch(packets, start, n);
  for (let k = 0; k < n; k++) {
    const packet = packets[k] as Packet;
    keys[k] = packet.key;
    bytes[k] = packet.bytes;
    tcpFlags[k] = packet.tcpFlags;
  }
}

/**
 * The floor under decideMany: the same packets' owned-table work alone, as decideMany does it
 * (one bulk lookup per batch, the packets' bytes and TCP flags gathered, one `recordMany` for the
 * hits), with no checks, no decision and no creation (the 10 % of SYNs stay misses). With
 * `creating`, also what a creation does to the table for each SYN that missed — `tryInsert` of the
 * connection (with its hide-NAT translated tuple as alias for a hidden client, the next port while
 * that is taken) and its first `record` — with no checks, no distribution, no messages: a
 * creation cannot cost less.
 */
function tableWork(
  table: FlowTable,
  creating: boolean,
  packets: Packet[],
  keys: FlowKey[],
  handles: Int32Array,
  flags: Uint8Array,
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
  from: number,
  to: number,
): number {
  let sink = 0;
  for (let start = from; start < to; start += BATCH) {
    const n = Math.min(BATCH, to - start);
    gatherBatch(packets, start, n, keys, bytes, tcpFlags);
    sink += n - table.findMany(keys, handles, flags, n);
    if (creating) createMisses(table, keys, handles, bytes, tcpFlags, n);
    table.recordMany(handles, flags, 2, bytes, tcpFlags, 0, n);
  }
  return sink;
}

const [hideFirst, hideCount] = hideSlice(hide, 0, MEMBERS);
const alias = createFlowKey();

/** The table side of creating the connections of a batch's SYNs that missed (see {@link tableWork}). */
function createMisses(
  table: FlowTable,
  keys: FlowKey[],
  handles: Int32Array,
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
  n: number,
): void {
  for (let k = 0; k < n; k++) {
    if ((handles[k] as number) >= 0 || tcpFlags[k] !== TcpFlag.SYN) continue;
    const o = keys[k] as FlowKey;
    const hidden = o.srcV4 >>> 23 === 0x0a800000 >>> 23;
    let h = -2;
    for (let port = mix(o.srcV4 ^ o.srcPort); h === -2; port++) {
      if (hidden) applyNat(hide, o, hideFirst + (port % hideCount), copyFlowKey(o, alias));
      h = table.tryInsert(o, 2, 0, 1, 0, hidden ? alias : null);
    }
    if (h >= 0) table.record(h, 2, bytes[k] as number, tcpFlags[k] as number, false);
  }
}

function timed(spent: Spent, run: () => number): number {
  const c0 = process.cpuUsage();
  const w0 = performance.now();
  const sink = run();
  spent.wall += performance.now() - w0;
  const c = process.cpuUsage(c0);
  spent.cpu += (c.user + c.system) / 1000;
  return sink;
}

const loadBefore = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
// Five members filled alike; the stream goes through all five in alternating chunks (one
// through decide, one through decideMany, one through decidePacked, one through its owned table
// alone, one through its owned table with the creations; the order rotates every chunk) so that all meet the same machine load. CPU time is reported beside wall time: on
// a shared machine the latter also counts time the process waited for a core.
// Members built and filled first run measurably slower than later ones (a few % typically):
// BENCH_PACKED_FIRST=1 fills decidePacked's member before decideMany's instead of last, so that an
// A/B of the two can be run in both orders.
const packedFirst = process.env['BENCH_PACKED_FIRST'] === '1';
// The C baseline is compiled first (a compiler error stops the bench before the long part) and
// run after the JS rounds.
const cBinary = compileCDecision();
const [one, fillOne, fillSentOne] = filled();
const early = packedFirst ? filled() : null;
const [many, , fillSentMany] = filled();
const [floor] = filled();
const [creating] = filled();
const [lanes, , fillSentLanes] = early ?? filled();
const spentOne: Spent = { wall: 0, cpu: 0, messages: fillSentOne };
const spentCreating: Spent = { wall: 0, cpu: 0, messages: 0 };
const spentMany: Spent = { wall: 0, cpu: 0, messages: fillSentMany };
const spentFloor: Spent = { wall: 0, cpu: 0, messages: 0 };
const spentPacked: Spent = { wall: 0, cpu: 0, messages: fillSentLanes };
const packet = newPacket();
const packets = Array.from({ length: BATCH }, newPacket);
const out = createDecisionBuffers(BATCH);
const packedBatch = new PackedBatch(BATCH);
for (let k = 0; k < BATCH; k++) packedBatch.set(k, newPacket());
const packedOut = createDecisionBuffers(BATCH);
const floorKeys = packets.map((p) => p.key);
const floorHandles = new Int32Array(BATCH);
const floorFlags = new Uint8Array(BATCH);
const floorBytes = new Uint32Array(BATCH);
const floorTcpFlags = new Uint8Array(BATCH);
const CHUNK = 300_000;
let sink = 0;
for (let from = 0, round = 0; from < STREAM; from += CHUNK, round++) {
  const to = Math.min(STREAM, from + CHUNK);
  const runs = [
    () => timed(spentOne, () => single(one, packet, from, to, spentOne)),
    () => timed(spentMany, () => batched(many, packets, out, from, to, spentMany)),
    () => timed(spentPacked, () => packed(lanes, packedBatch, packedOut, from, to, spentPacked)),
    () =>
      timed(spentFloor, () =>
        tableWork(
          floor.owned,
          false,
          packets,
          floorKeys,
          floorHandles,
          floorFlags,
          floorBytes,
          floorTcpFlags,
          from,
          to,
        ),
      ),
    () =>
      timed(spentCreating, () =>
        tableWork(
          creating.owned,
          true,
          packets,
          floorKeys,
          floorHandles,
          floorFlags,
          floorBytes,
          floorTcpFlags,
          from,
          to,
        ),
      ),
  ];
  for (let k = 0; k < runs.length; k++) sink += (runs[(round + k) % runs.length] as () => number)();
}
// The C baseline, after the JS rounds: one pass over the fill and the stream, as each member
// above saw them; then once more without the prefetch (a side measurement).
const hideSrc = hide.match.src ?? { address: 0, prefix: 0 };
const cParams: CDecisionParams = {
  members: MEMBERS,
  self: 0,
  hideAddress: hide.address,
  hideNet: hideSrc.address,
  hidePrefix: hideSrc.prefix,
  hideFirst,
  hideCount,
  live: LIVE,
  stream: STREAM,
  batch: BATCH,
  capacity: total,
};
const c = cBinary === null ? null : runCDecision(cBinary, cParams, true);
const cPlain = cBinary === null ? null : runCDecision(cBinary, cParams, false);
const mismatches =
  c === null || cPlain === null
    ? []
    : [
        ...cDifferences('decide', engineSummary(one, spentOne.messages, MEMBERS), c),
        ...cDifferences('decideMany', engineSummary(many, spentMany.messages, MEMBERS), c),
        ...cDifferences('decidePacked', engineSummary(lanes, spentPacked.messages, MEMBERS), c),
        ...cDifferences('C without prefetch', cPlain, c),
      ];
const rate = (ms: number): string => formatRate((STREAM / ms) * 1000);
const ratio = (ms: number, baseMs: number): string => `${(baseMs / ms).toFixed(2)}×`;
const cRows: string[][] =
  c === null || cPlain === null
    ? [['C baseline', 'unavailable (no C compiler)', '']]
    : [
        [
          `C baseline (cc -O3, batches of ${BATCH} with prefetch), same stream, after the JS rounds`,
          rate(c.streamMs),
          rate(c.streamCpuMs),
        ],
        ['decidePacked / C', ratio(spentPacked.wall, c.streamMs), ratio(spentPacked.cpu, c.streamCpuMs)],
        ['decideMany / C', ratio(spentMany.wall, c.streamMs), ratio(spentMany.cpu, c.streamCpuMs)],
        [
          'C baseline without the prefetch (side measurement)',
          rate(cPlain.streamMs),
          rate(cPlain.streamCpuMs),
        ],
      ];
const stats = many.stats();
printTable([
  ['measure (70% hit, 20% miss, 10% create)', 'wall', 'CPU time'],
  ['decide (single)', rate(spentOne.wall), rate(spentOne.cpu)],
  [`decideMany (bulk ×${BATCH}), same stream`, rate(spentMany.wall), rate(spentMany.cpu)],
  [
    'bulk / single',
    `${(spentOne.wall / spentMany.wall).toFixed(2)}×`,
    `${(spentOne.cpu / spentMany.cpu).toFixed(2)}×`,
  ],
  ['owned table alone (findMany + recordMany), same stream', rate(spentFloor.wall), rate(spentFloor.cpu)],
  [
    'decideMany / owned table alone',
    `${(spentFloor.wall / spentMany.wall).toFixed(2)}×`,
    `${(spentFloor.cpu / spentMany.cpu).toFixed(2)}×`,
  ],
  [`decidePacked (packed words ×${BATCH}), same stream`, rate(spentPacked.wall), rate(spentPacked.cpu)],
  [
    'decidePacked / decideMany',
    `${(spentMany.wall / spentPacked.wall).toFixed(2)}×`,
    `${(spentMany.cpu / spentPacked.cpu).toFixed(2)}×`,
  ],
  [
    'owned table alone with the creations (+ tryInsert + record), same stream',
    rate(spentCreating.wall),
    rate(spentCreating.cpu),
  ],
  [
    'decideMany / owned table alone with the creations',
    `${(spentCreating.wall / spentMany.wall).toFixed(2)}×`,
    `${(spentCreating.cpu / spentMany.cpu).toFixed(2)}×`,
  ],
  [
    'decidePacked / owned table alone with the creations',
    `${(spentCreating.wall / spentPacked.wall).toFixed(2)}×`,
    `${(spentCreating.cpu / spentPacked.cpu).toFixed(2)}×`,
  ],
  ...cRows,
  ['decidePacked reaches 5 M decisions/s (CPU time)', '', STREAM / spentPacked.cpu >= 5000 ? 'yes' : 'no'],
]);
printTable([
  ['measure', 'value'],
  ['connections held', String(many.owned.size)],
  ['fill 1 M connections', `${fillOne.toFixed(0)} ms (${formatRate((LIVE / fillOne) * 1000)} creations)`],
  ...(c === null
    ? []
    : [
        [
          'C fill 1 M connections',
          `${c.fillMs.toFixed(0)} ms (${formatRate((LIVE / c.fillMs) * 1000)} creations; CPU time ${c.fillCpuMs.toFixed(0)} ms)`,
        ],
        [
          'C outcomes = decide, decideMany, decidePacked',
          mismatches.length === 0 ? 'yes (counters, messages, table contents)' : 'NO',
        ],
      ]),
  ['owned table bytes/entry', (many.owned.byteLength / many.owned.size).toFixed(1)],
  ['nat / asymmetric creations', `${stats.reasons.nat.decisions} / ${stats.reasons.asymmetric.decisions}`],
  ['peak RSS (five members of 1.3 M connections)', `${peakRssMiB().toFixed(0)} MiB`],
  ['decidePacked member filled', packedFirst ? 'second (before decideMany)' : 'last'],
  ['load average before the run', loadBefore],
  [
    'load average after the run',
    loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
  ],
]);
if (sink < 0) console.log(sink);
if (mismatches.length > 0) {
  throw new Error(`the C baseline does not make the engines' decisions:\n${mismatches.join('\n')}`);
}
