import { createFlowKey } from '@maestro/hash';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backupCandidates, chooseBackup } from '../src/backup-choice.js';
import { ConnectionRole, ownerWins, type StoredConnection } from '../src/connection.js';
import { connectionFields } from '../src/connection-input.js';
import { ConnectionStore } from '../src/connection-store.js';
import { promoteDeparted } from '../src/promotion.js';
import { createSyncStats } from '../src/sync-stats.js';
import { memberId } from './arbitraries.js';

const OWNERS = ['a', 'b', 'c', 'd'];

interface Expected {
  role: ConnectionRole;
  owner: string;
  ownerIncarnation: number;
  epoch: number;
  rev: number;
  backup: string | undefined;
  hash: number;
}

const role = fc.constantFrom(ConnectionRole.OWNER, ConnectionRole.STANDBY, ConnectionRole.EXTRA);
const copy = fc.record({
  role,
  owner: fc.constantFrom(...OWNERS),
  ownerIncarnation: fc.nat({ max: 3 }),
  epoch: fc.nat({ max: 0xffffffff }),
  rev: fc.nat({ max: 0xffffffff }),
  backup: fc.option(fc.constantFrom(...OWNERS), { nil: undefined }),
  hash: fc.nat({ max: 0xffffffff }),
});
const op = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), id: fc.nat({ max: 63 }), copy }),
  fc.record({ kind: fc.constant('delete' as const), id: fc.nat({ max: 63 }) }),
  fc.record({ kind: fc.constant('change' as const), id: fc.nat({ max: 63 }), copy }),
);

function add(store: ConnectionStore, id: number, e: Expected): StoredConnection {
  const f = connectionFields({ id, flow: createFlowKey(), hash: e.hash }, 'backup');
  f.rev = e.rev;
  return store.add(f, e.role, e.owner, e.ownerIncarnation, e.epoch, e.backup);
}

function stateOf(c: StoredConnection): Expected {
  const { role, owner, ownerIncarnation, epoch, rev, backup, hash } = c;
  return { role, owner, ownerIncarnation, epoch, rev, backup, hash };
}

describe('connection store', () => {
  it('should hold each connection and its ownership state through adds, deletes, changes and slot reuse', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 300 }), (ops) => {
        const store = new ConnectionStore();
        const model = new Map<number, Expected>();
        for (const o of ops) {
          if (o.kind === 'add') {
            add(store, o.id, o.copy);
            model.set(o.id, { ...o.copy });
          } else if (o.kind === 'delete') {
            expect(store.delete(o.id)).toBe(model.delete(o.id));
          } else {
            const c = store.get(o.id);
            if (c === undefined) continue;
            c.role = o.copy.role;
            c.owner = o.copy.owner;
            c.ownerIncarnation = o.copy.ownerIncarnation;
            c.epoch = o.copy.epoch;
            c.rev = o.copy.rev;
            c.backup = o.copy.backup;
            model.set(o.id, { ...o.copy, hash: c.hash });
          }
        }
        expect(store.size).toBe(model.size);
        const seen = new Map<number, Expected>();
        for (const c of store.values()) seen.set(c.id, stateOf(c));
        expect(seen).toEqual(model);
        for (const [id, e] of model) {
          const c = store.get(id);
          expect(c === undefined ? undefined : stateOf(c)).toEqual(e);
        }
      }),
    );
  });

  it('should promote the standby replicas of departed owners, and every extra copy whose designated backup is gone too, and nothing else', () => {
    // Members that left the view, and members still in it under a new incarnation (restarted).
    const change = fc
      .record({ left: fc.subarray(OWNERS), restarted: fc.subarray(OWNERS), incarnation: fc.nat({ max: 3 }) })
      .map((c) => ({ ...c, restarted: c.restarted.filter((id) => !c.left.includes(id)) }));
    fc.assert(
      fc.property(fc.array(copy, { maxLength: 200 }), change, (copies, { left, restarted, incarnation }) => {
        const self = 'a';
        const store = new ConnectionStore();
        const before = copies.map((e, id) => {
          // Replicas are never of this member's own connections; owned ones are.
          const owned = e.role === ConnectionRole.OWNER;
          const x: Expected = {
            ...e,
            owner: owned ? self : e.owner === self ? 'b' : e.owner,
            backup: e.role === ConnectionRole.STANDBY || e.backup === self ? undefined : e.backup,
          };
          add(store, id, x);
          return x;
        });
        // The view: every other member at `incarnation`, a restarted one at the next, the left out.
        const members = new Map(
          OWNERS.filter((id) => id !== self && !left.includes(id)).map((id) => [
            id,
            restarted.includes(id) ? incarnation + 1 : incarnation,
          ]),
        );
        const closed = new Set([...left, ...restarted].filter((id) => id !== self));
        const host = { self, incarnation: 7, store, stats: createSyncStats() };
        const batch = new Int32Array(store.cols.capacity);
        const n = promoteDeparted(host, members, closed, batch);
        const batched = new Set(Array.from(batch.subarray(0, n), (s) => store.at(s)?.id));
        let promoted = 0;
        before.forEach((e, id) => {
          const c = store.get(id);
          // A backup that left or restarted holds nothing: owners and extra copies forget it.
          const backup = e.backup !== undefined && closed.has(e.backup) ? undefined : e.backup;
          const stays = members.get(e.owner) === e.ownerIncarnation;
          if (e.role === ConnectionRole.OWNER) {
            expect(c && stateOf(c)).toEqual({ ...e, backup });
            expect(batched.has(id)).toBe(true);
            return;
          }
          const waits = e.role === ConnectionRole.EXTRA && backup !== undefined && members.has(backup);
          if (stays || waits) {
            expect(c && stateOf(c)).toEqual(e.role === ConnectionRole.EXTRA ? { ...e, backup } : e);
            expect(batched.has(id)).toBe(false);
          } else {
            promoted++;
            expect(c && stateOf(c)).toEqual({
              ...e,
              role: ConnectionRole.OWNER,
              owner: self,
              ownerIncarnation: 7,
              epoch: (e.epoch + 1) >>> 0,
              rev: (e.rev + 1) >>> 0,
              backup: undefined,
            });
            expect(batched.has(id)).toBe(true);
          }
        });
        expect(host.stats.promoted).toBe(promoted);
        expect(batched.size).toBe(n);
      }),
    );
  });

  it('should promote the replicas of a departed owner in every chunk, and keep the others', () => {
    fc.assert(
      fc.property(fc.integer({ min: 65_537, max: 100_000 }), fc.nat({ max: 6 }), (count, keepEvery) => {
        const store = new ConnectionStore();
        for (let id = 0; id < count; id++) {
          const owner = keepEvery > 0 && id % (keepEvery + 1) === 0 ? 'b' : 'z';
          add(store, id, {
            role: ConnectionRole.STANDBY,
            owner,
            ownerIncarnation: 1,
            epoch: 3,
            rev: 5,
            backup: undefined,
            hash: id,
          });
        }
        const host = { self: 'a', incarnation: 2, store, stats: createSyncStats() };
        const batch = new Int32Array(store.cols.capacity);
        const n = promoteDeparted(host, new Map([['b', 1]]), new Set(['z']), batch);
        let promoted = 0;
        const wrong: number[] = [];
        for (let id = 0; id < count; id++) {
          const c = store.get(id);
          const kept = keepEvery > 0 && id % (keepEvery + 1) === 0;
          if (!kept) promoted++;
          const ok = kept
            ? c?.role === ConnectionRole.STANDBY && c.owner === 'b' && c.epoch === 3
            : c?.role === ConnectionRole.OWNER && c.owner === 'a' && c.epoch === 4;
          if (!ok) wrong.push(id);
        }
        expect(wrong).toEqual([]);
        expect(n).toBe(promoted);
        expect(host.stats.promoted).toBe(promoted);
        expect(new Set(Array.from(batch.subarray(0, n), (s) => store.at(s)?.owner))).toEqual(new Set(['a']));
      }),
      { numRuns: 2 },
    );
  });

  it("should choose a connection's correction target as its backup when the target is another member of the view", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(memberId, { minLength: 2, maxLength: 8 }),
        fc.nat({ max: 0xffffffff }),
        fc.nat(),
        fc.nat(),
        (ids, hash, o, t) => {
          const owner = ids[o % ids.length] ?? '';
          const target = ids[t % ids.length] ?? '';
          const c = backupCandidates(
            ids.map((id) => ({ id, incarnation: 1, weight: 1, site: 0, active: true })),
          );
          const backup = chooseBackup(hash, target, owner, c);
          if (target !== owner) expect(backup).toBe(target);
          else expect(backup).not.toBe(owner);
        },
      ),
    );
  });

  it('should let the higher epoch win between two owners of a connection, and the smaller owner id at equal epochs', () => {
    fc.assert(
      fc.property(fc.nat({ max: 0xfffffffe }), memberId, memberId, (epoch, a, b) => {
        fc.pre(a !== b);
        expect(ownerWins(epoch, a, epoch, b)).toBe(a < b);
        expect(ownerWins(epoch, a, epoch, b)).toBe(!ownerWins(epoch, b, epoch, a));
        expect(ownerWins(epoch + 1, b, epoch, a)).toBe(true);
        expect(ownerWins(epoch, a, epoch + 1, b)).toBe(false);
      }),
    );
  });
});
