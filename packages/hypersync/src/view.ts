import { compareIds } from './member-id.js';
import { Health } from './member-state.js';
import type { ViewMember } from './messages.js';
import { chooseActiveSite } from './site-grade.js';

/** The agreed state of the group, as the coordinator publishes it. */
export interface ClusterView {
  readonly version: number;
  /** Member id of the coordinator that published it. */
  readonly coordinator: string;
  /** Confirmed members, sorted by id. */
  readonly members: readonly ViewMember[];
  /** Active site, 0 when single-site. */
  readonly activeSite: number;
  /** No live member is healthy: the active set forwards as ACTIVE(!). */
  readonly allProblem: boolean;
  readonly tableDigest: number;
  readonly baseDigest: number;
  readonly tableSize: number;
}

/** What the coordinator knows of one live candidate member. */
export interface Candidate {
  readonly id: string;
  readonly incarnation: number;
  readonly weight: number;
  readonly site: number;
  /** {@link Health} bits it advertises. */
  readonly health: number;
  /** Counts of UP grade components, by configured kind. */
  readonly components: readonly number[];
}

/** Group-wide policy the coordinator applies. */
export interface GroupPolicy {
  /**
   * How many members are ACTIVE; the rest of the healthy ones are STANDBY spares (N+1). At most the
   * table size: each active member needs a bucket.
   */
  readonly activeMembers: number;
  /** Grade factor (0..1000) of one healthy member, for dual site. */
  readonly memberFactor: number;
  /** Grade factors (0..1000) of the extra component kinds members report, by position. */
  readonly componentFactors: readonly number[];
  /** Grade margin the standby site must exceed the active one by to take over. */
  readonly hysteresis: number;
}

/** The composition part of a view (no version, coordinator or table). */
export interface ViewShape {
  readonly members: readonly ViewMember[];
  readonly activeSite: number;
  readonly allProblem: boolean;
}

function grade(site: number, cands: readonly Candidate[], policy: GroupPolicy): number {
  let g = 0;
  for (const c of cands) {
    if (c.site !== site) continue;
    if (c.health === Health.OK) g += policy.memberFactor;
    for (let k = 0; k < policy.componentFactors.length; k++) {
      g += (policy.componentFactors[k] ?? 0) * (c.components[k] ?? 0);
    }
  }
  return g;
}

function pick(pool: readonly Candidate[], previous: ReadonlySet<string>, target: number): Set<string> {
  // Active Up: members already active keep the role; spares fill the gap in id order, those with
  // weight first (a draining spare, weight 0, would take no traffic while one with weight waited).
  const chosen = new Set<string>();
  for (const c of pool) if (previous.has(c.id) && chosen.size < target) chosen.add(c.id);
  for (const weighted of [true, false]) {
    for (const c of pool) if (chosen.size < target && c.weight > 0 === weighted) chosen.add(c.id);
  }
  return chosen;
}

/**
 * The view the coordinator wants, from the previous view and the live candidates (itself
 * included), as a pure function: every member that coordinates applies the same rule.
 */
export function composeView(
  previous: ViewShape | undefined,
  candidates: readonly Candidate[],
  policy: GroupPolicy,
): ViewShape {
  const cands = [...candidates].sort((a, b) => compareIds(a.id, b.id));
  const dual = cands.some((c) => c.site !== 0);
  let activeSite = 0;
  if (dual) {
    const current = previous?.activeSite === 1 || previous?.activeSite === 2 ? previous.activeSite : 0;
    activeSite = chooseActiveSite(
      current,
      grade(1, cands, policy),
      grade(2, cands, policy),
      policy.hysteresis,
    );
  }
  const prevActive = new Set<string>();
  if (previous !== undefined && previous.activeSite === activeSite) {
    for (const m of previous.members) if (m.active) prevActive.add(m.id);
  }
  const pool = dual ? cands.filter((c) => c.site === activeSite) : cands;
  const healthy = pool.filter((c) => c.health === Health.OK);
  let active: Set<string>;
  let allProblem = false;
  if (healthy.length > 0) {
    active = pick(healthy, prevActive, policy.activeMembers);
  } else {
    // Nobody healthy: members with a problem (but not still initialising) keep forwarding.
    const forwarding = pool.filter((c) => (c.health & Health.INIT) === 0);
    active = pick(forwarding, prevActive, policy.activeMembers);
    allProblem = active.size > 0;
  }
  const members = cands.map((c) => ({
    id: c.id,
    incarnation: c.incarnation,
    weight: c.weight,
    site: c.site,
    active: active.has(c.id),
  }));
  return { members, activeSite, allProblem };
}

/** True when two view shapes list the same members, roles, weights and site. */
export function sameShape(a: ViewShape, b: ViewShape): boolean {
  if (
    a.activeSite !== b.activeSite ||
    a.allProblem !== b.allProblem ||
    a.members.length !== b.members.length
  ) {
    return false;
  }
  for (let i = 0; i < a.members.length; i++) {
    const x = a.members[i];
    const y = b.members[i];
    if (x === undefined || y === undefined) return false;
    if (x.id !== y.id || x.incarnation !== y.incarnation || x.weight !== y.weight) return false;
    if (x.site !== y.site || x.active !== y.active) return false;
  }
  return true;
}

/** Orders two views: higher version first, then the smaller coordinator id. Positive when `a` is newer. */
export function compareViews(
  a: { version: number; coordinator: string },
  b: { version: number; coordinator: string },
): number {
  if (a.version !== b.version) return a.version - b.version;
  return compareIds(b.coordinator, a.coordinator);
}
