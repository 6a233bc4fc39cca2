import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import {
  type CorrectionConfig,
  type DecisionBuffers,
  hideSlice,
  type Ingress,
  MemberEngine,
  type NatRule,
  type PackedBatch,
  type Packet,
} from '../src/index.js';
import { mix } from '../test/mixer.js';
import type { CDecisionParams } from './c-decision.js';

// The bench's distribution mixes as the tests' does (the C baseline ports the same function).
export { mix };

// The benches' workload: one member of a group holds `live` connections and decides a stream of
// `stream` packets: 70 % packets of known connections (either direction), 20 % misses (TCP
// non-SYN with no state: dropped), 10 % SYNs that create a connection. Half the connections are
// hidden behind a hide NAT (translated, with correction messages emitted when the reply target is
// another member). bench/c-decision.ts generates the same connections and stream in C.

/** Packets per batch (decideMany, decidePacked, the C baseline). */
export const BATCH = 32;
/** The seed of the main bench's stream (and the C baseline's default). */
export const DEFAULT_SEED = 0x2545f491;

const interfaces: Ingress[] = [
  { id: 0, mode: 'user', layer: 'l4' },
  { id: 1, mode: 'network', layer: 'l4' },
];

/** The upper half of 10/8 leaves behind one address, any port. */
export const hide: Extract<NatRule, { kind: 'hide' }> = {
  kind: 'hide',
  match: { src: { address: 0x0a800000, prefix: 9 } },
  address: 0xc0000201,
  portMin: 1024,
  portMax: 65535,
};

/** Wall and CPU milliseconds spent so far by one way of deciding, and the messages it sent. */
export interface Spent {
  wall: number;
  cpu: number;
  messages: number;
}

/** Which member of how large a group decides, how much it holds and decides, from which seed. */
export interface WorkloadShape {
  readonly members: number;
  readonly self: number;
  readonly live: number;
  readonly stream: number;
  readonly seed: number;
}

/**
 * The connections (inside client 10.x, outside server, TCP to port 443) and the stream, laid out
 * in arrival order (kind 0 = hit, 1 = miss, 2 = create), drawn from one xorshift32 in the order
 * the C baseline draws them.
 */
export class Workload {
  readonly config: CorrectionConfig;
  /** The connections the member can hold: the live ones and one per SYN of the stream. */
  readonly total: number;
  readonly hideFirst: number;
  readonly hideCount: number;
  readonly kinds: Uint8Array;
  readonly sSrc: Uint32Array;
  readonly sDst: Uint32Array;
  readonly sPort: Uint16Array;
  private readonly client: Uint32Array;
  private readonly server: Uint32Array;
  private readonly cport: Uint16Array;

  constructor(readonly shape: WorkloadShape) {
    const { members, self, live, stream } = shape;
    this.config = {
      members,
      interfaces,
      distribute: (key: FlowKey, ingress: Ingress) =>
        ingress.mode === 'user'
          ? mix(key.dstV4 ^ mix(key.srcPort)) % members
          : mix(key.srcV4 ^ mix(key.dstPort)) % members,
      route: (key: FlowKey) => (key.dstV4 >>> 24 === 10 ? 0 : 1),
      nat: [hide],
    };
    [this.hideFirst, this.hideCount] = hideSlice(hide, self, members);
    const rnd = xorshift(shape.seed);
    const total = capacityOf(shape);
    this.total = total;
    this.client = new Uint32Array(total);
    this.server = new Uint32Array(total);
    this.cport = new Uint16Array(total);
    for (let i = 0; i < total; i++) {
      this.client[i] = (0x0a000000 | (rnd() & 0xffffff)) >>> 0;
      this.server[i] = (0xc6000000 | (rnd() & 0xffffff)) >>> 0;
      this.cport[i] = 1024 + (rnd() % 64000);
    }
    this.kinds = new Uint8Array(stream);
    this.sSrc = new Uint32Array(stream);
    this.sDst = new Uint32Array(stream);
    this.sPort = new Uint16Array(stream);
    let next = live;
    for (let i = 0; i < stream; i++) {
      const r = rnd() % 10;
      const kind = r < 7 ? 0 : r < 9 ? 1 : 2;
      const c = kind === 2 ? next++ : rnd() % live;
      this.kinds[i] = kind;
      this.sSrc[i] = this.client[c] as number;
      this.sDst[i] = this.server[c] as number;
      this.sPort[i] = kind === 1 ? (this.cport[c] as number) ^ 0x8000 : (this.cport[c] as number);
    }
    // More SYNs than a tenth of the stream would read past the connections (in C as well).
    if (next > total) {
      throw new NoRoomError(`seed ${shape.seed} draws ${next - live} SYNs, more than ${total - live}`);
    }
  }

  /** A member holding the live connections; returns it, the fill time and the messages it sent. */
  filled(): [MemberEngine, number, number] {
    const engine = new MemberEngine(this.shape.self, { ...this.config, capacity: this.total });
    const packet = newPacket();
    const key = packet.key;
    let sent = 0;
    const t0 = performance.now();
    for (let i = 0; i < this.shape.live; i++) {
      key.srcV4 = this.client[i] as number;
      key.dstV4 = this.server[i] as number;
      key.srcPort = this.cport[i] as number;
      engine.decide(packet, 1);
      sent += engine.outbox.length;
      engine.recycleOutbox();
    }
    return [engine, performance.now() - t0, sent];
  }
}

function xorshift(seed: number): () => number {
  return (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
}

/**
 * The connections a workload makes room for: the live ones and a tenth of the stream (the C
 * baseline sizes its arrays the same way, with integer division), plus one.
 */
export function capacityOf(shape: Omit<WorkloadShape, 'seed'>): number {
  return shape.live + Math.floor(shape.stream / 10) + 1;
}

/** A seed whose stream draws more SYNs than {@link capacityOf} makes room for. */
class NoRoomError extends Error {}

/**
 * The first seed from `from` on (in steps of 0x9e3779b9) whose stream draws no more SYNs than
 * {@link capacityOf} makes room for (about half the seeds draw a few more than a tenth): the
 * workload is built to find out, so that its order of draws is written once.
 */
export function fittingSeed(shape: Omit<WorkloadShape, 'seed'>, from: number): number {
  for (let seed = from >>> 0; ; seed = (seed + 0x9e3779b9) >>> 0 || 1) {
    try {
      new Workload({ ...shape, seed });
      return seed;
    } catch (error) {
      if (!(error instanceof NoRoomError)) throw error;
    }
  }
}

/** What the C baseline needs to make the same decisions as a member of this workload. */
export function cParamsOf(shape: WorkloadShape): CDecisionParams {
  const [hideFirst, hideCount] = hideSlice(hide, shape.self, shape.members);
  const src = hide.match.src ?? { address: 0, prefix: 0 };
  return {
    members: shape.members,
    self: shape.self,
    hideAddress: hide.address,
    hideNet: src.address,
    hidePrefix: src.prefix,
    hideFirst,
    hideCount,
    live: shape.live,
    stream: shape.stream,
    batch: BATCH,
    capacity: capacityOf(shape),
    seed: shape.seed,
  };
}

/** A TCP SYN to port 443 arriving on the inside interface; the stream rewrites its key and flags. */
export function newPacket(): Packet {
  const key = createFlowKey();
  key.protocol = IpProtocol.TCP;
  key.portKind = PortKind.PORTS;
  key.dstPort = 443;
  return {
    key,
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags: TcpFlag.SYN,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

/** Stream packets `from .. to-1` through `decide`, one packet at a time. */
export function single(
  w: Workload,
  engine: MemberEngine,
  packet: Packet,
  from: number,
  to: number,
  spent: Spent,
): number {
  const { kinds, sSrc, sDst, sPort } = w;
  const key = packet.key;
  let sink = 0;
  for (let i = from; i < to; i++) {
    key.srcV4 = sSrc[i] as number;
    key.dstV4 = sDst[i] as number;
    key.srcPort = sPort[i] as number;
    packet.tcpFlags = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
    sink += engine.decide(packet, 2);
    if (engine.outbox.length > 0) {
      spent.messages += engine.outbox.length;
      engine.recycleOutbox(); // as a sync layer would once it has sent them
    }
  }
  return sink;
}

/** Loads stream packets `start .. start+n-1` into `packets[0 .. n-1]` (part of the measured cost). */
export function fillBatch(w: Workload, packets: Packet[], start: number, n: number): void {
  const { kinds, sSrc, sDst, sPort } = w;
  for (let k = 0; k < n; k++) {
    const i = start + k;
    const packet = packets[k] as Packet;
    const key = packet.key;
    key.srcV4 = sSrc[i] as number;
    key.dstV4 = sDst[i] as number;
    key.srcPort = sPort[i] as number;
    packet.tcpFlags = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
  }
}

/**
 * Runs stream packets `from .. to-1` through `decide` (a batch's fill and decision), BATCH at a
 * time, handing the messages each batch leaves back to the engine; returns a sink of decisions.
 */
function inBatches(
  engine: MemberEngine,
  out: DecisionBuffers,
  from: number,
  to: number,
  spent: Spent,
  decide: (start: number, n: number) => void,
): number {
  let sink = 0;
  for (let start = from; start < to; start += BATCH) {
    const n = Math.min(BATCH, to - start);
    decide(start, n);
    sink += out.decision[0] as number;
    if (engine.outbox.length > 0) {
      spent.messages += engine.outbox.length;
      engine.recycleOutbox();
    }
  }
  return sink;
}

/** The same packets through `decideMany`, BATCH per call (filling the batch is part of the cost). */
export function batched(
  w: Workload,
  engine: MemberEngine,
  packets: Packet[],
  out: DecisionBuffers,
  from: number,
  to: number,
  spent: Spent,
): number {
  return inBatches(engine, out, from, to, spent, (start, n) => {
    fillBatch(w, packets, start, n);
    engine.decideMany(packets, 2, out, n);
  });
}

/**
 * Loads stream packets `start .. start+n-1` into lanes `0 .. n-1` of `words` (part of the measured
 * cost): the same four fields {@link fillBatch} writes, as words; the lanes' other words (family,
 * protocol, port kind, destination port, ingress, bytes) were written once, as fillBatch's packet
 * objects keep theirs. Offsets as literals (a bundler makes module consts vars): SRC 8, DST 12,
 * SRC_PORT 3, TCP_FLAGS 7.
 */
function fillPacked(w: Workload, words: Int32Array, start: number, n: number): void {
  const { kinds, sSrc, sDst, sPort } = w;
  for (let k = 0, b = 0; k < n; k++, b += 32) {
    const i = start + k;
    words[b + 8] = sSrc[i] as number;
    words[b + 12] = sDst[i] as number;
    words[b + 3] = sPort[i] as number;
    words[b + 7] = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
  }
}

/** The same packets through `decidePacked`, BATCH lanes per call (filling the lanes is part of the cost). */
export function packed(
  w: Workload,
  engine: MemberEngine,
  batch: PackedBatch,
  out: DecisionBuffers,
  from: number,
  to: number,
  spent: Spent,
): number {
  return inBatches(engine, out, from, to, spent, (start, n) => {
    fillPacked(w, batch.words, start, n);
    engine.decidePacked(batch, 2, out, n);
  });
}
