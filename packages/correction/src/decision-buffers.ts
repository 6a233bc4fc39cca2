/**
 * Per-packet results of `MemberEngine.decideMany`, one typed array per field, indexed like the
 * packets: what `decide` returns and what it leaves in `lastTarget`, `lastReason` and `lastDrop`.
 */
export interface DecisionBuffers {
  /** The {@link Decision} of each packet. */
  readonly decision: Uint8Array;
  /** The member a FORWARD goes to; -1 for any other decision. */
  readonly target: Int32Array;
  /** The {@link Reason} behind each decision. */
  readonly reason: Uint8Array;
  /** The {@link DropCause} of a DROP, 0 otherwise. */
  readonly drop: Uint8Array;
}

/** Buffers for `decideMany` batches of up to `size` packets; reuse them from batch to batch. */
export function createDecisionBuffers(size: number): DecisionBuffers {
  return {
    decision: new Uint8Array(size),
    target: new Int32Array(size),
    reason: new Uint8Array(size),
    drop: new Uint8Array(size),
  };
}
