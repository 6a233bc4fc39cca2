import type { TableMessage } from './ipc.js';

/**
 * HyperSync's order of views, which decides the view a group ends on: the higher version, then,
 * when two coordinators raced to the same version, the one composed by the smaller member id.
 */
function supersedes(offer: TableMessage, held: TableMessage): boolean {
  if (offer.viewVersion !== held.viewVersion) return offer.viewVersion > held.viewVersion;
  return offer.coordinator < held.coordinator;
}

/**
 * The table the orchestrator means to install next: of the tables the members offered as
 * coordinators, the one of the view the group ends on.
 *
 * Starved members race: a member the others took for dead comes back and composes a view of the
 * same version as the one its peer composed meanwhile. HyperSync keeps the one of the smaller
 * coordinator id on every member, so the orchestrator must keep that one too, whichever offer
 * reaches it first: the other is a table no member holds, that never becomes ready, and no newer
 * view follows once the group is settled. Each coordinator's latest offer is kept, so that when a
 * coordinator dies between offering its view and broadcasting it (the survivors then compose a
 * view of the same version), {@link forget} falls back to the survivors' offer.
 */
export class OfferedTable {
  private readonly offers = new Map<string, TableMessage>();
  private best: TableMessage | undefined = undefined;

  /** The offer to install once every member of its view is ready for it. */
  get pending(): TableMessage | undefined {
    return this.best;
  }

  /**
   * Takes a table a member offered as the coordinator of its view; it replaces that member's
   * offer of an older or the same view version (an older one arriving late changes nothing).
   */
  offer(m: TableMessage): void {
    const held = this.offers.get(m.coordinator);
    if (held !== undefined && m.viewVersion < held.viewVersion) return;
    this.offers.set(m.coordinator, m);
    this.choose();
  }

  /** Drops the offer of a member whose process is gone or that rejoined as a new incarnation: its views died with it. */
  forget(member: string): void {
    if (this.offers.delete(member)) this.choose();
  }

  private choose(): void {
    // One offer per member at most: a handful to compare.
    let best: TableMessage | undefined;
    for (const m of this.offers.values()) if (best === undefined || supersedes(m, best)) best = m;
    this.best = best;
  }
}
