import { describeValue, PolicyError } from './errors.js';

/** An inclusive range of integers (ports or VLAN IDs); a single value has `from === to`. */
export interface Range {
  /** First value, inclusive. */
  readonly from: number;
  /** Last value, inclusive. */
  readonly to: number;
}

/**
 * Parses a single value (`443`, `'443'`) or an inclusive range (`'1024-65535'`) whose ends lie in
 * `min..max`; `what` names the field in the error message.
 *
 * @example
 * parseRange('1024-65535', 0, 65535, 'port'); // { from: 1024, to: 65535 }
 */
export function parseRange(value: number | string, min: number, max: number, what: string): Range {
  const allowed = `a ${what} ${min}..${max} or a range like ${min}-${max}`;
  if (typeof value !== 'number' && typeof value !== 'string') {
    throw new PolicyError('INVALID_RANGE', `${describeValue(value)} is not ${allowed}`);
  }
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(text);
  if (m === null) {
    throw new PolicyError('INVALID_RANGE', `${JSON.stringify(value)} is not ${allowed}`);
  }
  const from = Number(m[1]);
  const to = m[2] === undefined ? from : Number(m[2]);
  if (from < min || to > max) {
    throw new PolicyError('INVALID_RANGE', `${JSON.stringify(value)} is out of range: ${allowed}`);
  }
  if (from > to) {
    throw new PolicyError(
      'INVALID_RANGE',
      `${JSON.stringify(value)} runs backwards; write the lower end first (${to}-${from})`,
    );
  }
  return { from, to };
}

/** Formats a range as the config writes it: a number for one value, else `'from-to'`. */
export function formatRange(range: Range): number | string {
  return range.from === range.to ? range.from : `${range.from}-${range.to}`;
}
