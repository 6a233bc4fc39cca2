import type { DistributionLayer, DistributionMode, FlowKey } from '@maestro/hash';
import { BatchScratch, matchBatch, matchKeys } from './batch-match.js';
import { describeValue, PolicyError } from './errors.js';
import { FlowCache, MISS } from './flow-cache.js';
import { checkPolicy } from './hand-built.js';
import { buildSplitTree } from './hyper-split.js';
import { PACKET_WORDS, PacketBatch, PacketWord } from './packet-batch.js';
import { BAD_PACKET, checkedPoint } from './packet-point.js';
import { DEFAULT_SYNC, type Policy, type SyncScope } from './policy.js';
import { rulesToBoxesV4, rulesToBoxesV6 } from './rule-boxes.js';
import { topologyMode } from './topology.js';
import { pairTrees } from './tree-pair.js';

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
   * on VLAN `vlan` (0: untagged), or -1 when none does. Throws a {@link PolicyError}
   * `INVALID_PACKET` unless the key is a flow key with every field in range (family 4 or 6,
   * protocol 0..255, port kind 0..3, ports 0..65535, IPv4 addresses unsigned 32-bit integers,
   * IPv6 addresses 16-byte `Uint8Array`s), `iface` a 32-bit integer and `vlan` an integer 0..4095.
   */
  match(key: FlowKey, iface: number, vlan: number): number;
  /**
   * Batched {@link match}: writes the rule of packet `i` (`keys[i]` entering interface
   * `ifaces[i]` on VLAN `vlans[i]`) to `out[i]` for every `i < count` (default: all keys), exactly
   * as `match` would, flow cache included. No allocation. Throws `INVALID_PACKET` for buffers that
   * are not `Int32Array`s or a `count` past any of them (nothing written), and for a refused packet
   * (see {@link match}): `out` then holds the results of every packet before it and nothing from
   * it on, and the error message names its index.
   *
   * @example
   * const out = new Int32Array(keys.length);
   * compiled.matchMany(keys, ifaces, vlans, out); // out[i] === compiled.match(keys[i], ifaces[i], vlans[i])
   */
  matchMany(
    keys: ArrayLike<FlowKey>,
    ifaces: Int32Array,
    vlans: Int32Array,
    out: Int32Array,
    count?: number,
  ): void;
  /**
   * {@link matchMany} for a {@link PacketBatch}, the layout a decoder fills without an object per
   * packet: writes the rule of packet `i` of `packets` to `out[i]` for every `i < count` (default:
   * the batch's capacity), exactly as `match` would, flow cache included. No allocation beyond a
   * typed-array view per 32 packets. Throws `INVALID_PACKET` when `packets` is not a
   * `PacketBatch`, `out` not an `Int32Array` or `count` past either (nothing written), and for a
   * packet whose family is not 4 or 6, port kind not 0..3, protocol not 0..255, a port not
   * 0..65535 or VLAN not 0..4095: `out` then holds the results of every packet before it and
   * nothing from it on, and the error message names its index.
   *
   * @example
   * const batch = new PacketBatch(64);
   * for (let i = 0; i < n; i++) batch.set(i, keys[i], ifaces[i], vlans[i]); // or a decoder writes batch.words
   * compiled.matchBatch(batch, out, n);
   */
  matchBatch(packets: PacketBatch, out: Int32Array, count?: number): void;
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

function badPacket(where: string, key: unknown, iface: unknown, vlan: unknown): PolicyError {
  const need = `${where}: a packet needs a flow key (family 4 or 6, protocol 0..255, port kind 0..3, ports 0..65535, IPv4 addresses as unsigned 32-bit integers, IPv6 addresses as 16-byte Uint8Arrays), an integer interface id and a VLAN 0..4095`;
  let got: string;
  try {
    const k = typeof key === 'object' && key !== null ? (key as Partial<FlowKey>) : undefined;
    got = `${k === undefined ? `key ${describeValue(key)}` : `family ${describeValue(k.family)}, protocol ${describeValue(k.protocol)}, ports ${describeValue(k.srcPort)}/${describeValue(k.dstPort)}, port kind ${describeValue(k.portKind)}`}, interface ${describeValue(iface)}, VLAN ${describeValue(vlan)}`;
  } catch {
    got = 'a key whose fields cannot be read';
  }
  return new PolicyError('INVALID_PACKET', `${need}; got ${got}`);
}

/** Flow-cache slots when the options name none. */
export const DEFAULT_FLOW_CACHE = 4096;

/** Options of {@link compilePolicy}. */
export interface CompileOptions {
  /**
   * Slots of the exact-match flow cache in front of the classifier (IPv4 keys), a power of two;
   * 0 turns it off. Each slot takes 32 bytes. @default 4096
   */
  readonly flowCache?: number;
  /**
   * Walk the tree in a WebAssembly kernel built at run time (the JavaScript walk, same results,
   * when false or when the platform has no WebAssembly, as under `node --jitless`). @default true
   */
  readonly wasm?: boolean;
}

class Compiled implements CompiledPolicy {
  readonly policy: Policy;
  readonly layer: DistributionLayer;
  private readonly names: ReadonlyMap<string, number>;
  private readonly modes: readonly InterfaceModes[];
  private readonly ruleMode: readonly (DistributionMode | undefined)[];
  private readonly ruleSync: readonly SyncScope[];
  private readonly interfaceCount: number;
  private readonly batch: BatchScratch;

  private readonly cache: FlowCache | undefined;

  constructor(policy: Policy, options: CompileOptions) {
    checkPolicy(policy);
    if (typeof options !== 'object' || options === null) {
      throw new PolicyError(
        'INVALID_POLICY',
        `compile options must be an object, got ${describeValue(options)}`,
      );
    }
    const slots = options.flowCache ?? DEFAULT_FLOW_CACHE;
    if (!Number.isInteger(slots) || slots < 0 || slots > 1 << 24 || (slots & (slots - 1)) !== 0) {
      throw new PolicyError(
        'INVALID_POLICY',
        `flowCache must be 0 or a power of two up to 2^24, got ${describeValue(slots)}`,
      );
    }
    this.cache = slots === 0 ? undefined : new FlowCache(slots);
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
    const pair = pairTrees(
      buildSplitTree(rulesToBoxesV4(rules, slotsOf)),
      buildSplitTree(rulesToBoxesV6(rules, slotsOf)),
    );
    const wasm = options.wasm ?? true;
    if (typeof wasm !== 'boolean') {
      throw new PolicyError('INVALID_POLICY', `wasm must be true or false, got ${describeValue(wasm)}`);
    }
    this.batch = new BatchScratch(pair, wasm);
  }

  interfaceIndex(name: string): number {
    return this.names.get(name) ?? -1;
  }

  match(key: FlowKey, iface: number, vlan: number): number {
    const batch = this.batch;
    const points = batch.points;
    const family = checkedPoint(key, iface, vlan, this.interfaceCount, points, 0);
    if (family === BAD_PACKET) throw badPacket('match', key, iface, vlan);
    if (family !== 4) return batch.lookupOne(batch.root6);
    const cache = this.cache;
    if (cache === undefined || !cache.active()) return batch.lookupOne(batch.root4);
    const o = cache.slot(points, 0);
    const hit = cache.get(o);
    if (hit !== MISS) return hit;
    const rule = batch.lookupOne(batch.root4);
    cache.put(o, points, 0, rule);
    return rule;
  }

  matchMany(
    keys: ArrayLike<FlowKey>,
    ifaces: Int32Array,
    vlans: Int32Array,
    out: Int32Array,
    count: number = keys?.length,
  ): void {
    if (
      typeof keys !== 'object' ||
      keys === null ||
      !(ifaces instanceof Int32Array) ||
      !(vlans instanceof Int32Array) ||
      !(out instanceof Int32Array) ||
      !Number.isInteger(count) ||
      count < 0 ||
      count > keys.length ||
      count > ifaces.length ||
      count > vlans.length ||
      count > out.length
    ) {
      throw new PolicyError(
        'INVALID_PACKET',
        `matchMany takes an array of flow keys, Int32Arrays of interface ids, VLANs and results, and a count 0..their lengths; got count ${describeValue(count)}`,
      );
    }
    const done = matchKeys(this.batch, this.cache, this.interfaceCount, keys, ifaces, vlans, out, count);
    if (done < count) throw badPacket(`matchMany (packet ${done})`, keys[done], ifaces[done], vlans[done]);
  }

  matchBatch(packets: PacketBatch, out: Int32Array, count: number = packets?.capacity): void {
    if (
      !(packets instanceof PacketBatch) ||
      !(out instanceof Int32Array) ||
      !Number.isInteger(count) ||
      count < 0 ||
      count > packets.capacity ||
      count > out.length
    ) {
      throw new PolicyError(
        'INVALID_PACKET',
        `matchBatch takes a PacketBatch, an Int32Array of results and a count 0..their lengths; got count ${describeValue(count)}`,
      );
    }
    const done = matchBatch(this.batch, this.cache, this.interfaceCount, packets, out, count);
    if (done < count) {
      const w = packets.words;
      const at = PACKET_WORDS * done;
      throw new PolicyError(
        'INVALID_PACKET',
        `matchBatch (packet ${done}): a packet needs family 4 or 6, port kind 0..3, protocol 0..255, ports 0..65535 and a VLAN 0..4095; got family ${w[at + PacketWord.FAMILY]}, port kind ${w[at + PacketWord.PORT_KIND]}, protocol ${w[at + PacketWord.PROTOCOL]}, ports ${w[at + PacketWord.SRC_PORT]}/${w[at + PacketWord.DST_PORT]}, VLAN ${w[at + PacketWord.VLAN]}`,
      );
    }
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
  try {
    return new Compiled(policy, options);
  } catch (error) {
    // A hand-built policy of the wrong shape (a list that is not an array, a missing object) fails
    // as it is read, with a TypeError: it is bad input like an out-of-range field.
    if (error instanceof TypeError) {
      throw new PolicyError('INVALID_POLICY', `not a policy of the documented shape: ${error.message}`);
    }
    throw error;
  }
}
