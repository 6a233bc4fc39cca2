import { createFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionRole, HyperSyncError, Member, MemberState, tableDigest } from '../src/index.js';
import { faults, simSeed } from './arbitraries.js';
import { Sim } from './sim.js';

describe('security group', () => {
  it('should keep a member whose software version differs READY and out of the view', () => {
    const sim = new Sim(7, { drop: 0.1, duplicate: 0.05, jitterMs: 10 });
    sim.start('m1');
    sim.start('m2');
    const odd = sim.start('m3', { softwareVersion: 2 });
    for (let i = 0; i < 300; i++) sim.step();
    expect(odd.state()).toBe(MemberState.READY);
    expect(sim.members.get('m1')?.view?.members.map((m) => m.id)).toEqual(['m1', 'm2']);
    expect(sim.members.get('m2')?.state()).toBe(MemberState.ACTIVE);
  });

  it('should make every member agree on one versioned distribution table of the active members', () => {
    fc.assert(
      fc.property(simSeed, faults, fc.integer({ min: 1, max: 5 }), fc.nat(), (seed, net, n, victim) => {
        const sim = new Sim(seed, net);
        const ids = ['m1', 'm2', 'm3', 'm4', 'm5'].slice(0, n);
        ids.forEach((id, i) => {
          sim.start(id, { weight: 1 + i });
        });
        expect(sim.settle()).toBe(true);
        if (n > 1) {
          sim.crash(ids[victim % n] ?? '');
          expect(sim.settle()).toBe(true);
        }
        const tables = [...sim.members.values()].map((m) => m.table);
        const first = tables[0];
        if (first === undefined) throw new Error('no table');
        for (const t of tables) expect(t && tableDigest(t)).toBe(tableDigest(first));
        expect(first.members.map((m) => m.id)).toEqual([...sim.members.keys()].sort());
      }),
      { numRuns: 25 },
    );
  });

  it('should keep no more members active than the table has buckets, and agree on that table', () => {
    fc.assert(
      fc.property(simSeed, fc.integer({ min: 2, max: 5 }), fc.constantFrom(2, 3, 5), (seed, n, size) => {
        const sim = new Sim(seed, { drop: 0, duplicate: 0, jitterMs: 5 }, { tableSize: size });
        const ids = ['m1', 'm2', 'm3', 'm4', 'm5'].slice(0, n);
        for (const id of ids) sim.start(id);
        expect(sim.settle()).toBe(true);
        const members = [...sim.members.values()];
        const active = members.filter((m) => m.state() === MemberState.ACTIVE).map((m) => m.id);
        expect(active.length).toBe(Math.min(n, size));
        const first = members[0]?.table;
        if (first === undefined) throw new Error('no table');
        expect(first.size).toBe(size);
        expect(first.members.map((m) => m.id)).toEqual(active.sort());
        for (const m of members) expect(m.table && tableDigest(m.table)).toBe(tableDigest(first));
      }),
      { numRuns: 25 },
    );
  });

  it('should make the higher-grade site Active and sync its connections to the other site', () => {
    const sim = new Sim(3, { drop: 0.05, duplicate: 0, jitterMs: 5 });
    sim.start('a1', { site: 1 });
    sim.start('a2', { site: 1 });
    sim.start('b1', { site: 2 });
    expect(sim.settle()).toBe(true);
    const a1 = sim.members.get('a1');
    if (a1 === undefined) throw new Error('no a1');
    expect(a1.view?.activeSite).toBe(1);
    expect(sim.members.get('b1')?.state()).toBe(MemberState.STANDBY);
    for (let id = 0; id < 20; id++)
      a1.createConnection({ id, flow: createFlowKey(), hash: Math.imul(id + 1, 0x9e3779b1) >>> 0 });
    expect(sim.settle()).toBe(true);
    let onB = 0;
    sim.members.get('b1')?.forEachConnection((c) => {
      if (c.role === ConnectionRole.STANDBY) onB++;
    });
    expect(onB).toBe(20);
    // Site 1 loses both members: site 2 takes over with every connection.
    sim.crash('a1');
    sim.crash('a2');
    expect(sim.settle()).toBe(true);
    const b1 = sim.members.get('b1');
    expect(b1?.view?.activeSite).toBe(2);
    expect(b1?.state()).toBe(MemberState.ACTIVE);
    expect(b1?.connectionCount).toBe(20);
  });

  it('should reject bad options and bad connections with a typed error', () => {
    const transport = { send: () => undefined };
    expect(() => new Member({ id: '', transport })).toThrow(HyperSyncError);
    expect(() => new Member({ id: 'a', transport, weight: 513 })).toThrow(HyperSyncError);
    expect(() => new Member({ id: 'a', transport, heartbeatMs: 100, deadMs: 50 })).toThrow(HyperSyncError);
    expect(() => new Member({ id: 'a', transport, tableSize: 65536 })).toThrow(HyperSyncError);
    const m = new Member({ id: 'a', transport });
    expect(() => m.createConnection({ id: 1, flow: createFlowKey(), hash: 1 })).toThrow(HyperSyncError);
    for (let t = 0; t <= 2000; t += 100) m.tick(t);
    expect(m.state()).toBe(MemberState.ACTIVE);
    fc.assert(
      fc.property(
        fc.oneof(fc.integer({ max: -1 }), fc.double({ noInteger: true }), fc.constant(2 ** 53)),
        (id) => {
          expect(() => m.createConnection({ id, flow: createFlowKey(), hash: 1 })).toThrow(HyperSyncError);
        },
      ),
    );
    expect(() => m.createConnection({ id: 1, flow: createFlowKey(), hash: -1 })).toThrow(HyperSyncError);
    expect(() => m.updateConnection(99, { state: 1 })).toThrow(HyperSyncError);
  });
});
