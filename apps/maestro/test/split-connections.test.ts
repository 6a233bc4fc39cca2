import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { type FlowSpec, type PacketSpec, writeRandomCapture } from './random-capture.js';
import { maestro, maestroJson, tempDir } from './run-cli.js';

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

  it('should drop, and count, the SYN-ACKs that enter where the topology did not predict', () => {
    // Ten TCP handshakes to ten servers, both directions on VLAN 100: a SYN-ACK that lands on a
    // member without the connection cannot open one, so it is dropped for want of a connection.
    const flows: FlowSpec[] = Array.from({ length: 10 }, (_, i) => ({
      protocol: 'tcp',
      client: 0xc6120001,
      server: 0xcb007101 + i,
      clientPort: 40000 + i,
      serverPort: 80,
    }));
    const packet = (flow: number, reply: boolean, tcpFlags: number): PacketSpec => ({
      flow,
      reply,
      icmpError: false,
      iface: 0,
      vlan: 100,
      tcpFlags,
      fragment: 'none',
      ipId: 0,
      gapUs: 1000,
    });
    const packets = flows.flatMap((_, i) => [
      packet(i, false, 0x02),
      packet(i, true, 0x12),
      packet(i, false, 0x10),
    ]);
    const path = join(tempDir(), 'tcp-one-vlan.pcapng');
    writeRandomCapture(path, { interfaces: 1, flows, packets });
    const r = maestroJson<SimulationReport>(['simulate', path]);
    expect(r.splitConnections).toBe(0);
    expect(r.misdelivered).toBe(0);
    // Three SYN-ACKs happen to land on their connection's owner; the seven others are dropped.
    expect(r.dropped).toBe(7);
    expect(r.drops['noConnection']).toBe(7);
    expect(r.members.reduce((n, m) => n + m.packets, 0) + r.dropped).toBe(r.packets);
  });
});
