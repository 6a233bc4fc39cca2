/** One timed read of a capture: packets, wall and process CPU seconds, and the 5-tuple checksum. */
export interface Run {
  readonly packets: number;
  readonly seconds: number;
  readonly cpuSeconds: number;
  readonly sum: number;
}

/** A reader under test. */
export interface Contender {
  readonly name: string;
  readonly run: () => Run | Promise<Run>;
}

/**
 * Lets the previous run's garbage go before the next run starts: a full collection (when node
 * runs with --expose-gc) and a pause for V8's background threads, whose CPU time would otherwise
 * be charged to whoever runs next (process CPU time counts every thread).
 */
export async function settle(): Promise<void> {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 100));
}

/**
 * Runs every contender once per round, `rounds` times, rotating the order each round so that no
 * reader always runs first (or right after another refilled the page cache). Returns
 * `runs[contender][round]`.
 */
export async function interleave(contenders: readonly Contender[], rounds: number): Promise<Run[][]> {
  const runs: Run[][] = contenders.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < contenders.length; k++) {
      const i = (k + round) % contenders.length;
      const contender = contenders[i] as Contender;
      (runs[i] as Run[]).push(await contender.run());
    }
  }
  return runs;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Packets per second of process CPU time. */
export const cpuRate = (r: Run): number => r.packets / r.cpuSeconds;
/** Packets per wall-clock second. */
export const wallRate = (r: Run): number => r.packets / r.seconds;

/** Per-round ratios `ours / theirs` of a rate, in round order. */
export function roundRatios(
  ours: readonly Run[],
  theirs: readonly Run[],
  rate: (r: Run) => number,
): number[] {
  return ours.map((r, i) => rate(r) / rate(theirs[i] as Run));
}
