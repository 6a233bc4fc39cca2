import type { StoredConnection } from './connection.js';

/** Connections per page: consecutive ids share a page. */
const PAGE = 16;

class Page {
  count = 0;
  readonly slots: (StoredConnection | undefined)[] = new Array<StoredConnection | undefined>(PAGE).fill(
    undefined,
  );
}

/**
 * The connections a member holds, by id. A `Map` of one entry per connection costs a hash-table
 * probe at a random address per lookup, the largest cost of applying a sync record; ids are
 * allocated in runs by their owners, so records mostly arrive in id order. Here ids are grouped in
 * pages of 16: consecutive lookups hit the last page and cost an array index, and only a page
 * change probes the map.
 */
export class ConnectionStore {
  private readonly pages = new Map<number, Page>();
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

  /** Stores `conn` under its id (replacing one held under it). */
  set(id: number, conn: StoredConnection): void {
    let p = this.page(id);
    if (p === undefined) {
      p = new Page();
      const key = Math.floor(id / PAGE);
      this.pages.set(key, p);
      this.lastKey = key;
      this.lastPage = p;
    }
    const at = id % PAGE;
    if (p.slots[at] === undefined) {
      p.count++;
      this.count++;
    }
    p.slots[at] = conn;
  }

  /** Forgets the connection with this id; true if one was held. */
  delete(id: number): boolean {
    const p = this.page(id);
    const at = id % PAGE;
    if (p === undefined || p.slots[at] === undefined) return false;
    p.slots[at] = undefined;
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
    this.lastKey = -1;
    this.lastPage = undefined;
    this.count = 0;
  }

  /**
   * The pages' slot arrays (holes are undefined): the fast way to walk a million connections, one
   * iterator step per page. Deleting while iterating is safe.
   */
  *chunks(): Generator<readonly (StoredConnection | undefined)[], void, undefined> {
    for (const p of this.pages.values()) yield p.slots;
  }

  /** Every connection held (deleting the one visited, or any other, while iterating is safe). */
  *values(): Generator<StoredConnection, void, undefined> {
    for (const p of this.pages.values()) {
      for (let i = 0; i < PAGE; i++) {
        const c = p.slots[i];
        if (c !== undefined) yield c;
      }
    }
  }
}
