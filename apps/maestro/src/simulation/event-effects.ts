import { Reason } from '@maestro/correction';
import type { FlowTable } from '@maestro/flowtable';
import { copyFlowKey, createFlowKey, type FlowKey, reverseFlowKey } from '@maestro/hash';
import type { SimEvent } from './events.js';
import type { SimulatedGroup } from './group.js';
import type { SyncAccounting } from './sync-accounting.js';
import type { IngressMap } from './topology.js';

/** What one event did to the group and its connections. */
export interface EventOutcome {
  /** Distribution-table buckets that changed member. */
  readonly bucketsMoved: number;
  /** Connections taken over by another member. */
  readonly connectionsMoved: number;
  /** Connections gone with their owner (no live backup held them). */
  readonly connectionsLost: number;
}

/**
 * Applies membership and weight events to a simulated group and to the connections of its
 * ground-truth registry: a failed or removed member's connections are taken over by their backups
 * (HyperSync kept the backup's copy current), a joining member gets its share of the backups, and
 * after every change each live connection whose packets now land on another member gets a
 * correction entry there.
 */
export class EventEffects {
  private readonly key: FlowKey = createFlowKey();
  private readonly alias: FlowKey = createFlowKey();
  private readonly scratch: FlowKey = createFlowKey();

  /** `memberConnections[m]` counts the connections member `m` took (taken-over ones included). */
  constructor(
    private readonly group: SimulatedGroup,
    private readonly registry: FlowTable,
    private readonly ingress: IngressMap,
    private readonly sync: SyncAccounting,
    private readonly memberConnections: Float64Array,
  ) {}

  /** Applies `e` at `ms` (the engines' and tables' time, whole milliseconds). */
  apply(e: SimEvent, ms: number): EventOutcome {
    const g = this.group;
    const m = g.indexOf(e.member);
    let moved = 0;
    let lost = 0;
    let buckets = 0;
    switch (e.kind) {
      case 'fail':
      case 'remove': {
        if (!g.isLive(m)) break;
        buckets = g.change(() => {
          g.status[m] = e.kind === 'fail' ? 'DOWN' : 'REMOVED';
        });
        const result = this.takeOver(m, e.kind === 'remove', ms);
        moved = result.moved;
        lost = result.lost;
        break;
      }
      case 'recover':
      case 'add': {
        if (g.isLive(m)) break;
        g.restart(m);
        buckets = g.change(() => {
          g.status[m] = 'ACTIVE';
          if (e.weight !== undefined) g.weights[m] = e.weight;
        });
        this.reassignBackups();
        break;
      }
      case 'weight': {
        buckets = g.change(() => {
          g.weights[m] = e.weight ?? 0;
        });
        break;
      }
    }
    this.installCorrections(ms);
    return { bucketsMoved: buckets, connectionsMoved: moved, connectionsLost: lost };
  }

  /**
   * Member `m` is gone: each connection it owned is taken over by its backup, which picks a new
   * backup and syncs to it; a connection whose backup is gone too is lost. Connections `m` backed
   * up get a new backup. A graceful removal hands every connection over, so nothing is lost.
   */
  private takeOver(m: number, graceful: boolean, ms: number): { moved: number; lost: number } {
    const g = this.group;
    const r = this.registry;
    const key = this.key;
    const lostKeys: FlowKey[] = [];
    let moved = 0;
    for (let h = 0; h < r.size; h++) {
      const owner = r.owner(h);
      const backup = r.backup(h);
      // Only the connections the member owned or backed up change: read the others' keys not at all.
      if (owner !== m && backup !== m) continue;
      r.keyAt(h, key);
      if (owner === m) {
        let heir = backup !== m && g.isLive(backup) ? backup : -1;
        if (heir < 0 && graceful) heir = g.backupOf(key, -1, m);
        if (heir < 0 || !g.isLive(heir)) {
          lostKeys.push(copyFlowKey(key, createFlowKey()));
          continue;
        }
        const engine = g.engines[heir];
        if (engine === undefined) continue;
        engine.corrections.remove(key);
        if (engine.owned.has(key)) continue;
        const adopted = engine.owned.insert(key, ms, heir, heir, r.tag(h));
        if (r.aliasAt(h, this.alias)) engine.owned.setAlias(adopted, this.alias);
        r.setOwner(h, heir);
        const next = g.backupOf(key, -1, heir);
        r.setBackup(h, next < 0 ? heir : next);
        this.sync.upsert(key, heir, next);
        this.memberConnections[heir] = (this.memberConnections[heir] as number) + 1;
        moved++;
      } else if (backup === m) {
        const next = g.backupOf(key, -1, owner);
        r.setBackup(h, next < 0 ? owner : next);
        this.sync.upsert(key, owner, next);
      }
    }
    for (const k of lostKeys) r.remove(k);
    // Fragments in flight towards the failed member cannot be reassembled elsewhere: forget them.
    for (const engine of g.engines) {
      const f = engine.fragments;
      for (let h = f.size - 1; h >= 0; h--) if (f.owner(h) === m) f.removeAt(h);
    }
    return { moved, lost: lostKeys.length };
  }

  /** After a member joins, rendezvous gives it a share of the backups: bulk resync of those. */
  private reassignBackups(): void {
    const g = this.group;
    const r = this.registry;
    for (let h = 0; h < r.size; h++) {
      r.keyAt(h, this.key);
      const owner = r.owner(h);
      const next = g.backupOf(this.key, -1, owner);
      if (next >= 0 && next !== r.backup(h)) {
        r.setBackup(h, next);
        this.sync.upsert(this.key, owner, next);
      }
    }
  }

  /**
   * The table changed: where a live connection's packets (either direction) now land on a member
   * other than its owner, that member gets a correction entry so it forwards them to the owner.
   */
  private installCorrections(ms: number): void {
    const g = this.group;
    const r = this.registry;
    for (let h = 0; h < r.size; h++) {
      const owner = r.owner(h);
      if (!g.isLive(owner)) continue;
      const ingress = r.tag(h);
      r.keyAt(h, this.key);
      const translated = r.aliasAt(h, this.alias) ? this.alias : this.key;
      const reply = reverseFlowKey(translated, this.scratch);
      const created = r.created(h);
      this.correctAt(g.distribute(this.key, ingress), owner, this.key, created, ms);
      this.correctAt(
        g.distribute(reply, this.ingress.replyIngress(translated, ingress)),
        owner,
        reply,
        created,
        ms,
      );
    }
  }

  /**
   * Gives member `landing` a correction entry sending `key`'s packets to `owner`, unless it is the
   * owner, not live, or owns the key itself. The engine copies the key into its table, so the
   * message carries `key` itself rather than a copy. `created`: when the connection was created.
   */
  private correctAt(landing: number, owner: number, key: FlowKey, created: number, ms: number): void {
    const engine = this.group.engines[landing];
    if (landing === owner || engine === undefined || !this.group.isLive(landing) || engine.owned.has(key))
      return;
    engine.deliver(
      { kind: 'correct', from: owner, to: landing, key, owner, reason: Reason.ASYMMETRIC, created },
      ms,
    );
  }
}
