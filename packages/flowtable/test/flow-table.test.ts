import {
  cloneFlowKey,
  createFlowKey,
  type FlowKey,
  flowKeyEquals,
  formatFlow,
  PortKind,
  parseFlow,
  reverseFlowKey,
  setFlowV4,
} from '@maestro/hash';
import { throwingFields, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { STATE_TABLE, stateIndex } from '../src/conn-state.js';
import { ConnState, FlowTable, FlowTableError, nextState, TcpFlag } from '../src/index.js';
import {
  anyFlow,
  expectFindManyAsFind,
  expectSymmetricFind,
  garbageFlow,
  pseudoRandomFlows,
  queryOf,
  tableWithAliases,
} from './arbitraries.js';

describe('FlowTable', () => {
  it('should find a flow and its reverse at the same entry when symmetric, with lastReply telling them apart', () => {
    fc.assert(
      fc.property(anyFlow, (key) => {
        expectSymmetricFind(key);
      }),
    );
  });

  it('should not find the reverse of a flow when not symmetric', () => {
    fc.assert(
      fc.property(anyFlow, (key) => {
        const back = reverseFlowKey(key, createFlowKey());
        fc.pre(!flowKeyEquals(back, key));
        const table = new FlowTable();
        table.insert(key, 0, 1);
        expect(table.find(back)).toBe(-1);
      }),
    );
  });

  it('should keep every key findable through growth from one entry to thousands', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyFlow, { minLength: 200, maxLength: 2000, selector: formatFlow }),
        (keys) => {
          const table = new FlowTable({ capacity: 1, symmetric: true });
          const model = new Map<string, number>();
          const canon = (k: FlowKey): string => {
            const a = formatFlow(k);
            const b = formatFlow(reverseFlowKey(k, createFlowKey()));
            return [a, b].sort()[0] as string;
          };
          keys.forEach((k, i) => {
            if (model.has(canon(k))) return;
            table.insert(k, i, i & 0xffff);
            model.set(canon(k), i & 0xffff);
          });
          keys.forEach((k, i) => {
            if (i % 2 === 0 && model.delete(canon(k))) expect(table.remove(k)).toBe(true);
          });
          expect(table.size).toBe(model.size);
          for (const k of keys) {
            const h = table.find(k);
            expect(h >= 0 ? table.owner(h) : undefined).toBe(model.get(canon(k)));
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('should give with findMany, for every key of any batch, the handle and flags find gives', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 0x7fffffff }),
        fc.integer({ min: 1, max: 6000 }),
        fc.array(fc.nat({ max: 3 }), { minLength: 1, maxLength: 50 }),
        fc.boolean(),
        (seed, n, hows, symmetric) => {
          // thousands of keys, so that buckets overflow and tags collide
          const keys = pseudoRandomFlows(seed, n);
          const table = tableWithAliases(keys, { capacity: 1, symmetric });
          // every key once: as is, reversed, its alias candidate, or (mostly) an absent key
          const queries = keys.map((k, i) => queryOf(k, hows[i % hows.length] as number));
          expectFindManyAsFind(table, queries);
        },
      ),
      { numRuns: 25 },
    );
  });

  it('should reject bad findMany or prefetch buffers and counts with INVALID_VALUE and garbage keys in a batch with INVALID_KEY', () => {
    fc.assert(
      fc.property(
        fc.array(anyFlow, { maxLength: 40 }),
        garbageFlow,
        fc.nat({ max: 40 }),
        fc.oneof(fc.integer({ min: -5, max: 80 }), fc.double()),
        fc.constantFrom<unknown>(null, 42, 'out', {}, [0, 1], new Float64Array(4), new Uint32Array(4)),
        (keys, bad, at, count, buffer) => {
          const table = new FlowTable();
          for (const k of keys) if (!table.has(k)) table.insert(k, 0, 1);
          const size = table.size;
          const out = new Int32Array(keys.length);
          const ok = Number.isInteger(count) && count >= 0 && count <= keys.length;
          if (ok)
            expect(table.findMany(keys, out, undefined, count)).toBe(Math.abs(count)); // -0 counts as 0
          else
            expect(() => table.findMany(keys, out, undefined, count)).toThrow(
              expect.objectContaining({ code: 'INVALID_VALUE' }),
            );
          for (const call of [
            () => table.findMany(keys, buffer as Int32Array),
            () => table.findMany(keys, out, buffer as Uint8Array),
            () => table.prefetch(buffer as Int32Array),
          ]) {
            expect(call).toThrow(expect.objectContaining({ code: 'INVALID_VALUE' }));
          }
          if (typeof buffer !== 'object' || buffer === null) {
            expect(() => table.findMany(buffer as FlowKey[], out)).toThrow(
              expect.objectContaining({ code: 'INVALID_VALUE' }),
            );
          }
          const withBad: unknown[] = [...keys];
          withBad.splice(Math.min(at, keys.length), 0, bad);
          expect(() => table.findMany(withBad as FlowKey[], new Int32Array(withBad.length))).toThrow(
            expect.objectContaining({ code: 'INVALID_KEY' }),
          );
          expect(table.size).toBe(size);
        },
      ),
    );
  });

  it('should remove the same entries with budgeted expiry summing to the size as with expireAll', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(anyFlow, fc.nat({ max: 100_000 })), {
          maxLength: 300,
          selector: ([k]) => formatFlow(k),
        }),
        fc.integer({ min: 1, max: 50 }),
        fc.nat({ max: 200_000 }),
        (rows, budget, now) => {
          const a = new FlowTable();
          const b = new FlowTable();
          for (const [k, t] of rows) {
            a.insert(k, t, 0);
            b.insert(k, t, 0);
          }
          const out = createFlowKey();
          const fromA: string[] = [];
          const fromB: string[] = [];
          a.expireAll(now, (h) => fromA.push(formatFlow(a.keyAt(h, out))));
          let examined = 0;
          const size = b.size;
          while (examined < size) {
            b.expire(now, budget, (h) => fromB.push(formatFlow(b.keyAt(h, out))));
            examined += budget;
          }
          expect(fromB.sort()).toEqual(fromA.sort());
          expect(b.size).toBe(a.size);
        },
      ),
    );
  });

  it('should reject garbage keys with INVALID_KEY and leave the table unchanged', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(anyFlow, { maxLength: 20, selector: formatFlow }),
        garbageFlow,
        (keys, bad) => {
          const table = new FlowTable({ symmetric: true });
          keys.forEach((k, i) => {
            if (!table.has(k)) table.insert(k, 0, i);
          });
          const size = table.size;
          for (const call of [
            () => table.find(bad as FlowKey),
            () => table.insert(bad as FlowKey, 0, 0),
            () => table.tryInsert(bad as FlowKey, 0, 0),
            () => table.remove(bad as FlowKey),
            // null or undefined is no alias
            ...(bad == null
              ? []
              : [() => table.tryInsert(parseFlow('udp 1.1.1.1:1 -> 2.2.2.2:2'), 0, 0, 0, 0, bad as FlowKey)]),
          ]) {
            expect(call).toThrow(FlowTableError);
            try {
              call();
            } catch (error) {
              expect((error as FlowTableError).code).toBe('INVALID_KEY');
            }
          }
          expect(table.size).toBe(size);
          for (const k of keys) expect(table.find(k)).toBeGreaterThanOrEqual(0);
        },
      ),
    );
  });

  it('should reject bad values, handles and options with typed errors', () => {
    fc.assert(
      fc.property(fc.oneof(fc.double(), fc.integer(), fc.constant(Number.NaN), fc.string()), (value) => {
        const table = new FlowTable();
        const h = table.insert(parseFlow('tcp 10.0.0.1:1 -> 10.0.0.2:2'), 0, 1);
        const n = value as number;
        const ok16 = Number.isInteger(n) && n >= 0 && n <= 0xffff;
        const okHandle = n === 0;
        const okBytes = Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;
        for (const [call, ok, code] of [
          [() => table.setOwner(h, n), ok16, 'INVALID_VALUE'],
          [() => table.record(h, 0, n, 0, false), okBytes, 'INVALID_VALUE'],
          [() => table.owner(n), okHandle, 'INVALID_HANDLE'],
          [() => table.insert(parseFlow('udp 1.1.1.1:1 -> 2.2.2.2:2'), 0, n), ok16, 'INVALID_VALUE'],
        ] as const) {
          if (ok) expect(call).not.toThrow();
          else expect(call).toThrow(expect.objectContaining({ code }));
        }
        expect(table.owner(h)).toBe(ok16 ? Math.abs(n) : 1);
      }),
    );
    expect(() => new FlowTable({ capacity: 0 })).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    expect(() => new FlowTable({ timeouts: { udp: -1 } })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => new FlowTable({ timeouts: { tcp: 1 } as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });

  it('should refuse handles, times, counters and output keys that cannot be read or written with a typed error and change nothing', () => {
    const odd = fc.oneof(
      unconvertible,
      fc.constant({ toString: null }),
      fc.constant(null).map(() => throwingFields(['src6', 'dst6'])),
    );
    const key = parseFlow('tcp 10.0.0.1:1 -> 10.0.0.2:2');
    const other = (): FlowKey => parseFlow('udp 1.1.1.1:1 -> 2.2.2.2:2');
    // each call with one argument replaced by `v`
    const calls: ((t: FlowTable, v: number) => unknown)[] = [
      (t, v) => t.owner(v),
      (t, v) => t.backup(v),
      (t, v) => t.state(v),
      (t, v) => t.tag(v),
      (t, v) => t.packets(v),
      (t, v) => t.bytes(v),
      (t, v) => t.lastSeen(v),
      (t, v) => t.removeAt(v),
      (t, v) => t.keyAt(v, createFlowKey()),
      (t, v) => t.keyAt(0, v as unknown as FlowKey),
      (t, v) => t.aliasAt(0, v as unknown as FlowKey),
      (t, v) => t.setAlias(v, other()),
      (t, v) => t.record(v, 1, 10, 2, false),
      (t, v) => t.record(0, v, 10, 2, false),
      (t, v) => t.record(0, 1, v, 2, false),
      (t, v) => t.record(0, 1, 10, v, false),
      (t, v) => t.setOwner(0, v),
      (t, v) => t.setBackup(0, v),
      (t, v) => t.setState(0, v as ConnState),
      (t, v) => t.expire(v, 1),
      (t, v) => t.expire(1, v),
      (t, v) => t.expireAll(v),
      (t, v) => t.insert(other(), v, 1),
      (t, v) => t.insert(other(), 0, v),
      (t, v) => t.tryInsert(other(), 0, 1, v),
    ];
    const snapshot = (t: FlowTable): unknown[] => [
      t.size,
      t.aliasCount,
      ...Array.from({ length: t.size }, (_, h) => [
        t.owner(h),
        t.backup(h),
        t.state(h),
        t.packets(h),
        t.bytes(h),
        t.lastSeen(h),
      ]),
    ];
    fc.assert(
      fc.property(fc.nat(calls.length - 1), odd, (pick, v) => {
        const table = new FlowTable({ symmetric: true });
        table.insert(key, 0, 1, 2, 3);
        table.record(0, 1, 100, 2, false);
        const before = snapshot(table);
        let thrown: unknown;
        try {
          (calls[pick] as (t: FlowTable, v: number) => unknown)(table, v as number);
        } catch (error) {
          thrown = error;
        }
        expect(thrown).toBeInstanceOf(FlowTableError);
        expect((thrown as FlowTableError).code).toMatch(/^INVALID_(HANDLE|VALUE|KEY)$/);
        expect(snapshot(table)).toEqual(before);
      }),
    );
  });

  it('should hold capacity entries with an alias each without growing its index when sized for as many aliases', () => {
    fc.assert(
      fc.property(fc.integer({ min: 100, max: 3000 }), fc.boolean(), (capacity, symmetric) => {
        const sized = new FlowTable({ capacity, aliases: capacity, symmetric });
        const plain = new FlowTable({ capacity, symmetric });
        const slots = sized.slotCount;
        const key = createFlowKey();
        const alias = createFlowKey();
        for (let i = 0; i < capacity; i++) {
          setFlowV4(key, 6, 0x0a000000 + i, 0xc0000201, 1024 + (i & 0x7fff), 443, PortKind.PORTS);
          setFlowV4(alias, 6, 0xcb007101, 0xc0000201, 1024 + (i & 0x7fff), 443 + (i >>> 15), PortKind.PORTS);
          for (const table of [sized, plain]) expect(table.tryInsert(key, 0, 0, 1, 0, alias)).toBe(i);
        }
        expect(sized.slotCount).toBe(slots);
        expect(sized.size + sized.aliasCount).toBe(2 * capacity);
        // Without the option the same entries outgrow the index sized for their keys alone.
        expect(plain.slotCount).toBeGreaterThan(new FlowTable({ capacity, symmetric }).slotCount);
      }),
      { numRuns: 25 },
    );
    for (const aliases of [-1, 0.5, 0xffffff, Number.NaN, '1']) {
      expect(() => new FlowTable({ aliases: aliases as number })).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });

  it('should give from the state table the state nextState gives, for every state, flag byte and direction', () => {
    for (let state = 0; state < 13; state++) {
      for (let flags = 0; flags < 256; flags++) {
        for (const reply of [false, true]) {
          expect(STATE_TABLE[stateIndex(state, flags, reply)]).toBe(nextState(state, flags, reply));
        }
      }
    }
  });

  it('should give back every time and counter exactly as recorded, whatever the clock, through removals', () => {
    const time = fc.oneof(
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.integer({ min: -5, max: 2 ** 34 }),
      fc.constantFrom(0, -0, 0.5, 2 ** 31 - 1, 2 ** 31),
    );
    const op = fc.record({
      t: time,
      bytes: fc.constantFrom(0, 1, 0x8000_0000, 0xffff_ffff),
      remove: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const table = new FlowTable({ capacity: 1 });
        const rows: { created: number; lastSeen: number; packets: number; bytes: number }[] = [];
        ops.forEach(({ t, bytes, remove }, i) => {
          table.insert(parseFlow(`udp 10.0.0.1:${i + 1} -> 10.0.0.2:53`), t, 0);
          rows.push({ created: t, lastSeen: t, packets: 0, bytes: 0 });
          rows.forEach((row, h) => {
            table.record(h, t, bytes, 0, false);
            row.packets++;
            row.bytes += bytes;
            if (t > row.lastSeen) row.lastSeen = t;
          });
          if (remove) {
            table.removeAt(0);
            rows[0] = rows[rows.length - 1] as (typeof rows)[number];
            rows.pop();
          }
        });
        expect(table.size).toBe(rows.length);
        rows.forEach((row, h) => {
          expect([table.created(h), table.lastSeen(h), table.packets(h), table.bytes(h)]).toEqual([
            row.created,
            row.lastSeen,
            row.packets,
            row.bytes,
          ]);
        });
      }),
    );
  });

  it('should give back a last-seen time of -0 as -0, after earlier times that are offsets from a negative epoch', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1000, max: -1 }), fc.integer({ min: 0, max: 999 }), (first, step) => {
        const table = new FlowTable();
        const h = table.insert(parseFlow('udp 10.0.0.1:1 -> 10.0.0.2:53'), first, 0);
        table.record(h, Math.min(-1, first + step), 1, 0, false);
        table.record(h, -0, 1, 0, false);
        expect(Object.is(table.lastSeen(h), -0)).toBe(true);
      }),
    );
  });

  it('should expire an entry exactly when idle for its state timeout', () => {
    const table = new FlowTable({ symmetric: true, timeouts: { udp: 5 } });
    const key = parseFlow('udp 10.0.0.1:5000 -> 192.0.2.1:53');
    const h = table.insert(key, 1000, 0);
    table.record(h, 2000, 100, 0, false);
    expect(table.expireAll(6999)).toBe(0);
    expect(table.expireAll(7000)).toBe(1);
    expect(table.size).toBe(0);
  });

  it('should walk a TCP connection through the firewall states', () => {
    const steps: [number, boolean, ConnState][] = [
      [TcpFlag.SYN, false, ConnState.TCP_SYN_SENT],
      [TcpFlag.SYN | TcpFlag.ACK, true, ConnState.TCP_SYN_RECV],
      [TcpFlag.ACK, false, ConnState.TCP_ESTABLISHED],
      [TcpFlag.FIN | TcpFlag.ACK, true, ConnState.TCP_CLOSE_WAIT],
      [TcpFlag.FIN | TcpFlag.ACK, false, ConnState.TCP_LAST_ACK],
      [TcpFlag.ACK, true, ConnState.TCP_TIME_WAIT],
      [TcpFlag.SYN, false, ConnState.TCP_SYN_SENT],
      [TcpFlag.RST, true, ConnState.TCP_CLOSED],
    ];
    let state: number = ConnState.TCP_NEW;
    for (const [flags, reply, expected] of steps) {
      state = nextState(state, flags, reply);
      expect(state).toBe(expected);
    }
    expect(nextState(ConnState.UDP_UNREPLIED, 0, true)).toBe(ConnState.UDP_REPLIED);
  });

  it('should give the alias key of an entry back, and drop it with the entry', () => {
    fc.assert(
      fc.property(anyFlow, anyFlow, (key, alias) => {
        const table = new FlowTable({ symmetric: true });
        const h = table.insert(key, 0, 3);
        fc.pre(!table.has(alias));
        table.setAlias(h, alias);
        const out = createFlowKey();
        expect(table.aliasAt(h, out)).toBe(true);
        expect(formatFlow(out)).toBe(formatFlow(alias));
        expect(table.find(reverseFlowKey(alias, cloneFlowKey(alias)))).toBe(h);
        table.removeAt(h);
        expect(table.has(alias)).toBe(false);
        expect(table.aliasCount).toBe(0);
      }),
    );
  });
});
