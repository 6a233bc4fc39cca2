import { createFlowKey, IpProtocol, PortKind } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowCounter } from '../src/simulation/flow-counter.js';

// A packet of one of a few flows (small ranges, so flows repeat and counts tie), either direction.
const packet = fc.record({
  flow: fc.integer({ min: 0, max: 40 }),
  reverse: fc.boolean(),
  bytes: fc.integer({ min: 0, max: 3 }),
});

describe('FlowCounter', () => {
  it('should list the same top flows as a full sort by packets, bytes, then first seen', () => {
    fc.assert(
      fc.property(fc.array(packet, { maxLength: 400 }), fc.integer({ min: 0, max: 50 }), (packets, n) => {
        const counter = new FlowCounter();
        const model = new Map<number, { order: number; packets: number; bytes: number }>();
        const key = createFlowKey();
        key.protocol = IpProtocol.UDP;
        key.portKind = PortKind.PORTS;
        for (const p of packets) {
          key.srcV4 = p.reverse ? 0x0a000001 : 0x0a000100 + p.flow;
          key.dstV4 = p.reverse ? 0x0a000100 + p.flow : 0x0a000001;
          key.srcPort = p.reverse ? 53 : 1000 + p.flow;
          key.dstPort = p.reverse ? 1000 + p.flow : 53;
          counter.add(key, p.bytes);
          const m = model.get(p.flow) ?? { order: model.size, packets: 0, bytes: 0 };
          m.packets++;
          m.bytes += p.bytes;
          model.set(p.flow, m);
        }
        const expected = [...model.entries()]
          .sort(([, a], [, b]) => b.packets - a.packets || b.bytes - a.bytes || a.order - b.order)
          .slice(0, n)
          .map(([flow, m]) => ({ port: 1000 + flow, packets: m.packets, bytes: m.bytes }));
        const got = counter.top(n).map((f) => ({
          port: f.key.srcPort === 53 ? f.key.dstPort : f.key.srcPort,
          packets: f.packets,
          bytes: f.bytes,
        }));
        expect(got).toEqual(expected);
      }),
    );
  });
});
