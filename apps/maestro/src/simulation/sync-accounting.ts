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
export class SyncAccounting {
  records = 0;
  bytes = 0;
  private readonly pending = new Map<string, SyncRecord[]>();
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
    const pair = `${owner}>${backup}`;
    let batch = this.pending.get(pair);
    if (batch === undefined) {
      batch = [];
      this.pending.set(pair, batch);
    }
    const r = createSyncRecord();
    r.op = op === 'create' ? RecordOp.CREATE : op === 'update' ? RecordOp.UPDATE : RecordOp.DELETE;
    r.id = id;
    r.family = key.family;
    r.protocol = key.protocol;
    r.portKind = key.portKind;
    r.srcV4 = key.srcV4;
    r.dstV4 = key.dstV4;
    r.src6 = key.family === 6 ? key.src6 : undefined;
    r.dst6 = key.family === 6 ? key.dst6 : undefined;
    r.srcPort = key.srcPort;
    r.dstPort = key.dstPort;
    r.state = state;
    r.rev = this.records;
    batch.push(r);
    this.records++;
    if (batch.length >= BATCH) this.flushPair(pair, batch, owner);
  }

  /** Encodes every partial batch. */
  flush(): void {
    for (const [pair, batch] of this.pending) {
      if (batch.length > 0) this.flushPair(pair, batch, Number(pair.split('>')[0]));
    }
  }

  private flushPair(pair: string, batch: SyncRecord[], owner: number): void {
    const message: SyncMessage = {
      type: MessageType.SYNC,
      sender: this.ids[owner] ?? '',
      incarnation: 1,
      peerIncarnation: 1,
      channel: 1,
      seq: this.seq++,
      bulkEnd: false,
      records: batch,
    };
    this.bytes += encodeMessage(message, this.writer).length;
    this.pending.set(pair, []);
  }
}
