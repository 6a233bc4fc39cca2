/**
 * A growable pool of fixed-size records of 32-bit words with a free list: the side storage for
 * IPv6 addresses and translated keys, so that entries which need neither pay nothing for them.
 * Internal to the package.
 */
export class RecordPool {
  /** The records, `stride` words each; record `r` starts at `r * stride`. */
  words: Uint32Array;
  private readonly stride: number;
  private top = 0;
  private freeHead = 0; // record index + 1 of the first free record; 0 = none
  private used = 0;

  constructor(stride: number, initialRecords: number) {
    this.stride = stride;
    this.words = new Uint32Array(stride * Math.max(1, initialRecords));
  }

  /** Records in use. */
  get size(): number {
    return this.used;
  }

  /** Bytes held by the pool's array. */
  get byteLength(): number {
    return this.words.byteLength;
  }

  /** Takes a record; returns its index. Its words hold garbage until written. */
  alloc(): number {
    this.used++;
    if (this.freeHead !== 0) {
      const rec = this.freeHead - 1;
      this.freeHead = this.words[rec * this.stride] as number;
      return rec;
    }
    if ((this.top + 1) * this.stride > this.words.length) {
      const next = new Uint32Array(Math.ceil(this.words.length * 1.5) + this.stride);
      next.set(this.words);
      this.words = next;
    }
    return this.top++;
  }

  /** Returns a record to the pool. */
  release(rec: number): void {
    this.used--;
    this.words[rec * this.stride] = this.freeHead;
    this.freeHead = rec + 1;
  }

  /** Forgets every record. */
  clear(): void {
    this.top = 0;
    this.freeHead = 0;
    this.used = 0;
  }
}
