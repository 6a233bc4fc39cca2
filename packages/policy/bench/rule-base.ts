import { createFlowKey, type FlowKey, PortKind, setFlowV4, setFlowV6 } from '@maestro/hash';
import { type Cidr, maskCidr, type Policy, type Range, type Rule } from '../src/index.js';

/**
 * A synthetic rule base shaped like a real one, and packets drawn from the same space.
 * Rules: 80 % IPv4 (blocks /8../32 in 10/8, 172.16/12, 192.168/16 and 198.51.100/24), 20 % IPv6
 * (/16../128 in 2001:db8::/32 and fd00::/8); a quarter leave the source open; one in ten list 2-3
 * destination blocks; protocol any (10 %), TCP, UDP, ICMP or ICMPv6; a well-known destination
 * port, a list of them, or a range (a fifth have none); some source port ranges; 30 % name 1-2 of
 * 8 interfaces and 20 % a VLAN range. No catch-all rule: the first match can be anywhere, or none.
 */
let seed = 0x9e3779b9;
function rnd(): number {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
}
function pick<T>(list: readonly T[]): T {
  return list[rnd() % list.length] as T;
}

const V4_SPACES: readonly [number, number][] = [
  [0x0a000000, 8],
  [0xac100000, 12],
  [0xc0a80000, 16],
  [0xc6336400, 24],
];
const V6_SPACES: readonly number[][] = [
  [0x20, 0x01, 0x0d, 0xb8],
  [0xfd, 0x00, 0x00, 0x00],
];
const WELL_KNOWN = [22, 25, 53, 80, 123, 443, 445, 3389, 5060, 8080, 8443];
const VLANS = [10, 20, 100, 200, 300, 4000];
/** Interfaces of the synthetic topology. */
export const INTERFACES: readonly string[] = Array.from({ length: 8 }, (_, i) => `eth1-0${i + 1}`);

function address4(): number {
  const [base, len] = pick(V4_SPACES);
  return (base | (rnd() & (0xffffffff >>> len))) >>> 0;
}
function address6(): Uint8Array {
  const out = new Uint8Array(16);
  out.set(pick(V6_SPACES));
  // Sparse low bits, as real v6 plans are: a /48 site, a /64 subnet, then a host.
  out[4] = rnd() & 0x0f;
  out[5] = rnd() & 0xff;
  out[7] = rnd() & 0x1f;
  for (let i = 14; i < 16; i++) out[i] = rnd() & 0xff;
  return out;
}
function block(family: 4 | 6): Cidr {
  return family === 4
    ? maskCidr({ family: 4, prefix: 8 + (rnd() % 25), v4: address4(), v6: new Uint8Array(16) })
    : maskCidr({
        family: 6,
        prefix: pick([16, 32, 48, 56, 64, 64, 64, 96, 128, 128]),
        v4: 0,
        v6: address6(),
      });
}
function one(v: number): Range {
  return { from: v, to: v };
}

function rule(): Rule {
  const family: 4 | 6 = rnd() % 5 === 0 ? 6 : 4;
  const protoRoll = rnd() % 10;
  const protocols =
    protoRoll === 0 ? [] : protoRoll < 5 ? [6] : protoRoll < 9 ? [17] : [family === 4 ? 1 : 58];
  const ported = protocols.length === 0 || protocols[0] === 6 || protocols[0] === 17;
  const portRoll = rnd() % 10;
  let destinationPorts: Range[] = [];
  if (ported && portRoll < 5) destinationPorts = [one(pick(WELL_KNOWN))];
  else if (ported && portRoll < 6) destinationPorts = [one(pick(WELL_KNOWN)), one(pick(WELL_KNOWN))];
  else if (ported && portRoll < 8) {
    const lo = 1024 + (rnd() % 60000);
    destinationPorts = [{ from: lo, to: Math.min(65535, lo + (rnd() % 2000)) }];
  }
  const sourcePorts = ported && rnd() % 10 === 0 ? [{ from: 1024, to: 65535 }] : [];
  const interfaces = rnd() % 10 < 3 ? [...new Set([pick(INTERFACES), pick(INTERFACES)])] : [];
  const vlan = pick(VLANS);
  const vlans = rnd() % 5 === 0 ? [{ from: vlan, to: vlan + (rnd() % 3) * 10 }] : [];
  const destinations = rnd() % 10 === 0 ? 2 + (rnd() % 2) : 1;
  return {
    match: {
      interfaces,
      vlans,
      source: rnd() % 4 === 0 ? [] : [block(family)],
      destination: Array.from({ length: destinations }, () => block(family)),
      protocols,
      sourcePorts,
      destinationPorts,
    },
    action: { sync: 'none' },
  };
}

/** A policy of `count` rules over the synthetic topology. */
export function rulePolicy(count: number): Policy {
  return {
    topology: {
      mode: 'auto',
      layer: 'l4',
      interfaces: INTERFACES.map((name) => ({ name, zone: 'internal', vlans: [] })),
    },
    rules: Array.from({ length: count }, rule),
    nat: [],
  };
}

/** A packet with its interface id and VLAN. */
export interface BenchPacket {
  readonly key: FlowKey;
  readonly iface: number;
  readonly vlan: number;
}

/**
 * `count` packets, 80 % IPv4, over the same addresses, ports, interfaces and VLANs as the rules,
 * except a tenth whose destination no rule covers.
 */
export function packets(count: number): BenchPacket[] {
  return Array.from({ length: count }, () => {
    const key = createFlowKey();
    const v6 = rnd() % 5 === 0;
    const roll = rnd() % 10;
    const protocol = roll < 5 ? 6 : roll < 9 ? 17 : v6 ? 58 : 1;
    const ported = protocol === 6 || protocol === 17;
    const dport = rnd() & 1 ? pick(WELL_KNOWN) : rnd() & 0xffff;
    const sport = 1024 + (rnd() % 64000);
    const kind = ported ? PortKind.PORTS : PortKind.NONE;
    // One in ten goes to the Internet (203.0.113.0/24, 2001:db9::/32), which no rule names.
    const outside = rnd() % 10 === 0;
    const dst6 = address6();
    if (outside) dst6[3] = 0xb9;
    const dst4 = outside ? (0xcb007100 | (rnd() & 0xff)) >>> 0 : address4();
    if (v6) setFlowV6(key, protocol, address6(), dst6, ported ? sport : 0, ported ? dport : 0, kind);
    else setFlowV4(key, protocol, address4(), dst4, ported ? sport : 0, ported ? dport : 0, kind);
    return { key, iface: (rnd() % 9) - 1, vlan: rnd() & 1 ? 0 : pick(VLANS) + (rnd() % 3) * 10 };
  });
}
