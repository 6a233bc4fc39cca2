// The one client-server flow the split-connection and stale-claim tests play between members.
import { copyFlowKey, createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import type { Packet } from '../src/index.js';
import { INSIDE, OUTSIDE } from './arbitraries.js';

export const CLIENT: number = INSIDE + 5;
export const SERVER: number = OUTSIDE + 7;

export type Protocol = 'udp' | 'tcp' | 'icmp';

/** The flow's first packet's key (client to server) for `protocol`. */
export function firstKey(protocol: Protocol): FlowKey {
  const key = createFlowKey();
  if (protocol === 'icmp') return setFlowV4(key, IpProtocol.ICMP, CLIENT, SERVER, 77, 77, PortKind.ECHO);
  const p = protocol === 'tcp' ? IpProtocol.TCP : IpProtocol.UDP;
  return setFlowV4(key, p, CLIENT, SERVER, 40000, 53, PortKind.PORTS);
}

/** A 100-byte packet of `key` (a copy) entering interface 0; `tcpFlags` only for TCP. */
export function packet(key: FlowKey, tcpFlags: number): Packet {
  return {
    key: copyFlowKey(key, createFlowKey()),
    ingress: 0,
    ipId: 1,
    moreFragments: false,
    tcpFlags: key.protocol === IpProtocol.TCP ? tcpFlags : 0,
    bytes: 100,
    embedded: null,
    hops: 0,
  };
}
