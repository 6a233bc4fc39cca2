import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AddressMap } from '../src/simulation/address-map.js';

const v4 = fc.oneof(fc.integer({ min: 0, max: 0xffff_ffff }), fc.integer({ min: 0, max: 40 }));
const v6 = fc.oneof(
  fc.uint8Array({ minLength: 16, maxLength: 16 }),
  fc.integer({ min: 0, max: 40 }).map((i) => Uint8Array.from({ length: 16 }, (_, j) => (j === 15 ? i : 0))),
);
const op = fc.oneof(
  fc.record({
    kind: fc.constant('set4' as const),
    address: v4,
    value: fc.integer({ min: 0, max: 2 ** 31 - 2 }),
  }),
  fc.record({ kind: fc.constant('get4' as const), address: v4 }),
  fc.record({
    kind: fc.constant('set6' as const),
    address: v6,
    value: fc.integer({ min: 0, max: 2 ** 31 - 2 }),
  }),
  fc.record({ kind: fc.constant('get6' as const), address: v6 }),
);

describe('AddressMap', () => {
  it('should agree with a Map model after any sequence of sets and gets, across growth', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 3000 }), (ops) => {
        const map = new AddressMap();
        const model = new Map<string, number>();
        for (const o of ops) {
          const key = typeof o.address === 'number' ? `4:${o.address}` : `6:${o.address.join('.')}`;
          if (o.kind === 'set4') map.setV4(o.address, o.value);
          else if (o.kind === 'set6') map.setV6(o.address as Uint8Array, o.value);
          if (o.kind === 'set4' || o.kind === 'set6') model.set(key, o.value);
          else {
            const got =
              o.kind === 'get4' ? map.getV4(o.address as number) : map.getV6(o.address as Uint8Array);
            expect(got).toBe(model.get(key) ?? -1);
          }
        }
        expect(map.size).toBe(model.size);
        for (const [key, value] of model) {
          const [family, text] = key.split(':') as [string, string];
          const got =
            family === '4'
              ? map.getV4(Number(text))
              : map.getV6(Uint8Array.from(text.split('.').map(Number)));
          expect(got).toBe(value);
        }
      }),
      { numRuns: 50 },
    );
  });
});
