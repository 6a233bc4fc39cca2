import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchPoints } from '../src/batch-points.js';
import { buildSplitTree } from '../src/hyper-split.js';
import { PACKET_WORDS, PacketWord, type Policy } from '../src/index.js';
import { POINT_STRIDE, ROOT_WORD } from '../src/point-layout.js';
import { rulesToBoxesV4, rulesToBoxesV6 } from '../src/rule-boxes.js';
import { KERNEL_BATCH, treeKernel } from '../src/tree-kernel.js';
import { pairTrees } from '../src/tree-pair.js';
import { batchOf, packet } from './arbitraries/packets.js';
import { policy } from './arbitraries/policies.js';

/** The words of a point that its family defines: the IPv4 fields or the IPv6 ones, and the root. */
function written(points: Int32Array, lane: number, family: number): number[] {
  const at = POINT_STRIDE * lane;
  const fields = family === 4 ? 7 : 13;
  return [...Array.from(points.subarray(at, at + fields)), points[at + ROOT_WORD] as number];
}

/** Any word, the values next to every limit often. */
const word = fc.oneof(
  fc.integer(),
  fc.constantFrom(-(2 ** 31), -1, 0, 1, 2, 3, 4, 5, 6, 7, 255, 256, 4095, 4096, 0xffff, 0x10000, 2 ** 31 - 1),
);

describe('the conversion of a PacketBatch into points', () => {
  it('should write the same points and refuse the same packet in the WebAssembly kernel as in JavaScript', () => {
    const p = fc.sample(policy(8), { numRuns: 1, seed: 5 })[0] as Policy;
    const slots = new Map(p.topology.interfaces.map((x, i) => [x.name, [i + 1]]));
    const kernel = treeKernel(
      pairTrees(
        buildSplitTree(rulesToBoxesV4(p.rules, slots)),
        buildSplitTree(rulesToBoxesV6(p.rules, slots)),
      ),
    );
    if (kernel === undefined) return; // no WebAssembly here: there is only the JavaScript conversion
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: KERNEL_BATCH }),
        fc.array(fc.tuple(fc.nat(), fc.nat(PACKET_WORDS - 1), word), { maxLength: 3 }),
        fc.array(fc.integer(), { maxLength: KERNEL_BATCH }),
        fc.integer({ min: 0, max: 9 }),
        (packets, corruptions, ifaces, interfaceCount) => {
          const batch = batchOf(packets);
          const w = batch.words;
          ifaces.forEach((iface, i) => {
            if (i < packets.length) w[PACKET_WORDS * i + PacketWord.IFACE] = iface;
          });
          for (const [i, word, value] of corruptions) w[PACKET_WORDS * (i % packets.length) + word] = value;
          const jsPoints = new Int32Array(POINT_STRIDE * KERNEL_BATCH);
          const jsFamilies = new Int32Array(KERNEL_BATCH);
          const n = packets.length;
          const fromJs = batchPoints(
            w,
            0,
            n,
            interfaceCount,
            jsPoints,
            jsFamilies,
            kernel.root4,
            kernel.root6,
          );
          kernel.records.set(w.subarray(0, PACKET_WORDS * n));
          expect(kernel.convert(n, interfaceCount)).toBe(fromJs);
          for (let l = 0; l < fromJs; l++) {
            expect(kernel.families[l]).toBe(jsFamilies[l]);
            expect(written(kernel.points, l, jsFamilies[l] as number)).toEqual(
              written(jsPoints, l, jsFamilies[l] as number),
            );
          }
        },
      ),
    );
  });
});
