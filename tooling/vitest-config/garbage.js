import fc from 'fast-check';
import { expect } from 'vitest';

/**
 * A function that runs its argument and returns the `code` of the error of class `ErrorClass` it
 * throws, or undefined when it returns; anything else thrown fails the test.
 */
export function refusalOf(ErrorClass) {
  return (run) => {
    try {
      run();
      return undefined;
    } catch (error) {
      expect(error).toBeInstanceOf(ErrorClass);
      return error.code;
    }
  };
}

/** Any number: the edges of `min..max` and just past them, halves, -0, NaN, infinity, integers near, doubles. */
export function numbersAround(min, max) {
  return fc.oneof(
    fc.constantFrom(
      min - 1,
      min,
      max,
      max + 1,
      min + 0.5,
      max - 0.5,
      -0,
      Number.NaN,
      Number.POSITIVE_INFINITY,
    ),
    fc.integer({ min: Math.floor(min) - 10, max: Math.ceil(max) + 10 }),
    fc.double(),
  );
}

/** {@link numbersAround}, and values that are not numbers at all. */
export function numberAround(min, max) {
  return fc.oneof(
    numbersAround(min, max),
    fc.anything().filter((v) => typeof v !== 'number'),
  );
}

/**
 * Values whose conversion to a number throws: a symbol, a bigint, an object with no `valueOf` or
 * `toString`, one whose `valueOf` throws.
 */
export const unconvertible = fc.constantFrom(Symbol('field'), BigInt(6), Object.create(null), {
  valueOf() {
    throw new Error('valueOf');
  },
});

/** An object each of whose `fields` throws when read. */
export function throwingFields(fields) {
  const fail = () => {
    throw new Error('getter');
  };
  return Object.defineProperties({}, Object.fromEntries(fields.map((f) => [f, { get: fail }])));
}
