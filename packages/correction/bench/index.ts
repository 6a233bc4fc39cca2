import { formatRate, peakRssMiB, printTable } from '@maestro/bench-tools';
import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import { type CorrectionConfig, type Ingress, MemberEngine, type Packet } from '../src/index.js';

// One member (of 4) holding 1 M connections decides a stream of 3 M packets: 70 % packets of known
// connections (either direction), 20 % misses (TCP non-SYN with no state: dropped), 10 % SYNs that
// create a connection. Half the connections are hidden behind a hide NAT (translated, with
// correction messages emitted when the reply target is another member).
const LIVE = 1_000_000;
const STREAM = 3_000_000;
const MEMBERS = 4;

function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  h = Math.imul(h, 0x846ca68b);
  h ^= h >>> 16;
  return h >>> 0;
}

const interfaces: Ingress[] = [
  { id: 0, mode: 'user', layer: 'l4' },
  { id: 1, mode: 'network', layer: 'l4' },
];
const config: CorrectionConfig = {
  members: MEMBERS,
  interfaces,
  distribute: (key: FlowKey, ingress: Ingress) =>
    ingress.mode === 'user'
      ? mix(key.dstV4 ^ mix(key.srcPort)) % MEMBERS
      : mix(key.srcV4 ^ mix(key.dstPort)) % MEMBERS,
  route: (key: FlowKey) => (key.dstV4 >>> 24 === 10 ? 0 : 1),
  nat: [
    {
      kind: 'hide',
      match: { src: { address: 0x0a800000, prefix: 9 } },
      address: 0xc0000201,
      portMin: 1024,
      portMax: 65535,
    },
  ],
};

let seed = 0x2545f491;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return seed >>> 0;
};

// Connection i: inside client 10.x (upper half of 10/8 is hidden), outside server, TCP.
const total = LIVE + STREAM / 10 + 1;
const client = new Uint32Array(total);
const server = new Uint32Array(total);
const cport = new Uint16Array(total);
for (let i = 0; i < total; i++) {
  client[i] = (0x0a000000 | (rnd() & 0xffffff)) >>> 0;
  server[i] = (0xc6000000 | (rnd() & 0xffffff)) >>> 0;
  cport[i] = 1024 + (rnd() % 64000);
}

const engine = new MemberEngine(0, { ...config, capacity: total });
const key = createFlowKey();
const packet: Packet = {
  key,
  ingress: 0,
  ipId: 0,
  moreFragments: false,
  tcpFlags: TcpFlag.SYN,
  bytes: 60,
  embedded: null,
  hops: 0,
};
function setOriginal(i: number): void {
  key.family = 4;
  key.protocol = IpProtocol.TCP;
  key.portKind = PortKind.PORTS;
  key.srcV4 = client[i] as number;
  key.dstV4 = server[i] as number;
  key.srcPort = cport[i] as number;
  key.dstPort = 443;
  packet.ingress = 0;
}

const t0 = performance.now();
for (let i = 0; i < LIVE; i++) {
  setOriginal(i);
  packet.tcpFlags = TcpFlag.SYN;
  engine.decide(packet, 1);
  engine.recycle(engine.outbox);
  engine.outbox.length = 0;
}
const fillMs = performance.now() - t0;

// The stream, laid out in arrival order: kind 0 = hit, 1 = miss, 2 = create.
const kinds = new Uint8Array(STREAM);
const sSrc = new Uint32Array(STREAM);
const sDst = new Uint32Array(STREAM);
const sPort = new Uint16Array(STREAM);
let next = LIVE;
for (let i = 0; i < STREAM; i++) {
  const r = rnd() % 10;
  const kind = r < 7 ? 0 : r < 9 ? 1 : 2;
  const c = kind === 2 ? next++ : rnd() % LIVE;
  kinds[i] = kind;
  sSrc[i] = client[c] as number;
  sDst[i] = server[c] as number;
  sPort[i] = kind === 1 ? (cport[c] as number) ^ 0x8000 : (cport[c] as number);
}

const start = performance.now();
let sink = 0;
for (let i = 0; i < STREAM; i++) {
  key.srcV4 = sSrc[i] as number;
  key.dstV4 = sDst[i] as number;
  key.srcPort = sPort[i] as number;
  packet.tcpFlags = kinds[i] === 2 ? TcpFlag.SYN : TcpFlag.ACK;
  sink += engine.decide(packet, 2);
  if (engine.outbox.length > 0) {
    engine.recycle(engine.outbox); // as a sync layer would once it has sent them
    engine.outbox.length = 0;
  }
}
const ms = performance.now() - start;
const stats = engine.stats();
printTable([
  ['measure', 'value'],
  ['decisions/s (70% hit, 20% miss, 10% create)', formatRate((STREAM / ms) * 1000)],
  ['connections held', String(engine.owned.size)],
  ['fill 1 M connections', `${fillMs.toFixed(0)} ms (${formatRate((LIVE / fillMs) * 1000)} creations)`],
  ['owned table bytes/entry', (engine.owned.byteLength / engine.owned.size).toFixed(1)],
  ['nat / asymmetric creations', `${stats.reasons.nat.decisions} / ${stats.reasons.asymmetric.decisions}`],
  ['peak RSS', `${peakRssMiB().toFixed(0)} MiB`],
]);
if (sink < 0) console.log(sink);
