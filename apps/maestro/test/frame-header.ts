/**
 * Writes the Ethernet + 802.1Q + IPv4 headers of a test frame into `b` (bytes 0..37), as
 * `maestro gen` lays them out: VLAN 100 for the client's direction, 200 for the server's, an IPv4
 * header of 20 bytes with TTL 64 and no checksum. The transport header starts at byte 38.
 */
export function writeVlanIpv4Header(
  b: Uint8Array,
  fromClient: boolean,
  protocol: number,
  src: number,
  dst: number,
  ipLength: number,
): DataView {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  b.set([2, 0, 0, 0, 0, fromClient ? 2 : 1, 2, 0, 0, 0, 0, fromClient ? 1 : 2], 0);
  v.setUint16(12, 0x8100);
  v.setUint16(14, fromClient ? 100 : 200);
  v.setUint16(16, 0x0800);
  b[18] = 0x45;
  v.setUint16(20, ipLength);
  b[26] = 64;
  b[27] = protocol;
  v.setUint32(30, src);
  v.setUint32(34, dst);
  return v;
}
