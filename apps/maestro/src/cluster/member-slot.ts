import { type ChildProcess, fork } from 'node:child_process';
import { type FromMember, isTagged, type MemberStatus, type ToMember } from './ipc.js';

/** Counters summed over a member's processes. */
export interface Totals {
  processed: number;
  received: number;
  forwarded: number;
  noConnection: number;
  unknownFragment: number;
  unknownIcmp: number;
  other: number;
  stale: number;
  notActive: number;
  syncRecords: number;
  syncBytes: number;
  yields: number;
}

function zero(): Totals {
  return {
    processed: 0,
    received: 0,
    forwarded: 0,
    noConnection: 0,
    unknownFragment: 0,
    unknownIcmp: 0,
    other: 0,
    stale: 0,
    notActive: 0,
    syncRecords: 0,
    syncBytes: 0,
    yields: 0,
  };
}

function add(into: Totals, s: MemberStatus | undefined): void {
  if (s === undefined) return;
  into.processed += s.processed;
  into.received += s.received;
  into.forwarded += s.forwarded;
  into.noConnection += s.drops.noConnection;
  into.unknownFragment += s.drops.unknownFragment;
  into.unknownIcmp += s.drops.unknownIcmp;
  into.other += s.drops.other;
  into.stale += s.drops.stale;
  into.notActive += s.drops.notActive;
  into.syncRecords += s.syncRecords;
  into.syncBytes += s.syncBytes;
  into.yields += s.yields;
}

/**
 * One member as the orchestrator runs it: its current process (forked with an IPC channel), the
 * port it reported, its last status, and counters carried over from its earlier processes.
 */
export class MemberSlot {
  child: ChildProcess | null = null;
  port = 0;
  status: MemberStatus | undefined = undefined;
  /** What the orchestrator did to the process (`KILLED`, `STOPPED`), or null. */
  override: string | null = null;
  processes = 0;
  /** Packets the orchestrator handed to the current process. */
  sent = 0;
  /** Version of the address book the current process acknowledged. */
  peersVersion = 0;
  /** Table digests the current process is ready for. */
  readonly ready = new Set<number>();
  private readonly past: Totals = zero();
  private exited: Promise<void> = Promise.resolve();

  constructor(
    readonly id: string,
    readonly index: number,
    public weight: number,
  ) {}

  /** Counters over every process so far (the current one as last reported). */
  totals(): Totals {
    const t = { ...this.past };
    add(t, this.status);
    return t;
  }

  /** True while a process runs and was not killed. */
  get alive(): boolean {
    return this.child !== null && this.override !== 'KILLED';
  }

  /** The state to show: what was done to the process, else what it last reported. */
  get state(): string {
    if (this.override !== null) return this.override;
    if (this.child === null) return 'DOWN';
    return this.status?.state ?? 'INIT';
  }

  /**
   * Forks a fresh process running `entry cluster member` and resolves with its UDP port; it
   * starts when it gets its `init`. `onMessage` gets everything it sends afterwards.
   */
  start(entry: string, onMessage: (m: FromMember) => void, onExit: () => void): Promise<number> {
    this.retire();
    const child = fork(entry, ['cluster', 'member'], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
      execArgv: [],
    });
    this.child = child;
    this.override = null;
    this.processes++;
    this.sent = 0;
    this.peersVersion = 0;
    this.ready.clear();
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        if (this.child === child) {
          this.retire();
          this.child = null;
          onExit();
        }
        resolve();
      });
    });
    return new Promise<number>((resolve, reject) => {
      child.once('error', reject);
      child.on('message', (raw: unknown) => {
        if (!isTagged(raw)) return;
        const m = raw as FromMember;
        if (m.t === 'ready') {
          this.port = m.port;
          resolve(m.port);
        } else if (m.t === 'peersAck') this.peersVersion = m.version;
        else if (this.child === child) onMessage(m);
      });
      child.once('exit', (code, signal) =>
        reject(new Error(`${this.id} exited before it was ready (${signal ?? code})`)),
      );
    });
  }

  /** Sends a message to the current process, if it can take one. */
  send(m: ToMember): void {
    const c = this.child;
    if (c?.connected && this.override !== 'KILLED') c.send(m);
  }

  /** Sends `signal` to the current process; resolves when a SIGKILLed one has exited. */
  async signal(signal: 'SIGKILL' | 'SIGSTOP' | 'SIGCONT'): Promise<void> {
    const c = this.child;
    if (c === null) return;
    c.kill(signal);
    if (signal === 'SIGKILL') {
      this.override = 'KILLED';
      await this.exited;
      this.override = 'KILLED';
    } else this.override = signal === 'SIGSTOP' ? 'STOPPED' : null;
  }

  /** Ends the current process (continued first if stopped, then killed); resolves on its exit. */
  async end(): Promise<void> {
    const c = this.child;
    if (c === null) return;
    if (this.override === 'STOPPED') c.kill('SIGCONT');
    c.kill('SIGKILL');
    await this.exited;
  }

  /** Moves the current process's last counters into the past (it is gone or being replaced). */
  private retire(): void {
    add(this.past, this.status);
    this.status = undefined;
  }
}
