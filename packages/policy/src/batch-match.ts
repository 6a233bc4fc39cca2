import type { FlowKey } from '@maestro/hash';
import { type FlowCache, MISS } from './flow-cache.js';
import { BAD_PACKET, packetPoint } from './packet-point.js';
import { POINT_STRIDE, ROOT_WORD } from './point-layout.js';
import { KERNEL_BATCH, type TreeKernel, treeKernel } from './tree-kernel.js';
import { lookupPair, type TreePair } from './tree-pair.js';

/** Packets per batch of {@link matchKeys}. */
export const BATCH: number = KERNEL_BATCH;

/**
 * Per-matcher scratch of {@link matchKeys}: one batch of packets as points, in the WebAssembly
 * kernel's memory when there is a kernel. Internal to the package.
 */
export class BatchScratch {
  /** The tree pair the JavaScript walk takes. */
  readonly pair: TreePair;
  /** The root word of an IPv4 point: the IPv4 root, in the kernel's copy when there is a kernel. */
  readonly root4: number;
  /** The root word of an IPv6 point. */
  readonly root6: number;
  /** The kernel, or undefined: then the points are walked in JavaScript. */
  readonly kernel: TreeKernel | undefined;
  /** Lane `l`'s point at `POINT_STRIDE * l`, its root at word {@link ROOT_WORD}. */
  readonly points: Int32Array;
  /** Lane `l`'s rule after {@link walk}. */
  readonly results: Int32Array;
  /** The packet (index into the caller's arrays) of lane `l`. */
  readonly packet: Int32Array = new Int32Array(BATCH);
  /** Lane `l`'s flow-cache slot, or -1 (IPv6, or no cache). */
  readonly slot: Int32Array = new Int32Array(BATCH);

  /** Scratch over `pair`, with a WebAssembly kernel when `wasm` and the platform allow. */
  constructor(pair: TreePair, wasm: boolean) {
    const kernel = wasm ? treeKernel(pair) : undefined;
    this.kernel = kernel;
    this.pair = pair;
    this.root4 = kernel?.root4 ?? pair.root4;
    this.root6 = kernel?.root6 ?? pair.root6;
    this.points = kernel?.points ?? new Int32Array(BATCH * POINT_STRIDE);
    this.results = kernel?.out ?? new Int32Array(BATCH);
  }

  /** The rule of lane 0's point, from `root` down. */
  lookupOne(root: number): number {
    const points = this.points;
    points[ROOT_WORD] = root;
    const kernel = this.kernel;
    if (kernel === undefined) return lookupPair(this.pair, root, points, 0);
    kernel.run(1);
    return this.results[0] as number;
  }

  /** Looks up the points of lanes `0 .. lanes-1` into {@link results}. */
  walk(lanes: number): void {
    const kernel = this.kernel;
    if (kernel !== undefined) {
      kernel.run(lanes);
      return;
    }
    const pair = this.pair;
    const points = this.points;
    const results = this.results;
    for (let l = 0; l < lanes; l++) {
      const at = l * POINT_STRIDE;
      results[l] = lookupPair(pair, points[at + ROOT_WORD] as number, points, at);
    }
  }
}

/** Walks the lanes, then hands each result to its packet and to the flow cache. */
function flush(scratch: BatchScratch, cache: FlowCache | undefined, lanes: number, out: Int32Array): void {
  scratch.walk(lanes);
  const results = scratch.results;
  const packet = scratch.packet;
  const slot = scratch.slot;
  for (let l = 0; l < lanes; l++) {
    const rule = results[l] as number;
    out[packet[l] as number] = rule;
    const o = slot[l] as number;
    if (cache !== undefined && o >= 0) cache.put(o, scratch.points, l * POINT_STRIDE, rule);
  }
}

/** {@link matchKeys} without a flow cache: lane `l` of a batch is its packet `l`. */
function matchUncached(
  scratch: BatchScratch,
  interfaceCount: number,
  keys: ArrayLike<FlowKey>,
  ifaces: Int32Array,
  vlans: Int32Array,
  out: Int32Array,
  count: number,
): number {
  const points = scratch.points;
  const results = scratch.results;
  const root4 = scratch.root4;
  const root6 = scratch.root6;
  for (let from = 0; from < count; from += BATCH) {
    const m = Math.min(BATCH, count - from);
    let l = 0;
    for (; l < m; l++) {
      const i = from + l;
      const at = l * POINT_STRIDE;
      const family = packetPoint(
        keys[i] as FlowKey,
        ifaces[i] as number,
        vlans[i] as number,
        interfaceCount,
        points,
        at,
      );
      if (family === BAD_PACKET) break;
      points[at + ROOT_WORD] = family === 4 ? root4 : root6;
    }
    scratch.walk(l);
    for (let k = 0; k < l; k++) out[from + k] = results[k] as number;
    if (l < m) return from + l;
  }
  return count;
}

/**
 * Matches `keys[0 .. count-1]` (on `ifaces[i]`, `vlans[i]`) batch by batch: reads and checks up
 * to {@link BATCH} packets into points (IPv4 ones answered by the flow cache when it holds them),
 * then walks the rest at once, in the WebAssembly kernel when there is one. Returns `count` when
 * every packet was valid, else the index of the first refused packet; `out` then holds the
 * results of every packet before it and nothing from it on.
 */
export function matchKeys(
  scratch: BatchScratch,
  cache: FlowCache | undefined,
  interfaceCount: number,
  keys: ArrayLike<FlowKey>,
  ifaces: Int32Array,
  vlans: Int32Array,
  out: Int32Array,
  count: number,
): number {
  if (cache === undefined) return matchUncached(scratch, interfaceCount, keys, ifaces, vlans, out, count);
  const points = scratch.points;
  const packet = scratch.packet;
  const slot = scratch.slot;
  const root4 = scratch.root4;
  const root6 = scratch.root6;
  for (let from = 0; from < count; from += BATCH) {
    const m = Math.min(BATCH, count - from);
    let lanes = 0;
    for (let i = from; i < from + m; i++) {
      const at = lanes * POINT_STRIDE;
      const family = packetPoint(
        keys[i] as FlowKey,
        ifaces[i] as number,
        vlans[i] as number,
        interfaceCount,
        points,
        at,
      );
      if (family === BAD_PACKET) {
        flush(scratch, cache, lanes, out);
        return i;
      }
      let o = -1;
      if (family === 4 && cache !== undefined && cache.active()) {
        o = cache.slot(points, at);
        const hit = cache.get(o);
        if (hit !== MISS) {
          out[i] = hit;
          continue;
        }
      }
      points[at + ROOT_WORD] = family === 4 ? root4 : root6;
      packet[lanes] = i;
      slot[lanes] = o;
      lanes++;
    }
    flush(scratch, cache, lanes, out);
  }
  return count;
}
