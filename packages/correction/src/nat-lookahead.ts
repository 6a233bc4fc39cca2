import { FIND_BATCH, type FlowTable, TcpFlag } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import type { CreatedKeys } from './created-keys.js';
import { applyNat, type NatRule } from './nat.js';
import { type NatTable, portSeed } from './nat-table.js';
import type { Packet } from './types.js';

/** {@link NatLookahead.rule} of a lane the lookahead did not look at. */
export const NOT_AHEAD = -2;

/**
 * The NAT rules and translated tuples a `decideMany` batch's creations will try first, looked up in the owned
 * table together (one `FlowTable.findMany`) before the batch is decided: a creation then takes its
 * rule and translated tuple from here and knows whether that tuple is taken without a lookup of
 * its own, whose bucket is a cache miss that nothing else overlaps. Only pure steps run ahead (the NAT rule match and the first hide-NAT
 * port, both functions of the original tuple); the config's functions still run in packet order.
 * Internal to the package.
 */
export class NatLookahead {
  /** Per lane of the batch: the index of its translated tuple in {@link keys}, or -1. */
  private readonly slot: Int32Array = new Int32Array(FIND_BATCH).fill(-1);
  /** Per lane of the batch: its NAT rule, -1 for none, {@link NOT_AHEAD} when not looked at. */
  private readonly rules: Int32Array = new Int32Array(FIND_BATCH).fill(NOT_AHEAD);
  private readonly keys: FlowKey[] = Array.from({ length: FIND_BATCH }, createFlowKey);
  private readonly handles: Int32Array = new Int32Array(FIND_BATCH);
  private lanes = 0;

  /**
   * Looks up, for each lane of `packets[from .. from+valid-1]` that missed the owned table and may
   * create a connection, the translated tuple its creation tries first (`handles` are the lanes'
   * owned-table lookups).
   */
  prepare(
    nat: NatTable,
    owned: FlowTable,
    packets: ArrayLike<Packet>,
    from: number,
    valid: number,
    handles: Int32Array,
  ): void {
    const slot = this.slot;
    const rules = this.rules;
    for (let i = 0; i < this.lanes; i++) {
      slot[i] = -1;
      rules[i] = NOT_AHEAD;
    }
    this.lanes = 0;
    if (nat.rules.length === 0) return;
    let n = 0;
    for (let i = 0; i < valid; i++) {
      if ((handles[i] as number) >= 0) continue;
      const p = packets[from + i] as Packet;
      const o = p.key;
      if (
        p.embedded !== null ||
        p.hops !== 0 ||
        o.portKind === PortKind.FRAGMENT ||
        (o.protocol === IpProtocol.TCP &&
          (p.tcpFlags & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) !== TcpFlag.SYN)
      ) {
        continue;
      }
      const rule = nat.match(o);
      this.lanes = i + 1;
      rules[i] = rule;
      if (rule < 0) continue;
      firstTranslation(nat, rule, o, this.keys[n] as FlowKey);
      slot[i] = n++;
    }
    if (n > 0) owned.findMany(this.keys, this.handles, undefined, n);
  }

  /** The NAT rule of lane `lane`'s packet (-1 for none), or {@link NOT_AHEAD}. */
  rule(lane: number): number {
    return lane < this.lanes ? (this.rules[lane] as number) : NOT_AHEAD;
  }

  /**
   * For a lane with a NAT rule: writes its first translated tuple to `t` and returns true when that
   * tuple is known to be free in the owned table: free before the batch, and no connection the batch
   * has created since may hold it. False means "unknown" (`t` then holds anything).
   */
  free(lane: number, created: CreatedKeys, t: FlowKey): boolean {
    const k = this.slot[lane] as number;
    if (k < 0 || (this.handles[k] as number) >= 0) return false;
    copyFlowKey(this.keys[k] as FlowKey, t);
    return created.empty || !created.mayHold(t);
  }
}

/** Writes to `out` the translated tuple a creation of `o` under rule `rule` tries first. */
function firstTranslation(nat: NatTable, rule: number, o: FlowKey, out: FlowKey): void {
  const r = nat.rules[rule] as NatRule;
  copyFlowKey(o, out);
  if (r.kind !== 'hide' || (o.portKind !== PortKind.PORTS && o.portKind !== PortKind.ECHO)) {
    applyNat(r, o, 0, out);
    return;
  }
  const count = nat.hideCount[rule] as number;
  applyNat(r, o, (nat.hideFirst[rule] as number) + (portSeed(o) % count), out);
}
