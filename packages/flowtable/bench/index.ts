import { loadavg } from 'node:os';
import {
  compileC,
  formatRate,
  haveCompiler,
  measure,
  peakRssMiB,
  printTable,
  runJson,
} from '@maestro/bench-tools';
import { createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import { FlowTable, type FlowTableOptions, KeyWord } from '../src/index.js';
import { C_LOOKUP_SOURCE } from './c-baseline.js';
import { insertionCosts } from './insertions.js';

// 1 M live IPv4 TCP entries; 4 M lookups, half of them in the reverse direction, keys laid out in
// query order so the loop reads them sequentially.
const LIVE = 1_000_000;
const loadBefore = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const QUERIES = 1 << 22;

let seed = 0x9e3779b9;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};

const src = new Uint32Array(LIVE);
const dst = new Uint32Array(LIVE);
const ports = new Uint32Array(LIVE);
for (let i = 0; i < LIVE; i++) {
  src[i] = rnd();
  dst[i] = rnd();
  ports[i] = rnd();
}
// Two query orders over the same live flows, each as three arrays read sequentially:
// - uniform: every flow equally likely (the worst case for caches; the target is judged
//   on this order);
// - zipf: flow of popularity rank r drawn with probability ∝ 1/r (s = 1), the skew real traffic
//   shows (a few elephant flows, a long tail); ranks map to flows through a fixed permutation so
//   popular flows are scattered over the table, not packed together.
function queries(pick: () => number): [Uint32Array, Uint32Array, Uint32Array] {
  const qs = new Uint32Array(QUERIES);
  const qd = new Uint32Array(QUERIES);
  const qp = new Uint32Array(QUERIES);
  for (let i = 0; i < QUERIES; i++) {
    const k = pick();
    const p = ports[k] as number;
    const reverse = (i & 1) === 1;
    qs[i] = (reverse ? dst[k] : src[k]) as number;
    qd[i] = (reverse ? src[k] : dst[k]) as number;
    qp[i] = reverse ? ((p << 16) | (p >>> 16)) >>> 0 : p;
  }
  return [qs, qd, qp];
}

const zipfCdf = new Float64Array(LIVE);
let harmonic = 0;
for (let r = 0; r < LIVE; r++) {
  harmonic += 1 / (r + 1);
  zipfCdf[r] = harmonic;
}
function zipfRank(): number {
  const u = (rnd() / 4294967296) * harmonic;
  let lo = 0;
  let hi = LIVE - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((zipfCdf[mid] as number) < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const uniform = queries(() => rnd() % LIVE);
// Queries over the first SMALL flows only, for a table that fits in cache: the CPU cost of a
// lookup without the memory cost.
const SMALL = 4096;
const inCache = queries(() => rnd() % SMALL);
const zipf = queries(() => (zipfRank() * 2654435761) % LIVE);

const key = createFlowKey();
key.protocol = IpProtocol.TCP;
key.portKind = PortKind.PORTS;

function build(options: FlowTableOptions, live = LIVE): FlowTable {
  const table = new FlowTable(options);
  for (let i = 0; i < live; i++) {
    const p = ports[i] as number;
    key.srcV4 = src[i] as number;
    key.dstV4 = dst[i] as number;
    key.srcPort = p >>> 16;
    key.dstPort = p & 0xffff;
    table.insert(key, 0, i & 7, (i + 1) & 7);
  }
  return table;
}

type Queries = [Uint32Array, Uint32Array, Uint32Array];

let cursor = 0;
/** `n` single-key lookups from the query arrays, one `find` each. */
function singleRun(table: FlowTable, [qs, qd, qp]: Queries, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const j = cursor++ & (QUERIES - 1);
    const p = qp[j] as number;
    key.srcV4 = qs[j] as number;
    key.dstV4 = qd[j] as number;
    key.srcPort = p >>> 16;
    key.dstPort = p & 0xffff;
    acc += table.find(key);
  }
  return acc;
}

/** `key` made an IPv6 TCP key in 2001:db8::/96. */
function sixOf(k: FlowKey): FlowKey {
  k.family = 6;
  k.protocol = IpProtocol.TCP;
  k.portKind = PortKind.PORTS;
  for (const a of [k.src6, k.dst6]) {
    a.fill(0);
    a[0] = 0x20;
    a[1] = 0x01;
    a[2] = 0x0d;
    a[3] = 0xb8;
  }
  return k;
}
/** Writes `word` big-endian into the last four bytes of the IPv6 address `a`. */
function setLow(a: Uint8Array, word: number): void {
  a[12] = word >>> 24;
  a[13] = (word >>> 16) & 0xff;
  a[14] = (word >>> 8) & 0xff;
  a[15] = word & 0xff;
}
const key6 = sixOf(createFlowKey());
/** {@link singleRun} with IPv6 keys. */
function singleRun6(table: FlowTable, [qs, qd, qp]: Queries, n: number): number {
  let acc = 0;
  for (let i = 0; i < n; i++) {
    const j = cursor++ & (QUERIES - 1);
    const p = qp[j] as number;
    setLow(key6.src6, qs[j] as number);
    setLow(key6.dst6, qd[j] as number);
    key6.srcPort = p >>> 16;
    key6.dstPort = p & 0xffff;
    acc += table.find(key6);
  }
  return acc;
}

// Bulk: the caller fills a batch of key objects (part of the measured cost), then one findMany.
const CHUNK = 32;
const batchKeys = Array.from({ length: CHUNK }, () => {
  const k = createFlowKey();
  k.protocol = IpProtocol.TCP;
  k.portKind = PortKind.PORTS;
  return k;
});
const batchOut = new Int32Array(CHUNK);
const batchFlags = new Uint8Array(CHUNK);
/** The next CHUNK queries (from the shared cursor) into the keys of `ks`. */
function fillChunk(ks: typeof batchKeys, qs: Uint32Array, qd: Uint32Array, qp: Uint32Array): void {
  for (let k = 0; k < CHUNK; k++) {
    const j = cursor++ & (QUERIES - 1);
    const p = qp[j] as number;
    const key = ks[k] as (typeof ks)[number];
    key.srcV4 = qs[j] as number;
    key.dstV4 = qd[j] as number;
    key.srcPort = p >>> 16;
    key.dstPort = p & 0xffff;
  }
}

/** About `n` lookups from the query arrays, CHUNK per `findMany`. */
function bulkRun(table: FlowTable, [qs, qd, qp]: Queries, n: number): number {
  let acc = 0;
  const ks = batchKeys;
  const out = batchOut;
  const flags = batchFlags;
  for (let i = 0; i < n; i += CHUNK) {
    fillChunk(ks, qs, qd, qp);
    acc += table.findMany(ks, out, flags, CHUNK);
    acc += out[CHUNK - 1] as number;
  }
  return acc;
}

// Bulk lookup of packed keys, as @maestro/correction's decidePacked does: the caller writes each
// batch's addresses and ports into lanes 32 words apart (part of the measured cost), the other
// key words written once.
const LANE = 32;
const packedWords = new Int32Array(CHUNK * LANE);
for (let k = 0; k < CHUNK; k++) {
  packedWords[k * LANE + KeyWord.FAMILY] = 4;
  packedWords[k * LANE + KeyWord.PROTOCOL] = IpProtocol.TCP;
  packedWords[k * LANE + KeyWord.PORT_KIND] = PortKind.PORTS;
}
/** About `n` lookups from the query arrays, CHUNK packed keys per `findPacked`. */
function packedRun(table: FlowTable, [qs, qd, qp]: Queries, n: number): number {
  let acc = 0;
  const w = packedWords;
  const out = batchOut;
  const flags = batchFlags;
  for (let i = 0; i < n; i += CHUNK) {
    // KeyWord offsets as literals (a bundler makes module consts vars): SRC_PORT 3, DST_PORT 4, SRC 8, DST 12.
    for (let k = 0, b = 0; k < CHUNK; k++, b += 32) {
      const j = cursor++ & (QUERIES - 1);
      const p = qp[j] as number;
      w[b + 8] = qs[j] as number;
      w[b + 12] = qd[j] as number;
      w[b + 3] = p >>> 16;
      w[b + 4] = p & 0xffff;
    }
    acc += table.findPacked(w, 0, LANE, CHUNK, out, flags);
    acc += out[CHUNK - 1] as number;
  }
  return acc;
}

// Bulk lookup and record, as @maestro/correction's decideMany does for the packets of the
// connections a member owns: the batch's hits recorded with one recordMany (60 bytes, ACK).
const batchBytes = new Uint32Array(CHUNK).fill(60);
const batchTcpFlags = new Uint8Array(CHUNK).fill(0x10);
/** About `n` lookups from the query arrays, CHUNK per `findMany`, each batch's hits then recorded. */
function recordRun(table: FlowTable, [qs, qd, qp]: Queries, n: number): number {
  let acc = 0;
  const ks = batchKeys;
  const out = batchOut;
  const flags = batchFlags;
  const bytes = batchBytes;
  const tcpFlags = batchTcpFlags;
  for (let i = 0; i < n; i += CHUNK) {
    fillChunk(ks, qs, qd, qp);
    acc += table.findMany(ks, out, flags, CHUNK);
    table.recordMany(out, flags, 2, bytes, tcpFlags, 0, CHUNK);
  }
  return acc;
}

/** Lookups per second of `run`: best wall-clock rate of 3 samples, and CPU time over all queries. */
function rates(
  table: FlowTable,
  q: Queries,
  run: (table: FlowTable, q: Queries, n: number) => number,
): { wall: number; cpu: number } {
  const wall = measure((n) => run(table, q, n), { samples: 3 }).opsPerSec;
  const c0 = process.cpuUsage();
  const sink = run(table, q, QUERIES);
  const c = process.cpuUsage(c0);
  if (sink === 0.5) console.log(sink);
  return { wall, cpu: QUERIES / ((c.user + c.system) / 1e6) };
}

const c = haveCompiler()
  ? runJson<{
      uniformPerSec: number;
      zipfPerSec: number;
      uniformBulkPerSec: number;
      zipfBulkPerSec: number;
      cpu: [number, number, number, number];
    }>(compileC(C_LOOKUP_SOURCE, { name: 'flowtable-c' }))
  : null;
const pct = (rate: number, base: number | undefined): string =>
  base === undefined ? 'n/a' : `${((rate / base) * 100).toFixed(0)} %`;
const header = ['table (1 M live, symmetric)', 'lookup', 'uniform', 'vs C', 'zipf', 'vs C'];
const wallRows: (string | number)[][] = [[...header, 'bytes/entry', 'slot load']];
const cpuRows: (string | number)[][] = [header];
for (const [label, options] of [
  ['capacity hint 1 M', { symmetric: true, capacity: LIVE }],
  ['grown from 16', { symmetric: true }],
] as const) {
  const table = build(options);
  const bytes = (table.byteLength / table.size).toFixed(1);
  const load = ((table.size + table.aliasCount) / table.slotCount).toFixed(3);
  for (const [mode, run, cu, cz, wu, wz] of [
    ['find (single)', singleRun, c?.cpu[0], c?.cpu[1], c?.uniformPerSec, c?.zipfPerSec],
    [`findMany (bulk ×${CHUNK})`, bulkRun, c?.cpu[2], c?.cpu[3], c?.uniformBulkPerSec, c?.zipfBulkPerSec],
    [
      `findPacked (packed ×${CHUNK})`,
      packedRun,
      c?.cpu[2],
      c?.cpu[3],
      c?.uniformBulkPerSec,
      c?.zipfBulkPerSec,
    ],
    ['findMany + recordMany', recordRun, c?.cpu[2], c?.cpu[3], c?.uniformBulkPerSec, c?.zipfBulkPerSec],
  ] as const) {
    const u = rates(table, uniform, run);
    const z = rates(table, zipf, run);
    wallRows.push([
      label,
      mode,
      formatRate(u.wall),
      pct(u.wall, wu),
      formatRate(z.wall),
      pct(z.wall, wz),
      bytes,
      load,
    ]);
    cpuRows.push([label, mode, formatRate(u.cpu), pct(u.cpu, cu), formatRate(z.cpu), pct(z.cpu, cz)]);
  }
}
{
  const table = build({ symmetric: true, capacity: SMALL }, SMALL);
  for (const [mode, run] of [
    ['find (single)', singleRun],
    [`findMany (bulk ×${CHUNK})`, bulkRun],
    [`findPacked (packed ×${CHUNK})`, packedRun],
    ['findMany + recordMany', recordRun],
  ] as const) {
    const u = rates(table, inCache, run);
    cpuRows.push([`${SMALL} live (in cache)`, mode, formatRate(u.cpu), '-', '-', '-']);
  }
}
{
  // The same flows as IPv6 keys (the IPv4 addresses in the low word of 2001:db8::/96).
  const table = new FlowTable({ symmetric: true, capacity: SMALL });
  const k6 = sixOf(createFlowKey());
  for (let i = 0; i < SMALL; i++) {
    const p = ports[i] as number;
    setLow(k6.src6, src[i] as number);
    setLow(k6.dst6, dst[i] as number);
    k6.srcPort = p >>> 16;
    k6.dstPort = p & 0xffff;
    table.insert(k6, 0, i & 7, (i + 1) & 7);
  }
  const u = rates(table, inCache, singleRun6);
  cpuRows.push([`${SMALL} live IPv6 (in cache)`, 'find (single)', formatRate(u.cpu), '-', '-', '-']);
}
if (c !== null) {
  const name = 'C baseline (in-place, cc -O3)';
  const single = 'single';
  const bulk = 'bulk ×32 + prefetch';
  wallRows.push([
    name,
    single,
    formatRate(c.uniformPerSec),
    '100 %',
    formatRate(c.zipfPerSec),
    '100 %',
    '-',
    '0.750',
  ]);
  wallRows.push([
    name,
    bulk,
    formatRate(c.uniformBulkPerSec),
    '100 %',
    formatRate(c.zipfBulkPerSec),
    '100 %',
    '-',
    '0.750',
  ]);
  cpuRows.push([name, single, formatRate(c.cpu[0]), '100 %', formatRate(c.cpu[1]), '100 %']);
  cpuRows.push([name, bulk, formatRate(c.cpu[2]), '100 %', formatRate(c.cpu[3]), '100 %']);
}
console.log('wall clock (best of 3 samples):');
printTable(wallRows);
console.log('\nCPU time (one pass over the 4 M queries; not counting time spent waiting for a core):');
printTable(cpuRows);
console.log(
  `peak RSS of this process: ${peakRssMiB().toFixed(0)} MiB (two 1 M tables, two of 4 096, 3 × 4 M-query arrays); ` +
    `load average before the run: ${loadBefore}`,
);
const insertion = insertionCosts(LIVE, rnd);
console.log(
  `\ntryInsert into a symmetric table of 1 M live (+ 0.5 M aliases), each batch of 32 looked up with findMany first ` +
    `(its cost subtracted), CPU time per insertion: ${insertion.plain.toFixed(0)} ns without an alias, ` +
    `${insertion.alias.toFixed(0)} ns with one (a cold bucket); through the JavaScript steps in the same rounds ` +
    `${insertion.plainJs.toFixed(0)} and ${insertion.aliasJs.toFixed(0)} ns ` +
    `(${(insertion.plain / insertion.plainJs).toFixed(2)}× and ${(insertion.alias / insertion.aliasJs).toFixed(2)}×); load average after: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
);
