import type { FlowKey } from '@maestro/hash';
import { batchPoints } from './batch-points.js';
import { type FlowCache, MISS } from './flow-cache.js';
import { PACKET_WORDS, type PacketBatch } from './packet-batch.js';
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
  /** The family (4 or 6) of lane `l`'s point, as the conversion wrote it. */
  readonly family: Int32Array;

  /** Scratch over `pair`, with a WebAssembly kernel when `wasm` and the platform allow. */
  constructor(pair: TreePair, wasm: boolean) {
    const kernel = wasm ? treeKernel(pair) : undefined;
    this.kernel = kernel;
    this.pair = pair;
    this.root4 = kernel?.root4 ?? pair.root4;
    this.root6 = kernel?.root6 ?? pair.root6;
    this.points = kernel?.points ?? new Int32Array(BATCH * POINT_STRIDE);
    this.results = kernel?.out ?? new Int32Array(BATCH);
    this.family = kernel?.families ?? new Int32Array(BATCH);
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

/**
 * Lanes `0 .. l-1` hold the points of packets `from .. from+l-1`: answers each into `out`, IPv4
 * ones from the flow cache when it holds them, the rest by one walk.
 */
function answer(
  scratch: BatchScratch,
  cache: FlowCache | undefined,
  l: number,
  out: Int32Array,
  from: number,
): void {
  const results = scratch.results;
  if (cache === undefined) {
    scratch.walk(l);
    for (let k = 0; k < l; k++) out[from + k] = results[k] as number;
    return;
  }
  const points = scratch.points;
  const family = scratch.family;
  const packet = scratch.packet;
  const slot = scratch.slot;
  let lanes = 0;
  for (let k = 0; k < l; k++) {
    const at = k * POINT_STRIDE;
    let o = -1;
    if (family[k] === 4 && cache.active()) {
      o = cache.slot(points, at);
      const hit = cache.get(o);
      if (hit !== MISS) {
        out[from + k] = hit;
        continue;
      }
    }
    // Walked lanes stay packed: move the point down over the lanes the cache answered.
    if (lanes !== k) {
      const to = lanes * POINT_STRIDE;
      for (let w = 0; w < POINT_STRIDE; w++) points[to + w] = points[at + w] as number;
    }
    packet[lanes] = from + k;
    slot[lanes] = o;
    lanes++;
  }
  scratch.walk(lanes);
  for (let k = 0; k < lanes; k++) {
    const rule = results[k] as number;
    out[packet[k] as number] = rule;
    const o = slot[k] as number;
    if (o >= 0) cache.put(o, points, k * POINT_STRIDE, rule);
  }
}

/**
 * Matches `keys[0 .. count-1]` (on `ifaces[i]`, `vlans[i]`) batch by batch: reads and checks up
 * to {@link BATCH} packets into points, then answers them at once (IPv4 ones from the flow cache
 * when it holds them, the rest by a walk, in the WebAssembly kernel when there is one). Returns
 * `count` when every packet was valid, else the index of the first refused packet; `out` then
 * holds the results of every packet before it and nothing from it on.
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
  const points = scratch.points;
  const family = scratch.family;
  const root4 = scratch.root4;
  const root6 = scratch.root6;
  for (let from = 0; from < count; from += BATCH) {
    const m = Math.min(BATCH, count - from);
    let l = 0;
    try {
      for (; l < m; l++) {
        const i = from + l;
        const at = l * POINT_STRIDE;
        const f = packetPoint(
          keys[i] as FlowKey,
          ifaces[i] as number,
          vlans[i] as number,
          interfaceCount,
          points,
          at,
        );
        if (f === BAD_PACKET) break;
        family[l] = f;
        points[at + ROOT_WORD] = f === 4 ? root4 : root6;
      }
    } catch {
      // Packet l has a field whose conversion to a number throws (see checkedPoint): refused.
    }
    answer(scratch, cache, l, out, from);
    if (l < m) return from + l;
  }
  return count;
}

/**
 * {@link matchKeys} for packets `0 .. count-1` of a {@link PacketBatch}: with a kernel, each batch's
 * words are copied into its memory in one go and converted there; else in JavaScript.
 */
export function matchBatch(
  scratch: BatchScratch,
  cache: FlowCache | undefined,
  interfaceCount: number,
  batch: PacketBatch,
  out: Int32Array,
  count: number,
): number {
  const words = batch.words;
  const kernel = scratch.kernel;
  for (let from = 0; from < count; from += BATCH) {
    const m = Math.min(BATCH, count - from);
    let l: number;
    if (kernel !== undefined) {
      kernel.records.set(words.subarray(PACKET_WORDS * from, PACKET_WORDS * (from + m)));
      l = kernel.convert(m, interfaceCount);
    } else {
      l = batchPoints(
        words,
        from,
        m,
        interfaceCount,
        scratch.points,
        scratch.family,
        scratch.root4,
        scratch.root6,
      );
    }
    answer(scratch, cache, l, out, from);
    if (l < m) return from + l;
  }
  return count;
}
