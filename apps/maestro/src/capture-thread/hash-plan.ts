import type { DistributionLayer, DistributionMode } from '@maestro/hash';

/**
 * What the capture thread needs to compute each packet's distribution hash as the group's
 * `distribute` would for the packet as captured (no policy rules, no rewritten key): the hash
 * function's `--hash` text, the layer, and each ingress's topology mode. Plain data, posted to
 * the thread.
 */
export interface HashPlan {
  /** The `--hash` value (`toeplitz`, `symmetric`, `keyed:<hex>`). */
  readonly hash: string;
  readonly layer: DistributionLayer;
  /** Capture interfaces the topology numbers (others count as interface 0). */
  readonly interfaces: number;
  /** The distinct modes of {@link modeOf}. */
  readonly modes: readonly DistributionMode[];
  /** Per ingress (`interface × 4096 + VLAN`): its mode's index in {@link modes}. */
  readonly modeOf: Uint8Array;
}
