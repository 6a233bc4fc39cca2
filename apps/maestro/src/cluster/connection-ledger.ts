import type { MemberStatus } from './ipc.js';

/**
 * Which connections existed in the group and which were lost, by the orchestrator's flow
 * numbers. A connection is lost when a later packet of it finds no state anywhere: a member
 * dropped it for want of a connection, or created the connection again from a packet that was not
 * its first, while some member had created it before (and it had not expired since).
 */
export class ConnectionLedger {
  /** Connections lost so far. */
  lost = 0;
  /** Packets dropped for finding no connection although it had been created (its state was lost). */
  lostStatePackets = 0;
  /** Packets dropped for finding no connection that never existed (its first packet was lost). */
  orphanPackets = 0;
  /** Per flow: 1 while a member has reported creating it (and not its expiry). */
  private created = new Uint8Array(0);
  private lostFlows = new Uint8Array(0);

  /** Sizes the ledger for the flows of a replay. */
  reset(flows: number): void {
    this.created = new Uint8Array(flows);
    this.lostFlows = new Uint8Array(flows);
  }

  /**
   * Takes a member's status; calls `onLost` with each flow newly found lost. Misses and
   * re-creations are read before the status's own creations: a flow created again here was
   * missing until now.
   */
  apply(m: MemberStatus, onLost: (flow: number) => void): void {
    const created = this.created;
    const n = created.length;
    for (const f of m.missed) {
      if (f < n && created[f] === 1) {
        this.lostStatePackets++;
        this.markLost(f, onLost);
      } else this.orphanPackets++;
    }
    for (const f of m.recreated) if (f < n && created[f] === 1) this.markLost(f, onLost);
    for (const f of m.created) if (f < n) created[f] = 1;
    for (const f of m.expired) if (f < n) created[f] = 0;
    // A yielded flow (m.yielded) still exists: the member that created it first keeps it.
  }

  private markLost(flow: number, onLost: (flow: number) => void): void {
    if (this.lostFlows[flow] === 1) return;
    this.lostFlows[flow] = 1;
    this.lost++;
    onLost(flow);
  }
}
