import { NameTable } from './name-table.js';

/** The role of a slot no connection uses (free, or never handed out). */
export const FREE_SLOT = 255;

/** Slots per chunk (a power of two): slot `s` lives at `s & CHUNK_MASK` of chunk `s >>> CHUNK_BITS`. */
export const CHUNK_BITS = 16;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
/** The index of a slot within its chunk. */
export const CHUNK_MASK: number = CHUNK_SLOTS - 1;
const FIRST_CHUNK_SLOTS = 256;
/** Five u32 columns and a u8 one. */
const BYTES_PER_SLOT = 21;

/**
 * The ownership state of up to 65 536 connections, one slot each, in typed arrays: role, owner,
 * owner incarnation, epoch, revision and backup (member ids interned in `names`). The synced
 * fields stay on the connection objects: reading them through accessors from columns too made
 * the sync path slower, and a failover only needs these.
 */
export class ColumnChunk {
  /** A {@link ConnectionRole} per slot, {@link FREE_SLOT} when unused. */
  role: Uint8Array;
  /** Owner (an index in `names`). */
  owner: Uint32Array;
  /** Owner incarnation the connection's record came from. */
  ownerIncarnation: Uint32Array;
  /** Ownership epoch (u32). */
  epoch: Uint32Array;
  /** Revision (u32). */
  rev: Uint32Array;
  /** Designated backup (an index in `names`, 0 when none). */
  backup: Uint32Array;

  constructor(
    /** Member ids of `owner` and `backup` (shared by every chunk of a store). */
    readonly names: NameTable,
    /** The store slot of this chunk's index 0. */
    readonly base: number,
    size: number,
  ) {
    // One buffer for all six columns: V8 counts each external buffer it sees allocated towards
    // its next young-generation collection.
    const buf = new ArrayBuffer(size * BYTES_PER_SLOT);
    this.owner = new Uint32Array(buf, 0, size);
    this.ownerIncarnation = new Uint32Array(buf, 4 * size, size);
    this.epoch = new Uint32Array(buf, 8 * size, size);
    this.rev = new Uint32Array(buf, 12 * size, size);
    this.backup = new Uint32Array(buf, 16 * size, size);
    this.role = new Uint8Array(buf, 20 * size, size).fill(FREE_SLOT);
  }

  /** Slots this chunk has room for. */
  get size(): number {
    return this.role.length;
  }

  /** Grows the arrays to `size` slots (only a store's first chunk grows: small stores stay small). */
  resize(size: number): void {
    const grown = new ColumnChunk(this.names, this.base, size);
    grown.owner.set(this.owner);
    grown.ownerIncarnation.set(this.ownerIncarnation);
    grown.epoch.set(this.epoch);
    grown.rev.set(this.rev);
    grown.backup.set(this.backup);
    grown.role.set(this.role);
    this.owner = grown.owner;
    this.ownerIncarnation = grown.ownerIncarnation;
    this.epoch = grown.epoch;
    this.rev = grown.rev;
    this.backup = grown.backup;
    this.role = grown.role;
  }
}

/**
 * The ownership state of every connection a member holds, by slot, in chunks of {@link ColumnChunk}. A
 * failover walks these arrays, not a million objects: promoting a replica writes a few numbers in
 * place and allocates nothing. Chunks are added, never copied, as the store grows: growing one set
 * of arrays by doubling left tens of megabytes of dropped buffers, and V8 answers such external
 * memory with full garbage collections.
 */
export class ConnectionColumns {
  /** Member ids of `owner` and `backup` (0: none). */
  readonly names: NameTable = new NameTable();
  /** Chunk `k` holds slots `k << CHUNK_BITS` onwards. */
  readonly chunks: ColumnChunk[] = [];
  /** Slots handed out so far: every slot at or above is free. */
  used = 0;
  private capacitySlots = 0;
  private readonly free: number[] = [];

  /** Slots the chunks have room for. */
  get capacity(): number {
    return this.capacitySlots;
  }

  /** The chunk holding `slot`. */
  chunk(slot: number): ColumnChunk {
    const c = this.chunks[slot >>> CHUNK_BITS];
    if (c === undefined) throw new RangeError(`slot ${slot} was never handed out`);
    return c;
  }

  /** Takes a free slot (adding room when every slot is in use). */
  alloc(): number {
    const reused = this.free.pop();
    if (reused !== undefined) return reused;
    if (this.used === this.capacitySlots) this.grow();
    return this.used++;
  }

  /**
   * Gives a slot back. Only its role is cleared: a connection just dropped may still read its
   * backup while its delete is queued, before the slot is handed out again.
   */
  release(slot: number): void {
    this.chunk(slot).role[slot & CHUNK_MASK] = FREE_SLOT;
    this.free.push(slot);
  }

  /** Frees every slot (keeping the chunks). */
  clear(): void {
    for (const c of this.chunks) c.role.fill(FREE_SLOT);
    this.used = 0;
    this.free.length = 0;
  }

  private grow(): void {
    const first = this.chunks[0];
    if (first === undefined) {
      this.chunks.push(new ColumnChunk(this.names, 0, FIRST_CHUNK_SLOTS));
    } else if (first.size < CHUNK_SLOTS) {
      first.resize(Math.min(first.size * 4, CHUNK_SLOTS));
    } else {
      this.chunks.push(new ColumnChunk(this.names, this.chunks.length * CHUNK_SLOTS, CHUNK_SLOTS));
    }
    let cap = 0;
    for (const c of this.chunks) cap += c.size;
    this.capacitySlots = cap;
  }
}
