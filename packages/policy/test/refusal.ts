import { PolicyError } from '../src/index.js';

/** The code of the `PolicyError` that `run` throws, the other thing it throws, or `'accepted'`. */
export function refusal(run: () => unknown): unknown {
  try {
    run();
  } catch (e) {
    return e instanceof PolicyError ? e.code : e;
  }
  return 'accepted';
}
