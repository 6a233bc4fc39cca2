import { CHUNK_MASK, type ColumnChunk } from './connection-columns.js';
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
 * A connection as a member stores it: the synced fields on the object, its ownership state (role,
 * owner, owner incarnation, epoch, revision, backup) in the store's {@link ConnectionColumns} at
 * `slot`, behind accessors, so a failover rewrites the ownership of a million connections
 * without touching an object. Once the connection is dropped its slot may serve another one: its
 * ownership accessors then read that one's (queued deletes read only the id and policy).
 * Mutable and internal; callers read snapshots or visit it read-only.
 */
export class StoredConnection implements ConnectionInfo, ConnectionFields {
  // Fields are `declare`d: instances are object literals made by storedConnection().
  /**
   * Connection id. On the object, not in a column: a dropped connection's delete record is
   * written after its slot may have been handed to another connection.
   */
  declare id: number;
  declare policy: SyncPolicy;
  declare family: 4 | 6;
  declare protocol: number;
  declare portKind: number;
  declare srcV4: number;
  declare dstV4: number;
  declare srcPort: number;
  declare dstPort: number;
  declare hash: number;
  declare state: number;
  declare timeout: number;
  declare src6: Uint8Array | undefined;
  declare dst6: Uint8Array | undefined;
  declare target: string | undefined;
  declare payload: Uint8Array | undefined;
  /** True while the connection is in its member's store (queued records read it lazily). */
  declare held: boolean;
  /** Token of the channel this connection is queued on (0: none), to coalesce repeated changes. */
  declare queuedOn: number;
  /** The chunk of the store's columns holding this connection's ownership state. */
  declare readonly c: ColumnChunk;
  /** This connection's index in `c`. */
  declare readonly i: number;

  /** Instances come from {@link storedConnection}, never from `new`. */
  private constructor() {}

  /** This connection's slot in the store's columns. */
  get slot(): number {
    return this.c.base + this.i;
  }

  /** What this member holds the connection as. */
  get role(): ConnectionRole {
    return (this.c.role[this.i] ?? 0) as ConnectionRole;
  }
  set role(r: ConnectionRole) {
    this.c.role[this.i] = r;
  }

  /** Owner member id. */
  get owner(): string {
    return this.c.names.name(this.c.owner[this.i] ?? 0) ?? '';
  }
  set owner(id: string) {
    this.c.owner[this.i] = this.c.names.intern(id);
  }

  /** Owner incarnation the record came from. */
  get ownerIncarnation(): number {
    return this.c.ownerIncarnation[this.i] ?? 0;
  }
  set ownerIncarnation(inc: number) {
    this.c.ownerIncarnation[this.i] = inc;
  }

  /** Ownership epoch (see {@link ConnectionInfo.epoch}). */
  get epoch(): number {
    return this.c.epoch[this.i] ?? 0;
  }
  set epoch(e: number) {
    this.c.epoch[this.i] = e;
  }

  /** Revision: bumped by the owner on every change. */
  get rev(): number {
    return this.c.rev[this.i] ?? 0;
  }
  set rev(r: number) {
    this.c.rev[this.i] = r;
  }

  /** Owner: the designated backup. Extra copy: the owner's designated backup. */
  get backup(): string | undefined {
    return this.c.names.name(this.c.backup[this.i] ?? 0);
  }
  set backup(id: string | undefined) {
    this.c.backup[this.i] = this.c.names.intern(id);
  }
}

const STORED_PROTOTYPE: object = StoredConnection.prototype;

/**
 * A new stored connection in `slot` of the store's columns: an object literal on
 * StoredConnection's prototype rather than `new`, because V8 allocates the objects of a literal
 * that keep surviving straight into the old generation (pretenuring), while constructed ones are
 * first copied through the young generation: with `new`, scavenges promoted six times the bytes
 * and took most of the bulk resync's time.
 */
export function storedConnection(chunk: ColumnChunk, slot: number, f: ConnectionFields): StoredConnection {
  const i = slot & CHUNK_MASK;
  chunk.rev[i] = f.rev;
  const conn = {
    __proto__: STORED_PROTOTYPE,
    id: f.id,
    policy: f.policy,
    family: f.family,
    protocol: f.protocol,
    portKind: f.portKind,
    srcV4: f.srcV4,
    dstV4: f.dstV4,
    srcPort: f.srcPort,
    dstPort: f.dstPort,
    hash: f.hash,
    state: f.state,
    timeout: f.timeout,
    src6: f.src6,
    dst6: f.dst6,
    target: f.target,
    payload: f.payload,
    held: true,
    queuedOn: 0,
    c: chunk,
    i,
  };
  return conn as unknown as StoredConnection;
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
