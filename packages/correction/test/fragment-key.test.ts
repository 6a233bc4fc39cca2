import { createFlowKey, flowKeyEquals, IpProtocol, PortKind, setFlowV4, setFlowV6 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fragmentKey } from '../src/index.js';

/** A flow key of either family, with or without ports: what a fragment's packet may carry. */
const flow = fc
  .record({
    v6: fc.boolean(),
    src4: fc.nat({ max: 0xffffffff }),
    dst4: fc.nat({ max: 0xffffffff }),
    src6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    dst6: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    sp: fc.nat({ max: 0xffff }),
    dp: fc.nat({ max: 0xffff }),
    protocol: fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP, IpProtocol.ICMP),
  })
  .map((f) =>
    f.v6
      ? setFlowV6(createFlowKey(), f.protocol, f.src6, f.dst6, f.sp, f.dp, PortKind.PORTS)
      : setFlowV4(createFlowKey(), f.protocol, f.src4, f.dst4, f.sp, f.dp, PortKind.PORTS),
  );

/** Two IP ids: often one bit apart (in either half), so that a half dropped from the key shows. */
const ids = fc.oneof(
  fc.tuple(fc.nat({ max: 0xffffffff }), fc.nat({ max: 0xffffffff })),
  fc
    .tuple(fc.nat({ max: 0xffffffff }), fc.nat(31))
    .map(([a, bit]) => [a, (a ^ (1 << bit)) >>> 0] as [number, number]),
  fc.nat({ max: 0xffffffff }).map((a) => [a, a] as [number, number]),
);

describe('fragmentKey', () => {
  it('should give the fragments of one datagram one key and datagrams with different IP ids different keys', () => {
    fc.assert(
      fc.property(flow, ids, fc.nat({ max: 0xffff }), (key, [a, b], noise) => {
        // The first fragment carries ports, a later one does not: the key must not depend on them.
        const later = createFlowKey();
        Object.assign(later, key, { srcPort: 0, dstPort: noise, portKind: PortKind.FRAGMENT });
        const first = fragmentKey(key, a, createFlowKey());
        expect(flowKeyEquals(first, fragmentKey(later, a, createFlowKey()))).toBe(true);
        expect(first.portKind).toBe(PortKind.FRAGMENT);
        expect(flowKeyEquals(first, fragmentKey(key, b, createFlowKey()))).toBe(a === b);
      }),
    );
  });
});
