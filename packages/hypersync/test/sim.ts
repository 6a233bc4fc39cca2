import { Member, type MemberOptions } from '../src/index.js';

/** A small deterministic PRNG (mulberry32). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** How the simulated network misbehaves. */
export interface NetworkFaults {
  readonly drop: number;
  readonly duplicate: number;
  /** Extra random delay, ms (0: in order). */
  readonly jitterMs: number;
}

interface Datagram {
  readonly at: number;
  readonly order: number;
  readonly from: string;
  readonly to: string;
  readonly bytes: Uint8Array;
}

/** Member timing the simulations use: short intervals, a dead interval of 20 heartbeats. */
export const SIM_TIMING: Pick<MemberOptions, 'heartbeatMs' | 'deadMs' | 'retransmitMs' | 'tableSize'> = {
  heartbeatMs: 20,
  deadMs: 400,
  retransmitMs: 60,
  tableSize: 257,
};

/** An in-memory network of members driven by a simulated clock. */
export class Sim {
  now = 0;
  readonly members: Map<string, Member> = new Map();
  private readonly incarnations = new Map<string, number>();
  private queue: Datagram[] = [];
  private order = 0;
  private readonly rand: () => number;
  /** Datagrams handed to the network. */
  sent = 0;
  /** Members cut off from the rest while a partition lasts (undefined: no partition). */
  private side: ReadonlySet<string> | undefined = undefined;
  /** Called after every step, to check always-true invariants. */
  onStep: ((sim: Sim) => void) | undefined = undefined;

  constructor(
    seed: number,
    public faults: NetworkFaults,
    private readonly options: Partial<MemberOptions> = {},
  ) {
    this.rand = prng(seed);
  }

  /** Starts (or restarts, with a new incarnation) member `id`. */
  start(id: string, extra: Partial<MemberOptions> = {}): Member {
    const inc = (this.incarnations.get(id) ?? 0) + 1;
    this.incarnations.set(id, inc);
    const peers = [...this.incarnations.keys()].filter((p) => p !== id);
    const m = new Member({
      ...SIM_TIMING,
      ...this.options,
      ...extra,
      id,
      incarnation: inc,
      peers,
      transport: { send: (to, bytes) => this.send(id, to, bytes) },
    });
    for (const other of this.members.values()) other.addPeer(id);
    this.members.set(id, m);
    m.tick(this.now);
    return m;
  }

  /** Crashes member `id`: it stops at once, loses all state, and what it had not yet delivered is lost. */
  crash(id: string): void {
    // A restart must not reuse an incarnation the member ever had, a fenced one (the member bumps
    // its own incarnation when fenced) included.
    const m = this.members.get(id);
    if (m !== undefined) this.incarnations.set(id, Math.max(this.incarnations.get(id) ?? 0, m.incarnation));
    this.members.delete(id);
    this.queue = this.queue.filter((d) => d.from !== id);
  }

  /** Splits the network: the members of `side` hear only each other, the rest only the rest. */
  partition(side: Iterable<string>): void {
    this.side = new Set(side);
  }

  /** Ends a partition. */
  heal(): void {
    this.side = undefined;
  }

  /** True while a partition lasts. */
  get partitioned(): boolean {
    return this.side !== undefined;
  }

  private cut(from: string, to: string): boolean {
    return this.side !== undefined && this.side.has(from) !== this.side.has(to);
  }

  private send(from: string, to: string, bytes: Uint8Array): void {
    this.sent++;
    if (this.cut(from, to)) return;
    const copies = this.rand() < this.faults.duplicate ? 2 : 1;
    for (let i = 0; i < copies; i++) {
      if (this.rand() < this.faults.drop) continue;
      const at = this.now + 1 + Math.floor(this.rand() * this.faults.jitterMs);
      this.queue.push({ at, order: this.order++, from, to, bytes });
    }
  }

  /** Advances the clock by `ms`: delivers what is due, then ticks every member. */
  step(ms = 10): void {
    this.now += ms;
    const due = this.queue.filter((d) => d.at <= this.now).sort((a, b) => a.at - b.at || a.order - b.order);
    this.queue = this.queue.filter((d) => d.at > this.now);
    for (const d of due) if (!this.cut(d.from, d.to)) this.members.get(d.to)?.receive(d.from, d.bytes, d.at);
    for (const m of this.members.values()) m.tick(this.now);
    this.onStep?.(this);
  }

  /** True when every member agrees on one view listing exactly the running members, and sync is idle. */
  quiescent(): boolean {
    let version: number | undefined;
    let digest: number | undefined;
    const running = this.members;
    for (const m of running.values()) {
      const v = m.view;
      if (v === undefined) return false;
      if (version === undefined) version = v.version;
      else if (version !== v.version) return false;
      if (v.members.length !== running.size) return false;
      for (const vm of v.members) if (running.get(vm.id)?.incarnation !== vm.incarnation) return false;
      if (!m.syncIdle || !m.tableAgreed) return false;
      if (m.devices.statusOf('full-sync', this.now) !== 'ok') return false;
      if (digest === undefined) digest = v.tableDigest;
      else if (digest !== v.tableDigest) return false;
    }
    return true;
  }

  /**
   * Steps until quiescent for 250 ms in a row (a dozen heartbeats, so health changes have reached
   * the coordinator); false when `budgetMs` runs out first.
   */
  settle(budgetMs = 20_000): boolean {
    const end = this.now + budgetMs;
    let streak = 0;
    while (this.now < end) {
      this.step();
      streak = this.quiescent() ? streak + 1 : 0;
      if (streak >= 25) return true;
    }
    return false;
  }
}
