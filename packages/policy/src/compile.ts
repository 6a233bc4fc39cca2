import type { DistributionLayer, DistributionMode, FlowKey } from '@maestro/hash';
import { BitsetPool } from './bitset-pool.js';
import type { Cidr } from './cidr.js';
import { PolicyError } from './errors.js';
import { DEFAULT_SYNC, type Policy, type Rule, type SyncScope } from './policy.js';
import { buildPrefixTrie, lookupV4, lookupV6, type PrefixTrie, type TrieEntry } from './prefix-trie.js';
import type { Range } from './range.js';
import { buildRangeTable, type RangeEntry } from './range-table.js';
import { topologyMode } from './topology.js';

/** A policy compiled into a matcher; every method is allocation-free. */
export interface CompiledPolicy {
  /** The policy it was compiled from. */
  readonly policy: Policy;
  /** The group's distribution layer. */
  readonly layer: DistributionLayer;
  /** The interface id (index in the topology) of a name, or -1 when the topology does not know it. */
  interfaceIndex(name: string): number;
  /**
   * The index of the first rule that matches a packet entering interface id `iface` (-1: unknown)
   * on VLAN `vlan` (0: untagged), or -1 when none does.
   */
  match(key: FlowKey, iface: number, vlan: number): number;
  /** The mode from the topology alone (see {@link topologyMode}). */
  topologyMode(iface: number, vlan: number): DistributionMode;
  /** The mode for traffic that matched `rule` (-1: none): the rule's override, else the topology's. */
  modeOf(rule: number, iface: number, vlan: number): DistributionMode;
  /** The sync scope for traffic that matched `rule` (-1: none); `backup` unless the rule says otherwise. */
  syncOf(rule: number): SyncScope;
  /** The member ids `rule` pins its traffic to, or undefined. */
  membersOf(rule: number): readonly string[] | undefined;
  /** True when `rule` sends its traffic to the management member. */
  toManagement(rule: number): boolean;
}

interface InterfaceModes {
  readonly mode: DistributionMode;
  readonly vlans: ReadonlyMap<number, DistributionMode>;
}

function fail(where: string, what: string): never {
  throw new PolicyError('INVALID_POLICY', `${where}: ${what}`);
}

function checkRanges(ranges: readonly Range[], min: number, max: number, where: string): void {
  for (const r of ranges) {
    if (!Number.isInteger(r.from) || !Number.isInteger(r.to) || r.from < min || r.to > max || r.from > r.to) {
      fail(where, `range ${r.from}-${r.to} must lie in ${min}..${max} with from <= to`);
    }
  }
}

function checkCidrs(cidrs: readonly Cidr[], where: string): void {
  for (const c of cidrs) {
    const max = c.family === 4 ? 32 : 128;
    if ((c.family !== 4 && c.family !== 6) || !Number.isInteger(c.prefix) || c.prefix < 0 || c.prefix > max) {
      fail(where, `an address block needs family 4 or 6 and a prefix 0..${max}`);
    }
    if (c.family === 6 && c.v6.length !== 16) fail(where, 'an IPv6 block needs 16 address bytes');
  }
}

/** Checks what the matcher relies on, for policies built by hand rather than by `validatePolicy`. */
function checkPolicy(policy: Policy): void {
  policy.rules.forEach((rule, i) => {
    const where = `rule ${i}`;
    const m = rule.match;
    checkRanges(m.vlans, 1, 4094, where);
    checkRanges(m.sourcePorts, 0, 65535, where);
    checkRanges(m.destinationPorts, 0, 65535, where);
    checkCidrs(m.source, where);
    checkCidrs(m.destination, where);
    for (const p of m.protocols)
      if (!Number.isInteger(p) || p < 0 || p > 255) fail(where, `protocol ${p} must be 0..255`);
  });
}

class RangeDimension {
  readonly pool: BitsetPool;
  readonly table: Int32Array;
  constructor(rules: readonly Rule[], size: number, ranges: (rule: Rule) => readonly Range[]) {
    this.pool = new BitsetPool(rules.length);
    const entries: RangeEntry[] = [];
    const base: number[] = [];
    rules.forEach((rule, i) => {
      const list = ranges(rule);
      if (list.length === 0) base.push(i);
      for (const r of list) entries.push({ from: r.from, to: r.to, rule: i });
    });
    this.table = buildRangeTable(size, entries, base, this.pool, rules.length);
  }
}

class AddressDimension {
  readonly pool: BitsetPool;
  readonly v4: PrefixTrie;
  readonly v6: PrefixTrie;
  constructor(rules: readonly Rule[], cidrs: (rule: Rule) => readonly Cidr[]) {
    this.pool = new BitsetPool(rules.length);
    const e4: TrieEntry[] = [];
    const e6: TrieEntry[] = [];
    const base: number[] = [];
    rules.forEach((rule, i) => {
      const list = cidrs(rule);
      if (list.length === 0) base.push(i);
      for (const cidr of list) (cidr.family === 4 ? e4 : e6).push({ cidr, rule: i });
    });
    this.v4 = buildPrefixTrie(e4, base, this.pool, rules.length);
    this.v6 = buildPrefixTrie(e6, base, this.pool, rules.length);
  }
}

/** Int32 fields per flow-cache slot. */
const SLOT = 8;

/** Flow-cache slots when the options name none. */
export const DEFAULT_FLOW_CACHE = 65536;

/** Options of {@link compilePolicy}. */
export interface CompileOptions {
  /**
   * Slots of the exact-match flow cache in front of the classifier (IPv4 keys), a power of two;
   * 0 turns it off. Each slot takes 32 bytes. @default 65536
   */
  readonly flowCache?: number;
}

/** No port condition can hold for a key without ports: this slot holds only unconditional rules. */
const NO_PORTS = 65536;
const PORTS_KIND = 1;

class Compiled implements CompiledPolicy {
  readonly policy: Policy;
  readonly layer: DistributionLayer;
  private readonly names: ReadonlyMap<string, number>;
  private readonly modes: readonly InterfaceModes[];
  private readonly ruleMode: readonly (DistributionMode | undefined)[];
  private readonly ruleSync: readonly SyncScope[];
  private readonly iface: RangeDimension;
  private readonly vlan: RangeDimension;
  private readonly proto: RangeDimension;
  private readonly sport: RangeDimension;
  private readonly dport: RangeDimension;
  private readonly src: AddressDimension;
  private readonly dst: AddressDimension;
  private readonly words: number;
  private readonly summaryWords: number;

  private readonly cache: Int32Array | undefined;
  private readonly cacheShift: number;

  constructor(policy: Policy, options: CompileOptions) {
    checkPolicy(policy);
    const slots = options.flowCache ?? DEFAULT_FLOW_CACHE;
    if (!Number.isInteger(slots) || slots < 0 || slots > 1 << 24 || (slots & (slots - 1)) !== 0) {
      throw new PolicyError(
        'INVALID_POLICY',
        `flowCache must be 0 or a power of two up to 2^24, got ${slots}`,
      );
    }
    this.cache = slots === 0 ? undefined : new Int32Array(slots * SLOT);
    this.cacheShift = 32 - Math.log2(Math.max(slots, 2));
    this.policy = policy;
    this.layer = policy.topology.layer;
    const interfaces = policy.topology.interfaces;
    this.names = new Map(interfaces.map((x, i) => [x.name, i]));
    this.modes = interfaces.map((x, i) => ({
      mode: topologyMode(policy.topology, i, 0),
      vlans: new Map(x.vlans.map((vl) => [vl.id, topologyMode(policy.topology, i, vl.id)])),
    }));
    const rules = policy.rules;
    this.ruleMode = rules.map((r) => r.action.mode);
    this.ruleSync = rules.map((r) => r.action.sync ?? DEFAULT_SYNC);
    const names = this.names;
    // Slot 0 is "unknown interface"; the last slot, never looked up, takes names the topology
    // lacks (they can never match, and an empty list would mean "any interface").
    const nowhere = interfaces.length + 1;
    this.iface = new RangeDimension(rules, interfaces.length + 2, (r) =>
      r.match.interfaces.map((n) => {
        const i = (names.get(n) ?? nowhere - 1) + 1;
        return { from: i, to: i };
      }),
    );
    this.vlan = new RangeDimension(rules, 4096, (r) => r.match.vlans);
    this.proto = new RangeDimension(rules, 256, (r) => r.match.protocols.map((p) => ({ from: p, to: p })));
    this.sport = new RangeDimension(rules, NO_PORTS + 1, (r) => r.match.sourcePorts);
    this.dport = new RangeDimension(rules, NO_PORTS + 1, (r) => r.match.destinationPorts);
    this.src = new AddressDimension(rules, (r) => r.match.source);
    this.dst = new AddressDimension(rules, (r) => r.match.destination);
    this.words = this.src.pool.words;
    this.summaryWords = this.src.pool.summaryWords;
  }

  interfaceIndex(name: string): number {
    return this.names.get(name) ?? -1;
  }

  match(key: FlowKey, iface: number, vlan: number): number {
    if (this.policy.rules.length === 0) return -1;
    const cache = this.cache;
    if (cache === undefined || key.family !== 4) return this.classify(key, iface, vlan);
    // An exact-match flow cache in front of the classifier (as in Open vSwitch): the fields below
    // decide the answer completely, so a hit is always right; a miss overwrites the slot.
    const h =
      Math.imul(
        Math.imul(key.srcV4 ^ Math.imul(key.dstV4, 0x9e3779b1), 0x85ebca6b) ^
          ((key.srcPort << 16) | key.dstPort) ^
          Math.imul(key.protocol | (key.portKind << 8) | (vlan << 12), 0xc2b2ae35) ^
          iface,
        0x27d4eb2f,
      ) >>> this.cacheShift;
    const o = h * SLOT;
    if (
      cache[o] === 1 &&
      cache[o + 1] === (key.srcV4 | 0) &&
      cache[o + 2] === (key.dstV4 | 0) &&
      cache[o + 3] === ((key.srcPort << 16) | key.dstPort) &&
      cache[o + 4] === (key.protocol | (key.portKind << 8)) &&
      cache[o + 5] === iface &&
      cache[o + 6] === vlan
    ) {
      return cache[o + 7] as number;
    }
    const result = this.classify(key, iface, vlan);
    cache[o] = 1;
    cache[o + 1] = key.srcV4 | 0;
    cache[o + 2] = key.dstV4 | 0;
    cache[o + 3] = (key.srcPort << 16) | key.dstPort;
    cache[o + 4] = key.protocol | (key.portKind << 8);
    cache[o + 5] = iface;
    cache[o + 6] = vlan;
    cache[o + 7] = result;
    return result;
  }

  private classify(key: FlowKey, iface: number, vlan: number): number {
    const W = this.words;
    const S = this.summaryWords;
    const ifaceTable = this.iface.table;
    const ii = (iface + 1) | 0;
    const cI = ifaceTable[ii >= 0 && ii < ifaceTable.length - 1 ? ii : 0] as number;
    const vv = vlan | 0;
    const cV = this.vlan.table[vv >= 0 && vv < 4096 ? vv : 0] as number;
    const cP = this.proto.table[key.protocol & 255] as number;
    const ports = key.portKind === PORTS_KIND;
    const cSp = this.sport.table[ports ? key.srcPort & 0xffff : NO_PORTS] as number;
    const cDp = this.dport.table[ports ? key.dstPort & 0xffff : NO_PORTS] as number;
    let cS: number;
    let cD: number;
    if (key.family === 6) {
      cS = lookupV6(this.src.v6, key.src6);
      cD = lookupV6(this.dst.v6, key.dst6);
    } else {
      cS = lookupV4(this.src.v4, key.srcV4);
      cD = lookupV4(this.dst.v4, key.dstV4);
    }
    const bI = this.iface.pool.bits;
    const bV = this.vlan.pool.bits;
    const bP = this.proto.pool.bits;
    const bSp = this.sport.pool.bits;
    const bDp = this.dport.pool.bits;
    const bS = this.src.pool.bits;
    const bD = this.dst.pool.bits;
    const sI = this.iface.pool.summary;
    const sV = this.vlan.pool.summary;
    const sP = this.proto.pool.summary;
    const sSp = this.sport.pool.summary;
    const sDp = this.dport.pool.summary;
    const sS = this.src.pool.summary;
    const sD = this.dst.pool.summary;
    const oI = cI * W;
    const oV = cV * W;
    const oP = cP * W;
    const oSp = cSp * W;
    const oDp = cDp * W;
    const oS = cS * W;
    const oD = cD * W;
    // Walk the sparsest dimension's rule list, testing each rule in the others, when that list is
    // shorter than a word-by-word intersection; first hit is the answer (the lists ascend).
    let best = this.dst.pool.listLength[cD] as number;
    let pool = this.dst.pool;
    let bestClass = cD;
    let n = this.dport.pool.listLength[cDp] as number;
    if (n >= 0 && (best < 0 || n < best)) {
      best = n;
      pool = this.dport.pool;
      bestClass = cDp;
    }
    n = this.src.pool.listLength[cS] as number;
    if (n >= 0 && (best < 0 || n < best)) {
      best = n;
      pool = this.src.pool;
      bestClass = cS;
    }
    n = this.proto.pool.listLength[cP] as number;
    if (n >= 0 && (best < 0 || n < best)) {
      best = n;
      pool = this.proto.pool;
      bestClass = cP;
    }
    n = this.sport.pool.listLength[cSp] as number;
    if (n >= 0 && (best < 0 || n < best)) {
      best = n;
      pool = this.sport.pool;
      bestClass = cSp;
    }
    if (best >= 0 && best < W) {
      const list = pool.lists;
      const start = pool.listStart[bestClass] as number;
      for (let i = start, end = start + best; i < end; i++) {
        const r = list[i] as number;
        const w = r >>> 5;
        const bit = 1 << (r & 31);
        if (
          ((bS[oS + w] as number) &
            (bD[oD + w] as number) &
            (bDp[oDp + w] as number) &
            (bP[oP + w] as number) &
            (bSp[oSp + w] as number) &
            (bI[oI + w] as number) &
            (bV[oV + w] as number) &
            bit) !==
          0
        ) {
          return r;
        }
      }
      return -1;
    }
    for (let s = 0; s < S; s++) {
      let m =
        (sI[cI * S + s] as number) &
        (sV[cV * S + s] as number) &
        (sP[cP * S + s] as number) &
        (sSp[cSp * S + s] as number) &
        (sDp[cDp * S + s] as number) &
        (sS[cS * S + s] as number) &
        (sD[cD * S + s] as number);
      while (m !== 0) {
        const low = m & -m;
        const w = (s << 5) + 31 - Math.clz32(low);
        const x =
          (bI[oI + w] as number) &
          (bV[oV + w] as number) &
          (bP[oP + w] as number) &
          (bSp[oSp + w] as number) &
          (bDp[oDp + w] as number) &
          (bS[oS + w] as number) &
          (bD[oD + w] as number);
        if (x !== 0) return (w << 5) + 31 - Math.clz32(x & -x);
        m ^= low;
      }
    }
    return -1;
  }

  topologyMode(iface: number, vlan: number): DistributionMode {
    const entry = this.modes[iface];
    if (entry === undefined) return 'general';
    return entry.vlans.get(vlan) ?? entry.mode;
  }

  modeOf(rule: number, iface: number, vlan: number): DistributionMode {
    return this.ruleMode[rule] ?? this.topologyMode(iface, vlan);
  }

  syncOf(rule: number): SyncScope {
    return this.ruleSync[rule] ?? DEFAULT_SYNC;
  }

  membersOf(rule: number): readonly string[] | undefined {
    return this.policy.rules[rule]?.action.members;
  }

  toManagement(rule: number): boolean {
    return this.policy.rules[rule]?.action.management === true;
  }
}

/**
 * Compiles a policy once into a matcher: a 4-bit prefix trie per address family and direction,
 * flat interval tables for ports, VLANs, protocols and interfaces, each yielding a class of rules
 * as a bitset, and a first-set-bit search over their intersection. `match` then allocates nothing.
 *
 * @example
 * const compiled = compilePolicy(policy);
 * const rule = compiled.match(parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443'), compiled.interfaceIndex('eth1-01'), 0);
 * compiled.modeOf(rule, 0, 0); // the rule's mode, or the topology's
 */
export function compilePolicy(policy: Policy, options: CompileOptions = {}): CompiledPolicy {
  return new Compiled(policy, options);
}
