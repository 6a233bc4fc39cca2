import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { maestro, maestroJson } from './run-cli.js';

/**
 * tcpdump's NHRP_registration.pcap: two GRE packets each way between 169.254.100.1 and .5, every
 * one of them on VLAN 100, the default topology's internal VLAN (User mode, the destination
 * hashed). The first packet's member predicts its reply on the external VLAN, where the
 * destination is hashed as a source, so it keeps no correction entry; the reply enters on VLAN
 * 100 and lands on another member, which creates the reverse connection as its own.
 */
const NHRP = fileURLToPath(
  new URL('../../../packages/pcap/test/fixtures/tcpdump/NHRP_registration.pcap', import.meta.url),
);

describe('maestro simulate, split connections', () => {
  it('should report a split connection, not fail, when a reply enters where the topology did not predict', () => {
    const r = maestroJson<SimulationReport>(['simulate', NHRP]);
    expect([r.packets, r.connections, r.dropped]).toEqual([4, 1, 0]);
    expect(r.splitConnections).toBe(1);
    // The reply's member processed the packet it created the connection with, and yielded: the
    // second reply is forwarded to the owner, which processes the three others.
    expect(r.misdelivered).toBe(1);
    expect(r.corrections.byReason.asymmetric).toBe(1);
    expect(r.members.map((m) => m.packets).sort()).toEqual([0, 0, 1, 3]);
    const text = maestro(['simulate', NHRP]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(
      /split connections: 1 \(created again by a second member: a reply entered where the topology did not predict, so the topology is probably wrong\)/,
    );
  });
});
