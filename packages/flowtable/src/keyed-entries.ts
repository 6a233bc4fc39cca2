import type { FlowKey } from '@maestro/hash';
import { BUCKET_SLOTS, BucketIndex, bucketsFor, NO_FREE, OCC_BIT, slotBase } from './bucket-index.js';
import { ALT_BIT, ENTRY_MASK } from './bulk-find.js';
import { R, SLOT_MASK } from './entry-record.js';
import { checkTime, checkU16, EntryTable, MAX_ENTRIES } from './entry-table.js';
import { FlowTableError, keyError, shown } from './errors.js';
import { checkKeyOut, LOADED4_WORDS, load4, QueryKey, readStoredKey, storedIsV6 } from './query-key.js';
import { RecordPool } from './record-pool.js';
import type { Timeouts } from './timeouts.js';

// Of the slots: 0.78 keeps a table sized by its capacity hint under 64 bytes per entry (27.4 bytes
// of buckets, 32 of entry record); a fifth of the keys then sit past their home bucket.
const MAX_LOAD = 0.78;
const GROWN_LOAD = 0.5;
const TAG_SHIFT = 16;
let insertKernelOn = true;

/**
 * Turns the WebAssembly insert of a large index (`insert-kernel.ts`) off or on and returns the
 * previous setting: tests compare it with the JavaScript steps on the same tables, and the bench
 * times both in one process. Internal to the package (not exported from its entry point).
 */
export function setInsertKernel(on: boolean): boolean {
  const before = insertKernelOn;
  insertKernelOn = on;
  return before;
}

/**
 * The keys of a {@link FlowTable}'s entries: the slot index (a {@link BucketIndex}, IPv6 addresses
 * in a side pool) over the {@link EntryTable}, with insertion (an alias key per entry at most),
 * removal, expiry and growth. {@link FlowTable} adds its options and the lookups. Internal to the
 * package.
 */
export class KeyedEntries extends EntryTable {
  /** True when a flow and its reverse find the same entry. */
  readonly symmetric: boolean;

  protected readonly seed: number;
  protected readonly q: QueryKey = new QueryKey();
  private readonly qAlias: QueryKey = new QueryKey();
  protected readonly index: BucketIndex;
  private readonly moved = (ref: number, code: number): void => this.relink(ref, code);
  private aliases = 0;
  protected readonly v6Pool: RecordPool;
  private cursor = 0;
  private readonly loaded: Int32Array = new Int32Array(2 * LOADED4_WORDS); // insert4's key and alias (no kernel)
  private touchedKeys = 0; // sink of insert4's early reads

  /** Keys for `capacity` entries and `aliases` alias keys (all checked by the caller). */
  constructor(capacity: number, aliases: number, timeouts: Timeouts, symmetric: boolean, seed: number) {
    super(capacity, timeouts);
    this.symmetric = symmetric;
    this.seed = seed | 0;
    this.index = new BucketIndex(bucketsFor(capacity + aliases, MAX_LOAD), this.seed);
    this.v6Pool = new RecordPool(8, 4);
  }

  /** Live alias keys. */
  get aliasCount(): number {
    return this.aliases;
  }

  /** Bytes held by every typed array of the table (slot index, entries, side pools). */
  get byteLength(): number {
    return this.index.byteLength + this.recordBytes + this.v6Pool.byteLength + this.times.byteLength;
  }

  /** Slots of the index (its load factor is `(size + aliasCount) / slotCount`). */
  get slotCount(): number {
    return this.index.buckets * BUCKET_SLOTS;
  }

  /**
   * Adds an entry for `key` first seen at `now`; returns its handle. The state starts from the
   * protocol (`TCP_NEW`, `UDP_UNREPLIED`, `ICMP`, `OTHER`), counters at 0.
   * Throws `EXISTS` when the key (or its reverse, when symmetric) is already there, `FULL` past
   * {@link MAX_ENTRIES}, `INVALID_KEY`/`INVALID_VALUE` for bad input; the table is then unchanged.
   */
  insert(key: FlowKey, now: number, owner: number, backup: number = owner, tag = 0): number {
    try {
      return this.insertKey(key, now, owner, backup, tag);
    } catch (error) {
      throw keyError(error);
    }
  }

  /** {@link insert}, whose key fields may throw as they are read (see `keyError`). */
  private insertKey(key: FlowKey, now: number, owner: number, backup: number, tag: number): number {
    checkTime(now);
    checkU16(owner, 'owner');
    checkU16(backup, 'backup');
    checkU16(tag, 'tag');
    const k = this.insertScratch();
    if (load4(key, this.symmetric, this.seed, k, 0)) {
      const e = this.insert4(k, key.protocol, now, owner, backup, tag, false);
      if (e < 0) throw new FlowTableError('EXISTS', 'the key is already in the table');
      return e;
    }
    const q = this.q;
    q.load(key, this.symmetric, this.seed);
    if (this.index.find(q, this.v6Pool) >= 0)
      throw new FlowTableError('EXISTS', 'the key is already in the table');
    if (this.count >= MAX_ENTRIES)
      throw new FlowTableError('FULL', `the table holds ${MAX_ENTRIES} entries at most`);
    return this.addEntry(q, key.protocol, now, owner, backup, tag);
  }

  /**
   * {@link insert} if absent, with an optional alias ({@link setAlias}) in the same call: checks
   * both keys first, then adds the entry (`now` encoded once) and its alias, each key hashed and
   * probed once. Returns the new entry's handle, or, changing nothing, -1 when `key` is in the table
   * (or its reverse, when symmetric) and -2 when `alias` is, or is `key` itself. Throws like
   * {@link insert} (`INVALID_KEY` for a garbage key or alias, `INVALID_VALUE`, `FULL`), the table
   * then unchanged.
   *
   * @example
   * const h = table.tryInsert(original, now, owner, backup, tag, translated);
   * if (h === -2) pickAnotherPort();
   */
  tryInsert(
    key: FlowKey,
    now: number,
    owner: number,
    backup: number = owner,
    tag = 0,
    alias: FlowKey | null = null,
  ): number {
    try {
      return this.tryInsertKey(key, now, owner, backup, tag, alias);
    } catch (error) {
      throw keyError(error);
    }
  }

  /** {@link tryInsert}, whose key fields may throw as they are read (see `keyError`). */
  private tryInsertKey(
    key: FlowKey,
    now: number,
    owner: number,
    backup: number,
    tag: number,
    alias: FlowKey | null,
  ): number {
    checkTime(now);
    checkU16(owner, 'owner');
    checkU16(backup, 'backup');
    checkU16(tag, 'tag');
    const k = this.insertScratch();
    if (
      load4(key, this.symmetric, this.seed, k, 0) &&
      (alias === null || load4(alias, this.symmetric, this.seed, k, LOADED4_WORDS))
    ) {
      return this.insert4(k, key.protocol, now, owner, backup, tag, alias !== null);
    }
    const q = this.q;
    const qa = this.qAlias;
    q.load(key, this.symmetric, this.seed);
    if (alias !== null) qa.load(alias, this.symmetric, this.seed);
    if (this.index.find(q, this.v6Pool) >= 0) return -1;
    if (alias !== null && (qa.sameKey(q) || this.index.find(qa, this.v6Pool) >= 0)) return -2;
    if (this.count >= MAX_ENTRIES)
      throw new FlowTableError('FULL', `the table holds ${MAX_ENTRIES} entries at most`);
    const e = this.addEntry(q, key.protocol, now, owner, backup, tag);
    if (alias !== null) this.addAlias(qa, e);
    return e;
  }

  /**
   * Gives entry `handle` a second key (e.g. its NAT-translated tuple): {@link find} on it, or on its
   * reverse when symmetric, returns the same handle with {@link lastAlias} set. Throws `EXISTS`
   * when the key is already in the table or the entry has an alias already.
   */
  setAlias(handle: number, key: FlowKey): void {
    this.checkHandle(handle);
    if (this.refs[handle * R + 2] !== 0)
      throw new FlowTableError('EXISTS', `entry ${handle} already has an alias`);
    const q = this.q;
    try {
      q.load(key, this.symmetric, this.seed);
    } catch (error) {
      throw keyError(error);
    }
    if (this.index.find(q, this.v6Pool) >= 0)
      throw new FlowTableError('EXISTS', 'the alias key is already in the table');
    this.addAlias(q, handle);
  }

  /** Writes the key of entry `handle` into `out`, in the direction it was inserted; returns `out`. */
  keyAt(handle: number, out: FlowKey): FlowKey {
    this.checkHandle(handle);
    checkKeyOut(out);
    return readStoredKey(this.index.slots, slotBase(this.slotOf(handle)), this.v6Pool, out);
  }

  /** Writes the alias of entry `handle` into `out` and returns true, or returns false if it has none. */
  aliasAt(handle: number, out: FlowKey): boolean {
    this.checkHandle(handle);
    checkKeyOut(out);
    const a = this.refs[handle * R + 2] as number;
    if (a === 0) return false;
    readStoredKey(this.index.slots, slotBase(a - 1), this.v6Pool, out);
    return true;
  }

  /** Removes entry `handle` and its alias; the last entry takes its handle. */
  removeAt(handle: number): void {
    this.checkHandle(handle);
    const refs = this.refs;
    const r = handle * R;
    const a = refs[r + 2] as number;
    if (a !== 0) {
      this.deleteSlot(a - 1);
      this.aliases--;
    }
    this.deleteSlot(this.slotOf(handle));
    this.times.release(refs[r + 3] as number);
    this.times.release(refs[r + 4] as number);
    const last = --this.count;
    if (handle !== last) this.moveEntry(last, handle);
  }

  /** Removes every entry, keeping the allocated arrays. */
  clear(): void {
    this.index.clear();
    this.count = 0;
    this.aliases = 0;
    this.cursor = 0;
    this.v6Pool.clear();
    this.times.clear();
  }

  /** The 16-bit caller-defined tag of entry `handle`. */
  tag(handle: number): number {
    this.checkHandle(handle);
    return (this.index.slots[slotBase(this.slotOf(handle)) + 3] as number) >>> TAG_SHIFT;
  }

  /**
   * Incremental expiry: examines at most `budget` entries, round-robin from where the previous
   * call stopped, and removes those idle for their state's timeout at `now`, calling
   * `onExpire(handle)` just before each removal (read the entry there; do not change the table).
   * Returns the number removed. Calls whose budgets add up to `size` visit every entry at least once
   * unless removals from outside move entries behind the cursor.
   */
  expire(now: number, budget: number, onExpire?: (handle: number) => void): number {
    checkTime(now);
    if (!Number.isInteger(budget) || budget < 0) {
      throw new FlowTableError('INVALID_VALUE', `budget must be an integer >= 0, got ${shown(budget)}`);
    }
    let removed = 0;
    for (let i = 0; i < budget && this.count > 0; i++) {
      if (this.cursor >= this.count) this.cursor = 0;
      const e = this.cursor;
      if (this.expiredAt(e, now)) {
        onExpire?.(e);
        this.removeAt(e); // the last entry moved into e: look at e again
        removed++;
      } else {
        this.cursor++;
      }
    }
    return removed;
  }

  /** Expires every idle entry at `now` in one pass; returns the number removed. */
  expireAll(now: number, onExpire?: (handle: number) => void): number {
    checkTime(now);
    let removed = 0;
    let e = 0;
    while (e < this.count) {
      if (this.expiredAt(e, now)) {
        onExpire?.(e);
        this.removeAt(e);
        removed++;
      } else {
        e++;
      }
    }
    this.cursor = 0;
    return removed;
  }

  /** Adds an entry for the loaded key `q` (checked absent, below {@link MAX_ENTRIES}); returns its handle. */
  private addEntry(
    q: QueryKey,
    protocol: number,
    now: number,
    owner: number,
    backup: number,
    tag: number,
  ): number {
    const i = this.claimSlot(q.hash);
    const b = slotBase(i);
    q.store(this.index.slots, b, this.v6Pool, (tag << TAG_SHIFT) | OCC_BIT);
    const e = this.appendRecord(i, protocol, now, owner, backup);
    this.index.slots[b + 4] = e + 1;
    return e;
  }

  /**
   * Where {@link load4} puts an insertion's key and alias: the index kernel's scratch, when there is
   * one and the kernel insert is on (the kernel reads them there), else a small array of the table.
   */
  private insertScratch(): Int32Array {
    const kernel = this.index.kernel;
    return kernel !== null && insertKernelOn ? kernel.scratch : this.loaded;
  }

  /**
   * {@link tryInsert} of the IPv4 key in `k[0 ..]` (and, with `withAlias`, the IPv4 alias in
   * `k[6 ..]`), both loaded by {@link load4} and the values checked. A large index (one with the
   * kernels, `k` its scratch) does the index work in one WebAssembly call (`insert-kernel.ts`)
   * unless the index must grow first, the table is full or the alias is the key (the general steps
   * below then decide). Otherwise one pass per key both
   * checks that it is absent and finds the slot {@link BucketIndex.claim} would take (claimed from
   * there unless the index grows first or the key took the alias's bucket's last free slot), and the
   * misses of the alias's home bucket and of the new record's line start together first (the key's
   * bucket is usually in cache already: callers look a key up before they insert it).
   */
  private insert4(
    k: Int32Array,
    protocol: number,
    now: number,
    owner: number,
    backup: number,
    tag: number,
    withAlias: boolean,
  ): number {
    // Constants as literals (see bulk-find.ts): R 8, TAG_WORD 15, SWAPPED_BIT 1 << 11, TAG_SHIFT
    // 16, OCC_BIT 0x1000, ALT_BIT 0x1000000, BUCKET_SLOTS × MAX_LOAD 3 × 0.78.
    const index = this.index;
    const kernel = index.kernel;
    if (
      kernel !== null &&
      k === kernel.scratch &&
      this.count < MAX_ENTRIES &&
      index.used + (withAlias ? 2 : 1) <= index.buckets * 3 * 0.78 &&
      !(withAlias && k[6] === k[0] && k[7] === k[1] && k[8] === k[2] && k[9] === k[3])
    ) {
      const i = kernel.insert(
        index.home((k[4] as number) >>> 0),
        withAlias ? index.home((k[10] as number) >>> 0) : -1,
        (k[3] as number) | ((k[5] as number) << 11) | (tag << 16) | 0x1000,
        (k[9] as number) | ((k[11] as number) << 11) | 0x1000,
        this.count + 1,
      );
      if (i < 0) return i;
      index.used += withAlias ? 2 : 1;
      const e = this.appendRecord(i, protocol, now, owner, backup);
      if (withAlias) {
        this.aliases++;
        this.refs[e * 8 + 2] = kernel.aliasCode() + 1;
      }
      return e;
    }
    // The alias's bucket is seldom in cache: its miss starts here and overlaps the key's probe.
    if (withAlias) this.touchedKeys ^= index.slots[index.home((k[10] as number) >>> 0) * 16 + 15] as number;
    const s = k[0] as number;
    const d = k[1] as number;
    const ports = k[2] as number;
    const meta = k[3] as number;
    const hash = k[4] as number;
    const pk = index.probe4(s, d, ports, meta, hash);
    if (pk < 0) return -1;
    let pa = NO_FREE;
    if (withAlias) {
      if (k[6] === s && k[7] === d && k[8] === ports && k[9] === meta) return -2;
      pa = index.probe4(k[6] as number, k[7] as number, k[8] as number, k[9] as number, k[10] as number);
      if (pa < 0) return -2;
    }
    if (this.count >= MAX_ENTRIES)
      throw new FlowTableError('FULL', `the table holds ${MAX_ENTRIES} entries at most`);
    // BUCKET_SLOTS × MAX_LOAD, as in makeRoom: the call only when the index grows.
    const grew = index.used + 1 > index.buckets * 3 * 0.78 && this.makeRoom();
    const i = grew ? index.claim(hash >>> 0) : index.claimAt(pk, hash);
    const e = this.appendRecord(i, protocol, now, owner, backup);
    let slots = index.slots;
    let b = ((i >>> 2) << 4) + (i & 3) * 5; // slotBase
    slots[b] = s;
    slots[b + 1] = d;
    slots[b + 2] = ports;
    slots[b + 3] = (meta | ((k[5] as number) << 11) | (tag << 16) | 0x1000) >>> 0;
    slots[b + 4] = e + 1;
    if (!withAlias) return e;
    const ha = k[10] as number;
    // The key may have taken the free slot the alias's probe saw: then its bucket is read again.
    const ia =
      (index.used + 1 > index.buckets * 3 * 0.78 && this.makeRoom()) || grew || pa >>> 2 === i >>> 2
        ? index.claim(ha >>> 0)
        : index.claimAt(pa, ha);
    slots = index.slots;
    b = ((ia >>> 2) << 4) + (ia & 3) * 5;
    slots[b] = k[6] as number;
    slots[b + 1] = k[7] as number;
    slots[b + 2] = k[8] as number;
    slots[b + 3] = ((k[9] as number) | ((k[11] as number) << 11) | 0x1000) >>> 0;
    slots[b + 4] = (0x1000000 | (e + 1)) >>> 0;
    this.aliases++;
    this.refs[e * 8 + 2] = ia + 1;
    return e;
  }

  /** Adds the loaded key `q` (checked absent) as the alias of entry `handle`, which has none. */
  private addAlias(q: QueryKey, handle: number): void {
    const i = this.claimSlot(q.hash);
    const b = slotBase(i);
    q.store(this.index.slots, b, this.v6Pool, OCC_BIT);
    this.index.slots[b + 4] = (ALT_BIT | (handle + 1)) >>> 0;
    this.aliases++;
    this.refs[handle * R + 2] = i + 1;
  }

  private slotOf(e: number): number {
    return (this.refs[e * R + 1] as number) & SLOT_MASK;
  }

  /** Points the entry that slot reference `ref` names at slot `i` (its primary or alias link). */
  private relink(ref: number, i: number): void {
    const r = ((ref & ENTRY_MASK) - 1) * R;
    const refs = this.refs;
    if (ref >= ALT_BIT) refs[r + 2] = i + 1;
    else refs[r + 1] = (((refs[r + 1] as number) & ~SLOT_MASK) | i) >>> 0;
  }

  /** Empties slot `code`, releasing its IPv6 record. */
  private deleteSlot(code: number): void {
    const slots = this.index.slots;
    const b = slotBase(code);
    if (storedIsV6(slots, b)) this.v6Pool.release(slots[b] as number);
    this.index.release(code);
  }

  /** A free slot for a key of hash `hash`, growing the index first when it is at its load limit. */
  private claimSlot(hash: number): number {
    this.makeRoom();
    return this.index.claim(hash);
  }

  /** Grows the index when one more key would take it past its load limit; returns true if it grew. */
  private makeRoom(): boolean {
    const index = this.index;
    if (index.used + 1 <= index.buckets * 3 * 0.78) return false; // BUCKET_SLOTS, MAX_LOAD
    index.rehash(bucketsFor(index.used + 1, GROWN_LOAD), this.moved);
    return true;
  }

  private moveEntry(from: number, to: number): void {
    const refs = this.refs;
    const fr = from * R;
    const slots = this.index.slots;
    slots[slotBase(this.slotOf(from)) + 4] = to + 1;
    const a = refs[fr + 2] as number;
    if (a !== 0) slots[slotBase(a - 1) + 4] = (ALT_BIT | (to + 1)) >>> 0;
    refs.copyWithin(to * R, fr, fr + R);
  }
}
