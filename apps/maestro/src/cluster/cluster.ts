import { createSocket, type Socket } from 'node:dgram';
import { DistributionTable } from '@maestro/weighting';
import { CliError } from '../cli/errors.js';
import type { SimMember } from '../simulation/members.js';
import type { SimulationFlags } from '../simulation/settings.js';
import type { ClusterEvent, ClusterHandle, ClusterSnapshot } from './cluster-handle.js';
import { ConnectionLedger } from './connection-ledger.js';
import { FailureLog } from './failure-log.js';
import type { FromMember, MemberInit } from './ipc.js';
import { MemberSlot } from './member-slot.js';
import { OfferedTable } from './offered-table.js';
import { restamp } from './wire.js';

/** How a live group is set up. */
export interface ClusterOptions {
  /** The CLI file to fork members from (`<entry> cluster member`). */
  readonly entry: string;
  readonly members: readonly SimMember[];
  /** The group flags every process resolves the same way (topology, mode, layer, hash). */
  readonly flags: SimulationFlags;
  /** HyperSync heartbeat interval. @default 100 */
  readonly heartbeatMs?: number;
  /** A member silent this long is LOST. @default 1000 */
  readonly deadMs?: number;
  /** Distribution table size, a prime. @default 65537 */
  readonly tableSize?: number;
  /** Share of sync datagrams members drop. @default 0 */
  readonly syncLoss?: number;
  /** Longest wait for the first table, milliseconds. @default 30000 */
  readonly startTimeoutMs?: number;
}

/**
 * A security group of real processes on loopback: one {@link MemberSlot} per member, the
 * orchestrator's UDP socket that hands packets out by the table in force, and the bookkeeping of
 * failures, detections, tables and resyncs. Members agree on views and tables among themselves
 * (HyperSync); the orchestrator installs a new table once every member of the view that put it
 * in force says it is ready for it (its correction entries are out).
 */
export class Cluster implements ClusterHandle {
  readonly epoch: number = Date.now();
  private readonly slots: MemberSlot[];
  private readonly byId = new Map<string, MemberSlot>();
  private readonly listeners = new Set<(e: ClusterEvent) => void>();
  readonly events: ClusterEvent[] = [];
  private socket: Socket | undefined;
  private table: DistributionTable | undefined = undefined;
  private tableDigest = 0;
  private tableToSlot = new Int32Array(0);
  private readonly offered = new OfferedTable();
  private tableVersion = 0;
  private incarnations = 0;
  private peersVersion = 0;
  /** The failures caused and how the group answered. */
  readonly failures: FailureLog = new FailureLog();
  /** Which connections existed and which were lost. */
  readonly ledger: ConnectionLedger = new ConnectionLedger();
  packetsSent = 0;
  /** Packets handed to a killed process or unreported at its death. */
  failedDrops = 0;
  private closed = false;
  private readonly killAll = (): void => {
    for (const s of this.slots) s.child?.kill('SIGKILL');
  };

  private constructor(private readonly o: ClusterOptions) {
    this.slots = o.members.map((m, i) => new MemberSlot(m.id, i, m.weight));
    for (const s of this.slots) this.byId.set(s.id, s);
  }

  /**
   * Starts every member and resolves once the group distributes by a table holding all of them
   * and each reports ACTIVE.
   */
  static async start(options: ClusterOptions): Promise<Cluster> {
    const c = new Cluster(options);
    process.on('exit', c.killAll);
    try {
      c.socket = await bindSocket();
      await Promise.all(c.slots.map((s) => c.spawn(s)));
      await c.broadcastPorts();
      for (const s of c.slots) c.init(s);
      await c.until(
        () =>
          c.table !== undefined &&
          c.slots.every((s) => s.weight === 0 || (c.tableHas(s.id) && s.status?.state === 'ACTIVE')),
        options.startTimeoutMs ?? 30_000,
      );
    } catch (error) {
      const stuck = error instanceof Error && error.message.startsWith('timed out') ? c.describe() : null;
      await c.close();
      if (stuck !== null && error instanceof Error)
        throw new CliError(
          `cluster: the members did not agree on a first table (${error.message}; ${stuck})`,
          1,
        );
      throw error;
    }
    return c;
  }

  /** One line on where the group stands: member states and views, the tables offered and in force. */
  private describe(): string {
    const states = this.slots
      .map((s) => `${s.id} ${s.state} view ${s.status?.viewVersion ?? '-'}`)
      .join(', ');
    const p = this.offered.pending;
    const offered = p === undefined ? 'none' : `view ${p.viewVersion} of ${p.viewMembers.join('+')}`;
    return `${states}; last table offered: ${offered}; in force: ${this.tableMembers().join('+') || 'none'}`;
  }

  /** Milliseconds since the group started. */
  now(): number {
    return Date.now() - this.epoch;
  }

  /** Number of flows the replay will name (sizes the lost-connection bookkeeping). */
  expectFlows(flows: number): void {
    this.ledger.reset(flows);
  }

  /** Hands one prepared datagram to the member the table in force picks for `hash`. */
  send(datagram: Uint8Array, hash: number): void {
    const table = this.table;
    const socket = this.socket;
    if (table === undefined || socket === undefined) return;
    const slot = this.slots[this.tableToSlot[table.lookupIndex(hash)] as number] as MemberSlot;
    this.packetsSent++;
    if (!slot.alive) {
      this.failedDrops++;
      this.failures.countFailed(slot.id);
      return;
    }
    if (slot.override === 'STOPPED') this.failures.countFailed(slot.id);
    slot.sent++;
    restamp(datagram, this.now(), 0);
    socket.send(datagram, slot.port, '127.0.0.1');
  }

  snapshot(): ClusterSnapshot {
    let records = 0;
    let bytes = 0;
    let processed = 0;
    const members = this.slots.map((s) => {
      const t = s.totals();
      records += t.syncRecords;
      bytes += t.syncBytes;
      processed += t.processed;
      return {
        id: s.id,
        state: s.state,
        weight: s.weight,
        pid: s.alive ? (s.child?.pid ?? null) : null,
        packets: t.processed,
        connections: s.alive ? (s.status?.connections ?? 0) : 0,
        corrections: t.forwarded,
        syncRecords: t.syncRecords,
        yielded: t.yields,
      };
    });
    return {
      at: this.now(),
      tableVersion: this.tableVersion,
      members,
      packetsSent: this.packetsSent,
      packetsDropped: Math.max(0, this.packetsSent - processed),
      connectionsLost: this.ledger.lost,
      sync: { records, bytes },
    };
  }

  onEvent(listener: (event: ClusterEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async kill(member: string): Promise<void> {
    const s = this.slot(member);
    if (!s.alive) throw new CliError(`cluster: ${member} is not running`);
    // Packets handed to it and not reported processed by its last status die with it.
    this.failedDrops += Math.max(0, s.sent - (s.status?.received ?? 0));
    this.failures.failed(member, 'kill', this.now());
    this.emit('kill', member, `SIGKILL ${member} (pid ${s.child?.pid ?? '?'})`);
    await s.signal('SIGKILL');
  }

  async stop(member: string): Promise<void> {
    const s = this.slot(member);
    if (!s.alive || s.override === 'STOPPED') throw new CliError(`cluster: ${member} is not running`);
    this.failures.failed(member, 'stop', this.now());
    this.emit('stop', member, `SIGSTOP ${member} (a hung member)`);
    await s.signal('SIGSTOP');
  }

  async cont(member: string): Promise<void> {
    const s = this.slot(member);
    if (s.override !== 'STOPPED') throw new CliError(`cluster: ${member} is not stopped`);
    this.emit('cont', member, `SIGCONT ${member}`);
    // Given up by the group meanwhile: it rejoins as a new incarnation, with a bulk resync.
    if (this.failures.gaveUp(member)) this.failures.returning(member, this.now());
    await s.signal('SIGCONT');
  }

  async restart(member: string): Promise<void> {
    const s = this.slot(member);
    if (s.alive) await s.end();
    this.failures.returning(member, this.now());
    this.emit('restart', member, `restart ${member} (a fresh process)`);
    await this.spawn(s);
    await this.broadcastPorts();
    this.init(s);
  }

  /**
   * Members take their weight at start (HyperSync's member options), so a new weight is a
   * restart of the member with it: its connections fail over to their backups, then it rejoins.
   */
  async setWeight(member: string, weight: number): Promise<void> {
    const s = this.slot(member);
    if (!Number.isInteger(weight) || weight < 0 || weight > 512)
      throw new CliError(`cluster: weight must be an integer 0..512, got ${weight}`);
    s.weight = weight;
    this.emit('weight', member, `weight of ${member} set to ${weight} (restarting it)`);
    await this.restart(member);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((s) => s.end()));
    this.socket?.close();
    process.off('exit', this.killAll);
  }

  /** Asks every live member for the flows it owns; counts flows owned by two at once. */
  async audit(timeoutMs = 2000): Promise<number> {
    const answers = new Map<string, readonly string[]>();
    const live = this.slots.filter((s) => s.alive && s.override === null);
    this.auditSink = (id, flows) => answers.set(id, flows);
    for (const s of live) s.send({ t: 'audit' });
    await this.until(() => live.every((s) => answers.has(s.id) || !s.alive), timeoutMs).catch(
      () => undefined,
    );
    this.auditSink = undefined;
    const seen = new Set<string>();
    let duplicates = 0;
    for (const flows of answers.values()) {
      for (const f of flows) {
        if (seen.has(f)) duplicates++;
        else seen.add(f);
      }
    }
    return duplicates;
  }

  /** Table versions installed so far. */
  get tablesInstalled(): number {
    return this.tableVersion;
  }

  /**
   * Packets handed to live processes that they have not reported receiving yet: their backlog
   * (or, if it never shrinks, what their sockets dropped).
   */
  backlog(): number {
    let n = 0;
    for (const s of this.slots) if (s.alive) n += Math.max(0, s.sent - (s.status?.received ?? 0));
    return n;
  }

  /** Members with a weight above 0 in the table in force. */
  tableMembers(): string[] {
    return (this.table?.members ?? []).filter((m) => m.weight > 0).map((m) => m.id);
  }

  /** True when every failure was followed by a table and every restart is back in the table. */
  get settled(): boolean {
    return this.failures.settled((member) => this.slot(member).override === null);
  }

  /** Each member's slot, for the report. */
  members(): readonly MemberSlot[] {
    return this.slots;
  }

  /** Resolves when `done()` holds (checked every 10 ms), rejects after `timeoutMs`. */
  until(done: () => boolean, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const started = Date.now();
      const check = (): void => {
        if (done()) resolve();
        else if (Date.now() - started > timeoutMs) reject(new Error(`timed out after ${timeoutMs} ms`));
        else setTimeout(check, 10);
      };
      check();
    });
  }

  private auditSink: ((id: string, flows: readonly string[]) => void) | undefined = undefined;

  private slot(member: string): MemberSlot {
    const s = this.byId.get(member);
    if (s === undefined)
      throw new CliError(
        `cluster: no member ${JSON.stringify(member)} (members: ${[...this.byId.keys()].join(', ')})`,
      );
    return s;
  }

  private tableHas(id: string): boolean {
    return this.table?.members.some((m) => m.id === id && m.weight > 0) ?? false;
  }

  private emit(kind: string, member: string | undefined, detail: string): void {
    const e: ClusterEvent = { at: this.now(), kind, ...(member === undefined ? {} : { member }), detail };
    this.events.push(e);
    for (const l of this.listeners) l(e);
  }

  private spawn(s: MemberSlot): Promise<number> {
    return s.start(
      this.o.entry,
      (m) => this.onMessage(s, m),
      () => {
        if (!this.closed && s.override !== 'KILLED') this.emit('exit', s.id, `${s.id} exited`);
        this.offered.forget(s.id);
        if (!this.closed) this.maybeInstall();
      },
    );
  }

  /** Starts the member in its (new) process: the group hears from it only after this. */
  private init(s: MemberSlot): void {
    // Unique per process: a restarted member must come back with another incarnation.
    const incarnation = ((Date.now() % 0x1000000) * 16 + (this.incarnations++ % 16)) >>> 0;
    const init: MemberInit = {
      t: 'init',
      id: s.id,
      index: s.index,
      ids: this.slots.map((x) => x.id),
      weight: s.weight,
      incarnation,
      epoch: this.epoch,
      flags: this.o.flags,
      heartbeatMs: this.o.heartbeatMs ?? 100,
      deadMs: this.o.deadMs ?? 1000,
      tableSize: this.o.tableSize ?? 65537,
      syncLoss: this.o.syncLoss ?? 0,
      // Peers give a silent member up after the dead interval plus up to a heartbeat of their own.
      staleMs: (this.o.deadMs ?? 1000) + 2 * (this.o.heartbeatMs ?? 100),
    };
    s.send(init);
  }

  /**
   * Sends every member the address book and resolves once every running one has acknowledged it
   * (at most 5 s): a member that (re)starts talks only after all know its port, so no correction
   * entry or sync record goes to its old port.
   */
  private async broadcastPorts(): Promise<void> {
    const version = ++this.peersVersion;
    const ports: Record<string, number> = {};
    for (const s of this.slots) if (s.child !== null) ports[s.id] = s.port;
    for (const s of this.slots) s.send({ t: 'peers', version, ports });
    await this.until(
      () => this.slots.every((s) => !s.alive || s.override !== null || s.peersVersion >= version),
      5000,
    ).catch(() => undefined);
  }

  private onMessage(s: MemberSlot, m: FromMember): void {
    switch (m.t) {
      case 'status':
        this.ledger.apply(m, (f) =>
          this.emit('lost', s.id, `a packet of connection #${f} found no state at ${s.id}: connection lost`),
        );
        s.status = m;
        this.checkResync();
        break;
      case 'table':
        this.offered.offer(m);
        break;
      case 'tableReady':
        s.ready.add(m.digest);
        break;
      case 'lost':
        this.onLost(s.id, m.peer, m.at);
        break;
      case 'audit':
        this.auditSink?.(s.id, m.flows);
        break;
      case 'rejoined':
        // Its earlier incarnation's views died with it: no member adopts one it offered.
        this.offered.forget(s.id);
        this.emit(
          'rejoin',
          s.id,
          `${s.id} did not run for ${m.stalledMs} ms: it rejoins as a new incarnation`,
        );
        break;
      default:
        break;
    }
    this.maybeInstall();
  }

  private onLost(by: string, peer: string, at: number): void {
    const ms = this.failures.detected(peer, at);
    this.emit('detected', peer, `${by} sees ${peer} LOST${ms === null ? '' : ` after ${ms} ms`}`);
  }

  private maybeInstall(): void {
    const p = this.offered.pending;
    if (p === undefined || p.digest === this.tableDigest) return;
    for (const id of p.viewMembers) {
      const s = this.byId.get(id);
      if (s === undefined || !s.alive || !s.ready.has(p.digest)) return;
    }
    this.table = new DistributionTable(p.members, p.owners);
    this.tableDigest = p.digest;
    this.tableToSlot = Int32Array.from(p.members, (m) => this.byId.get(m.id)?.index ?? 0);
    this.tableVersion++;
    const now = this.now();
    this.emit('table', undefined, `table ${this.tableVersion} in force: ${this.tableMembers().join(', ')}`);
    this.failures.tableInstalled(now, (member) => this.tableHas(member));
    this.checkResync();
  }

  private checkResync(): void {
    const back = this.failures.resynced(this.now(), (member) => {
      const s = this.slot(member);
      const st = s.status;
      const ok = s.alive && st?.fullSync === true && st.state === 'ACTIVE' && this.tableHas(member);
      return ok ? st.recordsApplied : undefined;
    });
    for (const r of back) {
      this.emit(
        'resync',
        r.member,
        `${r.member} back in the table after ${r.ms} ms, ${r.records} records resynced`,
      );
    }
  }
}

function bindSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = createSocket({ type: 'udp4', sendBufferSize: 4 << 20 });
    socket.once('error', reject);
    socket.bind(0, '127.0.0.1', () => resolve(socket));
  });
}
