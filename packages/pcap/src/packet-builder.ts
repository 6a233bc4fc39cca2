/**
 * Header writers for the traffic generator: each writes one header at `p` in network byte order
 * and returns the offset after it. Payload bytes are left as they are (the generator keeps them
 * zero, which is why checksums can be computed over headers alone).
 */

/** Writes an Ethernet header with an optional 802.1Q tag (`vlan` -1 for none). */
export function writeEthernet(
  b: Uint8Array,
  p: number,
  fromClient: boolean,
  vlan: number,
  etherType: number,
): number {
  // Locally administered MACs: 02:00:00:00:00:01 is the client side, :02 the server side.
  b.fill(0, p, p + 12);
  b[p] = 2;
  b[p + 5] = fromClient ? 2 : 1;
  b[p + 6] = 2;
  b[p + 11] = fromClient ? 1 : 2;
  p += 12;
  if (vlan >= 0) {
    b[p] = 0x81;
    b[p + 1] = 0x00;
    b[p + 2] = (vlan >> 8) & 0x0f;
    b[p + 3] = vlan & 0xff;
    p += 4;
  }
  b[p] = etherType >> 8;
  b[p + 1] = etherType & 0xff;
  return p + 2;
}

/** Writes a 20-byte IPv4 header with its checksum; `fragment` is the flags+offset field. */
export function writeIPv4(
  b: Uint8Array,
  p: number,
  src: number,
  dst: number,
  protocol: number,
  totalLength: number,
  id: number,
  fragment: number,
): number {
  b[p] = 0x45;
  b[p + 1] = 0;
  put16(b, p + 2, totalLength);
  put16(b, p + 4, id);
  put16(b, p + 6, fragment);
  b[p + 8] = 64;
  b[p + 9] = protocol;
  put16(b, p + 10, 0);
  put32(b, p + 12, src);
  put32(b, p + 16, dst);
  put16(b, p + 10, ~sum16(b, p, p + 20, 0) & 0xffff);
  return p + 20;
}

/** Writes a 40-byte IPv6 header. */
export function writeIPv6(
  b: Uint8Array,
  p: number,
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  payloadLength: number,
): number {
  b[p] = 0x60;
  b[p + 1] = 0;
  b[p + 2] = 0;
  b[p + 3] = 0;
  put16(b, p + 4, payloadLength);
  b[p + 6] = nextHeader;
  b[p + 7] = 64;
  b.set(src, p + 8);
  b.set(dst, p + 24);
  return p + 40;
}

/** Writes an IPv6 fragment extension header. */
export function writeIPv6Fragment(
  b: Uint8Array,
  p: number,
  next: number,
  offset: number,
  more: boolean,
  id: number,
): number {
  b[p] = next;
  b[p + 1] = 0;
  put16(b, p + 2, (offset & 0xfff8) | (more ? 1 : 0));
  put32(b, p + 4, id);
  return p + 8;
}

/** Writes a 20-byte TCP header (checksum left 0: see {@link finishChecksum}). */
export function writeTcp(
  b: Uint8Array,
  p: number,
  sport: number,
  dport: number,
  seq: number,
  ack: number,
  flags: number,
): number {
  put16(b, p, sport);
  put16(b, p + 2, dport);
  put32(b, p + 4, seq);
  put32(b, p + 8, ack);
  b[p + 12] = 0x50;
  b[p + 13] = flags;
  put16(b, p + 14, 65535);
  put32(b, p + 16, 0);
  return p + 20;
}

/** Writes an 8-byte UDP header (checksum left 0). */
export function writeUdp(b: Uint8Array, p: number, sport: number, dport: number, length: number): number {
  put16(b, p, sport);
  put16(b, p + 2, dport);
  put16(b, p + 4, length);
  put16(b, p + 6, 0);
  return p + 8;
}

/** Writes an 8-byte ICMP/ICMPv6 header: type, code, checksum 0, then `rest` (id and sequence, or unused). */
export function writeIcmp(b: Uint8Array, p: number, type: number, code: number, rest: number): number {
  b[p] = type;
  b[p + 1] = code;
  put16(b, p + 2, 0);
  put32(b, p + 4, rest);
  return p + 8;
}

/**
 * Fills in a TCP/UDP/ICMPv6 checksum at `at` over `[start, end)` plus the pseudo-header of the IP
 * header at `ip` (IPv4 when `v6` is false); ICMPv4 passes `ip` = -1 (no pseudo-header).
 * `length` is the upper-layer length the pseudo-header declares (bytes beyond `end` are zero).
 */
export function finishChecksum(
  b: Uint8Array,
  ip: number,
  v6: boolean,
  protocol: number,
  start: number,
  end: number,
  length: number,
  at: number,
): void {
  let sum = 0;
  if (ip >= 0) {
    sum = v6 ? sum16(b, ip + 8, ip + 40, 0) : sum16(b, ip + 12, ip + 20, 0);
    sum += protocol + (length & 0xffff) + Math.floor(length / 65536);
  }
  sum = sum16(b, start, end, sum);
  let value = ~sum & 0xffff;
  // UDP sends a computed 0 as 0xffff (0 means "no checksum").
  if (value === 0 && protocol === 17) value = 0xffff;
  put16(b, at, value);
}

function sum16(b: Uint8Array, start: number, end: number, sum: number): number {
  let i = start;
  for (; i + 1 < end; i += 2) sum += ((b[i] as number) << 8) | (b[i + 1] as number);
  if (i < end) sum += (b[i] as number) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum;
}

function put16(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 8) & 0xff;
  b[p + 1] = v & 0xff;
}

function put32(b: Uint8Array, p: number, v: number): void {
  b[p] = (v >>> 24) & 0xff;
  b[p + 1] = (v >>> 16) & 0xff;
  b[p + 2] = (v >>> 8) & 0xff;
  b[p + 3] = v & 0xff;
}
