import { HashError } from './errors.js';
import { shown } from './shown.js';

/**
 * A keyed flow hash for hash-flooding resistance: HalfSipHash-1-3 (Aumasson and Bernstein's
 * 32-bit SipHash, the variant the Linux kernel uses as `hsiphash` for exactly this job), with a
 * secret 64-bit key chosen at random per cluster. Without the key, an outsider cannot pick flows
 * that land on one member.
 */
export interface KeyedHasher {
  /** The 8-byte key. */
  readonly key: Uint8Array;
  /** Always 32: every output bit is random. */
  readonly entropyBits: 32;
  /** Always false: the hash depends on direction (distribution canonicalises where it must). */
  readonly symmetric: false;
  /** IPv4 addresses as unsigned 32-bit numbers; ports optional (absent ports hash as 0). */
  v4(src: number, dst: number, srcPort?: number, dstPort?: number): number;
  /** IPv6 addresses as 16 bytes each; ports optional. */
  v6(src: Uint8Array, dst: Uint8Array, srcPort?: number, dstPort?: number): number;
  /** HalfSipHash of any byte string. */
  bytes(data: Uint8Array): number;
}

/** Options of {@link createKeyedHash}. */
export interface KeyedHashOptions {
  /** Compression rounds per word. @default 1 */
  readonly cRounds?: number;
  /** Finalisation rounds. @default 3 */
  readonly dRounds?: number;
}

/** A fresh random 8-byte key from the platform's cryptographic source (Web Crypto). */
export function randomHashKey(): Uint8Array {
  const key = new Uint8Array(8);
  globalThis.crypto.getRandomValues(key);
  return key;
}

/**
 * Creates a HalfSipHash-c-d hasher (default 1-3) with a 64-bit key. `v4` hashes the 12 bytes
 * `LE32(src) ‖ LE32(dst) ‖ LE32(srcPort << 16 | dstPort)`, `v6` the 36 bytes `src ‖ dst ‖
 * LE32(srcPort << 16 | dstPort)`; both equal `bytes()` of that layout.
 *
 * @example
 * const h = createKeyedHash(randomHashKey());
 * h.v4(0x0a000001, 0xc0000207, 1234, 443);
 */
export function createKeyedHash(key: Uint8Array, options: KeyedHashOptions = {}): KeyedHasher {
  if (!(key instanceof Uint8Array) || key.length !== 8) {
    throw new HashError('INVALID_SEED', `a keyed-hash key is 8 bytes, got ${describe(key)}`);
  }
  const cRounds = options.cRounds ?? 1;
  const dRounds = options.dRounds ?? 3;
  for (const [name, rounds] of [
    ['cRounds', cRounds],
    ['dRounds', dRounds],
  ] as const) {
    if (!Number.isInteger(rounds) || rounds < 1 || rounds > 8) {
      throw new HashError('INVALID_SEED', `${name} must be an integer 1..8, got ${shown(rounds)}`);
    }
  }
  const copy = Uint8Array.from(key);
  const k0 = readLE32(copy, 0);
  const k1 = readLE32(copy, 4);

  // Message words are staged in a scratch array and hashed by one function whose state lives in
  // local variables: V8 keeps those in registers, which closure variables would not allow.
  let scratch = new Int32Array(16);
  const hashWords = (count: number, lastBlock: number): number => {
    let v0 = k0;
    let v1 = k1;
    let v2 = 0x6c796765 ^ k0;
    let v3 = 0x74656462 ^ k1;
    // Words 0..count-1, then the length block, then finalisation (which absorbs nothing).
    for (let w = 0; w <= count + 1; w++) {
      const m = w < count ? (scratch[w] as number) : w === count ? lastBlock : 0;
      if (w > count) v2 ^= 0xff;
      v3 ^= m;
      const rounds = w > count ? dRounds : cRounds;
      for (let r = 0; r < rounds; r++) {
        v0 = (v0 + v1) | 0;
        v1 = (v1 << 5) | (v1 >>> 27);
        v1 ^= v0;
        v0 = (v0 << 16) | (v0 >>> 16);
        v2 = (v2 + v3) | 0;
        v3 = (v3 << 8) | (v3 >>> 24);
        v3 ^= v2;
        v0 = (v0 + v3) | 0;
        v3 = (v3 << 7) | (v3 >>> 25);
        v3 ^= v0;
        v2 = (v2 + v1) | 0;
        v1 = (v1 << 13) | (v1 >>> 19);
        v1 ^= v2;
        v2 = (v2 << 16) | (v2 >>> 16);
      }
      v0 ^= m;
    }
    return (v1 ^ v3) >>> 0;
  };

  return {
    key: copy,
    entropyBits: 32,
    symmetric: false,
    v4(src: number, dst: number, srcPort = 0, dstPort = 0): number {
      scratch[0] = src;
      scratch[1] = dst;
      scratch[2] = (srcPort << 16) | dstPort;
      return hashWords(3, 12 << 24);
    },
    v6(src: Uint8Array, dst: Uint8Array, srcPort = 0, dstPort = 0): number {
      if (src.length !== 16 || dst.length !== 16) {
        throw new HashError(
          'INVALID_INPUT_LENGTH',
          `IPv6 addresses are 16 bytes, got ${src.length} and ${dst.length}`,
        );
      }
      for (let i = 0; i < 4; i++) {
        scratch[i] = readLE32(src, i * 4);
        scratch[i + 4] = readLE32(dst, i * 4);
      }
      scratch[8] = (srcPort << 16) | dstPort;
      return hashWords(9, 36 << 24);
    },
    bytes(data: Uint8Array): number {
      const words = data.length >>> 2;
      if (words > scratch.length) scratch = new Int32Array(words);
      for (let i = 0; i < words; i++) scratch[i] = readLE32(data, i * 4);
      let last = (data.length & 0xff) << 24;
      for (let i = words * 4; i < data.length; i++) last |= (data[i] as number) << (8 * (i - words * 4));
      return hashWords(words, last);
    },
  };
}

function readLE32(bytes: Uint8Array, at: number): number {
  return (
    (bytes[at] as number) |
    ((bytes[at + 1] as number) << 8) |
    ((bytes[at + 2] as number) << 16) |
    ((bytes[at + 3] as number) << 24)
  );
}

function describe(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : typeof value;
}
