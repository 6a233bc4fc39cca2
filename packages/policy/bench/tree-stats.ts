import type { SplitTree } from '../src/hyper-split.js';

/** What a lookup does on average: inner nodes visited, boxes scanned and field checks made. */
export interface LookupCost {
  readonly nodes: number;
  readonly boxes: number;
  readonly checks: number;
}

/**
 * Replays `lookupPair` on each point (13 ints at `14 * i + 1` of `points`, the family at
 * `14 * i`), counting the work instead of timing it.
 */
export function lookupCost(v4: SplitTree, v6: SplitTree, points: Int32Array): LookupCost {
  let nodes = 0;
  let boxes = 0;
  let checks = 0;
  const count = points.length / 14;
  for (let j = 0; j < count; j++) {
    const base = 14 * j + 1;
    const tree = points[14 * j] === 4 ? v4 : v6;
    let n = tree.root;
    while (n >= 0) {
      nodes++;
      const o = n << 4;
      const x = points[base + (tree.nodes[o] as number)] as number;
      let i = 0;
      for (let k = 1; k < 8; k++) if (x > (tree.nodes[o + k] as number)) i++;
      n = tree.nodes[o + 8 + i] as number;
    }
    const code = tree.code;
    let p = ~n;
    const leafBoxes = code[p] as number;
    p++;
    for (let k = 0; k < leafBoxes; k++) {
      boxes++;
      const end = code[p + 1] as number;
      let q = p + 2;
      let ok = true;
      while (q < end) {
        checks++;
        const header = code[q] as number;
        const x = points[base + (header & 255)] as number;
        const stop = q + 1 + 2 * (header >>> 8);
        let i = q + 1;
        while (i < stop && (x < (code[i] as number) || x > (code[i + 1] as number))) i += 2;
        if (i === stop) {
          ok = false;
          break;
        }
        q = stop;
      }
      if (ok) break;
      p = end;
    }
  }
  return { nodes: nodes / count, boxes: boxes / count, checks: checks / count };
}
