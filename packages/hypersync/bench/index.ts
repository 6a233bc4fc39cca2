import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { formatRate, peakRssMiB, printTable } from '@maestro/bench-tools';
import { createFlowKey } from '@maestro/hash';
import { ConnectionRole, Member } from '../src/index.js';

/** A lossless in-memory network: datagrams wait in one queue until `pump`. */
class Wire {
  readonly members = new Map<string, Member>();
  private queue: [string, string, Uint8Array][] = [];
  bytes = 0;
  datagrams = 0;
  /** Set to time the receive() calls that promote replicas. */
  timing = false;
  /** Wall milliseconds spent in receive() calls that promoted replicas (while `timing`). */
  promoteMs = 0;
  /** Process CPU milliseconds (every thread: GC helpers too) in those calls. */
  promoteCpuMs = 0;
  /** Start and end (performance.now) of each timed receive() that promoted replicas. */
  readonly windows: number[] = [];
  add(id: string, incarnation = 1, site: 0 | 1 | 2 = 0, window = 1024): Member {
    const peers = ['a', 'b', 'c', 'z'].filter((p) => p !== id);
    const m = new Member({
      id,
      incarnation,
      peers,
      site,
      transport: {
        send: (to, b) => {
          this.bytes += b.length;
          this.datagrams++;
          this.queue.push([id, to, b]);
        },
      },
      window,
    });
    this.members.set(id, m);
    return m;
  }
  pump(now: number): void {
    while (this.queue.length > 0) {
      const q = this.queue;
      this.queue = [];
      for (const [from, to, b] of q) {
        const m = this.members.get(to);
        if (m === undefined) continue;
        if (!this.timing) {
          m.receive(from, b, now);
          continue;
        }
        const before = m.stats.promoted;
        const cpu = process.cpuUsage();
        const s = performance.now();
        m.receive(from, b, now);
        if (m.stats.promoted !== before) {
          const e = performance.now();
          this.promoteMs += e - s;
          this.windows.push(s, e);
          const used = process.cpuUsage(cpu);
          this.promoteCpuMs += (used.user + used.system) / 1000;
        }
      }
    }
  }
  tick(now: number): void {
    for (const m of this.members.values()) {
      m.tick(now);
      this.pump(now);
    }
  }
  idle(): boolean {
    for (const m of this.members.values()) if (!m.syncIdle) return false;
    return true;
  }
  run(from: number, ms: number): number {
    let t = from;
    for (; t < from + ms; t += 10) this.tick(t);
    return t;
  }
  drain(from: number): number {
    let t = from;
    while (!this.idle()) {
      this.tick(t);
      t += 1;
    }
    return t;
  }
}

function createMany(m: Member, n: number): void {
  const flow = createFlowKey();
  for (let id = 0; id < n; id++) {
    flow.srcV4 = id;
    flow.dstV4 = 0xc0000207;
    flow.protocol = 6;
    flow.portKind = 1;
    flow.srcPort = 1024 + (id % 60000);
    flow.dstPort = 443;
    m.createConnection({ id, flow, hash: Math.imul(id + 1, 0x9e3779b1) >>> 0, state: 1, timeout: 3600 });
  }
}

/** Members 'a' and 'b', joined, with `n` connections owned by 'a' and synced to 'b'; `t`: the time reached. */
function pairWithConnections(n: number): { w: Wire; a: Member; t: number } {
  const w = new Wire();
  const a = w.add('a');
  w.add('b');
  const t = w.run(0, 1500);
  createMany(a, n);
  return { w, a, t: w.drain(t) };
}

const rows: (string | number)[][] = [['benchmark', 'result', 'target']];
const loadAtStart = load();

// 1. Encode + in-memory transmit + decode + apply of sync records (updates of existing connections).
{
  const N = 200_000;
  const pair = pairWithConnections(N);
  const { w, a } = pair;
  let t = pair.t;
  let best = 0;
  let bestSync = 0;
  let bestSyncCpu = 0;
  for (let round = 0; round < 5; round++) {
    const start = performance.now();
    for (let id = 0; id < N; id++) a.updateConnection(id, { state: 2 + round });
    const queued = performance.now();
    const cpu = process.cpuUsage();
    t = w.drain(t);
    const end = performance.now();
    const used = process.cpuUsage(cpu);
    bestSyncCpu = Math.max(bestSyncCpu, N / ((used.user + used.system) / 1e6));
    best = Math.max(best, N / ((end - start) / 1000));
    bestSync = Math.max(bestSync, N / ((end - queued) / 1000));
  }
  rows.push([
    'sync: encode -> transmit -> decode -> apply',
    `${formatRate(bestSync)} records wall, ${formatRate(bestSyncCpu)} records per CPU-second (all threads)`,
    '>= 1 M records/s',
  ]);
  rows.push(['same, with updateConnection() validation in front', `${formatRate(best)} records`, '']);
}

// 2. Failover: the owner of 1 M connections fails; its backups promote their replicas. A dual-site
// group (owner z and coordinator a on site 1, b and c on site 2) puts every replica of z on b and c,
// so the promotion is timed where it happens: in their receive() of the view that drops z. Several
// fresh groups, as the time depends on the machine's load and on where GC falls: median and max.
// 3. Bulk resync (on the last group): a member returns and receives the replicas it must back up.
function failoverGroup(n: number): { w: Wire; t: number } {
  const w = new Wire();
  w.add('a', 1, 1, 64);
  w.add('b', 1, 2, 64);
  w.add('c', 1, 2, 64);
  const z = w.add('z', 1, 1, 64);
  let t = w.run(0, 1500);
  createMany(z, n);
  t = w.drain(t);
  w.members.delete('z');
  w.timing = true;
  t = w.run(t, 1500);
  w.timing = false;
  return { w, t };
}

/** A full collection when node runs with --expose-gc (the bench script passes it); else nothing. */
function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? (s[mid] ?? 0) : ((s[mid - 1] ?? 0) + (s[mid] ?? 0)) / 2;
}

function load(): string {
  return loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
}

{
  const N = 1_000_000;
  const RUNS = 5;
  const wall: number[] = [];
  const cpu: number[] = [];
  const windows: number[][] = [];
  // GC pauses (main thread) as the VM reports them, to tell a collection inside a timed step
  // from the promotion's own work.
  const pauses: { start: number; end: number }[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) pauses.push({ start: e.startTime, end: e.startTime + e.duration });
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loadBefore = load();
  let last: { w: Wire; t: number } | undefined;
  let owned = 0;
  for (let run = 0; run < RUNS; run++) {
    // Let the previous group go, and collect it before building the next: a member process has no
    // other group's million dead connections in its heap, and collecting them inside the next
    // run's timed failover (one such pause measured 580 ms) times the bench, not the failover.
    last = undefined;
    collectGarbage();
    last = failoverGroup(N);
    wall.push(last.w.promoteMs);
    cpu.push(last.w.promoteCpuMs);
    windows.push(last.w.windows);
    owned = 0;
    for (const m of last.w.members.values()) {
      m.forEachConnection((c) => {
        if (c.role === ConnectionRole.OWNER) owned++;
      });
    }
  }
  const loadAfter = load();
  await new Promise((resolve) => setTimeout(resolve, 50)); // GC entries arrive asynchronously
  gcObserver.disconnect();
  const gcMs = windows.map((ws) => {
    let ms = 0;
    for (let i = 0; i + 1 < ws.length; i += 2) {
      const from = ws[i] ?? 0;
      const to = ws[i + 1] ?? 0;
      for (const p of pauses) ms += Math.max(0, Math.min(to, p.end) - Math.max(from, p.start));
    }
    return ms;
  });
  const wallMedian = median(wall);
  const wallMax = Math.max(...wall);
  rows.push([
    `failover: promote ${owned.toLocaleString('en')} connections of a failed owner, ${RUNS} runs`,
    `median ${wallMedian.toFixed(1)} ms, max ${wallMax.toFixed(1)} ms wall (${wall.map((x) => x.toFixed(0)).join(' / ')}); CPU median ${median(cpu).toFixed(1)} ms, max ${Math.max(...cpu).toFixed(1)} ms; GC pauses inside: ${gcMs.map((x) => x.toFixed(0)).join(' / ')} ms`,
    `< 100 ms: median ${wallMedian < 100 ? 'met' : 'NOT met'}, max ${wallMax < 100 ? 'met' : 'NOT met'}`,
  ]);
  rows.push([
    '  load average (1/5/15 min) before / after the failover runs',
    `${loadBefore} / ${loadAfter}`,
    '',
  ]);
  if (last === undefined) throw new Error('no failover run');
  const w = last.w;
  let t = last.t;
  t = w.drain(t);

  // Bulk resync: 'b' fails; 'c' takes its connections over; 'b' returns empty and gets back the
  // replicas it must hold (rendezvous placement: its share of the connections of the others).
  w.members.delete('b');
  t = w.run(t, 1500);
  t = w.drain(t);
  w.add('b', 2, 2, 1024);
  const bytes0 = w.bytes;
  const s = performance.now();
  t = w.run(t, 1200);
  t = w.drain(t);
  const ms = performance.now() - s;
  const back = w.members.get('b');
  let replicas = 0;
  back?.forEachConnection((c) => {
    if (c.role !== ConnectionRole.OWNER) replicas++;
  });
  rows.push([
    `bulk resync: ${replicas.toLocaleString('en')} replicas to a returning member`,
    `${ms.toFixed(0)} ms (incl. 1.2 s of simulated join), ${((w.bytes - bytes0) / 1048576).toFixed(1)} MiB`,
    'report',
  ]);
}
// 4. Bulk resync of 1 M connections: in a group of two, 'a' owns 1 M connections backed up on 'b';
// 'b' fails and returns empty, and must get a replica of every one of them back from 'a'.
{
  const N = 1_000_000;
  const pair = pairWithConnections(N);
  const w = pair.w;
  let t = pair.t;
  w.members.delete('b');
  t = w.run(t, 1500);
  t = w.drain(t);
  w.add('b', 2);
  const bytes0 = w.bytes;
  const datagrams0 = w.datagrams;
  const s = performance.now();
  const cpu = process.cpuUsage();
  const joinedAt = t;
  // Until every replica is back (the join takes a simulated heartbeat round or two first).
  let replicas = 0;
  let ms = 0;
  let cpuMs = 0;
  const back = w.members.get('b');
  while (t < joinedAt + 60_000) {
    t = w.run(t, 100);
    if (!w.idle()) continue;
    // The clock stops before the count: walking a million replicas is the bench's work, not the resync's.
    ms = performance.now() - s;
    const used = process.cpuUsage(cpu);
    cpuMs = (used.user + used.system) / 1000;
    replicas = 0;
    back?.forEachConnection(() => {
      replicas++;
    });
    if (replicas >= N) break;
  }
  rows.push([
    `bulk resync: ${replicas.toLocaleString('en')} replicas to a returning member (1 M in the group)`,
    `${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU, ${t - joinedAt} ms simulated from its return; ${((w.bytes - bytes0) / 1048576).toFixed(1)} MiB in ${(w.datagrams - datagrams0).toLocaleString('en')} datagrams`,
    'report',
  ]);
}
rows.push(['peak RSS', `${peakRssMiB().toFixed(0)} MiB`, '']);
rows.push(['load average (1/5/15 min) at start / end', `${loadAtStart} / ${load()}`, '']);
printTable(rows);
