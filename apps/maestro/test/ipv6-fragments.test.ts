import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectBytes, PcapWriter } from '@maestro/pcap';
import { describe, expect, it } from 'vitest';
import type { SimulationReport } from '../src/report/model.js';
import { maestroJson, tempDir } from './run-cli.js';

/**
 * Ethernet + IPv6 + Fragment header (id `id`); the first fragment (offset 0, more) carries a
 * Destination Options header after the Fragment header, then UDP `sport` -> 53 (RFC 8200 4.1:
 * Destination Options may start the fragmentable part); a later one (offset 24) carries 24 bytes
 * of fragment data, so its Fragment header's Next Header is 60, not 17.
 */
function fragment(source: number, sport: number, id: number, first: boolean, more: boolean): Uint8Array {
  const b = new Uint8Array(14 + 40 + 8 + 24);
  const v = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
  v.setUint16(12, 0x86dd);
  b[14] = 0x60;
  v.setUint16(18, 8 + 24);
  b[20] = 44; // Next Header: Fragment
  b[21] = 64;
  b.set([0x20, 0x01, 0x0d, 0xb8], 22);
  v.setUint16(36, source);
  b.set([0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x35], 38);
  const f = 54;
  b[f] = 60; // after the Fragment header: Destination Options, in every fragment's header
  v.setUint16(f + 2, (first ? 0 : 24) | (more ? 1 : 0));
  v.setUint32(f + 4, id);
  if (first) {
    b[f + 8] = 17; // Destination Options (8 bytes: PadN) -> UDP
    b[f + 10] = 1;
    b[f + 11] = 4;
    v.setUint16(f + 16, sport);
    v.setUint16(f + 18, 53);
    v.setUint16(f + 20, 8 + 24);
  } else {
    b.fill(0xab, f + 8);
  }
  return b;
}

describe('maestro simulate IPv6 fragments', () => {
  it('should follow later IPv6 fragments whose Next Header is Destination Options, with no drops', () => {
    const out = collectBytes();
    const writer = new PcapWriter(out.sink);
    let t = 0;
    const at = (data: Uint8Array) =>
      writer.write({ timestampSec: 1_700_000_000, timestampNs: 1000 * t++, data });
    // Many sources, so that later fragments (no ports to hash) often land on another member.
    for (let s = 1; s <= 40; s++) {
      const id = 0x1000 + s;
      at(fragment(s, 40000 + s, id, true, true));
      at(fragment(s, 40000 + s, id, false, true));
      at(fragment(s, 40000 + s, id, false, false));
    }
    writer.flush();
    const path = join(tempDir(), 'ipv6-fragments.pcap');
    writeFileSync(path, out.result());
    const report = maestroJson<SimulationReport>(['simulate', path, '--members', '4']);
    expect(report.drops['unknownFragment'] ?? 0).toBe(0);
    expect(report.misdelivered).toBe(0);
    expect(report.connections).toBe(40);
    // Later fragments that landed off their first fragment's member were forwarded, not lost.
    expect(report.corrections.byReason.fragment).toBeGreaterThan(0);
  });
});
