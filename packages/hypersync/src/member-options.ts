import { HyperSyncError, shown } from './errors.js';
import { assertMemberId } from './member-id.js';
import type { SyncPolicy } from './messages.js';

/** Sends one datagram to a member; delivery may fail, reorder or duplicate. */
export interface Transport {
  send(to: string, bytes: Uint8Array): void;
}

/** How a member is set up. Durations are in the injected clock's milliseconds. */
export interface MemberOptions {
  /** This member's id. */
  readonly id: string;
  /**
   * Boot counter: a restarted member must come back with one it never had, counting the ones it
   * took itself when fenced (each fence adds 1), e.g. a clock reading. @default 1
   */
  readonly incarnation?: number;
  /** Member ids to send heartbeats to (others are learnt from their heartbeats). @default [] */
  readonly peers?: readonly string[];
  /** Sends datagrams. */
  readonly transport: Transport;
  /** Distribution weight, 0..512. @default 1 */
  readonly weight?: number;
  /** Dual-site site, 1 or 2; 0 for a single-site group. @default 0 */
  readonly site?: 0 | 1 | 2;
  /** Software version; a member whose version differs from the coordinator's stays READY. @default 1 */
  readonly softwareVersion?: number;
  /** Configuration/policy digest; a mismatch keeps the member READY. @default 0 */
  readonly configDigest?: number;
  /** Heartbeat interval. @default 100 */
  readonly heartbeatMs?: number;
  /** A peer silent for this long is LOST. @default 1000 */
  readonly deadMs?: number;
  /** Retransmission timeout of the sync channel. @default 200 */
  readonly retransmitMs?: number;
  /** Most sync frames in flight per peer. @default 256 */
  readonly window?: number;
  /** Largest sync frame, bytes. @default 1400 */
  readonly mtu?: number;
  /**
   * ACTIVE members wanted (at most `tableSize` are); healthy members beyond it are STANDBY spares
   * (N+1). @default Infinity
   */
  readonly activeMembers?: number;
  /** Dual site: grade factor of one healthy member, 0..1000. @default 100 */
  readonly memberFactor?: number;
  /** Dual site: grade factors, 0..1000, of the component kinds members report. @default [] */
  readonly componentFactors?: readonly number[];
  /** Dual site: grade margin needed to move the Active site. @default 50 */
  readonly hysteresis?: number;
  /** Distribution table size, a prime (Maglev builds the first table). @default 65537 */
  readonly tableSize?: number;
  /** Sync exception of connections created without one. @default 'backup' */
  readonly defaultSync?: SyncPolicy;
}

/** Options with every default applied. */
export type ResolvedOptions = Required<Omit<MemberOptions, 'peers' | 'componentFactors'>> & {
  readonly peers: readonly string[];
  readonly componentFactors: readonly number[];
};

function bad(message: string): never {
  throw new HyperSyncError('INVALID_CONFIG', message);
}

function int(value: number, min: number, max: number, what: string): number {
  if (!Number.isInteger(value) || value < min || value > max)
    bad(`${what} ${shown(value)} must be an integer in ${min}..${max}`);
  return value;
}

/** `value` if it is a number (NaN included: the caller's range check refuses it), else an error. */
function num(value: unknown, what: string): number {
  if (typeof value !== 'number') bad(`${what} must be a number, got ${shown(value)}`);
  return value;
}

/** `value` if it is an array, else an error naming `what`. */
function list<T>(value: readonly T[], what: string): readonly T[] {
  if (!Array.isArray(value)) bad(`${what} must be an array, got ${shown(value)}`);
  return value;
}

function prime(n: number): number {
  for (let d = 2; d * d <= n; d++) if (n % d === 0) bad(`tableSize ${n} must be a prime (e.g. 65537)`);
  return n;
}

/** Applies defaults and checks every option. @throws HyperSyncError `INVALID_CONFIG` / `INVALID_MEMBER_ID`. */
export function resolveOptions(o: MemberOptions): ResolvedOptions {
  if (typeof o !== 'object' || o === null) bad(`member options must be an object, got ${shown(o)}`);
  assertMemberId(o.id);
  const peers = list(o.peers ?? [], 'peers');
  for (const p of peers) assertMemberId(p, 'peer id');
  if (typeof o.transport?.send !== 'function') bad('transport must have a send(to, bytes) method');
  const heartbeatMs = num(o.heartbeatMs ?? 100, 'heartbeatMs');
  const deadMs = num(o.deadMs ?? 1000, 'deadMs');
  if (!(heartbeatMs > 0) || !(deadMs > heartbeatMs))
    bad(`need 0 < heartbeatMs (${heartbeatMs}) < deadMs (${deadMs})`);
  const retransmitMs = num(o.retransmitMs ?? 200, 'retransmitMs');
  if (!(retransmitMs > 0)) bad(`retransmitMs ${retransmitMs} must be > 0`);
  const activeMembers = num(o.activeMembers ?? Number.POSITIVE_INFINITY, 'activeMembers');
  if (!(activeMembers >= 1)) bad(`activeMembers ${activeMembers} must be >= 1`);
  const componentFactors = list(o.componentFactors ?? [], 'componentFactors');
  if (componentFactors.length > 16) bad('at most 16 component kinds');
  for (const f of componentFactors) int(f, 0, 1000, 'component factor');
  const defaultSync = o.defaultSync ?? 'backup';
  if (defaultSync !== 'none' && defaultSync !== 'backup' && defaultSync !== 'all')
    bad(`defaultSync must be none, backup or all, got ${shown(defaultSync)}`);
  return {
    id: o.id,
    incarnation: int(o.incarnation ?? 1, 0, 0xffffffff, 'incarnation'),
    peers: peers.filter((p) => p !== o.id),
    transport: o.transport,
    weight: int(o.weight ?? 1, 0, 512, 'weight'),
    site: int(o.site ?? 0, 0, 2, 'site') as 0 | 1 | 2,
    softwareVersion: int(o.softwareVersion ?? 1, 0, 0xffffffff, 'softwareVersion'),
    configDigest: int(o.configDigest ?? 0, 0, 0xffffffff, 'configDigest'),
    heartbeatMs,
    deadMs,
    retransmitMs,
    window: int(o.window ?? 256, 1, 65535, 'window'),
    mtu: int(o.mtu ?? 1400, 128, 65000, 'mtu'),
    activeMembers,
    memberFactor: int(o.memberFactor ?? 100, 0, 1000, 'memberFactor'),
    componentFactors,
    hysteresis: int(o.hysteresis ?? 50, 0, 0x7fffffff, 'hysteresis'),
    tableSize: prime(int(o.tableSize ?? 65537, 2, 16_777_213, 'tableSize')),
    defaultSync,
  };
}
