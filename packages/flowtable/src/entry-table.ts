import { kernelThreshold, lineAligned } from './bucket-index.js';
import { type ConnState, initialState, STATE_COUNT, STATE_TABLE, stateIndex } from './conn-state.js';
import {
  countPacket,
  R,
  recordBatch,
  recordBatchKernel,
  SLOT_MASK,
  STATE_SHIFT,
  TWO_32,
} from './entry-record.js';
import { FlowTableError, shown } from './errors.js';
import { KERNEL_BATCH } from './probe-kernel.js';
import { RecordMemory } from './record-memory.js';
import { TimeStore } from './time-store.js';
import { type Timeouts, timeoutsByState } from './timeouts.js';

/** Most entries one table holds (24-bit entry numbers in the slot index). */
export const MAX_ENTRIES = 0xfffffe;

/**
 * The entries of a {@link FlowTable}, apart from their keys: dense handles `0 .. size - 1`, one
 * record of eight words each (see `entry-record.ts`) in a plain array or, for a large table, a
 * WebAssembly memory with the record kernel (`record-memory.ts`), their times in a
 * {@link TimeStore}, and every per-entry read, write and packet record. {@link FlowTable} adds the
 * keys (the slot index), insertion, lookup, removal and expiry.
 */
export class EntryTable {
  /** The resolved idle timeouts, in seconds. */
  readonly timeouts: Timeouts;

  protected count = 0;
  protected cap: number;
  protected refs: Uint32Array = lineAligned(0);
  protected recordMemory: RecordMemory | null = null; // the memory of `refs`, for a large table
  protected readonly times: TimeStore = new TimeStore();
  protected touched = 0; // sink of the bulk lookup's and prefetch's loads
  private readonly timeoutMs: Float64Array;

  /** Entries for `capacity` (checked by the caller) with idle `timeouts` (resolved). */
  constructor(capacity: number, timeouts: Timeouts) {
    this.timeouts = timeouts;
    this.timeoutMs = timeoutsByState(timeouts);
    this.cap = capacity;
    this.placeRecords();
  }

  /** Bytes held by the entry records (their memory's, for a large table). */
  protected get recordBytes(): number {
    return this.recordMemory?.byteLength ?? this.refs.byteLength;
  }

  /** Live entries; handles are `0 .. size - 1`. */
  get size(): number {
    return this.count;
  }

  /**
   * A cache hint for bulk callers, like a prefetch: reads the entry words of each live entry in
   * `handles[0 .. count-1]` (negative or stale handles are skipped) so that {@link record} and
   * {@link owner} calls on them right after a {@link findMany} find them in cache instead of each
   * waiting for memory. Changes nothing; throws `INVALID_VALUE` when `count` exceeds `handles`.
   */
  prefetch(handles: Int32Array, count: number = handles?.length): void {
    if (!(handles instanceof Int32Array) || !Number.isInteger(count) || count < 0 || count > handles.length) {
      throw new FlowTableError(
        'INVALID_VALUE',
        `prefetch takes an Int32Array of handles and a count 0..its length, got count ${shown(count)}`,
      );
    }
    const refs = this.refs;
    const n = this.count;
    let sum = 0;
    for (let i = 0; i < count; i++) {
      const h = handles[i] as number;
      // One word brings in the record's line (records do not straddle lines).
      if (h >= 0 && h < n) sum = (sum + (refs[h * R + 1] as number)) | 0;
    }
    this.touched ^= sum;
  }

  /**
   * Records one packet on entry `handle` at `now`: counters, last-seen time, and the state machine
   * (`flags`: TCP flags; `reply`: the packet travels responder → originator, as {@link lastReply}).
   */
  record(handle: number, now: number, bytes: number, flags: number, reply: boolean): void {
    this.checkHandle(handle);
    checkTime(now);
    if (
      typeof bytes !== 'number' ||
      typeof flags !== 'number' ||
      bytes >>> 0 !== bytes ||
      (flags & 0xff) !== flags
    ) {
      throw new FlowTableError(
        'INVALID_VALUE',
        `bytes must be an integer 0..2^32-1 and flags 0..255, got ${shown(bytes)} and ${shown(flags)}`,
      );
    }
    const refs = this.refs;
    const r = handle * R;
    countPacket(refs, r, bytes);
    const seen = refs[r + 4] as number;
    if (now > this.times.decode(seen)) refs[r + 4] = this.times.replace(seen, now);
    const w = refs[r + 1] as number;
    const state = STATE_TABLE[stateIndex(w >>> STATE_SHIFT, flags, reply)] as number;
    refs[r + 1] = ((w & SLOT_MASK) | (state << STATE_SHIFT)) >>> 0;
  }

  /**
   * Bulk {@link record}, for the hits of a {@link findMany}: records one packet on entry
   * `handles[i]` for each `i` in `from .. to-1` whose handle is not negative, in order, exactly as
   * `record(handles[i], now, bytes[i], tcpFlags[i], (findFlags[i] & FindFlag.REPLY) !== 0)` would.
   * Checks everything first, then brings in every record before updating any, so that their cache
   * misses overlap; the time is looked at once. Throws, changing nothing, `INVALID_VALUE` for
   * buffers of the wrong type or a range past any of them and `INVALID_HANDLE` for a handle that is
   * not a live entry.
   *
   * @example
   * table.findMany(keys, handles, flags, n);
   * table.recordMany(handles, flags, now, bytes, tcpFlags, 0, n);
   */
  recordMany(
    handles: Int32Array,
    findFlags: Uint8Array,
    now: number,
    bytes: Uint32Array,
    tcpFlags: Uint8Array,
    from = 0,
    to: number = handles?.length,
  ): void {
    checkTime(now);
    if (
      !(handles instanceof Int32Array) ||
      !(findFlags instanceof Uint8Array) ||
      !(bytes instanceof Uint32Array) ||
      !(tcpFlags instanceof Uint8Array) ||
      !Number.isInteger(from) ||
      !Number.isInteger(to) ||
      from < 0 ||
      to < from ||
      to > handles.length ||
      to > findFlags.length ||
      to > bytes.length ||
      to > tcpFlags.length
    ) {
      throw new FlowTableError(
        'INVALID_VALUE',
        `recordMany takes an Int32Array of handles, a Uint8Array of find flags, a Uint32Array of bytes, a Uint8Array of TCP flags and a range 0 <= from <= to <= their lengths; got ${shown(from)}..${shown(to)}`,
      );
    }
    const n = this.count;
    const kernel = this.recordMemory;
    // Both paths check the handles before recording any (the kernel's a range of one kernel batch
    // as it copies it, a longer one here first).
    if (kernel !== null && to - from > KERNEL_BATCH) {
      for (let i = from; i < to; i++) {
        const h = handles[i] as number;
        if (h >= n) this.checkHandle(h);
      }
    }
    const bad =
      kernel !== null
        ? recordBatchKernel(kernel, this.times, handles, findFlags, now, bytes, tcpFlags, from, to, n)
        : recordBatch(this.refs, this.times, handles, findFlags, now, bytes, tcpFlags, from, to, n);
    if (bad >= 0) this.checkHandle(bad);
  }

  /** Owner of entry `handle` (0..65535). */
  owner(handle: number): number {
    this.checkHandle(handle);
    return (this.refs[handle * R] as number) & 0xffff;
  }

  /** Sets the owner of entry `handle`. */
  setOwner(handle: number, owner: number): void {
    this.checkHandle(handle);
    checkU16(owner, 'owner');
    const r = handle * R;
    this.refs[r] = (((this.refs[r] as number) & 0xffff0000) | owner) >>> 0;
  }

  /** Backup of entry `handle` (0..65535). */
  backup(handle: number): number {
    this.checkHandle(handle);
    return (this.refs[handle * R] as number) >>> 16;
  }

  /** Sets the backup of entry `handle`. */
  setBackup(handle: number, backup: number): void {
    this.checkHandle(handle);
    checkU16(backup, 'backup');
    const r = handle * R;
    this.refs[r] = (((this.refs[r] as number) & 0xffff) | (backup << 16)) >>> 0;
  }

  /** Connection state of entry `handle`. */
  state(handle: number): ConnState {
    this.checkHandle(handle);
    return ((this.refs[handle * R + 1] as number) >>> STATE_SHIFT) as ConnState;
  }

  /** Sets the connection state of entry `handle` (e.g. from a sync message). */
  setState(handle: number, state: ConnState): void {
    this.checkHandle(handle);
    if (!Number.isInteger(state) || state < 0 || state >= STATE_COUNT) {
      throw new FlowTableError(
        'INVALID_VALUE',
        `state must be a ConnState 0..${STATE_COUNT - 1}, got ${shown(state)}`,
      );
    }
    const r = handle * R + 1;
    this.refs[r] = (((this.refs[r] as number) & SLOT_MASK) | (state << STATE_SHIFT)) >>> 0;
  }

  /** Packets recorded on entry `handle`. */
  packets(handle: number): number {
    this.checkHandle(handle);
    const r = handle * R;
    return ((this.refs[r + 7] as number) & 0xffff) * TWO_32 + (this.refs[r + 5] as number);
  }

  /** Bytes recorded on entry `handle`. */
  bytes(handle: number): number {
    this.checkHandle(handle);
    const r = handle * R;
    return ((this.refs[r + 7] as number) >>> 16) * TWO_32 + (this.refs[r + 6] as number);
  }

  /** Time entry `handle` was inserted. */
  created(handle: number): number {
    this.checkHandle(handle);
    return this.times.decode(this.refs[handle * R + 3] as number);
  }

  /**
   * Sets the time entry `handle` was created, for an entry that stands for something created
   * elsewhere at a known time (a connection another member created). `INVALID_VALUE` for a time
   * that is not a finite number, changing nothing.
   */
  setCreated(handle: number, time: number): void {
    this.checkHandle(handle);
    checkTime(time);
    const r = handle * R + 3;
    this.refs[r] = this.times.replace(this.refs[r] as number, time);
  }

  /** Time of the last packet recorded on entry `handle` (its insertion time before any). */
  lastSeen(handle: number): number {
    this.checkHandle(handle);
    return this.times.decode(this.refs[handle * R + 4] as number);
  }

  /** True when entry `handle` has been idle at `now` for at least its state's timeout. */
  isExpired(handle: number, now: number): boolean {
    this.checkHandle(handle);
    return this.expiredAt(handle, now);
  }

  protected expiredAt(e: number, now: number): boolean {
    const r = e * R;
    const state = (this.refs[r + 1] as number) >>> STATE_SHIFT;
    return now - this.times.decode(this.refs[r + 4] as number) >= (this.timeoutMs[state] as number);
  }

  protected checkHandle(handle: number): void {
    if (!(typeof handle === 'number' && handle >= 0 && handle < this.count && (handle | 0) === handle)) {
      throw new FlowTableError(
        'INVALID_HANDLE',
        `handle must be an integer 0..${this.count - 1} (a live entry), got ${shown(handle)}`,
      );
    }
  }

  /**
   * Appends an entry whose primary key sits in slot `slot` (the caller has checked
   * {@link MAX_ENTRIES} and stored the key): its record with the protocol's initial state,
   * `now` as both times (encoded once) and counters at 0; returns its handle.
   */
  protected appendRecord(slot: number, protocol: number, now: number, owner: number, backup: number): number {
    if (this.count === this.cap) this.growEntries();
    const e = this.count++;
    const r = e * 8; // R
    const refs = this.refs;
    const times = this.times;
    let created = times.offsetOf(now);
    if (created < 0) created = times.encode(now);
    refs[r] = (owner | (backup << 16)) >>> 0;
    // STATE_SHIFT 28; TCP's initial state is 0
    refs[r + 1] = protocol === 6 ? slot : (slot | (initialState(protocol) << 28)) >>> 0;
    refs[r + 2] = 0;
    refs[r + 3] = created;
    // An offset code stands for its time alone; a pooled one (POOLED up) is a record of its own per use.
    refs[r + 4] = created < 0x80000000 ? created : times.encode(now);
    refs[r + 5] = 0;
    refs[r + 6] = 0;
    refs[r + 7] = 0;
    return e;
  }

  protected growEntries(): void {
    this.cap = Math.min(MAX_ENTRIES, Math.max(16, Math.ceil(this.cap * 1.5)));
    this.placeRecords();
  }

  /**
   * Gives the entry records room for {@link cap} entries: a large table's grow in place in their
   * WebAssembly memory (taken once they reach the kernel size, where the record kernel updates
   * them); others, and any that memory fails, move to a new plain array.
   */
  protected placeRecords(): void {
    const words = this.cap * R;
    const old = this.refs;
    const had = this.recordMemory;
    if (had?.grow(words)) {
      this.refs = had.records;
      return;
    }
    const memory = had === null && words * 4 >= kernelThreshold() ? RecordMemory.create(words) : null;
    // A memory that failed to grow still holds the records: they are copied out of it.
    const next = memory?.records ?? lineAligned(words);
    next.set(old.subarray(0, this.count * R));
    this.refs = next;
    this.recordMemory = memory;
  }
}

/** Throws `INVALID_VALUE` unless `value` is an integer 0..65535. Internal to the package. */
export function checkU16(value: number, what: string): void {
  if (typeof value !== 'number' || (value & 0xffff) !== value) {
    throw new FlowTableError('INVALID_VALUE', `${what} must be an integer 0..65535, got ${shown(value)}`);
  }
}

/** Throws `INVALID_VALUE` unless `now` is a finite number. Internal to the package. */
export function checkTime(now: number): void {
  if (typeof now !== 'number' || !Number.isFinite(now)) {
    throw new FlowTableError(
      'INVALID_VALUE',
      `time must be a finite number of milliseconds, got ${shown(now)}`,
    );
  }
}
