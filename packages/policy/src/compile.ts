import type { DistributionLayer, DistributionMode, FlowKey } from '@maestro/hash';
import type { Cidr } from './cidr.js';
import { PolicyError } from './errors.js';
import { buildSplitTree, lookupSplitTree, type SplitTree } from './hyper-split.js';
import { packetPoint } from './packet-point.js';
import { DEFAULT_SYNC, type Policy, type SyncScope } from './policy.js';
import type { Range } from './range.js';
import { FIELDS_V6, rulesToBoxesV4, rulesToBoxesV6 } from './rule-boxes.js';
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

class Compiled implements CompiledPolicy {
  readonly policy: Policy;
  readonly layer: DistributionLayer;
  private readonly names: ReadonlyMap<string, number>;
  private readonly modes: readonly InterfaceModes[];
  private readonly ruleMode: readonly (DistributionMode | undefined)[];
  private readonly ruleSync: readonly SyncScope[];
  private readonly interfaceCount: number;
  private readonly ruleCount: number;
  private readonly v4: SplitTree;
  private readonly v6: SplitTree;
  /** The packet's field values, filled per lookup (never reallocated). */
  private readonly point = new Int32Array(FIELDS_V6);

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
    // Interface slot 0 is "unknown"; a name maps to every index carrying it, as matchLinear reads it.
    const slotsOf = new Map<string, number[]>();
    interfaces.forEach((x, i) => {
      const list = slotsOf.get(x.name);
      if (list === undefined) slotsOf.set(x.name, [i + 1]);
      else list.push(i + 1);
    });
    this.interfaceCount = interfaces.length;
    this.ruleCount = rules.length;
    this.v4 = buildSplitTree(rulesToBoxesV4(rules, slotsOf));
    this.v6 = buildSplitTree(rulesToBoxesV6(rules, slotsOf));
  }

  interfaceIndex(name: string): number {
    return this.names.get(name) ?? -1;
  }

  match(key: FlowKey, iface: number, vlan: number): number {
    if (this.ruleCount === 0) return -1;
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
    const point = this.point;
    return packetPoint(key, iface, vlan, this.interfaceCount, point) === 4
      ? lookupSplitTree(this.v4, point)
      : lookupSplitTree(this.v6, point);
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
 * Compiles a policy once into a matcher: each rule becomes a box over the packet's fields
 * (interface, VLAN, protocol, ports, addresses as 32-bit words), and a HyperSplit decision tree
 * per address family cuts the field space until each leaf holds a few boxes, checked in rule
 * order. `match` then allocates nothing.
 *
 * @example
 * const compiled = compilePolicy(policy);
 * const rule = compiled.match(parseFlow('tcp 10.0.0.1:1234 -> 192.0.2.7:443'), compiled.interfaceIndex('eth1-01'), 0);
 * compiled.modeOf(rule, 0, 0); // the rule's mode, or the topology's
 */
export function compilePolicy(policy: Policy, options: CompileOptions = {}): CompiledPolicy {
  return new Compiled(policy, options);
}
