import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createDistributor,
  createFlowKey,
  createKeyedHash,
  createToeplitz,
  distributionHash,
  type FlowHasher,
  type FlowKey,
  HashError,
  MICROSOFT_RSS_KEY,
  PortKind,
  parseFlow,
  reverseFlowKey,
  SYMMETRIC_RSS_KEY,
  setFlowV4,
  setFlowV6,
} from '../src/index.js';
import { anyFlow, hashKey, layer, mode, sfc32, toeplitzKey } from './arbitraries.js';

const HASHERS: ReadonlyArray<[string, FlowHasher]> = [
  ['toeplitz (Microsoft key)', createToeplitz(MICROSOFT_RSS_KEY)],
  ['toeplitz (symmetric key)', createToeplitz(SYMMETRIC_RSS_KEY)],
  ['halfsiphash-1-3', createKeyedHash(Uint8Array.of(7, 6, 5, 4, 3, 2, 1, 0))],
];

const hasher: fc.Arbitrary<FlowHasher> = fc.oneof(
  toeplitzKey.map((k) => createToeplitz(k)),
  fc.constant(createToeplitz(SYMMETRIC_RSS_KEY)),
  hashKey.map((k) => createKeyedHash(k)),
);

describe('distribution symmetry', () => {
  it('should give a flow and its reverse the same general and five-tuple value (IPv4 and IPv6)', () => {
    fc.assert(
      fc.property(
        anyFlow,
        hasher,
        layer,
        fc.constantFrom('general', 'five-tuple' as const),
        (key, h, l, m) => {
          const reply = reverseFlowKey(key, createFlowKey());
          return distributionHash(key, m, l, h) === distributionHash(reply, m, l, h);
        },
      ),
    );
  });

  it('should give the user value of an outbound packet to the network value of its reply', () => {
    fc.assert(
      fc.property(anyFlow, hasher, layer, (key, h, l) => {
        const reply = reverseFlowKey(key, createFlowKey());
        return distributionHash(key, 'user', l, h) === distributionHash(reply, 'network', l, h);
      }),
    );
  });

  it('should ignore ports in l3 and for non-first fragments', () => {
    fc.assert(
      fc.property(anyFlow, hasher, mode, fc.integer({ min: 1, max: 0xffff }), (key, h, m, p) => {
        const moved = { ...key, src6: key.src6, dst6: key.dst6, srcPort: p, dstPort: p };
        const frag = { ...key, portKind: PortKind.FRAGMENT, srcPort: 0, dstPort: 0 };
        return (
          distributionHash(key, m, 'l3', h) === distributionHash(moved, m, 'l3', h) &&
          distributionHash(frag, m, 'l4', h) === distributionHash(frag, m, 'l3', h)
        );
      }),
    );
  });

  it('should let the protocol change only the five-tuple value', () => {
    const tcp = parseFlow('tcp 10.0.0.1:1000 -> 192.0.2.7:1000');
    const udp = parseFlow('udp 10.0.0.1:1000 -> 192.0.2.7:1000');
    for (const [, h] of HASHERS) {
      expect(distributionHash(tcp, 'general', 'l4', h)).toBe(distributionHash(udp, 'general', 'l4', h));
      expect(distributionHash(tcp, 'five-tuple', 'l4', h)).not.toBe(
        distributionHash(udp, 'five-tuple', 'l4', h),
      );
    }
  });
});

describe('distribution golden values', () => {
  // Pinned: a release that changes one of these moves flows between members on upgrade.
  const flows = ['tcp 10.0.0.1:1234 -> 192.0.2.7:443', 'udp [2001:db8::1]:53 -> [2001:db8::2]:5353'];
  it('should keep every pinned value', () => {
    const got = HASHERS.flatMap(([, h]) =>
      flows.flatMap((f) =>
        (['user', 'network', 'general', 'five-tuple'] as const).map((m) =>
          distributionHash(parseFlow(f), m, 'l4', h),
        ),
      ),
    );
    expect(got.map((v) => v.toString(16).padStart(8, '0'))).toEqual(GOLDEN);
  });
});

/** Chi-square of `counts` against a uniform expectation; returns how many sigmas above df it is. */
function chiSquareSigmas(counts: Uint32Array, samples: number): number {
  const expected = samples / counts.length;
  let chi = 0;
  for (const c of counts) chi += ((c - expected) * (c - expected)) / expected;
  const df = counts.length - 1;
  return (chi - df) / Math.sqrt(2 * df);
}

type FlowSource = (i: number, next: () => number, out: FlowKey) => FlowKey;
type Mode = 'user' | 'network' | 'general' | 'five-tuple';
interface Workload {
  readonly name: string;
  /** The modes whose key varies over this workload (user mode keys on the server and client port only). */
  readonly modes: readonly Mode[];
  /** How many distinct flows the workload has, when it is bounded. */
  readonly distinct?: number;
  readonly flow: FlowSource;
}
const v6 = new Uint8Array(16);
const v6b = new Uint8Array(16);
const ALL: readonly Mode[] = ['user', 'network', 'general', 'five-tuple'];
const WORKLOADS: readonly Workload[] = [
  {
    name: 'random IPv4 flows',
    modes: ALL,
    flow: (_, r, k) => setFlowV4(k, 6, r(), r(), r() & 0xffff, r() & 0xffff, PortKind.PORTS),
  },
  {
    name: 'random IPv6 flows',
    modes: ALL,
    flow: (_, r, k) => {
      const dv = new DataView(v6.buffer);
      const dvb = new DataView(v6b.buffer);
      for (let i = 0; i < 16; i += 4) {
        dv.setUint32(i, r());
        dvb.setUint32(i, r());
      }
      return setFlowV6(k, 17, v6, v6b, r() & 0xffff, r() & 0xffff, PortKind.PORTS);
    },
  },
  {
    name: 'sequential client addresses',
    modes: ['network', 'general', 'five-tuple'],
    flow: (i, _, k) => setFlowV4(k, 6, 0x0a000000 + i, 0xc0000207, 40000, 443, PortKind.PORTS),
  },
  {
    name: 'sequential client ports',
    modes: ['user', 'general', 'five-tuple'],
    distinct: 65536,
    flow: (i, _, k) => setFlowV4(k, 6, 0x0a000001, 0xc0000207, i & 0xffff, 443, PortKind.PORTS),
  },
  {
    name: 'one fixed server',
    modes: ['network', 'general', 'five-tuple'],
    flow: (_, r, k) => setFlowV4(k, 6, r(), 0xc0000207, r() & 0xffff, 443, PortKind.PORTS),
  },
];

describe('distribution uniformity', () => {
  for (const [hasherName, h] of HASHERS) {
    for (const workload of WORKLOADS) {
      for (const size of [65537, 1021, 8]) {
        it(`should spread ${workload.name} evenly over ${size} buckets with ${hasherName}`, () => {
          fc.assert(
            fc.property(fc.integer(), fc.constantFrom(...workload.modes), (seed, m) => {
              const next = sfc32(seed);
              const samples = Math.min(
                workload.distinct ?? Number.POSITIVE_INFINITY,
                Math.max(size * 4, 100_000),
              );
              const counts = new Uint32Array(size);
              const key = createFlowKey();
              for (let i = 0; i < samples; i++) {
                const value = distributionHash(workload.flow(i, next, key), m, 'l4', h);
                const bucket = Math.floor((value * size) / 2 ** 32);
                counts[bucket] = (counts[bucket] as number) + 1;
              }
              // Within 6 sigma of a uniform spread: a real bias fails by hundreds of sigma.
              return chiSquareSigmas(counts, samples) < 6;
            }),
            { numRuns: 1 },
          );
        });
      }
    }
  }
});

describe('distribution bad input', () => {
  it('should reject an unknown mode or layer with a typed error', () => {
    const h = createToeplitz(MICROSOFT_RSS_KEY);
    const key = parseFlow('tcp 10.0.0.1:1 -> 10.0.0.2:2');
    expect(() => distributionHash(key, 'round-robin' as never, 'l4', h)).toThrow(HashError);
    expect(() => createDistributor('general', 'l7' as never, h)).toThrow(/layer must be 'l3' or 'l4'/);
  });
});

// Per hasher (Microsoft Toeplitz, symmetric Toeplitz, HalfSipHash), per flow, modes
// user, network, general, five-tuple.
const GOLDEN: string[] = [
  '6a1da731',
  'e1700775',
  '5c459910',
  '09a6880c',
  '364f3c3f',
  'd4b95146',
  'bf077f2f',
  '314d3725',
  '04182391',
  'fd350143',
  'c6721f4f',
  '61df4bea',
  'b8d61971',
  '1e1a2a88',
  '44116684',
  '385fc789',
  'ddc1ac6f',
  'caf3dcd3',
  '1a0fc6e0',
  'cf4ffad1',
  '613a68ac',
  '0c79e397',
  'f0f356aa',
  'a8fdb4dc',
];
