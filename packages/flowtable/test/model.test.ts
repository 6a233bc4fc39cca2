import { cloneFlowKey, createFlowKey, type FlowKey, formatFlow, reverseFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type BucketIndex, setKernelThreshold } from '../src/bucket-index.js';
import { FindFlag, FlowTable, initialState, nextState, TcpFlag } from '../src/index.js';
import { smallFlow } from './arbitraries.js';

interface Row {
  key: FlowKey;
  alias: FlowKey | null;
  owner: number;
  backup: number;
  tag: number;
  state: number;
  packets: number;
  bytes: number;
  created: number;
  lastSeen: number;
}

interface Model {
  readonly symmetric: boolean;
  rows: Row[];
  now: number;
}

/** The row of an entry just inserted at the model's time (no packets yet, the initial state). */
function newRow(
  model: Model,
  key: FlowKey,
  alias: FlowKey | null,
  owner: number,
  backup: number,
  tag: number,
): Row {
  return {
    key: cloneFlowKey(key),
    alias: alias === null ? null : cloneFlowKey(alias),
    owner,
    backup,
    tag,
    state: initialState(key.protocol),
    packets: 0,
    bytes: 0,
    created: model.now,
    lastSeen: model.now,
  };
}

const TIMEOUT_MS = [25, 25, 25, 3600, 20, 20, 20, 20, 10, 40, 40, 30, 60].map((s) => s * 1000);

function canon(model: Model, key: FlowKey): string {
  const text = formatFlow(key);
  if (!model.symmetric) return text;
  const back = formatFlow(reverseFlowKey(key, createFlowKey()));
  return [back, text].sort()[0] as string;
}

function lookup(model: Model, key: FlowKey): { row: Row; alias: boolean } | undefined {
  const c = canon(model, key);
  for (const row of model.rows) {
    if (canon(model, row.key) === c) return { row, alias: false };
    if (row.alias !== null && canon(model, row.alias) === c) return { row, alias: true };
  }
  return undefined;
}

function assertSame(model: Model, table: FlowTable): void {
  expect(table.size).toBe(model.rows.length);
  // The index itself: every tag and overflow count in step with the keys stored (the insertions'
  // one-pass probe and claim must leave what a lookup and a claim from the home bucket leave).
  const index = (table as unknown as { index: BucketIndex }).index;
  expect(index.consistent()).toBe(true);
  expect(index.used).toBe(table.size + table.aliasCount);
  const out = createFlowKey();
  for (const row of model.rows) {
    const h = table.find(row.key);
    expect(h).toBeGreaterThanOrEqual(0);
    expect(formatFlow(table.keyAt(h, out))).toBe(formatFlow(row.key));
    expect(table.lastReply).toBe(false);
    expect([table.owner(h), table.backup(h), table.tag(h), table.state(h)]).toEqual([
      row.owner,
      row.backup,
      row.tag,
      row.state,
    ]);
    expect([table.packets(h), table.bytes(h), table.created(h), table.lastSeen(h)]).toEqual([
      row.packets,
      row.bytes,
      row.created,
      row.lastSeen,
    ]);
    expect(table.aliasAt(h, out)).toBe(row.alias !== null);
    if (row.alias !== null) {
      expect(formatFlow(out)).toBe(formatFlow(row.alias));
      expect(table.find(row.alias)).toBe(h);
      expect(table.lastAlias).toBe(true);
    }
  }
}

/** A key: fresh, or the key (or alias) of the live row `pick % rows`, resolved at run time. */
interface KeyPick {
  readonly fresh: FlowKey;
  readonly pick: number | null;
}

function resolve(model: Model, k: KeyPick): FlowKey {
  if (k.pick === null || model.rows.length === 0) return k.fresh;
  const row = model.rows[k.pick % model.rows.length] as Row;
  return k.pick % 3 === 2 && row.alias !== null ? row.alias : row.key;
}

function show(k: KeyPick): string {
  return k.pick === null ? formatFlow(k.fresh) : `row#${k.pick}`;
}

class InsertCommand implements fc.Command<Model, FlowTable> {
  constructor(
    readonly key: FlowKey,
    readonly owner: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    if (lookup(model, this.key) !== undefined) {
      const before = table.size;
      expect(() => table.insert(this.key, model.now, this.owner)).toThrow(
        expect.objectContaining({ code: 'EXISTS' }),
      );
      expect(table.size).toBe(before);
    } else {
      table.insert(this.key, model.now, this.owner, this.owner + 1, this.owner & 0xff);
      model.rows.push(newRow(model, this.key, null, this.owner, this.owner + 1, this.owner & 0xff));
    }
    assertSame(model, table);
  }
  toString(): string {
    return `insert(${formatFlow(this.key)}, ${this.owner})`;
  }
}

class TryInsertCommand implements fc.Command<Model, FlowTable> {
  constructor(
    readonly key: FlowKey,
    readonly alias: FlowKey | null,
    readonly owner: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    const before = table.size;
    const expected =
      lookup(model, this.key) !== undefined
        ? -1
        : this.alias !== null &&
            (canon(model, this.alias) === canon(model, this.key) || lookup(model, this.alias) !== undefined)
          ? -2
          : before;
    expect(table.tryInsert(this.key, model.now, this.owner, this.owner + 2, 7, this.alias)).toBe(expected);
    if (expected >= 0) {
      model.rows.push(newRow(model, this.key, this.alias, this.owner, this.owner + 2, 7));
    }
    assertSame(model, table);
  }
  toString(): string {
    return `tryInsert(${formatFlow(this.key)}, ${this.alias === null ? 'no alias' : formatFlow(this.alias)})`;
  }
}

class AliasCommand implements fc.Command<Model, FlowTable> {
  constructor(
    readonly key: KeyPick,
    readonly alias: FlowKey,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    const key = resolve(model, this.key);
    const found = lookup(model, key);
    if (found === undefined) return;
    const h = table.find(key);
    if (found.row.alias !== null || lookup(model, this.alias) !== undefined) {
      expect(() => table.setAlias(h, this.alias)).toThrow(expect.objectContaining({ code: 'EXISTS' }));
    } else {
      table.setAlias(h, this.alias);
      found.row.alias = cloneFlowKey(this.alias);
    }
    assertSame(model, table);
  }
  toString(): string {
    return `alias(${show(this.key)}, ${formatFlow(this.alias)})`;
  }
}

class FindCommand implements fc.Command<Model, FlowTable> {
  constructor(
    readonly key: KeyPick,
    readonly reverse: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    const picked = resolve(model, this.key);
    const key = this.reverse ? reverseFlowKey(picked, createFlowKey()) : picked;
    const found = lookup(model, key);
    const h = table.find(key);
    expect(h >= 0).toBe(found !== undefined);
    expect(table.has(key)).toBe(found !== undefined);
    if (found !== undefined) {
      expect(table.lastAlias).toBe(found.alias);
      const inserted = found.alias ? found.row.alias : found.row.key;
      expect(table.lastReply).toBe(inserted !== null && formatFlow(inserted) !== formatFlow(key));
    }
  }
  toString(): string {
    return `find(${show(this.key)}${this.reverse ? ', reversed' : ''})`;
  }
}

class FindManyCommand implements fc.Command<Model, FlowTable> {
  constructor(readonly picks: readonly (readonly [KeyPick, boolean])[]) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    const keys = this.picks.map(([k, reverse]) => {
      const picked = resolve(model, k);
      return reverse ? reverseFlowKey(picked, createFlowKey()) : picked;
    });
    const out = new Int32Array(keys.length).fill(-7);
    const flags = new Uint8Array(keys.length).fill(0xff);
    const found = table.findMany(keys, out, flags);
    let hits = 0;
    keys.forEach((key, i) => {
      const inModel = lookup(model, key);
      expect(out[i]).toBe(table.find(key));
      expect((out[i] as number) >= 0).toBe(inModel !== undefined);
      if (inModel !== undefined) {
        hits++;
        expect(flags[i]).toBe(
          (table.lastReply ? FindFlag.REPLY : 0) | (table.lastAlias ? FindFlag.ALIAS : 0),
        );
      } else {
        expect(flags[i]).toBe(0);
      }
    });
    expect(found).toBe(hits);
    table.prefetch(out); // a cache hint: must change nothing
    assertSame(model, table);
  }
  toString(): string {
    return `findMany(${this.picks.map(([k, r]) => `${show(k)}${r ? ' reversed' : ''}`).join(', ')})`;
  }
}

class RemoveCommand implements fc.Command<Model, FlowTable> {
  constructor(readonly key: KeyPick) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    const key = resolve(model, this.key);
    const found = lookup(model, key);
    expect(table.remove(key)).toBe(found !== undefined);
    if (found !== undefined) model.rows = model.rows.filter((row) => row !== found.row);
    assertSame(model, table);
  }
  toString(): string {
    return `remove(${show(this.key)})`;
  }
}

class RecordCommand implements fc.Command<Model, FlowTable> {
  constructor(
    readonly key: KeyPick,
    readonly flags: number,
    readonly bytes: number,
    readonly advance: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    model.now += this.advance;
    const key = resolve(model, this.key);
    const found = lookup(model, key);
    const h = table.find(key);
    if (found === undefined) return;
    const reply = table.lastReply;
    table.record(h, model.now, this.bytes, this.flags, reply);
    const row = found.row;
    row.packets++;
    row.bytes += this.bytes;
    row.lastSeen = Math.max(row.lastSeen, model.now);
    row.state = nextState(row.state, this.flags, reply);
    assertSame(model, table);
  }
  toString(): string {
    return `record(${show(this.key)}, flags ${this.flags}, +${this.advance} ms)`;
  }
}

class RecordManyCommand implements fc.Command<Model, FlowTable> {
  constructor(
    readonly picks: readonly (readonly [KeyPick, boolean, number, number])[],
    readonly advance: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    model.now += this.advance;
    const keys = this.picks.map(([k, reverse]) => {
      const picked = resolve(model, k);
      return reverse ? reverseFlowKey(picked, createFlowKey()) : picked;
    });
    const n = keys.length;
    const handles = new Int32Array(n);
    const flags = new Uint8Array(n);
    const bytes = Uint32Array.from(this.picks, ([, , b]) => b);
    const tcp = Uint8Array.from(this.picks, ([, , , f]) => f);
    table.findMany(keys, handles, flags);
    table.recordMany(handles, flags, model.now, bytes, tcp);
    keys.forEach((key, i) => {
      const found = lookup(model, key);
      if (found === undefined) return;
      const row = found.row;
      const reply = ((flags[i] as number) & FindFlag.REPLY) !== 0;
      row.packets++;
      row.bytes += bytes[i] as number;
      row.lastSeen = Math.max(row.lastSeen, model.now);
      row.state = nextState(row.state, tcp[i] as number, reply);
    });
    assertSame(model, table);
  }
  toString(): string {
    return `recordMany(${this.picks.map(([k, r, b, f]) => `${show(k)}${r ? ' reversed' : ''} ${b} B flags ${f}`).join(', ')}, +${this.advance} ms)`;
  }
}

class ExpireCommand implements fc.Command<Model, FlowTable> {
  constructor(readonly advance: number) {}
  check(): boolean {
    return true;
  }
  run(model: Model, table: FlowTable): void {
    model.now += this.advance;
    const expected = model.rows.filter((row) => model.now - row.lastSeen >= (TIMEOUT_MS[row.state] ?? 0));
    const seen: string[] = [];
    const out = createFlowKey();
    const removed = table.expireAll(model.now, (h) => seen.push(formatFlow(table.keyAt(h, out))));
    expect(removed).toBe(expected.length);
    expect(seen.sort()).toEqual(expected.map((row) => formatFlow(row.key)).sort());
    model.rows = model.rows.filter((row) => !expected.includes(row));
    assertSame(model, table);
  }
  toString(): string {
    return `expireAll(+${this.advance} ms)`;
  }
}

const flags = fc.constantFrom(
  TcpFlag.SYN,
  TcpFlag.SYN | TcpFlag.ACK,
  TcpFlag.ACK,
  TcpFlag.FIN | TcpFlag.ACK,
  TcpFlag.RST,
  0,
);
const advance = fc.constantFrom(0, 1, 9_999, 20_000, 30_000, 61_000, 3_600_000);

const keyPick: fc.Arbitrary<KeyPick> = fc.record({
  fresh: smallFlow,
  pick: fc.option(fc.nat({ max: 1000 }), { freq: 4, nil: null }).map((p) => p),
});

const commands = fc.commands(
  [
    fc.tuple(smallFlow, fc.integer({ min: 0, max: 9 })).map(([k, o]) => new InsertCommand(k, o)),
    fc.tuple(keyPick, smallFlow).map(([k, a]) => new AliasCommand(k, a)),
    fc
      .tuple(smallFlow, fc.option(smallFlow, { nil: null }), fc.integer({ min: 0, max: 9 }))
      .map(([k, a, o]) => new TryInsertCommand(k, a, o)),
    fc.tuple(keyPick, fc.boolean()).map(([k, r]) => new FindCommand(k, r)),
    fc.array(fc.tuple(keyPick, fc.boolean()), { maxLength: 70 }).map((picks) => new FindManyCommand(picks)),
    keyPick.map((k) => new RemoveCommand(k)),
    fc
      .tuple(keyPick, flags, fc.nat({ max: 1500 }), advance)
      .map(([k, f, b, a]) => new RecordCommand(k, f, b, a)),
    fc
      .tuple(
        fc.array(fc.tuple(keyPick, fc.boolean(), fc.nat({ max: 1500 }), flags), { maxLength: 40 }),
        advance,
      )
      .map(([picks, a]) => new RecordManyCommand(picks, a)),
    advance.map((a) => new ExpireCommand(a)),
  ],
  { maxCommands: 120 },
);

describe('FlowTable against a Map model', () => {
  for (const symmetric of [false, true]) {
    it(`should hold the same contents as the model after any command sequence (symmetric: ${symmetric})`, () => {
      fc.assert(
        fc.property(commands, fc.integer({ min: 1, max: 4 }), (cmds, capacity) => {
          fc.modelRun(
            () => ({ model: { symmetric, rows: [], now: 0 }, real: new FlowTable({ symmetric, capacity }) }),
            cmds,
          );
        }),
      );
    });
  }

  // Every index, however small, in page-aligned memory with the kernels (findMany's probe, the
  // records and recordMany in WebAssembly), through growth: each rehash and each growth of the
  // records makes a new memory. Fewer runs: each memory reserves about 10 GiB of address space.
  for (const symmetric of [false, true]) {
    it(`should hold the same contents as the model after any command sequence, the kernels running from the first entry (symmetric: ${symmetric})`, () => {
      const before = setKernelThreshold(0);
      try {
        fc.assert(
          fc.property(commands, fc.integer({ min: 1, max: 4 }), (cmds, capacity) => {
            fc.modelRun(
              () => ({
                model: { symmetric, rows: [], now: 0 },
                real: new FlowTable({ symmetric, capacity }),
              }),
              cmds,
            );
          }),
          { numRuns: 50 },
        );
      } finally {
        setKernelThreshold(before);
      }
    });
  }
});
