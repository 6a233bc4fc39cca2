import { type ConnectionRole, type StoredConnection, storedConnection } from './connection.js';
import { CHUNK_MASK, ConnectionColumns } from './connection-columns.js';
import type { ConnectionFields } from './messages.js';

/** Connections per page: consecutive ids share a page. */
const PAGE = 16;

class Page {
  count = 0;
  readonly slots: (StoredConnection | undefined)[] = new Array<StoredConnection | undefined>(PAGE).fill(
    undefined,
  );
}

/**
 * The connections a member holds, by id and by slot. A `Map` of one entry per connection costs a
 * hash-table probe at a random address per lookup, the largest cost of applying a sync record;
 * ids are allocated in runs by their owners, so records mostly arrive in id order. Here ids are
 * grouped in pages of 16: consecutive lookups hit the last page and cost an array index, and only
 * a page change probes the map. Each connection also has a slot in {@link ConnectionColumns},
 * where its ownership state lives, so walks over every connection run over typed arrays.
 */
export class ConnectionStore {
  /** Ownership state of every connection, by slot. */
  readonly cols: ConnectionColumns = new ConnectionColumns();
  private readonly pages = new Map<number, Page>();
  /** The connection in each slot (undefined when free). */
  private bySlot: (StoredConnection | undefined)[] = [];
  private lastKey = -1;
  private lastPage: Page | undefined = undefined;
  private count = 0;

  /** Connections held. */
  get size(): number {
    return this.count;
  }

  private page(id: number): Page | undefined {
    const key = Math.floor(id / PAGE);
    if (key === this.lastKey) return this.lastPage;
    const p = this.pages.get(key);
    if (p !== undefined) {
      this.lastKey = key;
      this.lastPage = p;
    }
    return p;
  }

  /** The connection with this id, if held. */
  get(id: number): StoredConnection | undefined {
    return this.page(id)?.slots[id % PAGE];
  }

  /** True when a connection with this id is held. */
  has(id: number): boolean {
    return this.get(id) !== undefined;
  }

  /** The connection in `slot`, if one is held there. */
  at(slot: number): StoredConnection | undefined {
    return this.bySlot[slot];
  }

  /** Stores a new connection (replacing one held under its id). */
  add(
    f: ConnectionFields,
    role: ConnectionRole,
    owner: string,
    ownerIncarnation: number,
    epoch: number,
    backup: string | undefined,
  ): StoredConnection {
    const cols = this.cols;
    const slot = cols.alloc();
    const chunk = cols.chunk(slot);
    const conn = storedConnection(chunk, slot, f);
    const i = slot & CHUNK_MASK;
    chunk.role[i] = role;
    chunk.owner[i] = cols.names.intern(owner);
    chunk.ownerIncarnation[i] = ownerIncarnation;
    chunk.epoch[i] = epoch;
    chunk.backup[i] = cols.names.intern(backup);
    this.bySlot[slot] = conn;
    const id = f.id;
    let p = this.page(id);
    if (p === undefined) {
      p = new Page();
      const key = Math.floor(id / PAGE);
      this.pages.set(key, p);
      this.lastKey = key;
      this.lastPage = p;
    }
    const at = id % PAGE;
    const old = p.slots[at];
    if (old === undefined) {
      p.count++;
      this.count++;
    } else {
      this.bySlot[old.slot] = undefined;
      cols.release(old.slot);
    }
    p.slots[at] = conn;
    return conn;
  }

  /** Forgets the connection with this id; true if one was held. */
  delete(id: number): boolean {
    const p = this.page(id);
    const at = id % PAGE;
    const conn = p?.slots[at];
    if (p === undefined || conn === undefined) return false;
    p.slots[at] = undefined;
    this.bySlot[conn.slot] = undefined;
    this.cols.release(conn.slot);
    this.count--;
    if (--p.count === 0) {
      const key = Math.floor(id / PAGE);
      this.pages.delete(key);
      if (this.lastKey === key) {
        this.lastKey = -1;
        this.lastPage = undefined;
      }
    }
    return true;
  }

  /** Forgets everything. */
  clear(): void {
    this.pages.clear();
    this.bySlot = [];
    this.cols.clear();
    this.lastKey = -1;
    this.lastPage = undefined;
    this.count = 0;
  }

  /** Every connection held, in slot order (deleting the one visited, or any other, while iterating is safe). */
  *values(): Generator<StoredConnection, void, undefined> {
    const used = this.cols.used;
    for (let s = 0; s < used; s++) {
      const c = this.bySlot[s];
      if (c !== undefined) yield c;
    }
  }
}
