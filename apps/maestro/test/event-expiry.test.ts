import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maestroJson, SAMPLES, tempDir } from './run-cli.js';

interface Report {
  connections: number;
  events: { at: number; kind: string; connectionsMoved: number; connectionsLost: number }[];
}

/** A pcap of UDP frames (VLAN 100 out, 200 back) at the given times: [seconds, client, reply]. */
function udpCapture(path: string, frames: readonly [number, number, boolean][]): void {
  const parts: Uint8Array[] = [];
  const header = new DataView(new ArrayBuffer(24));
  header.setUint32(0, 0xa1b2c3d4, true);
  header.setUint16(4, 2, true);
  header.setUint16(6, 4, true);
  header.setUint32(16, 65535, true);
  header.setUint32(20, 1, true);
  parts.push(new Uint8Array(header.buffer));
  for (const [t, client, reply] of frames) {
    const b = new Uint8Array(18 + 20 + 8 + 8);
    const v = new DataView(b.buffer);
    v.setUint16(12, 0x8100);
    v.setUint16(14, reply ? 200 : 100);
    v.setUint16(16, 0x0800);
    b[18] = 0x45;
    v.setUint16(20, 36);
    b[26] = 64;
    b[27] = 17;
    v.setUint32(30, reply ? 0xc0000201 : 0x0a000001 + client);
    v.setUint32(34, reply ? 0x0a000001 + client : 0xc0000201);
    v.setUint16(38, reply ? 53 : 1000 + client);
    v.setUint16(40, reply ? 1000 + client : 53);
    v.setUint16(42, 16);
    const r = new DataView(new ArrayBuffer(16));
    r.setUint32(0, Math.floor(t), true);
    r.setUint32(4, Math.round((t % 1) * 1e6), true);
    r.setUint32(8, b.length, true);
    r.setUint32(12, b.length, true);
    parts.push(new Uint8Array(r.buffer), b);
  }
  writeFileSync(path, Buffer.concat(parts));
}

describe('maestro simulate, an event after the connections went idle', () => {
  it('should find the connections idle past every timeout expired after the capture ends, not move them', () => {
    // The sample lasts 10 s; the longest idle timeout is TCP established, 3 600 s.
    const r = maestroJson<Report>(['simulate', join(SAMPLES, 'sample.pcap'), '--event', 'fail sgm2 @10000s']);
    expect(r.connections).toBeGreaterThan(0);
    expect(r.events).toHaveLength(1);
    expect(r.events[0]?.connectionsMoved).toBe(0);
    expect(r.events[0]?.connectionsLost).toBe(0);
  });

  it('should expire UDP connections idle 100 s (timeout 40 s) before an event in a gap of the capture', () => {
    const frames: [number, number, boolean][] = [];
    for (let c = 0; c < 40; c++) frames.push([1000 + c / 100, c, false], [1000 + c / 100 + 0.001, c, true]);
    frames.push([1300, 99, false]);
    const file = join(tempDir(), 'gap.pcap');
    udpCapture(file, frames);
    const r = maestroJson<Report>(['simulate', file, '--event', 'fail sgm2 @100s']);
    expect(r.connections).toBe(41);
    expect(r.events[0]?.connectionsMoved).toBe(0);
  });
});
