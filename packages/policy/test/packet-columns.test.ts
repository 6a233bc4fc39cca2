import type { FlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, matchLinear, PacketColumns, type Policy } from '../src/index.js';
import { columnsOf, garbagePacket, packet, policy } from './arbitraries.js';
import { refusal } from './refusal.js';

/** Every column of `c`, copied: to check that a refused call wrote nothing. */
function snapshot(c: PacketColumns): number[][] {
  return [
    c.family,
    c.protocol,
    c.portKind,
    c.srcPort,
    c.dstPort,
    c.srcV4,
    c.dstV4,
    c.src6,
    c.dst6,
    c.iface,
    c.vlan,
  ].map((column) => Array.from(column));
}

/** A field of packet `i` set past what `matchColumns` allows, by hand as a decoder could. */
const impossibleField = fc.oneof(
  fc.record({
    column: fc.constant('family' as const),
    value: fc.integer({ min: 0, max: 255 }).filter((f) => f !== 4 && f !== 6),
  }),
  // The first value past the limit often, as off-by-one bugs live there.
  fc.record({
    column: fc.constant('portKind' as const),
    value: fc.oneof(fc.constant(4), fc.integer({ min: 4, max: 255 })),
  }),
  fc.record({
    column: fc.constant('vlan' as const),
    value: fc.oneof(fc.constant(4096), fc.integer({ min: 4096, max: 65535 })),
  }),
);

const somePolicy = (): Policy => fc.sample(policy(4), { numRuns: 1, seed: 1 })[0] as Policy;

describe('matchColumns', () => {
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
          compiled.matchColumns(columnsOf(packets), out, packets.length);
          packets.forEach(({ key, iface, vlan }, i) => {
            expect(out[i]).toBe(matchLinear(p, key, iface, vlan));
          });
          expect(Array.from(out.subarray(packets.length))).toEqual(new Array(extra).fill(-7));
        },
      ),
    );
  });

  it('should match every packet of the columns when no count is given', () => {
    fc.assert(
      fc.property(policy(8), fc.array(packet, { minLength: 1, maxLength: 40 }), (p, packets) => {
        const compiled = compilePolicy(p);
        const out = new Int32Array(packets.length);
        compiled.matchColumns(columnsOf(packets), out);
        expect(Array.from(out)).toEqual(
          packets.map(({ key, iface, vlan }) => matchLinear(p, key, iface, vlan)),
        );
      }),
    );
  });

  it('should refuse a packet with an impossible family, port kind or VLAN, after writing exactly the results before it', () => {
    fc.assert(
      fc.property(
        policy(12),
        fc.array(packet, { maxLength: 40 }),
        packet,
        fc.array(packet, { maxLength: 40 }),
        impossibleField,
        fc.constantFrom(0, 4096),
        fc.boolean(),
        (p, before, bad, after, field, flowCache, wasm) => {
          const compiled = compilePolicy(p, { flowCache, wasm });
          const columns = columnsOf([...before, bad, ...after]);
          columns[field.column][before.length] = field.value;
          const out = new Int32Array(columns.capacity).fill(-7);
          expect(refusal(() => compiled.matchColumns(columns, out, before.length + 1 + after.length))).toBe(
            'INVALID_PACKET',
          );
          before.forEach(({ key, iface, vlan }, i) => {
            expect(out[i]).toBe(matchLinear(p, key, iface, vlan));
          });
          expect(Array.from(out.subarray(before.length))).toEqual(
            new Array(out.length - before.length).fill(-7),
          );
        },
      ),
    );
  });

  it('should refuse arguments of the wrong type or a count past them with a PolicyError', () => {
    const compiled = compilePolicy(somePolicy());
    const columns = new PacketColumns(2);
    const cases: (() => void)[] = [
      () => compiled.matchColumns(columns, new Int32Array(2), 3),
      () => compiled.matchColumns(columns, new Int32Array(1)),
      () => compiled.matchColumns(columns, new Int32Array(2), -1),
      () => compiled.matchColumns(columns, new Int32Array(2), 1.5),
      () => compiled.matchColumns(columns, new Uint32Array(2) as unknown as Int32Array),
      () => compiled.matchColumns({ ...columns } as PacketColumns, new Int32Array(2)),
      () => compiled.matchColumns(null as unknown as PacketColumns, new Int32Array(2), 0),
    ];
    for (const run of cases) expect(refusal(run)).toBe('INVALID_PACKET');
  });
});

describe('PacketColumns', () => {
  it('should refuse a garbage packet in set with a PolicyError and leave every column as it was', () => {
    fc.assert(
      fc.property(
        fc.array(packet, { minLength: 1, maxLength: 8 }),
        garbagePacket,
        fc.nat(),
        (packets, bad, at) => {
          const columns = columnsOf(packets);
          const before = snapshot(columns);
          expect(
            refusal(() =>
              columns.set(at % packets.length, bad.key as FlowKey, bad.iface as number, bad.vlan as number),
            ),
          ).toBe('INVALID_PACKET');
          expect(snapshot(columns)).toEqual(before);
        },
      ),
    );
  });

  it('should refuse an index outside the columns in set, and a capacity that is not 1..2^24', () => {
    const [one] = fc.sample(packet, { numRuns: 1, seed: 2 });
    const columns = new PacketColumns(3);
    const before = snapshot(columns);
    for (const i of [-1, 3, 1.5, Number.NaN]) {
      if (one !== undefined)
        expect(refusal(() => columns.set(i, one.key, one.iface, one.vlan))).toBe('INVALID_PACKET');
    }
    expect(snapshot(columns)).toEqual(before);
    for (const capacity of [0, -1, 2.5, 2 ** 24 + 1, Number.NaN]) {
      expect(refusal(() => new PacketColumns(capacity))).toBe('INVALID_PACKET');
    }
  });
});
