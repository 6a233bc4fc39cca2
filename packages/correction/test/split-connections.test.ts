import { TcpFlag } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey, flowKeyEquals, reverseFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionConfig,
  type CorrectionMessage,
  Decision,
  MemberEngine,
  type NatRule,
  Reason,
} from '../src/index.js';
import { HIDE, INSIDE } from './arbitraries.js';
import { firstKey, type Protocol, packet, SERVER } from './one-flow.js';

// A split connection: member `a` creates a connection from its first packet, its reply enters
// where `a` did not predict and lands on member `b`, which creates the reverse connection as its
// own. Interface 0 is where packets really enter (forward ones land on `a`, replies on `b`);
// interface 1 is what `route` tells the owners, where the reply of `a`'s connection "lands" on
// `predA` and that of `b`'s on `predB`.

const HIDE_INSIDE: NatRule = {
  kind: 'hide',
  match: { src: { address: INSIDE, prefix: 24 } },
  address: HIDE,
  portMin: 1024,
  portMax: 65535,
};

interface SplitCase {
  readonly members: number;
  readonly a: number;
  readonly b: number;
  readonly predA: number;
  readonly predB: number;
  readonly hide: boolean;
  readonly protocol: Protocol;
  readonly aCreated: number;
  readonly bCreated: number;
}

function splitConfig(c: SplitCase): CorrectionConfig {
  return {
    members: c.members,
    interfaces: [
      { id: 0, mode: 'general', layer: 'l4' },
      { id: 1, mode: 'general', layer: 'l4' },
    ],
    distribute: (key, ingress) => {
      const towardsServer = key.dstV4 === SERVER;
      if (ingress.id === 0) return towardsServer ? c.a : c.b;
      return towardsServer ? c.predB : c.predA;
    },
    route: () => 1,
    nat: c.hide ? [HIDE_INSIDE] : [],
  };
}

/** What a run of a split case left: the engines, whether `b` created, the reply's key, deliveries. */
interface SplitRun {
  readonly engines: MemberEngine[];
  readonly split: boolean;
  /** Whether `a` translated the connection (hide NAT applies to its first packet). */
  readonly translated: boolean;
  readonly reply: FlowKey;
  readonly deliveries: number;
}

/**
 * Plays a split case: `a` decides the first packet; its messages are delivered before the reply
 * when `aFirst`, else held; `b` decides the reply; then every message in flight is delivered in
 * the order `picks` chooses (each pick takes the oldest message in flight between one pair of
 * members), with what each delivery sends.
 */
function playSplit(c: SplitCase, aFirst: boolean, picks: readonly number[]): SplitRun {
  const config = splitConfig(c);
  const engines = Array.from({ length: c.members }, (_, m) => new MemberEngine(m, config));
  const a = engines[c.a] as MemberEngine;
  const b = engines[c.b] as MemberEngine;
  const o = firstKey(c.protocol);
  expect(a.decide(packet(o, TcpFlag.SYN), c.aCreated)).toBe(Decision.CREATE);
  const translated = createFlowKey();
  expect(a.translation(o, translated)).toBe(true);
  const reply = reverseFlowKey(translated, createFlowKey());
  const inFlight: CorrectionMessage[] = [];
  let deliveries = 0;
  let now = Math.max(c.aCreated, c.bCreated);
  const deliver = (m: CorrectionMessage): void => {
    deliveries++;
    const to = engines[m.to] as MemberEngine;
    to.deliver(m, ++now);
    inFlight.push(...to.outbox.splice(0));
  };
  inFlight.push(...a.outbox.splice(0));
  if (aFirst) while (inFlight.length > 0) deliver(inFlight.shift() as CorrectionMessage);
  const second = b.decide(packet(copyFlowKey(reply, createFlowKey()), TcpFlag.SYN), c.bCreated);
  expect([Decision.CREATE, Decision.FORWARD]).toContain(second);
  inFlight.push(...b.outbox.splice(0));
  for (let i = 0; inFlight.length > 0; i++) {
    // Every message is delivered exactly once: a split must settle in a few messages, not ping-pong.
    expect(deliveries).toBeLessThan(6 * c.members);
    // Any member's message may overtake another's, but between two members they keep their order.
    const heads = inFlight
      .map((m, at) => ({ m, at }))
      .filter(({ m, at }) => !inFlight.slice(0, at).some((x) => x.from === m.from && x.to === m.to));
    const head = heads[(picks[i % Math.max(1, picks.length)] ?? 0) % heads.length] as { at: number };
    deliver(inFlight.splice(head.at, 1)[0] as CorrectionMessage);
  }
  const natted = !flowKeyEquals(translated, o);
  return { engines, split: second === Decision.CREATE, translated: natted, reply, deliveries };
}

/** The members that own the connection of `o` (found by either tuple). */
function ownersOf(engines: readonly MemberEngine[], o: FlowKey, reply: FlowKey): number[] {
  return engines.filter((e) => e.owned.has(o) || e.owned.has(reply)).map((e) => e.self);
}

/** Follows a packet of `key` from member `landing` to a final decision: [decision, member, hops]. */
function follow(engines: readonly MemberEngine[], key: FlowKey, landing: number, now: number): number[] {
  const p = packet(copyFlowKey(key, createFlowKey()), TcpFlag.ACK);
  let m = landing;
  for (;;) {
    const engine = engines[m] as MemberEngine;
    const d = engine.decide(p, now);
    engine.outbox.splice(0);
    if (d !== Decision.FORWARD || p.hops === 2) return [d, m, p.hops];
    p.hops++;
    m = engine.lastTarget;
  }
}

const member = (n: number) => fc.nat({ max: n - 1 });

/** Split cases in which a `correct` of one creator can reach the other (else none is sent there). */
const splitCase: fc.Arbitrary<SplitCase> = fc
  .integer({ min: 2, max: 6 })
  .chain((members) =>
    fc.record({
      members: fc.constant(members),
      ab: fc
        .tuple(member(members), member(members - 1))
        .map(([a, i]): [number, number] => [a, i >= a ? i + 1 : i]),
      reach: fc.constantFrom('a', 'b', 'both'),
      otherA: member(members),
      otherB: member(members),
      hide: fc.boolean(),
      protocol: fc.constantFrom<Protocol>('udp', 'tcp', 'icmp'),
      aCreated: fc.integer({ min: 1, max: 5 }),
      later: fc.integer({ min: -3, max: 3 }),
    }),
  )
  .map((r): SplitCase => {
    const [a, b] = r.ab;
    // Without NAT, clocks may disagree with the order of events; with NAT the reply is addressed
    // to the translation, so it cannot have been created before it.
    const bCreated = r.aCreated + (r.hide ? Math.abs(r.later) : r.later);
    return {
      members: r.members,
      a,
      b,
      // `predA` is where `a` sends its `correct`: to `b` when it can reach it, else elsewhere.
      predA: r.reach === 'b' ? (r.otherA === b ? a : r.otherA) : b,
      predB: r.reach === 'a' ? (r.otherB === a ? b : r.otherB) : a,
      hide: r.hide,
      protocol: r.protocol,
      aCreated: r.aCreated,
      bCreated,
    };
  });

describe('split connections', () => {
  it('should leave one owner when two members create the same connection from its two directions', () => {
    fc.assert(
      fc.property(splitCase, fc.boolean(), fc.array(fc.nat(), { maxLength: 12 }), (c, aFirst, picks) => {
        const { engines, split, translated, reply } = playSplit(c, aFirst, picks);
        const o = firstKey(c.protocol);
        const owners = ownersOf(engines, o, reply);
        expect(owners).toHaveLength(1);
        const owner = owners[0] as number;
        // The earlier creation keeps it; at the same time the translating member, then the smaller index.
        const aRanksFirst = c.aCreated !== c.bCreated ? c.aCreated < c.bCreated : translated || c.a < c.b;
        expect(owner).toBe(!split || aRanksFirst ? c.a : c.b);
        expect(engines.reduce((n, e) => n + e.stats().yielded, 0)).toBe(split ? 1 : 0);
        // Every correction entry of the connection sends its packets to the owner.
        for (const e of engines) {
          for (const key of [o, reply]) {
            const h = e.corrections.find(key);
            if (h >= 0) expect(e.corrections.owner(h)).toBe(owner);
          }
        }
        // Both directions, wherever they enter, end at the owner and are processed there.
        const later = Math.max(c.aCreated, c.bCreated) + 100;
        expect(follow(engines, o, c.a, later)).toEqual([Decision.PROCESS, owner, owner === c.a ? 0 : 1]);
        expect(follow(engines, reply, c.b, later)).toEqual([Decision.PROCESS, owner, owner === c.b ? 0 : 1]);
      }),
    );
  });

  it('should keep a split connection at the member that created it first and forward the other’s packets there', () => {
    // Both predictions of member 0 are wrong (its reply "lands" on itself), member 1 predicts member 0.
    const c: SplitCase = {
      members: 2,
      a: 0,
      b: 1,
      predA: 0,
      predB: 0,
      hide: false,
      protocol: 'udp',
      aCreated: 10,
      bCreated: 12,
    };
    const { engines, split, reply, deliveries } = playSplit(c, true, []);
    const [a, b] = engines as [MemberEngine, MemberEngine];
    // member 1's correct reached member 0, which answered it; member 1 yielded.
    expect([split, deliveries]).toEqual([true, 2]);
    expect([a.owned.size, b.owned.size, b.corrections.size]).toEqual([1, 0, 1]);
    expect(b.stats().yielded).toBe(1);
    expect(b.decide(packet(reply, 0), 13)).toBe(Decision.FORWARD);
    expect([b.lastTarget, b.lastReason]).toEqual([0, Reason.ASYMMETRIC]);
  });

  it('should give two claims made in the same millisecond to the smaller member, without NAT, whatever the order they cross in', () => {
    for (const picks of [[0], [1]]) {
      const c: SplitCase = {
        members: 3,
        a: 2,
        b: 1,
        predA: 1,
        predB: 2,
        hide: false,
        protocol: 'udp',
        aCreated: 7,
        bCreated: 7,
      };
      const { engines, split, reply } = playSplit(c, false, picks);
      expect(split).toBe(true);
      expect(ownersOf(engines, firstKey('udp'), reply)).toEqual([1]);
      expect((engines[2] as MemberEngine).stats().yielded).toBe(1);
    }
  });

  it('should give two claims made in the same millisecond to the member that translated the connection', () => {
    const c: SplitCase = {
      members: 3,
      a: 2,
      b: 1,
      predA: 1,
      predB: 2,
      hide: true,
      protocol: 'tcp',
      aCreated: 7,
      bCreated: 7,
    };
    const { engines, reply } = playSplit(c, false, [1, 0]);
    expect(ownersOf(engines, firstKey('tcp'), reply)).toEqual([2]);
    expect((engines[1] as MemberEngine).stats().yielded).toBe(1);
  });
});
