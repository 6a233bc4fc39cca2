import fc from 'fast-check';
import { type Cidr, maskCidr, type Range } from '../../src/index.js';

// A small address universe, so that random rules and random packets actually meet.
const V4_BASES = [0x0a000000, 0x0a010000, 0xc0000200, 0xc6336400, 0xffffff00];
const V6_BASES = [
  [0x20, 0x01, 0x0d, 0xb8],
  [0x20, 0x01, 0x0d, 0xb9],
  [0xfe, 0x80, 0x00, 0x00],
];

/** An IPv4 address near one of a few bases. */
export const v4Address: fc.Arbitrary<number> = fc
  .tuple(fc.constantFrom(...V4_BASES), fc.integer({ min: 0, max: 0xffff }), fc.boolean())
  .map(([base, noise, wide]) => (wide ? (base ^ (noise << 8)) >>> 0 : (base | (noise & 0xff)) >>> 0));

/** An IPv6 address near one of a few bases. */
export const v6Address: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.constantFrom(...V6_BASES), fc.uint8Array({ minLength: 12, maxLength: 12 }), fc.nat(12))
  .map(([base, rest, zeros]) => {
    const out = new Uint8Array(16);
    out.set(base);
    out.set(rest, 4);
    out.fill(0, 4, 4 + zeros);
    return out;
  });

/** An address block (network address, host bits zero) over the small universe. */
export const cidr: fc.Arbitrary<Cidr> = fc.oneof(
  fc
    .tuple(v4Address, fc.integer({ min: 0, max: 32 }))
    .map(([v4, prefix]) => maskCidr({ family: 4, prefix, v4, v6: new Uint8Array(16) })),
  fc
    .tuple(v6Address, fc.integer({ min: 0, max: 128 }))
    .map(([v6, prefix]) => maskCidr({ family: 6, prefix, v4: 0, v6 })),
);

/** A host block of a family. */
export function hostCidr(family: 4 | 6): fc.Arbitrary<Cidr> {
  return family === 4
    ? v4Address.map((v4) => ({ family: 4 as const, prefix: 32, v4, v6: new Uint8Array(16) }))
    : v6Address.map((v6) => ({ family: 6 as const, prefix: 128, v4: 0, v6 }));
}

const PORTS = [0, 22, 53, 80, 443, 1024, 8080, 65535];
/** A port, mostly from a few well-known values. */
export const port: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(...PORTS),
  fc.integer({ min: 0, max: 65535 }),
);

/** A range of two picks of `value`, in order. */
export function rangeOf(value: fc.Arbitrary<number>): fc.Arbitrary<Range> {
  return fc.tuple(value, value).map(([a, b]) => ({ from: Math.min(a, b), to: Math.max(a, b) }));
}

/** A port range. */
export const portRange: fc.Arbitrary<Range> = fc.oneof(
  port.map((p) => ({ from: p, to: p })),
  rangeOf(port),
);
/** A VLAN ID, from a small set so that rules and packets meet. */
export const vlanId: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 10, 100, 4094),
  fc.integer({ min: 1, max: 4094 }),
);
/** A VLAN ID range. */
export const vlanRange: fc.Arbitrary<Range> = fc.oneof(
  vlanId.map((v) => ({ from: v, to: v })),
  rangeOf(vlanId),
);
/** An IP protocol number, mostly TCP, UDP and ICMP. */
export const protocol: fc.Arbitrary<number> = fc.oneof(
  fc.constantFrom(1, 6, 17, 58),
  fc.integer({ min: 0, max: 255 }),
);

/** Any non-empty name, including ones YAML must quote. */
export const name: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('eth1-01', 'eth1-02', 'bond0', 'true', '123', 'null', '- x', 'a: b', '#c', ' sp '),
  fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }),
);

/** Mostly an empty list, else one to `max` items. */
export function maybeList<T>(item: fc.Arbitrary<T>, max = 3): fc.Arbitrary<T[]> {
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant<T[]>([]) },
    { weight: 2, arbitrary: fc.array(item, { minLength: 1, maxLength: max }) },
  );
}
