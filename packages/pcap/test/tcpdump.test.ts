import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatIPv4, formatIPv6, PortKind } from '@maestro/hash';
import { describe, expect, it } from 'vitest';
import {
  DecodeStatus,
  isDecodableLinkType,
  type PacketRecord,
  PcapError,
  readCapture,
} from '../src/index.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const captures = readdirSync(join(fixtures, 'tcpdump')).filter(
  (n) => n.endsWith('.pcap') || n.endsWith('.pcapng'),
);
/** [frame number, family, src, dst, protocol, src port | null, dst port | null, outer VLAN | -1], from tshark. */
type Row = [number, 4 | 6, string, string, number, number | null, number | null, number];
const expected = JSON.parse(readFileSync(join(fixtures, 'tcpdump-expected.json'), 'utf8')) as {
  files: Record<string, Row[]>;
};

interface Decoded {
  readonly linkType: number;
  readonly status: number;
  readonly family: number;
  readonly src: string;
  readonly dst: string;
  readonly protocol: number;
  readonly ports: readonly [number, number] | null;
  readonly vlan: number;
}

function decoded(p: PacketRecord): Decoded {
  const f = p.flow;
  return {
    linkType: p.linkType,
    status: p.status,
    family: f.family,
    src: f.family === 4 ? formatIPv4(f.srcV4) : formatIPv6(f.src6),
    dst: f.family === 4 ? formatIPv4(f.dstV4) : formatIPv6(f.dst6),
    protocol: f.protocol,
    ports: f.portKind === PortKind.PORTS ? [f.srcPort, f.dstPort] : null,
    vlan: p.vlan,
  };
}

function read(name: string): { packets: Decoded[]; error: PcapError | null } {
  const packets: Decoded[] = [];
  const summary = readCapture(readFileSync(join(fixtures, 'tcpdump', name)), (p) => packets.push(decoded(p)));
  return { packets, error: summary.error };
}

describe('the tcpdump test captures', () => {
  it('should read every capture without throwing, ending cleanly or with a PcapError', () => {
    expect(captures.length).toBeGreaterThan(500);
    for (const name of captures) {
      const { error } = read(name);
      if (error !== null) expect(error).toBeInstanceOf(PcapError);
    }
  });

  it('should decode what tshark decodes for packets with one IP header and no malformation', () => {
    let compared = 0;
    for (const name of captures) {
      const rows = expected.files[name] ?? [];
      if (rows.length === 0) continue;
      const { packets } = read(name);
      for (const [frame, family, src, dst, protocol, sport, dport, vlan] of rows) {
        const got = packets[frame - 1];
        if (got !== undefined && !isDecodableLinkType(got.linkType)) continue;
        const want: Decoded = {
          linkType: got?.linkType ?? -1,
          status: DecodeStatus.OK,
          family,
          src,
          dst,
          protocol,
          ports: sport === null || dport === null ? (got?.ports ?? null) : [sport, dport],
          vlan,
        };
        expect({ name, frame, ...got }).toEqual({ name, frame, ...want });
        compared++;
      }
    }
    // 3293 at the time of writing; the rest are on link types the decoder does not know (Frame Relay, NFLOG, ...).
    expect(compared).toBeGreaterThan(3200);
  });
});
