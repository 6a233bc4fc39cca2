import type { FlowKey } from '@maestro/hash';
import {
  ByteWriter,
  createSyncRecord,
  encodeMessage,
  MessageType,
  RecordOp,
  type SyncMessage,
  type SyncRecord,
} from '@maestro/hypersync';

const BATCH = 32;

/**
 * Counts HyperSync traffic as the owner → backup channels would carry it: records are batched per
 * (owner, backup) pair and each batch is encoded with HyperSync's wire codec, so `bytes` is what
 * the sync network would see (acknowledgements excluded).
 */
interface PairBatch {
  readonly owner: number;
  /** Records of the batch being filled; the objects are reused from batch to batch. */
  readonly records: SyncRecord[];
  count: number;
}

export class SyncAccounting {
  records = 0;
  bytes = 0;
  /** Open batch per (owner, backup) pair, keyed `owner * 65536 + backup`. */
  private readonly pending = new Map<number, PairBatch>();
  private seq = 0;
  private readonly writer = new ByteWriter();

  constructor(private readonly ids: readonly string[]) {}

  /** Queues one record of connection `id` from `owner` to `backup` (engine indexes). */
  record(
    op: 'create' | 'update' | 'delete',
    id: number,
    key: FlowKey,
    state: number,
    owner: number,
    backup: number,
  ): void {
    if (owner === backup || backup < 0) return;
    const pair = owner * 65536 + backup;
    let batch = this.pending.get(pair);
    if (batch === undefined) {
      batch = { owner, records: [], count: 0 };
      this.pending.set(pair, batch);
    }
    let r = batch.records[batch.count];
    if (r === undefined) {
      r = createSyncRecord();
      batch.records.push(r);
    }
    batch.count++;
    r.op = op === 'create' ? RecordOp.CREATE : op === 'update' ? RecordOp.UPDATE : RecordOp.DELETE;
    r.id = id;
    r.family = key.family;
    r.protocol = key.protocol;
    r.portKind = key.portKind;
    r.srcV4 = key.srcV4;
    r.dstV4 = key.dstV4;
    if (key.family === 6) {
      // The caller's key is reused: the record keeps copies of the addresses.
      r.src6 = r.src6 ?? new Uint8Array(16);
      r.src6.set(key.src6);
      r.dst6 = r.dst6 ?? new Uint8Array(16);
      r.dst6.set(key.dst6);
    } else {
      r.src6 = undefined;
      r.dst6 = undefined;
    }
    r.srcPort = key.srcPort;
    r.dstPort = key.dstPort;
    r.state = state;
    r.rev = this.records;
    this.records++;
    if (batch.count >= BATCH) this.flushBatch(batch);
  }

  /** Encodes every partial batch. */
  flush(): void {
    for (const batch of this.pending.values()) if (batch.count > 0) this.flushBatch(batch);
  }

  private flushBatch(batch: PairBatch): void {
    const message: SyncMessage = {
      type: MessageType.SYNC,
      sender: this.ids[batch.owner] ?? '',
      incarnation: 1,
      peerIncarnation: 1,
      channel: 1,
      seq: this.seq++,
      bulkEnd: false,
      records: batch.count === batch.records.length ? batch.records : batch.records.slice(0, batch.count),
    };
    this.bytes += encodeMessage(message, this.writer).length;
    batch.count = 0;
  }
}
