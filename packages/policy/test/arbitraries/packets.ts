import { createFlowKey, type FlowKey, PortKind, setFlowV4, setFlowV6 } from '@maestro/hash';
import fc from 'fast-check';
import {
  type Cidr,
  type CompiledPolicy,
  PacketBatch,
  type Policy,
  type Range,
  type Rule,
} from '../../src/index.js';
import { emptyMatch } from './policies.js';
import { maybeList, port, protocol, rangeOf, v4Address, v6Address, vlanId } from './universe.js';

/** A packet: a flow key (IPv4 or IPv6, with or without ports), an interface id and a VLAN. */
export interface Packet {
  readonly key: FlowKey;
  readonly iface: number;
  readonly vlan: number;
}

/** The packets as `matchMany` takes them: keys, interface ids and VLANs in parallel arrays. */
export function packetColumns(packets: readonly Packet[]): {
  keys: FlowKey[];
  ifaces: Int32Array;
  vlans: Int32Array;
} {
  return {
    keys: packets.map((p) => p.key),
    ifaces: Int32Array.from(packets, (p) => p.iface),
    vlans: Int32Array.from(packets, (p) => p.vlan),
  };
}

/** The rules `compiled.matchMany` gives `packets`, in one call. */
export function matchManyOf(compiled: CompiledPolicy, packets: readonly Packet[]): number[] {
  const { keys, ifaces, vlans } = packetColumns(packets);
  const out = new Int32Array(packets.length);
  compiled.matchMany(keys, ifaces, vlans, out);
  return Array.from(out);
}

/** The same packets as a {@link PacketBatch}, written one by one with `set`. */
export function batchOf(packets: readonly Packet[]): PacketBatch {
  const batch = new PacketBatch(Math.max(1, packets.length));
  packets.forEach(({ key, iface, vlan }, i) => {
    batch.set(i, key, iface, vlan);
  });
  return batch;
}

/** The rules `compiled.matchBatch` gives `packets`, in one call. */
export function matchBatchOf(compiled: CompiledPolicy, packets: readonly Packet[]): number[] {
  const out = new Int32Array(packets.length);
  compiled.matchBatch(batchOf(packets), out, packets.length);
  return Array.from(out);
}

/** A packet over the same small universe as the rules. */
export const packet: fc.Arbitrary<Packet> = fc
  .record({
    v6: fc.boolean(),
    src4: v4Address,
    dst4: v4Address,
    src6: v6Address,
    dst6: v6Address,
    protocol,
    srcPort: port,
    dstPort: port,
    portKind: fc.constantFrom(
      PortKind.NONE,
      PortKind.PORTS,
      PortKind.PORTS,
      PortKind.ECHO,
      PortKind.FRAGMENT,
    ),
    iface: fc.integer({ min: -1, max: 4 }),
    vlan: fc.oneof(fc.constant(0), vlanId),
  })
  .map((p) => {
    const key = createFlowKey();
    if (p.v6) setFlowV6(key, p.protocol, p.src6, p.dst6, p.srcPort, p.dstPort, p.portKind);
    else setFlowV4(key, p.protocol, p.src4, p.dst4, p.srcPort, p.dstPort, p.portKind);
    return { key, iface: p.iface, vlan: p.vlan };
  });

function v6Add(bytes: Uint8Array, delta: number): Uint8Array {
  let x = 0n;
  for (const b of bytes) x = (x << 8n) | BigInt(b);
  x = (x + BigInt(delta)) & ((1n << 128n) - 1n);
  const out = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) {
    out[i] = Number(x & 0xffn);
    x >>= 8n;
  }
  return out;
}

/** The first (`last` false) or last address of a block, moved by `delta`. */
function edgeAddress(c: Cidr, last: boolean, delta: number): number | Uint8Array {
  if (c.family === 4) {
    const size = 2 ** (32 - c.prefix);
    return (c.v4 + (last ? size - 1 : 0) + delta + 2 ** 32) % 2 ** 32;
  }
  const top = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, c.prefix - 8 * i));
    top[i] = (c.v6[i] as number) | (last ? 0xff >> keep : 0);
  }
  return v6Add(last ? top : c.v6, delta);
}

function edgeValue(
  ranges: readonly Range[],
  pick: number,
  last: boolean,
  delta: number,
  max: number,
): number | undefined {
  const r = ranges[pick % Math.max(1, ranges.length)];
  if (r === undefined) return undefined;
  return Math.min(max, Math.max(0, (last ? r.to : r.from) + delta));
}

/**
 * Packets on the edges of a policy's rules: each copies one rule's protocol and interface and puts
 * its ports, VLAN and addresses on the first or last value of one of that rule's ranges or blocks,
 * or one past it, so that every boundary a matcher cuts at gets probed from both sides.
 */
export function edgePackets(p: Policy, maxLength = 30): fc.Arbitrary<Packet[]> {
  if (p.rules.length === 0) return fc.array(packet, { maxLength });
  const edge = fc
    .record({
      base: packet,
      rule: fc.nat(p.rules.length - 1),
      pick: fc.nat(),
      last: fc.array(fc.boolean(), { minLength: 5, maxLength: 5 }),
      delta: fc.array(fc.constantFrom(-1, 0, 0, 1), { minLength: 5, maxLength: 5 }),
    })
    .map(({ base, rule, pick, last, delta }) => {
      const m = (p.rules[rule] as Rule).match;
      const blocks = [...m.source, ...m.destination];
      const family = blocks[pick % Math.max(1, blocks.length)]?.family ?? base.key.family;
      const src = m.source.filter((c) => c.family === family)[pick % Math.max(1, m.source.length)];
      const dst = m.destination.filter((c) => c.family === family)[pick % Math.max(1, m.destination.length)];
      const key = createFlowKey();
      const b = base.key;
      const proto = m.protocols[pick % Math.max(1, m.protocols.length)] ?? b.protocol;
      const sport = edgeValue(m.sourcePorts, pick, last[0] === true, delta[0] ?? 0, 65535) ?? b.srcPort;
      const dport = edgeValue(m.destinationPorts, pick, last[1] === true, delta[1] ?? 0, 65535) ?? b.dstPort;
      const vlan = edgeValue(m.vlans, pick, last[2] === true, delta[2] ?? 0, 4095) ?? base.vlan;
      const name = m.interfaces[pick % Math.max(1, m.interfaces.length)];
      const iface = name === undefined ? base.iface : p.topology.interfaces.findIndex((x) => x.name === name);
      const kind = m.sourcePorts.length + m.destinationPorts.length > 0 ? PortKind.PORTS : b.portKind;
      if (family === 4) {
        const s = src === undefined ? b.srcV4 : (edgeAddress(src, last[3] === true, delta[3] ?? 0) as number);
        const d = dst === undefined ? b.dstV4 : (edgeAddress(dst, last[4] === true, delta[4] ?? 0) as number);
        setFlowV4(key, proto, s, d, sport, dport, kind);
      } else {
        const s =
          src === undefined ? b.src6 : (edgeAddress(src, last[3] === true, delta[3] ?? 0) as Uint8Array);
        const d =
          dst === undefined ? b.dst6 : (edgeAddress(dst, last[4] === true, delta[4] ?? 0) as Uint8Array);
        setFlowV6(key, proto, s, d, sport, dport, kind);
      }
      return { key, iface, vlan };
    });
  return fc.array(edge, { minLength: 1, maxLength });
}

/**
 * A policy over tiny port, VLAN and protocol domains, with packets over the same domains (one
 * past each end included), so that rules' boundaries coincide or sit next to each other.
 */
export const densePolicyAndPackets: fc.Arbitrary<[Policy, Packet[]]> = fc
  .tuple(
    fc.array(
      fc.record({
        vlans: maybeList(rangeOf(fc.integer({ min: 1, max: 6 }))),
        protocols: maybeList(fc.integer({ min: 5, max: 7 })),
        sourcePorts: maybeList(rangeOf(fc.integer({ min: 20, max: 26 }))),
        destinationPorts: maybeList(rangeOf(fc.integer({ min: 20, max: 26 }))),
      }),
      // More rules than a leaf holds, so that the matcher's tree has to cut the domains.
      { minLength: 9, maxLength: 30 },
    ),
    fc.array(
      fc.record({
        vlan: fc.integer({ min: 0, max: 7 }),
        protocol: fc.integer({ min: 4, max: 8 }),
        srcPort: fc.integer({ min: 19, max: 27 }),
        dstPort: fc.integer({ min: 19, max: 27 }),
      }),
      { minLength: 1, maxLength: 30 },
    ),
  )
  .map(([matches, raw]) => {
    const p: Policy = {
      topology: { mode: 'auto', layer: 'l4', interfaces: [] },
      rules: matches.map((m) => ({ match: { ...emptyMatch, ...m }, action: { sync: 'none' } })),
      nat: [],
    };
    const packets = raw.map((x) => {
      const key = createFlowKey();
      setFlowV4(key, x.protocol, 0x0a000001, 0x0a000002, x.srcPort, x.dstPort, PortKind.PORTS);
      return { key, iface: -1, vlan: x.vlan };
    });
    return [p, packets];
  });
