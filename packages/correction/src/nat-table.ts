import { type FlowKey, PortKind } from '@maestro/hash';
import { hideSlice, type NatRule } from './nat.js';

/**
 * Validated NAT rules compiled for one member: each rule's match as plain words in typed arrays
 * (network and mask per address, -1 for "any"), so that finding the first matching rule of a new
 * connection is a few integer compares per rule instead of a walk over optional fields; and each
 * hide rule's slice of ports for this member, worked out once. Same results as `matchNat`.
 * Internal to the package.
 */
export class NatTable {
  /** The rules, in order. */
  readonly rules: readonly NatRule[];
  /** Per rule: the first port of this member's hide slice (0 for other kinds). */
  readonly hideFirst: Int32Array;
  /** Per rule: the number of ports in this member's hide slice (0 for other kinds). */
  readonly hideCount: Int32Array;
  /** Per rule: 1 for a static rule (source `internal` or destination `external`), else 0. */
  private readonly isStatic: Uint8Array;
  /** Per rule: the protocol it needs, or -1. */
  private readonly protocol: Int32Array;
  private readonly srcNet: Int32Array;
  private readonly srcMask: Int32Array;
  private readonly dstNet: Int32Array;
  private readonly dstMask: Int32Array;
  /** Per rule: the destination port range it needs (low -1: any port, and any port kind). */
  private readonly portLow: Int32Array;
  private readonly portHigh: Int32Array;

  constructor(rules: readonly NatRule[], member: number, members: number) {
    const n = rules.length;
    this.rules = rules;
    this.hideFirst = new Int32Array(n);
    this.hideCount = new Int32Array(n);
    this.isStatic = new Uint8Array(n);
    this.protocol = new Int32Array(n).fill(-1);
    this.srcNet = new Int32Array(n);
    this.srcMask = new Int32Array(n);
    this.dstNet = new Int32Array(n);
    this.dstMask = new Int32Array(n);
    this.portLow = new Int32Array(n).fill(-1);
    this.portHigh = new Int32Array(n);
    rules.forEach((rule, i) => {
      if (rule.kind === 'static') {
        this.isStatic[i] = 1;
        this.srcNet[i] = rule.internal;
        this.dstNet[i] = rule.external;
        return;
      }
      const { protocol, src, dst, dstPorts } = rule.match;
      if (protocol !== undefined) this.protocol[i] = protocol;
      if (src !== undefined) {
        this.srcMask[i] = mask(src.prefix);
        this.srcNet[i] = src.address & mask(src.prefix);
      }
      if (dst !== undefined) {
        this.dstMask[i] = mask(dst.prefix);
        this.dstNet[i] = dst.address & mask(dst.prefix);
      }
      if (dstPorts !== undefined) {
        this.portLow[i] = dstPorts[0];
        this.portHigh[i] = dstPorts[1];
      }
      if (rule.kind === 'hide') {
        const [first, count] = hideSlice(rule, member, members);
        this.hideFirst[i] = first;
        this.hideCount[i] = count;
      }
    });
  }

  /** The index of the first rule that applies to the original tuple `key` (checked), or -1. */
  match(key: FlowKey): number {
    if (key.family !== 4) return -1;
    const s = key.srcV4 | 0;
    const d = key.dstV4 | 0;
    for (let i = 0; i < this.rules.length; i++) {
      if (this.isStatic[i] === 1) {
        if (s === this.srcNet[i] || d === this.dstNet[i]) return i;
        continue;
      }
      const protocol = this.protocol[i] as number;
      const low = this.portLow[i] as number;
      if (
        (protocol < 0 || protocol === key.protocol) &&
        (s & (this.srcMask[i] as number)) === this.srcNet[i] &&
        (d & (this.dstMask[i] as number)) === this.dstNet[i] &&
        (low < 0 ||
          (key.portKind === PortKind.PORTS &&
            key.dstPort >= low &&
            key.dstPort <= (this.portHigh[i] as number)))
      ) {
        return i;
      }
    }
    return -1;
  }
}

/** The network mask of a prefix length 0..32, as a signed 32-bit word. */
function mask(prefix: number): number {
  return prefix === 0 ? 0 : -1 << (32 - prefix);
}

/**
 * Where hide NAT starts looking for a port: a mix of the original tuple, so allocation is
 * deterministic. Internal to the package.
 */
export function portSeed(o: FlowKey): number {
  let h = Math.imul(o.srcV4 ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ o.dstV4, 0xc2b2ae35);
  h = Math.imul(h ^ (h >>> 16) ^ ((o.srcPort << 16) | o.dstPort), 0x27d4eb2f);
  h ^= o.protocol;
  h ^= h >>> 15;
  return h >>> 0;
}
