import { FIND_BATCH, type FlowTable, TcpFlag } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey, IpProtocol, PortKind } from '@maestro/hash';
import type { CreatedKeys } from './created-keys.js';
import { applyNat, type NatRule } from './nat.js';
import { type NatTable, portSeed } from './nat-table.js';
import type { Packet } from './types.js';

/** {@link NatLookahead.rule} of a lane the lookahead did not look at. */
export const NOT_AHEAD = -2;

/**
 * Fewest translated tuples worth one `findMany` of their own: a bulk lookup's fixed cost exceeds
 * the cache misses of one or two (a batch of the mixed bench stream holds about 1.6).
 */
const MIN_LOOKUP = 4;

/**
 * The NAT rules and first translated tuples of a `decideMany` batch's SYNs, resolved before the
 * batch is decided: a creation takes its rule and tuple from here instead of matching and
 * translating itself, and when the batch holds enough of them they are looked up in the owned table
 * together (one `FlowTable.findMany`), so the cache misses of their buckets overlap instead of each
 * creation waiting for its own. Only pure steps run ahead (the rule match and the first hide-NAT
 * port, functions of the original tuple); the config's functions still run in packet order.
 * Internal to the package.
 */
export class NatLookahead {
  /** Per lane of the batch: the index of its translated tuple in {@link keys}, or -1. */
  private readonly slot: Int32Array = new Int32Array(FIND_BATCH).fill(-1);
  /** Per lane of the batch: its NAT rule, -1 for none, {@link NOT_AHEAD} when not looked at. */
  private readonly rules: Int32Array = new Int32Array(FIND_BATCH).fill(NOT_AHEAD);
  private readonly keys: FlowKey[] = Array.from({ length: FIND_BATCH }, createFlowKey);
  private readonly handles: Int32Array = new Int32Array(FIND_BATCH);
  /** The lanes {@link prepare} wrote, {@link count} of them. */
  private readonly seen: Int32Array = new Int32Array(FIND_BATCH);
  private count = 0;
  /** The batch's translated tuples were looked up (enough of them). */
  private looked = false;

  /**
   * Resolves, for each lane of `packets[from .. from+valid-1]` holding a bare TCP SYN that missed
   * the owned table (`handles`; `tcpFlags` are the lanes' flags), the NAT rule and the translated
   * tuple its creation tries first, and looks those tuples up together when there are enough.
   * Other creations (UDP, ICMP) are left to the creation itself: most of their packets are hits,
   * and looking at each would cost more than it saves.
   */
  prepare(
    nat: NatTable,
    owned: FlowTable,
    packets: ArrayLike<Packet>,
    from: number,
    valid: number,
    handles: Int32Array,
    tcpFlags: Uint8Array,
  ): void {
    this.clear();
    if (nat.rules.length === 0) return;
    const slot = this.slot;
    const rules = this.rules;
    const seen = this.seen;
    let n = 0;
    for (let i = 0; i < valid; i++) {
      if (((tcpFlags[i] as number) & (TcpFlag.SYN | TcpFlag.ACK | TcpFlag.RST)) !== TcpFlag.SYN) continue;
      if ((handles[i] as number) >= 0) continue;
      const p = packets[from + i] as Packet;
      const o = p.key;
      if (
        o.protocol !== IpProtocol.TCP ||
        p.embedded !== null ||
        p.hops !== 0 ||
        o.portKind === PortKind.FRAGMENT
      ) {
        continue;
      }
      const rule = nat.match(o);
      seen[this.count++] = i;
      rules[i] = rule;
      if (rule < 0) continue;
      firstTranslation(nat, rule, o, this.keys[n] as FlowKey);
      slot[i] = n++;
    }
    this.looked = n >= MIN_LOOKUP;
    if (this.looked) owned.findMany(this.keys, this.handles, undefined, n);
  }

  /** Forgets the last batch: every lane {@link NOT_AHEAD}. */
  clear(): void {
    const seen = this.seen;
    for (let c = 0; c < this.count; c++) {
      const i = seen[c] as number;
      this.slot[i] = -1;
      this.rules[i] = NOT_AHEAD;
    }
    this.count = 0;
    this.looked = false;
  }

  /** The NAT rule of lane `lane`'s packet (-1 for none), or {@link NOT_AHEAD}. */
  rule(lane: number): number {
    return this.rules[lane] as number;
  }

  /**
   * For a lane with a NAT rule: writes its first translated tuple to `t` and returns true when that
   * tuple is free in the owned table — from the batch's lookup when there was one (free before the
   * batch, and no connection the batch has created since may hold it), else looked up now. False
   * means taken or unknown: translate from scratch.
   */
  firstFree(lane: number, created: CreatedKeys, owned: FlowTable, t: FlowKey): boolean {
    const k = this.slot[lane] as number;
    if (k < 0) return false;
    copyFlowKey(this.keys[k] as FlowKey, t);
    if (!this.looked) return !owned.has(t);
    return (this.handles[k] as number) < 0 && (created.empty || !created.mayHold(t));
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
