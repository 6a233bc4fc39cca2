import { HyperSyncError } from './errors.js';

/** One grade component of a site: its factor (0..1000) and how many of it are UP. */
export interface GradeComponent {
  readonly factor: number;
  readonly up: number;
}

/**
 * A site's grade: Σ factor × components UP.
 * @throws HyperSyncError `INVALID_GRADE` for a factor outside 0..1000 or a negative/non-integer count.
 * @example siteGrade([{ factor: 100, up: 3 }, { factor: 10, up: 8 }]) // 380
 */
export function siteGrade(components: readonly GradeComponent[]): number {
  let grade = 0;
  for (const c of components) {
    if (!Number.isInteger(c.factor) || c.factor < 0 || c.factor > 1000) {
      throw new HyperSyncError('INVALID_GRADE', `grade factor ${c.factor} is not an integer in 0..1000`);
    }
    if (!Number.isInteger(c.up) || c.up < 0) {
      throw new HyperSyncError('INVALID_GRADE', `component count ${c.up} is not an integer >= 0`);
    }
    grade += c.factor * c.up;
  }
  return grade;
}

/**
 * Which of two sites is Active. With no current choice the higher grade wins (ties: site 1). Once
 * chosen, the Active site keeps the role until the other's grade exceeds its own by more than
 * `hysteresis`, or its own grade drops to 0 while the other's is above 0: grades that flap around
 * each other do not move the traffic back and forth.
 */
export function chooseActiveSite(
  current: 0 | 1 | 2,
  grade1: number,
  grade2: number,
  hysteresis: number,
): 1 | 2 {
  if (current === 0) return grade2 > grade1 ? 2 : 1;
  const mine = current === 1 ? grade1 : grade2;
  const other = current === 1 ? grade2 : grade1;
  const flip = current === 1 ? 2 : 1;
  if (other > mine + hysteresis) return flip;
  if (mine === 0 && other > 0) return flip;
  return current;
}
