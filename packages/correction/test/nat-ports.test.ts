import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, type FlowKey, formatFlow, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionConfig,
  Decision,
  DropCause,
  hideSlice,
  MemberEngine,
  type Packet,
} from '../src/index.js';
import { anyTopology, HIDE, hideRule, INSIDE, OUTSIDE, type Topology } from './arbitraries.js';
import { ifaceFor, makeConfig } from './sim.js';

/** The first packet of a connection from inside client `client`, source port `port`, to `server`. */
function opening(t: Topology, client: number, port: number, server: number, udp: boolean): Packet {
  const key = setFlowV4(
    createFlowKey(),
    udp ? IpProtocol.UDP : IpProtocol.TCP,
    INSIDE + 1 + client,
    OUTSIDE + server,
    port,
    443,
    PortKind.PORTS,
  );
  return {
    key,
    ingress: ifaceFor(t, key.srcV4),
    ipId: 0,
    moreFragments: false,
    tcpFlags: udp ? 0 : TcpFlag.SYN,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

/** The translated tuples of every connection `engine` owns. */
function aliases(engine: MemberEngine): FlowKey[] {
  const out: FlowKey[] = [];
  for (let h = 0; h < engine.owned.size; h++) {
    const a = createFlowKey();
    if (engine.owned.aliasAt(h, a)) out.push(a);
  }
  return out;
}

const openings = fc.array(fc.tuple(fc.nat(20), fc.constantFrom(1024, 1025, 2000), fc.nat(3), fc.boolean()), {
  minLength: 1,
  maxLength: 40,
});

describe('NAT of new connections', () => {
  it("should give each hidden connection a free port of the member's slice while one is left, and refuse it as NAT_EXHAUSTED only then", () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.nat(5),
        fc.integer({ min: 1, max: 4 }),
        openings,
        (t, member, per, conns) => {
          const self = member % t.members;
          const hide = hideRule(per, t.members);
          const [first, count] = hideSlice(hide, self, t.members);
          const engine = new MemberEngine(self, makeConfig(t, [hide]));
          const held = new Set<string>();
          // A hidden tuple keeps the protocol and destination: each (protocol, server) has the whole slice.
          const used = new Map<string, number>();
          for (const [client, port, server, udp] of conns) {
            const p = opening(t, client, port, server, udp);
            const decision = engine.decide(p, 1);
            engine.outbox.length = 0;
            const name = formatFlow(p.key);
            if (held.has(name)) expect(decision).toBe(Decision.PROCESS);
            else if ((used.get(`${udp} ${server}`) ?? 0) < count) {
              expect(decision).toBe(Decision.CREATE);
              held.add(name);
              used.set(`${udp} ${server}`, (used.get(`${udp} ${server}`) ?? 0) + 1);
            } else {
              expect(decision).toBe(Decision.DROP);
              expect(engine.lastDrop).toBe(DropCause.NAT_EXHAUSTED);
            }
          }
          const tuples = aliases(engine);
          expect(tuples.length).toBe(engine.owned.size);
          for (const a of tuples) {
            expect(a.srcV4).toBe(HIDE);
            expect(a.srcPort >= first && a.srcPort < first + count).toBe(true);
          }
          expect(new Set(tuples.map(formatFlow)).size).toBe(tuples.length);
        },
      ),
    );
  });

  it('should refuse as NAT_EXHAUSTED a connection whose destination NAT gives a tuple another owned connection holds', () => {
    fc.assert(
      fc.property(anyTopology, fc.nat(5), openings, (t, member, conns) => {
        const self = member % t.members;
        // Every server is reached through one real server: connections from one client and port
        // to different servers translate to one tuple.
        const config: CorrectionConfig = {
          ...makeConfig(t, []),
          translate: (_original, out) => {
            out.dstV4 = OUTSIDE + 99;
            out.dstPort = 8443;
            return true;
          },
        };
        const engine = new MemberEngine(self, config);
        const byTuple = new Map<string, string>();
        for (const [client, port, server, udp] of conns) {
          const p = opening(t, client, port, server, udp);
          const decision = engine.decide(p, 1);
          engine.outbox.length = 0;
          const name = formatFlow(p.key);
          const tuple = `${udp} ${client} ${port}`;
          const holder = byTuple.get(tuple);
          if (holder === name) expect(decision).toBe(Decision.PROCESS);
          else if (holder === undefined) {
            expect(decision).toBe(Decision.CREATE);
            byTuple.set(tuple, name);
          } else {
            expect(decision).toBe(Decision.DROP);
            expect(engine.lastDrop).toBe(DropCause.NAT_EXHAUSTED);
          }
        }
        expect(engine.owned.size).toBe(byTuple.size);
      }),
    );
  });
});
