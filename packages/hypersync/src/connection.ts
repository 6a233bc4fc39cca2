import type { ConnectionFields } from './messages.js';

/** What a member holds a connection as. */
export const ConnectionRole: { readonly OWNER: 0; readonly STANDBY: 1; readonly EXTRA: 2 } = {
  OWNER: 0,
  STANDBY: 1,
  EXTRA: 2,
};
/** One of the {@link ConnectionRole} values: the per-connection Active (owner), Standby (backup) or an extra copy. */
export type ConnectionRole = (typeof ConnectionRole)[keyof typeof ConnectionRole];

/**
 * A connection as a member stores it: the synced fields plus who owns it and where its replica
 * lives. Mutable and internal; callers read snapshots.
 */
export interface StoredConnection extends ConnectionFields {
  role: ConnectionRole;
  /** Owner member id. */
  owner: string;
  /** Owner incarnation the record came from. */
  ownerIncarnation: number;
  /** Owner: the designated backup (undefined when unsynced or alone). Extra copy: the owner's designated backup. */
  backup: string | undefined;
  /** Token of the channel this connection is queued on (0: none), to coalesce repeated changes. */
  queuedOn: number;
}

/** A read-only snapshot of a stored connection. */
export type ConnectionInfo = Readonly<StoredConnection>;
