import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildSplitTree } from '../src/hyper-split.js';
import { compilePolicy, matchLinear, type Policy } from '../src/index.js';
import { packetPoint } from '../src/packet-point.js';
import { rulesToBoxesV4, rulesToBoxesV6 } from '../src/rule-boxes.js';
import { lookupPair, pairTrees } from '../src/tree-pair.js';
import { densePolicyAndPackets, edgePackets, type Packet, packet } from './arbitraries/packets.js';
import { extremePolicy, policy } from './arbitraries/policies.js';
import { shadowedPolicy } from './arbitraries/shadowed-policy.js';

function agrees(p: Policy, packets: readonly Packet[]): void {
  const compiled = compilePolicy(p, { flowCache: 0 });
  for (const { key, iface, vlan } of packets) {
    expect(compiled.match(key, iface, vlan)).toBe(matchLinear(p, key, iface, vlan));
  }
}

describe('the compiled matcher on the edges of its decision tree', () => {
  it('should agree with the naive evaluator on the edges of every range and block', () => {
    fc.assert(
      fc.property(
        policy(24).chain((p) => fc.tuple(fc.constant(p), edgePackets(p))),
        ([p, ps]) => agrees(p, ps),
      ),
    );
  });

  it('should agree with the naive evaluator where rules share or abut boundaries', () => {
    fc.assert(fc.property(densePolicyAndPackets, ([p, packets]) => agrees(p, packets)));
  });

  it('should agree with the naive evaluator with /0, /32 and /128 blocks and catch-all rules', () => {
    fc.assert(
      fc.property(
        extremePolicy(24).chain((p) =>
          fc.tuple(fc.constant(p), edgePackets(p), fc.array(packet, { maxLength: 10 })),
        ),
        ([p, edges, random]) => agrees(p, [...edges, ...random]),
      ),
    );
  });

  it('should agree with the naive evaluator on IPv6 packets', () => {
    fc.assert(
      fc.property(
        policy(24),
        fc.array(
          packet.filter((x) => x.key.family === 6),
          { minLength: 1, maxLength: 30 },
        ),
        agrees,
      ),
    );
  });

  it('should agree with the naive evaluator where later rules are narrowed or widened copies of earlier ones', () => {
    fc.assert(
      fc.property(
        shadowedPolicy(60).chain((p) =>
          fc.tuple(fc.constant(p), edgePackets(p, 40), fc.array(packet, { maxLength: 10 })),
        ),
        ([p, edges, random]) => agrees(p, [...edges, ...random]),
      ),
      { numRuns: 60 },
    );
  });

  it('should match no packet when there are no rules', () => {
    fc.assert(
      fc.property(policy(0), fc.array(packet, { minLength: 1, maxLength: 20 }), (p, packets) => {
        const compiled = compilePolicy(p, { flowCache: 0 });
        for (const { key, iface, vlan } of packets) expect(compiled.match(key, iface, vlan)).toBe(-1);
      }),
    );
  });

  it('should find the first matching rule for any leaf size, replication cap and memory budget', () => {
    fc.assert(
      fc.property(
        fc.oneof(policy(40), shadowedPolicy(40)).chain((p) => fc.tuple(fc.constant(p), edgePackets(p, 20))),
        fc.record({
          leafSize: fc.integer({ min: 1, max: 12 }),
          replication: fc.double({ min: 1, max: 4, noNaN: true }),
          budget: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 1 << 16 })),
          shadowLimit: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 2000 })),
        }),
        ([p, packets], options) => {
          const slots = new Map<string, number[]>();
          p.topology.interfaces.forEach((x, i) => {
            slots.set(x.name, [...(slots.get(x.name) ?? []), i + 1]);
          });
          const v4 = buildSplitTree(rulesToBoxesV4(p.rules, slots), options);
          const v6 = buildSplitTree(rulesToBoxesV6(p.rules, slots), options);
          const pair = pairTrees(v4, v6);
          const point = new Int32Array(13);
          for (const { key, iface, vlan } of packets) {
            const family = packetPoint(key, iface, vlan, p.topology.interfaces.length, point, 0);
            const root = family === 4 ? pair.root4 : pair.root6;
            expect(lookupPair(pair, root, point, 0)).toBe(matchLinear(p, key, iface, vlan));
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
