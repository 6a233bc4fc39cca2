import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, reverseFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorrectionConfig, type CorrectionMessage, Decision, MemberEngine } from '../src/index.js';
import { firstKey, type Protocol, packet, SERVER } from './one-flow.js';

// A connection's `correct` held in flight (a slow link, loopback UDP reordering) past the
// connection's expiry, then delivered after the connection was created again: on its first
// creator `a`, or on `b`, the member its replies land on and the late message's receiver.

interface StaleCase {
  readonly members: number;
  readonly a: number;
  readonly b: number;
  /** Who creates the connection again: its first creator, or the receiver of the late message. */
  readonly again: 'a' | 'b';
  readonly protocol: Protocol;
  /** Milliseconds past the first creation at which `a`'s expiry pass runs (after every initial timeout). */
  readonly expiry: number;
  /** Milliseconds from that expiry to the second creation. */
  readonly gap: number;
  /** The order the messages in flight are delivered in (indices into the pairs' heads). */
  readonly picks: readonly number[];
  /** How many other deliveries the late `correct` waits for. */
  readonly lateAt: number;
}

const staleCase: fc.Arbitrary<StaleCase> = fc
  .integer({ min: 2, max: 5 })
  .chain((members) =>
    fc.record({
      members: fc.constant(members),
      ab: fc
        .tuple(fc.nat(members - 1), fc.nat(members - 2))
        .map(([a, i]): [number, number] => [a, i >= a ? i + 1 : i]),
      again: fc.constantFrom<'a' | 'b'>('a', 'b'),
      protocol: fc.constantFrom<Protocol>('udp', 'tcp', 'icmp'),
      expiry: fc.integer({ min: 61_000, max: 200_000 }),
      gap: fc.integer({ min: 0, max: 100_000 }),
      picks: fc.array(fc.nat(), { maxLength: 8 }),
      lateAt: fc.nat(4),
    }),
  )
  .map(({ ab: [a, b], ...r }) => ({ ...r, a, b }));

describe('stale claims', () => {
  it('should keep a re-created connection at its owner, processing both directions there, when a correct of an earlier incarnation arrives late', () => {
    fc.assert(
      fc.property(staleCase, (c) => {
        let creator = c.a;
        const config: CorrectionConfig = {
          members: c.members,
          interfaces: [{ id: 0, mode: 'general', layer: 'l4' }],
          // Packets towards the server land on the current creator; replies on `b`.
          distribute: (key) => (key.dstV4 === SERVER ? creator : c.b),
          route: () => 0,
        };
        const engines = Array.from({ length: c.members }, (_, m) => new MemberEngine(m, config));
        const o = firstKey(c.protocol);
        const a = engines[c.a] as MemberEngine;
        expect(a.decide(packet(o, TcpFlag.SYN), 0)).toBe(Decision.CREATE);
        // Its `correct` to `b` is held in flight; the connection expires (its `uncorrect` joins it).
        const inFlight: CorrectionMessage[] = a.outbox.splice(0);
        expect(inFlight.map((m) => m.kind)).toEqual(['correct']);
        a.expire(c.expiry, 10);
        expect(a.owned.size).toBe(0);
        inFlight.push(...a.outbox.splice(0));
        // Created again, later, where its first packet now lands.
        creator = c.again === 'a' ? c.a : c.b;
        let now = c.expiry + c.gap;
        const second = engines[creator] as MemberEngine;
        expect(second.decide(packet(o, TcpFlag.SYN), now)).toBe(Decision.CREATE);
        inFlight.push(...second.outbox.splice(0));
        // Everything in flight arrives, with what each delivery sends: the late `correct` at any
        // point, the rest in any order that keeps each pair of members' own (a late `uncorrect`
        // overtaken by the next incarnation's `correct` is another matter: see the README).
        const late = inFlight.shift() as CorrectionMessage;
        let lateAt = c.lateAt;
        const deliver = (m: CorrectionMessage): void => {
          const to = engines[m.to] as MemberEngine;
          to.deliver(m, ++now);
          inFlight.push(...to.outbox.splice(0));
        };
        for (let i = 0; inFlight.length > 0 || lateAt >= 0; i++) {
          expect(i).toBeLessThan(20);
          if (lateAt-- === 0 || inFlight.length === 0) {
            lateAt = -1;
            deliver(late);
            continue;
          }
          const heads = inFlight
            .map((m, at) => ({ m, at }))
            .filter(({ m, at }) => !inFlight.slice(0, at).some((x) => x.from === m.from && x.to === m.to));
          const head = heads[(c.picks[i] ?? 0) % heads.length] as { at: number };
          deliver(inFlight.splice(head.at, 1)[0] as CorrectionMessage);
        }
        // One owner, the second creator, and both directions are processed there.
        const owners = engines.filter((e) => e.owned.has(o)).map((e) => e.self);
        expect(owners).toEqual([creator]);
        const reply = reverseFlowKey(o, createFlowKey());
        for (const [key, landing] of [
          [o, creator],
          [reply, c.b],
        ] as const) {
          const p = packet(key, TcpFlag.ACK);
          let at = landing;
          let d = (engines[at] as MemberEngine).decide(p, ++now);
          while (d === Decision.FORWARD && p.hops < 2) {
            at = (engines[at] as MemberEngine).lastTarget;
            p.hops++;
            d = (engines[at] as MemberEngine).decide(p, now);
          }
          expect([d, at]).toEqual([Decision.PROCESS, creator]);
        }
      }),
    );
  });

  it("should ignore, unanswered, a claim created longer before the receiver's connection than a new connection lives, and count it", () => {
    const config: CorrectionConfig = {
      members: 2,
      interfaces: [{ id: 0, mode: 'general', layer: 'l4' }],
      distribute: (key) => (key.dstV4 === SERVER ? 0 : 1),
      route: () => 0,
    };
    const [a, b] = [new MemberEngine(0, config), new MemberEngine(1, config)];
    const o = firstKey('udp');
    expect(b.decide(packet(o, 0), 100_000)).toBe(Decision.CREATE);
    b.outbox.length = 0;
    const claim: CorrectionMessage = {
      kind: 'correct',
      from: 0,
      to: 1,
      key: o,
      owner: 0,
      reason: 2,
      created: 59_999,
    };
    // UDP lives 40 s unreplied: created 40 001 ms before b's, the claim is stale.
    b.deliver(claim, 100_001);
    expect(b.owned.has(o)).toBe(true);
    expect(b.outbox).toEqual([]);
    expect(b.stats()).toMatchObject({ yielded: 0, staleClaims: 1 });
    // 40 000 ms before is within a new connection's life: b yields.
    b.deliver({ ...claim, created: 60_000 }, 100_002);
    expect(b.owned.has(o)).toBe(false);
    expect(b.stats()).toMatchObject({ yielded: 1, staleClaims: 1 });
    expect(a.owned.size).toBe(0);
  });
});
