import { fmix32 } from '@maestro/hash';

/**
 * A map from IP addresses (IPv4 as unsigned 32-bit numbers, IPv6 as 16 bytes) to small
 * non-negative integers, for per-packet paths: open addressing with linear probing over typed
 * arrays, no strings and no per-entry objects (a `Map` keyed by address text costs an allocation
 * per IPv6 lookup). Entries are never removed; the table doubles at half load.
 */
export class AddressMap {
  private v4Keys: Uint32Array;
  /** Value + 1 per slot; 0 marks an empty slot. */
  private v4Values: Int32Array;
  private v4Count = 0;
  private v6Keys: Uint32Array;
  private v6Values: Int32Array;
  private v6Count = 0;

  /**
   * `capacity`: the IPv4 addresses expected (half as many IPv6 ones): the tables start large
   * enough to hold them without doubling on the way up (each doubling rehashes every entry).
   */
  constructor(capacity = 512) {
    const v4 = slotsFor(capacity);
    const v6 = slotsFor(capacity / 2);
    this.v4Keys = new Uint32Array(v4);
    this.v4Values = new Int32Array(v4);
    this.v6Keys = new Uint32Array(4 * v6);
    this.v6Values = new Int32Array(v6);
  }

  /** Entries held. */
  get size(): number {
    return this.v4Count + this.v6Count;
  }

  /** The value of IPv4 `address`, or -1. */
  getV4(address: number): number {
    const keys = this.v4Keys;
    const values = this.v4Values;
    const mask = values.length - 1;
    for (let i = fmix32(address) & mask; ; i = (i + 1) & mask) {
      const v = values[i] as number;
      if (v === 0) return -1;
      if (keys[i] === address) return v - 1;
    }
  }

  /** Sets the value (0 .. 2^31 - 2) of IPv4 `address`. */
  setV4(address: number, value: number): void {
    const keys = this.v4Keys;
    const values = this.v4Values;
    const mask = values.length - 1;
    for (let i = fmix32(address) & mask; ; i = (i + 1) & mask) {
      const v = values[i] as number;
      if (v === 0) {
        keys[i] = address;
        values[i] = value + 1;
        if (++this.v4Count * 2 > values.length) this.growV4();
        return;
      }
      if (keys[i] === address) {
        values[i] = value + 1;
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
    const keys = this.v6Keys;
    const values = this.v6Values;
    const mask = values.length - 1;
    for (let i = mix6(a, b, c, d) & mask; ; i = (i + 1) & mask) {
      const v = values[i] as number;
      if (v === 0) return -1;
      const k = 4 * i;
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) return v - 1;
    }
  }

  /** Sets the value (0 .. 2^31 - 2) of IPv6 `address` (16 bytes). */
  setV6(address: Uint8Array, value: number): void {
    this.putV6(word(address, 0), word(address, 4), word(address, 8), word(address, 12), value + 1);
  }

  private putV6(a: number, b: number, c: number, d: number, stored: number): void {
    const keys = this.v6Keys;
    const values = this.v6Values;
    const mask = values.length - 1;
    for (let i = mix6(a, b, c, d) & mask; ; i = (i + 1) & mask) {
      const v = values[i] as number;
      const k = 4 * i;
      if (v === 0) {
        keys[k] = a;
        keys[k + 1] = b;
        keys[k + 2] = c;
        keys[k + 3] = d;
        values[i] = stored;
        if (++this.v6Count * 2 > values.length) this.growV6();
        return;
      }
      if (keys[k] === a && keys[k + 1] === b && keys[k + 2] === c && keys[k + 3] === d) {
        values[i] = stored;
        return;
      }
    }
  }

  private growV4(): void {
    const keys = this.v4Keys;
    const values = this.v4Values;
    this.v4Keys = new Uint32Array(keys.length * 2);
    this.v4Values = new Int32Array(values.length * 2);
    this.v4Count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      if (v !== 0) this.setV4(keys[i] as number, v - 1);
    }
  }

  private growV6(): void {
    const keys = this.v6Keys;
    const values = this.v6Values;
    this.v6Keys = new Uint32Array(keys.length * 2);
    this.v6Values = new Int32Array(values.length * 2);
    this.v6Count = 0;
    for (let i = 0; i < values.length; i++) {
      const v = values[i] as number;
      const k = 4 * i;
      if (v !== 0)
        this.putV6(keys[k] as number, keys[k + 1] as number, keys[k + 2] as number, keys[k + 3] as number, v);
    }
  }
}

/** A power of two of at least 256 slots that holds `entries` at most half full. */
function slotsFor(entries: number): number {
  let slots = 256;
  while (slots < 2 * entries && slots < 2 ** 26) slots *= 2;
  return slots;
}

function word(bytes: Uint8Array, at: number): number {
  return (
    (((bytes[at] as number) << 24) |
      ((bytes[at + 1] as number) << 16) |
      ((bytes[at + 2] as number) << 8) |
      (bytes[at + 3] as number)) >>>
    0
  );
}

function mix6(a: number, b: number, c: number, d: number): number {
  return fmix32(a ^ fmix32(b ^ fmix32(c ^ fmix32(d))));
}
