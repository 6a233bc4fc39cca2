/**
 * Reads the fast-check settings from the environment. `FC_SEED` replays a run; without it a fresh
 * 32-bit seed is drawn. `FC_NUM_RUNS` raises (or lowers) the runs per property; fast-check's own
 * default (100) applies otherwise.
 */
export function readFastCheckSettings(env = process.env) {
  const seedText = env.FC_SEED;
  let seed;
  if (seedText === undefined || seedText === '') {
    seed = Math.floor(Math.random() * 0x1_0000_0000) | 0;
  } else {
    seed = Number(seedText);
    if (!Number.isInteger(seed)) {
      throw new Error(`FC_SEED must be an integer, got ${JSON.stringify(seedText)}`);
    }
    seed |= 0;
  }
  const runsText = env.FC_NUM_RUNS;
  let numRuns;
  if (runsText !== undefined && runsText !== '') {
    numRuns = Number(runsText);
    if (!Number.isInteger(numRuns) || numRuns < 1) {
      throw new Error(`FC_NUM_RUNS must be a positive integer, got ${JSON.stringify(runsText)}`);
    }
  }
  return { seed, numRuns };
}
