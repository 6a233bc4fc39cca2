/**
 * Interned rule sets of one match dimension, stored as bitsets with a summary level (one bit per
 * non-zero 32-bit word: the "aggregated bit vector" of Baboescu and Varghese), so that an
 * intersection over all dimensions visits only words that can hold a match.
 */
export class BitsetPool {
  /** 32-bit words per set. */
  readonly words: number;
  /** Summary words per set. */
  readonly summaryWords: number;
  /** Set `c` occupies `bits[c * words .. (c + 1) * words)`. */
  bits: Uint32Array;
  /** Set `c` has summary `summary[c * summaryWords ..]`. */
  summary: Uint32Array;
  /** Number of distinct sets. */
  count = 0;
  /**
   * `listLength[c]`: how many rules set `c` holds when that is at most `words` (its ascending rule
   * ids are then at `lists[listStart[c] ..]`), else -1. A sparse set is cheaper to walk than to
   * intersect word by word.
   */
  listLength: Int32Array = new Int32Array(16);
  /** Where set `c`'s rule list starts in `lists`. */
  listStart: Int32Array = new Int32Array(16);
  /** Rule lists of the sparse sets, back to back. */
  lists: Int32Array = new Int32Array(64);
  private listEnd = 0;
  private readonly byHash = new Map<number, number[]>();

  constructor(ruleCount: number) {
    this.words = Math.max(1, Math.ceil(ruleCount / 32));
    this.summaryWords = Math.ceil(this.words / 32);
    this.bits = new Uint32Array(this.words * 16);
    this.summary = new Uint32Array(this.summaryWords * 16);
  }

  /** The class id of the set held in `set` (a bitset of `words` words), adding it if new. */
  intern(set: Uint32Array): number {
    const w = this.words;
    let h = 0x811c9dc5;
    for (let i = 0; i < w; i++) h = Math.imul(h ^ (set[i] as number), 0x01000193);
    const candidates = this.byHash.get(h);
    if (candidates !== undefined) {
      for (const c of candidates) {
        let same = true;
        const base = c * w;
        for (let i = 0; i < w && same; i++) same = this.bits[base + i] === set[i];
        if (same) return c;
      }
    }
    const c = this.count++;
    if ((c + 1) * w > this.bits.length) {
      const grown = new Uint32Array(this.bits.length * 2);
      grown.set(this.bits);
      this.bits = grown;
      const grownSummary = new Uint32Array(this.summary.length * 2);
      grownSummary.set(this.summary);
      this.summary = grownSummary;
    }
    this.bits.set(set.subarray(0, w), c * w);
    const sBase = c * this.summaryWords;
    for (let i = 0; i < w; i++) {
      if (set[i] !== 0)
        this.summary[sBase + (i >>> 5)] =
          ((this.summary[sBase + (i >>> 5)] as number) | (1 << (i & 31))) >>> 0;
    }
    this.addList(c, set);
    if (candidates === undefined) this.byHash.set(h, [c]);
    else candidates.push(c);
    return c;
  }

  private addList(c: number, set: Uint32Array): void {
    this.listLength = grow(this.listLength, c + 1);
    this.listStart = grow(this.listStart, c + 1);
    let n = 0;
    for (let i = 0; i < this.words && n <= this.words; i++) {
      let x = set[i] as number;
      while (x !== 0) {
        n++;
        x &= x - 1;
      }
    }
    if (n > this.words) {
      this.listLength[c] = -1;
      return;
    }
    this.lists = grow(this.lists, this.listEnd + n);
    this.listStart[c] = this.listEnd;
    this.listLength[c] = n;
    for (let i = 0; i < this.words; i++) {
      let x = set[i] as number;
      while (x !== 0) {
        const low = x & -x;
        this.lists[this.listEnd++] = (i << 5) + 31 - Math.clz32(low);
        x ^= low;
      }
    }
  }
}

function grow(array: Int32Array, need: number): Int32Array {
  if (need <= array.length) return array;
  const grown = new Int32Array(Math.max(need, array.length * 2));
  grown.set(array);
  return grown;
}

/** A rule set under construction, counting how many of a rule's entries cover the current point. */
export class CountingSet {
  readonly set: Uint32Array;
  private readonly counts: Int32Array;

  constructor(ruleCount: number, words: number) {
    this.set = new Uint32Array(words);
    this.counts = new Int32Array(ruleCount);
  }

  add(rule: number): void {
    const n = this.counts[rule] as number;
    this.counts[rule] = n + 1;
    if (n === 0) this.set[rule >>> 5] = ((this.set[rule >>> 5] as number) | (1 << (rule & 31))) >>> 0;
  }

  remove(rule: number): void {
    const n = (this.counts[rule] as number) - 1;
    this.counts[rule] = n;
    if (n === 0) this.set[rule >>> 5] = ((this.set[rule >>> 5] as number) & ~(1 << (rule & 31))) >>> 0;
  }
}
