import type fc from 'fast-check';

/**
 * A function that runs its argument and returns the `code` of the error of class `ErrorClass` it
 * throws, or undefined when it returns; anything else thrown fails the test.
 */
export declare function refusalOf(
  ErrorClass: abstract new (...args: never[]) => Error & { readonly code: string },
): (run: () => unknown) => string | undefined;

/** Any number: the edges of `min..max` and just past them, halves, -0, NaN, infinity, integers near, doubles. */
export declare function numbersAround(min: number, max: number): fc.Arbitrary<number>;

/** {@link numbersAround}, and values that are not numbers at all. */
export declare function numberAround(min: number, max: number): fc.Arbitrary<unknown>;

/**
 * Values whose conversion to a number throws: a symbol, a bigint, an object with no `valueOf` or
 * `toString`, one whose `valueOf` throws.
 */
export declare const unconvertible: fc.Arbitrary<unknown>;

/** An object each of whose `fields` throws when read. */
export declare function throwingFields(fields: readonly string[]): object;
