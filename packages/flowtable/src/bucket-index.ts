import { type ProbeKernel, pageAlignedIndex } from './probe-kernel.js';
import type { QueryKey } from './query-key.js';
import { KEY_MASK, storedHash } from './query-key.js';
import type { RecordPool } from './record-pool.js';

/** Words per slot of the index: four key words, then the reference (entry + 1 | alias bit; 0 = empty). */
export const SLOT_WORDS = 5;
/** Slots per bucket: three 20-byte slots and the bucket's tag word fill one 64-byte line. */
export const BUCKET_SLOTS = 3;
/** Words per bucket (64 bytes). */
export const BUCKET_WORDS = 16;
/**
 * The bucket's tag word: byte k (k < 3) is slot k's tag (0 = empty), the top byte the overflow
 * count (saturating: at {@link COUNT_MAX} it stays, and lookups go on past the bucket).
 */
export const TAG_WORD = 15;
/** Overflow counts stop here and never come down again (until a rehash recounts). */
export const COUNT_MAX = 255;
/**
 * Set in the fourth key word of every occupied slot: an empty slot (all words 0) then never
 * matches a query, whose compare includes this bit, without reading the reference word.
 */
export const OCC_BIT = 0x1000;
/** The bits of a stored fourth word that a query compares: the key's meta bits and {@link OCC_BIT}. */
export const MATCH_MASK: number = KEY_MASK | OCC_BIT;
const COUNT_ONE = 0x1000000;

/** The 8-bit tag of a key of hash `hash`: seven low bits (the home bucket uses the high ones) and a set top bit, so never 0. */
export function tagOf(hash: number): number {
  return (hash & 0x7f) | 0x80;
}

/**
 * Bit 8k + 7 set for each slot k of the bucket whose tag word is `word` that may hold a key
 * tagged `tag` (SWAR zero-byte test: every slot with that tag, perhaps also the slot above one).
 */
export function tagCandidates(word: number, tag: number): number {
  const x = (word ^ (tag * 0x010101)) & 0xffffff;
  return (x - 0x010101) & ~x & 0x808080;
}

/** The slot (0..2) of the lowest candidate bit of {@link tagCandidates}' `c` (non-zero). */
export function firstCandidate(c: number): number {
  return (31 - Math.clz32(c & -c)) >>> 3;
}

/** {@link BucketIndex.probe4}'s answer when none of the buckets it read has a free slot. */
export const NO_FREE = 0x7fffffff;

/** Most buckets: slot codes (`bucket << 2 | slot`) must fit the entry record's 28-bit fields. */
const MAX_BUCKETS = 1 << 26;
const TWO_32 = 4294967296;
// Where the buckets start in a plain ArrayBuffer. Node allocates large buffers with malloc, which
// hands out mmap'd blocks 16 bytes past a page boundary: 48 more puts every bucket on one cache
// line (measured: about a third faster lookups at 1 M entries than the other three 16-byte offsets).
// Once glibc has raised its mmap threshold (it does after a large block is freed, as a growing
// table frees its old index), blocks below that size come from the heap at any 16-byte offset.
// Elsewhere a bucket may straddle two lines, which costs time, never correctness.
const ALIGN_OFFSET = 48;
// From this size on, the index lives in a WebAssembly.Memory, whose buffer starts on a page (every
// bucket on one cache line whatever malloc does), with the bulk lookup's kernel over it. Only
// large indexes: each memory reserves about 10 GiB of address space, so a process holds some
// thousands at most (a failed reservation falls back to a plain buffer and the JavaScript loops).
let pageAlignedBytes = 1 << 22;

/**
 * Sets the size (bytes) from which an index gets page-aligned memory and the probe kernel, and
 * entry records a memory of their own with the record kernel, and returns the previous one: tests
 * lower it to 0 to run every table, growth and all, through the kernels. Internal to the package
 * (not exported from its entry point).
 */
export function setKernelThreshold(bytes: number): number {
  const before = pageAlignedBytes;
  pageAlignedBytes = bytes;
  return before;
}

/** The size (bytes) from which an index or a table's records go to WebAssembly memory (see {@link setKernelThreshold}). */
export function kernelThreshold(): number {
  return pageAlignedBytes;
}
/**
 * A zeroed array of `words` words that starts on a cache line wherever malloc places large blocks
 * (see `ALIGN_OFFSET`); elsewhere its lines may be offset, which costs time, never correctness.
 * Internal to the package.
 */
export function lineAligned(words: number): Uint32Array {
  return new Uint32Array(new ArrayBuffer(words * 4 + ALIGN_OFFSET), ALIGN_OFFSET, words);
}

/** The first word of slot `code` (`bucket << 2 | slot`). */
export function slotBase(code: number): number {
  return ((code >>> 2) << 4) + (code & 3) * SLOT_WORDS;
}

/**
 * The key index of a flow table: open addressing over buckets of one 64-byte cache line each
 * (three 5-word slots and an overflow count). A key lives in its home bucket or, when that was
 * full, in the first bucket after it with a free slot; each bucket counts the keys stored past it
 * whose home is at or before it, so a lookup stops at the first bucket whose count is 0 (or after
 * one lap: removals can leave every count above 0 while slots are free, never a key further than
 * that from its home). Most hits
 * and misses read one line. Removal decrements the counts along the key's path and empties its
 * slot: no tombstones, no key ever moves (only {@link rehash} moves keys). Internal to the package.
 */
export class BucketIndex {
  /** Buckets of {@link BUCKET_WORDS} words each. */
  slots: Uint32Array;
  /** Number of buckets. */
  buckets: number;
  /** `buckets / 2³²`: the home bucket of hash `h` is `h × scale`. */
  scale: number;
  /** Occupied slots. */
  used = 0;
  /** Sink of {@link find4}'s read-ahead, so that it is not optimised away. */
  touched = 0;
  /** The bulk lookup's WebAssembly kernel over {@link slots}, for a large index (else null). */
  kernel: ProbeKernel | null;
  private readonly seed: number;

  /** An index of `buckets` empty buckets whose keys hash with `seed`. */
  constructor(buckets: number, seed: number) {
    this.seed = seed;
    this.buckets = buckets;
    this.scale = buckets / TWO_32;
    const { slots, kernel } = allocate(buckets);
    this.slots = slots;
    this.kernel = kernel;
  }

  /** Bytes held by the bucket array (alignment slack included). */
  get byteLength(): number {
    return this.slots.buffer.byteLength;
  }

  /** Home bucket of `hash`. */
  home(hash: number): number {
    const i = (hash * this.scale) | 0;
    return i < this.buckets ? i : this.buckets - 1;
  }

  /** Slot code of the IPv4 key given as its stored words (`meta`: key bits only), or -1. */
  find4(s: number, d: number, ports: number, meta: number, hash: number): number {
    const slots = this.slots;
    const end = this.buckets * BUCKET_WORDS;
    const m = meta | OCC_BIT;
    const tag = tagOf(hash);
    let b = this.home(hash) * BUCKET_WORDS;
    // Read the next bucket's tag word now (the padding bucket keeps it in bounds): a fifth of the
    // keys live there, and its miss then overlaps the home bucket's instead of following it.
    this.touched ^= slots[b + BUCKET_WORDS + TAG_WORD] as number;
    for (let left = this.buckets; left > 0; left--) {
      const w = slots[b + TAG_WORD] as number;
      // Only slots whose tag matches are compared: usually one for a hit, none for a miss.
      for (let c = tagCandidates(w, tag); c !== 0; c &= c - 1) {
        const k = firstCandidate(c);
        const at = b + k * SLOT_WORDS;
        if (
          slots[at] === s &&
          slots[at + 1] === d &&
          slots[at + 2] === ports &&
          ((slots[at + 3] as number) & MATCH_MASK) === m
        ) {
          return ((b >>> 4) << 2) | k;
        }
      }
      if (w < COUNT_ONE) return -1;
      b += BUCKET_WORDS;
      if (b === end) b = 0;
    }
    return -1;
  }

  /**
   * {@link find4} and the first half of {@link claim} in one pass, for an insertion, with the
   * key's words and hash as signed 32-bit integers (see `load4`): `~code` (below 0) when the key
   * is at slot `code`; else the code of the slot {@link claim} would take if it were called now
   * (read on past the lookup's last bucket when that one is full), or {@link NO_FREE} when no
   * bucket has a free slot. Changes nothing.
   */
  probe4(s: number, d: number, ports: number, meta: number, hash: number): number {
    const slots = this.slots;
    const end = this.buckets * 16; // BUCKET_WORDS
    const m = meta | 0x1000; // OCC_BIT
    const tag = tagOf(hash);
    const home = ((hash >>> 0) * this.scale) | 0; // home(hash), written out
    let b = (home < this.buckets ? home : this.buckets - 1) * 16;
    let free = 0x7fffffff; // NO_FREE
    for (let left = this.buckets; left > 0; left--) {
      const w = slots[b + 15] as number; // TAG_WORD
      for (let c = tagCandidates(w, tag); c !== 0; c &= c - 1) {
        const k = firstCandidate(c);
        const at = b + k * 5; // SLOT_WORDS
        if (
          ((slots[at] as number) | 0) === s &&
          ((slots[at + 1] as number) | 0) === d &&
          ((slots[at + 2] as number) | 0) === ports &&
          ((slots[at + 3] as number) & MATCH_MASK) === m
        ) {
          return ~(((b >>> 4) << 2) | k);
        }
      }
      if (free === 0x7fffffff) {
        // Tags have their top bit set, so this zero-byte test is exact: bit 8k + 7 for each empty slot k.
        const x = w & 0xffffff;
        const empty = (x - 0x010101) & ~x & 0x808080;
        if (empty !== 0) free = ((b >>> 4) << 2) | firstCandidate(empty);
      }
      if (w < 0x1000000) break; // COUNT_ONE: the key is not stored further on
      b += 16;
      if (b === end) b = 0;
    }
    // Absent, and every bucket read full: go on to the first with a free slot, as claim would.
    for (let left = this.buckets; free === 0x7fffffff && left > 0; left--) {
      b += 16;
      if (b === end) b = 0;
      const x = (slots[b + 15] as number) & 0xffffff;
      const empty = (x - 0x010101) & ~x & 0x808080;
      if (empty !== 0) free = ((b >>> 4) << 2) | firstCandidate(empty);
    }
    return free;
  }

  /**
   * {@link claim} of slot `code`, which {@link probe4} gave for a key of hash `hash` (signed, as
   * there) with nothing claimed since, or {@link NO_FREE}, for which this is {@link claim}: tags it
   * and counts the key in the buckets from its home to it, all full, without reading them again.
   */
  claimAt(code: number, hash: number): number {
    if (code === NO_FREE) return this.claim(hash >>> 0);
    const slots = this.slots;
    const own = code >>> 2;
    const home = ((hash >>> 0) * this.scale) | 0; // home(hash), written out
    for (let i = home < this.buckets ? home : this.buckets - 1; i !== own; ) {
      const t = i * 16 + 15;
      const w = slots[t] as number;
      if (w >>> 24 < 255) slots[t] = w + 0x1000000; // COUNT_MAX, COUNT_ONE
      if (++i === this.buckets) i = 0;
    }
    const t = own * 16 + 15;
    slots[t] = (slots[t] as number) | (tagOf(hash) << ((code & 3) * 8));
    this.used++;
    return code;
  }

  /** Slot code of the loaded query `q` (IPv4 or IPv6), or -1. */
  find(q: QueryKey, pool: RecordPool): number {
    if (!q.v6) return this.find4(q.w0, q.w1, q.w2, q.w3, q.hash);
    const slots = this.slots;
    const end = this.buckets * BUCKET_WORDS;
    const tag = tagOf(q.hash);
    let b = this.home(q.hash) * BUCKET_WORDS;
    for (let left = this.buckets; left > 0; left--) {
      const w = slots[b + TAG_WORD] as number;
      for (let c = tagCandidates(w, tag); c !== 0; c &= c - 1) {
        const k = firstCandidate(c);
        if (q.matches(slots, b + k * SLOT_WORDS, pool)) return ((b >>> 4) << 2) | k;
      }
      if (w < COUNT_ONE) return -1;
      b += BUCKET_WORDS;
      if (b === end) b = 0;
    }
    return -1;
  }

  /**
   * Takes the first free slot at or after the home bucket of `hash`, tags it, and returns its code,
   * counting the key in the overflow count of every full bucket it passes. The caller writes the
   * slot's words (with {@link OCC_BIT}) and reference. The index must have a free slot.
   */
  claim(hash: number): number {
    const slots = this.slots;
    const end = this.buckets * BUCKET_WORDS;
    const tag = tagOf(hash);
    let b = this.home(hash) * BUCKET_WORDS;
    for (;;) {
      const w = slots[b + TAG_WORD] as number;
      for (let k = 0; k < BUCKET_SLOTS; k++) {
        if (((w >>> (k * 8)) & 0xff) === 0) {
          slots[b + TAG_WORD] = w | (tag << (k * 8));
          this.used++;
          return ((b >>> 4) << 2) | k;
        }
      }
      if (w >>> 24 < COUNT_MAX) slots[b + TAG_WORD] = w + COUNT_ONE;
      b += BUCKET_WORDS;
      if (b === end) b = 0;
    }
  }

  /** Empties slot `code`, uncounting its key from the buckets between its home and its own. */
  release(code: number): void {
    const slots = this.slots;
    const base = slotBase(code);
    const own = code >>> 2;
    for (let i = this.home(storedHash(slots, base, this.seed)); i !== own; ) {
      const t = i * BUCKET_WORDS + TAG_WORD;
      const w = slots[t] as number;
      if (w >>> 24 < COUNT_MAX) slots[t] = w - COUNT_ONE;
      if (++i === this.buckets) i = 0;
    }
    const t = own * BUCKET_WORDS + TAG_WORD;
    slots[t] = (slots[t] as number) & ~(0xff << ((code & 3) * 8));
    slots.fill(0, base, base + SLOT_WORDS);
    this.used--;
  }

  /**
   * Moves every key into a new array of `buckets` buckets, calling `moved(ref, code)` with each
   * slot's reference word and its new code.
   */
  rehash(buckets: number, moved: (ref: number, code: number) => void): void {
    const old = this.slots;
    const oldEnd = this.buckets * BUCKET_WORDS;
    const { slots: fresh, kernel } = allocate(buckets);
    this.slots = fresh;
    this.kernel = kernel;
    this.buckets = buckets;
    this.scale = buckets / TWO_32;
    this.used = 0;
    const slots = this.slots;
    for (let b = 0; b < oldEnd; b += BUCKET_WORDS) {
      for (let k = 0; k < BUCKET_SLOTS; k++) {
        const from = b + k * SLOT_WORDS;
        const ref = old[from + 4] as number;
        if (ref === 0) continue;
        const code = this.claim(storedHash(old, from, this.seed));
        const to = slotBase(code);
        for (let w = 0; w < SLOT_WORDS; w++) slots[to + w] = old[from + w] as number;
        moved(ref, code);
      }
    }
  }

  /** Empties every bucket, keeping the array. */
  clear(): void {
    this.slots.fill(0);
    this.used = 0;
  }

  /**
   * True when every bucket's tags are those of the keys in its slots (0 for an empty one) and its
   * overflow count equals the number of stored keys whose path from their home bucket to their own
   * passes it, or is saturated (the invariants lookups rely on). For tests: O(keys × path).
   */
  consistent(): boolean {
    const slots = this.slots;
    const counts = new Uint32Array(this.buckets);
    for (let b = 0; b < this.buckets; b++) {
      for (let k = 0; k < BUCKET_SLOTS; k++) {
        const base = b * BUCKET_WORDS + k * SLOT_WORDS;
        const tag = ((slots[b * BUCKET_WORDS + TAG_WORD] as number) >>> (k * 8)) & 0xff;
        if (slots[base + 4] === 0) {
          if (tag !== 0) return false;
          continue;
        }
        const hash = storedHash(slots, base, this.seed);
        if (tag !== tagOf(hash)) return false;
        for (let i = this.home(hash); i !== b; ) {
          counts[i] = (counts[i] as number) + 1;
          if (++i === this.buckets) i = 0;
        }
      }
    }
    for (let b = 0; b < this.buckets; b++) {
      const count = (slots[b * BUCKET_WORDS + TAG_WORD] as number) >>> 24;
      if (count !== COUNT_MAX && count !== counts[b]) return false;
    }
    return true;
  }
}

/** Buckets for at least `keys` keys at load `load` (of the slots). */
export function bucketsFor(keys: number, load: number): number {
  return Math.min(MAX_BUCKETS, Math.ceil(keys / (BUCKET_SLOTS * load)) + 1);
}

function allocate(buckets: number): { slots: Uint32Array; kernel: ProbeKernel | null } {
  const words = (buckets + 1) * BUCKET_WORDS;
  const paged = words * 4 >= pageAlignedBytes ? pageAlignedIndex(words, buckets, buckets / TWO_32) : null;
  return (
    paged ?? {
      slots: lineAligned(words),
      kernel: null,
    }
  );
}
