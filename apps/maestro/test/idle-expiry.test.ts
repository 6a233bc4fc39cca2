import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectBytes, PcapWriter } from '@maestro/pcap';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { writeVlanIpv4Header } from './frame-header.js';
import { maestroJson, tempDir } from './run-cli.js';

const CLIENT = 0xc6120001; // 198.18.0.1
const SERVER = 0xcb007135; // 203.0.113.53

/** Ethernet + 802.1Q (VLAN 100 from the client, 200 from the server) + IPv4 + UDP, no payload. */
function udpFrame(fromClient: boolean): Uint8Array {
  const b = new Uint8Array(46);
  const v = writeVlanIpv4Header(
    b,
    fromClient,
    17,
    fromClient ? CLIENT : SERVER,
    fromClient ? SERVER : CLIENT,
    28,
  );
  v.setUint16(38, fromClient ? 40000 : 53);
  v.setUint16(40, fromClient ? 53 : 40000);
  v.setUint16(42, 8);
  return b;
}

/** One UDP exchange (query and reply), then the same query again `gap` seconds later. */
function writeIdleCapture(path: string, gap: number): void {
  const out = collectBytes();
  const writer = new PcapWriter(out.sink);
  const at = (t: number, fromClient: boolean) =>
    writer.write({ timestampSec: 1_700_000_000 + t, timestampNs: 0, data: udpFrame(fromClient) });
  at(0, true);
  at(1, false);
  at(1 + gap, true);
  writer.flush();
  writeFileSync(path, out.result());
}

describe('maestro simulate idle expiry', () => {
  // The flow tables take their time in milliseconds and a UDP connection's idle timeout is 40 s:
  // the run must hand them milliseconds, or a connection would live 1 000 times as long.
  it('should expire a UDP connection idle past its 40 s timeout, and keep one idle for less', () => {
    const dir = tempDir();
    const connections = (gap: number): number => {
      const path = join(dir, `idle-${gap}.pcap`);
      writeIdleCapture(path, gap);
      return maestroJson<SimulationReport>(['simulate', path, '--members', '2']).connections;
    };
    expect(connections(30)).toBe(1);
    expect(connections(50)).toBe(2);
  });
});
