import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import type { CorrectionConfig, Packet } from '../src/index.js';

// A one-interface group for example tests: general mode, every packet distributed to `pick`.

const ifaces = [{ id: 0, mode: 'general', layer: 'l4' }] as const;

/** A config of `members` members on one general-mode interface, distributing every key to `pick`. */
export function exampleConfig(
  members: number,
  extra: Partial<CorrectionConfig> = {},
  pick = 0,
): CorrectionConfig {
  return { members, interfaces: ifaces, distribute: () => pick, route: () => 0, ...extra };
}

/** A TCP packet from `src`:`sport` to 192.0.2.1:80 on interface 0, a bare SYN unless `flags` say otherwise. */
export function exampleSyn(src: number, sport: number, flags: number = TcpFlag.SYN): Packet {
  return {
    key: setFlowV4(createFlowKey(), IpProtocol.TCP, src, 0xc0000201, sport, 80, PortKind.PORTS),
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags: flags,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}
