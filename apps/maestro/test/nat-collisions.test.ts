import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { type FlowSpec, type PacketSpec, writeRandomCapture } from './random-capture.js';
import { maestro, maestroJson, tempDir } from './run-cli.js';

describe('maestro simulate, NAT collisions', () => {
  it('should count, not fail on, connections two members translate to one tuple', () => {
    // GRE has no ports: hide NAT gives every inside client's GRE to one server the same tuple.
    // Each member refuses a tuple it holds itself, but cannot know the ones other members hold.
    const flows: FlowSpec[] = Array.from({ length: 8 }, (_, i) => ({
      protocol: 'gre',
      client: 0x0a000001 + i,
      server: 0xcb007101,
      clientPort: 0,
      serverPort: 0,
    }));
    const packets: PacketSpec[] = flows.map((_, i) => ({
      flow: i,
      reply: false,
      icmpError: false,
      iface: 0,
      vlan: 200,
      tcpFlags: 0,
      fragment: 'none',
      ipId: 0,
      gapUs: 1000,
    }));
    const dir = tempDir();
    writeRandomCapture(join(dir, 'gre.pcapng'), { interfaces: 1, flows, packets });
    const scenario = join(dir, 'scenario.yaml');
    writeFileSync(
      scenario,
      JSON.stringify({
        capture: 'gre.pcapng',
        members: 4,
        nat: [{ type: 'hide', source: ['10.0.0.0/8'], address: '192.0.2.1', ports: '1024-65535' }],
      }),
    );
    const r = maestroJson<SimulationReport>(['simulate', '--scenario', scenario]);
    // On VLAN 200 (Network mode, the source hashed) the eight clients land on three members: each
    // translates its first and refuses the others (NAT exhausted); the second and third
    // translations collide with the first.
    expect([r.connections, r.natCollisions, r.drops['natExhausted']]).toEqual([3, 2, 5]);
    expect(r.members.reduce((n, m) => n + m.packets, 0) + r.dropped).toBe(8);
    const text = maestro(['simulate', '--scenario', scenario]);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /NAT collisions: 2 \(connections translated to a tuple another connection held/,
    );
  });
});
