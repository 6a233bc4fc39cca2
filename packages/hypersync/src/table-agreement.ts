import type { TableRequestMessage, ViewMember } from './messages.js';
import {
  type DistributionTable,
  freshTable,
  nextTable,
  type TableMember,
  tableFromOwners,
  tableProblem,
} from './table-source.js';

/** Buckets per TABLE_CHUNK message. */
export const CHUNK_BUCKETS = 600;
/** Chunks sent in answer to one TABLE_REQUEST. */
export const CHUNKS_PER_REQUEST = 16;

/** A 32-bit digest of a table: its size, members, weights and every bucket owner. Never 0. */
export function tableDigest(t: DistributionTable): number {
  let h = 0x811c9dc5;
  h = Math.imul(h ^ t.size, 0x01000193);
  for (const m of t.members) {
    for (let i = 0; i < m.id.length; i++) h = Math.imul(h ^ m.id.charCodeAt(i), 0x01000193);
    h = Math.imul(h ^ (m.weight + 0x10000), 0x01000193);
  }
  const o = t.owners;
  for (let b = 0; b < o.length; b++) h = Math.imul(h ^ (o[b] ?? 0), 0x01000193);
  return h >>> 0 || 1;
}

/**
 * Why a view received from a peer cannot be followed, or undefined when it can: a member listed
 * twice, or a table digest with a table that cannot be built (a size that is not a prime, smaller
 * than the active set, or an active set without weight). A coordinator never composes one.
 */
export function viewProblem(
  members: readonly ViewMember[],
  tableDigest: number,
  tableSize: number,
): string | undefined {
  const ids = new Set<string>();
  for (const m of members) {
    if (ids.has(m.id)) return `member ${m.id} is listed twice`;
    ids.add(m.id);
  }
  return tableDigest === 0 ? undefined : tableProblem(tableMembers(members), tableSize);
}

/** The members a view's table is built for: its active members with weight, in id order. */
export function tableMembers(members: readonly ViewMember[]): TableMember[] {
  return members.filter((m) => m.active).map((m) => ({ id: m.id, weight: m.weight }));
}

/**
 * The table a coordinator puts in force for a new active set: rebalanced from the current one
 * (fewest moved buckets) when there is one of the same size, built fresh otherwise; none when the
 * active set has no weight.
 */
export function planTable(
  current: DistributionTable | undefined,
  members: readonly TableMember[],
  size: number,
): DistributionTable | undefined {
  if (!members.some((m) => m.weight > 0)) return undefined;
  if (current !== undefined && current.size === size) return nextTable(current, members);
  return freshTable(members, size);
}

/** One member's copy of the table in force, following the views and fetching what it cannot compute. */
export class TableAgreement {
  /** The table in force here, if any. */
  table: DistributionTable | undefined = undefined;
  /** Its digest (0: none). */
  digest = 0;
  private wantVersion = 0;
  private wantDigest = 0;
  private wantMembers: TableMember[] = [];
  private assembly: Uint16Array | undefined = undefined;
  private filled = 0;
  private readonly early = new Map<number, Uint16Array>();

  /** Sets the table directly (the coordinator's own, or one computed locally). */
  set(table: DistributionTable | undefined): void {
    this.table = table;
    this.digest = table === undefined ? 0 : tableDigest(table);
    this.assembly = undefined;
    this.wantDigest = 0;
  }

  /**
   * Follows a view: computes its table from the one in force when the view's base is it (or a
   * fresh build), else starts fetching it. Returns true when the table in force is the view's.
   */
  follow(
    version: number,
    digest: number,
    base: number,
    size: number,
    members: readonly ViewMember[],
  ): boolean {
    if (digest === this.digest) {
      // A fetch for an older view may still be in progress: completing it would replace the
      // table in force with a stale one.
      this.assembly = undefined;
      this.wantDigest = 0;
      return true;
    }
    const tm = tableMembers(members);
    if (digest === 0) {
      this.set(undefined);
      return true;
    }
    if (base === this.digest || base === 0) {
      const t = base === 0 ? freshTable(tm, size) : planTable(this.table, tm, size);
      if (t !== undefined && tableDigest(t) === digest) {
        this.set(t);
        return true;
      }
    }
    if (this.wantDigest !== digest || this.assembly?.length !== size) {
      this.wantVersion = version;
      this.wantDigest = digest;
      this.wantMembers = tm;
      this.assembly = new Uint16Array(size);
      this.filled = 0;
      this.early.clear();
    }
    return false;
  }

  /** The request to send while fetching (undefined when nothing is missing). */
  request(): { version: number; offset: number } | undefined {
    if (this.assembly === undefined) return undefined;
    return { version: this.wantVersion, offset: this.filled };
  }

  /** Takes a chunk (any order, duplicates ignored); returns true when the fetched table became the one in force. */
  accept(digest: number, size: number, offset: number, owners: Uint16Array): boolean {
    const a = this.assembly;
    if (a === undefined || digest !== this.wantDigest || size !== a.length) return false;
    const n = this.wantMembers.length;
    for (const o of owners) if (o >= n) return false;
    if (offset > this.filled) {
      if (this.early.size < 64) this.early.set(offset, owners);
      return false;
    }
    let chunk: Uint16Array | undefined = owners;
    let at = offset;
    while (chunk !== undefined) {
      if (at + chunk.length > this.filled) {
        a.set(chunk, at);
        this.filled = at + chunk.length;
      }
      this.early.delete(at);
      at = this.filled;
      chunk = this.early.get(at);
    }
    if (this.filled < a.length) return false;
    const t = tableFromOwners(this.wantMembers, Uint32Array.from(a));
    if (tableDigest(t) !== digest) {
      this.filled = 0;
      this.early.clear();
      return false;
    }
    this.set(t);
    return true;
  }
}

/** The chunks answering a request, from the table in force (empty when it does not match). */
export function answerTableRequest(
  table: DistributionTable | undefined,
  version: number,
  req: Pick<TableRequestMessage, 'offset'>,
): { version: number; digest: number; size: number; offset: number; owners: Uint16Array }[] {
  if (table === undefined || req.offset >= table.size) return [];
  const digest = tableDigest(table);
  const out: { version: number; digest: number; size: number; offset: number; owners: Uint16Array }[] = [];
  let offset = req.offset;
  for (let k = 0; k < CHUNKS_PER_REQUEST && offset < table.size; k++) {
    const end = Math.min(table.size, offset + CHUNK_BUCKETS);
    out.push({
      version,
      digest,
      size: table.size,
      offset,
      owners: Uint16Array.from(table.owners.subarray(offset, end)),
    });
    offset = end;
  }
  return out;
}
