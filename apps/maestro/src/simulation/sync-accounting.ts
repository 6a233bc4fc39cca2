import type { FlowKey } from '@maestro/hash';
import { createSyncRecord, RecordOp, syncHeaderSize, syncRecordSize } from '@maestro/hypersync';

/** Records per SYNC datagram of one owner → backup channel. */
export const SYNC_BATCH = 32;

/**
 * Counts HyperSync traffic as the owner → backup channels would carry it: records are batched per
 * (owner, backup) pair, {@link SYNC_BATCH} to a SYNC datagram, and `bytes` is what HyperSync's
 * encoder would write for those datagrams (acknowledgements excluded). The sizes come from
 * HyperSync's own `syncHeaderSize` and `syncRecordSize`, so nothing is encoded per record.
 */
export class SyncAccounting {
  records = 0;
  bytes = 0;
  /** Records in the open datagram of each (owner, backup) pair, at `owner * members + backup`. */
  private readonly open: Int32Array;
  /** Header bytes of a datagram sent by each member (its id is in the header). */
  private readonly headers: Int32Array;
  private readonly upsertV4: number;
  private readonly upsertV6: number;
  private readonly deleted: number;

  constructor(private readonly ids: readonly string[]) {
    this.open = new Int32Array(ids.length * ids.length);
    this.headers = Int32Array.from(ids, (id) => syncHeaderSize(id.length));
    const r = createSyncRecord();
    r.op = RecordOp.CREATE;
    this.upsertV4 = syncRecordSize(r);
    r.family = 6;
    this.upsertV6 = syncRecordSize(r);
    r.op = RecordOp.DELETE;
    this.deleted = syncRecordSize(r);
  }

  /** Counts a create or update record of connection `key` from `owner` to `backup` (engine indexes). */
  upsert(key: FlowKey, owner: number, backup: number): void {
    this.count(key.family === 6 ? this.upsertV6 : this.upsertV4, owner, backup);
  }

  /** Counts a delete record from `owner` to `backup` (its size does not depend on the connection). */
  delete(owner: number, backup: number): void {
    this.count(this.deleted, owner, backup);
  }

  private count(recordBytes: number, owner: number, backup: number): void {
    if (owner === backup || backup < 0) return;
    const pair = owner * this.ids.length + backup;
    const open = this.open[pair] as number;
    // A datagram's header is counted when its first record is.
    if (open === 0) this.bytes += this.headers[owner] as number;
    this.open[pair] = open + 1 === SYNC_BATCH ? 0 : open + 1;
    this.bytes += recordBytes;
    this.records++;
  }
}
