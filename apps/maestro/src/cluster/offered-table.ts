import type { TableMessage } from './ipc.js';

/**
 * The table the orchestrator means to install next: of the tables the members offered as
 * coordinators, the one of the view the group ends on.
 */
export class OfferedTable {
  /** The offer to install once every member of its view is ready for it. */
  pending: TableMessage | undefined = undefined;

  /** Takes a table a member offered as the coordinator of its view. */
  offer(m: TableMessage): void {
    if (this.pending === undefined || m.viewVersion > this.pending.viewVersion) this.pending = m;
  }
}
