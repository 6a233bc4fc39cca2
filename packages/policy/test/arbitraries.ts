import { createFlowKey, type FlowKey, PortKind, setFlowV4, setFlowV6 } from '@maestro/hash';
import fc from 'fast-check';
import {
  type Cidr,
  type InterfaceTopology,
  maskCidr,
  type NatRule,
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

/** A valid policy of up to `maxRules` rules (plain objects, as a parser builds them). */
export function policy(maxRules = 12): fc.Arbitrary<Policy> {
  return policyRecords(maxRules).map((p) => structuredClone(p));
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
