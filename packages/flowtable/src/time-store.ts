/** Codes at or above this refer to the exact-value pool; below it they are offsets from the epoch. */
export const POOLED = 0x80000000;

/**
 * Times (milliseconds, any finite number) in 32-bit codes, exactly: a whole number of milliseconds
 * within 2³¹ ms (24.8 days) past the table's epoch (the first time it stores, rounded down) is its
 * offset; anything else (earlier, later, fractional, -0) is `POOLED | index` of a `Float64Array`
 * record holding it. The entries of a table thus spend 4 bytes per time instead of 8 while every
 * time reads back as given. Internal to the package.
 */
export class TimeStore {
  /** The time that code 0 stands for (NaN until the first time is stored). */
  epoch: number = Number.NaN;
  private pool: Float64Array = new Float64Array(4);
  private top = 0;
  private freeHead = -1; // index of the first free record (its value is the next one), -1 = none
  private used = 0;

  /** Pooled records in use. */
  get pooled(): number {
    return this.used;
  }

  /** Bytes held by the pool. */
  get byteLength(): number {
    return this.pool.byteLength;
  }

  /** The code of `t` (a pooled code takes a new record). */
  encode(t: number): number {
    if (Number.isNaN(this.epoch)) this.epoch = Math.floor(t);
    const d = t - this.epoch;
    if (this.fits(d, t)) return d;
    return this.alloc(t);
  }

  /** The offset code of `t` when it is one (see the class), else -1; stores nothing. */
  offsetOf(t: number): number {
    const d = t - this.epoch;
    return this.fits(d, t) ? d : -1;
  }

  /** The time of `code`. */
  decode(code: number): number {
    return code < POOLED ? this.epoch + code : (this.pool[code - POOLED] as number);
  }

  /** The code of `t` in place of `old`, which is released (a pooled record is reused). */
  replace(old: number, t: number): number {
    if (old >= POOLED) {
      const d = t - this.epoch;
      if (this.fits(d, t)) {
        this.release(old);
        return d;
      }
      this.pool[old - POOLED] = t;
      return old;
    }
    return this.encode(t);
  }

  /** Frees the record of a pooled code (offsets need nothing). */
  release(code: number): void {
    if (code < POOLED) return;
    const r = code - POOLED;
    this.pool[r] = this.freeHead;
    this.freeHead = r;
    this.used--;
  }

  /** Forgets every record and the epoch. */
  clear(): void {
    this.epoch = Number.NaN;
    this.top = 0;
    this.freeHead = -1;
    this.used = 0;
  }

  /** True when offset `d` gives back exactly `t` (a whole number of ms in range; not -0). */
  private fits(d: number, t: number): boolean {
    return (d | 0) === d && d >= 0 && this.epoch + d === t && (t !== 0 || 1 / t > 0);
  }

  private alloc(t: number): number {
    this.used++;
    let r = this.freeHead;
    if (r >= 0) {
      this.freeHead = this.pool[r] as number;
    } else {
      r = this.top++;
      if (r === this.pool.length) {
        const next = new Float64Array(this.pool.length * 2);
        next.set(this.pool);
        this.pool = next;
      }
    }
    this.pool[r] = t;
    return POOLED + r;
  }
}
