import { cloneFlowKey, type FlowKey, formatIPv6, PortKind } from '@maestro/hash';

/** One flow's totals (both directions). */
export interface FlowTotals {
  /** The flow as first seen (its first packet's direction). */
  readonly key: FlowKey;
  packets: number;
  bytes: number;
}

/**
 * Counts packets and bytes per flow, both directions of a connection as one flow. Non-first
 * fragments carry no ports, so they are not attributed to a flow.
 */
export class FlowCounter {
  private readonly flows = new Map<string, FlowTotals>();

  /** Number of distinct flows seen. */
  get size(): number {
    return this.flows.size;
  }

  /** Counts one packet of `key`. */
  add(key: FlowKey, bytes: number): void {
    if (key.portKind === PortKind.FRAGMENT) return;
    const id = canonicalId(key);
    const totals = this.flows.get(id);
    if (totals === undefined) {
      this.flows.set(id, { key: cloneFlowKey(key), packets: 1, bytes });
    } else {
      totals.packets++;
      totals.bytes += bytes;
    }
  }

  /** The `n` flows with the most packets (ties: more bytes, then first seen). */
  top(n: number): FlowTotals[] {
    return [...this.flows.values()].sort((a, b) => b.packets - a.packets || b.bytes - a.bytes).slice(0, n);
  }
}

/** A string naming a flow whatever its direction. */
export function canonicalId(key: FlowKey): string {
  const a = key.family === 4 ? String(key.srcV4) : formatIPv6(key.src6);
  const b = key.family === 4 ? String(key.dstV4) : formatIPv6(key.dst6);
  const first = a < b || (a === b && key.srcPort <= key.dstPort);
  return first
    ? `${key.protocol}|${a}|${key.srcPort}|${b}|${key.dstPort}`
    : `${key.protocol}|${b}|${key.dstPort}|${a}|${key.srcPort}`;
}
