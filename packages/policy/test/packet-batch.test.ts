import type { FlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compilePolicy,
  matchLinear,
  PACKET_WORDS,
  PacketBatch,
  PacketWord,
  type Policy,
} from '../src/index.js';
import { garbagePacket } from './arbitraries/garbage-packet.js';
import { batchOf, type Packet, packet } from './arbitraries/packets.js';
import { policy } from './arbitraries/policies.js';
import { refusal } from './refusal.js';

/** The words `matchBatch` checks against a range 0..max. */
const RANGED: readonly (readonly [word: number, max: number])[] = [
  [PacketWord.PORT_KIND, 3],
  [PacketWord.PROTOCOL, 255],
  [PacketWord.SRC_PORT, 0xffff],
  [PacketWord.DST_PORT, 0xffff],
  [PacketWord.VLAN, 4095],
];

/**
 * A word of a packet set past what `matchBatch` allows, by hand as a decoder could: the first
 * value past each limit often (off-by-one bugs live there), negative values, anything else.
 */
const impossibleWord = fc.oneof(
  fc.record({
    word: fc.constant(PacketWord.FAMILY as number),
    value: fc.oneof(fc.constantFrom(0, 5, 7, -4), fc.integer()).filter((f) => f !== 4 && f !== 6),
  }),
  ...RANGED.map(([word, max]) =>
    fc.record({
      word: fc.constant(word),
      value: fc.oneof(
        fc.constantFrom(max + 1, -1, -(2 ** 31)),
        fc.integer({ min: max + 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: -(2 ** 31), max: -1 }),
      ),
    }),
  ),
);

/** The first value past each limit, both ways, and the families next to 4 and 6. */
const LIMITS: readonly { word: number; value: number }[] = [
  ...[3, 5, 7, 0].map((value) => ({ word: PacketWord.FAMILY as number, value })),
  ...RANGED.flatMap(([word, max]) => [
    { word, value: max + 1 },
    { word, value: -1 },
  ]),
];

/** The naive evaluator's rule for each packet. */
function naive(p: Policy, packets: readonly Packet[]): number[] {
  return packets.map(({ key, iface, vlan }) => matchLinear(p, key, iface, vlan));
}

const somePolicy = (): Policy => fc.sample(policy(4), { numRuns: 1, seed: 1 })[0] as Policy;

describe('matchBatch', () => {
  it('should agree with match and with the naive evaluator on every packet, with or without cache and kernel', () => {
    fc.assert(
      fc.property(
        policy(16),
        fc.array(packet, { maxLength: 80 }),
        fc.nat(3),
        fc.constantFrom(0, 4, 4096),
        fc.boolean(),
        (p, packets, extra, flowCache, wasm) => {
          const compiled = compilePolicy(p, { flowCache, wasm });
          // Results longer than the batch: nothing past `count` may be written.
          const out = new Int32Array(packets.length + extra).fill(-7);
          compiled.matchBatch(batchOf(packets), out, packets.length);
          packets.forEach(({ key, iface, vlan }, i) => {
            expect(out[i]).toBe(matchLinear(p, key, iface, vlan));
          });
          expect(Array.from(out.subarray(packets.length))).toEqual(new Array(extra).fill(-7));
        },
      ),
    );
  });

  it('should read every interface id as match does: known ids, the last one, unknown ones, both ends of int32', () => {
    fc.assert(
      fc.property(policy(12), packet, fc.boolean(), (p, base, wasm) => {
        const compiled = compilePolicy(p, { flowCache: 0, wasm });
        const n = p.topology.interfaces.length;
        const ids = [-(2 ** 31), -2, -1, 0, n - 2, n - 1, n, n + 1, 2 ** 31 - 1];
        const packets = ids.map((iface) => ({ ...base, iface }));
        const out = new Int32Array(packets.length);
        compiled.matchBatch(batchOf(packets), out);
        expect(Array.from(out)).toEqual(naive(p, packets));
      }),
    );
  });

  it('should ignore the words the layout leaves unused', () => {
    fc.assert(
      fc.property(
        policy(12),
        fc.array(packet, { minLength: 1, maxLength: 40 }),
        fc.integer(),
        fc.boolean(),
        (p, packets, noise, wasm) => {
          const compiled = compilePolicy(p, { flowCache: 0, wasm });
          const batch = batchOf(packets);
          packets.forEach(({ key }, i) => {
            const at = PACKET_WORDS * i;
            batch.words[at + 7] = noise;
            if (key.family === 4) {
              for (let w = 1; w < 4; w++) {
                batch.words[at + PacketWord.SRC + w] = noise;
                batch.words[at + PacketWord.DST + w] = noise;
              }
            }
          });
          const out = new Int32Array(packets.length);
          compiled.matchBatch(batch, out);
          expect(Array.from(out)).toEqual(naive(p, packets));
        },
      ),
    );
  });

  it('should refuse a packet with an impossible word, after writing exactly the results before it', () => {
    fc.assert(
      fc.property(
        policy(12),
        fc.array(packet, { maxLength: 40 }),
        packet,
        fc.array(packet, { maxLength: 40 }),
        impossibleWord,
        fc.constantFrom(0, 4096),
        (p, before, bad, after, drawn, flowCache) => {
          // The drawn value, and every first value past a limit, on both walks.
          for (const field of [drawn, ...LIMITS]) {
            for (const wasm of [true, false]) {
              const compiled = compilePolicy(p, { flowCache, wasm });
              const batch = batchOf([...before, bad, ...after]);
              batch.words[PACKET_WORDS * before.length + field.word] = field.value;
              const out = new Int32Array(batch.capacity).fill(-7);
              expect(refusal(() => compiled.matchBatch(batch, out, before.length + 1 + after.length))).toBe(
                'INVALID_PACKET',
              );
              before.forEach(({ key, iface, vlan }, i) => {
                expect(out[i]).toBe(matchLinear(p, key, iface, vlan));
              });
              expect(Array.from(out.subarray(before.length))).toEqual(
                new Array(out.length - before.length).fill(-7),
              );
            }
          }
        },
      ),
      { numRuns: 30 },
    );
  });

  it('should refuse arguments of the wrong type or a count past them with a PolicyError', () => {
    const compiled = compilePolicy(somePolicy());
    const batch = new PacketBatch(2);
    const cases: (() => void)[] = [
      () => compiled.matchBatch(batch, new Int32Array(2), 3),
      () => compiled.matchBatch(batch, new Int32Array(1)),
      () => compiled.matchBatch(batch, new Int32Array(2), -1),
      () => compiled.matchBatch(batch, new Int32Array(2), 1.5),
      () => compiled.matchBatch(batch, new Uint32Array(2) as unknown as Int32Array),
      () => compiled.matchBatch({ ...batch } as PacketBatch, new Int32Array(2)),
      () => compiled.matchBatch(null as unknown as PacketBatch, new Int32Array(2), 0),
    ];
    for (const run of cases) expect(refusal(run)).toBe('INVALID_PACKET');
  });
});

describe('PacketBatch', () => {
  it('should refuse a garbage packet in set with a PolicyError and leave every word as it was', () => {
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: 8 }),
        garbagePacket,
        fc.nat(),
        (packets, bad, at) => {
          const batch = batchOf(packets);
          const before = Array.from(batch.words);
          expect(
            refusal(() =>
              batch.set(at % packets.length, bad.key as FlowKey, bad.iface as number, bad.vlan as number),
            ),
          ).toBe('INVALID_PACKET');
          expect(Array.from(batch.words)).toEqual(before);
        },
      ),
    );
  });

  it('should refuse an index outside the batch in set, and a capacity that is not 1..2^24', () => {
    const [one] = fc.sample(packet, { numRuns: 1, seed: 2 });
    const batch = new PacketBatch(3);
    for (const i of [-1, 3, 1.5, Number.NaN]) {
      if (one !== undefined)
        expect(refusal(() => batch.set(i, one.key, one.iface, one.vlan))).toBe('INVALID_PACKET');
    }
    expect(Array.from(batch.words)).toEqual(new Array(3 * PACKET_WORDS).fill(0));
    for (const capacity of [0, -1, 2.5, 2 ** 24 + 1, Number.NaN]) {
      expect(refusal(() => new PacketBatch(capacity))).toBe('INVALID_PACKET');
    }
  });
});
