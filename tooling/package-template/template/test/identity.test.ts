import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { identity } from '../src/index.js';
import { anyValue } from './arbitraries.js';

describe('identity', () => {
  it('should return its argument unchanged', () => {
    fc.assert(fc.property(anyValue, (value) => Object.is(identity(value), value)));
  });

  it('should return 42 for 42', () => {
    expect(identity(42)).toBe(42);
  });
});
