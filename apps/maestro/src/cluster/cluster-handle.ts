/**
 * The contract between a running security group (`maestro cluster run` / `cluster up`, real
 * processes over UDP loopback) and whoever watches or steers it (the report, the dashboard).
 */

/** A member as the orchestrator last saw it. */
export interface MemberView {
  /** `sgm1` … `sgmN`. */
  readonly id: string;
  /**
   * The HyperSync state the member last reported (`INIT`, `READY`, `ACTIVE`, `ACTIVE(!)`,
   * `STANDBY`, `DOWN`, `LOST`), or what the orchestrator did to the process (`KILLED`, `STOPPED`).
   */
  readonly state: string;
  readonly weight: number;
  /** OS process id, `null` while the process is not running. */
  readonly pid: number | null;
  /** Packets this member processed as owner. */
  readonly packets: number;
  /** Connections it owns now. */
  readonly connections: number;
  /** Packets it forwarded to another member (correction hops). */
  readonly corrections: number;
  /** Sync records it sent. */
  readonly syncRecords: number;
  /** Split connections it gave up to the member that created them first (they live on there). */
  readonly yielded: number;
}

/** The whole group at one instant; cheap to take, taken often (a dashboard polls it). */
export interface ClusterSnapshot {
  /** Milliseconds since the group started. */
  readonly at: number;
  /** Version of the distribution table in force. */
  readonly tableVersion: number;
  readonly members: readonly MemberView[];
  /** Packets the orchestrator sent to members so far. */
  readonly packetsSent: number;
  readonly packetsDropped: number;
  readonly connectionsLost: number;
  readonly sync: { readonly records: number; readonly bytes: number };
}

/** Something that happened to the group: a failure, a detection, a new table, a resync, … */
export interface ClusterEvent {
  /** Milliseconds since the group started. */
  readonly at: number;
  /** e.g. `kill`, `stop`, `cont`, `restart`, `detected`, `table`, `resync`, `weight`. */
  readonly kind: string;
  readonly member?: string;
  /** One human-readable line. */
  readonly detail: string;
}

/** A running group: watch it, steer it, stop it. */
export interface ClusterHandle {
  snapshot(): ClusterSnapshot;
  /** Every event from now on (and none from before); returns the unsubscribe function. */
  onEvent(listener: (event: ClusterEvent) => void): () => void;
  /** SIGKILL the member's process. */
  kill(member: string): Promise<void>;
  /** SIGSTOP (a hung member) / SIGCONT. */
  stop(member: string): Promise<void>;
  cont(member: string): Promise<void>;
  /** Start a fresh process for a killed member; it rejoins and resyncs. */
  restart(member: string): Promise<void>;
  /** Change a member's weight (0..512); the group installs a new table. */
  setWeight(member: string, weight: number): Promise<void>;
  /** Stops every process; resolves when all have exited. */
  close(): Promise<void>;
}
