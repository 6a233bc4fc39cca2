import { writeFileSync } from 'node:fs';
import { collectBytes, PcapWriter } from '@maestro/pcap';
import { writeVlanIpv4Header } from './frame-header.js';

/** The logical server's virtual address in {@link writeLogicalServerCapture}: 203.0.113.80. */
export const VIP = '203.0.113.80';
const VIP_V4 = 0xcb007150;

const SYN = 0x02;
const ACK = 0x10;
const PSH = 0x08;
const FIN = 0x01;

/**
 * One Ethernet + 802.1Q + IPv4 + TCP frame as `maestro gen` lays them out (VLAN 100 for the
 * client's direction, 200 for the server's), no payload bytes captured.
 */
function frame(fromClient: boolean, src: number, dst: number, sport: number, dport: number, flags: number) {
  const b = new Uint8Array(58);
  const v = writeVlanIpv4Header(b, fromClient, 6, src, dst, 40);
  v.setUint16(38, sport);
  v.setUint16(40, dport);
  b[50] = 0x50;
  b[51] = flags;
  v.setUint16(52, 65535);
  return b;
}

/**
 * Writes a capture of `clients` TCP connections from 198.18.0.0/15 clients to {@link VIP}:443, as
 * the endpoints see them (replies come from the virtual address): handshake, one request and one
 * response, and a close, interleaved over `seconds`. Returns the number of packets.
 */
export function writeLogicalServerCapture(path: string, clients: number, seconds: number): number {
  const out = collectBytes();
  const writer = new PcapWriter(out.sink);
  const steps: [boolean, number][] = [
    [true, SYN],
    [false, SYN | ACK],
    [true, ACK],
    [true, PSH | ACK],
    [false, PSH | ACK],
    [true, FIN | ACK],
    [false, FIN | ACK],
    [true, ACK],
  ];
  let packets = 0;
  const total = clients * steps.length;
  // Connection c sends step s at slot s * clients + c: every connection opens before any closes.
  for (let s = 0; s < steps.length; s++) {
    for (let c = 0; c < clients; c++) {
      const [fromClient, flags] = steps[s] as [boolean, number];
      const client = (0xc6120000 + 1 + c * 7) >>> 0;
      const port = 20000 + c;
      const data = fromClient
        ? frame(true, client, VIP_V4, port, 443, flags)
        : frame(false, VIP_V4, client, 443, port, flags);
      const t = ((s * clients + c) / total) * seconds;
      writer.write({
        timestampSec: 1_700_000_000 + Math.floor(t),
        timestampNs: Math.round((t % 1) * 1e9),
        data,
      });
      packets++;
    }
  }
  writer.flush();
  writeFileSync(path, out.result());
  return packets;
}
