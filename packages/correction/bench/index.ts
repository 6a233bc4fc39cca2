import { loadavg } from 'node:os';
import { formatRate, peakRssMiB, printTable } from '@maestro/bench-tools';
import { type FlowTable, TcpFlag } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey } from '@maestro/hash';
import { applyNat, createDecisionBuffers, PackedBatch, type Packet } from '../src/index.js';
import { cDifferences, engineSummary } from './c-check.js';
import { compileCDecision, runCDecision } from './c-decision.js';
import {
  BATCH,
  batched,
  cParamsOf,
  DEFAULT_SEED,
  fillBatch,
  hide,
  mix,
  newPacket,
  packed,
  type Spent,
  single,
  Workload,
} from './workload.js';

// One member (of 4) holding 1 M connections decides a stream of 3 M packets on one core (see
// workload.ts; `bench:cores` gives the member a core per engine, as a gateway has).
const LIVE = 1_000_000;
const STREAM = 3_000_000;
const MEMBERS = 4;
const w = new Workload({ members: MEMBERS, self: 0, live: LIVE, stream: STREAM, seed: DEFAULT_SEED });
const { hideFirst, hideCount } = w;

/** {@link fillBatch}, then the batch's keys, bytes and TCP flags gathered as decideMany gathers them. */
function gatherBatch(
  packets: Packet[],
  start: number,
  n: number,
  keys: FlowKey[],
  bytes: Uint32Array,
  tcpFlags: Uint8Array,
): void {
  fillBatch(w, packets, start, n);
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
const [one, fillOne, fillSentOne] = w.filled();
const early = packedFirst ? w.filled() : null;
const [many, , fillSentMany] = w.filled();
const [floor] = w.filled();
const [creating] = w.filled();
const [lanes, , fillSentLanes] = early ?? w.filled();
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
    () => timed(spentOne, () => single(w, one, packet, from, to, spentOne)),
    () => timed(spentMany, () => batched(w, many, packets, out, from, to, spentMany)),
    () => timed(spentPacked, () => packed(w, lanes, packedBatch, packedOut, from, to, spentPacked)),
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
const cParams = cParamsOf(w.shape);
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
  // Issue 6's target is for a member with its cores: `bench:cores` runs one engine per core.
  [
    'decidePacked on one core reaches 5 M decisions/s (CPU time)',
    '',
    STREAM / spentPacked.cpu >= 5000 ? 'yes' : 'no',
  ],
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
