import { type FlowKey, fmix32, isFlowKeyObject, type PortKind } from '@maestro/hash';
import { FlowTableError, shown } from './errors.js';
import { hash4, mixWord } from './mix.js';
import type { RecordPool } from './record-pool.js';

/** Bits of a stored key's fourth word: protocol (8), port kind (2), IPv6 (1) identify the flow. */
export const KEY_MASK = 0x7ff;
/** Set when the stored key is the reverse of the direction it was inserted in. */
export const SWAPPED_BIT = 0x800;
const V6_BIT = 0x400;

/**
 * A flow key in the table's stored form: four words (IPv4 src, dst, ports, meta; for IPv6 the
 * first word is a record in the address pool and the second the full hash), put in canonical
 * endpoint order when the table is direction-independent. One instance per table, refilled per
 * call. Internal to the package.
 */
export class QueryKey {
  w0 = 0;
  w1 = 0;
  w2 = 0;
  w3 = 0;
  hash = 0;
  swapped = 0;
  v6 = false;
  /** IPv6 source words 0..3 and destination words 4..7, big-endian. */
  readonly addr: Uint32Array = new Uint32Array(8);

  /** Validates and loads `key`; throws a {@link FlowTableError} for a field out of range. */
  load(key: FlowKey, symmetric: boolean, seed: number): void {
    if (typeof key !== 'object' || key === null) {
      throw new FlowTableError('INVALID_KEY', `a flow key must be an object, got ${shown(key)}`);
    }
    const protocol = key.protocol;
    const sp0 = key.srcPort;
    const dp0 = key.dstPort;
    const kind = key.portKind;
    if (
      (protocol & 0xff) !== protocol ||
      (sp0 & 0xffff) !== sp0 ||
      (dp0 & 0xffff) !== dp0 ||
      (kind & 3) !== kind
    ) {
      throw invalidKey(key);
    }
    let sp = sp0;
    let dp = dp0;
    if (key.family === 4) {
      let s = key.srcV4;
      let d = key.dstV4;
      if (s >>> 0 !== s || d >>> 0 !== d) throw invalidKey(key);
      let swapped = 0;
      if (symmetric && (s > d || (s === d && sp > dp))) {
        const t = s;
        s = d;
        d = t;
        sp = dp0;
        dp = sp0;
        swapped = 1;
      }
      this.v6 = false;
      this.swapped = swapped;
      this.w0 = s;
      this.w1 = d;
      this.w2 = ((sp << 16) | dp) >>> 0;
      this.w3 = protocol | (kind << 8);
      this.hash = hash4(seed, s, d, this.w2, this.w3);
      return;
    }
    if (
      key.family !== 6 ||
      !(key.src6 instanceof Uint8Array) ||
      !(key.dst6 instanceof Uint8Array) ||
      key.src6.length !== 16 ||
      key.dst6.length !== 16
    ) {
      throw invalidKey(key);
    }
    const a = this.addr;
    const src = key.src6;
    const dst = key.dst6;
    for (let i = 0; i < 4; i++) {
      const o = i * 4;
      a[i] =
        (((src[o] as number) << 24) |
          ((src[o + 1] as number) << 16) |
          ((src[o + 2] as number) << 8) |
          (src[o + 3] as number)) >>>
        0;
      a[i + 4] =
        (((dst[o] as number) << 24) |
          ((dst[o + 1] as number) << 16) |
          ((dst[o + 2] as number) << 8) |
          (dst[o + 3] as number)) >>>
        0;
    }
    let swapped = 0;
    if (symmetric) {
      let order = 0;
      for (let i = 0; i < 4 && order === 0; i++) order = (a[i] as number) - (a[i + 4] as number);
      if (order > 0 || (order === 0 && sp > dp)) {
        for (let i = 0; i < 4; i++) {
          const t = a[i] as number;
          a[i] = a[i + 4] as number;
          a[i + 4] = t;
        }
        sp = dp0;
        dp = sp0;
        swapped = 1;
      }
    }
    this.v6 = true;
    this.swapped = swapped;
    this.w2 = ((sp << 16) | dp) >>> 0;
    this.w3 = protocol | (kind << 8) | V6_BIT;
    let h = seed;
    for (let i = 0; i < 8; i++) h = mixWord(h, a[i] as number);
    this.hash = fmix32(mixWord(mixWord(h, this.w2), this.w3));
    this.w0 = 0;
    this.w1 = this.hash;
  }

  /** True when `other` holds the same key as this one (in the same stored form). */
  sameKey(other: QueryKey): boolean {
    if (this.w1 !== other.w1 || this.w2 !== other.w2 || this.w3 !== other.w3 || this.w0 !== other.w0) {
      return false;
    }
    if (!this.v6) return true;
    const a = this.addr;
    const b = other.addr;
    for (let i = 0; i < 8; i++) if (a[i] !== b[i]) return false;
    return true;
  }

  /** True when the stored key at `arr[base..base+3]` is this key (in either stored orientation). */
  matches(arr: Uint32Array, base: number, pool: RecordPool): boolean {
    if (
      arr[base + 1] !== this.w1 ||
      arr[base + 2] !== this.w2 ||
      ((arr[base + 3] as number) & KEY_MASK) !== this.w3
    ) {
      return false;
    }
    if (!this.v6) return arr[base] === this.w0;
    const words = pool.words;
    const p = (arr[base] as number) * 8;
    const a = this.addr;
    for (let i = 0; i < 8; i++) if (words[p + i] !== a[i]) return false;
    return true;
  }

  /** Writes this key at `arr[base..base+3]`, keeping the non-key bits of the fourth word. */
  store(arr: Uint32Array, base: number, pool: RecordPool, extraBits: number): void {
    if (this.v6) {
      const rec = pool.alloc();
      pool.words.set(this.addr, rec * 8);
      arr[base] = rec;
    } else {
      arr[base] = this.w0;
    }
    arr[base + 1] = this.w1;
    arr[base + 2] = this.w2;
    arr[base + 3] = (this.w3 | (this.swapped === 1 ? SWAPPED_BIT : 0) | extraBits) >>> 0;
  }
}

/** Words per IPv4 key that {@link load4} writes: src, dst, ports, meta, hash, swapped. */
export const LOADED4_WORDS = 6;

/**
 * {@link QueryKey.load} for an IPv4 key, into `out[at .. at + 5]` (src, dst, ports, meta, hash,
 * swapped: see {@link LOADED4_WORDS}) as signed 32-bit words instead of object fields, so that
 * an insertion passes them to its probes as small integers (an unsigned word of 2³¹ or more is a
 * heap number in V8 once it leaves a function); returns false, writing nothing, for anything else
 * (an IPv6 key or garbage, which {@link QueryKey.load} then takes or rejects). Internal to the package.
 */
export function load4(key: FlowKey, symmetric: boolean, seed: number, out: Int32Array, at: number): boolean {
  if (typeof key !== 'object' || key === null || key.family !== 4) return false;
  const protocol = key.protocol;
  const sp = key.srcPort;
  const dp = key.dstPort;
  const kind = key.portKind;
  let s = key.srcV4;
  let d = key.dstV4;
  if (
    (protocol & 0xff) !== protocol ||
    (sp & 0xffff) !== sp ||
    (dp & 0xffff) !== dp ||
    (kind & 3) !== kind ||
    s >>> 0 !== s ||
    d >>> 0 !== d
  ) {
    return false;
  }
  let ports = ((sp << 16) | dp) >>> 0;
  let swapped = 0;
  if (symmetric && (s > d || (s === d && sp > dp))) {
    const t = s;
    s = d;
    d = t;
    ports = ((dp << 16) | sp) >>> 0;
    swapped = 1;
  }
  const meta = protocol | (kind << 8);
  out[at] = s;
  out[at + 1] = d;
  out[at + 2] = ports;
  out[at + 3] = meta;
  out[at + 4] = hash4(seed, s, d, ports, meta);
  out[at + 5] = swapped;
  return true;
}

/** The hash of a stored key (the same value {@link QueryKey.load} computes for it). */
export function storedHash(arr: Uint32Array, base: number, seed: number): number {
  const meta = (arr[base + 3] as number) & KEY_MASK;
  if ((meta & V6_BIT) !== 0) return arr[base + 1] as number;
  return hash4(seed, arr[base] as number, arr[base + 1] as number, arr[base + 2] as number, meta);
}

/** True when the stored key is IPv6 (its first word is a record of the address pool). */
export function storedIsV6(arr: Uint32Array, base: number): boolean {
  return ((arr[base + 3] as number) & V6_BIT) !== 0;
}

/**
 * Throws `INVALID_KEY` unless `out` is a flow key object (`isFlowKeyObject`), which a key read
 * from the table is written into. Internal to the package.
 */
export function checkKeyOut(out: FlowKey): void {
  if (!isFlowKeyObject(out)) {
    throw new FlowTableError(
      'INVALID_KEY',
      `a key is written into a flow key object (createFlowKey()), got ${shown(out)}`,
    );
  }
}

/** Rebuilds the flow key stored at `arr[base..]` into `out`, in the direction it was inserted. */
export function readStoredKey(arr: Uint32Array, base: number, pool: RecordPool, out: FlowKey): FlowKey {
  const meta = arr[base + 3] as number;
  const swapped = (meta & SWAPPED_BIT) !== 0;
  const ports = arr[base + 2] as number;
  const p1 = ports >>> 16;
  const p2 = ports & 0xffff;
  out.protocol = meta & 0xff;
  out.portKind = ((meta >>> 8) & 3) as PortKind;
  out.srcPort = swapped ? p2 : p1;
  out.dstPort = swapped ? p1 : p2;
  if ((meta & V6_BIT) === 0) {
    const a = arr[base] as number;
    const b = arr[base + 1] as number;
    out.family = 4;
    out.srcV4 = swapped ? b : a;
    out.dstV4 = swapped ? a : b;
    out.src6.fill(0);
    out.dst6.fill(0);
    return out;
  }
  out.family = 6;
  out.srcV4 = 0;
  out.dstV4 = 0;
  const words = pool.words;
  const p = (arr[base] as number) * 8;
  const first = swapped ? out.dst6 : out.src6;
  const second = swapped ? out.src6 : out.dst6;
  for (let i = 0; i < 4; i++) {
    writeWord(first, i * 4, words[p + i] as number);
    writeWord(second, i * 4, words[p + 4 + i] as number);
  }
  return out;
}

function writeWord(bytes: Uint8Array, at: number, word: number): void {
  bytes[at] = word >>> 24;
  bytes[at + 1] = (word >>> 16) & 0xff;
  bytes[at + 2] = (word >>> 8) & 0xff;
  bytes[at + 3] = word & 0xff;
}

function invalidKey(key: FlowKey): FlowTableError {
  return new FlowTableError(
    'INVALID_KEY',
    `flow key out of range (family 4|6, protocol 0..255, ports 0..65535, port kind 0..3, IPv4 u32, IPv6 16 bytes): ` +
      `family ${shown(key.family)}, protocol ${shown(key.protocol)}, ports ${shown(key.srcPort)}/${shown(key.dstPort)}, kind ${shown(key.portKind)}`,
  );
}
