import type { ByteWriter } from './byte-writer.js';
import { ConnectionRole, type StoredConnection } from './connection.js';
import { RecordOp } from './messages.js';
import type { ReplicaHost } from './record-apply.js';
import { DELETE_RECORD_SIZE, recordSize, writeDelete, writeUpsert } from './record-codec.js';

/**
 * Writes the record of `conn` owed to `peer` if it fits in `room` bytes; returns false if not.
 * An owned connection goes as an upsert to its backup (and to everyone under the `all` policy),
 * as a claim when `claim` asks for one; anything else queued for a peer is a delete.
 */
export function writeEntry(
  h: ReplicaHost,
  w: ByteWriter,
  conn: StoredConnection,
  peer: string,
  room: number,
  claim: boolean,
): boolean {
  if (conn.held && conn.role === ConnectionRole.OWNER) {
    const standby = peer === conn.backup;
    if (standby || claim || conn.policy === 'all') {
      const extraStandby = standby ? undefined : conn.backup;
      const claimOwner = claim && !standby && conn.policy !== 'all' ? h.self : undefined;
      if (recordSize(conn, extraStandby, claimOwner) > room) return false;
      const op = conn.rev <= 1 ? RecordOp.CREATE : RecordOp.UPDATE;
      writeUpsert(w, conn, op, !standby, extraStandby, conn.epoch, claimOwner);
      if (!claim) unmark(h, conn, peer);
      return true;
    }
  }
  if (claim) {
    // A replica's claim: its owner beat the peer's copy (see applyFrame).
    if (conn.held && conn.role !== ConnectionRole.OWNER) {
      if (recordSize(conn, undefined, conn.owner) > room) return false;
      writeUpsert(w, conn, RecordOp.UPDATE, true, undefined, conn.epoch, conn.owner);
    }
    return true;
  }
  if (DELETE_RECORD_SIZE > room) return false;
  writeDelete(w, conn.id);
  unmark(h, conn, peer);
  return true;
}

/** Clears the coalescing mark of `conn` once its record to `peer` is framed. */
function unmark(h: ReplicaHost, conn: StoredConnection, peer: string): void {
  if (conn.queuedOn !== 0 && conn.queuedOn === h.senders.get(peer)?.token) conn.queuedOn = 0;
}
