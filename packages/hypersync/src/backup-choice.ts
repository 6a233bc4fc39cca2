import { fmix32 } from '@maestro/hash';
import type { ViewMember } from './messages.js';

/** FNV-1a of an ASCII id: the per-member seed of the rendezvous choice. */
export function idSeed(id: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The members a backup may be chosen among, prepared once per view. */
export interface BackupCandidates {
  readonly ids: readonly string[];
  readonly seeds: Uint32Array;
  readonly sites: Uint8Array;
  readonly index: ReadonlyMap<string, number>;
  readonly dual: boolean;
}

/** Prepares the candidates of a view (every confirmed member may hold replicas). */
export function backupCandidates(members: readonly ViewMember[]): BackupCandidates {
  const ids = members.map((m) => m.id);
  const seeds = new Uint32Array(ids.length);
  const sites = new Uint8Array(ids.length);
  for (let i = 0; i < ids.length; i++) {
    seeds[i] = idSeed(ids[i] ?? '');
    sites[i] = members[i]?.site ?? 0;
  }
  return {
    ids,
    seeds,
    sites,
    index: new Map(ids.map((id, i) => [id, i])),
    dual: sites.some((s) => s !== 0),
  };
}

/**
 * The backup (per-connection Standby) of a connection: its correction target when that is another
 * live member, else a second, independent choice: weighted-free rendezvous hashing on a remix of
 * the connection's hash over the other members, preferring the other site in a dual-site group.
 * Rendezvous keeps replicas where they are when unrelated members come and go (a joiner takes
 * about 1/N of them, a leaver gives up only its own). Undefined when no other member exists.
 */
export function chooseBackup(
  hash: number,
  target: string | undefined,
  owner: string,
  c: BackupCandidates,
): string | undefined {
  if (target !== undefined && target !== owner && c.index.has(target)) return target;
  const ownerAt = c.index.get(owner);
  const ownerSite = ownerAt === undefined ? 0 : (c.sites[ownerAt] ?? 0);
  const h2 = fmix32(hash ^ 0x9e3779b9);
  let best = -1;
  let bestScore = -1;
  let bestOther = -1;
  let bestOtherScore = -1;
  const n = c.ids.length;
  for (let i = 0; i < n; i++) {
    if (i === ownerAt) continue;
    const score = fmix32(h2 ^ (c.seeds[i] ?? 0));
    if (score > bestScore) {
      bestScore = score;
      best = i;
    }
    if (c.dual && (c.sites[i] ?? 0) !== ownerSite && score > bestOtherScore) {
      bestOtherScore = score;
      bestOther = i;
    }
  }
  const pick = bestOther >= 0 ? bestOther : best;
  return pick < 0 ? undefined : c.ids[pick];
}
