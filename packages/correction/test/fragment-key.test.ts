import { createFlowKey, flowKeyEquals, IpProtocol, PortKind, setFlowV4, setFlowV6 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decision, fragmentKey, MemberEngine, type Packet } from '../src/index.js';
import { exampleConfig } from './example-group.js';

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

/** A later fragment's protocol: what its Fragment header's Next Header names (60: Destination Options). */
const laterProtocol = fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP, 60, 0, 59);

describe('fragmentKey per family', () => {
  it('should key an IPv6 datagram by addresses and id alone, and an IPv4 one by its protocol too', () => {
    fc.assert(
      fc.property(flow, laterProtocol, fc.nat({ max: 0xffffffff }), (key, protocol, id) => {
        // RFC 8200 4.5: a later IPv6 fragment's Next Header is whatever follows its Fragment
        // header; RFC 791: IPv4 fragments of one datagram share the protocol, which is part of its id.
        const later = createFlowKey();
        Object.assign(later, key, { protocol, srcPort: 0, dstPort: 0, portKind: PortKind.FRAGMENT });
        const same = flowKeyEquals(
          fragmentKey(key, id, createFlowKey()),
          fragmentKey(later, id, createFlowKey()),
        );
        expect(same).toBe(key.family === 6 || protocol === key.protocol);
      }),
    );
  });
});

describe('IPv6 fragments through an engine', () => {
  const v6 = (b: number) => Uint8Array.from({ length: 16 }, (_, i) => (i === 0 ? 0x20 : i === 15 ? b : 0));
  const packet = (protocol: number, kind: PortKind, more: boolean): Packet => ({
    key: setFlowV6(
      createFlowKey(),
      protocol,
      v6(1),
      v6(2),
      kind === PortKind.PORTS ? 5000 : 0,
      kind === PortKind.PORTS ? 53 : 0,
      kind,
    ),
    ingress: 0,
    ipId: 0x12345678,
    moreFragments: more,
    tcpFlags: 0,
    bytes: 1280,
    embedded: null,
    hops: 0,
  });

  it("should follow a later fragment whose Next Header is Destination Options (60) to the first fragment's owner", () => {
    // Member 0 takes the first fragment (UDP after Fragment + Destination Options); the later
    // fragments land on member 1, which learns of the datagram from member 0's `fragment` message.
    const config = exampleConfig(2, { distribute: (k) => (k.portKind === PortKind.FRAGMENT ? 1 : 0) });
    const engines = [new MemberEngine(0, config), new MemberEngine(1, config)];
    expect(engines[0]?.decide(packet(IpProtocol.UDP, PortKind.PORTS, true), 0)).toBe(Decision.CREATE);
    for (const m of engines[0]?.outbox.splice(0) ?? []) engines[m.to]?.deliver(m, 0);
    for (const more of [true, false]) {
      const d = engines[1]?.decide(packet(60, PortKind.FRAGMENT, more), 1);
      expect(d).toBe(Decision.FORWARD);
      expect(engines[1]?.lastTarget).toBe(0);
      expect(engines[0]?.decide({ ...packet(60, PortKind.FRAGMENT, more), hops: 1 }, 1)).toBe(
        Decision.PROCESS,
      );
    }
    expect(engines[1]?.stats().drops.unknownFragment ?? 0).toBe(0);
  });
});
