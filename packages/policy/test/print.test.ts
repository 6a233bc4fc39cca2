import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parsePolicy, policyToConfig, printPolicy, validatePolicy } from '../src/index.js';
import { policy } from './arbitraries/policies.js';

describe('printPolicy', () => {
  it('should make parse -> print -> parse the identity in YAML', () => {
    fc.assert(
      fc.property(policy(), (p) => {
        const once = parsePolicy('policy.yaml', printPolicy(p));
        expect(once).toStrictEqual(p);
        expect(parsePolicy('again.yaml', printPolicy(once))).toStrictEqual(once);
      }),
    );
  });

  it('should make parse -> print -> parse the identity in JSON', () => {
    fc.assert(
      fc.property(policy(), (p) => {
        const text = printPolicy(p, { format: 'json' });
        expect(parsePolicy('policy.json', text)).toStrictEqual(p);
      }),
    );
  });

  it('should print a fixed point: printing a parsed printout gives the same text', () => {
    fc.assert(
      fc.property(policy(), (p) => {
        const text = printPolicy(p);
        expect(printPolicy(parsePolicy('p.yaml', text))).toBe(text);
      }),
    );
  });

  it('should validate its own config value back into the same policy', () => {
    fc.assert(
      fc.property(policy(), (p) => {
        expect(validatePolicy(policyToConfig(p))).toStrictEqual(p);
      }),
    );
  });
});
