import fc from 'fast-check';
import type { WritablePacket } from '../src/index.js';
import type { FrameSpec, IpSpec, L4 } from './frame-builder.js';

const port = fc.integer({ min: 0, max: 0xffff });
const v4 = fc.nat({ max: 0xffff_ffff });
const v6 = fc.array(fc.nat({ max: 255 }), { minLength: 16, maxLength: 16 });

const portsL4: fc.Arbitrary<L4> = fc.record({
  kind: fc.constant('ports' as const),
  protocol: fc.constantFrom(6 as const, 17 as const, 132 as const),
  srcPort: port,
  dstPort: port,
  tcpFlags: fc.nat({ max: 255 }),
});
const echoL4: fc.Arbitrary<L4> = fc.record({
  kind: fc.constant('echo' as const),
  id: port,
  reply: fc.boolean(),
});
const otherL4: fc.Arbitrary<L4> = fc.record({
  kind: fc.constant('other' as const),
  protocol: fc.constantFrom(47, 50, 89, 103, 112),
});

function ipSpec(family: 4 | 6, l4: fc.Arbitrary<L4>, fragments: boolean): fc.Arbitrary<IpSpec> {
  return fc.record({
    family: fc.constant(family),
    src: family === 4 ? v4 : v6,
    dst: family === 4 ? v4 : v6,
    options: family === 4 ? fc.nat({ max: 10 }) : fc.constant(0),
    extensions:
      family === 6
        ? fc.array(fc.constantFrom(0 as const, 43 as const, 60 as const), { maxLength: 3 })
        : fc.constant([]),
    trailing: family === 6 ? fc.array(fc.constant(60 as const), { maxLength: 2 }) : fc.constant([]),
    fragment: fragments
      ? fc.option(
          fc.record({
            id: fc.nat({ max: family === 4 ? 0xffff : 0xffff_ffff }),
            // Offset 0 often: first fragments, and atomic ones (offset 0, no more fragments).
            offset: fc.oneof(
              fc.constant(0),
              fc.nat({ max: 8000 }).map((o) => o * 8),
            ),
            more: fc.boolean(),
          }),
        )
      : fc.constant(null),
    l4,
    payload: fc.nat({ max: 64 }),
  });
}

/** An IP packet description: any family, transport, options, extension headers and fragment. */
export const ipArb: fc.Arbitrary<IpSpec> = fc.constantFrom(4 as const, 6 as const).chain((family) => {
  const inner = ipSpec(family, fc.oneof(portsL4, echoL4, otherL4), false);
  const error: fc.Arbitrary<L4> = fc.record({
    kind: fc.constant('error' as const),
    type: family === 4 ? fc.constantFrom(3, 4, 5, 11, 12) : fc.constantFrom(1, 2, 3, 4),
    inner,
  });
  return ipSpec(family, fc.oneof(portsL4, echoL4, otherL4, error), true);
});

/** A frame description: a link type the decoder knows, VLAN tags on Ethernet, an IP packet. */
export const frameArb: fc.Arbitrary<FrameSpec> = ipArb.chain((ip) =>
  fc.record({
    link: fc.constantFrom(
      ...([
        'ethernet',
        'ppp',
        'chdlc',
        'raw',
        'null-le',
        'null-be',
        'loop',
        'sll',
        'sll2',
        ip.family === 4 ? 'ipv4' : 'ipv6',
      ] as const),
    ),
    tags: fc.array(
      fc.record({ tpid: fc.constantFrom(0x8100 as const, 0x88a8 as const), vid: fc.nat({ max: 4095 }) }),
      {
        maxLength: 3,
      },
    ),
    ip: fc.constant(ip),
  }),
);

const tagArb = fc.record({
  tpid: fc.constantFrom(0x8100 as const, 0x88a8 as const),
  vid: fc.nat({ max: 4095 }),
});

/**
 * An Ethernet frame of the kind the decoder's common-frame shortcut takes: at most one VLAN tag,
 * IPv4 without options or IPv6 without extension headers, not a fragment, carrying TCP or UDP.
 */
export const commonFrameArb: fc.Arbitrary<FrameSpec> = fc
  .constantFrom(4 as const, 6 as const)
  .chain((family) =>
    fc.record({
      link: fc.constant('ethernet' as const),
      tags: fc.array(tagArb, { maxLength: 1 }),
      ip: fc.record({
        family: fc.constant(family),
        src: family === 4 ? v4 : v6,
        dst: family === 4 ? v4 : v6,
        options: fc.constant(0),
        extensions: fc.constant([]),
        fragment: fc.constant(null),
        l4: portsL4.filter((l4) => l4.kind === 'ports' && l4.protocol !== 132),
        payload: fc.nat({ max: 64 }),
      }),
    }),
  );

/** Link types worth throwing garbage at: the decodable ones and a few that are not. */
export const linkTypeArb: fc.Arbitrary<number> = fc.constantFrom(
  0,
  1,
  12,
  14,
  101,
  108,
  113,
  228,
  229,
  276,
  105,
  9,
);

/** Packets to write: any bytes (0..300), timestamps at nanosecond precision. */
export const packetsArb: fc.Arbitrary<WritablePacket[]> = fc.array(
  fc
    .record({
      timestampSec: fc.nat({ max: 0xffff_ffff }),
      timestampNs: fc.nat({ max: 999_999_999 }),
      data: fc.uint8Array({ maxLength: 300 }),
      extra: fc.nat({ max: 2000 }),
    })
    .map(({ extra, ...p }) => ({ ...p, originalLength: p.data.length + extra })),
  { maxLength: 30 },
);

/** Writer settings of either format, with several interfaces for pcapng. */
export const writerSettingsArb: fc.Arbitrary<{
  readonly format: 'pcap' | 'pcapng';
  readonly littleEndian: boolean;
  readonly nanoseconds: boolean;
  readonly linkTypes: readonly number[];
}> = fc.record({
  format: fc.constantFrom('pcap' as const, 'pcapng' as const),
  littleEndian: fc.boolean(),
  nanoseconds: fc.boolean(),
  linkTypes: fc.array(fc.constantFrom(1, 101, 113, 276, 0, 147), { minLength: 1, maxLength: 4 }),
});

/** Ways to cut a byte stream into chunks: sizes to cycle through. */
export const chunkingArb: fc.Arbitrary<readonly number[]> = fc.array(fc.integer({ min: 1, max: 700 }), {
  minLength: 1,
  maxLength: 8,
});

/** Byte-level damage: (position as a fraction of the length, new byte). */
export const mutationsArb: fc.Arbitrary<readonly { readonly at: number; readonly value: number }[]> =
  fc.array(
    fc.record({
      at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      value: fc.nat({ max: 255 }),
    }),
    { minLength: 1, maxLength: 8 },
  );

/** Generator settings small enough for property tests. */
export const trafficArb: fc.Arbitrary<{
  readonly seed: number;
  readonly packets: number;
  readonly flows: number;
  readonly ipv6Share: number;
  readonly udpShare: number;
  readonly natShare: number;
  readonly fragmentShare: number;
}> = fc.record({
  seed: fc.nat(),
  packets: fc.integer({ min: 1, max: 400 }),
  flows: fc.integer({ min: 1, max: 50 }),
  ipv6Share: fc.double({ min: 0, max: 1, noNaN: true }),
  udpShare: fc.double({ min: 0, max: 0.9, noNaN: true }),
  natShare: fc.double({ min: 0, max: 1, noNaN: true }),
  fragmentShare: fc.double({ min: 0, max: 1, noNaN: true }),
});

/** What an on/off option may be given: the three values it takes, look-alikes, and anything. */
export const onOff: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(true, false, undefined),
  fc.constantFrom('yes', 'no', 'true', 'false', 1, 0, null, [], {}, new Boolean(false)),
  fc.anything(),
);
