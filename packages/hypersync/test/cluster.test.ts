import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { faults, simSeed } from './arbitraries.js';
import {
  type ClusterModel,
  checkAlways,
  checkQuiescent,
  clusterCommands,
  startWithDevice,
} from './cluster-model.js';
import { Sim } from './sim.js';

const IDS = ['m1', 'm2', 'm3', 'm4', 'm5'];

describe('cluster (model-based, lossy network)', () => {
  it('should keep one owner and one live backup per connection, converge, and lose only connections whose every copy failed', () => {
    fc.assert(
      fc.property(
        simSeed,
        faults,
        fc.integer({ min: 2, max: 4 }),
        fc.constantFrom(Number.POSITIVE_INFINITY, 1, 2),
        fc.commands(clusterCommands, { maxCommands: 25 }),
        (seed, net, size, activeMembers, cmds) => {
          const sim = new Sim(seed, net, { activeMembers });
          sim.onStep = checkAlways;
          for (const id of IDS.slice(0, size)) startWithDevice(sim, id);
          const model: ClusterModel = { conns: new Map(), unsure: new Set(), nextId: 0, lost: 0 };
          const real = { sim, ids: IDS };
          expect(sim.settle()).toBe(true);
          fc.modelRun(() => ({ model, real }), cmds);
          expect(sim.settle(), 'the group should become quiescent').toBe(true);
          checkQuiescent(model, real);
        },
      ),
    );
  });
});
