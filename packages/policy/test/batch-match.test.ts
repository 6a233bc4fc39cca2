import type { FlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy, matchLinear } from '../src/index.js';
import { garbagePacket } from './arbitraries/garbage-packet.js';
import { type Packet, packet, packetColumns } from './arbitraries/packets.js';
import { policy } from './arbitraries/policies.js';
import { refusal } from './refusal.js';

/** True when an Int32Array element holds `v` as it is (false for what it cannot even convert). */
function int32Holds(v: unknown): boolean {
  try {
    return Object.is(Int32Array.of(v as number)[0], v);
  } catch {
    return false;
  }
}

describe('matchMany', () => {
  it('should agree with match and with the naive evaluator on every packet of a batch, of any size', () => {
    fc.assert(
      fc.property(policy(16), fc.array(packet, { maxLength: 70 }), fc.nat(3), (p, packets, extra) => {
        const compiled = compilePolicy(p, { flowCache: 0 });
        const { keys, ifaces, vlans } = packetColumns(packets);
        // A result buffer longer than the batch: nothing past `count` may be written.
        const out = new Int32Array(packets.length + extra).fill(-7);
        compiled.matchMany(keys, ifaces, vlans, out, packets.length);
        packets.forEach(({ key, iface, vlan }, i) => {
          expect(out[i]).toBe(compiled.match(key, iface, vlan));
          expect(out[i]).toBe(matchLinear(p, key, iface, vlan));
        });
        expect(Array.from(out.subarray(packets.length))).toEqual(new Array(extra).fill(-7));
      }),
    );
  });

  it('should refuse a batch with a garbage packet with a PolicyError, after writing exactly the results before it', () => {
    fc.assert(
      fc.property(
        policy(12),
        fc.array(packet, { maxLength: 40 }),
        fc.array(packet, { maxLength: 40 }),
        garbagePacket,
        fc.constantFrom(0, 4096),
        fc.boolean(),
        (p, before, after, bad, flowCache, wasm) => {
          // The interface id and VLAN travel in Int32Arrays: only garbage they can hold applies.
          fc.pre(int32Holds(bad.iface));
          fc.pre(int32Holds(bad.vlan));
          const compiled = compilePolicy(p, { flowCache, wasm });
          const keys: unknown[] = [...before.map((x) => x.key), bad.key, ...after.map((x) => x.key)];
          const ifaces = Int32Array.from([
            ...before.map((x) => x.iface),
            bad.iface as number,
            ...after.map((x) => x.iface),
          ]);
          const vlans = Int32Array.from([
            ...before.map((x) => x.vlan),
            bad.vlan as number,
            ...after.map((x) => x.vlan),
          ]);
          const out = new Int32Array(keys.length).fill(-7);
          expect(refusal(() => compiled.matchMany(keys as FlowKey[], ifaces, vlans, out))).toBe(
            'INVALID_PACKET',
          );
          before.forEach(({ key, iface, vlan }, i) => {
            expect(out[i]).toBe(matchLinear(p, key, iface, vlan));
          });
          expect(Array.from(out.subarray(before.length))).toEqual(new Array(after.length + 1).fill(-7));
        },
      ),
    );
  });

  it('should refuse buffers of the wrong type or a count past them with a PolicyError', () => {
    const compiled = compilePolicy(
      fc.sample(policy(4), { numRuns: 1, seed: 1 })[0] ?? {
        topology: { mode: 'auto', layer: 'l4', interfaces: [] },
        rules: [],
        nat: [],
      },
    );
    const [one] = fc.sample(packet, { numRuns: 1, seed: 2 });
    const keys = one === undefined ? [] : [one.key];
    const i32 = new Int32Array(1);
    const cases: (() => void)[] = [
      () => compiled.matchMany(keys, i32, i32, i32, 2),
      () => compiled.matchMany(keys, i32, i32, i32, -1),
      () => compiled.matchMany(keys, i32, i32, i32, 0.5),
      () => compiled.matchMany(keys, i32, i32, new Int32Array(0)),
      () => compiled.matchMany(keys, [0] as unknown as Int32Array, i32, i32),
      () => compiled.matchMany(keys, i32, new Uint16Array(1) as unknown as Int32Array, i32),
      () => compiled.matchMany(keys, i32, i32, new Float64Array(1) as unknown as Int32Array),
      () => compiled.matchMany(null as unknown as FlowKey[], i32, i32, i32, 0),
    ];
    for (const run of cases) expect(refusal(run)).toBe('INVALID_PACKET');
  });
});

describe('match', () => {
  it('should refuse any garbage packet with a PolicyError, never throw anything else', () => {
    fc.assert(
      fc.property(policy(8), garbagePacket, fc.boolean(), (p, bad, cached) => {
        const compiled = compilePolicy(p, { flowCache: cached ? 16 : 0 });
        expect(
          refusal(() => compiled.match(bad.key as FlowKey, bad.iface as number, bad.vlan as number)),
        ).toBe('INVALID_PACKET');
      }),
    );
  });

  it('should give the same result with a flow cache of any size as without one', () => {
    fc.assert(
      fc.property(
        policy(16),
        fc.array(packet, { minLength: 1, maxLength: 30 }),
        fc.nat(6),
        fc.array(fc.nat(), { maxLength: 80 }),
        (p, packets, log2, order) => {
          const plain = compilePolicy(p, { flowCache: 0 });
          const cached = compilePolicy(p, { flowCache: 2 ** log2 });
          // Packets again and again in a random order: hits, misses and evictions.
          for (const k of [...packets.keys(), ...order]) {
            const { key, iface, vlan } = packets[k % packets.length] as Packet;
            expect(cached.match(key, iface, vlan)).toBe(plain.match(key, iface, vlan));
          }
        },
      ),
    );
  });
});
