/** Counters of the sync engine. */
export interface SyncStats {
  /** Records put into new frames (retransmissions not counted). */
  recordsSent: number;
  framesSent: number;
  framesRetransmitted: number;
  recordsApplied: number;
  /** Replicas this member promoted to owner after their owner left. */
  promoted: number;
  /**
   * Ownership conflicts met: a record or claim from a second owner of a connection (resolved by
   * epoch, then owner id), or a record from an owner that already lost.
   */
  conflicts: number;
  /** Owned connections this member gave up because another owner's copy won. */
  demoted: number;
  /** Frames or acks dropped as stale (wrong incarnation or sender not in the view). */
  stale: number;
}

/** Zeroed counters. */
export function createSyncStats(): SyncStats {
  return {
    recordsSent: 0,
    framesSent: 0,
    framesRetransmitted: 0,
    recordsApplied: 0,
    promoted: 0,
    conflicts: 0,
    demoted: 0,
    stale: 0,
  };
}
