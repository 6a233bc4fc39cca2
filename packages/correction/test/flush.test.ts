import { FlowTableError, MAX_ENTRIES } from '@maestro/flowtable';
import { cloneFlowKey, createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorrectionError, type CorrectionMessage, Group, Reason } from '../src/index.js';
import { INSIDE, OUTSIDE } from './arbitraries.js';
import { exampleConfig } from './example-group.js';

/** Makes every insert into the corrections table of `group`'s member `m` throw FULL, as a full table does. */
function fillCorrections(group: Group, m: number): void {
  const table = group.engines[m]?.corrections;
  if (table === undefined) throw new Error(`no member ${m}`);
  Object.defineProperty(table, 'size', { get: () => MAX_ENTRIES, configurable: true });
  const full = (): never => {
    throw new FlowTableError('FULL', `the table holds ${MAX_ENTRIES} entries at most`);
  };
  table.insert = full;
  table.tryInsert = full;
}

interface Spec {
  readonly from: number;
  readonly to: number;
  readonly owner: number;
  /** A malformed message (created NaN): refused with INVALID_MESSAGE. */
  readonly bad: boolean;
}

const setup = fc.integer({ min: 2, max: 5 }).chain((members) =>
  fc.record({
    members: fc.constant(members),
    full: fc.uniqueArray(fc.integer({ min: 0, max: members - 1 }), { maxLength: members }),
    specs: fc.array(
      fc
        .record({
          from: fc.integer({ min: 0, max: members - 1 }),
          to: fc.integer({ min: 0, max: members - 1 }),
          owner: fc.integer({ min: 0, max: members - 1 }),
          bad: fc.boolean(),
        })
        .filter((s) => s.owner !== s.to),
      { maxLength: 30 },
    ),
  }),
);

describe('Group.flush', () => {
  it('should deliver every message but the refused ones, then throw the first refusal', () => {
    fc.assert(
      fc.property(setup, ({ members, full, specs }) => {
        const group = new Group(exampleConfig(members));
        for (const m of full) fillCorrections(group, m);
        const messages = specs.map(
          (s: Spec, i): CorrectionMessage => ({
            kind: 'correct',
            from: s.from,
            to: s.to,
            key: setFlowV4(
              createFlowKey(),
              IpProtocol.UDP,
              INSIDE + i,
              OUTSIDE,
              1000 + i,
              53,
              PortKind.PORTS,
            ),
            owner: s.owner,
            reason: Reason.ASYMMETRIC,
            created: s.bad ? Number.NaN : 5,
          }),
        );
        for (const m of messages) group.engines[m.from]?.outbox.push(m);
        // The group delivers member 0's outbox first, each in order: the first refusal is this one.
        const order = messages.map((m, i) => ({ m, i })).sort((a, b) => a.m.from - b.m.from || a.i - b.i);
        const refused = (i: number): boolean =>
          (specs[i] as Spec).bad || full.includes((specs[i] as Spec).to);
        const first = order.find(({ i }) => refused(i));
        const expected = specs.map((s, i) => ({ to: s.to, owner: refused(i) ? -1 : s.owner, i }));
        const keys = messages.map((m) => cloneFlowKey(m.key));
        let thrown: unknown = null;
        try {
          group.flush(10);
        } catch (error) {
          thrown = error;
        }
        if (first === undefined) expect(thrown).toBeNull();
        else {
          expect(thrown).toBeInstanceOf(CorrectionError);
          const code = (specs[first.i] as Spec).bad ? 'INVALID_MESSAGE' : 'TABLE_FULL';
          expect((thrown as CorrectionError).code).toBe(code);
        }
        for (const { to, owner, i } of expected) {
          const table = group.engines[to]?.corrections;
          if (owner < 0) continue;
          const h = table?.find(keys[i] as FlowKey) ?? -1;
          expect(h).toBeGreaterThanOrEqual(0);
          expect(table?.owner(h)).toBe(owner);
        }
        for (const engine of group.engines) expect(engine.outbox).toEqual([]);
      }),
    );
  });

  it('should refuse a time that is not a finite number before delivering anything', () => {
    const group = new Group(exampleConfig(2));
    const key = setFlowV4(createFlowKey(), IpProtocol.UDP, INSIDE, OUTSIDE, 1000, 53, PortKind.PORTS);
    const message: CorrectionMessage = {
      kind: 'correct',
      from: 0,
      to: 1,
      key,
      owner: 0,
      reason: Reason.ASYMMETRIC,
      created: 0,
    };
    group.engines[0]?.outbox.push(message);
    expect(() => group.flush(Number.NaN)).toThrow(expect.objectContaining({ code: 'INVALID_PACKET' }));
    expect(group.engines[0]?.outbox).toEqual([message]);
  });

  it('should throw an expiry error of Group.expire before a refused delivery, delivering the rest', () => {
    const group = new Group(exampleConfig(3));
    const expiry = new Error('config failed');
    (group.engines[0] as { expire: (now: number, budget: number) => number }).expire = () => {
      throw expiry;
    };
    const key = (port: number) =>
      setFlowV4(createFlowKey(), IpProtocol.UDP, INSIDE, OUTSIDE, port, 53, PortKind.PORTS);
    const bad: CorrectionMessage = {
      kind: 'correct',
      from: 1,
      to: 2,
      key: key(1),
      owner: 1,
      reason: Reason.ASYMMETRIC,
      created: Number.NaN,
    };
    const good: CorrectionMessage = {
      kind: 'correct',
      from: 1,
      to: 2,
      key: key(2),
      owner: 1,
      reason: Reason.ASYMMETRIC,
      created: 0,
    };
    group.engines[1]?.outbox.push(bad, good);
    expect(() => group.expire(10, 1)).toThrow(expiry);
    expect(group.engines[2]?.corrections.find(key(2))).toBeGreaterThanOrEqual(0);
  });
});
