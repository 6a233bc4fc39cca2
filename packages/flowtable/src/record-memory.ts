import { STATE_TABLE } from './conn-state.js';
import {
  type KernelMemory,
  kernelMemory,
  PAGE,
  type RecordFn,
  SCRATCH_BYTES,
  STATE_AT,
} from './probe-kernel.js';

/** Where the records start: past the scratch (lanes, sink, state table), on a cache line. */
const RECORDS_AT = Math.ceil(SCRATCH_BYTES / 64) * 64;
/** Pages a record memory may grow to: all a WebAssembly memory can address. */
const MAX_PAGES = 65536;

/**
 * A large table's entry records in a WebAssembly memory of their own, with the record kernel over
 * it (`recordMany`'s update, `record-kernel.ts`) and its scratch (a batch's lanes, the state table)
 * at the start. The records grow in place (`memory.grow`: no copy, no second memory alive while
 * the table grows), and the index's rehashes leave them alone. Internal to the package.
 */
export class RecordMemory {
  /** The records, a view of the memory from a 64-byte boundary (replaced when they grow). */
  records: Uint32Array;
  /** The scratch's lanes (replaced when the memory grows). */
  lanes: Int32Array;
  private readonly memory: KernelMemory;
  private readonly fn: RecordFn;

  private constructor(memory: KernelMemory, fn: RecordFn, words: number) {
    this.memory = memory;
    this.fn = fn;
    new Uint8Array(memory.buffer, STATE_AT, STATE_TABLE.length).set(STATE_TABLE);
    this.records = new Uint32Array(memory.buffer, RECORDS_AT, words);
    this.lanes = new Int32Array(memory.buffer, 0, SCRATCH_BYTES / 4);
  }

  /** Room for `words` words of records, or null when {@link kernelMemory} fails or it would pass 4 GiB. */
  static create(words: number): RecordMemory | null {
    const pages = pagesFor(words);
    if (pages > MAX_PAGES) return null;
    const k = kernelMemory(pages, MAX_PAGES);
    return k === null ? null : new RecordMemory(k.memory, k.record, words);
  }

  /** Bytes of the memory (scratch and page rounding included). */
  get byteLength(): number {
    return this.memory.buffer.byteLength;
  }

  /**
   * Makes room for `words` words of records, keeping the records there; returns false, changing
   * nothing, when the memory cannot grow that far.
   */
  grow(words: number): boolean {
    const more = pagesFor(words) - this.memory.buffer.byteLength / PAGE;
    try {
      if (more > 0) this.memory.grow(more);
    } catch {
      return false;
    }
    this.records = new Uint32Array(this.memory.buffer, RECORDS_AT, words);
    this.lanes = new Int32Array(this.memory.buffer, 0, SCRATCH_BYTES / 4);
    return true;
  }

  /**
   * Records one packet for each of the first `count` lanes (see `record-kernel.ts`) at the time of
   * offset code `nowCode` (-1: not an offset); returns how many lanes were left for the general
   * time update.
   */
  record(count: number, nowCode: number): number {
    return this.fn(0, RECORDS_AT, count, nowCode);
  }
}

function pagesFor(words: number): number {
  return Math.ceil((RECORDS_AT + words * 4) / PAGE);
}
