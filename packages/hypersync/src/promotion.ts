import { ConnectionRole } from './connection.js';
import { ColumnChunk, FREE_SLOT } from './connection-columns.js';
import type { ConnectionStore } from './connection-store.js';
import { NameTable } from './name-table.js';
import type { SyncStats } from './sync-stats.js';

/** Where {@link promoteRun} writes: slots written to the batch, replicas promoted. */
const N = 0;
const PROMOTED = 1;

/** What the failover walk needs from a member's sync engine. */
export interface PromotionHost {
  readonly self: string;
  readonly incarnation: number;
  readonly store: ConnectionStore;
  readonly stats: SyncStats;
}

/**
 * The urgent part of a view change, one pass over the store's columns. A replica whose owner left the view (or came back as a
 * new incarnation) is promoted here when this member is its backup, and so is an extra copy (the
 * `all` policy) whose designated backup left or restarted too: every such copy takes over, and the
 * ownership order (higher epoch, then the smaller owner id) leaves one owner once their records
 * meet, so a connection is kept while any copy of it is. An extra copy whose designated backup left
 * or restarted while its owner stays forgets that backup (it holds nothing), as an owned connection
 * does. The slots of every connection owned afterwards go to `batch` (its backup is re-chosen
 * later, a slice per tick); returns how many. Allocates nothing per connection: a failover of a
 * million replicas writes a few numbers per slot.
 */
export function promoteDeparted(
  h: PromotionHost,
  members: ReadonlyMap<string, number>,
  closed: ReadonlySet<string>,
  batch: Int32Array,
): number {
  const cols = h.store.cols;
  const names = cols.names;
  // Per interned member: its incarnation in the view (-1 when not in it), and whether it left.
  const live = new Float64Array(names.size).fill(-1);
  for (const [id, inc] of members) {
    const i = names.find(id);
    if (i >= 0) live[i] = inc;
  }
  const gone = new Uint8Array(names.size);
  for (const id of closed) {
    const i = names.find(id);
    if (i >= 0) gone[i] = 1;
  }
  const me = names.intern(h.self);
  const counts = new Int32Array(2);
  const used = cols.used;
  for (const chunk of cols.chunks) {
    promoteRun(chunk, Math.min(chunk.size, used - chunk.base), live, gone, me, h.incarnation, batch, counts);
  }
  h.stats.promoted += counts[PROMOTED] ?? 0;
  return counts[N] ?? 0;
}

/**
 * The hot loop of {@link promoteDeparted}, on typed arrays and numbers only (so it compiles to one
 * tight loop whatever the caller): walks a chunk's slots below `end`, promotes, and writes the
 * slots owned afterwards to `batch` from `counts[N]` on.
 */
function promoteRun(
  chunk: ColumnChunk,
  end: number,
  live: Float64Array,
  gone: Uint8Array,
  me: number,
  myIncarnation: number,
  batch: Int32Array,
  counts: Int32Array,
): void {
  const { role, owner, ownerIncarnation, epoch, rev, backup, base } = chunk;
  let n = counts[N] ?? 0;
  let promoted = 0;
  for (let i = 0; i < end; i++) {
    const r = role[i];
    if (r === ConnectionRole.OWNER) {
      // A backup that left (or restarted empty) holds nothing any more.
      if (gone[backup[i] ?? 0] === 1) backup[i] = 0;
      batch[n++] = base + i;
      continue;
    }
    if (r === FREE_SLOT) continue;
    if (r === ConnectionRole.EXTRA && gone[backup[i] ?? 0] === 1) backup[i] = 0;
    if (live[owner[i] ?? 0] === ownerIncarnation[i]) continue;
    // An extra copy waits for its designated backup to take over while that one is in the view.
    const b = backup[i] ?? 0;
    if (r === ConnectionRole.EXTRA && b !== 0 && (live[b] ?? -1) >= 0) continue;
    role[i] = ConnectionRole.OWNER;
    owner[i] = me;
    ownerIncarnation[i] = myIncarnation;
    epoch[i] = ((epoch[i] ?? 0) + 1) >>> 0;
    rev[i] = ((rev[i] ?? 0) + 1) >>> 0;
    // Placement chooses a new backup and sends it everything.
    backup[i] = 0;
    promoted++;
    batch[n++] = base + i;
  }
  counts[N] = n;
  counts[PROMOTED] = (counts[PROMOTED] ?? 0) + promoted;
}

let warmed = false;

/**
 * Runs the hot loop over a small scratch store until V8 has compiled it, once per process, so
 * that the first failover of a million replicas does not run its first part in the interpreter
 * (that doubled the first promotion's time in the benchmark). A few milliseconds, at the first
 * engine's construction.
 */
export function warmPromotion(): void {
  if (warmed) return;
  warmed = true;
  const slots = 4096;
  const cols = new ColumnChunk(new NameTable(), 0, slots);
  const live = new Float64Array([-1, 1, -1]);
  const gone = new Uint8Array(3);
  const batch = new Int32Array(slots);
  const counts = new Int32Array(2);
  for (let round = 0; round < 40; round++) {
    // Half standby replicas of a departed owner (2), a quarter kept (owner 1 stays), a quarter owned.
    for (let s = 0; s < slots; s++) {
      cols.role[s] = s % 4 === 3 ? ConnectionRole.OWNER : ConnectionRole.STANDBY;
      cols.owner[s] = s % 4 === 2 ? 1 : 2;
      cols.ownerIncarnation[s] = 1;
    }
    counts.fill(0);
    promoteRun(cols, slots, live, gone, 0, 1, batch, counts);
  }
}
