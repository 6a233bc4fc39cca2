import { cloneFlowKey, createFlowKey, IpProtocol } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorrectionConfig, createDecisionBuffers, MemberEngine } from '../src/index.js';
import { anyTopology, hideRule, logicalServer, natRules } from './arbitraries.js';
import {
  breaking,
  build,
  codeOf,
  correction,
  decideEach,
  expectBatchStopsAtThrow,
  expectSameEngine,
  expectSameOwned,
  freshAliasOf,
  originalSyn,
  packetSpec,
  text,
} from './batch-packets.js';
import { makeConfig } from './sim.js';

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
        fc.boolean(),
        (t, rules, fewPorts, servers, member, batches, breaks) => {
          const self = member % t.members;
          // Two hide-NAT ports per member: translated tuples collide, so port choice is exercised.
          const nat = fewPorts
            ? rules.map((r) => (r.kind === 'hide' ? { ...r, portMax: r.portMin + 2 * t.members - 1 } : r))
            : rules;
          const configOf = () =>
            (breaks ? breaking : (c: CorrectionConfig) => c)(makeConfig(t, nat, servers));
          const one = new MemberEngine(self, configOf());
          const many = new MemberEngine(self, configOf());
          let now = 1;
          for (const [specs, expectFrom, correctFor] of batches) {
            now += 1000;
            // a correction entry from another member, and an expectation on an owned connection
            const message = correction(t, self, originalSyn(correctFor));
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
            const aliasOf = freshAliasOf(t, self, nat, servers, now);
            const packets = specs.map((s) => build(s, t.internal, t.external, aliasOf));
            const { expected, error: expectedError } = decideEach(one, packets, now);
            const out = createDecisionBuffers(packets.length);
            expect(codeOf(() => many.decideMany(packets, now, out))).toBe(expectedError);
            const got = expected.map((_, i) => [out.decision[i], out.target[i], out.reason[i], out.drop[i]]);
            expect(got).toEqual(expected);
            expectSameEngine(many, one);
          }
        },
      ),
    );
  });

  it('should record every packet before one whose config function throws, and none after, as decide does', () => {
    expectBatchStopsAtThrow((engine, packets, now) =>
      engine.decideMany(packets, now, createDecisionBuffers(packets.length)),
    );
  });

  it('should choose the hide-NAT ports decide chooses when the creations of a batch contend for a few', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.nat(5),
        fc.integer({ min: 1, max: 3 }),
        fc.array(fc.tuple(fc.nat(40), fc.constantFrom(1024, 1025), fc.boolean()), {
          minLength: 1,
          maxLength: 70,
        }),
        (t, member, per, syns) => {
          const self = member % t.members;
          // `per` ports per member for every inside client to one server: most first tries collide.
          const hide = hideRule(per, t.members);
          const one = new MemberEngine(self, makeConfig(t, [hide]));
          const many = new MemberEngine(self, makeConfig(t, [hide]));
          const packets = syns.map(([client, port, udp]) =>
            build(
              { ...originalSyn(0), client, server: 0, port, protocol: udp ? IpProtocol.UDP : IpProtocol.TCP },
              t.internal,
              t.external,
            ),
          );
          const expected = packets.map((p) => [
            one.decide(p, 1),
            one.lastTarget,
            one.lastReason,
            one.lastDrop,
          ]);
          const out = createDecisionBuffers(packets.length);
          many.decideMany(packets, 1, out);
          const got = expected.map((_, i) => [out.decision[i], out.target[i], out.reason[i], out.drop[i]]);
          expect(got).toEqual(expected);
          expect(text(many.outbox)).toEqual(text(one.outbox));
          expect(many.stats()).toEqual(one.stats());
          expectSameOwned(many, one);
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
