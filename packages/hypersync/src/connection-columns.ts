import { NameTable } from './name-table.js';

/** The role of a slot no connection uses (free, or never handed out). */
export const FREE_SLOT = 255;

const INITIAL_CAPACITY = 1024;

/**
 * The ownership state of every connection a member holds, one slot per connection in typed
 * arrays: role, owner, owner incarnation, epoch, revision and backup (member ids interned in
 * `names`). A failover walks these arrays, not a million objects: promoting a replica writes a
 * few numbers in place and allocates nothing.
 */
export class ConnectionColumns {
  /** Member ids of `owner` and `backup` (0: none). */
  readonly names: NameTable = new NameTable();
  /** A {@link ConnectionRole} per slot, {@link FREE_SLOT} when unused. */
  role: Uint8Array = new Uint8Array(INITIAL_CAPACITY).fill(FREE_SLOT);
  /** Owner (an index in `names`). */
  owner: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  /** Owner incarnation the connection's record came from. */
  ownerIncarnation: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  /** Ownership epoch (u32). */
  epoch: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  /** Revision (u32). */
  rev: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  /** Designated backup (an index in `names`, 0 when none). */
  backup: Uint32Array = new Uint32Array(INITIAL_CAPACITY);
  /** Slots handed out so far: every slot at or above is free. */
  used = 0;
  private free: Int32Array = new Int32Array(INITIAL_CAPACITY);
  private freeCount = 0;

  /** Slots the arrays have room for. */
  get capacity(): number {
    return this.role.length;
  }

  /** Takes a free slot (growing the arrays when every slot is in use). */
  alloc(): number {
    if (this.freeCount > 0) return this.free[--this.freeCount] ?? 0;
    if (this.used === this.role.length) this.grow();
    return this.used++;
  }

  /**
   * Gives a slot back. Only its role is cleared: a connection just dropped may still read its
   * backup while its delete is queued, before the slot is handed out again.
   */
  release(slot: number): void {
    this.role[slot] = FREE_SLOT;
    this.free[this.freeCount++] = slot;
  }

  /** Frees every slot. */
  clear(): void {
    this.role.fill(FREE_SLOT, 0, this.used);
    this.used = 0;
    this.freeCount = 0;
  }

  private grow(): void {
    const n = this.role.length * 2;
    const role = new Uint8Array(n).fill(FREE_SLOT);
    role.set(this.role);
    this.role = role;
    this.owner = widen(this.owner, n);
    this.ownerIncarnation = widen(this.ownerIncarnation, n);
    this.epoch = widen(this.epoch, n);
    this.rev = widen(this.rev, n);
    this.backup = widen(this.backup, n);
    const free = new Int32Array(n);
    free.set(this.free);
    this.free = free;
  }
}

function widen(a: Uint32Array, n: number): Uint32Array {
  const b = new Uint32Array(n);
  b.set(a);
  return b;
}
