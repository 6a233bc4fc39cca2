import { readFastCheckSettings } from './seed.js';

/** Runs once per vitest run, before any worker: draws the seed, prints it, hands it to workers. */
export default function setup(project) {
  const { seed, numRuns } = readFastCheckSettings();
  const runs = numRuns === undefined ? 'default runs' : `${numRuns} runs`;
  // One line, easy to grep in CI logs: the seed is what replays a failure.
  console.log(`[fast-check] seed ${seed} (${runs}); replay with FC_SEED=${seed}`);
  project.provide('fcSeed', seed);
  project.provide('fcNumRuns', numRuns ?? 0);
}
