/**
 * Cluster states of a member (ClusterXL's): INIT booting, READY waiting for confirmation or
 * mismatched, ACTIVE forwarding, ACTIVE_ATTENTION ("ACTIVE(!)") forwarding with a problem because
 * no healthy member is left, STANDBY healthy spare, DOWN a critical device has a problem, LOST a peer
 * that stopped sending heartbeats (only ever a peer's view of another member).
 */
export const MemberState: {
  readonly INIT: 0;
  readonly READY: 1;
  readonly ACTIVE: 2;
  readonly ACTIVE_ATTENTION: 3;
  readonly STANDBY: 4;
  readonly DOWN: 5;
  readonly LOST: 6;
} = { INIT: 0, READY: 1, ACTIVE: 2, ACTIVE_ATTENTION: 3, STANDBY: 4, DOWN: 5, LOST: 6 };
/** One of the {@link MemberState} values. */
export type MemberState = (typeof MemberState)[keyof typeof MemberState];

const NAMES = ['INIT', 'READY', 'ACTIVE', 'ACTIVE(!)', 'STANDBY', 'DOWN', 'LOST'] as const;

/** The display name of a state, e.g. `ACTIVE(!)`. */
export function stateName(state: MemberState): string {
  return NAMES[state];
}

/** True for a state code read off the wire. */
export function isMemberState(value: number): value is MemberState {
  return Number.isInteger(value) && value >= 0 && value <= 6;
}

/** Health bits a member advertises: every device ok, some device reports a problem, some reports init. */
export const Health: { readonly OK: 1; readonly PROBLEM: 2; readonly INIT: 4 } = {
  OK: 1,
  PROBLEM: 2,
  INIT: 4,
};

/** What a member's own state is derived from. */
export interface StateInputs {
  /** The member has been started (ticked at least once). */
  readonly started: boolean;
  /** The agreed view lists this member with its current incarnation. */
  readonly inView: boolean;
  /** {@link Health} bits of its critical devices. */
  readonly health: number;
  /** The agreed view puts it in the active set. */
  readonly active: boolean;
  /** The agreed view says no live member is healthy. */
  readonly allProblem: boolean;
}

/**
 * The state a member is in, as a pure function of its inputs. `init` always keeps a member out of
 * ACTIVE and ACTIVE(!); a problem takes it DOWN unless the whole group has problems and it is in
 * the active set, where it keeps forwarding as ACTIVE(!).
 */
export function deriveMemberState(s: StateInputs): MemberState {
  if (!s.started) return MemberState.INIT;
  if (s.health & Health.INIT) return s.health & Health.PROBLEM ? MemberState.DOWN : MemberState.READY;
  if (s.health & Health.PROBLEM) {
    return s.inView && s.active && s.allProblem ? MemberState.ACTIVE_ATTENTION : MemberState.DOWN;
  }
  if (!s.inView) return MemberState.READY;
  return s.active ? MemberState.ACTIVE : MemberState.STANDBY;
}
