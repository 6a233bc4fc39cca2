import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowTable, FlowTableError } from '../src/index.js';
import { anyFlow } from './arbitraries.js';

const anyTime = fc.oneof(
  fc.integer({ min: 0, max: 2 ** 40 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

describe('FlowTable.setCreated', () => {
  it('should read back any finite time set as an entry created time, leaving its last-seen and the other entries alone', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyFlow, {
          minLength: 1,
          maxLength: 8,
          selector: (k) => JSON.stringify({ ...k, src6: [...k.src6], dst6: [...k.dst6] }),
        }),
        fc.array(fc.tuple(fc.nat(), anyTime), { maxLength: 20 }),
        anyTime,
        (keys, sets, start) => {
          const table = new FlowTable({ capacity: 16 });
          const handles = keys.map((k) => table.tryInsert(k, start, 1));
          fc.pre(handles.every((h) => typeof h === 'number' && h >= 0));
          const created = keys.map(() => start);
          for (const [i, t] of sets) {
            const h = i % keys.length;
            table.setCreated(h, t);
            created[h] = t;
          }
          for (let h = 0; h < keys.length; h++) {
            expect(Object.is(table.created(h), created[h])).toBe(true);
            expect(Object.is(table.lastSeen(h), start)).toBe(true);
          }
        },
      ),
    );
  });

  it('should refuse a time that is not a finite number with INVALID_VALUE, changing nothing', () => {
    const table = new FlowTable({ capacity: 4 });
    fc.assert(
      fc.property(anyFlow, fc.constantFrom(Number.NaN, Infinity, -Infinity, '5', null), (key, bad) => {
        table.clear();
        const h = table.insert(key, 7, 1);
        expect(() => table.setCreated(h, bad as number)).toThrow(FlowTableError);
        expect(table.created(h)).toBe(7);
      }),
    );
  });
});
