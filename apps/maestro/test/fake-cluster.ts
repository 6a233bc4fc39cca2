import type {
  ClusterEvent,
  ClusterHandle,
  ClusterSnapshot,
  MemberView,
} from '../src/cluster/cluster-handle.js';

interface FakeMember {
  id: string;
  state: string;
  weight: number;
  pid: number | null;
  packets: number;
  connections: number;
  corrections: number;
  syncRecords: number;
  yielded: number;
}

/** How the fake group behaves. */
export interface FakeClusterOptions {
  /** Members `sgm1` … `sgmN`. @default 4 */
  readonly members?: number;
  /** Traffic is added every `tickMs`; 0 = only by {@link FakeCluster.advance}. @default 50 */
  readonly tickMs?: number;
  /** From a kill to its detection and new table. @default 100 */
  readonly detectMs?: number;
}

/**
 * An in-memory {@link ClusterHandle} for the dashboard's tests: members take traffic in proportion
 * to their weight while ACTIVE; kill / stop / cont / restart / setWeight change their state the
 * way the real group reports it (KILLED → detected → new table; restart → INIT → resync → ACTIVE)
 * and emit the same events. Actions that make no sense (kill a killed member) reject.
 */
export class FakeCluster implements ClusterHandle {
  /** Every action called, as `kill sgm2`, `weight sgm1 7`. */
  readonly calls: string[] = [];
  readonly #members: FakeMember[];
  readonly #listeners = new Set<(event: ClusterEvent) => void>();
  readonly #timers = new Set<ReturnType<typeof setTimeout>>();
  readonly #started = Date.now();
  readonly #detectMs: number;
  readonly #interval: ReturnType<typeof setInterval> | undefined;
  #tableVersion = 1;
  #packetsSent = 0;
  #packetsDropped = 0;
  #syncBytes = 0;
  #nextPid = 40_000;

  constructor(options: FakeClusterOptions = {}) {
    const n = options.members ?? 4;
    this.#detectMs = options.detectMs ?? 100;
    this.#members = Array.from({ length: n }, (_, i) => ({
      id: `sgm${i + 1}`,
      state: 'ACTIVE',
      weight: 100,
      pid: this.#nextPid++,
      packets: 0,
      connections: 0,
      corrections: 0,
      syncRecords: 0,
      yielded: 0,
    }));
    const tickMs = options.tickMs ?? 50;
    if (tickMs > 0) this.#interval = setInterval(() => this.advance(1), tickMs);
  }

  /** How many listeners {@link onEvent} holds. */
  get listeners(): number {
    return this.#listeners.size;
  }

  /** Adds `rounds` rounds of traffic: each ACTIVE member takes packets by weight. */
  advance(rounds: number): void {
    for (let r = 0; r < rounds; r++) {
      for (const m of this.#members) {
        const packets = Math.round(m.weight / 10);
        this.#packetsSent += packets;
        if (m.state !== 'ACTIVE') {
          if (m.weight > 0 && m.state === 'KILLED') this.#packetsDropped += 1;
          continue;
        }
        m.packets += packets;
        m.connections += 1;
        m.corrections += packets % 3;
        m.syncRecords += 2;
        this.#syncBytes += 2 * 48;
      }
    }
  }

  snapshot(): ClusterSnapshot {
    return {
      at: Date.now() - this.#started,
      tableVersion: this.#tableVersion,
      members: this.#members.map((m): MemberView => ({ ...m })),
      packetsSent: this.#packetsSent,
      packetsDropped: this.#packetsDropped,
      connectionsLost: 0,
      sync: { records: this.#members.reduce((s, m) => s + m.syncRecords, 0), bytes: this.#syncBytes },
    };
  }

  onEvent(listener: (event: ClusterEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async kill(member: string): Promise<void> {
    const m = this.#running(member, 'kill');
    m.state = 'KILLED';
    m.pid = null;
    this.#emit('kill', m, `SIGKILL ${m.id}`);
    this.#later(() => {
      this.#emit('detected', m, `${m.id} missed its heartbeats`);
      this.#newTable(`without ${m.id}`);
      const survivors = this.#members.filter((o) => o.state === 'ACTIVE');
      for (const o of survivors) o.connections += Math.floor(m.connections / Math.max(1, survivors.length));
      m.connections = 0;
    });
  }

  async stop(member: string): Promise<void> {
    const m = this.#running(member, 'stop');
    m.state = 'STOPPED';
    this.#emit('stop', m, `SIGSTOP ${m.id}`);
  }

  async cont(member: string): Promise<void> {
    const m = this.#find(member);
    if (m.state !== 'STOPPED') throw new Error(`${m.id} is not stopped (${m.state})`);
    this.calls.push(`cont ${member}`);
    m.state = 'ACTIVE';
    this.#emit('cont', m, `SIGCONT ${m.id}`);
  }

  async restart(member: string): Promise<void> {
    const m = this.#find(member);
    if (m.pid !== null) throw new Error(`${m.id} is still running as pid ${m.pid}`);
    this.calls.push(`restart ${member}`);
    m.state = 'INIT';
    m.pid = this.#nextPid++;
    m.packets = 0;
    m.corrections = 0;
    m.syncRecords = 0;
    this.#emit('restart', m, `${m.id} started as pid ${m.pid}`);
    this.#later(() => {
      m.state = 'ACTIVE';
      this.#emit('resync', m, `${m.id} received its connections`);
      this.#newTable(`with ${m.id}`);
    });
  }

  async setWeight(member: string, weight: number): Promise<void> {
    const m = this.#find(member);
    this.calls.push(`weight ${member} ${weight}`);
    m.weight = weight;
    this.#emit('weight', m, `${m.id} weight ${weight}`);
    this.#newTable(`${m.id} at weight ${weight}`);
  }

  async close(): Promise<void> {
    if (this.#interval !== undefined) clearInterval(this.#interval);
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    this.#listeners.clear();
  }

  #find(member: string): FakeMember {
    const m = this.#members.find((x) => x.id === member);
    if (m === undefined) throw new Error(`no member ${member}`);
    return m;
  }

  #running(member: string, action: string): FakeMember {
    const m = this.#find(member);
    if (m.pid === null) throw new Error(`${m.id} is not running`);
    this.calls.push(`${action} ${member}`);
    return m;
  }

  #emit(kind: string, m: FakeMember, detail: string): void {
    const event: ClusterEvent = { at: Date.now() - this.#started, kind, member: m.id, detail };
    for (const l of this.#listeners) l(event);
  }

  #newTable(detail: string): void {
    this.#tableVersion++;
    const event: ClusterEvent = {
      at: Date.now() - this.#started,
      kind: 'table',
      detail: `table v${this.#tableVersion} ${detail}`,
    };
    for (const l of this.#listeners) l(event);
  }

  #later(run: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      run();
    }, this.#detectMs);
    this.#timers.add(t);
  }
}
