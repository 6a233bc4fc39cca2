import type { Cluster } from './cluster.js';
import type { Replay } from './replay.js';
import type { ClusterReport } from './report.js';
import type { ScheduledFailure } from './schedule.js';

/** How a run replays. */
export interface RunOptions {
  /** Packets per second. */
  readonly rate: number;
  readonly schedule: readonly ScheduledFailure[];
  /** After the last packet: longest wait for failovers and resyncs to finish, ms. @default 10000 */
  readonly settleMs?: number;
  /** Called with the fraction done now and then (a progress bar). */
  readonly progress?: (fraction: number) => void;
}

const STATUS_WAIT_MS = 150;

/**
 * Replays `replay` through the running `cluster` at `rate` packets/s, applying the scheduled
 * failures at their times (from the first packet), waits for the group to settle, and builds the
 * report. Sending is paced by the clock: each timer turn sends what is due, so a slow turn is
 * followed by a burst rather than a lower rate.
 */
export async function replayThrough(cluster: Cluster, replay: Replay, o: RunOptions): Promise<ClusterReport> {
  cluster.expectFlows(replay.flows);
  const n = replay.datagrams.length;
  const started = Date.now();
  let next = 0;
  let failure = 0;
  const applying: Promise<void>[] = [];
  await new Promise<void>((resolve) => {
    const step = (): void => {
      const t = Date.now() - started;
      while (failure < o.schedule.length && (o.schedule[failure] as ScheduledFailure).at <= t) {
        const f = o.schedule[failure++] as ScheduledFailure;
        applying.push(cluster[f.kind](f.member).catch(() => undefined));
      }
      const due = Math.min(n, Math.floor((t * o.rate) / 1000) + 1);
      const { datagrams, hashes } = replay;
      for (; next < due; next++) cluster.send(datagrams[next] as Uint8Array, hashes[next] as number);
      if ((next & 0x3ff) === 0) o.progress?.(next / n);
      if (next >= n && failure >= o.schedule.length) resolve();
      else setTimeout(step, 1);
    };
    step();
  });
  const sentMs = Date.now() - started;
  await Promise.all(applying);
  await cluster.until(() => cluster.settled, o.settleMs ?? 10_000).catch(() => undefined);
  await drain(cluster);
  // Let the last packets land and the last statuses arrive.
  await new Promise((r) => setTimeout(r, STATUS_WAIT_MS));
  const duplicateOwners = await cluster.audit();
  await new Promise((r) => setTimeout(r, STATUS_WAIT_MS));
  return buildReport(cluster, replay, o.rate, sentMs, duplicateOwners);
}

/**
 * Replays `replay` over and over at `rate` packets/s until the returned function is called
 * (`maestro cluster up`: a long-running group with traffic to watch).
 */
export function loopThrough(cluster: Cluster, replay: Replay, rate: number): () => void {
  cluster.expectFlows(replay.flows);
  const n = replay.datagrams.length;
  const started = Date.now();
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  const step = (): void => {
    const target = Math.floor(((Date.now() - started) * rate) / 1000) + 1;
    // After a stall, skip what is more than a second late rather than send a huge burst.
    if (target - sent > rate) sent = target - rate;
    for (; sent < target; sent++) {
      const i = sent % n;
      cluster.send(replay.datagrams[i] as Uint8Array, replay.hashes[i] as number);
    }
    timer = setTimeout(step, 2);
  };
  step();
  return () => clearTimeout(timer);
}

/**
 * Waits until the members have taken every packet handed to them (a member short of CPU works
 * through a backlog after the last one is sent), or until the backlog stops shrinking for a
 * second (what is left was dropped by a full socket), at most 20 s.
 */
async function drain(cluster: Cluster): Promise<void> {
  let last = cluster.backlog();
  let since = Date.now();
  await cluster
    .until(() => {
      const now = cluster.backlog();
      if (now < last) {
        last = now;
        since = Date.now();
      }
      return now === 0 || Date.now() - since > 1000;
    }, 20_000)
    .catch(() => undefined);
}

function buildReport(
  cluster: Cluster,
  replay: Replay,
  rate: number,
  sentMs: number,
  duplicateOwners: number,
): ClusterReport {
  const snapshot = cluster.snapshot();
  const slots = cluster.members();
  const totals = slots.map((s) => s.totals());
  const sum = (pick: (t: (typeof totals)[number]) => number): number =>
    totals.reduce((a, t) => a + pick(t), 0);
  const processed = sum((t) => t.processed);
  const sent = cluster.packetsSent;
  const dropped = Math.max(0, sent - processed);
  const drops = {
    failedMember: cluster.failedDrops,
    noConnection: cluster.ledger.lostStatePackets,
    orphaned: cluster.ledger.orphanPackets,
    unknownFragment: sum((t) => t.unknownFragment),
    unknownIcmp: sum((t) => t.unknownIcmp),
    stale: sum((t) => t.stale),
    notActive: sum((t) => t.notActive),
    other: sum((t) => t.other),
  };
  const known = Object.values(drops).reduce((a, b) => a + b, 0);
  return {
    source: replay.source,
    rate,
    achievedRate: sentMs === 0 ? sent : (sent * 1000) / sentMs,
    packets: sent,
    skipped: replay.skipped,
    flows: replay.flows,
    durationMs: sentMs,
    members: slots.map((s, i) => ({
      id: s.id,
      weight: s.weight,
      packets: totals[i]?.processed ?? 0,
      connections: snapshot.members[i]?.connections ?? 0,
      state: s.state,
      forwarded: totals[i]?.forwarded ?? 0,
      processes: s.processes,
      yielded: totals[i]?.yields ?? 0,
    })),
    connectionsLost: cluster.ledger.lost,
    packetsDropped: dropped,
    drops: { ...drops, unaccounted: Math.max(0, dropped - known) },
    duplicateOwners,
    corrections: sum((t) => t.forwarded),
    tableVersions: cluster.tablesInstalled,
    tableMembers: cluster.tableMembers(),
    failover: cluster.failures.failoverReports(),
    resync: cluster.failures.resyncReports(),
    sync: snapshot.sync,
    events: cluster.events,
  };
}
