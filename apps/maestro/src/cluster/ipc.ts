import type { ClusterView } from '@maestro/hypersync';
import type { DistributionTable } from '@maestro/weighting';
import type { SimulationFlags } from '../simulation/settings.js';

/**
 * Messages between the orchestrator and a member process over the fork IPC channel (structured
 * clone, so typed arrays travel as they are). Data and HyperSync traffic never go this way: they
 * are UDP datagrams between the members' sockets.
 */

/** What a member process needs to start. */
export interface MemberInit {
  readonly t: 'init';
  readonly id: string;
  /** Index of the member in `ids` (the correction layer's member number). */
  readonly index: number;
  readonly ids: readonly string[];
  readonly weight: number;
  readonly incarnation: number;
  /** `Date.now()` of the group's start: packet send times count from it. */
  readonly epoch: number;
  /** The group flags (topology, mode, layer, hash), resolved the same way in every process. */
  readonly flags: SimulationFlags;
  readonly heartbeatMs: number;
  readonly deadMs: number;
  readonly tableSize: number;
  /** Share (0..1) of HyperSync SYNC/ACK datagrams this member drops instead of sending. */
  readonly syncLoss: number;
  /**
   * A process that did not run for longer than this was stopped or hung: packets sent before it
   * resumed (its backlog) are dropped as stale.
   */
  readonly staleMs: number;
}

/** The UDP ports of the members (the address book), sent whenever a member (re)starts. */
export interface PeersMessage {
  readonly t: 'peers';
  /** Bumped with every change; the member acknowledges it (a new member starts only then). */
  readonly version: number;
  readonly ports: Readonly<Record<string, number>>;
}

/** Orchestrator → member. */
export type ToMember = MemberInit | PeersMessage | { readonly t: 'audit' };

/** A member's counters and state, sent every status interval. */
export interface MemberStatus {
  readonly t: 'status';
  readonly state: string;
  readonly incarnation: number;
  readonly viewVersion: number;
  /** Digest of the table in force at the member, 0 when none. */
  readonly tableDigest: number;
  /** Packets processed as owner (processed or created here). */
  readonly processed: number;
  /** Packets received from the orchestrator (hop 0). */
  readonly received: number;
  readonly forwarded: number;
  readonly connections: number;
  readonly drops: {
    readonly noConnection: number;
    readonly unknownFragment: number;
    readonly unknownIcmp: number;
    readonly other: number;
    readonly stale: number;
    readonly notActive: number;
  };
  readonly syncRecords: number;
  readonly syncBytes: number;
  readonly recordsApplied: number;
  readonly promoted: number;
  /** Connections this process gave up to the member that created them first (split connections settled). */
  readonly yields: number;
  /** Bulk resync from every peer complete (the full-sync critical device is ok). */
  readonly fullSync: boolean;
  /** Flows (the orchestrator's numbers) whose connection this member created since the last status. */
  readonly created: readonly number[];
  /** Flows of the packets dropped here for finding no connection since the last status (one per packet). */
  readonly missed: readonly number[];
  /** Flows created here again by a packet that was not their first (their state was gone). */
  readonly recreated: readonly number[];
  /** Flows whose connection expired here (idle timeout): a later packet finding none is not a loss. */
  readonly expired: readonly number[];
  /**
   * Flows whose connection this member gave up since the last status to the member that created it
   * first (a split connection settled): the connection lives on there, so it did not expire.
   */
  readonly yielded: readonly number[];
}

/**
 * A member (the coordinator of a new view) publishes the table the view put in force, with the
 * view's members: the orchestrator installs it once every one of them is ready for it.
 */
export interface TableMessage {
  readonly t: 'table';
  readonly viewVersion: number;
  /** The member that composed the view (views of one version are ordered by it). */
  readonly coordinator: string;
  readonly digest: number;
  readonly viewMembers: readonly string[];
  readonly members: readonly { readonly id: string; readonly weight: number }[];
  readonly owners: Uint32Array;
}

/** The offer of the table `view` put in force, as its coordinator posts it. */
export function tableOffer(view: ClusterView, table: DistributionTable): TableMessage {
  return {
    t: 'table',
    viewVersion: view.version,
    coordinator: view.coordinator,
    digest: view.tableDigest,
    viewMembers: view.members.map((m) => m.id),
    members: table.members.map((m) => ({ id: m.id, weight: m.weight })),
    owners: table.owners.slice(),
  };
}

/** Member → orchestrator. */
export type FromMember =
  | { readonly t: 'ready'; readonly port: number }
  /** The member uses the address book of that version. */
  | { readonly t: 'peersAck'; readonly version: number }
  | MemberStatus
  | TableMessage
  /** The member holds table `digest` and has sent the correction entries it calls for. */
  | { readonly t: 'tableReady'; readonly digest: number }
  /** The member sees `peer` LOST (no heartbeat within the dead interval). */
  | { readonly t: 'lost'; readonly peer: string; readonly at: number }
  /** The process stalled this long (stopped, starved) and rejoined as a new incarnation. */
  | { readonly t: 'rejoined'; readonly stalledMs: number }
  /** Answer to `audit`: the flows this member owns, as text. */
  | { readonly t: 'audit'; readonly flows: readonly string[] };

/** True for an object with a string `t` field: the only shape the IPC channel carries. */
export function isTagged(value: unknown): value is { readonly t: string } {
  return typeof value === 'object' && value !== null && typeof (value as { t?: unknown }).t === 'string';
}
