import type { SplitTree } from './hyper-split.js';

/**
 * The IPv4 and IPv6 trees in one pair of arrays, so that one lookup routine serves both
 * families: the IPv6 tree's nodes follow the IPv4 tree's, its leaf code follows the IPv4 code,
 * and its child and leaf references are moved along with them. Same layout as {@link SplitTree}.
 */
export interface TreePair {
  /** Inner nodes of both trees, 16 ints each (see {@link SplitTree.nodes}). */
  readonly nodes: Int32Array;
  /** Leaf code of both trees (see {@link SplitTree.code}). */
  readonly code: Int32Array;
  /** Root of the IPv4 tree: a node index, or `~offset` of a leaf. */
  readonly root4: number;
  /** Root of the IPv6 tree. */
  readonly root6: number;
}

/** Moves a child reference of the second tree past the first tree's nodes and code. */
function rebase(ref: number, nodeShift: number, codeShift: number): number {
  return ref >= 0 ? ref + nodeShift : ~(~ref + codeShift);
}

/** Joins two trees into one {@link TreePair}; the lookups on either root are unchanged. */
export function pairTrees(v4: SplitTree, v6: SplitTree): TreePair {
  const nodes = new Int32Array(v4.nodes.length + v6.nodes.length);
  nodes.set(v4.nodes);
  nodes.set(v6.nodes, v4.nodes.length);
  const code = new Int32Array(v4.code.length + v6.code.length);
  code.set(v4.code);
  code.set(v6.code, v4.code.length);
  const nodeShift = v4.nodes.length >>> 4;
  const codeShift = v4.code.length;
  for (let o = v4.nodes.length; o < nodes.length; o += 16) {
    for (let i = 8; i < 16; i++) nodes[o + i] = rebase(nodes[o + i] as number, nodeShift, codeShift);
  }
  // Each leaf box's `end` is an absolute offset into the code: move those too.
  for (let p = codeShift; p < code.length; ) {
    const count = code[p] as number;
    p++;
    for (let k = 0; k < count; k++) {
      const end = (code[p + 1] as number) + codeShift;
      code[p + 1] = end;
      p = end;
    }
  }
  return { nodes, code, root4: v4.root, root6: rebase(v6.root, nodeShift, codeShift) };
}

/** 1 when the signed 32-bit `t < v`, else 0, without a branch (and without overflow). */
export function below(t: number, v: number): number {
  return ((t & ~v) | (~(t ^ v) & ((t - v) | 0))) >>> 31;
}

/**
 * The child of inner node `n` that the point at `points[at ..]` goes to: a node index, or
 * `~offset` of a leaf. Seven branch-free compares on one cache line.
 */
export function stepNode(nodes: Int32Array, n: number, points: Int32Array, at: number): number {
  const o = n << 4;
  const v = points[at + (nodes[o] as number)] as number;
  return nodes[
    o +
      8 +
      below(nodes[o + 1] as number, v) +
      below(nodes[o + 2] as number, v) +
      below(nodes[o + 3] as number, v) +
      below(nodes[o + 4] as number, v) +
      below(nodes[o + 5] as number, v) +
      below(nodes[o + 6] as number, v) +
      below(nodes[o + 7] as number, v)
  ] as number;
}

/**
 * The rule of the first box of the leaf at `code[leaf]` that holds the point at `points[at ..]`,
 * or -1 (see {@link SplitTree.code} for the layout). An interval test is one unsigned compare,
 * `x - lo <= hi - lo` modulo 2^32, one branch instead of two.
 */
export function scanLeaf(code: Int32Array, leaf: number, points: Int32Array, at: number): number {
  let p = leaf + 1;
  const count = code[leaf] as number;
  for (let k = 0; k < count; k++) {
    const end = code[p + 1] as number;
    let q = p + 2;
    for (;;) {
      if (q >= end) return code[p] as number;
      const header = code[q] as number;
      const x = points[at + (header & 255)] as number;
      const stop = q + 1 + 2 * (header >>> 8);
      let i = q + 1;
      while (
        i < stop &&
        (x - (code[i] as number)) >>> 0 > ((code[i + 1] as number) - (code[i] as number)) >>> 0
      )
        i += 2;
      if (i === stop) break;
      q = stop;
    }
    p = end;
  }
  return -1;
}

/** The rule of the first box holding the point at `points[at ..]`, from `root` down. No allocation. */
export function lookupPair(pair: TreePair, root: number, points: Int32Array, at: number): number {
  const nodes = pair.nodes;
  let n = root;
  while (n >= 0) n = stepNode(nodes, n, points, at);
  return scanLeaf(pair.code, ~n, points, at);
}
