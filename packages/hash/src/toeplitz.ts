import { HashError } from './errors.js';

/** The standard 40-byte RSS key (Microsoft's verification key, the default of most NICs). */
export const MICROSOFT_RSS_KEY: Uint8Array = Uint8Array.from([
  0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2, 0x41, 0x67, 0x25, 0x3d, 0x43, 0xa3, 0x8f, 0xb0, 0xd0, 0xca,
  0x2b, 0xcb, 0xae, 0x7b, 0x30, 0xb4, 0x77, 0xcb, 0x2d, 0xa3, 0x80, 0x30, 0xf2, 0x0c, 0x6a, 0x42, 0xb7, 0x3b,
  0xbe, 0xac, 0x01, 0xfa,
]);

/**
 * `0x6d5a` repeated to 40 bytes: Toeplitz with this key gives a flow and its reverse the same
 * hash. Its outputs have equal 16-bit halves (each a multiple of 65537), so only 16 bits are
 * random: {@link distributionHash} accounts for that; never index a table with it unmixed.
 */
export const SYMMETRIC_RSS_KEY: Uint8Array = Uint8Array.from({ length: 40 }, (_, i) =>
  i % 2 === 0 ? 0x6d : 0x5a,
);

/** The 32 key bits that start at bit `bit` of `key` (MSB of byte 0 is bit 0); zero past the end. */
function keyWindow(key: Uint8Array, bit: number): number {
  const byte = bit >>> 3;
  const shift = bit & 7;
  const b = (i: number): number => key[byte + i] ?? 0;
  const word = ((b(0) << 24) | (b(1) << 16) | (b(2) << 8) | b(3)) >>> 0;
  return shift === 0 ? word : ((word << shift) | (b(4) >>> (8 - shift))) >>> 0;
}

function assertKey(key: Uint8Array, inputLength: number): void {
  if (!(key instanceof Uint8Array)) {
    throw new HashError('INVALID_KEY', 'the Toeplitz key must be a Uint8Array');
  }
  if (key.length < inputLength + 4) {
    throw new HashError(
      'INVALID_KEY',
      `a Toeplitz key must be at least input length + 4 bytes: ${inputLength}-byte input needs ${inputLength + 4}, key has ${key.length}`,
    );
  }
}

/**
 * The Toeplitz (RSS) hash, bit by bit as Microsoft's RSS specification defines it: for every set
 * input bit, from the most significant bit of byte 0, XOR in the 32 key bits that start there.
 * Input is big-endian as on the wire: IPv4 `src ‖ dst [‖ sport ‖ dport]` (8 or 12 bytes), IPv6
 * likewise (32 or 36 bytes). The reference implementation; {@link createToeplitz} is the fast one.
 *
 * @example
 * toeplitz(MICROSOFT_RSS_KEY, Uint8Array.of(66, 9, 149, 187, 161, 142, 100, 80)); // 0x323e8fc2
 */
export function toeplitz(key: Uint8Array, data: Uint8Array): number {
  assertKey(key, data.length);
  let result = 0;
  for (let i = 0; i < data.length; i++) {
    const byte = data[i] as number;
    for (let bit = 0; bit < 8; bit++) {
      if (byte & (0x80 >>> bit)) result ^= keyWindow(key, i * 8 + bit);
    }
  }
  return result >>> 0;
}

/** A table-driven Toeplitz hasher for one key (see {@link createToeplitz}). */
export interface ToeplitzHasher {
  /** The key, copied at creation. */
  readonly key: Uint8Array;
  /** True when the key repeats every 16 bits: the hash is direction-independent, 16 bits of entropy. */
  readonly symmetric: boolean;
  /** Random bits in each output: 16 for a symmetric key, else 32. */
  readonly entropyBits: 16 | 32;
  /** IPv4 addresses as unsigned 32-bit numbers; ports optional (the 8- or 12-byte RSS input). */
  v4(src: number, dst: number, srcPort?: number, dstPort?: number): number;
  /** IPv6 addresses as 16 bytes each; ports optional (the 32- or 36-byte RSS input). */
  v6(src: Uint8Array, dst: Uint8Array, srcPort?: number, dstPort?: number): number;
  /** Any input, big-endian bytes, through the tables (same result as {@link toeplitz}). */
  bytes(data: Uint8Array): number;
}

/**
 * Precomputes one 256-entry table per input byte position, so a hash is one lookup and one XOR
 * per input byte: the fast path (about 12 lookups for an IPv4 4-tuple), equal to
 * {@link toeplitz} on every input.
 *
 * @example
 * const h = createToeplitz(MICROSOFT_RSS_KEY);
 * h.v4(0x420995bb, 0xa18e6450, 2794, 1766); // 0x51ccc178
 */
export function createToeplitz(key: Uint8Array): ToeplitzHasher {
  assertKey(key, 0);
  const copy = Uint8Array.from(key);
  const positions = copy.length - 4;
  // Int32Array, not Uint32Array: entries stay small integers for V8 (a Uint32 above 2^31 would be
  // boxed as a double), which is worth about a third of the IPv4 throughput.
  const T = new Int32Array(Math.max(positions, 36) * 256);
  for (let p = 0; p < positions; p++) {
    const windows = new Int32Array(8);
    for (let bit = 0; bit < 8; bit++) windows[bit] = keyWindow(copy, p * 8 + bit);
    for (let value = 0; value < 256; value++) {
      let h = 0;
      for (let bit = 0; bit < 8; bit++) {
        if (value & (0x80 >>> bit)) h ^= windows[bit] as number;
      }
      T[p * 256 + value] = h;
    }
  }
  let symmetric = true;
  for (let i = 2; i < copy.length; i++) {
    if (copy[i] !== copy[i - 2]) symmetric = false;
  }
  const need = (length: number): void => {
    if (length > positions) assertKey(copy, length);
  };
  need(8);
  const v4Ports = positions >= 12;

  // Input byte position p uses T[p * 256 .. p * 256 + 255]; offsets are written out as constants.
  const v4 = (src: number, dst: number, srcPort?: number, dstPort?: number): number => {
    const h =
      (T[src >>> 24] as number) ^
      (T[256 | ((src >>> 16) & 255)] as number) ^
      (T[512 | ((src >>> 8) & 255)] as number) ^
      (T[768 | (src & 255)] as number) ^
      (T[1024 | (dst >>> 24)] as number) ^
      (T[1280 | ((dst >>> 16) & 255)] as number) ^
      (T[1536 | ((dst >>> 8) & 255)] as number) ^
      (T[1792 | (dst & 255)] as number);
    if (srcPort === undefined) return h >>> 0;
    if (!v4Ports) need(12);
    const dp = dstPort ?? 0;
    return (
      (h ^
        (T[2048 | ((srcPort >>> 8) & 255)] as number) ^
        (T[2304 | (srcPort & 255)] as number) ^
        (T[2560 | ((dp >>> 8) & 255)] as number) ^
        (T[2816 | (dp & 255)] as number)) >>>
      0
    );
  };

  const v6 = (src: Uint8Array, dst: Uint8Array, srcPort?: number, dstPort?: number): number => {
    if (src.length !== 16 || dst.length !== 16) {
      throw new HashError(
        'INVALID_INPUT_LENGTH',
        `IPv6 addresses are 16 bytes, got ${src.length} and ${dst.length}`,
      );
    }
    need(srcPort === undefined ? 32 : 36);
    let h = 0;
    for (let i = 0; i < 16; i++) {
      h ^= (T[(i << 8) | (src[i] as number)] as number) ^ (T[((i + 16) << 8) | (dst[i] as number)] as number);
    }
    if (srcPort === undefined) return h >>> 0;
    const dp = dstPort ?? 0;
    return (
      (h ^
        (T[(32 << 8) | ((srcPort >>> 8) & 255)] as number) ^
        (T[(33 << 8) | (srcPort & 255)] as number) ^
        (T[(34 << 8) | ((dp >>> 8) & 255)] as number) ^
        (T[(35 << 8) | (dp & 255)] as number)) >>>
      0
    );
  };

  const bytes = (data: Uint8Array): number => {
    need(data.length);
    let h = 0;
    for (let i = 0; i < data.length; i++) h ^= T[(i << 8) | (data[i] as number)] as number;
    return h >>> 0;
  };

  return { key: copy, symmetric, entropyBits: symmetric ? 16 : 32, v4, v6, bytes };
}
