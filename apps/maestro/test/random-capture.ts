import { writeFileSync } from 'node:fs';
import { collectBytes, PcapngWriter } from '@maestro/pcap';
import fc from 'fast-check';

// Short random captures for `maestro simulate`: a few flows between inside clients and outside
// servers, their packets in either direction entering on any capture interface and VLAN (both
// directions of a flow often on the same one), TCP flags of any step of a connection, first and
// later IP fragments, and ICMP errors about a flow. Each frame is Ethernet [+ 802.1Q] + IPv4.

export type FlowProtocol = 'tcp' | 'udp' | 'icmp' | 'gre';

export interface FlowSpec {
  readonly protocol: FlowProtocol;
  readonly client: number;
  readonly server: number;
  readonly clientPort: number;
  readonly serverPort: number;
}

export interface PacketSpec {
  /** Index into the capture's flows (modulo their number). */
  readonly flow: number;
  /** From the server to the client. */
  readonly reply: boolean;
  /** An ICMP error about the flow's packet (from a router towards its sender) instead of one of it. */
  readonly icmpError: boolean;
  readonly iface: number;
  /** 802.1Q VLAN id, -1 for an untagged frame. */
  readonly vlan: number;
  readonly tcpFlags: number;
  readonly fragment: 'none' | 'first' | 'later';
  readonly ipId: number;
  /** Microseconds since the previous packet (0: the same instant). */
  readonly gapUs: number;
}

export interface RandomCapture {
  readonly interfaces: number;
  readonly flows: readonly FlowSpec[];
  readonly packets: readonly PacketSpec[];
}

/** Inside clients (two hidden by the tests' hide NAT rule, 10.0.0.0/8), outside servers. */
const CLIENTS = [0x0a000001, 0x0a000002, 0xc6120007] as const;
const SERVERS = [0xcb007101, 0xcb007102] as const;
const ROUTER = 0xcb0071fe;
/** VLANs the captures use: the default topology's internal 100 and external 200, one it does not know, and none. */
export const CAPTURE_VLANS: readonly number[] = [-1, 100, 200, 300];

const { SYN, ACK, FIN, RST } = { SYN: 0x02, ACK: 0x10, FIN: 0x01, RST: 0x04 };

const flowSpec: fc.Arbitrary<FlowSpec> = fc.record({
  protocol: fc.constantFrom<FlowProtocol>('tcp', 'udp', 'icmp', 'gre'),
  client: fc.constantFrom(...CLIENTS),
  server: fc.constantFrom(...SERVERS),
  clientPort: fc.constantFrom(1024, 40000, 65535),
  serverPort: fc.constantFrom(53, 80, 443),
});

const packetSpec: fc.Arbitrary<PacketSpec> = fc.record({
  flow: fc.nat(7),
  reply: fc.boolean(),
  icmpError: fc.constantFrom(false, false, false, true),
  // Mostly the first interface and VLAN 100, so that both directions of a flow often share one.
  iface: fc.constantFrom(0, 0, 0, 1, 2),
  vlan: fc.constantFrom(-1, 100, 100, 100, 200, 300),
  tcpFlags: fc.constantFrom(SYN, SYN | ACK, ACK, FIN | ACK, RST, RST | ACK, 0, SYN | FIN),
  fragment: fc.constantFrom<PacketSpec['fragment']>('none', 'none', 'none', 'first', 'later'),
  ipId: fc.nat(3),
  gapUs: fc.oneof(fc.constant(0), fc.nat(2_000), fc.nat(2_000_000), fc.constant(50_000_000)),
});

/** A capture of 1..4 flows and up to 40 packets on 1..3 interfaces. */
export const randomCapture: fc.Arbitrary<RandomCapture> = fc.record({
  interfaces: fc.integer({ min: 1, max: 3 }),
  flows: fc.array(flowSpec, { minLength: 1, maxLength: 4 }),
  packets: fc.array(packetSpec, { minLength: 1, maxLength: 40 }),
});

/** Writes `capture` as a pcapng file at `path`. */
export function writeRandomCapture(path: string, capture: RandomCapture): void {
  const out = collectBytes();
  const writer = new PcapngWriter(out.sink, {
    interfaces: Array.from({ length: capture.interfaces }, () => ({})),
  });
  let us = 0;
  let seq = 0;
  for (const p of capture.packets) {
    us += p.gapUs;
    const flow = capture.flows[p.flow % capture.flows.length] as FlowSpec;
    writer.write({
      timestampSec: 1_700_000_000 + Math.floor(us / 1e6),
      timestampNs: (us % 1e6) * 1000,
      interfaceId: p.iface % capture.interfaces,
      data: frame(p, flow, seq++),
    });
  }
  writer.flush();
  writeFileSync(path, out.result());
}

function frame(p: PacketSpec, flow: FlowSpec, seq: number): Uint8Array {
  const [src, dst] = p.reply ? [flow.server, flow.client] : [flow.client, flow.server];
  if (p.icmpError) {
    // A router reports on a packet of the flow: the error goes back to that packet's sender.
    const inner = ipv4(src, dst, protocolNumber(flow.protocol), p.ipId, 'none', transport(p, flow, seq));
    const icmp = new Uint8Array(8 + 28);
    icmp.set([3, 3], 0);
    icmp.set(inner.subarray(0, 28), 8);
    return ethernet(p.vlan, ipv4(ROUTER, src, 1, p.ipId, 'none', icmp));
  }
  return ethernet(
    p.vlan,
    ipv4(src, dst, protocolNumber(flow.protocol), p.ipId, p.fragment, transport(p, flow, seq)),
  );
}

function protocolNumber(protocol: FlowProtocol): number {
  return { tcp: 6, udp: 17, icmp: 1, gre: 47 }[protocol];
}

function transport(p: PacketSpec, flow: FlowSpec, seq: number): Uint8Array {
  const [sport, dport] = p.reply ? [flow.serverPort, flow.clientPort] : [flow.clientPort, flow.serverPort];
  switch (flow.protocol) {
    case 'tcp': {
      const b = new Uint8Array(20);
      const v = new DataView(b.buffer);
      v.setUint16(0, sport);
      v.setUint16(2, dport);
      v.setUint32(4, seq);
      b[12] = 0x50;
      b[13] = p.tcpFlags;
      v.setUint16(14, 1024);
      return b;
    }
    case 'udp': {
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      v.setUint16(0, sport);
      v.setUint16(2, dport);
      v.setUint16(4, 8);
      return b;
    }
    case 'icmp': {
      // Echo request from the client, echo reply from the server; the identifier is the client port.
      const b = new Uint8Array(8);
      const v = new DataView(b.buffer);
      b[0] = p.reply ? 0 : 8;
      v.setUint16(4, flow.clientPort);
      v.setUint16(6, seq & 0xffff);
      return b;
    }
    default:
      // GRE, no flags, carrying IPv4: no ports.
      return Uint8Array.of(0, 0, 0x08, 0x00);
  }
}

function ipv4(
  src: number,
  dst: number,
  protocol: number,
  ipId: number,
  fragment: PacketSpec['fragment'],
  payload: Uint8Array,
): Uint8Array {
  // A later fragment carries the rest of the datagram, not its transport header.
  const body = fragment === 'later' ? new Uint8Array(8).fill(0xab) : payload;
  const b = new Uint8Array(20 + body.length);
  const v = new DataView(b.buffer);
  b[0] = 0x45;
  v.setUint16(2, b.length);
  v.setUint16(4, 0x4000 + ipId);
  v.setUint16(6, fragment === 'first' ? 0x2000 : fragment === 'later' ? 3 : 0);
  b[8] = 64;
  b[9] = protocol;
  v.setUint32(12, src);
  v.setUint32(16, dst);
  b.set(body, 20);
  return b;
}

function ethernet(vlan: number, ip: Uint8Array): Uint8Array {
  const tagged = vlan >= 0;
  const b = new Uint8Array(14 + (tagged ? 4 : 0) + ip.length);
  const v = new DataView(b.buffer);
  b.set([2, 0, 0, 0, 0, 1, 2, 0, 0, 0, 0, 2], 0);
  let at = 12;
  if (tagged) {
    v.setUint16(at, 0x8100);
    v.setUint16(at + 2, vlan);
    at += 4;
  }
  v.setUint16(at, 0x0800);
  b.set(ip, at + 2);
  return b;
}
