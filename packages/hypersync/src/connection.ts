import type { ConnectionFields } from './messages.js';

/** What a member holds a connection as. */
export const ConnectionRole: { readonly OWNER: 0; readonly STANDBY: 1; readonly EXTRA: 2 } = {
  OWNER: 0,
  STANDBY: 1,
  EXTRA: 2,
};
/** One of the {@link ConnectionRole} values: the per-connection Active (owner), Standby (backup) or an extra copy. */
export type ConnectionRole = (typeof ConnectionRole)[keyof typeof ConnectionRole];

/**
 * A connection as a member stores it: the synced fields plus who owns it and where its replica
 * lives. Mutable and internal; callers read snapshots.
 */
export interface StoredConnection extends ConnectionFields {
  role: ConnectionRole;
  /** Owner member id. */
  owner: string;
  /** Owner incarnation the record came from. */
  ownerIncarnation: number;
  /**
   * Ownership epoch: 0 when created, bumped on every promotion. Two members that both own the
   * connection (after a partition) keep the copy with the higher epoch, then the smaller owner id.
   */
  epoch: number;
  /** True while the connection is in its member's store (queued records read it lazily). */
  held: boolean;
  /** Owner: the designated backup (undefined when unsynced or alone). Extra copy: the owner's designated backup. */
  backup: string | undefined;
  /** Token of the channel this connection is queued on (0: none), to coalesce repeated changes. */
  queuedOn: number;
}

/** A read-only snapshot of a stored connection. */
export type ConnectionInfo = Readonly<StoredConnection>;

/** One shape for every stored connection (a literal, so V8 keeps a single fast hidden class). */
export function storedConnection(
  f: ConnectionFields,
  role: ConnectionRole,
  owner: string,
  ownerIncarnation: number,
  epoch: number,
  backup: string | undefined,
): StoredConnection {
  return {
    id: f.id,
    policy: f.policy,
    family: f.family,
    protocol: f.protocol,
    portKind: f.portKind,
    srcV4: f.srcV4,
    dstV4: f.dstV4,
    src6: f.src6,
    dst6: f.dst6,
    srcPort: f.srcPort,
    dstPort: f.dstPort,
    hash: f.hash,
    state: f.state,
    timeout: f.timeout,
    rev: f.rev,
    target: f.target,
    payload: f.payload,
    role,
    owner,
    ownerIncarnation,
    epoch,
    backup,
    queuedOn: 0,
    held: true,
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
