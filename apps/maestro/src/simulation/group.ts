import type { NatRule } from '@maestro/correction';
import { type CorrectionConfig, MemberEngine, type Translate } from '@maestro/correction';
import {
  copyFlowKey,
  createFlowKey,
  type DistributionLayer,
  distributionHash,
  type FlowHasher,
  type FlowKey,
  flowKeyEquals,
} from '@maestro/hash';
import { type BackupCandidates, backupCandidates, chooseBackup } from '@maestro/hypersync';
import type { CompiledPolicy } from '@maestro/policy';
import { type DistributionTable, maglev, movedBuckets, rebalance } from '@maestro/weighting';
import { CliError } from '../cli/errors.js';
import { DEFAULT_WEIGHT, type SimMember } from './members.js';
import type { IngressMap } from './topology.js';

/** How the group builds its distribution table after each change. */
export type Strategy = 'rebalance' | 'maglev';

/** A member's life in the simulation. */
export type MemberStatus = 'ACTIVE' | 'DOWN' | 'REMOVED' | 'NOT_JOINED';

/**
 * The simulated security group: members (every id the run will ever see, so correction engines
 * keep fixed indexes), which are up, their weights, the distribution table in force, and one
 * correction engine per member. Distribution is the orchestrator's: the topology mode of the
 * ingress (or a policy rule's override, pinning or management member), hashed by
 * `@maestro/hash` and looked up in the `@maestro/weighting` table.
 */
export class SimulatedGroup {
  readonly ids: string[];
  readonly weights: number[];
  readonly status: MemberStatus[];
  engines: MemberEngine[];
  table: DistributionTable;
  /** Table version: bumped by every change. */
  version = 1;
  /** Drops by cause of the engines {@link restart} replaced. */
  readonly retiredDrops: Record<string, number> = {};
  /**
   * False when no NAT rule and no destination NAT hook exist: every connection's translated tuple
   * is then its own key, and nothing needs to ask an engine for it.
   */
  readonly translates: boolean;
  /** Engine index of each bucket's owner in the table in force (one small lookup per packet). */
  private bucketEngine: Uint8Array | Uint16Array;
  private candidates: BackupCandidates;
  private readonly engineIndex: Map<string, number>;
  private readonly config: CorrectionConfig;
  private currentIngress = 0;
  /** The key object of the packet being routed ({@link route}), its ingress and member. */
  private routedKey: FlowKey | null = null;
  private routedIngress = -1;
  private routedMember = -1;
  /** The last distribution an engine asked for that was not the routed packet's (a copy). */
  private readonly askedKey: FlowKey = createFlowKey();
  private askedIngress = -1;
  private askedMember = -1;
  private askedVersion = 0;

  constructor(
    initial: readonly SimMember[],
    later: readonly string[],
    private readonly strategy: Strategy,
    private readonly tableSize: number,
    private readonly hasher: FlowHasher,
    private readonly layer: DistributionLayer,
    private readonly ingress: IngressMap,
    private readonly compiled: CompiledPolicy,
    private readonly useRules: boolean,
    nat: readonly NatRule[],
    capacity: number,
    translate: Translate | undefined,
  ) {
    this.ids = [...initial.map((m) => m.id), ...later.filter((id) => !initial.some((m) => m.id === id))];
    this.weights = this.ids.map((id) => initial.find((m) => m.id === id)?.weight ?? DEFAULT_WEIGHT);
    this.status = this.ids.map((id) => (initial.some((m) => m.id === id) ? 'ACTIVE' : 'NOT_JOINED'));
    this.engineIndex = new Map(this.ids.map((id, i) => [id, i]));
    this.translates = nat.length > 0 || translate !== undefined;
    this.bucketEngine = new Uint8Array(0);
    this.table = this.build(undefined);
    this.candidates = this.backupSet();
    this.config = {
      members: this.ids.length,
      interfaces: ingress.ingresses,
      distribute: (key, ing) => this.asked(key, ing.id),
      route: (key) => this.ingress.replyIngress(key, this.currentIngress),
      nat,
      capacity,
      ...(translate === undefined ? {} : { translate }),
    };
    this.engines = this.ids.map((_, i) => new MemberEngine(i, this.config));
  }

  /** Engine index of a member id, or a usage error naming the unknown member. */
  indexOf(id: string): number {
    const i = this.engineIndex.get(id);
    if (i === undefined)
      throw new CliError(`event names ${JSON.stringify(id)}, which is not a member of the group`);
    return i;
  }

  /** True when member `m` processes traffic. */
  isLive(m: number): boolean {
    return this.status[m] === 'ACTIVE';
  }

  /** Ids of the live members, in engine order. */
  liveIds(): string[] {
    return this.ids.filter((_, i) => this.isLive(i));
  }

  /** Sets the ingress of the packet being decided (the correction layer's route needs it). */
  enter(ingress: number): void {
    this.currentIngress = ingress;
  }

  /**
   * {@link distribute} for the packet the caller is about to hand to the engines: an engine that
   * creates its connection asks where the packet itself lands, and gets this answer back without
   * hashing again. `key` must keep its contents until {@link leave}.
   */
  route(key: FlowKey, ingress: number): number {
    const m = this.distribute(key, ingress);
    this.routedKey = key;
    this.routedIngress = ingress;
    this.routedMember = m;
    return m;
  }

  /** Ends {@link route}: the routed key object may change from here on. */
  leave(): void {
    this.routedKey = null;
  }

  /**
   * {@link distribute}, answered from what an engine last asked when that was the same key, ingress
   * and table (a creating engine asks where the reply lands; its caller then needs the same).
   */
  distributeAsked(key: FlowKey, ingress: number): number {
    if (
      ingress === this.askedIngress &&
      this.version === this.askedVersion &&
      flowKeyEquals(key, this.askedKey)
    )
      return this.askedMember;
    return this.distribute(key, ingress);
  }

  /** The engines' distribute function. */
  private asked(key: FlowKey, ingress: number): number {
    if (key === this.routedKey && ingress === this.routedIngress) return this.routedMember;
    const m = this.distribute(key, ingress);
    copyFlowKey(key, this.askedKey);
    this.askedIngress = ingress;
    this.askedMember = m;
    this.askedVersion = this.version;
    return m;
  }

  /** The member (engine index) the orchestrator hands a packet entering `ingress` to. */
  distribute(key: FlowKey, ingress: number): number {
    const ing = this.ingress.ingresses[ingress];
    const mode = ing?.mode ?? 'general';
    if (this.useRules) {
      const iface = this.ingress.interfaceOf(ingress);
      const vlan = ingress % 4096;
      const rule = this.compiled.match(key, iface, vlan);
      if (rule >= 0) {
        if (this.compiled.toManagement(rule)) return this.management();
        const pinned = this.compiled.membersOf(rule);
        const h = distributionHash(key, this.compiled.modeOf(rule, iface, vlan), this.layer, this.hasher);
        if (pinned !== undefined) {
          const live = pinned
            .map((id) => this.engineIndex.get(id) ?? -1)
            .filter((m) => m >= 0 && this.isLive(m));
          if (live.length > 0) return live[Math.floor((h * live.length) / 2 ** 32)] as number;
        }
        return this.bucketEngine[this.table.bucketOf(h)] as number;
      }
    }
    return this.bucketEngine[
      this.table.bucketOf(distributionHash(key, mode, this.layer, this.hasher))
    ] as number;
  }

  /**
   * The backup of the connection `key` (engine index, -1 for none): its correction target when that
   * is another live member, else HyperSync's rendezvous choice on the connection's symmetric hash.
   */
  backupOf(key: FlowKey, target: number, owner: number): number {
    const id = chooseBackup(
      distributionHash(key, 'general', 'l4', this.hasher),
      target >= 0 ? this.ids[target] : undefined,
      this.ids[owner] ?? '',
      this.candidates,
    );
    return id === undefined ? -1 : (this.engineIndex.get(id) ?? -1);
  }

  /** Applies a membership or weight change; returns the buckets that changed member. */
  change(mutate: () => void): number {
    const before = this.table;
    mutate();
    this.table = this.build(before);
    this.version++;
    this.candidates = this.backupSet();
    return movedBuckets(before, this.table);
  }

  /**
   * A member that comes back starts with empty tables and counters: its engine's drops so far are
   * kept in {@link retiredDrops}, so that the run's drops by cause still add up.
   */
  restart(m: number): void {
    const old = this.engines[m];
    if (old !== undefined) {
      for (const [cause, n] of Object.entries(old.stats().drops))
        this.retiredDrops[cause] = (this.retiredDrops[cause] ?? 0) + n;
    }
    this.engines[m] = new MemberEngine(m, this.config);
  }

  private backupSet(): BackupCandidates {
    return backupCandidates(
      this.ids
        .map((id, i) => ({ id, incarnation: 1, weight: this.weights[i] as number, site: 0, active: true }))
        .filter((_, i) => this.isLive(i)),
    );
  }

  private management(): number {
    for (let i = 0; i < this.ids.length; i++) if (this.isLive(i)) return i;
    return 0;
  }

  private build(previous: DistributionTable | undefined): DistributionTable {
    const members = this.ids
      .map((id, i) => ({ id, weight: this.isLive(i) ? (this.weights[i] as number) : 0 }))
      .filter((m, i) => this.isLive(i) && m.weight >= 0);
    if (!members.some((m) => m.weight > 0)) {
      throw new CliError('no live member with a weight above 0 is left in the group', 1);
    }
    const table =
      this.strategy === 'maglev' || previous === undefined
        ? maglev(members, { size: this.tableSize })
        : rebalance(previous, members);
    const exact = this.strategy === 'rebalance' && previous === undefined ? rebalance(table, members) : table;
    const toEngine = Int32Array.from(exact.members, (m) => this.engineIndex.get(m.id) ?? 0);
    // A byte per bucket while engine indexes fit: 64 KiB for the default table, not 256 KiB
    // through a second array, so it stays in the cache next to the flow tables.
    const owners = exact.owners;
    const engines = this.ids.length <= 256 ? new Uint8Array(owners.length) : new Uint16Array(owners.length);
    for (let b = 0; b < owners.length; b++) engines[b] = toEngine[owners[b] as number] as number;
    this.bucketEngine = engines;
    return exact;
  }
}
