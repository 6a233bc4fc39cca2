import { createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CorrectionConfig,
  CorrectionError,
  type CorrectionMessage,
  createDecisionBuffers,
  MemberEngine,
  PackedBatch,
  type Packet,
  validateNatRules,
} from '../src/index.js';
import { anyTopology, natRules, scenario } from './arbitraries.js';
import { makeConfig, play } from './sim.js';

function dump(engines: readonly MemberEngine[]): string[] {
  const key = createFlowKey();
  const out: string[] = [];
  for (const e of engines) {
    for (const [name, table] of [
      ['owned', e.owned],
      ['corrections', e.corrections],
      ['fragments', e.fragments],
      ['expectations', e.expectations],
    ] as const) {
      for (let h = 0; h < table.size; h++) {
        table.keyAt(h, key);
        out.push(
          `${e.self} ${name} ${JSON.stringify({ ...key, src6: [], dst6: [] })} ${table.owner(h)} ${table.state(h)} ${table.packets(h)}`,
        );
      }
    }
  }
  return out.sort();
}

const validKey = setFlowV4(createFlowKey(), IpProtocol.TCP, 0x0a000001, 0xc6336401, 1234, 80, PortKind.PORTS);

/** Packets with one impossible field. */
const badPacket: fc.Arbitrary<unknown> = fc.oneof(
  fc
    .constantFrom<[string, unknown]>(
      ['ingress', -1],
      ['ingress', 99],
      ['ingress', 0.5],
      ['ipId', 2 ** 32],
      ['ipId', Number.NaN],
      ['tcpFlags', 256],
      ['bytes', -1],
      ['bytes', Number.POSITIVE_INFINITY],
      ['hops', 3],
      ['moreFragments', 'yes'],
      ['embedded', { family: 9 }],
    )
    .map(([field, value]) => ({ ...goodPacket(), [field]: value })),
  fc
    .constantFrom<[number, number, number, number]>(
      [IpProtocol.GRE, PortKind.PORTS, 1, 2],
      [IpProtocol.TCP, PortKind.ECHO, 7, 7],
      [IpProtocol.ICMP, PortKind.ECHO, 7, 8],
      [IpProtocol.UDP, PortKind.FRAGMENT, 1, 0],
      [IpProtocol.TCP, PortKind.NONE, 0, 0],
      [300, PortKind.NONE, 0, 0],
    )
    .map(([protocol, kind, sp, dp]) => ({
      ...goodPacket(),
      key: { ...validKey, protocol, portKind: kind, srcPort: sp, dstPort: dp },
    })),
  // Fields whose conversion to a number throws.
  fc
    .tuple(fc.constantFrom('ingress', 'ipId', 'tcpFlags', 'bytes', 'hops'), unconvertible)
    .map(([field, value]) => ({ ...goodPacket(), [field]: value })),
  fc
    .tuple(
      fc.constantFrom('family', 'protocol', 'portKind', 'srcPort', 'dstPort', 'srcV4', 'dstV4'),
      unconvertible,
    )
    .map(([field, value]) => ({ ...goodPacket(), key: { ...validKey, [field]: value } })),
  fc.constantFrom<unknown>(null, 42, 'packet', { ...goodPacket(), key: null }),
  fc.constant({ ...goodPacket(), embedded: validKey }),
);

/** Two members, one internal and one external interface. */
const TWO_MEMBERS = {
  members: 2,
  seed: 1,
  internal: 1,
  external: 1,
  interfaces: [
    { id: 0, mode: 'user', layer: 'l4' },
    { id: 1, mode: 'network', layer: 'l4' },
  ],
} as const;

function goodPacket(): Packet {
  return {
    key: validKey,
    ingress: 0,
    ipId: 1,
    moreFragments: false,
    tcpFlags: 2,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

/** Messages naming members outside the group, or malformed. */
function badMessage(members: number): fc.Arbitrary<[unknown, string]> {
  return fc.oneof(
    fc.constantFrom<[unknown, string]>(
      [
        { kind: 'correct', from: 0, to: members, key: validKey, owner: 0, reason: 1, created: 0 },
        'UNKNOWN_MEMBER',
      ],
      [
        { kind: 'correct', from: 0, to: 0, key: validKey, owner: members + 3, reason: 1, created: 0 },
        'UNKNOWN_MEMBER',
      ],
      [{ kind: 'uncorrect', from: -1, to: 0, key: validKey, created: 0 }, 'UNKNOWN_MEMBER'],
      [{ kind: 'uncorrect', from: 0, to: 0, key: validKey, created: Number.NaN }, 'INVALID_MESSAGE'],
      [{ kind: 'fragment', from: 0, to: 0.5, key: validKey, owner: 0 }, 'UNKNOWN_MEMBER'],
      [
        { kind: 'correct', from: 0, to: 0, key: validKey, owner: 0, reason: 9, created: 0 },
        'INVALID_MESSAGE',
      ],
      [
        { kind: 'correct', from: 0, to: 0, key: validKey, owner: 0, reason: 1, created: 0 },
        'INVALID_MESSAGE',
      ],
      ...[Number.NaN, Number.POSITIVE_INFINITY, '1', undefined].map((created): [unknown, string] => [
        { kind: 'correct', from: 0, to: 0, key: validKey, owner: members - 1, reason: 1, created },
        'INVALID_MESSAGE',
      ]),
      [{ kind: 'fragment', from: 0, to: 0, key: validKey, owner: 0 }, 'INVALID_MESSAGE'],
      [{ kind: 'teleport', from: 0, to: 0, key: validKey, owner: 0 }, 'INVALID_MESSAGE'],
      [{ kind: 'expect', from: 0, to: 0, key: { ...validKey, srcPort: 70000 }, owner: 0 }, 'INVALID_MESSAGE'],
      [null, 'INVALID_MESSAGE'],
    ),
  );
}

describe('garbage', () => {
  it('should reject impossible packets with INVALID_PACKET and change no entry', () => {
    fc.assert(
      fc.property(
        anyTopology,
        natRules,
        scenario({ extras: true, publicServers: true }),
        badPacket,
        (t, nat, s, bad) => {
          const { group, now } = play(t, nat, s.conns, s.order);
          const before = dump(group.engines);
          for (const engine of group.engines) {
            expect(() => engine.decide(bad as Packet, now)).toThrow(
              expect.objectContaining({ code: 'INVALID_PACKET' }),
            );
            expect(() => engine.decideMany([bad as Packet], now, createDecisionBuffers(1))).toThrow(
              expect.objectContaining({ code: 'INVALID_PACKET' }),
            );
            // An ingress past the config's interfaces is for decidePacked to refuse, not set.
            if ((bad as Partial<Packet> | null)?.ingress !== 99) {
              expect(() => new PackedBatch(1).set(0, bad as Packet)).toThrow(
                expect.objectContaining({ code: 'INVALID_PACKET' }),
              );
            }
          }
          expect(dump(group.engines)).toEqual(before);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should reject messages for unknown members or of bad shape with typed errors and change no entry', () => {
    fc.assert(
      fc.property(
        anyTopology.chain((t) => fc.tuple(fc.constant(t), badMessage(t.members))),
        natRules,
        scenario({ extras: true, publicServers: true }),
        ([t, [message, code]], nat, s) => {
          const { group, now } = play(t, nat, s.conns, s.order);
          const before = dump(group.engines);
          const engine = group.engines[0] as MemberEngine;
          expect(() => engine.deliver(message as CorrectionMessage, now)).toThrow(
            expect.objectContaining({ code }),
          );
          expect(dump(group.engines)).toEqual(before);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should refuse a time, a message field or an option that cannot be read as a number or text with a CorrectionError and change no entry', () => {
    const odd = fc.oneof(unconvertible, fc.constant({ toString: null }));
    const field = fc.constantFrom('kind', 'from', 'to', 'owner', 'reason', 'created');
    fc.assert(
      fc.property(
        anyTopology,
        natRules,
        scenario({ extras: true, publicServers: true }),
        odd,
        field,
        (t, nat, s, v, f) => {
          const { group, now } = play(t, nat, s.conns, s.order);
          const before = dump(group.engines);
          const engine = group.engines[0] as MemberEngine;
          const packet = goodPacket();
          const message = {
            kind: 'correct',
            from: 1 % t.members,
            to: 0,
            key: validKey,
            owner: 1 % t.members,
            reason: 1,
            created: 0,
            [f]: v,
          };
          for (const call of [
            () => engine.decide(packet, v as number),
            () => engine.decideMany([packet], v as number, createDecisionBuffers(1)),
            () => engine.expire(v as number, 1),
            () => engine.expire(now, v as number),
            () => engine.deliver(message as CorrectionMessage, now),
            () =>
              engine.deliver({ kind: 'uncorrect', from: 0, to: 0, key: validKey, created: 0 }, v as number),
          ]) {
            expect(call).toThrow(CorrectionError);
          }
          expect(dump(group.engines)).toEqual(before);
          const config = makeConfig(t, nat);
          for (const change of [{ members: v }, { capacity: v }]) {
            expect(() => new MemberEngine(0, { ...config, ...change } as CorrectionConfig)).toThrow(
              CorrectionError,
            );
          }
          expect(() => new MemberEngine(v as number, config)).toThrow(CorrectionError);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should reject malformed NAT rules with INVALID_NAT_RULE', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.constantFrom<unknown>(
            [{ kind: 'hide', match: {}, address: 1, portMin: 10, portMax: 5 }],
            [{ kind: 'hide', match: {}, address: 1, portMin: 0, portMax: 5 }],
            [{ kind: 'source', match: { src: { address: 1, prefix: 33 } }, to: 1 }],
            [{ kind: 'destination', match: { dstPorts: [80] }, to: 1 }],
            [{ kind: 'static', internal: -1, external: 1 }],
            [{ kind: 'masquerade' }],
          ),
        ),
        (rules) => {
          fc.pre(!Array.isArray(rules) || rules.length > 0);
          expect(() => validateNatRules(rules, 4)).toThrow(CorrectionError);
        },
      ),
    );
  });

  it('should reject a translation that changes more than the destination with BAD_TRANSLATION and change no entry', () => {
    const tampering = fc.constantFrom<[string, (key: FlowKey) => void]>(
      [
        'source address',
        (k) => {
          k.srcV4 = 1;
        },
      ],
      [
        'source port',
        (k) => {
          k.srcPort ^= 1;
        },
      ],
      [
        'protocol',
        (k) => {
          k.protocol = IpProtocol.UDP;
        },
      ],
      [
        'family',
        (k) => {
          k.family = 6;
        },
      ],
      [
        'destination port out of range',
        (k) => {
          k.dstPort = 70000;
        },
      ],
      [
        'destination address not an address',
        (k) => {
          k.dstV4 = -5;
        },
      ],
    );
    fc.assert(
      fc.property(
        anyTopology,
        scenario({ extras: true, publicServers: true }),
        tampering,
        (t, s, [, tamper]) => {
          const { group, now } = play(t, [], s.conns, s.order);
          const before = dump(group.engines);
          const config = {
            ...makeConfig(t, []),
            translate: (_: FlowKey, out: FlowKey) => {
              tamper(out);
              return true;
            },
          };
          const fresh = new MemberEngine(0, config);
          const packet = { ...goodPacket(), key: { ...validKey, srcPort: 4321 } };
          expect(() => fresh.decide(packet, now)).toThrow(
            expect.objectContaining({ code: 'BAD_TRANSLATION' }),
          );
          expect(fresh.owned.size + fresh.corrections.size).toBe(0);
          expect(fresh.outbox).toEqual([]);
          expect(dump(group.engines)).toEqual(before);
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should reject a translate that is not a function with INVALID_CONFIG', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((v) => v !== undefined && typeof v !== 'function'),
        (translate) => {
          const config = { ...makeConfig(TWO_MEMBERS, []), translate } as unknown as CorrectionConfig;
          expect(() => new MemberEngine(0, config)).toThrow(
            expect.objectContaining({ code: 'INVALID_CONFIG' }),
          );
        },
      ),
    );
  });
});
