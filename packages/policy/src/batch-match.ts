import type { FlowKey } from '@maestro/hash';
import { BAD_PACKET, packetPoint } from './packet-point.js';
import { lookupPair, type TreePair } from './tree-pair.js';

/** Ints per lane's point (13 fields, padded to a power of two). */
export const POINT_STRIDE = 16;

/** Packets per batch of {@link matchKeys}. */
export const BATCH = 16;

/**
 * Per-matcher scratch of {@link matchKeys}: one batch of packets as points and each one's root.
 * Internal to the package.
 */
export class Lanes {
  /** Packet `l` of the batch's field values at `POINT_STRIDE * l`. */
  readonly points: Int32Array = new Int32Array(BATCH * POINT_STRIDE);
  /** Packet `l` of the batch's tree root (its family's). */
  readonly root: Int32Array = new Int32Array(BATCH);
}

function lookupLanes(pair: TreePair, lanes: Lanes, count: number, out: Int32Array, from: number): void {
  const points = lanes.points;
  const root = lanes.root;
  for (let l = 0; l < count; l++)
    out[from + l] = lookupPair(pair, root[l] as number, points, l * POINT_STRIDE);
}

/**
 * Matches `keys[0 .. count-1]` (on `ifaces[i]`, `vlans[i]`) batch by batch: reads and checks up to
 * {@link BATCH} packets into points, then looks each point up, one after the other. Walking the
 * points of a batch in lockstep (each round moving every unfinished one a node down) did
 * 0.57-0.70x of these plain walks in V8: a lookup here is bound by instructions, not by waiting
 * on memory, and the out-of-order core already overlaps consecutive walks. Returns `count` when every
 * packet was valid, else the index of the first refused packet; `out` then holds the results of
 * every packet before it and nothing past it.
 */
export function matchKeys(
  pair: TreePair,
  lanes: Lanes,
  interfaceCount: number,
  keys: ArrayLike<FlowKey>,
  ifaces: Int32Array,
  vlans: Int32Array,
  out: Int32Array,
  count: number,
): number {
  const points = lanes.points;
  const root = lanes.root;
  const root4 = pair.root4;
  const root6 = pair.root6;
  for (let from = 0; from < count; from += BATCH) {
    const m = Math.min(BATCH, count - from);
    for (let l = 0; l < m; l++) {
      const i = from + l;
      const family = packetPoint(
        keys[i] as FlowKey,
        ifaces[i] as number,
        vlans[i] as number,
        interfaceCount,
        points,
        l * POINT_STRIDE,
      );
      if (family === BAD_PACKET) {
        lookupLanes(pair, lanes, l, out, from);
        return i;
      }
      root[l] = family === 4 ? root4 : root6;
    }
    lookupLanes(pair, lanes, m, out, from);
  }
  return count;
}
