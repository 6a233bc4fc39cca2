import { createFlowKey, type FlowKey } from '@maestro/hash';
import { slotBase } from './bucket-index.js';
import { BATCH, BulkScratch, findBatch } from './bulk-find.js';
import { MAX_ENTRIES } from './entry-table.js';
import { FlowTableError, keyError, shown } from './errors.js';
import { KeyedEntries } from './keyed-entries.js';
import { findPackedBatch, KEY_WORDS, unpackKey } from './packed-find.js';
import { hit, locate4, locate6 } from './single-find.js';
import { resolveTimeouts, type Timeouts } from './timeouts.js';

export interface FlowTableOptions {
  /** A flow and its reverse find the same entry. @default false */
  readonly symmetric?: boolean;
  /** Entries to allocate for up front (the table still grows past it). @default 16 */
  readonly capacity?: number;
  /**
   * Alias keys (translated tuples, at most one an entry) to make room for up front besides the
   * entries' own keys: a table whose entries carry aliases fills its index twice as fast, and
   * would otherwise grow (a rehash of every key) before it holds `capacity` entries. @default 0
   */
  readonly aliases?: number;
  /** Idle timeouts in seconds; missing fields take {@link DEFAULT_TIMEOUTS}. */
  readonly timeouts?: Partial<Timeouts>;
  /** Seed of the slot hash, an unsigned 32-bit integer; pass a random one where traffic is hostile. @default 0 */
  readonly seed?: number;
}

/**
 * A connection table for hot paths: open addressing over a {@link BucketIndex} of one-cache-line
 * buckets (three slots, a tag per slot, an overflow count), whose slots hold each key's four words
 * in place (most hits and misses read one line), each slot referring to a dense entry: a record of
 * eight words in one typed array (owner, backup, state, the entry's slots, packet and byte
 * counters, created and last-seen times; the tag rides in the key's fourth word). No per-entry
 * objects: a handle is the entry's dense index, `0 .. size - 1`, valid until the next removal (a
 * removal moves the last entry into the hole). Each entry may carry one alias key (a
 * NAT-translated tuple, like conntrack's reply tuple) that finds the same entry. Time comes from
 * the caller (`now`, in milliseconds); expiry follows per-state idle {@link Timeouts}.
 *
 * @example
 * const table = new FlowTable({ symmetric: true });
 * const h = table.insert(parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443'), 0, 3, 4);
 * table.find(parseFlow('tcp 192.0.2.7:443 -> 10.0.0.1:1234')); // h, and table.lastReply === true
 */
export class FlowTable extends KeyedEntries {
  /** After a successful {@link find}: the key matched in the direction opposite to its insertion. */
  lastReply = false;
  /** After a successful {@link find}: the key matched the entry's alias, not its primary key. */
  lastAlias = false;

  private readonly bulk: BulkScratch = new BulkScratch();
  private readonly unpacked: FlowKey = createFlowKey(); // findPacked's general-path key

  constructor(options: FlowTableOptions = {}) {
    if (typeof options !== 'object' || options === null) {
      throw new FlowTableError('INVALID_OPTION', 'options must be an object');
    }
    const { symmetric = false, capacity = 16, aliases = 0, timeouts = {}, seed = 0 } = options;
    if (typeof symmetric !== 'boolean') {
      throw new FlowTableError('INVALID_OPTION', `symmetric must be a boolean, got ${shown(symmetric)}`);
    }
    if (!Number.isInteger(capacity) || capacity < 1 || capacity > MAX_ENTRIES) {
      throw new FlowTableError(
        'INVALID_OPTION',
        `capacity must be an integer 1..${MAX_ENTRIES}, got ${shown(capacity)}`,
      );
    }
    if (!Number.isInteger(aliases) || aliases < 0 || aliases > MAX_ENTRIES) {
      throw new FlowTableError(
        'INVALID_OPTION',
        `aliases must be an integer 0..${MAX_ENTRIES}, got ${shown(aliases)}`,
      );
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffff_ffff) {
      throw new FlowTableError(
        'INVALID_OPTION',
        `seed must be an unsigned 32-bit integer, got ${shown(seed)}`,
      );
    }
    super(capacity, aliases, resolveTimeouts(timeouts), symmetric, seed);
  }

  /**
   * The handle of the entry whose key or alias is `key` (or, in a symmetric table, its reverse),
   * or -1. Sets {@link lastReply} and {@link lastAlias}. No allocation.
   */
  find(key: FlowKey): number {
    let r: number;
    try {
      r = this.locate(key);
    } catch (error) {
      throw keyError(error);
    }
    if (r < 0) return -1;
    this.lastAlias = (r & 2) !== 0;
    this.lastReply = (r & 1) !== 0;
    return r >>> 2;
  }

  /**
   * Bulk {@link find}, in the manner of DPDK's `rte_hash_lookup_bulk`: looks up `keys[0 .. count-1]`
   * and writes each handle (or -1) to `out[i]` and, when given, {@link FindFlag} bits (`REPLY`,
   * `ALIAS`; 0 for a miss) to `flags[i]`; returns the number found. Keys go through in batches of
   * 32, stage by stage (hash all, read all home buckets, then compare all), so the cache misses of
   * different keys overlap; IPv4 keys take that pipeline, IPv6 keys the general path. Same results
   * as {@link find} per key; `lastReply` and `lastAlias` are left unspecified. No allocation.
   * Throws `INVALID_KEY` for a garbage key (`out` is then partly written, the table unchanged) and
   * `INVALID_VALUE` for buffers of the wrong type or a `count` past any of them.
   *
   * @example
   * const out = new Int32Array(keys.length);
   * const flags = new Uint8Array(keys.length);
   * table.findMany(keys, out, flags); // out[i] === table.find(keys[i])
   */
  findMany(
    keys: ArrayLike<FlowKey>,
    out: Int32Array,
    flags?: Uint8Array,
    count: number = keys?.length,
  ): number {
    if (
      typeof keys !== 'object' ||
      keys === null ||
      !(out instanceof Int32Array) ||
      (flags !== undefined && !(flags instanceof Uint8Array)) ||
      !Number.isInteger(count) ||
      count < 0 ||
      count > keys.length ||
      count > out.length ||
      (flags !== undefined && count > flags.length)
    ) {
      throw findManyError(count);
    }
    const sc = this.bulk;
    const index = this.index;
    let found = 0;
    try {
      for (let from = 0; from < count; from += BATCH) {
        const m = Math.min(BATCH, count - from);
        found += findBatch(sc, keys, from, m, this.symmetric, this.seed, index, out, flags);
        if (sc.slow > 0) {
          for (let i = 0; i < m; i++) {
            if (!sc.isSlow(i)) continue;
            found += this.findLane(keys[from + i] as FlowKey, out, flags, from + i);
          }
        }
      }
    } catch (error) {
      throw keyError(error);
    }
    return found;
  }

  /**
   * {@link findMany} over packed keys, for callers whose packets sit in a typed array (a receive
   * ring, a decoder's buffer, `@maestro/policy`'s `PacketBatch`) rather than in key objects: key
   * `i` is the 16 words at `words[first + i * stride ..]`, laid out as `KeyWord` says;
   * writes each handle (or -1) to `out[i]` and, when given, the {@link FindFlag} bits to
   * `flags[i]`; returns the number found. IPv4 keys are checked, ordered and hashed straight from
   * the words into the bulk pipeline; IPv6 keys take the general path. Same results as
   * {@link find} on the key the words spell. No allocation. Throws `INVALID_KEY` for garbage words
   * (a family other than 4 or 6, a field out of range; `out` is then partly written, the table
   * unchanged) and `INVALID_VALUE` for buffers of the wrong type, a `stride` below 16, or keys or
   * a `count` past any of the arrays.
   *
   * @example
   * const words = new Int32Array(16 * n); // FAMILY, PROTOCOL, PORT_KIND, SRC_PORT, DST_PORT, ..., SRC 8, DST 12
   * table.findPacked(words, 0, 16, n, out, flags); // out[i] === table.find(key i)
   */
  findPacked(
    words: Int32Array,
    first: number,
    stride: number,
    count: number,
    out: Int32Array,
    flags?: Uint8Array,
  ): number {
    if (
      !(words instanceof Int32Array) ||
      !(out instanceof Int32Array) ||
      (flags !== undefined && !(flags instanceof Uint8Array)) ||
      !Number.isInteger(first) ||
      !Number.isInteger(stride) ||
      !Number.isInteger(count) ||
      first < 0 ||
      stride < KEY_WORDS ||
      count < 0 ||
      count > out.length ||
      (flags !== undefined && count > flags.length) ||
      (count > 0 && first + (count - 1) * stride + KEY_WORDS > words.length)
    ) {
      throw findPackedError(first, stride, count);
    }
    const sc = this.bulk;
    const index = this.index;
    let found = 0;
    for (let from = 0; from < count; from += BATCH) {
      const m = Math.min(BATCH, count - from);
      const at = first + from * stride;
      found += findPackedBatch(sc, words, at, stride, m, this.symmetric, this.seed, index, out, flags, from);
      if (sc.slow > 0) {
        for (let i = 0; i < m; i++) {
          if (!sc.isSlow(i)) continue;
          found += this.findLane(unpackKey(words, at + i * stride, this.unpacked), out, flags, from + i);
        }
      }
    }
    return found;
  }

  /**
   * {@link find} of a key the bulk lookups left to the general path, into lane `i` of their
   * results: the handle (or -1) in `out[i]`, the {@link FindFlag} bits in `flags[i]` (the low two
   * bits of {@link locate}'s answer: alias << 1 | reply); 1 when found, else 0.
   */
  private findLane(key: FlowKey, out: Int32Array, flags: Uint8Array | undefined, i: number): number {
    const r = this.locate(key);
    out[i] = r < 0 ? -1 : r >>> 2;
    if (flags !== undefined) flags[i] = r < 0 ? 0 : r & 3;
    return r < 0 ? 0 : 1;
  }

  /** True when `key` (or its alias, or in a symmetric table its reverse) is in the table. */
  has(key: FlowKey): boolean {
    try {
      return this.locate(key) >= 0;
    } catch (error) {
      throw keyError(error);
    }
  }

  /** Removes the entry of `key` (and its alias); returns false when there is none. */
  remove(key: FlowKey): boolean {
    const h = this.find(key);
    if (h < 0) return false;
    this.removeAt(h);
    return true;
  }

  /**
   * The entry of `key` as `handle << 2 | alias << 1 | reply` (see {@link hit}), or -1. IPv4 and IPv6 keys take {@link locate4} and
   * {@link locate6}, which keep every word in int32 locals; anything else goes through
   * {@link QueryKey.load}, which rejects garbage.
   */
  private locate(key: FlowKey): number {
    const r4 = locate4(this.index, key, this.symmetric, this.seed);
    if (r4 !== -2) return r4; // GENERAL
    const r6 = locate6(this.index, this.v6Pool, key, this.symmetric, this.seed);
    if (r6 !== -2) return r6;
    const q = this.q;
    q.load(key, this.symmetric, this.seed);
    const i = this.index.find(q, this.v6Pool);
    return i < 0 ? -1 : hit(this.index.slots, slotBase(i), q.swapped);
  }
}

// The bulk lookups' argument errors, built out of line: the message's code in the lookups' own
// bodies counts against what V8 inlines into their callers.

function findManyError(count: unknown): FlowTableError {
  return new FlowTableError(
    'INVALID_VALUE',
    `findMany takes an array of keys, an Int32Array, an optional Uint8Array and a count 0..min(their lengths); got count ${shown(count)}`,
  );
}

function findPackedError(first: unknown, stride: unknown, count: unknown): FlowTableError {
  return new FlowTableError(
    'INVALID_VALUE',
    `findPacked takes an Int32Array of words, a first word, a stride >= ${KEY_WORDS}, a count of keys within the words, an Int32Array and an optional Uint8Array of count at least; got first ${shown(first)}, stride ${shown(stride)}, count ${shown(count)}`,
  );
}
