import { addressWord } from './address-word.js';
import { type BoxSet, BoxSetBuilder } from './box-set.js';
import { type Cidr, cidrContainsV6 } from './cidr.js';
import type { Rule } from './policy.js';
import type { Range } from './range.js';

/** Field of the interface slot: 0 for an unknown interface, `index + 1` for a known one. */
export const F_IFACE = 0;
/** Field of the VLAN ID (0: untagged). */
export const F_VLAN = 1;
/** Field of the IP protocol. */
export const F_PROTO = 2;
/** Field of the source port, {@link NO_PORTS} for keys without ports. */
export const F_SPORT = 3;
/** Field of the destination port. */
export const F_DPORT = 4;
/** First source address field: one for IPv4, four 32-bit words for IPv6. */
export const F_SRC = 5;
/** First destination address field of IPv4 (IPv6 uses {@link F_DST6}). */
export const F_DST4 = 6;
/** First destination address field of IPv6. */
export const F_DST6 = 9;
/** Fields of an IPv4 point. */
export const FIELDS_V4 = 7;
/** Fields of an IPv6 point. */
export const FIELDS_V6 = 13;
/** The port field value of a key without ports: no port condition holds for it. */
export const NO_PORTS = 65536;
/** Addresses are unsigned; flipping the top bit orders them as signed 32-bit field values. */
export const SIGN = 0x8000_0000;

function ranges(list: readonly Range[]): number[] {
  const out: number[] = [];
  for (const r of list) out.push(r.from, r.to);
  return out;
}

/** `[lo, hi]` of an address word covered by a block, as signed field values. */
function wordRange(cidr: Cidr, word: number): [number, number] {
  let value: number;
  if (cidr.family === 4) {
    value = cidr.v4 >>> 0;
  } else {
    value = addressWord(cidr.v6, 4 * word) >>> 0;
  }
  const bits = Math.max(0, Math.min(32, cidr.prefix - 32 * word));
  const mask = bits === 0 ? 0 : (0xffff_ffff << (32 - bits)) >>> 0;
  const lo = (value & mask) >>> 0;
  const hi = (lo | ~mask) >>> 0;
  return [(lo ^ SIGN) | 0, (hi ^ SIGN) | 0];
}

/** The blocks of a list that no other block of the list contains (the union stays the same). */
function outermostV6(list: readonly Cidr[]): Cidr[] {
  const v6 = list.filter((c) => c.family === 6);
  return v6.filter(
    (c, i) =>
      !v6.some(
        (d, j) =>
          j !== i && d.prefix <= c.prefix && cidrContainsV6(d, c.v6) && (d.prefix < c.prefix || j < i),
      ),
  );
}

/**
 * The interface slots a rule names; an empty list means any interface, and a rule naming only
 * interfaces the topology lacks gets `undefined` (it never matches).
 */
function interfaceSlots(rule: Rule, slots: ReadonlyMap<string, readonly number[]>): number[] | undefined {
  const out: number[] = [];
  for (const name of rule.match.interfaces) for (const s of slots.get(name) ?? []) out.push(s, s);
  return rule.match.interfaces.length > 0 && out.length === 0 ? undefined : out;
}

function commonFields(rule: Rule, iface: number[]): number[][] {
  const m = rule.match;
  return [
    iface,
    ranges(m.vlans),
    m.protocols.flatMap((p) => [p, p]),
    ranges(m.sourcePorts),
    ranges(m.destinationPorts),
  ];
}

/**
 * The rules as boxes over IPv4 points (see the F_ constants): one box per rule that can match
 * IPv4 traffic, an address list turned into the ranges of its IPv4 blocks.
 */
export function rulesToBoxesV4(
  rules: readonly Rule[],
  slots: ReadonlyMap<string, readonly number[]>,
): BoxSet {
  const builder = new BoxSetBuilder(FIELDS_V4);
  rules.forEach((rule, i) => {
    const iface = interfaceSlots(rule, slots);
    const { source, destination } = rule.match;
    const src = source.filter((c) => c.family === 4).flatMap((c) => wordRange(c, 0));
    const dst = destination.filter((c) => c.family === 4).flatMap((c) => wordRange(c, 0));
    if (iface === undefined) return;
    if ((source.length > 0 && src.length === 0) || (destination.length > 0 && dst.length === 0)) return;
    builder.add(i, [...commonFields(rule, iface), src, dst]);
  });
  return builder.build();
}

/**
 * The rules as boxes over IPv6 points: a 128-bit block is a box over four 32-bit words, but a
 * union of blocks is not a product of word ranges, so a rule gets one box per pair of its
 * (outermost) source and destination IPv6 blocks.
 */
export function rulesToBoxesV6(
  rules: readonly Rule[],
  slots: ReadonlyMap<string, readonly number[]>,
): BoxSet {
  const builder = new BoxSetBuilder(FIELDS_V6);
  const any: number[][] = [[], [], [], []];
  const words = (c: Cidr): number[][] => [0, 1, 2, 3].map((w) => wordRange(c, w));
  rules.forEach((rule, i) => {
    const iface = interfaceSlots(rule, slots);
    if (iface === undefined) return;
    const { source, destination } = rule.match;
    const src = source.length === 0 ? [any] : outermostV6(source).map(words);
    const dst = destination.length === 0 ? [any] : outermostV6(destination).map(words);
    const common = commonFields(rule, iface);
    for (const s of src) for (const d of dst) builder.add(i, [...common, ...s, ...d]);
  });
  return builder.build();
}
