/**
 * Wire version this package writes and the only one it reads. Version 2 added the ownership epoch
 * and the claim flag to sync records; a version 1 datagram is rejected (`UNKNOWN_VERSION`), so a
 * group is upgraded all at once (members of different software versions stay READY anyway).
 */
export const WIRE_VERSION = 2;
/** First two bytes of every message ("HS"). */
export const WIRE_MAGIC = 0x4853;
/** Largest datagram the decoder accepts (the UDP payload limit). */
export const MAX_MESSAGE_BYTES = 65507;

/** Message types on the wire. */
export const MessageType: {
  readonly HEARTBEAT: 1;
  readonly VIEW: 2;
  readonly TABLE_REQUEST: 3;
  readonly TABLE_CHUNK: 4;
  readonly SYNC: 5;
  readonly ACK: 6;
} = { HEARTBEAT: 1, VIEW: 2, TABLE_REQUEST: 3, TABLE_CHUNK: 4, SYNC: 5, ACK: 6 };
/** One of the {@link MessageType} values. */
export type MessageType = (typeof MessageType)[keyof typeof MessageType];

/** Sync record operations. Create and update are both applied as upserts (idempotent). */
export const RecordOp: { readonly CREATE: 1; readonly UPDATE: 2; readonly DELETE: 3 } = {
  CREATE: 1,
  UPDATE: 2,
  DELETE: 3,
};
/** One of the {@link RecordOp} values. */
export type RecordOp = (typeof RecordOp)[keyof typeof RecordOp];

/** Sync exception of a connection: not synced, to its backup (default), or to every member. */
export type SyncPolicy = 'none' | 'backup' | 'all';

/** Fields every message carries. */
export interface MessageHeader {
  /** Member id of the sender. */
  readonly sender: string;
  /** The sender's incarnation: changes every time it restarts or is fenced. */
  readonly incarnation: number;
}

/** Periodic liveness and status of a member. */
export interface HeartbeatMessage extends MessageHeader {
  readonly type: typeof MessageType.HEARTBEAT;
  /** The sender's {@link MemberState} code. */
  readonly state: number;
  /** bit 0: all critical devices ok; bit 1: some device reports a problem; bit 2: some reports init. */
  readonly health: number;
  /** Version of the view the sender has adopted (0: none). */
  readonly viewVersion: number;
  /** Software version the sender runs. */
  readonly softwareVersion: number;
  /** Digest of the sender's configuration/policy. */
  readonly configDigest: number;
  /** Distribution weight, 0..512. */
  readonly weight: number;
  /** Dual-site site number, 0 when the group is single-site. */
  readonly site: number;
  /** Counts of UP grade components, positionally by the group's configured component kinds. */
  readonly components: readonly number[];
}

/** One member as a view lists it. */
export interface ViewMember {
  readonly id: string;
  readonly incarnation: number;
  readonly weight: number;
  /** Dual-site site number (0: single site). */
  readonly site: number;
  /** In the active set (forwarding, in the distribution table). */
  readonly active: boolean;
}

/** The coordinator's agreed membership, active set and table identity. */
export interface ViewMessage extends MessageHeader {
  readonly type: typeof MessageType.VIEW;
  readonly version: number;
  /** Member that composed the view (a peer may forward it). */
  readonly coordinator: string;
  /** Digest of the distribution table in force (0: no table). */
  readonly tableDigest: number;
  /** Digest of the table it was rebalanced from (0: built fresh). */
  readonly baseDigest: number;
  readonly tableSize: number;
  /** Active site (0: single site). */
  readonly activeSite: number;
  /** True when no live member is healthy: the active set forwards as ACTIVE(!). */
  readonly allProblem: boolean;
  readonly members: readonly ViewMember[];
}

/** Asks the coordinator for table buckets from `offset` on. */
export interface TableRequestMessage extends MessageHeader {
  readonly type: typeof MessageType.TABLE_REQUEST;
  readonly version: number;
  readonly offset: number;
}

/** A run of table buckets: owner indices into the view's active members (sorted by id). */
export interface TableChunkMessage extends MessageHeader {
  readonly type: typeof MessageType.TABLE_CHUNK;
  readonly version: number;
  readonly digest: number;
  readonly size: number;
  readonly offset: number;
  readonly owners: Uint16Array;
}

/** The synced fields of a connection; flow fields are flat (no per-record arrays for IPv4). */
export interface ConnectionFields {
  /** Connection id, a safe integer 0..2^53-1. */
  id: number;
  policy: SyncPolicy;
  family: 4 | 6;
  protocol: number;
  portKind: number;
  srcV4: number;
  dstV4: number;
  src6: Uint8Array | undefined;
  dst6: Uint8Array | undefined;
  srcPort: number;
  dstPort: number;
  /** Distribution hash of the connection (u32). */
  hash: number;
  /** Application state (e.g. TCP state), 0..65535. */
  state: number;
  /** Application timeout or expiry, u32. */
  timeout: number;
  /** Revision: bumped by the owner on every change. */
  rev: number;
  /** Correction target, when the connection has one. */
  target: string | undefined;
  /** Opaque application bytes (NAT info, ...), up to 1024. */
  payload: Uint8Array | undefined;
}

/** One record of a sync frame. */
export interface SyncRecord extends ConnectionFields {
  op: RecordOp;
  /**
   * Ownership epoch of the sender's copy (u32): bumped on every promotion. When two members both
   * claim a connection, the higher epoch wins, then the smaller owner id.
   */
  epoch: number;
  /**
   * A claim: `owner` owns the connection at `epoch` (sent after a partition healed to a member
   * that may own it too, or by a backup to an owner whose record lost to another owner's); a
   * receiver that owns the connection keeps it only if its own copy wins, and stores nothing else.
   */
  claim: boolean;
  /** The claiming owner: set on claims only. */
  owner: string | undefined;
  /** True for a copy held under the `all` policy (not the designated backup). */
  extra: boolean;
  /** Designated backup, carried on `extra` copies so they know who promotes. */
  standby: string | undefined;
}

/** A frame of the reliable sync channel. */
export interface SyncMessage extends MessageHeader {
  readonly type: typeof MessageType.SYNC;
  /** Incarnation of the receiver this frame is for (stale frames are dropped). */
  readonly peerIncarnation: number;
  /** Channel id: a sender that reopens its channel to the same peer uses a higher one. */
  readonly channel: number;
  readonly seq: number;
  /**
   * The oldest frame the sender still has in flight: every earlier one was acknowledged, so a
   * receiver that starts following the channel late (it had closed it) starts here. @default 0
   */
  readonly base?: number;
  /** The sender has now sent everything the receiver must back up (bulk resync complete). */
  readonly bulkEnd: boolean;
  /**
   * The sender reopened this channel after it had dropped the receiver from its view (and lost
   * what the receiver sent it): the receiver sends everything again on its own channel, with a
   * BULK_END. @default false
   */
  readonly resend?: boolean;
  readonly records: readonly SyncRecord[];
}

/** Cumulative acknowledgement: every frame before `next` arrived. */
export interface AckMessage extends MessageHeader {
  readonly type: typeof MessageType.ACK;
  readonly peerIncarnation: number;
  /** The channel acknowledged. */
  readonly channel: number;
  readonly next: number;
}

/** Every message of the protocol. */
export type Message =
  | HeartbeatMessage
  | ViewMessage
  | TableRequestMessage
  | TableChunkMessage
  | SyncMessage
  | AckMessage;

/** Largest payload of a sync record. */
export const MAX_PAYLOAD_BYTES = 1024;
/** Most members a view can list. */
export const MAX_VIEW_MEMBERS = 1024;
/** Most grade component kinds a heartbeat carries. */
export const MAX_COMPONENT_KINDS = 16;
