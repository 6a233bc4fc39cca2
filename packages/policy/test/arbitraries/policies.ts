import fc from 'fast-check';
import {
  BALANCE_METHODS,
  type Cidr,
  formatCidr,
  type InterfaceTopology,
  type LogicalServerConfig,
  maskCidr,
  type NatRule,
  type Policy,
  type Rule,
  type RuleAction,
  type RuleMatch,
} from '../../src/index.js';
import {
  cidr,
  hostCidr,
  maybeList,
  name,
  portRange,
  protocol,
  rangeOf,
  v4Address,
  v6Address,
  vlanId,
  vlanRange,
} from './universe.js';

const mode = fc.constantFrom('user', 'network', 'general', 'five-tuple') as fc.Arbitrary<
  'user' | 'network' | 'general' | 'five-tuple'
>;
const zone = fc.constantFrom('internal', 'external') as fc.Arbitrary<'internal' | 'external'>;

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

/** A rule match over the small universe, naming only `ifaceNames` as interfaces. */
export function ruleMatch(ifaceNames: readonly string[]): fc.Arbitrary<RuleMatch> {
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
        destination: maybeList(
          cidr.filter((c) => c.family === family),
          2,
        ),
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

/** A block whose prefix is often an extreme: /0, or a full-length host block. */
export const extremeCidr: fc.Arbitrary<Cidr> = fc.oneof(
  cidr,
  fc
    .constantFrom(4 as const, 6 as const)
    .map((family) => maskCidr({ family, prefix: 0, v4: 0, v6: new Uint8Array(16) })),
  hostCidr(4),
  hostCidr(6),
);

/** A match with every list empty: it matches every packet. */
export const emptyMatch: RuleMatch = {
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
