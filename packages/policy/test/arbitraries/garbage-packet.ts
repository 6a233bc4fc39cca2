import { throwingFields, unconvertible } from '@maestro/vitest-config/garbage';
import fc from 'fast-check';
import { packet } from './packets.js';

/** A packet as outside data may hand it over: any of its parts may be anything. */
export interface UncheckedPacket {
  readonly key: unknown;
  readonly iface: unknown;
  readonly vlan: unknown;
}

/** Values that are not integers, among them some whose conversion to a number throws. */
const notInteger = fc.oneof(
  fc.constantFrom<unknown>(0.5, -0.5, Number.NaN, Number.POSITIVE_INFINITY, '1', null, undefined),
  unconvertible,
);

/**
 * A valid packet with one part broken: the key not an object, a key field out of range or of the
 * wrong type, an IPv6 address that is not 16 bytes, a non-integer interface id, a VLAN outside
 * 0..4095, a value whose conversion to a number throws, a key whose fields throw when read. Every
 * one of them must be refused.
 */
export const garbagePacket: fc.Arbitrary<UncheckedPacket> = fc
  .tuple(
    packet,
    fc.oneof(
      fc.record({
        part: fc.constant('key' as const),
        value: fc.constantFrom<unknown>(
          null,
          undefined,
          42,
          'tcp',
          [],
          Symbol('key'),
          throwingFields(['family', 'protocol', 'portKind', 'srcPort', 'dstPort', 'srcV4', 'dstV4']),
        ),
      }),
      fc.record({ part: fc.constant('family' as const), value: fc.constantFrom(0, 5, '4', null) }),
      fc.record({
        part: fc.constant('protocol' as const),
        value: fc.oneof(fc.constantFrom(256, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('srcPort' as const),
        value: fc.oneof(fc.constantFrom(65536, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('dstPort' as const),
        value: fc.oneof(fc.constantFrom(65536, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('portKind' as const),
        value: fc.oneof(fc.constantFrom(4, -1), notInteger),
      }),
      fc.record({
        part: fc.constant('address' as const),
        value: fc.oneof(fc.constantFrom(-1, 2 ** 32), notInteger),
      }),
      fc.record({
        part: fc.constant('bytes' as const),
        value: fc.constantFrom(
          new Uint8Array(15),
          new Uint8Array(17),
          Array.from({ length: 16 }, () => 1),
          null,
        ),
      }),
      fc.record({
        part: fc.constant('iface' as const),
        value: fc.oneof(fc.constantFrom(2 ** 31, -(2 ** 31) - 1), notInteger),
      }),
      fc.record({
        part: fc.constant('vlan' as const),
        value: fc.oneof(fc.constantFrom(-1, 4096, 65535), notInteger),
      }),
    ),
    fc.boolean(),
  )
  .map(([p, { part, value }, second]): UncheckedPacket => {
    if (part === 'key') return { key: value, iface: p.iface, vlan: p.vlan };
    if (part === 'iface') return { key: p.key, iface: value, vlan: p.vlan };
    if (part === 'vlan') return { key: p.key, iface: p.iface, vlan: value };
    const key: Record<string, unknown> & { family?: unknown } = { ...p.key };
    if (part === 'address')
      key[p.key.family === 4 ? (second ? 'srcV4' : 'dstV4') : 'family'] = p.key.family === 4 ? value : 5;
    else if (part === 'bytes') {
      key.family = 6;
      key[second ? 'src6' : 'dst6'] = value;
    } else key[part] = value;
    return { key, iface: p.iface, vlan: p.vlan };
  });
