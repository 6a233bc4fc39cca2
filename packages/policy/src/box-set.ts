/** The smallest field value: every field of a box lives in the signed 32-bit range. */
export const FIELD_MIN = -0x8000_0000;
/** The largest field value. */
export const FIELD_MAX = 0x7fff_ffff;

/**
 * Boxes (hyper-rectangles) over a fixed number of integer fields, each owned by a rule: a box
 * holds a sorted list of disjoint, non-adjacent inclusive intervals per field, and a point lies in
 * the box when every field's value lies in one of that field's intervals. Boxes are kept in
 * priority order (ascending rule index; one rule may own several consecutive boxes).
 */
export interface BoxSet {
  /** Fields per box. */
  readonly fields: number;
  /** Number of boxes. */
  readonly count: number;
  /** `rule[b]`: the rule box `b` belongs to. */
  readonly rule: Int32Array;
  /** `start[b * fields + f]`: where box `b`'s intervals on field `f` start in `ivals` (in pairs). */
  readonly start: Int32Array;
  /** `length[b * fields + f]`: how many intervals box `b` has on field `f` (at least one). */
  readonly length: Int32Array;
  /** Interval ends, `lo, hi` pairs. */
  readonly ivals: Int32Array;
}

/** Collects boxes in priority order, normalising each field's intervals. */
export class BoxSetBuilder {
  private readonly fields: number;
  private readonly rules: number[] = [];
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];
  private readonly ivals: number[] = [];

  constructor(fields: number) {
    this.fields = fields;
  }

  /**
   * Adds a box for `rule`: `intervals[f]` lists field `f`'s `[lo, hi]` pairs flat (an empty list
   * means the whole field). Overlapping and adjacent intervals are merged.
   */
  add(rule: number, intervals: readonly (readonly number[])[]): void {
    this.rules.push(rule);
    for (let f = 0; f < this.fields; f++) {
      const flat = intervals[f] ?? [];
      const pairs: [number, number][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) pairs.push([flat[i] as number, flat[i + 1] as number]);
      if (pairs.length === 0) pairs.push([FIELD_MIN, FIELD_MAX]);
      pairs.sort((a, b) => a[0] - b[0]);
      this.starts.push(this.ivals.length / 2);
      let n = 0;
      let lo = pairs[0]?.[0] ?? FIELD_MIN;
      let hi = pairs[0]?.[1] ?? FIELD_MAX;
      for (const [a, b] of pairs) {
        if (a <= hi + 1) {
          hi = Math.max(hi, b);
        } else {
          this.ivals.push(lo, hi);
          n++;
          lo = a;
          hi = b;
        }
      }
      this.ivals.push(lo, hi);
      this.lengths.push(n + 1);
    }
  }

  /** The boxes added so far. */
  build(): BoxSet {
    return {
      fields: this.fields,
      count: this.rules.length,
      rule: Int32Array.from(this.rules),
      start: Int32Array.from(this.starts),
      length: Int32Array.from(this.lengths),
      ivals: Int32Array.from(this.ivals),
    };
  }
}
