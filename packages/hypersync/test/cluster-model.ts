import { createFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { expect } from 'vitest';
import { type ConnectionInfo, ConnectionRole, Health, type Member, MemberState } from '../src/index.js';
import type { Sim } from './sim.js';

/** The model: the connections that must exist and their latest state. */
export interface ClusterModel {
  readonly conns: Map<number, { state: number; policy: 'none' | 'backup' }>;
  /** Connections whose owner crashed before its latest update may have been synced. */
  readonly unsure: Set<number>;
  /**
   * Connections a partition touched (held then, or created, changed or deleted since): after the
   * heal each may be lost (a fenced side drops everything) or resurrected (the deleting owner
   * lost to another), and its state is the winning owner's. Exactly one owner and one backup
   * still hold for every one that exists.
   */
  readonly maybe: Set<number>;
  /** A partition happened since the last quiescent check. */
  partitioned: boolean;
  nextId: number;
  lost: number;
}

/** A model with no connections. */
export function emptyModel(): ClusterModel {
  return { conns: new Map(), unsure: new Set(), maybe: new Set(), partitioned: false, nextId: 0, lost: 0 };
}

/** The system under test. */
export interface ClusterReal {
  readonly sim: Sim;
  readonly ids: readonly string[];
}

type Cmd = fc.Command<ClusterModel, ClusterReal>;

function running(r: ClusterReal): Member[] {
  return [...r.sim.members.values()];
}

function ownerOf(r: ClusterReal, id: number): Member | undefined {
  return running(r).find((m) => m.connection(id)?.role === ConnectionRole.OWNER);
}

function holders(r: ClusterReal, id: number): { m: Member; c: ConnectionInfo }[] {
  const out: { m: Member; c: ConnectionInfo }[] = [];
  for (const m of running(r)) {
    const c = m.connection(id);
    if (c !== undefined) out.push({ m, c });
  }
  return out;
}

/** Checks every quiescent-point invariant. */
export function checkQuiescent(model: ClusterModel, r: ClusterReal): void {
  const members = running(r);
  for (const m of members) {
    m.forEachConnection((c) => {
      if (!model.conns.has(c.id) && model.maybe.has(c.id)) {
        model.conns.set(c.id, { state: c.state, policy: c.policy === 'none' ? 'none' : 'backup' });
      }
      expect(model.conns.has(c.id), `${m.id} holds ${c.id} which should not exist`).toBe(true);
    });
  }
  for (const id of model.maybe) {
    if (model.conns.has(id) && holders(r, id).length === 0) {
      model.conns.delete(id);
      model.lost++;
    }
    model.unsure.add(id);
  }
  model.maybe.clear();
  model.partitioned = false;
  for (const [id, want] of model.conns) {
    const hs = holders(r, id);
    const owners = hs.filter((h) => h.c.role === ConnectionRole.OWNER);
    expect(owners.length, `connection ${id} owners`).toBe(1);
    const owner = owners[0];
    if (owner === undefined) continue;
    if (model.unsure.has(id)) {
      want.state = owner.c.state;
      model.unsure.delete(id);
    }
    expect(owner.c.state).toBe(want.state);
    const standbys = hs.filter((h) => h.c.role === ConnectionRole.STANDBY);
    expect(hs.filter((h) => h.c.role === ConnectionRole.EXTRA)).toEqual([]);
    if (want.policy === 'none' || members.length < 2) {
      expect(standbys.length, `connection ${id} standbys`).toBe(0);
      continue;
    }
    expect(standbys.length, `connection ${id} standbys`).toBe(1);
    const s = standbys[0];
    if (s === undefined) continue;
    expect(s.m.id).not.toBe(owner.m.id);
    expect(owner.c.backup).toBe(s.m.id);
    expect(s.c.owner).toBe(owner.m.id);
    expect([s.c.state, s.c.rev, s.c.timeout]).toEqual([owner.c.state, owner.c.rev, owner.c.timeout]);
  }
  const now = r.sim.now;
  const healthy = members.some((m) => m.devices.health(now) === Health.OK);
  if (healthy) expect(members.some((m) => m.state(now) === MemberState.ACTIVE)).toBe(true);
  const digests = new Set(members.map((m) => m.view?.tableDigest));
  expect(digests.size).toBeLessThanOrEqual(1);
}

/** Always true, after every step: no member forwards while a device reports init. */
export function checkAlways(sim: Sim): void {
  for (const m of sim.members.values()) {
    const s = m.state(sim.now);
    if (s === MemberState.ACTIVE || s === MemberState.ACTIVE_ATTENTION) {
      expect(m.devices.health(sim.now) & Health.INIT).toBe(0);
    }
  }
}

/** Runs the group until quiescent and checks every quiescent-point invariant. */
export class SettleCmd implements Cmd {
  check(): boolean {
    return true;
  }
  run(model: ClusterModel, r: ClusterReal): void {
    r.sim.heal();
    expect(r.sim.settle(), 'the group should become quiescent').toBe(true);
    checkQuiescent(model, r);
  }
  toString(): string {
    return 'settle';
  }
}

/** Creates `count` connections on an ACTIVE member. */
export class CreateCmd implements Cmd {
  constructor(
    readonly pick: number,
    readonly count: number,
    readonly policy: 'none' | 'backup',
    readonly targetPick: number | undefined,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: ClusterModel, r: ClusterReal): void {
    const active = running(r).filter(
      (m) => m.state(r.sim.now) === MemberState.ACTIVE && m.view !== undefined,
    );
    const m = active[this.pick % Math.max(1, active.length)];
    if (m === undefined) return;
    for (let k = 0; k < this.count; k++) {
      const id = model.nextId++;
      const flow = createFlowKey();
      flow.srcV4 = id;
      const target = this.targetPick === undefined ? undefined : r.ids[this.targetPick % r.ids.length];
      const hash = Math.imul(id + 1, 0x9e3779b1) >>> 0;
      m.createConnection({ id, flow, hash, sync: this.policy, ...(target === undefined ? {} : { target }) });
      model.conns.set(id, { state: 0, policy: this.policy });
      if (model.partitioned) model.maybe.add(id);
    }
  }
  toString(): string {
    return `create(${this.pick}, ${this.count}, ${this.policy}, ${this.targetPick})`;
  }
}

/** Updates or deletes a connection through its owner. */
export class UpdateCmd implements Cmd {
  constructor(
    readonly pick: number,
    readonly state: number,
    readonly remove: boolean,
  ) {}
  check(model: ClusterModel): boolean {
    return model.conns.size > 0;
  }
  run(model: ClusterModel, r: ClusterReal): void {
    const ids = [...model.conns.keys()];
    const id = ids[this.pick % ids.length] ?? 0;
    const owner = ownerOf(r, id);
    const want = model.conns.get(id);
    if (owner === undefined || want === undefined) return;
    if (model.partitioned) model.maybe.add(id);
    if (this.remove) {
      owner.deleteConnection(id);
      model.conns.delete(id);
    } else {
      owner.updateConnection(id, { state: this.state });
      want.state = this.state;
    }
  }
  toString(): string {
    return `${this.remove ? 'delete' : 'update'}(${this.pick}, ${this.state})`;
  }
}

/** Crashes one or two members at once (never all of them). */
export class CrashCmd implements Cmd {
  constructor(readonly picks: readonly number[]) {}
  check(): boolean {
    return true;
  }
  run(model: ClusterModel, r: ClusterReal): void {
    const live = running(r).map((m) => m.id);
    const victims = new Set(this.picks.map((p) => live[p % live.length] ?? ''));
    if (victims.size >= live.length) return;
    // A connection survives exactly when some surviving member holds a copy of it right now.
    const survivors = running(r).filter((m) => !victims.has(m.id));
    const held = new Map<number, ConnectionInfo>();
    for (const m of survivors)
      m.forEachConnection((c) => {
        const copy = m.connection(c.id);
        if (copy !== undefined) held.set(c.id, copy);
      });
    for (const [id, want] of model.conns) {
      const owner = ownerOf(r, id);
      if (model.partitioned) {
        // The copies that count may be on either side of the partition: judged after the heal.
        model.maybe.add(id);
      } else if (!held.has(id)) {
        model.conns.delete(id);
        model.lost++;
      } else if (owner !== undefined && victims.has(owner.id)) {
        model.unsure.add(id);
      }
      void want;
    }
    for (const [id, c] of held) {
      // A delete the crashed owner never sent: the backup still has it, so it lives on.
      if (!model.conns.has(id) && (victims.has(c.owner) || model.partitioned)) {
        model.conns.set(id, { state: c.state, policy: c.policy === 'none' ? 'none' : 'backup' });
        model.unsure.add(id);
      }
    }
    for (const v of victims) r.sim.crash(v);
  }
  toString(): string {
    return `crash(${this.picks.join(',')})`;
  }
}

/**
 * Cuts the running members in two for `steps` steps of 10 ms (long enough, from 400 ms on, for
 * each side to drop the other from its view and promote its replicas), then leaves the network
 * cut: the next settle heals it.
 */
export class PartitionCmd implements Cmd {
  constructor(
    readonly picks: readonly number[],
    readonly steps: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: ClusterModel, r: ClusterReal): void {
    const live = running(r).map((m) => m.id);
    const side = new Set(this.picks.map((p) => live[p % live.length] ?? ''));
    if (side.size >= live.length) return;
    model.partitioned = true;
    for (const id of model.conns.keys()) model.maybe.add(id);
    // A delete not yet delivered: the backup still holds the connection and may promote it.
    for (const m of running(r)) m.forEachConnection((c) => model.maybe.add(c.id));
    r.sim.partition(side);
    for (let i = 0; i < this.steps; i++) r.sim.step();
  }
  toString(): string {
    return `partition(${this.picks.join(',')}; ${this.steps})`;
  }
}

/** Starts a member that is down (a restart or a new member). */
export class StartCmd implements Cmd {
  constructor(readonly pick: number) {}
  check(): boolean {
    return true;
  }
  run(_model: ClusterModel, r: ClusterReal): void {
    const down = r.ids.filter((id) => !r.sim.members.has(id));
    const id = down[this.pick % Math.max(1, down.length)];
    if (id === undefined) return;
    startWithDevice(r.sim, id);
  }
  toString(): string {
    return `start(${this.pick})`;
  }
}

/** Reports the `iface` device of a member. */
export class DeviceCmd implements Cmd {
  constructor(
    readonly pick: number,
    readonly status: 'ok' | 'init' | 'problem',
  ) {}
  check(): boolean {
    return true;
  }
  run(_model: ClusterModel, r: ClusterReal): void {
    const ms = running(r);
    const m = ms[this.pick % ms.length];
    m?.reportDevice('iface', this.status, r.sim.now);
  }
  toString(): string {
    return `device(${this.pick}, ${this.status})`;
  }
}

/** Steps the simulation without waiting for quiescence (mid-sync faults). */
export class RunCmd implements Cmd {
  constructor(readonly steps: number) {}
  check(): boolean {
    return true;
  }
  run(_model: ClusterModel, r: ClusterReal): void {
    for (let i = 0; i < this.steps; i++) r.sim.step();
  }
  toString(): string {
    return `run(${this.steps})`;
  }
}

/** Starts a member with one extra critical device, `iface`, reporting ok. */
export function startWithDevice(sim: Sim, id: string): Member {
  const m = sim.start(id);
  m.devices.register('iface', 0, sim.now, 'ok');
  return m;
}

/** Every command of the cluster model. */
export const clusterCommands: fc.Arbitrary<fc.Command<ClusterModel, ClusterReal>>[] = [
  fc.constant(new SettleCmd()),
  fc
    .record({
      pick: fc.nat(),
      count: fc.integer({ min: 1, max: 6 }),
      policy: fc.constantFrom('none' as const, 'backup' as const, 'backup' as const),
      target: fc.option(fc.nat(), { nil: undefined, freq: 3 }),
    })
    .map((a) => new CreateCmd(a.pick, a.count, a.policy, a.target)),
  fc
    .record({ pick: fc.nat(), state: fc.nat({ max: 65535 }), remove: fc.boolean() })
    .map((a) => new UpdateCmd(a.pick, a.state, a.remove)),
  fc.array(fc.nat(), { minLength: 1, maxLength: 2 }).map((p) => new CrashCmd(p)),
  fc.nat().map((p) => new StartCmd(p)),
  fc
    .record({
      pick: fc.nat(),
      status: fc.constantFrom('ok' as const, 'ok' as const, 'init' as const, 'problem' as const),
    })
    .map((a) => new DeviceCmd(a.pick, a.status)),
  fc.integer({ min: 1, max: 30 }).map((s) => new RunCmd(s)),
];

/** Every command of the cluster model, network partitions included. */
export const partitionCommands: fc.Arbitrary<fc.Command<ClusterModel, ClusterReal>>[] = [
  ...clusterCommands,
  fc
    .record({
      picks: fc.array(fc.nat(), { minLength: 1, maxLength: 2 }),
      steps: fc.integer({ min: 5, max: 120 }),
    })
    .map((a) => new PartitionCmd(a.picks, a.steps)),
];
