import type { ConnectionColumns } from './connection-columns.js';
import type { ConnectionFields, SyncPolicy } from './messages.js';

/** What a member holds a connection as. */
export const ConnectionRole: { readonly OWNER: 0; readonly STANDBY: 1; readonly EXTRA: 2 } = {
  OWNER: 0,
  STANDBY: 1,
  EXTRA: 2,
};
/** One of the {@link ConnectionRole} values: the per-connection Active (owner), Standby (backup) or an extra copy. */
export type ConnectionRole = (typeof ConnectionRole)[keyof typeof ConnectionRole];

/** A read-only view of a connection held by a member: its synced fields, who owns it and where its replica lives. */
export interface ConnectionInfo extends Readonly<ConnectionFields> {
  readonly role: ConnectionRole;
  /** Owner member id. */
  readonly owner: string;
  /** Owner incarnation the record came from. */
  readonly ownerIncarnation: number;
  /**
   * Ownership epoch: 0 when created, bumped on every promotion. Two members that both own the
   * connection (after a partition) keep the copy with the higher epoch, then the smaller owner id.
   */
  readonly epoch: number;
  /** True while the connection is in its member's store. */
  readonly held: boolean;
  /** Owner: the designated backup (undefined when unsynced or alone). Extra copy: the owner's designated backup. */
  readonly backup: string | undefined;
  /** Token of the channel this connection is queued on (0: none), to coalesce repeated changes. */
  readonly queuedOn: number;
}

/**
 * A connection as a member stores it. The synced fields live on the object; role, owner, owner
 * incarnation, epoch, revision and backup live in the store's {@link ConnectionColumns} at
 * `slot` (a failover rewrites those for a million connections without touching an object).
 * Mutable and internal; callers read snapshots or visit it read-only.
 */
export class StoredConnection implements ConnectionInfo, ConnectionFields {
  id: number;
  policy: SyncPolicy;
  family: 4 | 6;
  protocol: number;
  portKind: number;
  srcV4: number;
  dstV4: number;
  src6: Uint8Array | undefined;
  dst6: Uint8Array | undefined;
  srcPort: number;
  dstPort: number;
  hash: number;
  state: number;
  timeout: number;
  target: string | undefined;
  payload: Uint8Array | undefined;
  /** True while the connection is in its member's store (queued records read it lazily). */
  held = true;
  /** Token of the channel this connection is queued on (0: none), to coalesce repeated changes. */
  queuedOn = 0;

  constructor(
    private readonly cols: ConnectionColumns,
    /** This connection's slot in `cols`. */
    readonly slot: number,
    f: ConnectionFields,
  ) {
    this.id = f.id;
    this.policy = f.policy;
    this.family = f.family;
    this.protocol = f.protocol;
    this.portKind = f.portKind;
    this.srcV4 = f.srcV4;
    this.dstV4 = f.dstV4;
    this.src6 = f.src6;
    this.dst6 = f.dst6;
    this.srcPort = f.srcPort;
    this.dstPort = f.dstPort;
    this.hash = f.hash;
    this.state = f.state;
    this.timeout = f.timeout;
    this.target = f.target;
    this.payload = f.payload;
    cols.rev[slot] = f.rev;
  }

  /** What this member holds the connection as. */
  get role(): ConnectionRole {
    return (this.cols.role[this.slot] ?? 0) as ConnectionRole;
  }
  set role(r: ConnectionRole) {
    this.cols.role[this.slot] = r;
  }

  /** Owner member id. */
  get owner(): string {
    return this.cols.names.name(this.cols.owner[this.slot] ?? 0) ?? '';
  }
  set owner(id: string) {
    this.cols.owner[this.slot] = this.cols.names.intern(id);
  }

  /** Owner incarnation the record came from. */
  get ownerIncarnation(): number {
    return this.cols.ownerIncarnation[this.slot] ?? 0;
  }
  set ownerIncarnation(inc: number) {
    this.cols.ownerIncarnation[this.slot] = inc;
  }

  /** Ownership epoch (see {@link ConnectionInfo.epoch}). */
  get epoch(): number {
    return this.cols.epoch[this.slot] ?? 0;
  }
  set epoch(e: number) {
    this.cols.epoch[this.slot] = e;
  }

  /** Revision: bumped by the owner on every change. */
  get rev(): number {
    return this.cols.rev[this.slot] ?? 0;
  }
  set rev(r: number) {
    this.cols.rev[this.slot] = r;
  }

  /** Owner: the designated backup. Extra copy: the owner's designated backup. */
  get backup(): string | undefined {
    return this.cols.names.name(this.cols.backup[this.slot] ?? 0);
  }
  set backup(id: string | undefined) {
    this.cols.backup[this.slot] = this.cols.names.intern(id);
  }
}

/** A detached copy of a connection (what `Member.connection` returns). */
export function snapshotConnection(c: ConnectionInfo): ConnectionInfo {
  return {
    id: c.id,
    policy: c.policy,
    family: c.family,
    protocol: c.protocol,
    portKind: c.portKind,
    srcV4: c.srcV4,
    dstV4: c.dstV4,
    src6: c.src6,
    dst6: c.dst6,
    srcPort: c.srcPort,
    dstPort: c.dstPort,
    hash: c.hash,
    state: c.state,
    timeout: c.timeout,
    rev: c.rev,
    target: c.target,
    payload: c.payload,
    role: c.role,
    owner: c.owner,
    ownerIncarnation: c.ownerIncarnation,
    epoch: c.epoch,
    held: c.held,
    backup: c.backup,
    queuedOn: c.queuedOn,
  };
}

/**
 * Copies the synced fields of a record into a stored replica. Pointer fields are written only
 * when they change: a replica is updated in place millions of times and an old-space store of a
 * pointer costs a write barrier.
 */
export function copyFields(to: StoredConnection, f: ConnectionFields): void {
  if (to.policy !== f.policy) to.policy = f.policy;
  to.family = f.family;
  to.protocol = f.protocol;
  to.portKind = f.portKind;
  to.srcV4 = f.srcV4;
  to.dstV4 = f.dstV4;
  if (to.src6 !== f.src6) to.src6 = f.src6;
  if (to.dst6 !== f.dst6) to.dst6 = f.dst6;
  to.srcPort = f.srcPort;
  to.dstPort = f.dstPort;
  to.hash = f.hash;
  to.state = f.state;
  to.timeout = f.timeout;
  to.rev = f.rev;
  if (to.target !== f.target) to.target = f.target;
  if (to.payload !== f.payload) to.payload = f.payload;
}

/**
 * The ownership order: true when a copy owned by `ownerA` at `epochA` beats one owned by `ownerB`
 * at `epochB` (higher epoch, then the smaller id). Every member applies the same order, so two
 * owners of one connection resolve to the same winner wherever they meet.
 */
export function ownerWins(epochA: number, ownerA: string, epochB: number, ownerB: string): boolean {
  return epochA > epochB || (epochA === epochB && ownerA < ownerB);
}
