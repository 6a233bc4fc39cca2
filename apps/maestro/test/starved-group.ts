import { Member } from '@maestro/hypersync';
import { Sfc32 } from '@maestro/pcap';
import { type TableMessage, tableOffer } from '../src/cluster/ipc.js';
import type { OfferedTable } from '../src/cluster/offered-table.js';

/** A member process that does not run (SIGSTOP, or starved of CPU) from `at` for `forMs`. */
export interface Starvation {
  readonly member: number;
  readonly at: number;
  readonly forMs: number;
}

/** The timing `cluster run` gives its members by default. */
const HEARTBEAT_MS = 100;
const DEAD_MS = 1000;
const STALE_MS = DEAD_MS + 2 * HEARTBEAT_MS;
const TICK_MS = 10;

interface Datagram {
  readonly at: number;
  readonly order: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

interface Node {
  hs: Member;
  readonly id: string;
  /** Version of the last view whose table this node offered as coordinator (-1: none). */
  posted: number;
  lastTick: number;
}

/**
 * What `cluster run` does at start-up, without processes: HyperSync members driven by a simulated
 * clock over a loopback-like network (a few ms of jitter, no loss), each member as a process runs
 * it (a tick every 10 ms, then its queued datagrams; a rejoin as a new incarnation after a stall
 * longer than the dead interval and two heartbeats; the table of every view it coordinates
 * offered to the orchestrator), while some processes do not run for a while.
 */
export class StarvedGroup {
  now = 0;
  private readonly nodes: Node[];
  private queue: Datagram[] = [];
  /**
   * Messages on their way to the orchestrator: table offers, and `undefined` for a member's
   * "rejoined". Each member's IPC channel keeps its order; channels interleave in no set order.
   */
  private offers: { readonly at: number; readonly from: string; readonly m: TableMessage | undefined }[] = [];
  /** Per member, when its last message reaches the orchestrator (its channel is FIFO). */
  private readonly channelAt = new Map<string, number>();
  private order = 0;
  private readonly rand: Sfc32;

  constructor(
    size: number,
    seed: number,
    private readonly starvations: readonly Starvation[],
    /** The orchestrator's choice of table: gets each offer, and each rejoin, as it would. */
    private readonly orchestrator: Pick<OfferedTable, 'offer' | 'forget'>,
  ) {
    this.rand = new Sfc32(seed);
    const ids = Array.from({ length: size }, (_, i) => `sgm${i + 1}`);
    this.nodes = ids.map((id, i) => ({
      hs: this.member(id, ids, 1000 + i * 16),
      id,
      posted: -1,
      lastTick: 0,
    }));
  }

  private member(id: string, ids: readonly string[], incarnation: number): Member {
    return new Member({
      id,
      incarnation,
      peers: ids.filter((p) => p !== id),
      transport: { send: (to, bytes) => this.send(id, to, bytes) },
      heartbeatMs: HEARTBEAT_MS,
      deadMs: DEAD_MS,
      retransmitMs: HEARTBEAT_MS,
      tableSize: 257,
    });
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    const at = this.now + 1 + Math.floor(this.rand.next() * 4);
    this.queue.push({ at, order: this.order++, from, to, bytes: bytes.slice() });
  }

  private stopped(index: number, now: number): boolean {
    return this.starvations.some((s) => s.member === index && now >= s.at && now < s.at + s.forMs);
  }

  /** Advances the clock by one member tick. */
  step(): void {
    this.now += TICK_MS;
    const now = this.now;
    const due = this.offers.filter((o) => o.at <= now).sort((a, b) => a.at - b.at);
    this.offers = this.offers.filter((o) => o.at > now);
    for (const o of due) {
      if (o.m === undefined) this.orchestrator.forget(o.from);
      else this.orchestrator.offer(o.m);
    }
    for (let i = 0; i < this.nodes.length; i++) {
      const n = this.nodes[i];
      if (n === undefined || this.stopped(i, now)) continue;
      // After a stall the timer runs before the socket is read, as in Node's event loop.
      if (now - n.lastTick > STALE_MS && n.hs.view !== undefined) {
        n.hs = this.member(
          n.id,
          this.nodes.map((x) => x.id),
          (n.hs.incarnation + 1) >>> 0,
        );
        n.posted = -1;
        this.post(n.id, undefined);
      }
      n.lastTick = now;
      n.hs.tick(now);
      this.follow(n);
      const mine = this.queue.filter((d) => d.to === n.id && d.at <= now);
      if (mine.length === 0) continue;
      this.queue = this.queue.filter((d) => !(d.to === n.id && d.at <= now));
      mine.sort((a, b) => a.at - b.at || a.order - b.order);
      for (const d of mine) {
        n.hs.receive(d.from, d.bytes, now);
        this.follow(n);
      }
    }
  }

  private follow(n: Node): void {
    const view = n.hs.view;
    const table = n.hs.table;
    if (view === undefined || table === undefined || !n.hs.tableAgreed) return;
    if (view.coordinator !== n.id || view.version === n.posted) return;
    n.posted = view.version;
    this.post(n.id, tableOffer(view, table));
  }

  /** Sends a message to the orchestrator over the member's channel, after 0-2 ticks of IPC delay. */
  private post(from: string, m: TableMessage | undefined): void {
    const at = Math.max(this.now + Math.floor(this.rand.next() * 3) * TICK_MS, this.channelAt.get(from) ?? 0);
    this.channelAt.set(from, at);
    this.offers.push({ at, from, m });
  }

  /** The view every member holds, with its table agreed, if they all hold one. */
  agreed(): { version: number; coordinator: string; digest: number } | undefined {
    const first = this.nodes[0]?.hs.view;
    if (first === undefined) return undefined;
    for (const n of this.nodes) {
      const v = n.hs.view;
      if (v === undefined || v.version !== first.version || v.coordinator !== first.coordinator)
        return undefined;
      if (!n.hs.tableAgreed || v.members.length !== this.nodes.length) return undefined;
    }
    return { version: first.version, coordinator: first.coordinator, digest: first.tableDigest };
  }

  /**
   * Runs past the last starvation until every member has held one view of all of them for two dead
   * intervals; returns that view, or undefined when `budgetMs` runs out first.
   */
  settle(budgetMs: number): { version: number; coordinator: string; digest: number } | undefined {
    const calm = Math.max(0, ...this.starvations.map((s) => s.at + s.forMs));
    const end = calm + budgetMs;
    let since = -1;
    let held: string | undefined;
    while (this.now < end) {
      this.step();
      const a = this.agreed();
      const key = a === undefined ? undefined : `${a.version}/${a.coordinator}`;
      if (key === undefined || this.now < calm) since = -1;
      else if (key !== held || since < 0) since = this.now;
      held = key;
      if (a !== undefined && since >= 0 && this.now - since >= 2 * DEAD_MS) return a;
    }
    return undefined;
  }
}
