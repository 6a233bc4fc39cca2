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
  private readonly table: FlowTable;

  /** `capacity`: the flows expected (pre-sizes the table; it still grows). */
  constructor(capacity = 4096) {
    this.table = new FlowTable({
      symmetric: true,
      capacity,
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
  }

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

  /**
   * The `n` flows with the most packets (ties: more bytes, then first seen), most first. One pass
   * with a bounded min-heap of handles: O(flows · log n), not a sort of every flow.
   */
  top(n: number): FlowTotals[] {
    const t = this.table;
    const k = Math.min(n, t.size);
    if (k <= 0) return [];
    // `a` ranks below `b`: fewer packets, or as many and fewer bytes, or a tie seen later.
    const below = (a: number, b: number): boolean => {
      const pa = t.packets(a);
      const pb = t.packets(b);
      if (pa !== pb) return pa < pb;
      const ba = t.bytes(a);
      const bb = t.bytes(b);
      return ba !== bb ? ba < bb : a > b;
    };
    const heap = new Int32Array(k); // heap[0] is the lowest-ranked of the best k so far
    let size = 0;
    const siftDown = (from: number): void => {
      let i = from;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) return;
        const r = l + 1;
        const c = r < size && below(heap[r] as number, heap[l] as number) ? r : l;
        if (!below(heap[c] as number, heap[i] as number)) return;
        const tmp = heap[i] as number;
        heap[i] = heap[c] as number;
        heap[c] = tmp;
        i = c;
      }
    };
    for (let h = 0; h < t.size; h++) {
      if (size < k) {
        let i = size++;
        heap[i] = h;
        while (i > 0) {
          const parent = (i - 1) >> 1;
          if (!below(heap[i] as number, heap[parent] as number)) break;
          const tmp = heap[i] as number;
          heap[i] = heap[parent] as number;
          heap[parent] = tmp;
          i = parent;
        }
      } else if (below(heap[0] as number, h)) {
        heap[0] = h;
        siftDown(0);
      }
    }
    const best = Array.from(heap.subarray(0, size)).sort((a, b) => (below(a, b) ? 1 : below(b, a) ? -1 : 0));
    return best.map((h) => ({ key: t.keyAt(h, createFlowKey()), packets: t.packets(h), bytes: t.bytes(h) }));
  }
}
