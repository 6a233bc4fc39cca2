import type { FlowTable } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey, flowKeyEquals, PortKind } from '@maestro/hash';
import { CorrectionError } from './errors.js';
import { applyNat, type NatRule } from './nat.js';
import { NatTable, portSeed } from './nat-table.js';
import { sameBytes } from './packet-checks.js';
import type { Translate } from './types.js';

/**
 * The translation a member gives a connection it creates: the first matching NAT rule (a hide
 * rule takes a port of this member's slice that no owned connection holds), then the
 * per-connection destination NAT hook, checked. Internal to the package.
 */
export class ConnectionNat {
  private readonly nat: NatTable;
  private readonly beforeHook: FlowKey = createFlowKey();

  constructor(
    rules: readonly NatRule[],
    self: number,
    members: number,
    private readonly hook: Translate | null,
    private readonly owned: FlowTable,
  ) {
    this.nat = new NatTable(rules, self, members);
    this.direct = hook === null;
  }

  /** No translate hook: creations may use {@link insert}. */
  readonly direct: boolean;

  /**
   * Writes the tuple connection `o` is translated to into `t` (`o` itself when nothing applies);
   * false when the tuple it must take is held by an owned connection or every port of its hide
   * slice is (NAT exhausted). Throws `BAD_TRANSLATION`, before any table changes, when the hook
   * touched anything but the destination or wrote an impossible one.
   */
  translate(o: FlowKey, t: FlowKey): boolean {
    copyFlowKey(o, t);
    const rule = this.nat.match(o);
    if (rule >= 0 && !this.applyRule(rule, o, t)) return false;
    return this.hook === null || !this.applyHook(o, t) || !this.owned.has(t);
  }

  /**
   * {@link translate} and the owned table's `tryInsert` in one, for a member with no translate
   * hook: each candidate tuple is tried by `tryInsert` itself (the alias probed once, where
   * `has` then `tryInsert` probed it twice, its bucket's cache miss overlapping the insertion's own),
   * so the entry exists before the caller has computed its backup (it sets it with `setBackup`).
   * Writes the translation into `t` and returns the entry's handle, or -1, changing nothing, when
   * the tuple the connection must take is held or every port of its hide slice is (NAT exhausted):
   * the same tuple, and the same outcome, as {@link translate} then `tryInsert` (`o` is not in the
   * table; `tryInsert` refuses an alias only when it is in the table or is `o`, and `t` equal to `o`
   * goes in without alias).
   */
  insert(o: FlowKey, t: FlowKey, now: number, owner: number, backup: number, tag: number): number {
    const owned = this.owned;
    copyFlowKey(o, t);
    const index = this.nat.match(o);
    if (index < 0) return owned.tryInsert(o, now, owner, backup, tag, null);
    const rule = this.nat.rules[index] as NatRule;
    if (rule.kind !== 'hide' || (o.portKind !== PortKind.PORTS && o.portKind !== PortKind.ECHO)) {
      applyNat(rule, o, 0, t);
      return owned.tryInsert(o, now, owner, backup, tag, flowKeyEquals(t, o) ? null : t);
    }
    // applyNat of a hide rule, unrolled: the source address once, then each candidate port (an
    // echo id is both ports: a checked ECHO key has srcPort === dstPort, so `t` equals `o`
    // exactly when the address and that port are `o`'s).
    const count = this.nat.hideCount[index] as number;
    const last = (this.nat.hideFirst[index] as number) + count - 1;
    const echo = o.portKind === PortKind.ECHO;
    const ownAddress = rule.address === o.srcV4;
    t.srcV4 = rule.address;
    let port = (this.nat.hideFirst[index] as number) + (portSeed(o) % count);
    for (let i = count; i > 0; i--) {
      t.srcPort = port;
      if (echo) t.dstPort = port;
      const same = ownAddress && port === o.srcPort;
      const h = owned.tryInsert(o, now, owner, backup, tag, same ? null : t);
      if (h !== -2) return h;
      port = port === last ? port - count + 1 : port + 1;
    }
    return -1;
  }

  /** Applies NAT rule `index` to `o` in `t`; false when the translated tuple is taken. */
  private applyRule(index: number, o: FlowKey, t: FlowKey): boolean {
    const rule = this.nat.rules[index] as NatRule;
    if (rule.kind !== 'hide' || (o.portKind !== PortKind.PORTS && o.portKind !== PortKind.ECHO)) {
      applyNat(rule, o, 0, t);
      return flowKeyEquals(t, o) || !this.owned.has(t);
    }
    const first = this.nat.hideFirst[index] as number;
    const count = this.nat.hideCount[index] as number;
    const start = portSeed(o) % count;
    for (let i = 0; i < count; i++) {
      applyNat(rule, o, first + ((start + i) % count), t);
      if (!this.owned.has(t)) return true;
    }
    return false;
  }

  /**
   * Runs the per-connection destination NAT on `t`; true when it changed the tuple. Throws
   * `BAD_TRANSLATION`, restoring `t`, when it touched anything but the destination or wrote an
   * impossible one.
   */
  private applyHook(o: FlowKey, t: FlowKey): boolean {
    const before = copyFlowKey(t, this.beforeHook);
    if (!(this.hook as Translate)(o, t)) return false;
    const v4 = before.family === 4;
    const sameSource =
      t.family === before.family &&
      t.protocol === before.protocol &&
      t.portKind === before.portKind &&
      t.srcPort === before.srcPort &&
      (v4 ? t.srcV4 === before.srcV4 : sameBytes(t.src6, before.src6));
    const validDestination = v4
      ? Number.isInteger(t.dstV4) && t.dstV4 >= 0 && t.dstV4 <= 0xffff_ffff
      : t.dst6 instanceof Uint8Array && t.dst6.length === 16;
    const validPort =
      before.portKind === PortKind.PORTS
        ? Number.isInteger(t.dstPort) && t.dstPort >= 0 && t.dstPort <= 0xffff
        : t.dstPort === before.dstPort;
    if (!sameSource || !validDestination || !validPort) {
      copyFlowKey(before, t);
      throw new CorrectionError(
        'BAD_TRANSLATION',
        'translate may change only the destination address (and port, for a connection with ports)',
      );
    }
    return !flowKeyEquals(t, before);
  }
}
