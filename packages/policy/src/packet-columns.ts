import type { FlowKey } from '@maestro/hash';
import { PolicyError } from './errors.js';
import { BAD_PACKET, packetPoint } from './packet-point.js';
import { POINT_STRIDE, ROOT_WORD } from './point-layout.js';
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
/** The most packets one {@link PacketColumns} holds (its IPv6 columns stay under 256 MiB each). */
const MAX_CAPACITY = 1 << 24;

/**
 * A batch of packets as columns, one typed array per field: the layout a capture decoder or a
 * packet ring fills directly, with no object per packet. Packet `i` is `family[i]` (4 or 6),
 * `protocol[i]`, `portKind[i]` (a `PortKind`, 0..3), `srcPort[i]`, `dstPort[i]`, its IPv4
 * addresses `srcV4[i]` / `dstV4[i]` or its IPv6 addresses in bytes `16 i .. 16 i + 15` of `src6` /
 * `dst6`, the interface id it entered by `iface[i]` (-1: unknown) and its VLAN `vlan[i]` (0:
 * untagged). The column types bound most fields; {@link CompiledPolicy.matchColumns} checks the
 * rest (family, port kind, VLAN 0..4095).
 *
 * @example
 * const batch = new PacketColumns(64);
 * batch.set(0, parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443'), compiled.interfaceIndex('eth1-01'), 0);
 * compiled.matchColumns(batch, out, 1);
 */
export class PacketColumns {
  /** Packets the columns hold. */
  readonly capacity: number;
  /** 4 or 6. */
  readonly family: Uint8Array;
  /** IP protocol number. */
  readonly protocol: Uint8Array;
  /** The flow key's port kind (0..3): whether the ports are real. */
  readonly portKind: Uint8Array;
  /** Source port (0 when the packet has none). */
  readonly srcPort: Uint16Array;
  /** Destination port (0 when the packet has none). */
  readonly dstPort: Uint16Array;
  /** IPv4 source address (IPv4 packets). */
  readonly srcV4: Uint32Array;
  /** IPv4 destination address (IPv4 packets). */
  readonly dstV4: Uint32Array;
  /** IPv6 source addresses, 16 bytes per packet (IPv6 packets). */
  readonly src6: Uint8Array;
  /** IPv6 destination addresses, 16 bytes per packet (IPv6 packets). */
  readonly dst6: Uint8Array;
  /** The bytes of {@link src6} as a `DataView`, to read or write an address a 32-bit word at a time. */
  readonly src6View: DataView;
  /** The bytes of {@link dst6} as a `DataView`. */
  readonly dst6View: DataView;
  /** Interface id the packet entered by (index in the topology; -1 or any id past it: unknown). */
  readonly iface: Int32Array;
  /** VLAN id, 0 for untagged, at most 4095. */
  readonly vlan: Uint16Array;

  /** Columns for `capacity` packets (1 .. 2^24), all zero. */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_CAPACITY) {
      throw new PolicyError(
        'INVALID_PACKET',
        `PacketColumns takes a capacity 1..${MAX_CAPACITY}, got ${String(capacity)}`,
      );
    }
    this.capacity = capacity;
    this.family = new Uint8Array(capacity);
    this.protocol = new Uint8Array(capacity);
    this.portKind = new Uint8Array(capacity);
    this.srcPort = new Uint16Array(capacity);
    this.dstPort = new Uint16Array(capacity);
    this.srcV4 = new Uint32Array(capacity);
    this.dstV4 = new Uint32Array(capacity);
    this.src6 = new Uint8Array(16 * capacity);
    this.dst6 = new Uint8Array(16 * capacity);
    this.src6View = new DataView(this.src6.buffer);
    this.dst6View = new DataView(this.dst6.buffer);
    this.iface = new Int32Array(capacity);
    this.vlan = new Uint16Array(capacity);
  }

  /**
   * Writes packet `i` from a flow key, the interface id it entered by and its VLAN. Throws a
   * `PolicyError` `INVALID_PACKET`, writing nothing, when `i` is not an index of the columns or
   * the packet is one `match` refuses (so no field is silently cut to its column's width).
   */
  set(i: number, key: FlowKey, iface: number, vlan: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.capacity) {
      throw new PolicyError(
        'INVALID_PACKET',
        `PacketColumns.set: index ${String(i)} is not in 0..${this.capacity - 1}`,
      );
    }
    if (packetPoint(key, iface, vlan, 0, CHECK, 0) === BAD_PACKET) {
      throw new PolicyError(
        'INVALID_PACKET',
        `PacketColumns.set: packet ${i} is not a valid flow key with an integer interface id and a VLAN 0..4095`,
      );
    }
    this.family[i] = key.family;
    this.protocol[i] = key.protocol;
    this.portKind[i] = key.portKind;
    this.srcPort[i] = key.srcPort;
    this.dstPort[i] = key.dstPort;
    this.iface[i] = iface;
    this.vlan[i] = vlan;
    if (key.family === 4) {
      this.srcV4[i] = key.srcV4;
      this.dstV4[i] = key.dstV4;
    } else {
      this.src6.set(key.src6, 16 * i);
      this.dst6.set(key.dst6, 16 * i);
    }
  }
}

/** Scratch point for {@link PacketColumns.set}'s checks. */
const CHECK = new Int32Array(16);

/**
 * Writes packets `from .. from+count-1` of `c` as points into `out` (packet `from + l` at
 * `POINT_STRIDE * l`, its family in `families[l]`, the root of its family's tree in its root word),
 * as `packetPoint` does for flow keys. Returns how many it wrote: `count`, or the lane of the first
 * packet whose family is not 4 or 6, port kind not 0..3 or VLAN past 4095. Internal to the package.
 */
export function columnsPoints(
  c: PacketColumns,
  from: number,
  count: number,
  interfaceCount: number,
  out: Int32Array,
  families: Int32Array,
  roots: Int32Array,
): number {
  const family = c.family;
  const portKind = c.portKind;
  const vlans = c.vlan;
  const ifaces = c.iface;
  const protocol = c.protocol;
  const srcPort = c.srcPort;
  const dstPort = c.dstPort;
  const srcV4 = c.srcV4;
  const dstV4 = c.dstV4;
  const root4 = roots[0] as number;
  const root6 = roots[1] as number;
  for (let l = 0; l < count; l++) {
    const i = from + l;
    const at = l * POINT_STRIDE;
    const f = family[i] as number;
    const kind = portKind[i] as number;
    const vlan = vlans[i] as number;
    if (kind > 3 || vlan > 4095 || (f !== 4 && f !== 6)) return l;
    const iface = ifaces[i] as number;
    const known = ((iface - interfaceCount) >> 31) & ~(iface >> 31);
    out[at + F_IFACE] = (iface + 1) & known;
    out[at + F_VLAN] = vlan;
    out[at + F_PROTO] = protocol[i] as number;
    // 0 for PortKind.PORTS, 1 for the three kinds without ports.
    const noPorts = ((kind ^ PORTS_KIND) + 3) >> 2;
    const keep = noPorts - 1;
    out[at + F_SPORT] = ((srcPort[i] as number) & keep) | (NO_PORTS & -noPorts);
    out[at + F_DPORT] = ((dstPort[i] as number) & keep) | (NO_PORTS & -noPorts);
    families[l] = f;
    if (f === 4) {
      out[at + F_SRC] = (srcV4[i] as number) ^ SIGN;
      out[at + F_DST4] = (dstV4[i] as number) ^ SIGN;
      out[at + ROOT_WORD] = root4;
    } else {
      v6Words(c, i, out, at);
      out[at + ROOT_WORD] = root6;
    }
  }
  return count;
}

/** Packet `i`'s IPv6 addresses as the point's words (big-endian, sign-flipped). */
function v6Words(c: PacketColumns, i: number, out: Int32Array, at: number): void {
  const s = c.src6View;
  const d = c.dst6View;
  const b = 16 * i;
  for (let w = 0; w < 4; w++) {
    out[at + F_SRC + w] = s.getInt32(b + 4 * w) ^ SIGN;
    out[at + F_DST6 + w] = d.getInt32(b + 4 * w) ^ SIGN;
  }
}
