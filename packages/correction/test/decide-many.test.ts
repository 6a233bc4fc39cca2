import { TcpFlag } from '@maestro/flowtable';
import {
  cloneFlowKey,
  createFlowKey,
  type FlowKey,
  IpProtocol,
  PortKind,
  reverseFlowKey,
  setFlowV4,
} from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionMessage,
  createDecisionBuffers,
  type Decision,
  MemberEngine,
  type Packet,
} from '../src/index.js';
import { anyTopology, INSIDE, LOGICAL_SERVER, logicalServer, natRules, OUTSIDE } from './arbitraries.js';
import { ifaceFor, makeConfig } from './sim.js';

const { SYN, ACK, FIN, RST } = TcpFlag;

/** One packet of a small pool of connections, so that batches revisit what they just created. */
const packetSpec = fc.record({
  client: fc.nat(5),
  server: fc.nat(3),
  port: fc.constantFrom(1024, 1025, 40000),
  protocol: fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP),
  reply: fc.boolean(),
  flags: fc.constantFrom(SYN, SYN | ACK, ACK, FIN | ACK, RST, SYN, SYN),
  frag: fc.constantFrom(0, 0, 0, 1, 2),
  icmp: fc.boolean(),
  bad: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  /** A reply to the translated tuple (what NAT made of the connection), not to the original. */
  viaAlias: fc.boolean(),
});

type PacketSpec = typeof packetSpec extends fc.Arbitrary<infer T> ? T : never;

/** The tuple NAT makes of `o` on a fresh member `self` (its first SYN creates it there). */
type AliasOf = (o: FlowKey) => FlowKey;

function build(spec: PacketSpec, internal: number, external: number, aliasOf?: AliasOf): Packet {
  const t = { members: 1, seed: 0, internal, external, interfaces: [] };
  const server = spec.server === 3 ? LOGICAL_SERVER : OUTSIDE + spec.server;
  const o = setFlowV4(
    createFlowKey(),
    spec.protocol,
    INSIDE + 1 + spec.client,
    server,
    spec.port,
    443,
    PortKind.PORTS,
  );
  const replyTo = spec.viaAlias && aliasOf !== undefined ? aliasOf(o) : o;
  const key = spec.reply ? reverseFlowKey(replyTo, createFlowKey()) : o;
  const packet: Packet = {
    key,
    ingress: ifaceFor(t, key.srcV4),
    ipId: 7 + spec.client,
    moreFragments: spec.frag === 1,
    tcpFlags: spec.protocol === IpProtocol.TCP ? spec.flags : 0,
    bytes: 100,
    embedded: null,
    hops: 0,
  };
  if (spec.frag === 2) {
    key.srcPort = 0;
    key.dstPort = 0;
    key.portKind = PortKind.FRAGMENT;
  } else if (spec.icmp && spec.frag === 0 && !spec.reply) {
    packet.embedded = cloneFlowKey(reverseFlowKey(o, createFlowKey()));
    packet.key = setFlowV4(createFlowKey(), IpProtocol.ICMP, server, o.srcV4, 0, 0, PortKind.NONE);
    packet.tcpFlags = 0;
  }
  if (spec.bad) packet.bytes = -1;
  return packet;
}

function text(messages: readonly CorrectionMessage[]): string[] {
  return messages.map((m) =>
    JSON.stringify({ ...m, key: { ...m.key, src6: [...m.key.src6], dst6: [...m.key.dst6] } }),
  );
}

function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'not a typed error';
  }
}

describe('decideMany', () => {
  it('should make the same decisions, messages, counters and tables as decide one packet at a time', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.option(natRules, { nil: [] }),
        fc.boolean(),
        logicalServer,
        fc.nat(5),
        fc.array(fc.tuple(fc.array(packetSpec, { maxLength: 80 }), fc.nat(5), fc.nat(3)), {
          maxLength: 4,
        }),
        (t, rules, fewPorts, servers, member, batches) => {
          const self = member % t.members;
          // Two hide-NAT ports per member: translated tuples collide, so port choice is exercised.
          const nat = fewPorts
            ? rules.map((r) => (r.kind === 'hide' ? { ...r, portMax: r.portMin + 2 * t.members - 1 } : r))
            : rules;
          const one = new MemberEngine(self, makeConfig(t, nat, servers));
          const many = new MemberEngine(self, makeConfig(t, nat, servers));
          let now = 1;
          for (const [specs, expectFrom, correctFor] of batches) {
            now += 1000;
            // a correction entry from another member, and an expectation on an owned connection
            const other = (self + 1) % t.members;
            const corrected = build(originalSyn(correctFor), t.internal, t.external);
            const message: CorrectionMessage = {
              kind: 'correct',
              from: other,
              to: self,
              key: corrected.key,
              owner: other,
              reason: 1,
            };
            expect(codeOf(() => many.deliver(message, now))).toBe(codeOf(() => one.deliver(message, now)));
            if (one.owned.size > 0) {
              const parent = one.owned.keyAt(expectFrom % one.owned.size, createFlowKey());
              const related = cloneFlowKey(parent);
              related.srcPort = 0;
              related.dstPort = 2000 + expectFrom;
              expect(codeOf(() => many.expect(parent, related, now))).toBe(
                codeOf(() => one.expect(parent, related, now)),
              );
            }
            const aliasOf: AliasOf = (o) => {
              const fresh = new MemberEngine(self, makeConfig(t, nat, servers));
              const syn = build(originalSyn(0), t.internal, t.external);
              syn.key = o;
              syn.ingress = ifaceFor(t, o.srcV4);
              syn.tcpFlags = o.protocol === IpProtocol.TCP ? SYN : 0;
              fresh.decide(syn, now);
              const out = createFlowKey();
              return fresh.translation(o, out) ? out : o;
            };
            const packets = specs.map((s) => build(s, t.internal, t.external, aliasOf));
            const expected: [Decision, number, number, number][] = [];
            let expectedError: string | null = null;
            for (const p of packets) {
              const code = codeOf(() => {
                const d = one.decide(p, now);
                expected.push([d, one.lastTarget, one.lastReason, one.lastDrop]);
              });
              if (code !== null) {
                expectedError = code;
                break;
              }
            }
            const out = createDecisionBuffers(packets.length);
            expect(codeOf(() => many.decideMany(packets, now, out))).toBe(expectedError);
            const got = expected.map((_, i) => [out.decision[i], out.target[i], out.reason[i], out.drop[i]]);
            expect(got).toEqual(expected);
            expect(text(many.outbox.splice(0))).toEqual(text(one.outbox.splice(0)));
            expect(many.stats()).toEqual(one.stats());
            for (const name of ['owned', 'corrections', 'fragments', 'expectations'] as const) {
              expect(many[name].size).toBe(one[name].size);
            }
          }
        },
      ),
    );
  });

  it('should reject a bad count or short buffers with INVALID_PACKET and decide nothing', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.array(packetSpec, { minLength: 1, maxLength: 10 }),
        fc.oneof(fc.integer({ min: -3, max: 20 }), fc.double()),
        fc.nat(12),
        (t, specs, count, room) => {
          const engine = new MemberEngine(0, makeConfig(t, []));
          const packets = specs.map((s) => build({ ...s, bad: false }, t.internal, t.external));
          // room 12 stands for a malformed buffers object (one array of the four)
          const out = room === 12 ? ({ decision: new Uint8Array(20) } as never) : createDecisionBuffers(room);
          const ok =
            Number.isInteger(count) && count >= 0 && count <= packets.length && count <= room && room < 12;
          const code = codeOf(() => engine.decideMany(packets, 1, out, count));
          expect(code).toBe(ok ? null : 'INVALID_PACKET');
          if (!ok) expect(engine.stats()).toEqual(new MemberEngine(0, makeConfig(t, [])).stats());
        },
      ),
    );
  });
});

/** The original-direction SYN of pool connection `client`. */
function originalSyn(client: number): PacketSpec {
  return {
    client,
    server: client % 3,
    port: 1024,
    protocol: IpProtocol.TCP,
    reply: false,
    flags: SYN,
    frag: 0,
    icmp: false,
    bad: false,
    viaAlias: false,
  };
}
