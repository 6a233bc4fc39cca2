import { createFlowKey, reverseFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyTopology, autoTopology, logicalServer, natRules, scenario } from './arbitraries.js';
import { canonical, correctionEntries, makeConfig, play, tableSizes } from './sim.js';

describe('a group of member engines', () => {
  it('should process every packet of every connection at its owner, and only there', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.option(natRules, { nil: [] }),
        scenario({ extras: true, publicServers: true }),
        logicalServer,
        (t, nat, s, servers) => {
          const { failures } = play(t, nat, s.conns, s.order, servers);
          expect(failures).toEqual([]);
        },
      ),
    );
  });

  it('should need no correction for inside-outside traffic with auto-topology and no NAT', () => {
    fc.assert(
      fc.property(autoTopology, scenario({ extras: false, publicServers: false }), (t, s) => {
        const { failures, everCorrected, group } = play(t, [], s.conns, s.order);
        expect(failures).toEqual([]);
        expect(everCorrected).toBe(false);
        for (const engine of group.engines) expect(engine.stats().forward).toBe(0);
      }),
    );
  });

  it('should hold a correction entry exactly where the reply target differs from the owner', () => {
    fc.assert(
      fc.property(
        anyTopology,
        natRules,
        scenario({ extras: true, publicServers: true }),
        logicalServer,
        (t, nat, s, servers) => {
          const { conns, group } = play(t, nat, s.conns, s.order, servers);
          const config = makeConfig(t, nat);
          const expected: string[] = [];
          for (const conn of conns) {
            if (conn.owner < 0 || conn.t === null) continue;
            const r = reverseFlowKey(conn.t, createFlowKey());
            const replyIngress = t.interfaces[config.route(conn.t)];
            const originIngress = t.interfaces[ifaceOfOrigin(t, conn.o.srcV4)];
            if (replyIngress === undefined || originIngress === undefined)
              throw new Error('no such interface');
            const target = config.distribute(r, replyIngress);
            if (target !== conn.owner) expected.push(`${target}|${canonical(r)}`);
            const landing = config.distribute(conn.o, originIngress);
            if (landing !== conn.owner && !(landing === target && canonical(conn.o) === canonical(r))) {
              expected.push(`${landing}|${canonical(conn.o)}`);
            }
          }
          expect(correctionEntries(group)).toEqual(expected.sort());
        },
      ),
    );
  });

  it('should return every table to empty once all connections close and expire', () => {
    fc.assert(
      fc.property(
        anyTopology,
        fc.option(natRules, { nil: [] }),
        scenario({ extras: true, publicServers: true }),
        (t, nat, s) => {
          const run = play(t, nat, s.conns, s.order);
          // Past every idle timeout of a closed connection (61 s) but far below the 3600 s safety timeout
          // of correction entries: those must go because their owner said so.
          const later = run.now + 61_000;
          run.group.expire(later, 7);
          for (let i = 0; i < 200 && tableSizes(run.group).some((n) => n > 0); i++)
            run.group.expire(later, 7);
          expect(tableSizes(run.group).every((n) => n === 0)).toBe(true);
        },
      ),
    );
  });
});

function ifaceOfOrigin(t: { internal: number; external: number }, address: number): number {
  return address >>> 24 === 10 ? address % t.internal : t.internal + (address % t.external);
}
