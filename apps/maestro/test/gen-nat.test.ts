import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestro, maestroJson, tempDir } from './run-cli.js';

interface Report {
  readonly connections: number;
  readonly dropped: number;
  readonly drops: Record<string, number>;
  readonly misdelivered: number;
  readonly corrections: { readonly byReason: Record<string, number> };
}

describe('maestro gen --nat, then maestro simulate', () => {
  it('should simulate a gen --nat capture without a drop, and correct its hidden clients with a hide NAT rule', () => {
    const dir = tempDir();
    const capture = join(dir, 'nat.pcap');
    const gen = maestro(['gen', '--packets', '20000', '--flows', '1000', '--nat', '-o', capture]);
    expect(gen.code).toBe(0);
    const connections = Number(/([\d,]+) connections/.exec(gen.stderr)?.[1]?.replaceAll(',', ''));
    // The replies of hidden clients came addressed to a public address simulate knew nothing of:
    // 1 244 TCP packets dropped as noConnection, 126 UDP and ICMP replies taken for new connections.
    const plain = maestroJson<Report>(['simulate', capture]);
    expect([plain.dropped, plain.misdelivered, plain.connections]).toEqual([0, 0, connections]);
    const nat = join(dir, 'nat.yaml');
    writeFileSync(nat, 'nat: [{ type: hide, source: [10.0.0.0/16], address: 192.0.2.1 }]\n');
    const hidden = maestroJson<Report>(['simulate', capture, '--nat', nat]);
    expect([hidden.dropped, hidden.misdelivered, hidden.connections]).toEqual([0, 0, connections]);
    expect(hidden.corrections.byReason['nat']).toBeGreaterThan(0);
  });
});
