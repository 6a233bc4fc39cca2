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

/**
 * True when `out` holds the four typed arrays of {@link DecisionBuffers}, each of `count` at least
 * (`out` from outside data: any value). Internal to the package.
 */
export function fitsBuffers(out: DecisionBuffers, count: number): boolean {
  return (
    typeof out === 'object' &&
    out !== null &&
    out.decision instanceof Uint8Array &&
    out.target instanceof Int32Array &&
    out.reason instanceof Uint8Array &&
    out.drop instanceof Uint8Array &&
    count <= out.decision.length &&
    count <= out.target.length &&
    count <= out.reason.length &&
    count <= out.drop.length
  );
}
