import fc from 'fast-check';
import { inject } from 'vitest';

const seed = inject('fcSeed');
const numRuns = inject('fcNumRuns');

fc.configureGlobal({
  seed,
  ...(numRuns > 0 ? { numRuns } : {}),
  // Shrinking stays on: a failure should print the smallest counterexample and the seed/path.
  endOnFailure: false,
});
