import { createFlowKey, type FlowKey, PortKind, setFlowV4, setFlowV6 } from '@maestro/hash';
import fc from 'fast-check';
import {
  BALANCE_METHODS,
  type Cidr,
  type CompiledPolicy,
  formatCidr,
  type InterfaceTopology,
  type LogicalServerConfig,
  maskCidr,
  type NatRule,
  PacketBatch,
  type Policy,
  type Range,
  type Rule,
  type RuleAction,
  type RuleMatch,
} from '../src/index.js';

// A small address universe, so that random rules and random packets actually meet.
const V4_BASES = [0x0a000000, 0x0a010000, 0xc0000200, 0xc6336400, 0xffffff00];
const V6_BASES = [
  [0x20, 0x01, 0x0d, 0xb8],
  [0x20, 0x01, 0x0d, 0xb9],
  [0xfe, 0x80, 0x00, 0x00],
];

/** An IPv4 address near one of a few bases. */
export const v4Address: fc.Arbitrary<number> = fc
  .tuple(fc.constantFrom(...V4_BASES), fc.integer({ min: 0, max: 0xffff }), fc.boolean())
  .map(([base, noise, wide]) => (wide ? (base ^ (noise << 8)) >>> 0 : (base | (noise & 0xff)) >>> 0));

/** An IPv6 address near one of a few bases. */
export const v6Address: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(...V6_BASES), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.nat(12))
  .map(([base, rest, zeros]) => {
    const out = new Uint8Array(16);
    out.set(base);
    out.set(rest, 4);
    out.fill(0, 4, 4 + zeros);
    return out;
  });

/** An address block (network address, host bits zero) over the small universe. */
export const cidr: fc.Arbitrary<Cidr> = fc.oneof(
  fc
    .tuple(v4Address, fc.integer({ min: 0, max: 32 }))
    .map(([v4, prefix]) => maskCidr({ family: 4, prefix, v4, v6: new Uint8Array(16) })),
  fc
    .tuple(v6Address, fc.integer({ min: 0, max: 128 }))
    .map(([v6, prefix]) => maskCidr({ family: 6, prefix, v4: 0, v6 })),
);

/** A host block of a family. */
export function hostCidr(family: 4 | 6): fc.Arbitrary<Cidr> {
  return family === 4
    ? v4Address.map((v4) => ({ family: 4 as const, prefix: 32, v4, v6: new Uint8Array(16) }))
    : v6Address.map((v6) => ({ family: 6 as const, prefix: 128, v4: 0, v6 }));
}

const PORTS = [0, 22, 53, 80, 443, 1024, 8080, 65535];
/** A port, mostly from a few well-known values. */
export const port: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...PORTS),
  fc.integer({ min: 0, max: 65535 }),
);

function rangeOf(value: fc.Arbitrary<number>): fc.Arbitrary<Range> {
  return fc.tuple(value, value).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
}

/** A port range. */
export const portRange: fc.Arbitrary<Range> = fc.oneof(
  port.map((p) => ({ from: p, to: p })),
  rangeOf(port),
);
/** A VLAN ID, from a small set so that rules and packets meet. */
export const vlanId: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 10, 100, 4094),
  fc.integer({ min: 1, max: 4094 }),
);
/** A VLAN ID range. */
export const vlanRange: fc.Arbitrary<Range> = fc.oneof(
  vlanId.map((v) => ({ from: v, to: v })),
  rangeOf(vlanId),
);
/** An IP protocol number, mostly TCP, UDP and ICMP. */
export const protocol: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 6, 17, 58),
  fc.integer({ min: 0, max: 255 }),
);

/** Any non-empty name, including ones YAML must quote. */
export const name: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('eth1-01', 'eth1-02', 'bond0', 'true', '123', 'null', '- x', 'a: b', '#c', ' sp '),
  fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }),
);

const mode = fc.constantFrom('user', 'network', 'general', 'five-tuple') as fc.Arbitrary<
  'user' | 'network' | 'general' | 'five-tuple'
>;
const zone = fc.constantFrom('internal', 'external') as fc.Arbitrary<'internal' | 'external'>;

function maybeList<T>(item: fc.Arbitrary<T>, max = 3): fc.Arbitrary<T[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<T[]>([]) },
    { weight: 2, arbitrary: fc.array(item, { minLength: 1, maxLength: max }) },
  );
}

/** Interfaces with unique names and VLANs with unique IDs. */
export const interfaces: fc.Arbitrary<InterfaceTopology[]> = fc.uniqueArray(
  fc.record(
    {
      name,
      zone,
      mode,
      vlans: fc.uniqueArray(fc.record({ id: vlanId, zone, mode }, { requiredKeys: ['id', 'zone'] }), {
        maxLength: 3,
        selector: (v) => v.id,
      }),
    },
    { requiredKeys: ['name', 'zone', 'vlans'] },
  ),
  { minLength: 0, maxLength: 4, selector: (i) => i.name },
);

function ruleMatch(ifaceNames: readonly string[]): fc.Arbitrary<RuleMatch> {
  return fc.record({
    interfaces: ifaceNames.length === 0 ? fc.constant([]) : maybeList(fc.constantFrom(...ifaceNames), 2),
    vlans: maybeList(vlanRange),
    source: maybeList(cidr),
    destination: maybeList(cidr),
    protocols: maybeList(protocol),
    sourcePorts: maybeList(portRange),
    destinationPorts: maybeList(portRange),
  });
}

/** A valid action: at least one field; members and management never together. */
export const ruleAction: fc.Arbitrary<RuleAction> = fc
  .record(
    {
      mode,
      target: fc.oneof(
        fc.constant(undefined),
        fc.constant('management' as const),
        fc.uniqueArray(name, { minLength: 1, maxLength: 3 }),
      ),
      sync: fc.constantFrom('none', 'backup', 'all') as fc.Arbitrary<'none' | 'backup' | 'all'>,
    },
    { requiredKeys: [] },
  )
  .filter((a) => a.mode !== undefined || a.target !== undefined || a.sync !== undefined)
  .map(({ mode: m, target, sync }) => ({
    ...(m === undefined ? {} : { mode: m }),
    ...(target === undefined
      ? {}
      : target === 'management'
        ? { management: true as const }
        : { members: target }),
    ...(sync === undefined ? {} : { sync }),
  }));

function rules(ifaceNames: readonly string[], max: number): fc.Arbitrary<Rule[]> {
  return fc
    .array(fc.record({ named: fc.boolean(), match: ruleMatch(ifaceNames), action: ruleAction }), {
      maxLength: max,
    })
    .map((list) =>
      list.map(({ named, match, action }, i) => ({ ...(named ? { name: `rule ${i}` } : {}), match, action })),
    );
}

/** A valid NAT rule. */
export const natRule: fc.Arbitrary<NatRule> = fc.oneof(
  fc.constantFrom(4 as const, 6 as const).chain((family) =>
    fc.record(
      {
        kind: fc.constant('hide' as const),
        name,
        source: fc.array(
          cidr.filter((c) => c.family === family),
          { minLength: 1, maxLength: 2 },
        ),
        destination: maybeList(cidr, 2),
        address: hostCidr(family),
        ports: rangeOf(fc.integer({ min: 1, max: 65535 })),
      },
      { requiredKeys: ['kind', 'source', 'destination', 'address', 'ports'] },
    ),
  ),
  cidr.chain((original) =>
    fc.record(
      {
        kind: fc.constant('static' as const),
        name,
        original: fc.constant(original),
        translated: (original.family === 4 ? v4Address : v6Address).map((a) =>
          maskCidr(
            typeof a === 'number'
              ? { family: 4, prefix: original.prefix, v4: a, v6: new Uint8Array(16) }
              : { family: 6, prefix: original.prefix, v4: 0, v6: a },
          ),
        ),
      },
      { requiredKeys: ['kind', 'original', 'translated'] },
    ),
  ),
);

/** A ConnectControl logical server with 1..4 real servers of its own family. */
export const logicalServer: fc.Arbitrary<LogicalServerConfig> = fc.constantFrom<4 | 6>(4, 6).chain((family) =>
  fc.record({
    name,
    address: hostCidr(family),
    protocol: fc.constantFrom(6, 17),
    port: fc.integer({ min: 1, max: 65535 }),
    method: fc.constantFrom(...BALANCE_METHODS),
    servers: fc.uniqueArray(
      fc.record(
        { address: hostCidr(family), port: fc.integer({ min: 1, max: 65535 }) },
        { requiredKeys: ['address'] },
      ),
      {
        minLength: 1,
        maxLength: 4,
        selector: (r) => `${formatCidr(r.address)} ${r.port ?? 'same'}`,
      },
    ),
    persistency: fc.constantFrom('none', 'service', 'server') as fc.Arbitrary<'none' | 'service' | 'server'>,
    persistencyTimeout: fc.oneof(
      fc.integer({ min: 1, max: 86400 }),
      fc.double({ min: 0.5, max: 1e6, noNaN: true }),
    ),
  }),
);

/** Logical servers with unique names and unique services. */
const logicalServers: fc.Arbitrary<LogicalServerConfig[]> = fc
  .uniqueArray(logicalServer, { maxLength: 3, selector: (s) => s.name })
  .map((list) => {
    const seen = new Set<string>();
    return list.filter((s) => {
      const service = `${s.protocol} ${formatCidr(s.address)} ${s.port}`;
      if (seen.has(service)) return false;
      seen.add(service);
      return true;
    });
  });

/** A valid policy of up to `maxRules` rules (plain objects, as a parser builds them). */
export function policy(maxRules = 12): fc.Arbitrary<Policy> {
  return fc
    .tuple(policyRecords(maxRules), fc.option(logicalServers, { nil: undefined }))
    .map(([p, ls]) => structuredClone(ls === undefined ? p : { ...p, logicalServers: ls }));
}

function policyRecords(maxRules: number): fc.Arbitrary<Policy> {
  return interfaces.chain((ifaces) =>
    fc.record({
      topology: fc.record({
        mode: fc.constantFrom('auto', 'general') as fc.Arbitrary<'auto' | 'general'>,
        layer: fc.constantFrom('l3', 'l4') as fc.Arbitrary<'l3' | 'l4'>,
        interfaces: fc.constant(ifaces),
      }),
      rules: rules(
        ifaces.map((i) => i.name),
        maxRules,
      ),
      nat: fc.array(natRule, { maxLength: 3 }),
    }),
  );
}

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

/** A block whose prefix is often an extreme: /0, or a full-length host block. */
export const extremeCidr: fc.Arbitrary<Cidr> = fc.oneof(
  cidr,
  fc
    .constantFrom(4 as const, 6 as const)
    .map((family) => maskCidr({ family, prefix: 0, v4: 0, v6: new Uint8Array(16) })),
  hostCidr(4),
  hostCidr(6),
);

const emptyMatch: RuleMatch = {
  interfaces: [],
  vlans: [],
  source: [],
  destination: [],
  protocols: [],
  sourcePorts: [],
  destinationPorts: [],
};

/**
 * A policy whose rules use extreme blocks (/0, /32, /128), several blocks of mixed families per
 * list, and catch-all rules (an empty match) here and there; no interfaces.
 */
export function extremePolicy(maxRules = 24): fc.Arbitrary<Policy> {
  const extremeRule: fc.Arbitrary<Rule> = fc.oneof(
    { weight: 1, arbitrary: fc.constant<Rule>({ match: emptyMatch, action: { sync: 'all' } }) },
    {
      weight: 6,
      arbitrary: fc
        .record({
          source: maybeList(extremeCidr, 4),
          destination: maybeList(extremeCidr, 4),
          protocols: maybeList(protocol),
          destinationPorts: maybeList(portRange),
        })
        .map((m) => ({ match: { ...emptyMatch, ...m }, action: { sync: 'none' as const } })),
    },
  );
  return fc
    .array(extremeRule, { maxLength: maxRules })
    .map((list) =>
      structuredClone({ topology: { mode: 'auto', layer: 'l4', interfaces: [] }, rules: list, nat: [] }),
    );
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

/** A block inside `c`: up to 12 more prefix bits, the extra bits taken from `noise`. */
function subBlock(c: Cidr, extra: number, noise: Uint8Array): Cidr {
  const max = c.family === 4 ? 32 : 128;
  const prefix = Math.min(max, c.prefix + extra);
  if (c.family === 4) {
    const low =
      (((noise[0] as number) << 24) | ((noise[1] as number) << 16) | ((noise[2] as number) << 8)) >>> 0;
    const keep = c.prefix === 0 ? 0 : (0xffff_ffff << (32 - c.prefix)) >>> 0;
    return maskCidr({ ...c, prefix, v4: ((c.v4 & keep) | (low & ~keep)) >>> 0 });
  }
  const v6 = new Uint8Array(16);
  for (let i = 0; i < 16; i++) {
    const keep = Math.max(0, Math.min(8, c.prefix - 8 * i));
    const mask = (0xff00 >> keep) & 0xff;
    v6[i] = ((c.v6[i] as number) & mask) | ((noise[i] as number) & ~mask & 0xff);
  }
  return maskCidr({ ...c, prefix, v6 });
}

/** A range inside `r`, from two picks. */
function subRange(r: Range, a: number, b: number): Range {
  const from = r.from + (a % (r.to - r.from + 1));
  return { from, to: from + (b % (r.to - from + 1)) };
}

const EDGE_PORTS: readonly Range[] = [
  { from: 0, to: 0 },
  { from: 0, to: 1 },
  { from: 65535, to: 65535 },
  { from: 65534, to: 65535 },
  { from: 0, to: 65535 },
  { from: 1, to: 65534 },
];

/** One change that makes a copy of an earlier rule narrower (shadowed by it) or wider. */
interface Derivation {
  readonly from: number;
  readonly field: number;
  readonly widen: boolean;
  readonly extra: number;
  readonly noise: Uint8Array;
  readonly a: number;
  readonly b: number;
}

function derive(m: RuleMatch, d: Derivation): RuleMatch {
  const pick = <T>(list: readonly T[]): T | undefined => list[d.a % Math.max(1, list.length)];
  switch (d.field % 6) {
    case 0:
    case 1: {
      const key = d.field % 6 === 0 ? 'source' : 'destination';
      if (d.widen) return { ...m, [key]: [] };
      const c = pick(m[key]);
      return c === undefined ? m : { ...m, [key]: [subBlock(c, d.extra, d.noise)] };
    }
    case 2: {
      const key = d.b % 2 === 0 ? 'sourcePorts' : 'destinationPorts';
      if (d.widen) return { ...m, [key]: [] };
      const r = pick(m[key]) ?? (EDGE_PORTS[d.b % EDGE_PORTS.length] as Range);
      return { ...m, [key]: [subRange(r, d.a, d.b)] };
    }
    case 3: {
      if (d.widen) return { ...m, vlans: [] };
      const r = pick(m.vlans) ?? { from: 1, to: 4094 };
      return { ...m, vlans: [subRange(r, d.a, d.b)] };
    }
    case 4: {
      if (d.widen) return { ...m, protocols: [] };
      const p = pick(m.protocols);
      return { ...m, protocols: [p ?? (d.b % 2 === 0 ? 6 : 17)] };
    }
    default: {
      if (d.widen) return { ...m, interfaces: [] };
      const name = pick(m.interfaces);
      return name === undefined ? m : { ...m, interfaces: [name] };
    }
  }
}

/**
 * A policy where many rules are copies of earlier ones made narrower (so an earlier rule shadows
 * them, wholly or inside some region) or wider, over IPv4 and IPv6 blocks and port ranges at the
 * ends of the port space; more rules than a leaf holds, so that the matcher's tree cuts them.
 */
export function shadowedPolicy(maxRules = 60): fc.Arbitrary<Policy> {
  const derivation: fc.Arbitrary<Derivation> = fc.record({
    from: fc.nat(),
    field: fc.nat(),
    widen: fc.boolean(),
    extra: fc.integer({ min: 0, max: 12 }),
    noise: fc.uint8Array({ minLength: 16, maxLength: 16 }),
    a: fc.nat(),
    b: fc.nat(),
  });
  return interfaces.chain((ifaces) => {
    const names = ifaces.map((i) => i.name);
    const base = ruleMatch(names);
    return fc
      .tuple(
        fc.array(base, { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(derivation, { minLength: 1, maxLength: 3 }), { minLength: 8, maxLength: maxRules }),
        fc.array(fc.constantFrom(...EDGE_PORTS), { maxLength: 2 }),
      )
      .map(([roots, chains, edges]) => {
        const matches: RuleMatch[] = roots.map((m, i) => (i === 0 ? { ...m, destinationPorts: edges } : m));
        for (const chain of chains) {
          const from = matches[(chain[0] as Derivation).from % matches.length] as RuleMatch;
          matches.push(chain.reduce(derive, from));
        }
        return structuredClone({
          topology: { mode: 'auto' as const, layer: 'l4' as const, interfaces: ifaces },
          rules: matches.map((match) => ({ match, action: { sync: 'none' as const } })),
          nat: [],
        });
      });
  });
}

/** A packet as outside data may hand it over: any of its parts may be anything. */
export interface UncheckedPacket {
  readonly key: unknown;
  readonly iface: unknown;
  readonly vlan: unknown;
}

const notInteger = fc.constantFrom(0.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, undefined);

/**
 * A valid packet with one part broken: the key not an object, a key field out of range or of the
 * wrong type, an IPv6 address that is not 16 bytes, a non-integer interface id, a VLAN outside
 * 0..4095. Every one of them must be refused.
 */
export const garbagePacket: fc.Arbitrary<UncheckedPacket> = fc
  .tuple(
    packet,
    fc.oneof(
      fc.record({
        part: fc.constant('key' as const),
        value: fc.constantFrom(null, undefined, 42, 'tcp', []),
      }),
      fc.record({ part: fc.constant('family' as const), value: fc.constantFrom(0, 5, '4', null) }),
      fc.record({
        part: fc.constant('protocol' as const),
        value: fc.oneof(fc.constantFrom(256, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('srcPort' as const),
        value: fc.oneof(fc.constantFrom(65536, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('dstPort' as const),
        value: fc.oneof(fc.constantFrom(65536, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('portKind' as const),
        value: fc.oneof(fc.constantFrom(4, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('address' as const),
        value: fc.oneof(fc.constantFrom(-1, 2 ** 32), notInteger),
      }),
      fc.record({
        part: fc.constant('bytes' as const),
        value: fc.constantFrom(
          new Uint8Array(15),
          new Uint8Array(17),
          Array.from({ length: 16 }, () => 1),
          null,
        ),
      }),
      fc.record({
        part: fc.constant('iface' as const),
        value: fc.oneof(fc.constantFrom(2 ** 31, -(2 ** 31) - 1), notInteger),
      }),
      fc.record({
        part: fc.constant('vlan' as const),
        value: fc.oneof(fc.constantFrom(-1, 4096, 65535), notInteger),
      }),
    ),
    fc.boolean(),
  )
  .map(([p, { part, value }, second]): UncheckedPacket => {
    if (part === 'key') return { key: value, iface: p.iface, vlan: p.vlan };
    if (part === 'iface') return { key: p.key, iface: value, vlan: p.vlan };
    if (part === 'vlan') return { key: p.key, iface: p.iface, vlan: value };
    const key: Record<string, unknown> & { family?: unknown } = { ...p.key };
    if (part === 'address')
      key[p.key.family === 4 ? (second ? 'srcV4' : 'dstV4') : 'family'] = p.key.family === 4 ? value : 5;
    else if (part === 'bytes') {
      key.family = 6;
      key[second ? 'src6' : 'dst6'] = value;
    } else key[part] = value;
    return { key, iface: p.iface, vlan: p.vlan };
  });
