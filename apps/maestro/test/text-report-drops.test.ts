import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { type FlowSpec, type PacketSpec, writeRandomCapture } from './random-capture.js';
import { maestro, maestroJson, SCENARIO, tempDir } from './run-cli.js';

describe('maestro simulate, the text report', () => {
  it('should show the dropped packets and their causes that the JSON reports', () => {
    const json = maestroJson<{ packets: number; dropped: number; members: { packets: number }[] }>([
      'simulate',
      '--scenario',
      SCENARIO,
    ]);
    // The main job drops a packet: the members' packets do not add up to the capture's.
    expect(json.dropped).toBeGreaterThan(0);
    expect(json.members.reduce((a, m) => a + m.packets, 0)).toBe(json.packets - json.dropped);
    const r = maestro(['simulate', '--scenario', SCENARIO]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(`dropped packets: ${json.dropped} \\(unknownFragment ${json.dropped}\\)`),
    );
  });

  it('should keep under their causes the drops of a member that failed and recovered', () => {
    // The shrunk case of the random-capture property: TCP packets that open nothing are dropped
    // on whichever member they land; one of the members then fails and comes back with a fresh
    // correction engine, whose counters start at zero.
    const flows: FlowSpec[] = Array.from({ length: 8 }, (_, i) => ({
      protocol: 'tcp',
      client: 0x0a000001 + i,
      server: 0xcb007101,
      clientPort: 40000,
      serverPort: 53,
    }));
    const packets: PacketSpec[] = flows.map((_, i) => ({
      flow: i,
      reply: false,
      icmpError: false,
      iface: 0,
      vlan: -1,
      tcpFlags: 0x10,
      fragment: 'none',
      ipId: 0,
      gapUs: 1000,
    }));
    const capture = join(tempDir(), 'acks.pcapng');
    writeRandomCapture(capture, { interfaces: 1, flows, packets });
    const r = maestroJson<SimulationReport>([
      'simulate',
      capture,
      '--members',
      '2',
      '--event',
      'fail sgm2 @1s',
      '--event',
      'recover sgm2 @2s',
    ]);
    expect(r.dropped).toBe(8);
    expect(r.drops).toMatchObject({ noConnection: 8, deadMember: 0 });
  });
});
