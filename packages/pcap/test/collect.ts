import { formatFlow } from '@maestro/hash';
import {
  CaptureReader,
  DecodeStatus,
  type PacketRecord,
  packetBytes,
  type ReadSummary,
} from '../src/index.js';

/** A packet copied out of the reused record, for comparisons. */
export interface Snapshot {
  readonly index: number;
  readonly recordOffset: number;
  readonly interfaceId: number;
  readonly linkType: number;
  readonly timestampSec: number;
  readonly timestampNs: number;
  readonly originalLength: number;
  readonly data: Uint8Array;
  readonly flow: string;
}

export function snapshot(p: PacketRecord): Snapshot {
  return {
    index: p.index,
    recordOffset: p.recordOffset,
    interfaceId: p.interfaceId,
    linkType: p.linkType,
    timestampSec: p.timestampSec,
    timestampNs: p.timestampNs,
    originalLength: p.originalLength,
    data: packetBytes(p),
    flow: p.status === DecodeStatus.OK ? formatFlow(p.flow) : `status ${String(p.status)}`,
  };
}

/** Reads `bytes` pushed in chunks whose sizes cycle through `sizes` (one chunk when omitted). */
export function readChunked(
  bytes: Uint8Array,
  sizes: readonly number[] = [bytes.length || 1],
): { packets: Snapshot[]; summary: ReadSummary; maxCarry: number } {
  const reader = new CaptureReader();
  const packets: Snapshot[] = [];
  let maxCarry = 0;
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = sizes[i % sizes.length] as number;
    if (!reader.push(bytes.subarray(at, at + size), (p) => packets.push(snapshot(p)))) break;
    maxCarry = Math.max(maxCarry, reader.carryCapacity);
    at += size;
  }
  return { packets, summary: reader.end(), maxCarry };
}
