import { FlowTable } from '@maestro/flowtable';
import { createFlowKey, type FlowKey, PortKind } from '@maestro/hash';

/** One flow's totals (both directions). */
export interface FlowTotals {
  /** The flow as first seen (its first packet's direction). */
  readonly key: FlowKey;
  readonly packets: number;
  readonly bytes: number;
}

/**
 * Counts packets and bytes per flow, both directions of a connection as one flow, in a
 * direction-independent `@maestro/flowtable` table that never expires (no per-packet strings or
 * objects). Non-first fragments carry no ports, so they are not attributed to a flow.
 */
export class FlowCounter {
  private readonly table = new FlowTable({
    symmetric: true,
    capacity: 4096,
    timeouts: {
      tcpSyn: 2 ** 31,
      tcpEstablished: 2 ** 31,
      tcpClosing: 2 ** 31,
      tcpClosed: 2 ** 31,
      udp: 2 ** 31,
      icmp: 2 ** 31,
      other: 2 ** 31,
    },
  });

  /** Number of distinct flows seen. */
  get size(): number {
    return this.table.size;
  }

  /** Counts one packet of `key`. */
  add(key: FlowKey, bytes: number): void {
    if (key.portKind === PortKind.FRAGMENT) return;
    let h = this.table.find(key);
    const reply = h >= 0 && this.table.lastReply;
    if (h < 0) h = this.table.insert(key, 0, 0);
    this.table.record(h, 0, bytes, 0, reply);
  }

  /** The `n` flows with the most packets (ties: more bytes). */
  top(n: number): FlowTotals[] {
    const t = this.table;
    const handles = Array.from({ length: t.size }, (_, h) => h);
    handles.sort((a, b) => t.packets(b) - t.packets(a) || t.bytes(b) - t.bytes(a));
    return handles
      .slice(0, n)
      .map((h) => ({ key: t.keyAt(h, createFlowKey()), packets: t.packets(h), bytes: t.bytes(h) }));
  }
}
