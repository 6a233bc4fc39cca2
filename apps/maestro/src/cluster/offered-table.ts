import type { TableMessage } from './ipc.js';

/**
 * HyperSync's order of views, which decides the view a group ends on: the higher version, then,
 * when two coordinators raced to the same version, the one composed by the smaller member id. A
 * later offer from the same coordinator replaces an earlier one of the same version.
 */
function supersedes(offer: TableMessage, held: TableMessage): boolean {
  if (offer.viewVersion !== held.viewVersion) return offer.viewVersion > held.viewVersion;
  return offer.coordinator <= held.coordinator;
}

/**
 * The table the orchestrator means to install next: of the tables the members offered as
 * coordinators, the one of the view the group ends on.
 *
 * Starved members race: a member the others took for dead comes back and composes a view of the
 * same version as the one its peer composed meanwhile. HyperSync keeps the one of the smaller
 * coordinator id on every member, so the orchestrator must keep that one too, whichever offer
 * reaches it first: the other is a table no member holds, that never becomes ready, and no newer
 * view follows once the group is settled.
 */
export class OfferedTable {
  /** The offer to install once every member of its view is ready for it. */
  pending: TableMessage | undefined = undefined;

  /** Takes a table a member offered as the coordinator of its view. */
  offer(m: TableMessage): void {
    if (this.pending === undefined || supersedes(m, this.pending)) this.pending = m;
  }
}
