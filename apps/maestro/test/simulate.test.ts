import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { maestro, maestroJson, SAMPLES, SCENARIO, tempDir } from './run-cli.js';

const SAMPLE = join(SAMPLES, 'sample.pcap');
const simulate = (...args: string[]): SimulationReport =>
  maestroJson<SimulationReport>(['simulate', ...args]);

describe('maestro simulate', () => {
  it('should lose no connection when one member fails (the default main job)', () => {
    const r = simulate('--scenario', SCENARIO);
    expect(r.events).toHaveLength(1);
    const [failure] = r.events;
    expect(failure).toMatchObject({ kind: 'fail', member: 'sgm2', at: 5, connectionsLost: 0 });
    expect(failure?.connectionsMoved).toBeGreaterThan(0);
    expect(failure?.bucketsMoved).toBe(16384);
    expect(r.misdelivered).toBe(0);
    expect(r.splitConnections).toBe(0);
    // Connection state survives; only fragments in flight to the failed member are dropped.
    expect(r.drops['noConnection']).toBe(0);
    expect(r.drops['unknownIcmp']).toBe(0);
    expect(r.dropped).toBe(r.drops['unknownFragment']);
    expect(r.dropped).toBeLessThan(5);
  });

  it('should hold the fields the JSON promises', () => {
    const r = simulate('--scenario', SCENARIO);
    expect(r.packets).toBe(10_000);
    expect(r.connections).toBeGreaterThan(0);
    for (const m of r.members) {
      expect(Object.keys(m)).toEqual(
        expect.arrayContaining(['id', 'weight', 'packets', 'bytes', 'connections']),
      );
    }
    expect(r.members.map((m) => m.id)).toEqual(['sgm1', 'sgm2', 'sgm3', 'sgm4']);
    expect(r.members.reduce((a, m) => a + m.packets, 0) + r.dropped).toBe(r.packets - r.skipped);
    const active = r.members.filter((m) => m.weight > 0);
    const mean = active.reduce((a, m) => a + m.packets, 0) / active.length;
    expect(r.imbalance).toBeCloseTo(Math.max(...active.map((m) => m.packets)) / mean, 10);
    expect(Object.keys(r.corrections.byReason).sort()).toEqual([
      'asymmetric',
      'fragment',
      'icmp-error',
      'nat',
      'related',
    ]);
    expect(r.corrections.total).toBe(Object.values(r.corrections.byReason).reduce((a, b) => a + b, 0));
    expect(r.sync.records).toBeGreaterThan(0);
    expect(r.sync.bytes).toBeGreaterThan(r.sync.records);
  });

  it('should give identical JSON for the same run twice', () => {
    const a = maestro(['simulate', '--scenario', SCENARIO, '--json']);
    const b = maestro(['simulate', '--scenario', SCENARIO, '--json']);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
  });

  it.each([
    ['general mode', ['--mode', 'general']],
    ['layer 3', ['--l3']],
    ['a Maglev table', ['--strategy', 'maglev', '--event', 'fail sgm1 @3s']],
    ['a keyed hash', ['--hash', 'keyed:0123456789abcdef', '--event', 'fail sgm4 @2s']],
    ['symmetric RSS', ['--hash', 'symmetric', '--mode', 'general']],
    [
      'joins, recoveries, removals and re-weights',
      [
        '--members',
        'sgm1=100,sgm2=200,sgm3=300',
        '--event',
        'add sgm4 @1s',
        '--event',
        'fail sgm2 @2s',
        '--event',
        'recover sgm2 @4s',
        '--event',
        'weight=50 sgm3 @6s',
        '--event',
        'remove sgm1 @8s',
      ],
    ],
  ])('should never have a member process a packet it does not own (%s)', (_, flags) => {
    const r = simulate(SAMPLE, ...flags);
    expect(r.misdelivered).toBe(0);
    expect(r.splitConnections).toBe(0);
    expect(r.packets).toBe(10_000);
    // A single failure with the sync caught up loses nothing; a graceful removal neither.
    for (const e of r.events) expect(e.connectionsLost).toBe(0);
  });

  it('should need no correction with auto-topology and no NAT', () => {
    const r = simulate(SAMPLE, '--mode', 'auto');
    expect(r.dropped).toBe(0);
    expect(r.corrections.byReason.nat).toBe(0);
    expect(r.corrections.byReason.asymmetric).toBe(0);
    expect(r.misdelivered).toBe(0);
  });

  it('should correct the replies of NATed connections, and only with NAT', () => {
    const withNat = simulate('--scenario', SCENARIO);
    const without = simulate(SAMPLE);
    expect(withNat.corrections.byReason.nat).toBeGreaterThan(0);
    expect(without.corrections.byReason.nat).toBe(0);
    // Every extra hop was one the correction layer decided, and no packet needs more than two.
    expect(withNat.corrections.extraHops).toBeGreaterThanOrEqual(withNat.corrections.total);
    expect(withNat.corrections.extraHops).toBeLessThanOrEqual(2 * withNat.corrections.total);
  });

  it('should give members connection shares within 1 % of their weights on a large capture', () => {
    const dir = tempDir();
    const capture = join(dir, 'large.pcap');
    const gen = maestro([
      'gen',
      '--packets',
      '300000',
      '--flows',
      '20000',
      '--seed',
      '5',
      '--snaplen',
      '96',
      '-o',
      capture,
    ]);
    expect(gen.code).toBe(0);
    const r = simulate(capture, '--members', 'sgm1=100,sgm2=100,sgm3=200,sgm4=400', '--mode', 'general');
    const total = r.members.reduce((a, m) => a + m.connections, 0);
    expect(total).toBeGreaterThan(20_000);
    for (const m of r.members) expect(Math.abs(m.connections / total - m.weight / 800)).toBeLessThan(0.01);
    expect(r.misdelivered).toBe(0);
  });
});
