import { createFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConnectionRole, type Member } from '../src/index.js';
import { faults, simSeed } from './arbitraries.js';
import { Sim } from './sim.js';

const IDS = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];

function group(seed: number, net: { drop: number; duplicate: number; jitterMs: number }, n: number): Sim {
  const sim = new Sim(seed, net);
  for (const id of IDS.slice(0, n)) sim.start(id);
  expect(sim.settle()).toBe(true);
  return sim;
}

function owned(sim: Sim): Map<number, string> {
  const out = new Map<number, string>();
  for (const m of sim.members.values()) {
    m.forEachConnection((c) => {
      if (c.role === ConnectionRole.OWNER) out.set(c.id, m.id);
    });
  }
  return out;
}

function first(sim: Sim): Member {
  const m = sim.members.values().next().value;
  if (m === undefined) throw new Error('empty group');
  return m;
}

function create(m: Member, from: number, count: number, sync: 'backup' | 'all'): void {
  for (let id = from; id < from + count; id++) {
    const flow = createFlowKey();
    flow.srcV4 = id;
    m.createConnection({ id, flow, hash: Math.imul(id + 7, 0x9e3779b1) >>> 0, sync });
  }
}

function recordsSent(sim: Sim): number {
  let n = 0;
  for (const m of sim.members.values()) n += m.stats.recordsSent;
  return n;
}

describe('connection sync', () => {
  it('should lose no synced connection when any single member fails after the sync caught up', () => {
    fc.assert(
      fc.property(simSeed, faults, fc.integer({ min: 2, max: 5 }), fc.nat(), (seed, net, n, victimPick) => {
        const sim = group(seed, net, n);
        const members = [...sim.members.values()];
        members.forEach((m, i) => {
          create(m, i * 100, 20, 'backup');
        });
        expect(sim.settle()).toBe(true);
        const before = owned(sim);
        sim.crash(members[victimPick % n]?.id ?? '');
        expect(sim.settle()).toBe(true);
        const after = owned(sim);
        expect([...after.keys()].sort((a, b) => a - b)).toEqual([...before.keys()].sort((a, b) => a - b));
      }),
      { numRuns: 40 },
    );
  });

  it('should send O(1) records per update with backup sync and N-1 with full sync', () => {
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 8 }), fc.integer({ min: 1, max: 20 }), (n, updates) => {
        for (const sync of ['backup', 'all'] as const) {
          const sim = group(1, { drop: 0, duplicate: 0, jitterMs: 0 }, n);
          const m = first(sim);
          create(m, 0, 1, sync);
          expect(sim.settle()).toBe(true);
          const before = recordsSent(sim);
          for (let k = 0; k < updates; k++) {
            m.updateConnection(0, { state: k + 1 });
            for (let s = 0; s < 3; s++) sim.step();
          }
          expect(sim.settle()).toBe(true);
          expect(recordsSent(sim) - before).toBe(sync === 'backup' ? updates : updates * (n - 1));
        }
      }),
      { numRuns: 15 },
    );
  });

  it('should give every member a copy under the all policy and keep it through a failover', () => {
    fc.assert(
      fc.property(simSeed, faults, fc.integer({ min: 3, max: 5 }), (seed, net, n) => {
        const sim = group(seed, net, n);
        const m = first(sim);
        create(m, 0, 10, 'all');
        expect(sim.settle()).toBe(true);
        for (const x of sim.members.values()) expect(x.connectionCount).toBe(10);
        sim.crash(m.id);
        expect(sim.settle()).toBe(true);
        expect(owned(sim).size).toBe(10);
        for (const x of sim.members.values()) expect(x.connectionCount).toBe(10);
      }),
      { numRuns: 30 },
    );
  });

  it('should keep every connection of the all policy while a copy survives, with one owner, whatever members crash or restart', () => {
    fc.assert(
      fc.property(
        simSeed,
        faults,
        fc.integer({ min: 3, max: 5 }),
        fc.array(fc.record({ owner: fc.nat(), target: fc.option(fc.nat(), { nil: undefined }) }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.constantFrom('stays', 'crashes', 'restarts'), { minLength: 5, maxLength: 5 }),
        fc.integer({ min: 0, max: 38 }),
        (seed, net, n, conns, fates, restartAfter) => {
          const ids = IDS.slice(0, n);
          fc.pre(ids.some((_, i) => fates[i] === 'stays'));
          const sim = group(seed, net, n);
          conns.forEach((c, id) => {
            const owner = sim.members.get(ids[c.owner % n] ?? '');
            const target = c.target === undefined ? undefined : ids[c.target % n];
            owner?.createConnection({
              id,
              flow: createFlowKey(),
              hash: Math.imul(id + 7, 0x9e3779b1) >>> 0,
              sync: 'all',
              ...(target === undefined ? {} : { target }),
            });
          });
          expect(sim.settle()).toBe(true);
          // Owners, designated backups and extra copies fail together; some come back empty
          // before the group has noticed they were gone (a dead interval is 40 steps).
          ids.forEach((id, i) => {
            if (fates[i] !== 'stays') sim.crash(id);
          });
          for (let t = 0; t < restartAfter; t++) sim.step();
          ids.forEach((id, i) => {
            if (fates[i] === 'restarts') sim.start(id);
          });
          expect(sim.settle()).toBe(true);
          for (let id = 0; id < conns.length; id++) {
            const roles = [...sim.members.values()].map((m) => m.connection(id)?.role);
            expect(roles.filter((r) => r === ConnectionRole.OWNER).length, `connection ${id} owners`).toBe(1);
            const standbys = roles.filter((r) => r === ConnectionRole.STANDBY).length;
            expect(standbys, `connection ${id} standbys`).toBe(sim.members.size > 1 ? 1 : 0);
          }
          for (const m of sim.members.values()) expect(m.connectionCount).toBe(conns.length);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('should bulk-resync a returning member with what it must back up', () => {
    fc.assert(
      fc.property(simSeed, faults, fc.integer({ min: 2, max: 4 }), (seed, net, n) => {
        const sim = group(seed, net, n);
        const m = first(sim);
        create(m, 0, 60, 'backup');
        expect(sim.settle()).toBe(true);
        const victim = [...sim.members.keys()][n - 1] ?? '';
        sim.crash(victim);
        expect(sim.settle()).toBe(true);
        const back = sim.start(victim);
        expect(sim.settle()).toBe(true);
        let standbys = 0;
        back.forEachConnection((c) => {
          if (c.role === ConnectionRole.STANDBY) standbys++;
        });
        // Rendezvous placement gives the returning member its share of replicas back.
        expect(standbys).toBeGreaterThan(0);
        expect(owned(sim).size).toBe(60);
      }),
      { numRuns: 20 },
    );
  });
});
