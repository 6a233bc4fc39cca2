import { TcpFlag } from '@maestro/flowtable';
import { cloneFlowKey, createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Decision, DropCause, Group, type Packet } from '../src/index.js';
import { exampleConfig } from './example-group.js';

const CLIENT = 0x0a000001;
const SERVER = 0xc0000201;

/** A packet of `protocol` from the server's data port 20 to the client's `port`. */
function dataPacket(protocol: number, port: number, tcpFlags: number): Packet {
  return {
    key: setFlowV4(createFlowKey(), protocol, SERVER, CLIENT, 20, port, PortKind.PORTS),
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

/**
 * A group of `members` whose control connection (client -> server:21, a SYN) lands on `owner`,
 * which announces the data connection server:20 -> client:`port` (source port 0 if `anySource`);
 * the data connection's packets land on `landing`.
 */
function announced(
  members: number,
  owner: number,
  landing: number,
  protocol: number,
  port: number,
  anySource: boolean,
): Group {
  const group = new Group(
    exampleConfig(members, {
      distribute: (k) => (k.dstPort === 21 || k.srcPort === 21 ? owner : landing),
    }),
  );
  const control = setFlowV4(createFlowKey(), IpProtocol.TCP, CLIENT, SERVER, 40000, 21, PortKind.PORTS);
  const syn: Packet = { ...dataPacket(IpProtocol.TCP, 0, TcpFlag.SYN), key: control };
  expect(group.inject(syn, 1).decision).toBe(Decision.CREATE);
  const related = cloneFlowKey(dataPacket(protocol, port, 0).key);
  if (anySource) related.srcPort = 0;
  group.expect(owner, control, related, 2);
  return group;
}

const setting = fc.integer({ min: 1, max: 5 }).chain((members) =>
  fc.record({
    members: fc.constant(members),
    owner: fc.nat(members - 1),
    landing: fc.nat(members - 1),
    port: fc.integer({ min: 1024, max: 65535 }),
    anySource: fc.boolean(),
  }),
);

describe('expectations', () => {
  it('should create a related TCP connection only from a packet that may open one (SYN without ACK or RST), and drop any other as noConnection keeping the expectation', () => {
    fc.assert(
      fc.property(setting, fc.array(fc.nat(255), { maxLength: 4 }), (s, flagsSeq) => {
        const group = announced(s.members, s.owner, s.landing, IpProtocol.TCP, s.port, s.anySource);
        // Packets that may not open a connection first (a stray ACK, a FIN, a RST, a SYN-ACK...).
        for (const flags of flagsSeq) {
          const r = group.inject(dataPacket(IpProtocol.TCP, s.port, flags), 3);
          if ((flags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) === TcpFlag.SYN) {
            expect(r.decision).toBe(Decision.CREATE);
            expect(r.member).toBe(s.owner);
            return;
          }
          expect(r.decision).toBe(Decision.DROP);
          expect(r.drop).toBe(DropCause.NO_CONNECTION);
          // Only the control connection is owned anywhere.
          expect(group.engines.reduce((n, e) => n + e.owned.size, 0)).toBe(1);
          expect(group.engines.every((e) => e.expectations.size === 1)).toBe(true);
        }
        // The expectation is still there for the connection's SYN.
        const r = group.inject(dataPacket(IpProtocol.TCP, s.port, TcpFlag.SYN), 4);
        expect(r.decision).toBe(Decision.CREATE);
        expect(r.member).toBe(s.owner);
      }),
    );
  });

  it("should create a related UDP connection at the parent's owner from its first packet, wherever it lands", () => {
    fc.assert(
      fc.property(setting, fc.nat(255), (s, flags) => {
        const group = announced(s.members, s.owner, s.landing, IpProtocol.UDP, s.port, s.anySource);
        const r = group.inject(dataPacket(IpProtocol.UDP, s.port, flags), 3);
        expect(r.decision).toBe(Decision.CREATE);
        expect(r.member).toBe(s.owner);
        expect(group.engines.every((e) => e.expectations.size === 0)).toBe(true);
      }),
    );
  });
});
