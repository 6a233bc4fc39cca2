import { createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorrectionMessage, Group, MemberEngine, type Packet, Reason } from '../src/index.js';
import { exampleConfig } from './example-group.js';

/** Past every idle timeout, a correction entry's (the longest) included. */
const LATER = 30 * 24 * 3600_000;

/** A UDP packet 10.0.0.1:`sport` -> 192.0.2.1:53, a first fragment if `more`. */
function udp(sport: number, more: boolean): Packet {
  return {
    key: setFlowV4(createFlowKey(), IpProtocol.UDP, 0x0a000001, 0xc0000201, sport, 53, PortKind.PORTS),
    ingress: 0,
    ipId: sport,
    moreFragments: more,
    tcpFlags: 0,
    bytes: 100,
    embedded: null,
    hops: 0,
  };
}

/** Every key of every table, as text. */
function keys(e: MemberEngine): string[] {
  const k = createFlowKey();
  const out: string[] = [];
  for (const name of ['owned', 'corrections', 'fragments', 'expectations'] as const) {
    const t = e[name];
    for (let h = 0; h < t.size; h++) {
      t.keyAt(h, k);
      out.push(`${name} ${k.srcPort} ${k.dstPort} ${k.portKind}`);
    }
  }
  return out.sort();
}

function messages(e: MemberEngine): string[] {
  return e.outbox.map((m) => `${m.kind} ${m.to} ${m.key.srcPort} ${m.key.dstPort}`).sort();
}

const setting = fc.record({
  ports: fc.uniqueArray(fc.integer({ min: 1024, max: 1100 }), { minLength: 1, maxLength: 12 }),
  bad: fc.array(fc.integer({ min: 1024, max: 1100 }), { maxLength: 6 }),
  more: fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }),
  corrected: fc.array(fc.integer({ min: 2000, max: 2010 }), { maxLength: 4 }),
  throwing: fc.constantFrom('route', 'distribute'),
  budget: fc.integer({ min: 1, max: 40 }),
});

describe('expiry with a throwing config function', () => {
  it('should expire every idle entry of every table even when a config function throws while an expiring connection is announced, then rethrow its first error', () => {
    fc.assert(
      fc.property(setting, (s) => {
        const bad = new Set(s.bad);
        let armed = false;
        const failure = new Error('config failed');
        const make = (throwing: boolean) => {
          // Replies land on member 1 (so every creation announces, and every expiry un-announces).
          const hit = (k: FlowKey) => throwing && armed && (bad.has(k.srcPort) || bad.has(k.dstPort));
          return new MemberEngine(
            0,
            exampleConfig(3, {
              distribute: (k) => {
                if (s.throwing === 'distribute' && hit(k)) throw failure;
                return k.srcPort === 53 ? 1 : 0;
              },
              route: (k) => {
                if (s.throwing === 'route' && hit(k)) throw failure;
                return 0;
              },
            }),
          );
        };
        const engines = [make(true), make(false)] as const;
        for (const e of engines) {
          for (const [i, port] of s.ports.entries()) e.decide(udp(port, s.more[i] === true), 0);
          for (const port of s.corrected) {
            const m: CorrectionMessage = {
              kind: 'correct',
              from: 2,
              to: 0,
              key: udp(port, false).key,
              owner: 2,
              reason: Reason.ASYMMETRIC,
              created: 0,
            };
            e.deliver(m, 0);
          }
          e.outbox.length = 0;
        }
        armed = true;
        const [throwing, reference] = engines;
        const expected = s.ports.some((p) => bad.has(p));
        // Expiry passes until nothing is left, as a caller running expiry on a timer would.
        let thrown = 0;
        for (let pass = 0; pass < 200 && keys(throwing).length > 0; pass++) {
          try {
            throwing.expire(LATER, s.budget);
          } catch (error) {
            expect(error).toBe(failure);
            thrown++;
          }
          reference.expire(LATER, s.budget);
          expect(keys(throwing)).toEqual(keys(reference));
        }
        expect(keys(throwing)).toEqual([]);
        expect(thrown > 0).toBe(expected);
        // What could be announced was: the reference's messages, less those of the failing connections.
        const sent = messages(throwing);
        const all = messages(reference);
        for (const m of sent) expect(all).toContain(m);
        expect(all.length - sent.length).toBe(
          reference.outbox.filter((m) => bad.has(m.key.srcPort) || bad.has(m.key.dstPort)).length,
        );
      }),
    );
  });

  it("should run every member's expiry and deliver its messages in a Group before rethrowing a config function's error", () => {
    let armed = false;
    const failure = new Error('route failed');
    // Member 0 owns a connection whose reply lands on 1; member 1 owns one whose reply lands on 0.
    const group = new Group(
      exampleConfig(2, {
        distribute: (k) => (k.srcPort === 1000 || k.dstPort === 1001 ? 0 : 1),
        route: (k) => {
          if (armed && k.srcPort === 1000) throw failure;
          return 0;
        },
      }),
    );
    expect(group.inject(udp(1000, false), 0).member).toBe(0);
    expect(group.inject(udp(1001, false), 0).member).toBe(1);
    expect(group.engines[0]?.corrections.size).toBe(1);
    expect(group.engines[1]?.corrections.size).toBe(1);
    armed = true;
    // Past the UDP idle timeout, well before a correction entry's own (the longest timeout).
    expect(() => group.expire(10 * 60_000, 10)).toThrow(failure);
    // Both connections expired; member 1's uncorrect reached member 0; member 0's could not be sent.
    expect(group.engines.map((e) => e.owned.size)).toEqual([0, 0]);
    expect(group.engines[0]?.corrections.size).toBe(0);
    expect(group.engines[1]?.corrections.size).toBe(1);
  });
});
