import fc from 'fast-check';

/** Any JSON-like value: the input domain of `identity`. */
export const anyValue: fc.Arbitrary<unknown> = fc.jsonValue();
