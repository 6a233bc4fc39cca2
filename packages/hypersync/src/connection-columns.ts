import { NameTable } from './name-table.js';

/** The role of a slot no connection uses (free, or never handed out). */
export const FREE_SLOT = 255;

/** Slots per chunk (a power of two): slot `s` lives at `s & CHUNK_MASK` of chunk `s >>> CHUNK_BITS`. */
export const CHUNK_BITS = 16;
const CHUNK_SLOTS = 1 << CHUNK_BITS;
/** The index of a slot within its chunk. */
export const CHUNK_MASK: number = CHUNK_SLOTS - 1;
const FIRST_CHUNK_SLOTS = 256;

/**
 * The numbers of up to 65 536 connections, one slot each, in typed arrays: the ownership state
 * (role, owner, owner incarnation, epoch, revision, backup; member ids interned in `names`) and
 * the numeric synced fields. The numeric fields are here too because an object field holding a
 * u32 above 2^31 is a boxed double in V8, one more heap object per connection for every garbage
 * collection to trace.
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
  /** Address family (4 or 6). */
  family: Uint8Array;
  protocol: Uint8Array;
  portKind: Uint8Array;
  srcV4: Uint32Array;
  dstV4: Uint32Array;
  srcPort: Uint16Array;
  dstPort: Uint16Array;
  /** Distribution hash (u32). */
  hash: Uint32Array;
  /** Application state (u16). */
  state: Uint16Array;
  /** Application timeout (u32). */
  timeout: Uint32Array;

  constructor(
    /** Member ids of `owner` and `backup` (shared by every chunk of a store). */
    readonly names: NameTable,
    /** The store slot of this chunk's index 0. */
    readonly base: number,
    size: number,
  ) {
    this.role = new Uint8Array(size).fill(FREE_SLOT);
    this.owner = new Uint32Array(size);
    this.ownerIncarnation = new Uint32Array(size);
    this.epoch = new Uint32Array(size);
    this.rev = new Uint32Array(size);
    this.backup = new Uint32Array(size);
    this.family = new Uint8Array(size);
    this.protocol = new Uint8Array(size);
    this.portKind = new Uint8Array(size);
    this.srcV4 = new Uint32Array(size);
    this.dstV4 = new Uint32Array(size);
    this.srcPort = new Uint16Array(size);
    this.dstPort = new Uint16Array(size);
    this.hash = new Uint32Array(size);
    this.state = new Uint16Array(size);
    this.timeout = new Uint32Array(size);
  }

  /** Slots this chunk has room for. */
  get size(): number {
    return this.role.length;
  }

  /** Grows the arrays to `size` slots (only a store's first chunk grows: small stores stay small). */
  resize(size: number): void {
    const role = new Uint8Array(size).fill(FREE_SLOT);
    role.set(this.role);
    this.role = role;
    this.owner = widen(this.owner, size);
    this.ownerIncarnation = widen(this.ownerIncarnation, size);
    this.epoch = widen(this.epoch, size);
    this.rev = widen(this.rev, size);
    this.backup = widen(this.backup, size);
    this.family = widen(this.family, size);
    this.protocol = widen(this.protocol, size);
    this.portKind = widen(this.portKind, size);
    this.srcV4 = widen(this.srcV4, size);
    this.dstV4 = widen(this.dstV4, size);
    this.srcPort = widen(this.srcPort, size);
    this.dstPort = widen(this.dstPort, size);
    this.hash = widen(this.hash, size);
    this.state = widen(this.state, size);
    this.timeout = widen(this.timeout, size);
  }
}

/**
 * The numbers of every connection a member holds, by slot, in chunks of {@link ColumnChunk}. A
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

type Column = Uint8Array | Uint16Array | Uint32Array;

/** A copy of `a` with room for `n` slots. */
function widen<T extends Column>(a: T, n: number): T {
  const b = new (a.constructor as new (n: number) => T)(n);
  b.set(a);
  return b;
}
