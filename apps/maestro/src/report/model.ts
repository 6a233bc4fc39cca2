/** Why a packet needed an extra internal hop (the correction layer's reasons). */
export type CorrectionReason = 'nat' | 'asymmetric' | 'fragment' | 'related' | 'icmp-error';

/** One member's totals in a simulation. */
export interface MemberReport {
  readonly id: string;
  readonly weight: number;
  /** Packets this member processed (as their connection's owner). */
  readonly packets: number;
  readonly bytes: number;
  /** Connections this member created (became owner of) or took over. */
  readonly connections: number;
  /** Its share of all processed packets. */
  readonly share: number;
  /**
   * The share its weight entitles it to: for every stretch between events, weight / total weight
   * of the members live then, weighted by the packets of that stretch.
   */
  readonly expectedShare: number;
  /** State at the end of the run. */
  readonly state: string;
}

/** One injected event and what it cost. */
export interface EventReport {
  /** Seconds from the capture's first packet. */
  readonly at: number;
  readonly kind: 'fail' | 'recover' | 'add' | 'remove' | 'weight';
  readonly member: string;
  /** For `weight`: the new weight. */
  readonly weight?: number;
  /** Distribution-table buckets whose member changed. */
  readonly bucketsMoved: number;
  /** Live connections whose owner changed (taken over by their backup, or handed over). */
  readonly connectionsMoved: number;
  /** Live connections whose state was gone (owner and backup both lost). */
  readonly connectionsLost: number;
}

/** A ConnectControl logical server and how its connections were balanced. */
export interface LogicalServerReport {
  readonly name: string;
  /** The virtual address clients connect to. */
  readonly address: string;
  readonly port: number;
  readonly method: string;
  readonly persistency: string;
  /** Real servers in the policy's order, with the connections balanced to each. */
  readonly servers: readonly {
    readonly address: string;
    readonly port: number;
    readonly connections: number;
  }[];
}

/** Time series for the HTML report: one point per interval. */
export interface Timeline {
  /** Interval start, seconds from the first packet. */
  readonly t: number[];
  /** Packets processed per member per interval, by member id. */
  readonly packets: Record<string, number[]>;
  /** Corrections per interval, by reason. */
  readonly corrections: Record<CorrectionReason, number[]>;
}

/** The result of `maestro simulate` (its JSON output, and the input of the text and HTML reports). */
export interface SimulationReport {
  readonly capture: string;
  readonly settings: {
    readonly mode: string;
    readonly layer: 'l3' | 'l4';
    readonly strategy: 'rebalance' | 'maglev';
    readonly tableSize: number;
    readonly hash: string;
  };
  readonly packets: number;
  readonly bytes: number;
  /** Packets that carried no IP flow (not IP, malformed): counted, not distributed. */
  readonly skipped: number;
  /** Packets no member took: no connection for them (lost state, TCP without SYN, unknown fragment). */
  readonly dropped: number;
  readonly connections: number;
  readonly durationSeconds: number;
  readonly members: MemberReport[];
  /** Dropped packets by cause (noConnection, unknownFragment, unknownIcmp, natExhausted, deadMember). */
  readonly drops: Record<string, number>;
  /** Max member packets / mean packets over members with weight > 0. */
  readonly imbalance: number;
  readonly corrections: {
    readonly total: number;
    readonly byReason: Record<CorrectionReason, number>;
    /** Extra internal hops all corrections cost. */
    readonly extraHops: number;
  };
  /**
   * Packets processed by a member that is not their connection's owner (the first member that
   * created it, by the simulator's own record; 0 unless a connection was split).
   */
  readonly misdelivered: number;
  /**
   * Connections that a second member created while another owned them: a reply (or a later
   * packet) entered where the owner did not predict, so the topology is probably wrong (both
   * directions on one VLAN, say). Their packets processed off the owner count in `misdelivered`;
   * the correction layer settles a split it finds (the later creator yields and forwards).
   */
  readonly splitConnections: number;
  /**
   * Connections two members translated to a tuple another connection already held (hide NAT of a
   * protocol without ports, a many-to-one source NAT: each member keeps only its own translations
   * apart). Replies to that tuple cannot be told apart; the NAT rules need fixing.
   */
  readonly natCollisions: number;
  readonly sync: { readonly records: number; readonly bytes: number };
  /** ConnectControl logical servers of the policy (empty when it has none). */
  readonly logicalServers: readonly LogicalServerReport[];
  readonly events: EventReport[];
  readonly timeline: Timeline;
}
