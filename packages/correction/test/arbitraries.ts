import type { DistributionLayer, DistributionMode } from '@maestro/hash';
import fc from 'fast-check';
import type { Ingress, NatRule } from '../src/index.js';

/** Inside hosts are 10.0.0.0/24, outside hosts 198.51.100.0/24; NAT addresses are 192.0.2.0/24. */
export const INSIDE: number = 0x0a000000;
export const OUTSIDE: number = 0xc6336400;
export const PUBLIC: number = 0xc0000200;
export const HIDE: number = PUBLIC + 1;
export const STATIC_INTERNAL: number = INSIDE + 80;
export const STATIC_EXTERNAL: number = PUBLIC + 80;
export const DNAT_PUBLIC: number = PUBLIC + 8;
export const DNAT_PRIVATE: number = INSIDE + 8;
/** A logical server (ConnectControl): connections to it are translated to one of its real servers. */
export const LOGICAL_SERVER: number = PUBLIC + 9;
/** The first real server behind {@link LOGICAL_SERVER}; the others follow it. */
export const REAL_SERVERS: number = INSIDE + 200;

/** How many real servers sit behind the logical server (null: no per-connection translation). */
export const logicalServer: fc.Arbitrary<number | null> = fc.option(fc.integer({ min: 1, max: 4 }), {
  nil: null,
});

export interface Topology {
  readonly members: number;
  readonly seed: number;
  readonly internal: number;
  readonly external: number;
  readonly interfaces: readonly Ingress[];
}

/** Interfaces 0 .. internal-1 face the inside, the rest the outside. */
function topology(
  members: number,
  seed: number,
  internal: number,
  external: number,
  modes: (side: 'internal' | 'external', i: number) => DistributionMode,
  layer: DistributionLayer,
): Topology {
  const interfaces: Ingress[] = [];
  for (let i = 0; i < internal; i++) interfaces.push({ id: i, mode: modes('internal', i), layer });
  for (let i = 0; i < external; i++) interfaces.push({ id: internal + i, mode: modes('external', i), layer });
  return { members, seed, internal, external, interfaces };
}

const shape = fc.record({
  members: fc.integer({ min: 1, max: 6 }),
  seed: fc.nat(),
  internal: fc.integer({ min: 1, max: 3 }),
  external: fc.integer({ min: 1, max: 2 }),
  layer: fc.constantFrom<DistributionLayer>('l3', 'l4'),
});

/** Auto-topology: internal interfaces use User, external ones Network, one layer for the group. */
export const autoTopology: fc.Arbitrary<Topology> = shape.map((s) =>
  topology(
    s.members,
    s.seed,
    s.internal,
    s.external,
    (side) => (side === 'internal' ? 'user' : 'network'),
    s.layer,
  ),
);

/** Any topology: each interface any mode (so some are asymmetric on purpose). */
export const anyTopology: fc.Arbitrary<Topology> = fc
  .tuple(
    shape,
    fc.array(fc.constantFrom<DistributionMode>('user', 'network', 'general', 'five-tuple'), {
      minLength: 5,
      maxLength: 5,
    }),
  )
  .map(([s, modes]) =>
    topology(
      s.members,
      s.seed,
      s.internal,
      s.external,
      (side, i) => modes[(side === 'internal' ? 0 : 3) + i] ?? 'general',
      s.layer,
    ),
  );

/** The vendor's NAT guidance: hide NAT for the inside, a static and a destination NAT for servers. */
export const natRules: fc.Arbitrary<readonly NatRule[]> = fc
  .subarray(['hide', 'static', 'destination', 'source'] as const, { minLength: 1 })
  .map((kinds) =>
    kinds.map((kind): NatRule => {
      switch (kind) {
        case 'hide':
          return {
            kind,
            match: { src: { address: INSIDE, prefix: 24 } },
            address: HIDE,
            portMin: 1024,
            portMax: 65535,
          };
        case 'static':
          return { kind, internal: STATIC_INTERNAL, external: STATIC_EXTERNAL };
        case 'destination':
          return {
            kind,
            match: { dst: { address: DNAT_PUBLIC, prefix: 32 } },
            to: DNAT_PRIVATE,
            toPort: 8080,
          };
        default:
          return { kind, match: { src: { address: INSIDE + 64, prefix: 26 } }, to: PUBLIC + 64 };
      }
    }),
  );

export type Protocol = 'tcp' | 'udp' | 'icmp';

/** One connection to play: endpoints, protocol, and which extras its packets exercise. */
export interface ConnectionSpec {
  readonly outbound: boolean;
  readonly inside: number;
  readonly outside: number;
  readonly protocol: Protocol;
  readonly insidePort: number;
  readonly outsidePort: number;
  readonly fragments: boolean;
  readonly icmpError: boolean;
  readonly related: boolean;
  readonly ipId: number;
}

export interface ConnectionOptions {
  readonly extras: boolean;
  /** Outside clients may reach the NAT addresses (static, destination NAT). */
  readonly publicServers: boolean;
}

/** A connection between an inside and an outside host (inbound or outbound). */
export function connection(options: ConnectionOptions): fc.Arbitrary<ConnectionSpec> {
  const insideHost = options.publicServers
    ? fc.oneof(
        fc.integer({ min: 1, max: 126 }).map((i) => INSIDE + i),
        fc.constantFrom(STATIC_EXTERNAL, DNAT_PUBLIC, LOGICAL_SERVER),
      )
    : fc.integer({ min: 1, max: 126 }).map((i) => INSIDE + i);
  return fc.record({
    outbound: fc.boolean(),
    inside: insideHost,
    outside: fc.integer({ min: 1, max: 254 }).map((i) => OUTSIDE + i),
    protocol: fc.constantFrom<Protocol>('tcp', 'udp', 'icmp'),
    insidePort: fc.integer({ min: 1, max: 65535 }),
    outsidePort: fc.constantFrom(21, 53, 80, 443, 5060),
    fragments: options.extras ? fc.boolean() : fc.constant(false),
    icmpError: options.extras ? fc.boolean() : fc.constant(false),
    related: options.extras ? fc.boolean() : fc.constant(false),
    ipId: fc.nat({ max: 0xffff }),
  });
}

/** Connections plus an interleaving: each number picks which connection sends its next packet. */
export function scenario(
  options: ConnectionOptions,
): fc.Arbitrary<{ conns: ConnectionSpec[]; order: number[] }> {
  return fc.record({
    conns: fc.array(connection(options), { minLength: 1, maxLength: 12 }),
    order: fc.array(fc.nat(), { maxLength: 200 }),
  });
}

/** A network near INSIDE or OUTSIDE, any prefix length (0 matches every address). */
const anyCidr = fc.record({
  address: fc.oneof(fc.constantFrom(INSIDE, OUTSIDE), fc.integer({ min: 0, max: 0xffff_ffff })),
  prefix: fc.integer({ min: 0, max: 32 }),
});

/** Any valid NAT rule, every optional match field present or not (for the NAT matcher's laws). */
export const anyNatRule: fc.Arbitrary<NatRule> = fc.oneof(
  fc
    .tuple(
      fc.record(
        {
          protocol: fc.constantFrom(1, 6, 17),
          src: anyCidr,
          dst: anyCidr,
          dstPorts: fc
            .tuple(fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }))
            .map(([a, b]): readonly [number, number] => [Math.min(a, b), Math.max(a, b)]),
        },
        { requiredKeys: [] },
      ),
      fc.constantFrom('source', 'hide', 'destination'),
    )
    .map(([match, kind]): NatRule => {
      if (kind === 'hide') return { kind, match, address: HIDE, portMin: 1024, portMax: 65535 };
      return { kind, match, to: PUBLIC + 5 };
    }),
  fc.record({
    kind: fc.constant('static' as const),
    internal: fc.constantFrom(INSIDE + 1, STATIC_INTERNAL),
    external: fc.constantFrom(OUTSIDE + 1, STATIC_EXTERNAL),
  }),
);

/** A hide rule for the inside network to {@link HIDE} with `per` ports for each of `members` members. */
export function hideRule(per: number, members: number): Extract<NatRule, { kind: 'hide' }> {
  return {
    kind: 'hide',
    match: { src: { address: INSIDE, prefix: 24 } },
    address: HIDE,
    portMin: 1024,
    portMax: 1024 + per * members - 1,
  };
}
