import { TcpFlag } from '@maestro/flowtable';
import {
  cloneFlowKey,
  copyFlowKey,
  createFlowKey,
  type FlowKey,
  formatFlow,
  IpProtocol,
  PortKind,
  reverseFlowKey,
  setFlowV4,
} from '@maestro/hash';
import {
  type CorrectionConfig,
  Decision,
  type DeliveryResult,
  Group,
  type NatRule,
  type Packet,
} from '../src/index.js';
import {
  type ConnectionSpec,
  INSIDE,
  LOGICAL_SERVER,
  OUTSIDE,
  REAL_SERVERS,
  type Topology,
} from './arbitraries.js';
import { testDistribute } from './mixer.js';

const { SYN, ACK, FIN } = TcpFlag;

/** The interface facing an address: 10.0.0.0/8 is inside, everything else outside. */
export function ifaceFor(t: Topology, address: number): number {
  return address >>> 24 === INSIDE >>> 24 ? address % t.internal : t.internal + (address % t.external);
}

/**
 * The group's config; with `servers`, connections to {@link LOGICAL_SERVER} are translated
 * round-robin to `servers` real servers (a stateful per-connection destination NAT, as
 * ConnectControl does).
 */
export function makeConfig(
  t: Topology,
  nat: readonly NatRule[],
  servers: number | null = null,
): CorrectionConfig {
  const config: CorrectionConfig = {
    members: t.members,
    interfaces: t.interfaces,
    distribute: testDistribute(t.members, t.seed),
    route: (key: FlowKey) => ifaceFor(t, key.dstV4),
    nat,
  };
  if (servers === null) return config;
  let next = 0;
  return {
    ...config,
    translate: (original, out) => {
      if (original.dstV4 !== LOGICAL_SERVER) return false;
      out.dstV4 = REAL_SERVERS + (next++ % servers);
      if (out.portKind === PortKind.PORTS) out.dstPort = 8000 + out.dstPort;
      return true;
    },
  };
}

/** A connection being played: its original tuple, and once created its owner and translated tuple. */
interface Conn {
  readonly o: FlowKey;
  readonly name: string;
  owner: number;
  t: FlowKey | null;
  readonly parent: Conn | null;
  readonly fragId: number;
}

type Step =
  | {
      readonly kind: 'packet';
      readonly conn: Conn;
      readonly reply: boolean;
      readonly flags: number;
      readonly frag: 0 | 1 | 2;
    }
  | { readonly kind: 'icmp'; readonly conn: Conn }
  | { readonly kind: 'expect'; readonly conn: Conn; readonly data: Conn };

export interface PlayResult {
  readonly group: Group;
  readonly conns: readonly Conn[];
  readonly failures: readonly string[];
  readonly results: readonly DeliveryResult[];
  /** Whether any member held a correction entry at any point. */
  readonly everCorrected: boolean;
  now: number;
}

function tuple(spec: ConnectionSpec, port: number, serverPort: number): FlowKey {
  const proto =
    spec.protocol === 'tcp' ? IpProtocol.TCP : spec.protocol === 'udp' ? IpProtocol.UDP : IpProtocol.ICMP;
  const kind = spec.protocol === 'icmp' ? PortKind.ECHO : PortKind.PORTS;
  const inbound = !spec.outbound || spec.inside >>> 24 !== INSIDE >>> 24;
  const [src, dst] = inbound ? [spec.outside, spec.inside] : [spec.inside, spec.outside];
  const [sp, dp] = kind === PortKind.ECHO ? [port, port] : [port, serverPort];
  return setFlowV4(createFlowKey(), proto, src, dst, sp, dp, kind);
}

function steps(spec: ConnectionSpec, conn: Conn, data: Conn | null): Step[] {
  const p = (reply: boolean, flags = 0, frag: 0 | 1 | 2 = 0): Step => ({
    kind: 'packet',
    conn,
    reply,
    flags,
    frag,
  });
  const out: Step[] = [];
  if (spec.protocol === 'tcp') out.push(p(false, SYN), p(true, SYN | ACK), p(false, ACK));
  else out.push(p(false), p(true));
  if (spec.fragments && spec.protocol !== 'icmp')
    out.push(p(false, ACK, 1), p(false, ACK, 2), p(true, ACK, 1), p(true, ACK, 2));
  if (spec.icmpError) out.push({ kind: 'icmp', conn });
  if (data !== null) {
    const d = (reply: boolean, flags: number): Step => ({
      kind: 'packet',
      conn: data,
      reply,
      flags,
      frag: 0,
    });
    out.push(
      { kind: 'expect', conn, data },
      d(false, SYN),
      d(true, SYN | ACK),
      d(false, ACK),
      d(false, FIN | ACK),
      d(true, FIN | ACK),
      d(false, ACK),
    );
  }
  if (spec.protocol === 'tcp') out.push(p(false, FIN | ACK), p(true, FIN | ACK), p(false, ACK));
  else out.push(p(false), p(true));
  return out;
}

/** Plays the connections through a group in the given interleaving and records every violation. */
export function play(
  t: Topology,
  nat: readonly NatRule[],
  specs: readonly ConnectionSpec[],
  order: readonly number[],
  servers: number | null = null,
): PlayResult {
  const config = makeConfig(t, nat, servers);
  const group = new Group(config);
  const seen = new Set<string>();
  const conns: Conn[] = [];
  const queues: Step[][] = [];
  for (const spec of specs) {
    const o = tuple(spec, spec.insidePort, spec.outsidePort);
    const dataPort = 20000 + (spec.ipId % 10000);
    const ids = [
      `${spec.outside}/${spec.outsidePort}/${spec.insidePort}`,
      `${spec.outside}/${spec.inside}/${spec.insidePort}`,
    ];
    if (spec.related && spec.protocol === 'tcp') ids.push(`${spec.outside}/${spec.inside}/${dataPort}`);
    if (ids.some((id) => seen.has(id))) continue;
    for (const id of ids) seen.add(id);
    const conn: Conn = { o, name: formatFlow(o), owner: -1, t: null, parent: null, fragId: conns.length * 2 };
    conns.push(conn);
    let data: Conn | null = null;
    if (spec.related && spec.protocol === 'tcp') {
      const dataKey = tuple(spec, (spec.insidePort ^ 0x5a5a) | 1, dataPort);
      data = {
        o: dataKey,
        name: `${formatFlow(dataKey)} (related)`,
        owner: -1,
        t: null,
        parent: conn,
        fragId: 0,
      };
      conns.push(data);
    }
    queues.push(steps(spec, conn, data));
  }
  const failures: string[] = [];
  const results: DeliveryResult[] = [];
  const state = { now: 1 };
  let everCorrected = false;
  const run = (step: Step): void => {
    state.now += 1;
    const conn = step.conn;
    if (step.kind === 'expect') {
      const pattern = cloneFlowKey(step.data.o);
      pattern.srcPort = 0;
      group.expect(conn.owner, conn.o, pattern, state.now);
      return;
    }
    const packet = buildPacket(t, step, conn, state.now);
    if (packet === null) return;
    const result = group.inject(packet, state.now);
    results.push(result);
    if (conn.owner < 0) {
      const expected = conn.parent === null ? undefined : conn.parent.owner;
      if (result.decision !== Decision.CREATE || (expected !== undefined && result.member !== expected)) {
        failures.push(
          `${conn.name}: first packet ${JSON.stringify(result)}, parent owner ${String(expected)}`,
        );
        conn.owner = -2;
        return;
      }
      conn.owner = result.member;
      const translated = createFlowKey();
      group.engines[conn.owner]?.translation(conn.o, translated);
      conn.t = translated;
    } else if (result.decision !== Decision.PROCESS || result.member !== conn.owner) {
      failures.push(`${conn.name} owned by ${conn.owner}: ${step.kind} ${JSON.stringify(result)}`);
    }
    if (group.engines.some((e) => e.corrections.size > 0)) everCorrected = true;
  };
  let remaining = queues.reduce((n, q) => n + q.length, 0);
  const live = queues.filter((q) => q.length > 0);
  for (const pick of order) {
    if (remaining === 0) break;
    const open = live.filter((q) => q.length > 0);
    const q = open[pick % open.length] as Step[];
    run(q.shift() as Step);
    remaining--;
  }
  for (const q of live) while (q.length > 0) run(q.shift() as Step);
  return { group, conns, failures, results, everCorrected, now: state.now };
}

function buildPacket(
  t: Topology,
  step: Step & { kind: 'packet' | 'icmp' },
  conn: Conn,
  now: number,
): Packet | null {
  if (conn.owner === -2) return null; // its creation already failed and was reported
  const tKey = conn.t ?? conn.o;
  const packet: Packet = {
    key: createFlowKey(),
    ingress: 0,
    ipId: (now * 7919) & 0xffff,
    moreFragments: false,
    tcpFlags: 0,
    bytes: 100,
    embedded: null,
    hops: 0,
  };
  if (step.kind === 'icmp') {
    // A router beyond the gateway reports on an original-direction packet as it left (translated).
    const router = tKey.dstV4 >>> 24 === INSIDE >>> 24 ? INSIDE + 254 : OUTSIDE + 255;
    setFlowV4(packet.key, IpProtocol.ICMP, router, tKey.srcV4, 0, 0, PortKind.NONE);
    packet.embedded = cloneFlowKey(tKey);
    packet.ingress = ifaceFor(t, tKey.dstV4);
    return packet;
  }
  const wire = step.reply ? reverseFlowKey(tKey, packet.key) : copyFlowKey(conn.o, packet.key);
  packet.ingress = step.reply ? ifaceFor(t, tKey.dstV4) : ifaceFor(t, conn.o.srcV4);
  packet.tcpFlags = wire.protocol === IpProtocol.TCP ? step.flags : 0;
  if (step.frag !== 0) {
    packet.ipId = 40000 + conn.fragId + (step.reply ? 1 : 0);
    if (step.frag === 1) packet.moreFragments = true;
    else {
      wire.srcPort = 0;
      wire.dstPort = 0;
      wire.portKind = PortKind.FRAGMENT;
    }
  }
  return packet;
}

/** Every correction entry in the group, as `member|canonical flow` strings. */
export function correctionEntries(group: Group): string[] {
  const out: string[] = [];
  const key = createFlowKey();
  for (const engine of group.engines) {
    for (let h = 0; h < engine.corrections.size; h++) {
      out.push(`${engine.self}|${canonical(engine.corrections.keyAt(h, key))}`);
    }
  }
  return out.sort();
}

export function canonical(key: FlowKey): string {
  const a = formatFlow(key);
  const b = formatFlow(reverseFlowKey(key, createFlowKey()));
  return [a, b].sort()[0] as string;
}

/** Sizes of every table of every member. */
export function tableSizes(group: Group): number[] {
  return group.engines.flatMap((e) => [
    e.owned.size,
    e.corrections.size,
    e.fragments.size,
    e.expectations.size,
  ]);
}
