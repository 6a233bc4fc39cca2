import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { VIP, writeLogicalServerCapture } from './logical-server-capture.js';
import { maestro, maestroJson, tempDir } from './run-cli.js';

const CLIENTS = 300;
let dir = '';

function scenario(name: string, logicalServer: string, extra = ''): string {
  const path = join(dir, `${name}.yaml`);
  writeFileSync(
    path,
    `capture: vip.pcap
members: 4
topology:
  mode: auto
  layer: l4
  interfaces:
    - name: uplink
      zone: external
      vlans:
        - { id: 100, zone: internal }
        - { id: 200, zone: external }
nat:
  - { type: hide, source: [198.18.0.0/15], address: 192.0.2.1, ports: 1024-65535 }
logicalServers:
${logicalServer}
${extra}`,
  );
  return path;
}

const WEB = `  - name: web
    address: ${VIP}
    port: 443
    method: round-robin
    servers: [{ address: 10.9.0.1 }, { address: 10.9.0.2, port: 8443 }, { address: 10.9.0.3 }]
`;

beforeAll(() => {
  dir = tempDir();
  writeLogicalServerCapture(join(dir, 'vip.pcap'), CLIENTS, 10);
});

describe('maestro simulate with ConnectControl logical servers', () => {
  it('should balance every connection to the logical server over its real servers by its method', () => {
    const r = maestroJson<SimulationReport>(['simulate', '--scenario', scenario('rr', WEB)]);
    expect(r.connections).toBe(CLIENTS);
    const [web] = r.logicalServers;
    expect(web?.servers.map((s) => `${s.address}:${s.port}`)).toEqual([
      '10.9.0.1:443',
      '10.9.0.2:8443',
      '10.9.0.3:443',
    ]);
    // Round Robin over 300 connections and 3 servers: exactly 100 each.
    expect(web?.servers.map((s) => s.connections)).toEqual([100, 100, 100]);
  });

  it('should deliver every reply of a translated connection to its owner, with 0 drops and 0 misdelivered', () => {
    const r = maestroJson<SimulationReport>(['simulate', '--scenario', scenario('replies', WEB)]);
    // Replies come from the virtual address in the capture; the group sees them from the real server
    // (destination NAT) to the hidden address (hide NAT): only the owner holds that state.
    expect(r.dropped).toBe(0);
    expect(r.misdelivered).toBe(0);
    expect(r.members.reduce((a, m) => a + m.packets, 0)).toBe(r.packets);
    expect(r.corrections.byReason.nat).toBeGreaterThan(0);
    expect(r.corrections.byReason.asymmetric + r.corrections.byReason.related).toBe(0);
  });

  it('should keep every balanced connection when a member fails half way', () => {
    const r = maestroJson<SimulationReport>([
      'simulate',
      '--scenario',
      scenario('fail', WEB, 'events: ["fail sgm3 @5s"]'),
    ]);
    expect(r.events[0]).toMatchObject({ kind: 'fail', member: 'sgm3', connectionsLost: 0 });
    expect(r.dropped).toBe(0);
    expect(r.misdelivered).toBe(0);
  });

  it('should refuse a logical server config with the file, path and what is allowed', () => {
    const bad = scenario(
      'bad',
      `  - name: web
    address: 203.0.113.0/24
    port: 443
    method: fastest
    servers: []
`,
    );
    const r = maestro(['simulate', '--scenario', bad]);
    expect(r.code).not.toBe(0);
    const line = r.stderr.trim();
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toContain('$.logicalServers[0].method');
    expect(line).toContain('$.logicalServers[0].address');
    expect(line).not.toContain('    at ');
  });
});
