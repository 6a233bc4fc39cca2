import { TcpFlag } from '@maestro/flowtable';
import {
  createFlowKey,
  type FlowKey,
  formatFlow,
  IpProtocol,
  PortKind,
  reverseFlowKey,
  setFlowV4,
} from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionConfig,
  Decision,
  DropCause,
  hideSlice,
  type Ingress,
  MemberEngine,
  type Packet,
  type Translate,
} from '../src/index.js';
import { anyTopology, HIDE, hideRule, INSIDE, OUTSIDE, type Topology } from './arbitraries.js';
import { codeOf, expectSameOwned, text } from './batch-packets.js';
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

/** A translate hook: every connection goes to port 8443 of its server (a destination NAT at creation). */
const toPort8443: Translate = (_original, out) => {
  out.dstPort = 8443;
  return true;
};

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

  it('should hold as many hidden connections as its capacity without growing its owned table', () => {
    fc.assert(
      fc.property(anyTopology, fc.integer({ min: 100, max: 1500 }), (t, capacity) => {
        const hide = hideRule(1000, t.members);
        const engine = new MemberEngine(0, { ...makeConfig(t, [hide]), capacity });
        const slots = engine.owned.slotCount;
        // Distinct clients, ports and servers: every opening creates a hidden connection here.
        for (let i = 0; engine.owned.size < capacity && i < 4 * capacity; i++) {
          const p = opening(t, i % 200, 1024 + Math.floor(i / 200), i % 4, false);
          engine.decide(p, 1);
          engine.outbox.length = 0;
        }
        expect(engine.owned.size).toBe(capacity);
        expect(engine.owned.aliasCount).toBe(capacity);
        expect(engine.owned.slotCount).toBe(slots);
      }),
      { numRuns: 20 },
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

  it("should leave the owned table, its translations and later creations' ports as they were when a config function throws at a creation", () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.nat(5),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        fc.array(
          fc.tuple(fc.nat(20), fc.constantFrom(1024, 1025, 2000), fc.nat(3), fc.boolean(), fc.nat(7)),
          { minLength: 1, maxLength: 40 },
        ),
        (t, member, per, hook, conns) => {
          const self = member % t.members;
          // A few ports a member, so that a port a failed creation held (if it kept it) would change
          // the ports of the creations after it.
          const nat = [hideRule(per, t.members)];
          const base = makeConfig(t, nat);
          const withHook = (c: CorrectionConfig): CorrectionConfig =>
            hook ? { ...c, translate: toPort8443 } : c;
          // `failAt`: 0 the route, 1 the target's distribution, 2 the landing's (after the entry
          // and its translated tuple were found free); -1 nothing fails.
          let failAt = -1;
          let calls = 0;
          const failing = withHook({
            ...base,
            route: (key) => {
              if (failAt === 0) throw new Error('route failed');
              return base.route(key);
            },
            distribute: (key, ingress) => {
              if (failAt > 0 && ++calls === failAt) throw new Error('distribute failed');
              return base.distribute(key, ingress);
            },
          });
          const engine = new MemberEngine(self, failing);
          const twin = new MemberEngine(self, withHook(base));
          for (const [client, port, server, udp, fail] of conns) {
            const p = opening(t, client, port, server, udp);
            failAt = fail < 3 ? fail : -1;
            calls = 0;
            // The twin never sees a packet that threw: it must end up with the same tables.
            if (codeOf(() => engine.decide(p, 1)) === null) twin.decide(p, 1);
          }
          const t0 = createFlowKey();
          expect(text(engine.outbox)).toEqual(text(twin.outbox));
          expect(engine.stats()).toEqual(twin.stats());
          expect(engine.owned.aliasCount).toBe(twin.owned.aliasCount);
          expectSameOwned(engine, twin);
          const entry = (e: MemberEngine, h: number) => [
            formatFlow(e.owned.keyAt(h, createFlowKey())),
            e.owned.aliasAt(h, t0) ? formatFlow(t0) : null,
            e.owned.owner(h),
            e.owned.backup(h),
            e.owned.tag(h),
          ];
          for (let h = 0; h < engine.owned.size; h++) expect(entry(engine, h)).toEqual(entry(twin, h));
          expect(aliases(engine).map(formatFlow)).toEqual(aliases(twin).map(formatFlow));
        },
      ),
    );
  });

  it('should give each owned connection its reply target as backup, or the next member when the target is the owner', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.nat(5),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        openings,
        (t, member, per, hook, conns) => {
          const self = member % t.members;
          const base = makeConfig(t, [hideRule(per, t.members)]);
          const config: CorrectionConfig = hook ? { ...base, translate: toPort8443 } : base;
          const engine = new MemberEngine(self, config);
          for (const [client, port, server, udp] of conns)
            engine.decide(opening(t, client, port, server, udp), 1);
          for (let h = 0; h < engine.owned.size; h++) {
            const tuple = createFlowKey();
            if (!engine.owned.aliasAt(h, tuple)) engine.owned.keyAt(h, tuple);
            const ingress = t.interfaces[config.route(tuple)] as Ingress;
            const target = config.distribute(reverseFlowKey(tuple, createFlowKey()), ingress);
            expect(engine.owned.backup(h)).toBe(target !== self ? target : (self + 1) % t.members);
          }
        },
      ),
    );
  });
});
