import { TcpFlag } from '@maestro/flowtable';
import {
  cloneFlowKey,
  createFlowKey,
  type FlowKey,
  formatFlow,
  IpProtocol,
  PortKind,
  reverseFlowKey,
  setFlowV4,
  setFlowV6,
} from '@maestro/hash';
import fc from 'fast-check';
import { expect } from 'vitest';
import {
  type CorrectionConfig,
  type CorrectionMessage,
  type Decision,
  type Ingress,
  MemberEngine,
  type NatRule,
  type Packet,
} from '../src/index.js';
import { anyTopology, INSIDE, LOGICAL_SERVER, OUTSIDE, type Topology } from './arbitraries.js';
import { ifaceFor, makeConfig } from './sim.js';

// Packets of a small pool of connections for the batch tests (decideMany, decidePacked): each
// batch is compared with decide one packet at a time.

const { SYN, ACK, FIN, RST } = TcpFlag;

/** One packet of a small pool of connections (see {@link packetSpec}). */
export interface PacketSpec {
  readonly client: number;
  readonly server: number;
  readonly port: number;
  readonly protocol: number;
  readonly reply: boolean;
  readonly flags: number;
  /** 0: not a fragment, 1: a first fragment, 2: a later fragment. */
  readonly frag: number;
  readonly icmp: boolean;
  readonly bad: boolean;
  readonly viaAlias: boolean;
  readonly six: boolean;
}

/** One packet of a small pool of connections, so that batches revisit what they just created. */
export const packetSpec: fc.Arbitrary<PacketSpec> = fc.record({
  client: fc.nat(5),
  server: fc.nat(3),
  port: fc.constantFrom(1024, 1025, 40000),
  protocol: fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP),
  reply: fc.boolean(),
  flags: fc.constantFrom(SYN, SYN | ACK, ACK, FIN | ACK, RST, SYN, SYN),
  frag: fc.constantFrom(0, 0, 0, 1, 2),
  icmp: fc.boolean(),
  bad: fc.constantFrom(false, false, false, false, false, false, false, false, false, true),
  /** A reply to the translated tuple (what NAT made of the connection), not to the original. */
  viaAlias: fc.boolean(),
  /** The same packet over IPv6 (the IPv4 addresses in 2001:db8::/96; no NAT applies). */
  six: fc.constantFrom(false, false, false, false, true),
});

/** The tuple NAT makes of `o` on a fresh member `self` (its first SYN creates it there). */
export type AliasOf = (o: FlowKey) => FlowKey;

/** The packet `spec` names (its alias reply through `aliasOf`), on a topology of that many interfaces. */
export function build(spec: PacketSpec, internal: number, external: number, aliasOf?: AliasOf): Packet {
  const t = { members: 1, seed: 0, internal, external, interfaces: [] };
  const server = spec.server === 3 ? LOGICAL_SERVER : OUTSIDE + spec.server;
  const o = setFlowV4(
    createFlowKey(),
    spec.protocol,
    INSIDE + 1 + spec.client,
    server,
    spec.port,
    443,
    PortKind.PORTS,
  );
  const replyTo = spec.viaAlias && !spec.six && aliasOf !== undefined ? aliasOf(o) : o;
  const key = spec.reply ? reverseFlowKey(replyTo, createFlowKey()) : o;
  const packet: Packet = {
    key,
    ingress: ifaceFor(t, key.srcV4),
    ipId: 7 + spec.client,
    moreFragments: spec.frag === 1,
    tcpFlags: spec.protocol === IpProtocol.TCP ? spec.flags : 0,
    bytes: 100,
    embedded: null,
    hops: 0,
  };
  if (spec.frag === 2) {
    key.srcPort = 0;
    key.dstPort = 0;
    key.portKind = PortKind.FRAGMENT;
  } else if (spec.icmp && spec.frag === 0 && !spec.reply) {
    packet.embedded = cloneFlowKey(reverseFlowKey(o, createFlowKey()));
    packet.key = setFlowV4(createFlowKey(), IpProtocol.ICMP, server, o.srcV4, 0, 0, PortKind.NONE);
    packet.tcpFlags = 0;
  }
  if (spec.six) {
    packet.key = toV6(packet.key);
    if (packet.embedded !== null) packet.embedded = toV6(packet.embedded);
    if (packet.key.protocol === IpProtocol.ICMP) packet.key.protocol = IpProtocol.ICMPV6;
  }
  if (spec.bad) packet.bytes = -1;
  return packet;
}

export function text(messages: readonly CorrectionMessage[]): string[] {
  return messages.map((m) =>
    JSON.stringify({ ...m, key: { ...m.key, src6: [...m.key.src6], dst6: [...m.key.dst6] } }),
  );
}

export function codeOf(run: () => void): string | null {
  try {
    run();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? 'not a typed error';
  }
}

/** One packet's outcome through `decide`: the decision and the engine's last target, reason, drop. */
export type Outcome = [Decision, number, number, number];

/**
 * `packets` through `engine.decide` one at a time until one throws: each packet's outcome, and the
 * code of the error that stopped them (null when none did). What a batch of them must match.
 */
export function decideEach(
  engine: MemberEngine,
  packets: readonly Packet[],
  now: number,
): { expected: Outcome[]; error: string | null } {
  const expected: Outcome[] = [];
  for (const p of packets) {
    const error = codeOf(() => {
      const d = engine.decide(p, now);
      expected.push([d, engine.lastTarget, engine.lastReason, engine.lastDrop]);
    });
    if (error !== null) return { expected, error };
  }
  return { expected, error: null };
}

/**
 * `many` (which decided a batch) and `one` (which decided the same packets one at a time) hold the
 * same outbox (drained from both), counters, table sizes and owned connections.
 */
export function expectSameEngine(many: MemberEngine, one: MemberEngine): void {
  expect(text(many.outbox.splice(0))).toEqual(text(one.outbox.splice(0)));
  expect(many.stats()).toEqual(one.stats());
  for (const name of ['owned', 'corrections', 'fragments', 'expectations'] as const) {
    expect(many[name].size).toBe(one[name].size);
  }
  expectSameOwned(many, one);
}

/**
 * A `correct` message from the next member to `self` for the connection of packet `spec`, which the
 * next member created at time 0 (before any of `self`'s: `self` yields a connection it owns).
 */
export function correction(t: Topology, self: number, spec: PacketSpec): CorrectionMessage {
  const other = (self + 1) % t.members;
  return {
    kind: 'correct',
    from: other,
    to: self,
    key: build(spec, t.internal, t.external).key,
    owner: other,
    reason: 1,
    created: 0,
  };
}

/**
 * The translated tuple a fresh member `self` of `t` (with `nat`, and `servers` real servers behind
 * the logical one) gives a connection `o` it creates at `now`, or `o` itself: what the batch tests
 * address replies to.
 */
export function freshAliasOf(
  t: Topology,
  self: number,
  nat: readonly NatRule[],
  servers: number | null,
  now: number,
): AliasOf {
  return (o) => {
    const fresh = new MemberEngine(self, makeConfig(t, nat, servers));
    const syn = build(originalSyn(0), t.internal, t.external);
    syn.key = o;
    syn.ingress = ifaceFor(t, o.srcV4);
    syn.tcpFlags = o.protocol === IpProtocol.TCP ? SYN : 0;
    fresh.decide(syn, now);
    const out = createFlowKey();
    return fresh.translation(o, out) ? out : o;
  };
}

/**
 * `config` with a distribution that fails (BAD_DISTRIBUTION) for the connections of one client to
 * one server, both ways: a batch stops there, after other connections' packets.
 */
export function breaking(config: CorrectionConfig): CorrectionConfig {
  const base = config.distribute;
  const [c, s] = [BROKEN.client, BROKEN.server];
  return {
    ...config,
    distribute: (key: FlowKey, ingress: Ingress) =>
      (key.srcV4 === c && key.dstV4 === s) || (key.srcV4 === s && key.dstV4 === c) ? -1 : base(key, ingress),
  };
}

/** The addresses of the connection {@link breaking} fails for (client 5, server 2 of packetSpec). */
export const BROKEN: { readonly client: number; readonly server: number } = {
  client: INSIDE + 6,
  server: OUTSIDE + 2,
};

/** Both engines own the same entries with the same keys, counters, states and times. */
export function expectSameOwned(a: MemberEngine, b: MemberEngine): void {
  expect(a.owned.size).toBe(b.owned.size);
  const entry = (e: MemberEngine, h: number) => {
    const table = e.owned;
    return [
      formatFlow(table.keyAt(h, createFlowKey())),
      table.packets(h),
      table.bytes(h),
      table.state(h),
      table.lastSeen(h),
      table.created(h),
    ];
  };
  for (let h = 0; h < a.owned.size; h++) expect(entry(a, h)).toEqual(entry(b, h));
}

/** `key` over IPv6: each IPv4 address as the last word of 2001:db8::/96. */
export function toV6(key: FlowKey): FlowKey {
  const v6 = (a: number): Uint8Array => {
    const bytes = Uint8Array.from([0x20, 0x01, 0x0d, 0xb8, ...new Array<number>(12).fill(0)]);
    new DataView(bytes.buffer).setUint32(12, a >>> 0);
    return bytes;
  };
  return setFlowV6(
    createFlowKey(),
    key.protocol,
    v6(key.srcV4),
    v6(key.dstV4),
    key.srcPort,
    key.dstPort,
    key.portKind,
  );
}

/** The original-direction SYN of pool connection `client`. */
export function originalSyn(client: number): PacketSpec {
  return {
    client,
    server: client % 3,
    port: 1024,
    protocol: IpProtocol.TCP,
    reply: false,
    flags: SYN,
    frag: 0,
    icmp: false,
    bad: false,
    viaAlias: false,
    six: false,
  };
}

/**
 * The property that a batch entry point (`decideBatch`: decideMany or decidePacked over the packets
 * at `now`) stops where decide stops when a config function throws: every packet before the one
 * whose distribution fails is recorded, as decide one at a time records it, and none at or after
 * it; the same error, owned entries and counters. Batches of hits of known connections (either
 * direction, any flags) with SYNs of the connection {@link breaking} fails for among them.
 */
export function expectBatchStopsAtThrow(
  decideBatch: (engine: MemberEngine, packets: Packet[], now: number) => void,
): void {
  const hit = fc.record({
    client: fc.nat(4),
    server: fc.nat(2),
    port: fc.constantFrom(1024, 1025, 40000),
    reply: fc.boolean(),
    flags: fc.constantFrom(ACK, FIN | ACK, SYN | ACK, RST),
  });
  fc.assert(
    fc.property(
      anyTopology,
      fc.array(fc.option(hit, { freq: 6, nil: null }), { minLength: 1, maxLength: 70 }),
      (t, picks) => {
        const one = new MemberEngine(0, breaking(makeConfig(t, [])));
        const many = new MemberEngine(0, breaking(makeConfig(t, [])));
        const spec = (h: Partial<PacketSpec>): PacketSpec => ({ ...originalSyn(0), ...h });
        // Every connection a hit may name, created alike on both; then the batch, where null is a
        // SYN of the connection whose distribution fails.
        for (let client = 0; client < 5; client++) {
          for (let server = 0; server < 3; server++) {
            for (const port of [1024, 1025, 40000] as const) {
              const syn = build(spec({ client, server, port }), t.internal, t.external);
              one.decide(syn, 1);
              many.decide(syn, 1);
            }
          }
        }
        const packets = picks.map((p) => build(spec(p ?? { client: 5, server: 2 }), t.internal, t.external));
        let expectedError: string | null = null;
        for (const p of packets) {
          expectedError = codeOf(() => one.decide(p, 2));
          if (expectedError !== null) break;
        }
        expect(codeOf(() => decideBatch(many, packets, 2))).toBe(expectedError);
        expectSameOwned(many, one);
        expect(many.stats()).toEqual(one.stats());
      },
    ),
  );
}
