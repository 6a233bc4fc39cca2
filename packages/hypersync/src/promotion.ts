import { type BackupCandidates, chooseBackup } from './backup-choice.js';
import { ConnectionRole, type StoredConnection } from './connection.js';
import { ConnectionColumns, FREE_SLOT } from './connection-columns.js';
import type { ConnectionStore } from './connection-store.js';
import type { SyncStats } from './sync-stats.js';

/** What the failover walk needs from a member's sync engine. */
export interface PromotionHost {
  readonly self: string;
  readonly incarnation: number;
  readonly store: ConnectionStore;
  readonly stats: SyncStats;
  /** Forgets a connection held here. */
  drop(conn: StoredConnection): void;
}

/** Where {@link promoteRun} stopped: slots written to the batch, replicas promoted. */
const N = 0;
const PROMOTED = 1;

/**
 * The urgent part of a view change, one pass over the store's columns: a replica whose owner left
 * the view (or came back as a new incarnation) is promoted here when this member is its backup
 * (or, for an extra copy whose designated backup left too, when the rendezvous choice lands here)
 * and dropped otherwise; an owned connection whose backup left forgets it. The slots of every
 * connection owned afterwards go to `batch` (its backup is re-chosen later, a slice per tick);
 * returns how many. Allocates nothing per connection: a failover of a million replicas writes a
 * few numbers per slot.
 */
export function promoteDeparted(
  h: PromotionHost,
  members: ReadonlyMap<string, number>,
  closed: ReadonlySet<string>,
  candidates: BackupCandidates,
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
  let s = 0;
  for (;;) {
    s = promoteRun(cols, s, used, live, gone, me, h.incarnation, batch, counts);
    if (s >= used) break;
    // An extra copy whose owner and designated backup are both gone: the copy the rendezvous
    // choice lands on takes over.
    const conn = h.store.at(s);
    if (conn !== undefined) {
      if (chooseBackup(conn.hash, conn.target, conn.owner, candidates) === h.self) {
        promoteSlot(cols, s, me, h.incarnation);
        batch[counts[N] ?? 0] = s;
        counts[N] = (counts[N] ?? 0) + 1;
        counts[PROMOTED] = (counts[PROMOTED] ?? 0) + 1;
      } else h.drop(conn);
    }
    s++;
  }
  h.stats.promoted += counts[PROMOTED] ?? 0;
  return counts[N] ?? 0;
}

/**
 * The hot loop of {@link promoteDeparted}, on typed arrays and numbers only (so it compiles to one
 * tight loop whatever the caller): walks slots from `from`, promotes the standby replicas of
 * departed owners, and returns the first slot that needs a decision it cannot make (an extra
 * copy that lost its owner and backup), or `used` when done.
 */
function promoteRun(
  cols: ConnectionColumns,
  from: number,
  used: number,
  live: Float64Array,
  gone: Uint8Array,
  me: number,
  myIncarnation: number,
  batch: Int32Array,
  counts: Int32Array,
): number {
  const { role, owner, ownerIncarnation, epoch, rev, backup } = cols;
  let n = counts[N] ?? 0;
  let promoted = 0;
  let s = from;
  for (; s < used; s++) {
    const r = role[s];
    if (r === ConnectionRole.OWNER) {
      // A backup that left (or restarted empty) holds nothing any more.
      if (gone[backup[s] ?? 0] === 1) backup[s] = 0;
      batch[n++] = s;
      continue;
    }
    if (r === FREE_SLOT || live[owner[s] ?? 0] === ownerIncarnation[s]) continue;
    if (r === ConnectionRole.STANDBY) {
      role[s] = ConnectionRole.OWNER;
      owner[s] = me;
      ownerIncarnation[s] = myIncarnation;
      epoch[s] = ((epoch[s] ?? 0) + 1) >>> 0;
      rev[s] = ((rev[s] ?? 0) + 1) >>> 0;
      // Its old backup was this member: placement chooses a new one and sends it everything.
      backup[s] = 0;
      promoted++;
      batch[n++] = s;
      continue;
    }
    const b = backup[s] ?? 0;
    if (b === 0 || (live[b] ?? -1) < 0) break;
  }
  counts[N] = n;
  counts[PROMOTED] = (counts[PROMOTED] ?? 0) + promoted;
  return s;
}

/** Makes the connection in `slot` owned here, one epoch and revision later, with no backup yet. */
function promoteSlot(cols: ConnectionColumns, slot: number, me: number, myIncarnation: number): void {
  cols.role[slot] = ConnectionRole.OWNER;
  cols.owner[slot] = me;
  cols.ownerIncarnation[slot] = myIncarnation;
  cols.epoch[slot] = ((cols.epoch[slot] ?? 0) + 1) >>> 0;
  cols.rev[slot] = ((cols.rev[slot] ?? 0) + 1) >>> 0;
  cols.backup[slot] = 0;
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
  const cols = new ConnectionColumns();
  const slots = 4096;
  for (let s = 0; s < slots; s++) cols.alloc();
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
    promoteRun(cols, 0, slots, live, gone, 0, 1, batch, counts);
  }
}
