import type { Sfc32 } from './prng.js';

/** Protocol mix of generated flows. */
export const FlowProtocol: { readonly TCP: 6; readonly UDP: 17; readonly ICMP: 1 } = {
  TCP: 6,
  UDP: 17,
  ICMP: 1,
};

/** The knobs a flow is drawn with (validated by the generator's options). */
export interface FlowMix {
  readonly ipv6Share: number;
  readonly udpShare: number;
  readonly icmpShare: number;
  readonly natShare: number;
  /** True: a hidden client's replies go to its public address and port (the orchestrator's view). */
  readonly natTranslated: boolean;
  readonly fragmentShare: number;
  readonly icmpErrorShare: number;
}

const SERVER_PORTS_TCP: readonly number[] = [443, 443, 443, 80, 22, 25, 8443, 993];
const SERVER_PORTS_UDP: readonly number[] = [53, 53, 123, 443, 5060, 514];

/** One flow slot of the generator: the state of the connection it is currently playing. */
export class TrafficFlow {
  family: 4 | 6 = 4;
  protocol = 6;
  clientV4 = 0;
  serverV4 = 0;
  readonly client6: Uint8Array = new Uint8Array(16);
  readonly server6: Uint8Array = new Uint8Array(16);
  clientPort = 0;
  serverPort = 0;
  natted = false;
  publicV4 = 0;
  publicPort = 0;
  /** Data packets (or datagrams, or echoes) still to send before closing. */
  remaining = 0;
  /** Position in the connection's script (see the generator). */
  state = 0;
  seqClient = 0;
  seqServer = 0;
  fragmenting = false;
  fragmentsLeft = 0;
  fragmentOffset = 0;
  datagramLength = 0;
  fragmentId = 0;
  fragmentFromClient = true;
  endWithError = false;

  /** Draws a new connection for this slot; `serial` numbers connections for NAT port allocation. */
  restart(rng: Sfc32, mix: FlowMix, serial: number): void {
    const v6 = rng.chance(mix.ipv6Share);
    this.family = v6 ? 6 : 4;
    const kind = rng.next();
    this.protocol =
      kind < mix.icmpShare
        ? FlowProtocol.ICMP
        : kind < mix.icmpShare + mix.udpShare
          ? FlowProtocol.UDP
          : FlowProtocol.TCP;
    const udp = this.protocol === FlowProtocol.UDP;
    const ports = udp ? SERVER_PORTS_UDP : SERVER_PORTS_TCP;
    this.serverPort = ports[rng.below(ports.length)] as number;
    this.clientPort = 32768 + rng.below(28232);
    this.natted = !v6 && rng.chance(mix.natShare);
    // Servers: 512 addresses in 203.0.113.0/24 and 198.51.100.0/24 (popularity comes from the slots).
    const server = rng.below(512);
    this.serverV4 = (server < 256 ? 0xcb007100 : 0xc6336400) + (server & 0xff);
    if (this.natted) {
      // Hidden clients in 10.0.0.0/16 share a pool of 8 public addresses (192.0.2.1-8), port-translated.
      // Seen from the endpoints, a hidden client's replies come to its own private address and port.
      this.clientV4 = 0x0a000000 + rng.below(65536);
      this.publicV4 = mix.natTranslated ? 0xc0000201 + (serial & 7) : this.clientV4;
      this.publicPort = mix.natTranslated ? 1024 + ((serial >>> 3) % 64512) : this.clientPort;
    } else {
      // Public clients in 198.18.0.0/15.
      this.clientV4 = 0xc6120000 + rng.below(131072);
      this.publicV4 = this.clientV4;
      this.publicPort = this.clientPort;
    }
    if (v6) {
      fillV6(this.client6, 0x20010db8, 0x000c0000, rng.nextU32(), rng.nextU32());
      fillV6(this.server6, 0x20010db8, 0x00050000, 0, server);
    }
    this.remaining = heavyTailed(rng);
    this.state = 0;
    this.seqClient = rng.nextU32();
    this.seqServer = rng.nextU32();
    this.fragmenting = udp && rng.chance(mix.fragmentShare);
    this.fragmentsLeft = 0;
    this.endWithError = udp && rng.chance(mix.icmpErrorShare);
  }
}

/** Packets of a connection: Pareto(1.2), 1 to 5000, so that a few flows carry much of the traffic. */
function heavyTailed(rng: Sfc32): number {
  const u = 1 - rng.next();
  return Math.min(5000, Math.floor(2 / u ** (1 / 1.2)));
}

function fillV6(out: Uint8Array, w0: number, w1: number, w2: number, w3: number): void {
  const words = [w0, w1, w2, w3];
  for (let i = 0; i < 4; i++) {
    const w = words[i] as number;
    out[i * 4] = (w >>> 24) & 0xff;
    out[i * 4 + 1] = (w >>> 16) & 0xff;
    out[i * 4 + 2] = (w >>> 8) & 0xff;
    out[i * 4 + 3] = w & 0xff;
  }
}
