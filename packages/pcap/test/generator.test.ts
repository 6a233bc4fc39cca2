import { formatFlow, PortKind } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DecodeStatus, generateCapture, type PacketRecord, PcapError, readCapture } from '../src/index.js';
import { trafficArb } from './arbitraries.js';

function eachPacket(file: Uint8Array, visit: (p: PacketRecord) => void): number {
  const summary = readCapture(file, visit);
  expect(summary.error).toBeNull();
  return summary.packets;
}

describe('generateTraffic', () => {
  it('should produce the same bytes for the same seed and options, and different bytes for another seed', () => {
    fc.assert(
      fc.property(trafficArb, (options) => {
        const a = Buffer.from(generateCapture(options));
        expect(a.equals(generateCapture(options))).toBe(true);
        fc.pre(options.packets > 20);
        expect(a.equals(generateCapture({ ...options, seed: options.seed + 1 }))).toBe(false);
      }),
      { numRuns: 30 },
    );
  });

  it('should write exactly the packets asked for, each decoding whole to a flow key with valid checksums', () => {
    fc.assert(
      fc.property(trafficArb, fc.constantFrom('pcap' as const, 'pcapng' as const), (options, format) => {
        const file = generateCapture(options, { format });
        const count = eachPacket(file, (p) => {
          expect(p.status).toBe(DecodeStatus.OK);
          expect(p.truncated).toBe(false);
          expect(p.capturedLength).toBe(p.originalLength);
          expect(ipChecksumOk(p)).toBe(true);
        });
        expect(count).toBe(options.packets);
      }),
      { numRuns: 30 },
    );
  });

  it('should open TCP connections with a handshake in order and carry traffic both ways', () => {
    const file = generateCapture({
      packets: 3000,
      seed: 11,
      udpShare: 0,
      icmpShare: 0,
      natShare: 0,
      flows: 20,
    });
    const state = new Map<string, number>();
    let replies = 0;
    eachPacket(file, (p) => {
      const f = p.flow;
      const forward = formatFlow(f);
      const reverse = `tcp ${forward.slice(4).split(' -> ').reverse().join(' -> ')}`;
      if (p.tcpFlags === 0x02) {
        state.set(forward, 1);
      } else if (p.tcpFlags === 0x12) {
        expect(state.get(reverse)).toBe(1);
        state.set(reverse, 2);
        replies++;
      } else if (state.has(forward)) {
        expect(state.get(forward)).toBe(2);
      } else if (state.has(reverse)) {
        expect(state.get(reverse)).toBe(2);
      }
    });
    expect(replies).toBeGreaterThan(0);
  });

  it('should honour the IPv6 share at its extremes', () => {
    fc.assert(
      fc.property(trafficArb, fc.constantFrom(0, 1), (options, share) => {
        eachPacket(generateCapture({ ...options, ipv6Share: share }), (p) => {
          expect(p.flow.family).toBe(share === 1 ? 6 : 4);
        });
      }),
      { numRuns: 20 },
    );
  });

  it('should fragment datagrams into pieces that tile the datagram', () => {
    const file = generateCapture({
      packets: 2000,
      seed: 3,
      udpShare: 1,
      icmpShare: 0,
      fragmentShare: 1,
      flows: 10,
    });
    const next = new Map<string, number>();
    let fragments = 0;
    let completed = 0;
    eachPacket(file, (p) => {
      if (!p.isFragment) return;
      fragments++;
      const id = `${p.flow.family}/${String(p.fragmentId)}`;
      expect(p.fragmentOffset).toBe(next.get(id) ?? 0);
      expect(p.flow.portKind).toBe(p.fragmentOffset === 0 ? PortKind.PORTS : PortKind.FRAGMENT);
      if (p.moreFragments)
        next.set(
          id,
          p.fragmentOffset + p.capturedLength - (p.ipOffset - p.dataOffset) - (p.flow.family === 4 ? 20 : 48),
        );
      else {
        next.delete(id);
        completed++;
      }
    });
    expect(fragments).toBeGreaterThan(0);
    expect(completed).toBeGreaterThan(0);
  });

  it('should send replies of NATed clients to the public pool and tag each side with its VLAN', () => {
    const file = generateCapture({
      packets: 2000,
      seed: 5,
      natShare: 1,
      ipv6Share: 0,
      vlans: { internal: 7, external: 9 },
    });
    eachPacket(file, (p) => {
      const fromClient = p.flow.srcV4 >>> 16 === 0x0a00; // 10.0.0.0/16
      const toPublic = p.flow.dstV4 >= 0xc0000201 && p.flow.dstV4 <= 0xc0000208; // 192.0.2.1-8
      expect(fromClient || toPublic).toBe(true);
      expect(p.vlan).toBe(fromClient ? 7 : 9);
    });
  });

  it('should send replies of NATed clients to their own private address and port in the endpoints view', () => {
    const file = generateCapture({ packets: 3000, seed: 5, natShare: 1, ipv6Share: 0, natView: 'endpoints' });
    const clients = new Set<string>();
    let replies = 0;
    eachPacket(file, (p) => {
      const f = p.flow;
      const fromClient = p.vlan === 100;
      const client = fromClient ? f.srcV4 : f.dstV4;
      expect(client >>> 16).toBe(0x0a00); // 10.0.0.0/16 on both sides: nothing translated
      if (f.portKind !== PortKind.PORTS) return;
      const tuple = `${client}:${fromClient ? f.srcPort : f.dstPort}`;
      if (fromClient) clients.add(tuple);
      else {
        expect(clients.has(tuple)).toBe(true);
        replies++;
      }
    });
    expect(replies).toBeGreaterThan(100);
  });

  it('should draw the same traffic in both NAT views, but for the address and port replies of hidden clients go to', () => {
    fc.assert(
      fc.property(trafficArb, (options) => {
        const seen = (natView: 'orchestrator' | 'endpoints'): [number, number, string, number, number][] => {
          const out: [number, number, string, number, number][] = [];
          eachPacket(generateCapture({ ...options, natView }), (p) => {
            const f = p.flow;
            const hiddenReply =
              p.vlan === 200 &&
              f.family === 4 &&
              (natView === 'orchestrator' ? f.dstV4 >>> 8 === 0xc00002 : f.dstV4 >>> 16 === 0x0a00);
            const copy = { ...f, src6: [...f.src6], dst6: [...f.dst6] };
            // ICMP errors and echo replies of a hidden client carry its translated port or id too.
            if (hiddenReply)
              Object.assign(copy, {
                dstV4: 0,
                dstPort: 0,
                srcPort: f.portKind === PortKind.ECHO ? 0 : f.srcPort,
              });
            out.push([
              p.timestampSec,
              p.timestampNs,
              JSON.stringify(copy),
              p.originalLength,
              hiddenReply ? 1 : 0,
            ]);
          });
          return out;
        };
        expect(seen('endpoints')).toEqual(seen('orchestrator'));
      }),
      { numRuns: 30 },
    );
  });

  it('should embed the tuple of the last datagram, as NAT left it, in ICMP errors', () => {
    const file = generateCapture({
      packets: 5000,
      seed: 2,
      udpShare: 1,
      icmpShare: 0,
      icmpErrorShare: 1,
      flows: 30,
    });
    let errors = 0;
    eachPacket(file, (p) => {
      if (!p.hasInner) return;
      errors++;
      expect(p.inner.protocol).toBe(17);
      expect(p.inner.dstV4).toBe(p.flow.srcV4);
      expect(p.inner.srcV4).toBe(p.flow.dstV4);
      expect([...p.inner.dst6]).toEqual([...p.flow.src6]);
    });
    expect(errors).toBeGreaterThan(0);
  });

  it('should reject out-of-range options with a typed error', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(
          { packets: -1 },
          { packets: 1.5 },
          { packets: 10, flows: 0 },
          { packets: 10, ipv6Share: 2 },
          { packets: 10, natShare: Number.NaN },
          { packets: 10, natView: 'inside' as 'endpoints' },
          { packets: 10, udpShare: 0.9, icmpShare: 0.2 },
          { packets: 10, vlans: { internal: 4096, external: 1 } },
          { packets: 10, packetsPerSecond: 0 },
          { packets: 10, seed: -3 },
          // The last timestamp could pass 2^32 - 1 s, the last second a capture holds.
          { packets: 20_000, startTime: 2 ** 32 - 2 ** 24, packetsPerSecond: 0.001 },
          { packets: 1_000_000, startTime: 2 ** 32 - 2 ** 24, packetsPerSecond: 1 },
        ),
        (options) => {
          expect(() => generateCapture(options)).toThrow(PcapError);
        },
      ),
    );
  });
});

/** The IPv4 header checksum verifies (IPv6 has none). */
function ipChecksumOk(p: PacketRecord): boolean {
  if (p.flow.family === 6) return true;
  let sum = 0;
  for (let i = 0; i < 20; i += 2)
    sum += ((p.bytes[p.ipOffset + i] as number) << 8) | (p.bytes[p.ipOffset + i + 1] as number);
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}
