import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectBytes, PcapWriter } from '@maestro/pcap';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { maestroJson, tempDir } from './run-cli.js';

// IPv6 connections are translated too: a logical server (ConnectControl) on an IPv6 address sends
// each new connection to an IPv6 real server. The capture shows the replies as the client saw them,
// from the virtual address; the group re-addresses them, their later fragments included.

const CLIENTS = 40;
/** 2001:db8:80::80, the logical server's virtual address. */
const VIP = [0x20, 0x01, 0x0d, 0xb8, 0, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x80];

/** 2001:db8:18::`c`, client `c`. */
function client(c: number): number[] {
  return [0x20, 0x01, 0x0d, 0xb8, 0, 0x18, 0, 0, 0, 0, 0, 0, 0, 0, c >> 8, c & 0xff];
}

/**
 * Ethernet + 802.1Q (VLAN 100 from the client, 200 from the server) + IPv6, then UDP `sport` ->
 * `dport` with 24 bytes of data, or when `fragment` is set a Fragment header (id `id`): the first
 * fragment (more follow) carries the UDP header and 16 bytes, a later one (offset 24) 24 bytes of data.
 */
function frame(
  fromClient: boolean,
  src: number[],
  dst: number[],
  sport: number,
  dport: number,
  fragment: 'none' | 'first' | 'middle' | 'last',
  id: number,
): Uint8Array {
  const payload = fragment === 'none' ? 8 + 24 : 8 + 24;
  const b = new Uint8Array(18 + 40 + payload);
  const v = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2], 0);
  v.setUint16(12, 0x8100);
  v.setUint16(14, fromClient ? 100 : 200);
  v.setUint16(16, 0x86dd);
  const ip = 18;
  b[ip] = 0x60;
  v.setUint16(ip + 4, payload);
  b[ip + 7] = 64;
  b.set(src, ip + 8);
  b.set(dst, ip + 24);
  let at = ip + 40;
  if (fragment === 'none') {
    b[ip + 6] = 17;
  } else {
    b[ip + 6] = 44;
    b[at] = 17;
    const offset = fragment === 'first' ? 0 : fragment === 'middle' ? 16 : 32;
    v.setUint16(at + 2, offset | (fragment === 'last' ? 0 : 1));
    v.setUint32(at + 4, id);
    at += 8;
    if (fragment !== 'first') {
      b.fill(0xab, at);
      return b;
    }
  }
  v.setUint16(at, sport);
  v.setUint16(at + 2, dport);
  v.setUint16(at + 4, 8 + 64);
  b.fill(0xcd, at + 8);
  return b;
}

describe('maestro simulate, an IPv6 logical server', () => {
  it('should re-address the later IPv6 fragments of a translated reply as its first, with no drops', () => {
    const out = collectBytes();
    const writer = new PcapWriter(out.sink);
    let t = 0;
    const at = (data: Uint8Array) =>
      writer.write({ timestampSec: 1_700_000_000, timestampNs: 1000 * t++, data });
    for (let c = 1; c <= CLIENTS; c++) {
      const port = 30000 + c;
      at(frame(true, client(c), VIP, port, 53, 'none', 0));
      for (const f of ['first', 'middle', 'last'] as const)
        at(frame(false, VIP, client(c), 53, port, f, 0x5000 + c));
    }
    writer.flush();
    const dir = tempDir();
    writeFileSync(join(dir, 'vip6.pcap'), out.result());
    const scenario = join(dir, 'vip6.yaml');
    writeFileSync(
      scenario,
      `capture: vip6.pcap
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
logicalServers:
  - name: dns6
    address: 2001:db8:80::80
    protocol: udp
    port: 53
    method: round-robin
    servers: [{ address: "2001:db8:9::1" }, { address: "2001:db8:9::2" }, { address: "2001:db8:9::3" }]
`,
    );
    const r = maestroJson<SimulationReport>(['simulate', '--scenario', scenario]);
    expect(r.logicalServers[0]?.servers.map((s) => s.connections)).toEqual([14, 13, 13]);
    expect(r.packets).toBe(4 * CLIENTS);
    expect(r.drops['unknownFragment'] ?? 0).toBe(0);
    expect(r.dropped).toBe(0);
    expect(r.misdelivered).toBe(0);
  });
});
