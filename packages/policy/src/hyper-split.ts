import type { BoxSet } from './box-set.js';
import { FIELD_MAX, FIELD_MIN } from './box-set.js';

/**
 * A HyperSplit decision tree (Qi et al., 2009) over the boxes of a {@link BoxSet}: each inner node
 * splits one field at a threshold, each leaf lists the few boxes that can still match there, in
 * priority order, with only the checks the leaf's region does not already decide.
 */
export interface SplitTree {
  /**
   * Inner nodes, 16 ints (one cache line) each: the field, 7 ascending thresholds (unused ones
   * are the field's maximum) and 8 children; a value goes to child `i` when exactly `i`
   * thresholds lie below it.
   */
  readonly nodes: Int32Array;
  /**
   * Leaves: `count`, then per box `rule, end` and its checks up to `end` (where the next box
   * starts): each check is `field | n << 8` and `n` interval `lo, hi` pairs, one of which must hold
   * the field's value. A field the leaf's region already decides for the box is not checked.
   */
  readonly code: Int32Array;
  /** The root: an inner node index (>= 0), or `~offset` of a leaf in `code`. */
  readonly root: number;
  /** Leaves in the tree. */
  readonly leaves: number;
  /** Deepest leaf. */
  readonly depth: number;
}

/** Options of {@link buildSplitTree}. */
export interface SplitOptions {
  /** A region with at most this many candidate boxes becomes a leaf. @default 8 */
  readonly leafSize?: number;
  /**
   * A split may copy boxes into both sides, but the two sides together may hold at most this
   * many times the region's boxes; a region no split can cut within that stays one larger leaf,
   * scanned linearly. It keeps replication (memory and compile time) in check. @default 1.5
   */
  readonly replication?: number;
  /**
   * Past this many ints of nodes and leaf code the tree stops splitting (remaining regions become
   * larger leaves), so that no rule set can grow memory without bound. @default 2^23
   */
  readonly budget?: number;
  /**
   * Regions with at most this many boxes drop every box an earlier box shadows inside the region
   * (a quadratic pass; 0 turns it off). @default 256
   */
  readonly shadowLimit?: number;
}

const MAX_DEPTH = 40;
/** Children per inner node. */
const NODE_WAYS = 8;

interface Part {
  readonly ids: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

interface Split {
  readonly field: number;
  readonly threshold: number;
}

class IntList {
  data: Int32Array = new Int32Array(1024);
  length = 0;

  push(x: number): void {
    if (this.length === this.data.length) {
      const grown = new Int32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = x;
  }

  toArray(): Int32Array {
    return this.data.slice(0, this.length);
  }
}

function upperBound(sorted: Int32Array, x: number): number {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if ((sorted[m] as number) <= x) a = m + 1;
    else b = m;
  }
  return a;
}

class Builder {
  readonly nodes = new IntList();
  readonly code = new IntList();
  leaves = 0;
  depth = 0;
  private readonly seen = new Map<string, number>();
  private readonly boxes: BoxSet;
  private readonly leafSize: number;
  private readonly budget: number;
  private readonly replication: number;
  private readonly shadowLimit: number;

  constructor(boxes: BoxSet, options: SplitOptions) {
    this.boxes = boxes;
    this.leafSize = options.leafSize ?? 8;
    this.budget = options.budget ?? 1 << 23;
    this.replication = options.replication ?? 1.5;
    this.shadowLimit = options.shadowLimit ?? 256;
  }

  /** The clipped lowest (`which` 0) or highest (1) value of box `b` on field `f` inside [lo, hi]. */
  private extent(b: number, f: number, lo: number, hi: number, which: number): number {
    const { start, length, ivals, fields } = this.boxes;
    const s = start[b * fields + f] as number;
    const n = length[b * fields + f] as number;
    if (which === 0) {
      for (let i = s; i < s + n; i++) {
        if ((ivals[2 * i + 1] as number) >= lo) return Math.max(ivals[2 * i] as number, lo);
      }
      return FIELD_MAX;
    }
    for (let i = s + n - 1; i >= s; i--) {
      if ((ivals[2 * i] as number) <= hi) return Math.min(ivals[2 * i + 1] as number, hi);
    }
    return FIELD_MIN;
  }

  private covers(b: number, f: number, lo: number, hi: number): boolean {
    const { start, length, ivals, fields } = this.boxes;
    const s = start[b * fields + f] as number;
    for (let i = s, end = s + (length[b * fields + f] as number); i < end; i++) {
      if ((ivals[2 * i] as number) <= lo && (ivals[2 * i + 1] as number) >= hi) return true;
    }
    return false;
  }

  /** True when box `a` holds every point of box `b` that lies inside the region [lo, hi]. */
  private shadows(a: number, b: number, lo: Int32Array, hi: Int32Array): boolean {
    const { start, length, ivals, fields: F } = this.boxes;
    // Addresses first: they differ most often, so most pairs fail at once.
    for (let f = F - 1; f >= 0; f--) {
      const rlo = lo[f] as number;
      const rhi = hi[f] as number;
      const sa = start[a * F + f] as number;
      const ea = sa + (length[a * F + f] as number);
      const sb = start[b * F + f] as number;
      const eb = sb + (length[b * F + f] as number);
      // Both interval lists are sorted and `a`'s are disjoint and non-adjacent, so each clipped
      // interval of `b` must lie inside a single interval of `a`.
      let k = sa;
      for (let i = sb; i < eb; i++) {
        const x = Math.max(ivals[2 * i] as number, rlo);
        const y = Math.min(ivals[2 * i + 1] as number, rhi);
        if (x > y) continue;
        while (k < ea && (ivals[2 * k + 1] as number) < y) k++;
        if (k === ea || (ivals[2 * k] as number) > x) return false;
      }
    }
    return true;
  }

  /**
   * The boxes of `ids`, in order, without those an earlier box shadows inside the region: such a
   * box can never be the first match there, and leaving it out keeps leaves short and splits
   * cheap (it would otherwise be copied into every region below).
   */
  private unshadowed(ids: Int32Array, lo: Int32Array, hi: Int32Array): Int32Array {
    const out: number[] = [];
    for (let i = 0; i < ids.length; i++) {
      const b = ids[i] as number;
      let hidden = false;
      for (let j = 0; j < out.length && !hidden; j++) hidden = this.shadows(out[j] as number, b, lo, hi);
      if (!hidden) out.push(b);
    }
    return out.length === ids.length ? ids : Int32Array.from(out);
  }

  build(ids: Int32Array, lo: Int32Array, hi: Int32Array, depth: number): number {
    const F = this.boxes.fields;
    // A box covering the whole region ends the list: nothing after it can ever be first.
    let n = ids.length;
    for (let i = 0; i < n; i++) {
      const b = ids[i] as number;
      let all = true;
      for (let f = 0; f < F && all; f++) all = this.covers(b, f, lo[f] as number, hi[f] as number);
      if (all) n = i + 1;
    }
    let kept = n === ids.length ? ids : ids.subarray(0, n);
    // Quadratic in the region's boxes: only once the tree has cut the list down.
    if (n <= this.shadowLimit) {
      kept = this.unshadowed(kept, lo, hi);
      n = kept.length;
    }
    if (n <= this.leafSize || depth >= MAX_DEPTH || this.code.length + this.nodes.length > this.budget) {
      return this.leaf(kept, lo, hi, depth);
    }
    const first = this.bestSplit(kept, lo, hi, -1);
    if (first === undefined) return this.leaf(kept, lo, hi, depth);
    // Cut the same field up to three levels deep: one node, up to 8 children, one cache line.
    const f = first.field;
    let parts: Part[] = [{ ids: kept, lo, hi }];
    for (let level = 0; level < 3; level++) {
      const next: Part[] = [];
      for (const part of parts) {
        const split =
          level === 0
            ? first
            : part.ids.length > this.leafSize
              ? this.bestSplit(part.ids, part.lo, part.hi, f)
              : undefined;
        if (split === undefined) next.push(part);
        else next.push(...this.partition(part, f, split.threshold));
      }
      parts = next;
    }
    const node = this.nodes.length >>> 4;
    this.nodes.push(f);
    for (let i = 1; i < NODE_WAYS; i++) {
      this.nodes.push(i < parts.length ? ((parts[i] as Part).lo[f] as number) - 1 : FIELD_MAX);
    }
    for (let i = 0; i < NODE_WAYS; i++) this.nodes.push(0);
    parts.forEach((part, i) => {
      // Build first: the child may grow (reallocate) the node array.
      const child = this.build(part.ids, part.lo, part.hi, depth + 1);
      this.nodes.data[16 * node + NODE_WAYS + i] = child;
    });
    return node;
  }

  private partition(part: Part, f: number, t: number): [Part, Part] {
    const { ids, lo, hi } = part;
    const left: number[] = [];
    const right: number[] = [];
    for (const b of ids) {
      if (this.extent(b, f, lo[f] as number, hi[f] as number, 0) <= t) left.push(b);
      if (this.extent(b, f, lo[f] as number, hi[f] as number, 1) > t) right.push(b);
    }
    const leftHi = hi.slice();
    leftHi[f] = t;
    const rightLo = lo.slice();
    rightLo[f] = t + 1;
    return [
      { ids: Int32Array.from(left), lo, hi: leftHi },
      { ids: Int32Array.from(right), lo: rightLo, hi },
    ];
  }

  /**
   * The field (only `only` when >= 0) and threshold whose split leaves the fewest boxes on the
   * larger side (ties: fewest in all), or undefined when no split makes progress.
   */
  private bestSplit(ids: Int32Array, lo: Int32Array, hi: Int32Array, only: number): Split | undefined {
    const n = ids.length;
    let best: Split | undefined;
    let bestMax = n;
    let bestSum = 2 * n;
    const los = new Int32Array(n);
    const his = new Int32Array(n);
    const limit = n * this.replication;
    const first = Math.max(only, 0);
    const last = only < 0 ? this.boxes.fields - 1 : only;
    for (let f = first; f <= last; f++) {
      const rlo = lo[f] as number;
      const rhi = hi[f] as number;
      if (rlo === rhi) continue;
      for (let i = 0; i < n; i++) {
        const b = ids[i] as number;
        los[i] = this.extent(b, f, rlo, rhi, 0);
        his[i] = this.extent(b, f, rlo, rhi, 1);
      }
      los.sort();
      his.sort();
      // Left takes value <= t: boxes starting at or before t go left, boxes ending after t go right.
      const consider = (t: number): void => {
        if (t < rlo || t >= rhi) return;
        const left = upperBound(los, t);
        const right = n - upperBound(his, t);
        const max = Math.max(left, right);
        const sum = left + right;
        if (sum > limit) return;
        if (max < bestMax || (max === bestMax && sum < bestSum)) {
          best = { field: f, threshold: t };
          bestMax = max;
          bestSum = sum;
        }
      };
      for (let i = 0; i < n; i++) if (i === 0 || his[i] !== his[i - 1]) consider(his[i] as number);
      for (let i = 0; i < n; i++) if (i === 0 || los[i] !== los[i - 1]) consider((los[i] as number) - 1);
    }
    return best;
  }

  private leaf(ids: Int32Array, lo: Int32Array, hi: Int32Array, depth: number): number {
    const { fields: F, start, length, ivals, rule } = this.boxes;
    const n = ids.length;
    this.leaves++;
    this.depth = Math.max(this.depth, depth);
    // Built relative to the leaf's start, so that equal leaves (common: replication makes many
    // regions end in the same few boxes) are stored once and stay warm in the cache.
    const out: number[] = [n];
    for (let i = 0; i < n; i++) {
      const b = ids[i] as number;
      const head = out.length;
      out.push(rule[b] as number, 0);
      // Later fields first: the callers put addresses last, and they fail most often.
      for (let f = F - 1; f >= 0; f--) {
        const rlo = lo[f] as number;
        const rhi = hi[f] as number;
        if (this.covers(b, f, rlo, rhi)) continue;
        const headerAt = out.length;
        out.push(0);
        let m = 0;
        const s = start[b * F + f] as number;
        for (let k = s, end = s + (length[b * F + f] as number); k < end; k++) {
          const a = ivals[2 * k] as number;
          const z = ivals[2 * k + 1] as number;
          if (z < rlo || a > rhi) continue;
          out.push(a, z);
          m++;
        }
        out[headerAt] = f | (m << 8);
      }
      out[head + 1] = out.length;
    }
    const key = out.join(',');
    const known = this.seen.get(key);
    if (known !== undefined) return ~known;
    const at = this.code.length;
    this.seen.set(key, at);
    let next = 1;
    for (let i = 0; i < out.length; i++) {
      // Entry ends become absolute offsets.
      this.code.push(i === next + 1 ? (out[i] as number) + at : (out[i] as number));
      if (i === next + 1) next = out[i] as number;
    }
    return ~at;
  }
}

/**
 * Builds a HyperSplit tree: at each region, the field and threshold that minimise the larger
 * side's box count (ties: fewer boxes copied to both sides) split it, until a region holds at most
 * `leafSize` boxes that can match in it.
 */
export function buildSplitTree(boxes: BoxSet, options: SplitOptions = {}): SplitTree {
  const builder = new Builder(boxes, options);
  const ids = new Int32Array(boxes.count);
  for (let i = 0; i < ids.length; i++) ids[i] = i;
  const root = builder.build(
    ids,
    new Int32Array(boxes.fields).fill(FIELD_MIN),
    new Int32Array(boxes.fields).fill(FIELD_MAX),
    0,
  );
  return {
    nodes: builder.nodes.toArray(),
    code: builder.code.toArray(),
    root,
    leaves: builder.leaves,
    depth: builder.depth,
  };
}
