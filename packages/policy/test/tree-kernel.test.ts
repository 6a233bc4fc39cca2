import type { FlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSplitTree } from '../src/hyper-split.js';
import { compilePolicy, matchLinear, type Policy } from '../src/index.js';
import { rulesToBoxesV4, rulesToBoxesV6 } from '../src/rule-boxes.js';
import { treeKernel } from '../src/tree-kernel.js';
import { pairTrees } from '../src/tree-pair.js';
import { garbagePacket } from './arbitraries/garbage-packet.js';
import {
  densePolicyAndPackets,
  edgePackets,
  matchBatchOf,
  matchManyOf,
  type Packet,
  packet,
} from './arbitraries/packets.js';
import { policy } from './arbitraries/policies.js';
import { refusal } from './refusal.js';

/**
 * Every packet through `match`, through one `matchMany` and through one `matchBatch` (flow cache included when `flowCache`
 * is not 0), on the kernel and on the JavaScript walk, against the naive evaluator.
 */
function sameOnBothPaths(p: Policy, packets: readonly Packet[], flowCache: number): void {
  const kernel = compilePolicy(p, { flowCache, wasm: true });
  const js = compilePolicy(p, { flowCache, wasm: false });
  const fromJs = matchManyOf(js, packets);
  expect(matchManyOf(kernel, packets)).toEqual(fromJs);
  expect(matchBatchOf(kernel, packets)).toEqual(fromJs);
  expect(matchBatchOf(js, packets)).toEqual(fromJs);
  packets.forEach(({ key, iface, vlan }, i) => {
    expect(kernel.match(key, iface, vlan)).toBe(fromJs[i]);
    expect(fromJs[i]).toBe(matchLinear(p, key, iface, vlan));
  });
}

describe('the WebAssembly tree kernel', () => {
  it('should be built where the platform has WebAssembly', () => {
    const p = fc.sample(policy(12), { numRuns: 1, seed: 3 })[0] as Policy;
    const slots = new Map(p.topology.interfaces.map((x, i) => [x.name, [i + 1]]));
    const pair = pairTrees(
      buildSplitTree(rulesToBoxesV4(p.rules, slots)),
      buildSplitTree(rulesToBoxesV6(p.rules, slots)),
    );
    expect(treeKernel(pair) !== undefined).toBe(
      typeof (globalThis as { WebAssembly?: unknown }).WebAssembly === 'object',
    );
  });

  it('should give the same rules as the JavaScript walk on random rules and packets, IPv4 and IPv6', () => {
    fc.assert(
      fc.property(
        policy(24),
        fc.array(packet, { maxLength: 100 }),
        fc.constantFrom(0, 0, 4, 64),
        sameOnBothPaths,
      ),
    );
  });

  it('should give the same rules as the JavaScript walk on the edges of every range and block', () => {
    fc.assert(
      fc.property(
        policy(24).chain((p) => fc.tuple(fc.constant(p), edgePackets(p, 70))),
        ([p, packets]) => sameOnBothPaths(p, packets, 0),
      ),
    );
  });

  it('should give the same rules as the JavaScript walk where the tree cuts shared or abutting boundaries', () => {
    fc.assert(fc.property(densePolicyAndPackets, ([p, packets]) => sameOnBothPaths(p, packets, 0)));
  });

  it('should refuse any garbage packet with a PolicyError on either path, never throw anything else', () => {
    fc.assert(
      fc.property(policy(8), garbagePacket, fc.boolean(), (p, bad, wasm) => {
        const compiled = compilePolicy(p, { flowCache: 0, wasm });
        expect(
          refusal(() => compiled.match(bad.key as FlowKey, bad.iface as number, bad.vlan as number)),
        ).toBe('INVALID_PACKET');
      }),
    );
  });
});
