import type { FlowKey } from '@maestro/hash';
import {
  F_DPORT,
  F_DST4,
  F_DST6,
  F_IFACE,
  F_PROTO,
  F_SPORT,
  F_SRC,
  F_VLAN,
  NO_PORTS,
  SIGN,
} from './rule-boxes.js';

const PORTS_KIND = 1;

/**
 * Writes a packet's field values into `out` (see the F_ constants; at least 13 ints) and returns
 * its family, 4 or 6. `interfaceCount` is the topology's; ids outside it count as unknown. No
 * allocation.
 */
export function packetPoint(
  key: FlowKey,
  iface: number,
  vlan: number,
  interfaceCount: number,
  out: Int32Array,
): 4 | 6 {
  const slot = iface + 1;
  out[F_IFACE] = slot === (slot | 0) && slot >= 0 && slot <= interfaceCount ? slot : 0;
  const vv = vlan | 0;
  out[F_VLAN] = vv >= 0 && vv < 4096 ? vv : 0;
  out[F_PROTO] = key.protocol & 255;
  const ports = key.portKind === PORTS_KIND;
  out[F_SPORT] = ports ? key.srcPort & 0xffff : NO_PORTS;
  out[F_DPORT] = ports ? key.dstPort & 0xffff : NO_PORTS;
  if (key.family !== 6) {
    out[F_SRC] = key.srcV4 ^ SIGN;
    out[F_DST4] = key.dstV4 ^ SIGN;
    return 4;
  }
  const s = key.src6;
  const d = key.dst6;
  for (let w = 0; w < 4; w++) {
    const i = 4 * w;
    out[F_SRC + w] =
      (((s[i] as number) << 24) |
        ((s[i + 1] as number) << 16) |
        ((s[i + 2] as number) << 8) |
        (s[i + 3] as number)) ^
      SIGN;
    out[F_DST6 + w] =
      (((d[i] as number) << 24) |
        ((d[i + 1] as number) << 16) |
        ((d[i + 2] as number) << 8) |
        (d[i + 3] as number)) ^
      SIGN;
  }
  return 6;
}
