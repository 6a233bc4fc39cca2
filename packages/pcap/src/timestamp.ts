import type { PacketRecord } from './packet-record.js';

/**
 * Sets a classic pcap record's time from its seconds and fraction (`scale` 1000 for microseconds,
 * 1 for nanoseconds). A fraction of a whole second or more, which no writer should produce, is
 * carried into the seconds, so `timestampNs` stays 0..999 999 999 and the record can be written back.
 */
export function setClassicTimestamp(
  out: PacketRecord,
  seconds: number,
  fraction: number,
  scale: number,
): void {
  const ns = fraction * scale;
  if (ns < 1e9) {
    out.timestampSec = seconds;
    out.timestampNs = ns;
  } else {
    out.timestampSec = seconds + Math.floor(ns / 1e9);
    out.timestampNs = ns % 1e9;
  }
}

/**
 * Converts a pcapng 64-bit timestamp (`hi`, `lo` halves) in units of `if_tsresol` into whole
 * seconds and nanoseconds on `out`, exactly for every resolution; decimal resolutions down to
 * nanoseconds (the common ones) without allocating (no BigInt on the hot path).
 *
 * `tsresol` is the raw option byte: bit 7 clear means 10^-n seconds, set means 2^-n seconds.
 */
export function setUnitsTimestamp(
  hi: number,
  lo: number,
  tsresol: number,
  tsoffset: number,
  out: PacketRecord,
): void {
  const exponent = tsresol & 0x7f;
  if ((tsresol & 0x80) === 0 && exponent <= 9) {
    const divisor = POW10[exponent] as number;
    // Long division of the 64-bit value by 16-bit limbs: every intermediate stays below 2^46.
    let r = 0;
    let t = r * 65536 + (hi >>> 16);
    const q3 = Math.floor(t / divisor);
    r = t - q3 * divisor;
    t = r * 65536 + (hi & 0xffff);
    const q2 = Math.floor(t / divisor);
    r = t - q2 * divisor;
    t = r * 65536 + (lo >>> 16);
    const q1 = Math.floor(t / divisor);
    r = t - q1 * divisor;
    t = r * 65536 + (lo & 0xffff);
    const q0 = Math.floor(t / divisor);
    r = t - q0 * divisor;
    out.timestampSec = ((q3 * 65536 + q2) * 65536 + q1) * 65536 + q0 + tsoffset;
    out.timestampNs = r * (POW10[9 - exponent] as number);
    return;
  }
  // Rare resolutions (finer than 1 ns, or binary): exact in BigInt. A double holds only 53 bits
  // of the 64-bit count, which cost up to hundreds of nanoseconds at today's dates (2^-30 s or
  // picosecond units), while seconds and whole nanoseconds each fit a number exactly.
  const units = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0);
  const perSecond = (tsresol & 0x80) === 0 ? 10n ** BigInt(exponent) : 1n << BigInt(exponent);
  out.timestampSec = Number(units / perSecond) + tsoffset;
  out.timestampNs = Number(((units % perSecond) * 1_000_000_000n) / perSecond);
}

const POW10: readonly number[] = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9];

/**
 * Splits seconds + nanoseconds into the two 32-bit halves of a count of 10^-`exponent` second
 * units (the inverse of {@link setUnitsTimestamp} for decimal resolutions), into `out[0]` (high)
 * and `out[1]` (low).
 */
export function unitsFromTimestamp(
  seconds: number,
  nanoseconds: number,
  exponent: number,
  out: Uint32Array,
): void {
  const perSecond = POW10[exponent] as number;
  const fraction = Math.floor(nanoseconds / (POW10[9 - exponent] as number));
  // seconds * perSecond may exceed 2^53: multiply by 16-bit limbs of `seconds`.
  const sHi = Math.floor(seconds / 65536);
  const sLo = seconds - sHi * 65536;
  const low = sLo * perSecond + fraction; // < 2^16 * 1e9 + 1e9 < 2^47
  const high = sHi * perSecond; // to be shifted left by 16 bits
  const lowPart = low % 65536;
  const carry = Math.floor(low / 65536) + high; // units = carry * 65536 + lowPart
  const carryLo = carry % 65536;
  const upper = Math.floor(carry / 65536);
  out[0] = upper >>> 0;
  out[1] = (carryLo * 65536 + lowPart) >>> 0;
}
