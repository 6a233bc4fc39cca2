import { ConnectionRole, copyFields, ownerWins, type StoredConnection } from './connection.js';
import type { ConnectionStore } from './connection-store.js';
import { RecordOp, type SyncRecord } from './messages.js';
import type { SyncSender } from './sync-channel.js';
import type { SyncFrame } from './sync-frame.js';
import type { SyncStats } from './sync-stats.js';

/** What applying records needs from a member's sync engine. */
export interface ReplicaHost {
  readonly self: string;
  readonly store: ConnectionStore;
  readonly stats: SyncStats;
  readonly senders: ReadonlyMap<string, SyncSender>;
  /** Forgets a connection held here. */
  drop(conn: StoredConnection): void;
  /** Queues a connection on the channels it is replicated over (a delete once not owned). */
  queueChange(conn: StoredConnection): void;
}

/**
 * Drops every replica held from `owner` at `incarnation` (it reopened its channel and re-sends what
 * is needed). Replicas of its earlier incarnations are not its to re-send: the view change that
 * dropped them promoted them or left them waiting for their designated backup.
 */
export function forgetReplicasOf(h: ReplicaHost, owner: string, incarnation: number): void {
  const store = h.store;
  if (store.size === 0) return;
  const cols = store.cols;
  const who = cols.names.find(owner);
  if (who < 0) return;
  for (const chunk of cols.chunks) {
    const { role, owner: owners, ownerIncarnation, base } = chunk;
    const end = Math.min(chunk.size, cols.used - base);
    for (let i = 0; i < end; i++) {
      if (owners[i] !== who || ownerIncarnation[i] !== incarnation || role[i] === ConnectionRole.OWNER)
        continue;
      const conn = store.at(base + i);
      if (conn !== undefined) h.drop(conn);
    }
  }
}

/**
 * Applies the records of a frame from `frame.sender`. Two owners of one connection resolve by
 * {@link ownerWins}: a losing owner gives its copy up, a replica follows the winner, and whoever
 * meets a loser that may not know tells it with a claim.
 */
export function applyFrame(h: ReplicaHost, frame: SyncFrame): void {
  const owner = frame.sender;
  const records = frame.records;
  const store = h.store;
  for (let i = 0; i < frame.count; i++) {
    const rec = records[i];
    if (rec === undefined) break;
    const have = store.get(rec.id);
    h.stats.recordsApplied++;
    if (rec.op === RecordOp.DELETE) {
      if (have !== undefined && have.role !== ConnectionRole.OWNER && have.owner === owner) h.drop(have);
    } else if (rec.claim) {
      if (have !== undefined && have.role === ConnectionRole.OWNER) resolveClaim(h, have, rec, owner);
      else if (have === undefined || have.owner !== rec.owner) h.stats.conflicts++;
    } else if (have === undefined) {
      const role = rec.extra ? ConnectionRole.EXTRA : ConnectionRole.STANDBY;
      const backup = rec.extra ? rec.standby : undefined;
      store.add(rec, role, owner, frame.incarnation, rec.epoch, backup);
    } else if (have.role === ConnectionRole.OWNER) {
      h.stats.conflicts++;
      if (ownerWins(rec.epoch, owner, have.epoch, h.self)) {
        demote(h, have);
        follow(have, rec, owner, frame.incarnation);
      } else {
        h.senders.get(owner)?.claim(have);
      }
    } else if (have.owner === owner) {
      follow(have, rec, owner, frame.incarnation);
    } else if (ownerWins(rec.epoch, owner, have.epoch, have.owner)) {
      // The copy held here came from an owner that just lost: it may not know, tell it.
      const loser = have.owner;
      follow(have, rec, owner, frame.incarnation);
      if (have.role === ConnectionRole.STANDBY) h.senders.get(loser)?.claim(have);
    } else {
      // A record of an owner that lost this connection to the owner of the copy held here:
      // the copy stays, and the sender hears whom it lost to (it may not know that owner).
      h.stats.conflicts++;
      h.senders.get(owner)?.claim(have);
    }
  }
}

/** Makes a replica follow a record of its (new) owner. */
function follow(have: StoredConnection, rec: SyncRecord, owner: string, incarnation: number): void {
  copyFields(have, rec);
  const role = rec.extra ? ConnectionRole.EXTRA : ConnectionRole.STANDBY;
  if (have.role !== role) have.role = role;
  if (have.owner !== owner) have.owner = owner;
  have.ownerIncarnation = incarnation;
  have.epoch = rec.epoch;
  const backup = rec.extra ? rec.standby : undefined;
  if (have.backup !== backup) have.backup = backup;
}

/** Another owner's claim on a connection owned here: the loser gives it up. */
function resolveClaim(h: ReplicaHost, have: StoredConnection, rec: SyncRecord, sender: string): void {
  h.stats.conflicts++;
  const claimant = rec.owner ?? sender;
  if (!ownerWins(rec.epoch, claimant, have.epoch, h.self)) {
    (h.senders.get(claimant) ?? h.senders.get(sender))?.claim(have);
    return;
  }
  // Not its designated backup (that one gets a plain record): hold nothing for it.
  demote(h, have);
  h.drop(have);
}

/** Gives up ownership of a connection: its replicas elsewhere get a delete from here. */
function demote(h: ReplicaHost, conn: StoredConnection): void {
  h.stats.demoted++;
  conn.role = ConnectionRole.STANDBY;
  h.queueChange(conn);
  conn.backup = undefined;
}
