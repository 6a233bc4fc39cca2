import { assertObject, checkOptionKeys, describeValue, optionOr, PcapError } from './errors.js';
import {
  finishChecksum,
  writeEthernet,
  writeIcmp,
  writeIPv4,
  writeIPv6,
  writeIPv6Fragment,
  writeTcp,
  writeUdp,
} from './packet-builder.js';
import { Sfc32, ZipfSampler } from './prng.js';
import { type FlowMix, FlowProtocol, TrafficFlow } from './traffic-flow.js';
import type { CaptureWriter } from './writer-options.js';

/** Options of {@link generateTraffic}; every share is a probability in [0, 1]. */
export interface TrafficOptions {
  /** Number of packets to write. */
  readonly packets: number;
  /** Seed: the same options and seed give the same bytes. @default 1 */
  readonly seed?: number;
  /** Concurrent flow slots; slot r is picked with probability ∝ 1/(r+1)^zipfExponent. @default 1000 */
  readonly flows?: number;
  /** Exponent of the Zipf-like slot popularity. @default 1.1 */
  readonly zipfExponent?: number;
  /** Share of connections over IPv6. @default 0.2 */
  readonly ipv6Share?: number;
  /** Share of UDP connections. @default 0.25 */
  readonly udpShare?: number;
  /** Share of ICMP echo conversations. @default 0.02 */
  readonly icmpShare?: number;
  /** Share of IPv4 connections whose client sits behind NAT (in 10.0.0.0/16). @default 0.3 */
  readonly natShare?: number;
  /**
   * Where the capture sees the NATed connections. `'orchestrator'`: at the orchestrator's internal
   * and external ports, so the replies go to the public address and port (192.0.2.1-8) the hidden
   * client was translated to. `'endpoints'`: as the endpoints see the traffic, replies to the
   * client's private address and port, for a simulator that applies NAT itself (`maestro
   * simulate` with a hide NAT rule for 10.0.0.0/16). The same seed draws the same connections in
   * both. @default 'orchestrator'
   */
  readonly natView?: 'orchestrator' | 'endpoints';
  /** Share of UDP connections that send datagrams larger than the MTU, hence IP fragments. @default 0.1 */
  readonly fragmentShare?: number;
  /** Share of UDP connections answered last by an ICMP port-unreachable error. @default 0.05 */
  readonly icmpErrorShare?: number;
  /**
   * VLAN ids of the internal side (client-to-server packets) and external side (replies), as an
   * orchestrator's ports see them; null for untagged frames. @default { internal: 100, external: 200 }
   */
  readonly vlans?: { readonly internal: number; readonly external: number } | null;
  /** First timestamp, seconds since the epoch. @default 1700000000 */
  readonly startTime?: number;
  /** Mean packet rate that spaces timestamps (exponential gaps), 0.001..1e9. @default 100000 */
  readonly packetsPerSecond?: number;
}

/** The keys of {@link TrafficOptions}: the generator refuses any other. */
const TRAFFIC_OPTIONS: readonly string[] = [
  'packets',
  'seed',
  'flows',
  'zipfExponent',
  'ipv6Share',
  'udpShare',
  'icmpShare',
  'natShare',
  'natView',
  'fragmentShare',
  'icmpErrorShare',
  'vlans',
  'startTime',
  'packetsPerSecond',
];

/** What {@link generateTraffic} wrote. */
export interface TrafficSummary {
  /** Packets written. */
  readonly packets: number;
  /** Connections started. */
  readonly connections: number;
  /** Sum of the packets' lengths on the wire. */
  readonly wireBytes: number;
}

const TCP_MSS_V4 = 1460;
const TCP_MSS_V6 = 1440;

/**
 * Writes synthetic gateway traffic to `writer`, deterministically from the seed: Zipf-popular
 * flows of heavy-tailed length, in both directions, TCP with handshakes and closes (sometimes a
 * reset), UDP request/response (some fragmented, some ending in ICMP port-unreachable), ICMP
 * echo, an IPv6 share, and clients behind NAT. Ethernet frames, tagged with the internal VLAN
 * for client-to-server packets and the external VLAN for replies. Checksums are valid.
 * @example
 * const out = collectBytes();
 * const writer = new PcapWriter(out.sink);
 * generateTraffic({ packets: 10_000, seed: 7 }, writer);
 * writer.flush();
 */
export function generateTraffic(options: TrafficOptions, writer: CaptureWriter): TrafficSummary {
  assertObject(options, 'traffic options');
  checkOptionKeys(options, 'traffic', TRAFFIC_OPTIONS);
  if (typeof (writer as Partial<CaptureWriter> | null)?.writeRaw !== 'function') {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `generateTraffic writes to a CaptureWriter, got ${describeValue(writer)}`,
    );
  }
  return new TrafficGenerator(options, writer).run();
}

class TrafficGenerator {
  private readonly rng: Sfc32;
  private readonly zipf: ZipfSampler;
  private readonly slots: TrafficFlow[] = [];
  private readonly done: Uint8Array;
  private readonly b = new Uint8Array(2048);
  private readonly mix: FlowMix;
  private readonly internalVlan: number;
  private readonly externalVlan: number;
  private readonly meanGapNs: number;
  private sec: number;
  private ns = 0;
  private ipId = 0;
  private connections = 0;
  private wireBytes = 0;

  constructor(
    private readonly options: TrafficOptions,
    private readonly writer: CaptureWriter,
  ) {
    checkCount('packets', options.packets, 0, 2 ** 40);
    const flows = optionOr(options.flows, 1000);
    checkCount('flows', flows, 1, 1 << 22);
    const seed = optionOr(options.seed, 1);
    checkCount('seed', seed, 0, Number.MAX_SAFE_INTEGER);
    this.mix = {
      ipv6Share: share('ipv6Share', options.ipv6Share, 0.2),
      udpShare: share('udpShare', options.udpShare, 0.25),
      icmpShare: share('icmpShare', options.icmpShare, 0.02),
      natShare: share('natShare', options.natShare, 0.3),
      natTranslated: natTranslated(options.natView),
      fragmentShare: share('fragmentShare', options.fragmentShare, 0.1),
      icmpErrorShare: share('icmpErrorShare', options.icmpErrorShare, 0.05),
    };
    if (this.mix.udpShare + this.mix.icmpShare > 1) {
      throw new PcapError('INVALID_ARGUMENT', 'udpShare + icmpShare must not exceed 1');
    }
    const zipfExponent = optionOr(options.zipfExponent, 1.1);
    if (!within(zipfExponent, 0, 10)) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `zipfExponent must be in [0, 10], got ${describeValue(zipfExponent)}`,
      );
    }
    const vlans = options.vlans === undefined ? { internal: 100, external: 200 } : options.vlans;
    if (typeof vlans === 'object' && vlans !== null)
      checkOptionKeys(vlans, 'vlans', ['internal', 'external']);
    this.internalVlan = vlans === null ? -1 : vlanId('vlans.internal', vlans.internal);
    this.externalVlan = vlans === null ? -1 : vlanId('vlans.external', vlans.external);
    const startTime = optionOr(options.startTime, 1_700_000_000);
    checkCount('startTime', startTime, 0, 2 ** 32 - 2 ** 24);
    const pps = optionOr(options.packetsPerSecond, 100_000);
    // A rate near 0 would make the gaps infinite (timestamps NaN) or take ages to carry into seconds.
    if (!within(pps, 0.001, 1e9)) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `packetsPerSecond must be in [0.001, 1e9], got ${describeValue(pps)}`,
      );
    }
    this.meanGapNs = 1e9 / pps;
    // A gap is at most -ln(2^-32) < 23 mean gaps (the uniform draws are multiples of 2^-32), so the
    // last packet's time is bounded before any is written: refuse a run that could pass the last
    // second a capture holds, rather than fail in the middle of it.
    const latest = startTime + Math.ceil((options.packets * 23 * this.meanGapNs) / 1e9);
    if (latest > 2 ** 32 - 1) {
      throw new PcapError(
        'INVALID_ARGUMENT',
        `${options.packets} packets at ${pps}/s from startTime ${startTime} could run past ${2 ** 32 - 1} s, the last second a classic pcap holds (the generator keeps to it in both formats): start earlier, send fewer packets or faster`,
      );
    }
    this.sec = startTime;
    this.rng = new Sfc32(seed);
    this.zipf = new ZipfSampler(flows, zipfExponent);
    this.done = new Uint8Array(flows).fill(1);
    for (let i = 0; i < flows; i++) this.slots.push(new TrafficFlow());
  }

  run(): TrafficSummary {
    const { rng, zipf, slots, done } = this;
    const total = this.options.packets;
    for (let n = 0; n < total; n++) {
      const slot = zipf.sample(rng.next());
      const flow = slots[slot] as TrafficFlow;
      if (done[slot] === 1) {
        flow.restart(rng, this.mix, this.connections++);
        done[slot] = 0;
      }
      const gap = Math.floor(-Math.log(1 - rng.next()) * this.meanGapNs);
      this.ns += gap;
      if (this.ns >= 1e9) {
        this.sec += Math.floor(this.ns / 1e9);
        this.ns %= 1e9;
      }
      if (this.step(flow)) done[slot] = 1;
    }
    return { packets: total, connections: this.connections, wireBytes: this.wireBytes };
  }

  /** Emits the flow's next packet; true when that was its last. */
  private step(f: TrafficFlow): boolean {
    if (f.protocol === FlowProtocol.TCP) return this.tcpStep(f);
    if (f.protocol === FlowProtocol.UDP) return this.udpStep(f);
    return this.echoStep(f);
  }

  private tcpStep(f: TrafficFlow): boolean {
    const rng = this.rng;
    switch (f.state) {
      case 0:
        this.tcp(f, true, 0x02, 0);
        f.seqClient = (f.seqClient + 1) >>> 0;
        f.state = 1;
        return false;
      case 1:
        this.tcp(f, false, 0x12, 0);
        f.seqServer = (f.seqServer + 1) >>> 0;
        f.state = 2;
        return false;
      case 2:
        this.tcp(f, true, 0x10, 0);
        f.state = 3;
        return false;
      case 3:
        if (f.remaining > 0) {
          f.remaining--;
          const u = rng.next();
          if (u < 0.35) this.tcp(f, true, 0x18, 1 + rng.below(400));
          else if (u < 0.5) this.tcp(f, true, 0x10, 0);
          else {
            const mss = f.family === 6 ? TCP_MSS_V6 : TCP_MSS_V4;
            const full = rng.chance(0.7);
            this.tcp(f, false, full ? 0x10 : 0x18, full ? mss : 1 + rng.below(1000));
          }
          return false;
        }
        if (rng.chance(0.03)) {
          this.tcp(f, false, 0x14, 0);
          return true;
        }
        this.tcp(f, true, 0x11, 0);
        f.state = 4;
        return false;
      case 4:
        this.tcp(f, false, 0x11, 0);
        f.state = 5;
        return false;
      default:
        this.tcp(f, true, 0x10, 0);
        return true;
    }
  }

  private udpStep(f: TrafficFlow): boolean {
    if (f.fragmentsLeft > 0) {
      this.fragment(f);
    } else if (f.remaining > 0) {
      f.remaining--;
      const fromClient = (f.state & 1) === 0;
      f.state++;
      const rng = this.rng;
      if (f.fragmenting && rng.chance(0.5)) {
        f.datagramLength = 8 + 1600 + rng.below(2400);
        f.fragmentOffset = 0;
        f.fragmentFromClient = fromClient;
        f.fragmentId = this.nextId(f.family === 6);
        f.fragmentsLeft = 1;
        this.fragment(f);
      } else {
        this.udp(f, fromClient, 20 + rng.below(492));
      }
    } else {
      this.icmpError(f);
      return true;
    }
    return f.fragmentsLeft === 0 && f.remaining === 0 && !f.endWithError;
  }

  private echoStep(f: TrafficFlow): boolean {
    const fromClient = (f.state & 1) === 0;
    const v6 = f.family === 6;
    const id = fromClient ? f.clientPort : f.publicPort;
    const type = v6 ? (fromClient ? 128 : 129) : fromClient ? 8 : 0;
    const seq = f.state >>> 1;
    const payload = 56;
    const { ip, l4 } = this.ipHeader(f, fromClient, v6 ? 58 : 1, 8 + payload, 0x0000);
    writeIcmp(this.b, l4, type, 0, ((id << 16) | (seq & 0xffff)) >>> 0);
    finishChecksum(this.b, v6 ? ip : -1, v6, 58, l4, l4 + 8, 8 + payload, l4 + 2);
    this.emit(l4 + 8 + payload);
    f.state++;
    if (!fromClient) f.remaining--;
    return !fromClient && f.remaining <= 0;
  }

  private tcp(f: TrafficFlow, fromClient: boolean, flags: number, payload: number): void {
    const { b } = this;
    const v6 = f.family === 6;
    const { ip, l4 } = this.ipHeader(f, fromClient, 6, 20 + payload, 0x4000);
    const seq = fromClient ? f.seqClient : f.seqServer;
    const ack = (flags & 0x10) === 0 ? 0 : fromClient ? f.seqServer : f.seqClient;
    writeTcp(b, l4, this.srcPort(f, fromClient), this.dstPort(f, fromClient), seq, ack, flags);
    finishChecksum(b, ip, v6, 6, l4, l4 + 20, 20 + payload, l4 + 16);
    if (fromClient) f.seqClient = (f.seqClient + payload + (flags & 1)) >>> 0;
    else f.seqServer = (f.seqServer + payload + (flags & 1)) >>> 0;
    this.emit(l4 + 20 + payload);
  }

  private udp(f: TrafficFlow, fromClient: boolean, payload: number): void {
    const { b } = this;
    const v6 = f.family === 6;
    const { ip, l4 } = this.ipHeader(f, fromClient, 17, 8 + payload, 0x0000);
    writeUdp(b, l4, this.srcPort(f, fromClient), this.dstPort(f, fromClient), 8 + payload);
    finishChecksum(b, ip, v6, 17, l4, l4 + 8, 8 + payload, l4 + 6);
    this.emit(l4 + 8 + payload);
  }

  /** Emits the next fragment of the datagram in progress. */
  private fragment(f: TrafficFlow): void {
    const { b } = this;
    const v6 = f.family === 6;
    const fromClient = f.fragmentFromClient;
    const left = f.datagramLength - f.fragmentOffset;
    const maxPiece = v6 ? 1448 : 1480;
    const piece = Math.min(left, maxPiece);
    const more = left > piece;
    const offset = f.fragmentOffset;
    let ip: number;
    let data: number;
    if (v6) {
      ip = this.link(fromClient, 0x86dd);
      writeIPv6(b, ip, fromClient ? f.client6 : f.server6, fromClient ? f.server6 : f.client6, 44, 8 + piece);
      data = writeIPv6Fragment(b, ip + 40, 17, offset, more, f.fragmentId);
    } else {
      ip = this.link(fromClient, 0x0800);
      const field = (more ? 0x2000 : 0) | (offset >>> 3);
      data = writeIPv4(
        b,
        ip,
        fromClient ? f.clientV4 : f.serverV4,
        fromClient ? f.serverV4 : f.publicV4,
        17,
        20 + piece,
        f.fragmentId,
        field,
      );
    }
    if (offset === 0) {
      writeUdp(b, data, this.srcPort(f, fromClient), this.dstPort(f, fromClient), f.datagramLength);
      finishChecksum(b, ip, v6, 17, data, data + 8, f.datagramLength, data + 6);
    }
    f.fragmentOffset += piece;
    f.fragmentsLeft = more ? 1 : 0;
    this.emit(data + piece);
  }

  /** A port unreachable from the server about the client's last datagram, as NAT left it. */
  private icmpError(f: TrafficFlow): void {
    const { b } = this;
    const v6 = f.family === 6;
    const innerLength = (v6 ? 40 : 20) + 8;
    const { ip, l4 } = this.ipHeader(f, false, v6 ? 58 : 1, 8 + innerLength, 0x0000);
    writeIcmp(b, l4, v6 ? 1 : 3, v6 ? 4 : 3, 0);
    const inner = l4 + 8;
    let udp: number;
    if (v6) {
      udp = writeIPv6(b, inner, f.client6, f.server6, 17, 8 + 32);
    } else {
      udp = writeIPv4(b, inner, f.publicV4, f.serverV4, 17, 28 + 32, this.nextId(false), 0);
    }
    writeUdp(b, udp, f.publicPort, f.serverPort, 8 + 32);
    finishChecksum(b, inner, v6, 17, udp, udp + 8, 8 + 32, udp + 6);
    const end = udp + 8;
    finishChecksum(b, v6 ? ip : -1, v6, 58, l4, end, end - l4, l4 + 2);
    this.emit(end);
  }

  /** Writes link and IP headers for a packet whose upper layer is `upper` bytes; returns offsets. */
  private ipHeader(
    f: TrafficFlow,
    fromClient: boolean,
    protocol: number,
    upper: number,
    fragmentField: number,
  ): { ip: number; l4: number } {
    const { b } = this;
    if (f.family === 6) {
      const ip = this.link(fromClient, 0x86dd);
      const l4 = writeIPv6(
        b,
        ip,
        fromClient ? f.client6 : f.server6,
        fromClient ? f.server6 : f.client6,
        protocol,
        upper,
      );
      return this.offsets(ip, l4);
    }
    const ip = this.link(fromClient, 0x0800);
    const src = fromClient ? f.clientV4 : f.serverV4;
    const dst = fromClient ? f.serverV4 : f.publicV4;
    const l4 = writeIPv4(b, ip, src, dst, protocol, 20 + upper, this.nextId(false), fragmentField);
    return this.offsets(ip, l4);
  }

  private readonly scratchOffsets = { ip: 0, l4: 0 };

  private offsets(ip: number, l4: number): { ip: number; l4: number } {
    this.scratchOffsets.ip = ip;
    this.scratchOffsets.l4 = l4;
    return this.scratchOffsets;
  }

  private link(fromClient: boolean, etherType: number): number {
    // Headers of the previous packet may be longer: clear them so payload bytes stay zero.
    this.b.fill(0, 0, 160);
    return writeEthernet(
      this.b,
      0,
      fromClient,
      fromClient ? this.internalVlan : this.externalVlan,
      etherType,
    );
  }

  private srcPort(f: TrafficFlow, fromClient: boolean): number {
    return fromClient ? f.clientPort : f.serverPort;
  }

  private dstPort(f: TrafficFlow, fromClient: boolean): number {
    return fromClient ? f.serverPort : f.publicPort;
  }

  private nextId(v6: boolean): number {
    this.ipId = (this.ipId + 1) >>> 0;
    return v6 ? this.ipId : this.ipId & 0xffff;
  }

  private emit(length: number): void {
    // Bytes past the cleared header area are never written, so payloads stay zero.
    this.wireBytes += length;
    this.writer.writeRaw(this.sec, this.ns, this.b, 0, length, length, 0);
  }
}

function natTranslated(view: TrafficOptions['natView']): boolean {
  if (view === undefined || view === 'orchestrator') return true;
  if (view === 'endpoints') return false;
  throw new PcapError(
    'INVALID_ARGUMENT',
    `natView must be 'orchestrator' or 'endpoints', got ${describeValue(view)}`,
  );
}

function share(name: string, value: number | undefined, fallback: number): number {
  const v = optionOr(value, fallback);
  if (!within(v, 0, 1))
    throw new PcapError('INVALID_ARGUMENT', `${name} must be in [0, 1], got ${describeValue(v)}`);
  return v;
}

/**
 * True when `value` is a number in `[min, max]`. The type comes first: comparing an object whose
 * conversion throws, or a symbol, throws a `TypeError`, and a bigint compares like a number.
 */
function within(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && value >= min && value <= max;
}

function checkCount(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new PcapError(
      'INVALID_ARGUMENT',
      `${name} must be an integer ${String(min)}..${String(max)}, got ${describeValue(value)}`,
    );
  }
}

function vlanId(name: string, value: number): number {
  checkCount(name, value, 0, 4095);
  return value;
}
