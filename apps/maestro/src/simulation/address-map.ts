import { fmix32 } from '@maestro/hash';

/** 32-bit words per IPv6 slot: four of address, the value, three of padding (two slots a line). */
const V6_WORDS = 8;

/**
 * A map from IP addresses (IPv4 as unsigned 32-bit numbers, IPv6 as 16 bytes) to small
 * non-negative integers, for per-packet paths: open addressing with linear probing over typed
 * arrays, no strings and no per-entry objects (a `Map` keyed by address text costs an allocation
 * per IPv6 lookup). A slot holds its key and its value side by side, so that a probe that misses
 * the cache waits for one line, not one for the key and one for the value. Entries are never
 * removed; a table doubles at three quarters (IPv4) or half (IPv6) of its slots in use.
 */
export class AddressMap {
  /** Per slot: the address (as a signed 32-bit word), then value + 1; 0 marks an empty slot. */
  private v4: Int32Array;
  private v4Count = 0;
  /** Per slot ({@link V6_WORDS} words): the address as four big-endian words, then value + 1. */
  private v6: Int32Array;
  private v6Count = 0;

  constructor() {
    this.v4 = new Int32Array(2 * 1024);
    this.v6 = new Int32Array(V6_WORDS * 256);
  }

  /** Entries held. */
  get size(): number {
    return this.v4Count + this.v6Count;
  }

  /** The value of IPv4 `address`, or -1. */
  getV4(address: number): number {
    const slots = this.v4;
    const key = address | 0;
    const mask = (slots.length >>> 1) - 1;
    for (let i = fmix32(address) & mask; ; i = (i + 1) & mask) {
      const v = slots[2 * i + 1] as number;
      if (v === 0) return -1;
      if (slots[2 * i] === key) return v - 1;
    }
  }

  /** Sets the value (0 .. 2^31 - 2) of IPv4 `address`. */
  setV4(address: number, value: number): void {
    const slots = this.v4;
    const key = address | 0;
    const mask = (slots.length >>> 1) - 1;
    for (let i = fmix32(address) & mask; ; i = (i + 1) & mask) {
      const v = slots[2 * i + 1] as number;
      if (v === 0) {
        slots[2 * i] = key;
        slots[2 * i + 1] = value + 1;
        // Three quarters full at most: eight slots share a cache line, so a longer probe rarely
        // waits for another line, and the smaller table misses the cache less often.
        if (++this.v4Count * 8 > 3 * slots.length) this.growV4();
        return;
      }
      if (slots[2 * i] === key) {
        slots[2 * i + 1] = value + 1;
        return;
      }
    }
  }

  /** The value of IPv6 `address` (16 bytes), or -1. */
  getV6(address: Uint8Array): number {
    const a = word(address, 0);
    const b = word(address, 4);
    const c = word(address, 8);
    const d = word(address, 12);
    const slots = this.v6;
    const mask = slots.length / V6_WORDS - 1;
    for (let i = mix6(a, b, c, d) & mask; ; i = (i + 1) & mask) {
      const k = V6_WORDS * i;
      const v = slots[k + 4] as number;
      if (v === 0) return -1;
      if (slots[k] === a && slots[k + 1] === b && slots[k + 2] === c && slots[k + 3] === d) return v - 1;
    }
  }

  /** Sets the value (0 .. 2^31 - 2) of IPv6 `address` (16 bytes). */
  setV6(address: Uint8Array, value: number): void {
    this.putV6(word(address, 0), word(address, 4), word(address, 8), word(address, 12), value + 1);
  }

  private putV6(a: number, b: number, c: number, d: number, stored: number): void {
    const slots = this.v6;
    const mask = slots.length / V6_WORDS - 1;
    for (let i = mix6(a, b, c, d) & mask; ; i = (i + 1) & mask) {
      const k = V6_WORDS * i;
      const v = slots[k + 4] as number;
      if (v === 0) {
        slots[k] = a;
        slots[k + 1] = b;
        slots[k + 2] = c;
        slots[k + 3] = d;
        slots[k + 4] = stored;
        if (++this.v6Count * 2 * V6_WORDS > slots.length) this.growV6();
        return;
      }
      if (slots[k] === a && slots[k + 1] === b && slots[k + 2] === c && slots[k + 3] === d) {
        slots[k + 4] = stored;
        return;
      }
    }
  }

  private growV4(): void {
    const old = this.v4;
    this.v4 = new Int32Array(old.length * 2);
    this.v4Count = 0;
    for (let k = 0; k < old.length; k += 2) {
      const v = old[k + 1] as number;
      if (v !== 0) this.setV4((old[k] as number) >>> 0, v - 1);
    }
  }

  private growV6(): void {
    const old = this.v6;
    this.v6 = new Int32Array(old.length * 2);
    this.v6Count = 0;
    for (let k = 0; k < old.length; k += V6_WORDS) {
      const v = old[k + 4] as number;
      if (v !== 0)
        this.putV6(old[k] as number, old[k + 1] as number, old[k + 2] as number, old[k + 3] as number, v);
    }
  }
}

/** Four bytes of `bytes` from `at`, big-endian, as a signed 32-bit word. */
function word(bytes: Uint8Array, at: number): number {
  return (
    ((bytes[at] as number) << 24) |
    ((bytes[at + 1] as number) << 16) |
    ((bytes[at + 2] as number) << 8) |
    (bytes[at + 3] as number)
  );
}

function mix6(a: number, b: number, c: number, d: number): number {
  return fmix32(a ^ fmix32(b ^ fmix32(c ^ fmix32(d))));
}
