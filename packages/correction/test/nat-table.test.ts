import { createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matchNat, type NatRule } from '../src/index.js';
import { NatTable } from '../src/nat-table.js';
import { anyNatRule, INSIDE, OUTSIDE, STATIC_EXTERNAL, STATIC_INTERNAL } from './arbitraries.js';

/** Addresses and destination ports on and just past the edges of the rules' matches. */
function edges(rules: readonly NatRule[]): { addresses: number[]; ports: number[] } {
  const addresses = [INSIDE + 1, OUTSIDE + 1, STATIC_INTERNAL, STATIC_EXTERNAL];
  const ports = [0, 443, 0xffff];
  for (const rule of rules) {
    if (rule.kind === 'static') {
      addresses.push(rule.internal, rule.external);
      continue;
    }
    for (const cidr of [rule.match.src, rule.match.dst]) {
      if (cidr === undefined) continue;
      const size = 2 ** (32 - cidr.prefix);
      const first = cidr.address - (cidr.address % size);
      for (const a of [first - 1, first, first + size - 1, first + size]) addresses.push(a >>> 0);
    }
    const range = rule.match.dstPorts;
    if (range !== undefined) {
      for (const port of [range[0] - 1, range[0], range[1], range[1] + 1]) ports.push(port & 0xffff);
    }
  }
  return { addresses, ports };
}

/** Keys of every port kind whose fields sit on the rules' edges (or anywhere). */
function keys(rules: readonly NatRule[]): fc.Arbitrary<FlowKey[]> {
  const { addresses, ports } = edges(rules);
  const address = fc.oneof(fc.constantFrom(...addresses), fc.integer({ min: 0, max: 0xffff_ffff }));
  const port = fc.oneof(fc.constantFrom(...ports), fc.integer({ min: 0, max: 0xffff }));
  const key = fc
    .record({
      protocol: fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMP, 47),
      src: address,
      dst: address,
      srcPort: port,
      dstPort: port,
    })
    .map(({ protocol, src, dst, srcPort, dstPort }) => {
      if (protocol === IpProtocol.ICMP) {
        return setFlowV4(createFlowKey(), protocol, src, dst, srcPort, srcPort, PortKind.ECHO);
      }
      if (protocol === 47) return setFlowV4(createFlowKey(), protocol, src, dst, 0, 0, PortKind.NONE);
      return setFlowV4(createFlowKey(), protocol, src, dst, srcPort, dstPort, PortKind.PORTS);
    });
  return fc.array(key, { minLength: 1, maxLength: 20 });
}

describe('compiled NAT rules', () => {
  it('should pick the same first matching rule as matchNat', () => {
    fc.assert(
      fc.property(
        fc.array(anyNatRule, { maxLength: 6 }).chain((rules) => fc.tuple(fc.constant(rules), keys(rules))),
        ([rules, flows]) => {
          const table = new NatTable(rules, 0, 1);
          for (const k of flows) {
            const rule = matchNat(rules, k);
            const index = table.match(k);
            expect(index < 0 ? undefined : rules[index]).toBe(rule);
          }
        },
      ),
    );
  });
});
