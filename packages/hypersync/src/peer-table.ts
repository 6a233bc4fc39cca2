import { compareIds } from './member-id.js';
import { MemberState } from './member-state.js';
import type { HeartbeatMessage } from './messages.js';
import type { Candidate, ClusterView } from './view.js';

/** What a member last heard from one peer. */
interface Peer {
  incarnation: number;
  lastHeard: number;
  heartbeat: HeartbeatMessage;
}

/** This member as a coordinator candidate, and what it needs to weigh its peers. */
export interface SelfCandidate extends Candidate {
  readonly softwareVersion: number;
  readonly configDigest: number;
}

/**
 * A member's peers: the ids it sends heartbeats to (`known`) and the last heartbeat heard from
 * each, with liveness by the dead interval. Answers the two questions of the coordinator's
 * election: is this member the coordinator, and who are the live candidates of a new view.
 */
export class PeerTable {
  /** Ids heartbeats go to: the configured peers, peers heard from and peers added at run time. */
  readonly known: Set<string> = new Set();
  private readonly heard = new Map<string, Peer>();

  constructor(
    private readonly self: string,
    private readonly deadMs: number,
  ) {}

  /** Records a heartbeat of `msg.sender` at `now` (the sender becomes known). */
  hear(msg: HeartbeatMessage, now: number): void {
    this.known.add(msg.sender);
    this.heard.set(msg.sender, { incarnation: msg.incarnation, lastHeard: now, heartbeat: msg });
  }

  /** Adds a peer to send heartbeats to (never this member itself). */
  add(id: string): void {
    if (id !== this.self) this.known.add(id);
  }

  /** Forgets a peer that left for good. */
  remove(id: string): void {
    this.known.delete(id);
    this.heard.delete(id);
  }

  /** A peer's state: LOST when silent for the dead interval, else what it reports; undefined if never heard. */
  stateOf(id: string, now: number): MemberState | undefined {
    const p = this.heard.get(id);
    if (p === undefined) return undefined;
    if (!this.alive(p, now)) return MemberState.LOST;
    return p.heartbeat.state as MemberState;
  }

  /** Known peers heard within the dead interval. */
  *liveKnown(now: number): IterableIterator<string> {
    for (const id of this.known) {
      const p = this.heard.get(id);
      if (p !== undefined && this.alive(p, now)) yield id;
    }
  }

  /**
   * Whether this member (incarnation `inc`, in the view when `inView`, started at `startedAt`)
   * coordinates now. With a view: the smallest id among its live members, once every member not
   * heard from yet has had a dead interval to be heard. Without a live view member: bootstrap
   * once every live peer has had a chance to be heard, if no live peer has a newer view or a
   * smaller id.
   */
  isCoordinator(
    view: ClusterView | undefined,
    inc: number,
    inView: boolean,
    startedAt: number,
    now: number,
  ): boolean {
    if (view !== undefined) {
      let unheard = false;
      const liveMembers = view.members.filter((m) => {
        if (m.id === this.self) return m.incarnation === inc;
        const p = this.heard.get(m.id);
        // Not heard yet: presumed alive until this member has listened for a whole dead interval.
        if (p === undefined) {
          if (now - startedAt > this.deadMs) return false;
          unheard = true;
          return true;
        }
        // A member that has not adopted any view yet (just restarted) cannot coordinate.
        return p.incarnation === m.incarnation && this.alive(p, now) && p.heartbeat.viewVersion > 0;
      });
      // A view composed now would leave out the members presumed alive but not heard yet (the
      // candidates are the members heard from): a live member dropped that way has its
      // connections promoted elsewhere while it still owns them, and may never see that view to
      // fence itself if a racing one wins. So a (re)started member waits until it has heard them.
      if (liveMembers.length > 0) return inView && !unheard && liveMembers[0]?.id === this.self;
    }
    if (now - startedAt < this.deadMs) return false;
    const mine = view?.version ?? 0;
    for (const [id, p] of this.heard) {
      if (!this.alive(p, now)) continue;
      if (p.heartbeat.viewVersion > mine || compareIds(id, this.self) < 0) return false;
    }
    return true;
  }

  /**
   * The candidates of a new view, this member first, then every live peer running the same
   * software and configuration; and the newest view version any of them has seen (at least
   * `version`, the version in force here).
   */
  candidates(me: SelfCandidate, version: number, now: number): { cands: Candidate[]; newest: number } {
    const cands: Candidate[] = [
      {
        id: me.id,
        incarnation: me.incarnation,
        weight: me.weight,
        site: me.site,
        health: me.health,
        components: me.components,
      },
    ];
    let newest = version;
    for (const [id, p] of this.heard) {
      if (!this.alive(p, now)) continue;
      const hb = p.heartbeat;
      newest = Math.max(newest, hb.viewVersion);
      if (hb.softwareVersion !== me.softwareVersion || hb.configDigest !== me.configDigest) continue;
      cands.push({
        id,
        incarnation: p.incarnation,
        weight: hb.weight,
        site: hb.site,
        health: hb.health,
        components: hb.components,
      });
    }
    return { cands, newest };
  }

  private alive(p: Peer, now: number): boolean {
    return now - p.lastHeard <= this.deadMs;
  }
}
