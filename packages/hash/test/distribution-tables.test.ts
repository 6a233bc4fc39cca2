import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createToeplitz, distributionHash, type FlowHasher, SYMMETRIC_RSS_KEY } from '../src/index.js';
import { anyFlow, layer, mode, symmetricKey, toeplitzKey } from './arbitraries.js';

/** The hasher's v4 and v6 alone, as any other FlowHasher: distributionHash cannot use its tables. */
function plain(h: FlowHasher): FlowHasher {
  return { entropyBits: h.entropyBits, v4: h.v4, v6: h.v6 };
}

describe('distribution through a Toeplitz hasher', () => {
  it("should give from a Toeplitz hasher's tables the value its v4 and v6 give, for every mode and layer (IPv4 and IPv6)", () => {
    fc.assert(
      fc.property(
        anyFlow,
        fc.oneof(toeplitzKey, symmetricKey, fc.constant(SYMMETRIC_RSS_KEY)),
        mode,
        layer,
        (key, rssKey, m, l) => {
          const h = createToeplitz(rssKey);
          expect(distributionHash(key, m, l, h)).toBe(distributionHash(key, m, l, plain(h)));
        },
      ),
    );
  });
});
