import fc from 'fast-check';
import { createFlowKey, type FlowKey, IpProtocol, PortKind, setFlowV4, setFlowV6 } from '../src/index.js';

export const u32: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff_ffff });
export const port: fc.Arbitrary<number> = fc.integer({ min: 0, max: 0xffff });
export const ipv6Bytes: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 16, maxLength: 16 });

/** A Toeplitz key long enough for every input (IPv6 with ports needs 40 bytes). */
export const toeplitzKey: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 40, maxLength: 52 });

/** Any 16-bit pattern repeated: a symmetric Toeplitz key. */
export const symmetricKey: fc.Arbitrary<Uint8Array> = fc
  .tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }))
  .map(([a, b]) => Uint8Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b)));

export const hashKey: fc.Arbitrary<Uint8Array> = fc.uint8Array({ minLength: 8, maxLength: 8 });

const portKind: fc.Arbitrary<{ protocol: number; kind: PortKind }> = fc.oneof(
  fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP, IpProtocol.SCTP).map((protocol) => ({
    protocol,
    kind: PortKind.PORTS,
  })),
  fc.constantFrom(IpProtocol.ICMP, IpProtocol.ICMPV6).map((protocol) => ({ protocol, kind: PortKind.ECHO })),
  fc.constantFrom(IpProtocol.TCP, IpProtocol.UDP).map((protocol) => ({ protocol, kind: PortKind.FRAGMENT })),
  fc
    .constantFrom(IpProtocol.GRE, IpProtocol.ESP, 0, 255)
    .map((protocol) => ({ protocol, kind: PortKind.NONE })),
);

function withPorts(kind: PortKind, sp: number, dp: number): [number, number] {
  if (kind === PortKind.PORTS) return [sp, dp];
  if (kind === PortKind.ECHO) return [sp, sp];
  return [0, 0];
}

/** Any IPv4 flow key, consistent with its port kind. */
export const flowV4: fc.Arbitrary<FlowKey> = fc
  .tuple(portKind, u32, u32, port, port)
  .map(([{ protocol, kind }, src, dst, sp, dp]) =>
    setFlowV4(createFlowKey(), protocol, src, dst, ...withPorts(kind, sp, dp), kind),
  );

/** Any IPv6 flow key, consistent with its port kind. */
export const flowV6: fc.Arbitrary<FlowKey> = fc
  .tuple(portKind, ipv6Bytes, ipv6Bytes, port, port)
  .map(([{ protocol, kind }, src, dst, sp, dp]) =>
    setFlowV6(createFlowKey(), protocol, src, dst, ...withPorts(kind, sp, dp), kind),
  );

export const anyFlow: fc.Arbitrary<FlowKey> = fc.oneof(flowV4, flowV6);

export const mode: fc.Arbitrary<'user' | 'network' | 'general' | 'five-tuple'> = fc.constantFrom(
  'user',
  'network',
  'general',
  'five-tuple',
);
export const layer: fc.Arbitrary<'l3' | 'l4'> = fc.constantFrom('l3', 'l4');

/** A small seeded generator (sfc32) for bulk inputs in uniformity tests. */
export function sfc32(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed | 0;
  const next = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}
