import type { FlowKey } from '@maestro/hash';

// DataViews the decoder reuses, so that it reads and writes 32-bit words without allocating.

let viewedBytes: Uint8Array = new Uint8Array(0);
let packetView: DataView = new DataView(viewedBytes.buffer);

/** A DataView over `b`, made again only when the readers move to another chunk or buffer. */
export function viewOf(b: Uint8Array): DataView {
  if (b !== viewedBytes) {
    viewedBytes = b;
    packetView = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return packetView;
}

/**
 * Views over the IPv6 address arrays of the keys the decoder fills, so that a 16-byte address
 * moves as four 32-bit words instead of sixteen bytes. Two slots (the outer key and the ICMP-error
 * inner key) are kept; a slot's views are made again only when a different key comes through (a
 * new record), so decoding packet after packet allocates nothing.
 */
interface AddressViews {
  key: FlowKey | null;
  src: DataView;
  dst: DataView;
  /** False when the key's arrays are not 16 bytes each: the byte-wise loop handles those. */
  words: boolean;
}

const NONE = new DataView(new ArrayBuffer(0));
const slots: readonly AddressViews[] = [
  { key: null, src: NONE, dst: NONE, words: false },
  { key: null, src: NONE, dst: NONE, words: false },
];

function viewsOf(key: FlowKey, outer: boolean): AddressViews {
  const views = slots[outer ? 0 : 1] as AddressViews;
  if (views.key !== key) {
    const { src6, dst6 } = key;
    views.key = key;
    views.words = src6.length === 16 && dst6.length === 16;
    views.src = views.words ? new DataView(src6.buffer, src6.byteOffset, 16) : NONE;
    views.dst = views.words ? new DataView(dst6.buffer, dst6.byteOffset, 16) : NONE;
  }
  return views;
}

/** Copies the source and destination addresses of the IPv6 header at `p` of `v` into `key`. */
export function copyAddressesV6(key: FlowKey, v: DataView, p: number, outer: boolean): void {
  const views = viewsOf(key, outer);
  if (views.words) {
    const src = views.src;
    const dst = views.dst;
    src.setUint32(0, v.getUint32(p + 8));
    src.setUint32(4, v.getUint32(p + 12));
    src.setUint32(8, v.getUint32(p + 16));
    src.setUint32(12, v.getUint32(p + 20));
    dst.setUint32(0, v.getUint32(p + 24));
    dst.setUint32(4, v.getUint32(p + 28));
    dst.setUint32(8, v.getUint32(p + 32));
    dst.setUint32(12, v.getUint32(p + 36));
    return;
  }
  for (let i = 0; i < 16; i++) {
    key.src6[i] = v.getUint8(p + 8 + i);
    key.dst6[i] = v.getUint8(p + 24 + i);
  }
}

/** Zeroes the IPv6 addresses of `key` (an IPv4 key keeps them all-zero). */
export function clearAddressesV6(key: FlowKey, outer: boolean): void {
  const views = viewsOf(key, outer);
  if (views.words) {
    const src = views.src;
    const dst = views.dst;
    src.setUint32(0, 0);
    src.setUint32(4, 0);
    src.setUint32(8, 0);
    src.setUint32(12, 0);
    dst.setUint32(0, 0);
    dst.setUint32(4, 0);
    dst.setUint32(8, 0);
    dst.setUint32(12, 0);
    return;
  }
  key.src6.fill(0);
  key.dst6.fill(0);
}
