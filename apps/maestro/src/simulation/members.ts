import { CliError } from '../cli/errors.js';

/** A member of the simulated group. */
export interface SimMember {
  readonly id: string;
  readonly weight: number;
}

/**
 * A member's weight when none is given: `--members N`, an id without `=W`, and a member that joins
 * by `add` (equal shares; 0..512 is the vendor's scale).
 */
export const DEFAULT_WEIGHT = 100;

/** `sgm1` … `sgmN`, each of {@link DEFAULT_WEIGHT} (equal shares; 0..512 is the vendor's scale). */
export function defaultMembers(count: number): SimMember[] {
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw new CliError(`--members must be an integer 1..1000, got ${String(count)}`);
  }
  return Array.from({ length: count }, (_, i) => ({ id: `sgm${i + 1}`, weight: DEFAULT_WEIGHT }));
}

/**
 * Parses `--members`: a count (`4`) or explicit members with weights (`sgm1=100,sgm2=100,sgm3=300`;
 * a member without `=W` weighs {@link DEFAULT_WEIGHT}).
 */
export function parseMembers(text: string): SimMember[] {
  if (/^\d+$/.test(text.trim())) return defaultMembers(Number(text));
  const members = text.split(',').map((part) => {
    const m = /^\s*([A-Za-z0-9][A-Za-z0-9_.-]{0,31})(?:=(\d+))?\s*$/.exec(part);
    if (m === null) {
      throw new CliError(
        `--members: bad member ${JSON.stringify(part)}; expected a count or id[=weight],... (ids: letters, digits, _ . -; weights 0..512)`,
      );
    }
    const weight = m[2] === undefined ? DEFAULT_WEIGHT : Number(m[2]);
    if (weight > 512) throw new CliError(`--members: weight of ${m[1]} must be 0..512, got ${weight}`);
    return { id: m[1] as string, weight };
  });
  const seen = new Set<string>();
  for (const m of members) {
    if (seen.has(m.id)) throw new CliError(`--members: ${m.id} is listed twice`);
    seen.add(m.id);
  }
  if (!members.some((m) => m.weight > 0))
    throw new CliError('--members: at least one member needs a weight above 0');
  return members;
}
