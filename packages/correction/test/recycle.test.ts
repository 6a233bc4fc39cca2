import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { throwingFields } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type CorrectionMessage, MemberEngine, type Packet } from '../src/index.js';
import { anyTopology, INSIDE, natRules, OUTSIDE, type Topology } from './arbitraries.js';
import { ifaceFor, makeConfig } from './sim.js';

function text(messages: readonly CorrectionMessage[]): string[] {
  return messages.map((m) =>
    JSON.stringify({ ...m, key: { ...m.key, src6: [...m.key.src6], dst6: [...m.key.dst6] } }),
  );
}

/** SYNs of new connections from inside clients to outside servers (client offset, port, server offset). */
const syns = fc.array(
  fc.tuple(fc.nat(255), fc.integer({ min: 1024, max: 65535 }), fc.nat(255), fc.boolean()),
  { maxLength: 40 },
);

/** A SYN from inside client `client` (an offset) to outside server `server` at the topology's inside interface. */
function syn(t: Topology, client: number, port: number, server: number): Packet {
  const src = INSIDE + 1 + client;
  return {
    key: setFlowV4(createFlowKey(), IpProtocol.TCP, src, OUTSIDE + server, port, 443, PortKind.PORTS),
    ingress: ifaceFor(t, src),
    ipId: 0,
    moreFragments: false,
    tcpFlags: TcpFlag.SYN,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

describe('message recycling', () => {
  it('should emit the same messages whether or not delivered ones (frozen or not) are recycled', () => {
    fc.assert(
      fc.property(anyTopology, natRules, syns, (t, nat, flows) => {
        const config = makeConfig(t, nat);
        const recycling = new MemberEngine(0, config);
        const plain = new MemberEngine(0, config);
        for (const [client, port, server, freeze] of flows) {
          const packet = syn(t, client, port, server);
          expect(recycling.decide(packet, 1)).toBe(plain.decide(packet, 1));
          const mine = recycling.outbox.splice(0);
          expect(text(mine)).toEqual(text(plain.outbox.splice(0)));
          expect(new Set(mine).size).toBe(mine.length);
          expect(new Set(mine.map((m) => m.key)).size).toBe(mine.length);
          // a frozen message cannot be rewritten: only its key is reused
          recycling.recycle(freeze ? mine.map((m) => Object.freeze(m)) : mine);
        }
      }),
    );
  });
  it('should never reuse a message or key the caller still holds, whether the ones it recycled were frozen or not', () => {
    // per flow: what the caller does with the messages it emits (hold them, recycle them, or
    // recycle them frozen)
    const flows = fc.array(
      fc.tuple(
        fc.nat(255),
        fc.integer({ min: 1024, max: 65535 }),
        fc.nat(255),
        fc.constantFrom('hold', 'recycle', 'freeze'),
      ),
      { maxLength: 60 },
    );
    fc.assert(
      fc.property(anyTopology, natRules, flows, (t, nat, plan) => {
        const engine = new MemberEngine(0, makeConfig(t, nat));
        const held: CorrectionMessage[] = [];
        const heldKeys = new Set<unknown>();
        const heldText: string[] = [];
        for (const [client, port, server, fate] of plan) {
          engine.decide(syn(t, client, port, server), 1);
          const mine = engine.outbox.splice(0);
          expect(new Set(mine).size).toBe(mine.length);
          expect(new Set(mine.map((m) => m.key)).size).toBe(mine.length);
          for (const m of mine) {
            expect(held).not.toContain(m);
            expect(heldKeys.has(m.key)).toBe(false);
          }
          if (fate === 'hold') {
            held.push(...mine);
            for (const m of mine) heldKeys.add(m.key);
            heldText.push(...text(mine));
          } else {
            engine.recycle(fate === 'freeze' ? mine.map((m) => Object.freeze(m)) : mine);
          }
        }
        expect(text(held)).toEqual(heldText);
      }),
    );
  });
});

describe('recycle input', () => {
  it('should keep nothing of a rejected recycle: later messages reuse none of its messages or keys', () => {
    const bad = fc.oneof(
      fc.anything(),
      fc.constant({ kind: 'uncorrect', key: { src6: new Uint8Array(4), dst6: new Uint8Array(16) } }),
    );
    fc.assert(
      fc.property(anyTopology, natRules, syns, syns, bad, (t, nat, first, later, garbage) => {
        const engine = new MemberEngine(0, makeConfig(t, nat));
        for (const [client, port, server] of first) engine.decide(syn(t, client, port, server), 1);
        const held = engine.outbox.splice(0);
        const before = text(held);
        expect(() => engine.recycle([...held, garbage as CorrectionMessage])).toThrow(
          expect.objectContaining({ code: 'INVALID_MESSAGE' }),
        );
        for (const [client, port, server] of later) engine.decide(syn(t, client ^ 0x80, port, server), 1);
        const keys = new Set(held.map((m) => m.key));
        for (const m of engine.outbox) {
          expect(held).not.toContain(m);
          expect(keys.has(m.key)).toBe(false);
        }
        expect(text(held)).toEqual(before);
      }),
    );
  });

  it('should emit and reuse messages when the outbox is recycled in place as when it is drained and recycled', () => {
    fc.assert(
      fc.property(anyTopology, natRules, syns, (t, nat, flows) => {
        const config = makeConfig(t, nat);
        const inPlace = new MemberEngine(0, config);
        const drained = new MemberEngine(0, config);
        const backIn = new Set<CorrectionMessage>();
        const backDr = new Set<CorrectionMessage>();
        for (const [client, port, server] of flows) {
          const packet = syn(t, client, port, server);
          expect(inPlace.decide(packet, 1)).toBe(drained.decide(packet, 1));
          const mine = drained.outbox.splice(0);
          expect(text(inPlace.outbox)).toEqual(text(mine));
          // which messages are reused ones: the same lanes on both sides
          expect(inPlace.outbox.map((m) => backIn.has(m))).toEqual(mine.map((m) => backDr.has(m)));
          for (const m of inPlace.outbox) backIn.add(m);
          for (const m of mine) backDr.add(m);
          inPlace.recycleOutbox();
          drained.recycle(mine);
          expect(inPlace.outbox).toHaveLength(0);
        }
      }),
    );
  });

  it('should refuse to recycle an outbox holding garbage with INVALID_MESSAGE and leave it as it was', () => {
    fc.assert(
      fc.property(anyTopology, natRules, syns, fc.anything(), fc.nat(), (t, nat, flows, garbage, at) => {
        const engine = new MemberEngine(0, makeConfig(t, nat));
        for (const [client, port, server] of flows) engine.decide(syn(t, client, port, server), 1);
        engine.outbox.splice(at % (engine.outbox.length + 1), 0, garbage as CorrectionMessage);
        const before = [...engine.outbox];
        expect(() => engine.recycleOutbox()).toThrow(expect.objectContaining({ code: 'INVALID_MESSAGE' }));
        expect(engine.outbox).toEqual(before);
        expect(engine.outbox.every((m, i) => Object.is(m, before[i]))).toBe(true);
      }),
    );
  });

  it('should reject anything but messages carrying flow key objects with INVALID_MESSAGE', () => {
    const good = fc.constant(null).map(() => ({ kind: 'uncorrect', from: 1, to: 0, key: createFlowKey() }));
    const bad = fc.oneof(
      fc.anything(), // never holds typed arrays, so never a flow key object
      fc.record({ kind: fc.constant('correct'), key: fc.anything() }),
      fc.constant({ kind: 'uncorrect', key: { src6: new Uint8Array(4), dst6: new Uint8Array(16) } }),
      // getters that throw: on the message, on the key's address arrays
      fc.constant(null).map(() => throwingFields(['kind', 'key'])),
      fc.constant(null).map(() => ({ kind: 'correct', key: throwingFields(['src6', 'dst6']) })),
    );
    const garbage = fc.oneof(
      fc.anything().filter((v) => !Array.isArray(v)),
      fc
        .tuple(fc.array(good, { maxLength: 3 }), bad, fc.array(good, { maxLength: 3 }))
        .map(([before, b, after]) => [...before, b, ...after]),
    );
    fc.assert(
      fc.property(anyTopology, garbage, (t, value) => {
        const engine = new MemberEngine(0, makeConfig(t, []));
        expect(() => engine.recycle(value as CorrectionMessage[])).toThrow(
          expect.objectContaining({ code: 'INVALID_MESSAGE' }),
        );
      }),
    );
  });
});
