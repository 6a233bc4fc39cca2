import { createFlowKey } from '@maestro/hash';
import { describe, expect, it } from 'vitest';
import { ConnectionRole, type Member } from '../src/index.js';
import { Sim } from './sim.js';

const IDS = ['m1', 'm2', 'm3', 'm4'];
const COUNT = 30;

function holders(sim: Sim, id: number, role: ConnectionRole): Member[] {
  return [...sim.members.values()].filter((m) => m.connection(id)?.role === role);
}

function splitGroup(): Sim {
  const sim = new Sim(3, { drop: 0, duplicate: 0, jitterMs: 0 });
  for (const id of IDS) sim.start(id);
  expect(sim.settle()).toBe(true);
  const m1 = sim.members.get('m1');
  if (m1 === undefined) throw new Error('m1 did not start');
  for (let id = 0; id < COUNT; id++) {
    const flow = createFlowKey();
    flow.srcV4 = id;
    m1.createConnection({ id, flow, hash: Math.imul(id + 7, 0x9e3779b1) >>> 0 });
  }
  expect(sim.settle()).toBe(true);
  // Long enough for each side to drop the other and promote its replicas.
  sim.partition(['m1', 'm2']);
  for (let i = 0; i < 150; i++) sim.step();
  return sim;
}

describe('partition', () => {
  it('should leave connections with an owner on each side while a partition lasts', () => {
    const sim = splitGroup();
    const dual = [...Array(COUNT).keys()].filter((id) => holders(sim, id, ConnectionRole.OWNER).length === 2);
    expect(dual.length).toBeGreaterThan(0);
  });

  it('should resolve every connection owned on both sides to the higher epoch once the partition heals', () => {
    const sim = splitGroup();
    const winners = new Map<number, number>();
    for (let id = 0; id < COUNT; id++) {
      const epochs = holders(sim, id, ConnectionRole.OWNER).map((m) => m.connection(id)?.epoch ?? -1);
      if (epochs.length === 2) winners.set(id, Math.max(...epochs));
    }
    sim.heal();
    expect(sim.settle()).toBe(true);
    let demoted = 0;
    for (const m of sim.members.values()) demoted += m.stats.demoted;
    expect(demoted).toBe(winners.size);
    for (let id = 0; id < COUNT; id++) {
      const owners = holders(sim, id, ConnectionRole.OWNER);
      const standbys = holders(sim, id, ConnectionRole.STANDBY);
      expect(owners).toHaveLength(1);
      expect(standbys).toHaveLength(1);
      const owner = owners[0];
      const standby = standbys[0];
      expect(owner?.connection(id)?.backup).toBe(standby?.id);
      expect(standby?.connection(id)?.epoch).toBe(owner?.connection(id)?.epoch);
      const won = winners.get(id);
      if (won !== undefined) expect(owner?.connection(id)?.epoch).toBe(won);
    }
  });
});
