/** What a member does with a packet. */
export const Decision: {
  /** This member owns the connection: process the packet here. */
  readonly PROCESS: 0;
  /** Another member owns it: send the packet there (one internal hop). */
  readonly FORWARD: 1;
  /** First packet of a new connection: this member becomes its owner and processes it. */
  readonly CREATE: 2;
  /** No connection takes the packet (see {@link DropCause}). */
  readonly DROP: 3;
} = { PROCESS: 0, FORWARD: 1, CREATE: 2, DROP: 3 };
/** One of the {@link Decision} values. */
export type Decision = (typeof Decision)[keyof typeof Decision];

/** Why a packet needed the correction layer (0: it did not). */
export const Reason: {
  readonly NONE: 0;
  /** NAT changed the reply tuple, which hashes to another member. */
  readonly NAT: 1;
  /** Without NAT, the reply enters an interface whose distribution disagrees. */
  readonly ASYMMETRIC: 2;
  /** A non-first IP fragment (no ports), routed by fragment tracking. */
  readonly FRAGMENT: 3;
  /** A related connection (FTP data, SIP media) that belongs on its parent's owner. */
  readonly RELATED: 4;
  /** An ICMP error, routed by the tuple it carries. */
  readonly ICMP_ERROR: 5;
} = { NONE: 0, NAT: 1, ASYMMETRIC: 2, FRAGMENT: 3, RELATED: 4, ICMP_ERROR: 5 };
/** One of the {@link Reason} values. */
export type Reason = (typeof Reason)[keyof typeof Reason];

/** Names of the reasons, indexed by {@link Reason}. */
export const REASON_NAMES: readonly ['none', 'nat', 'asymmetric', 'fragment', 'related', 'icmp-error'] = [
  'none',
  'nat',
  'asymmetric',
  'fragment',
  'related',
  'icmp-error',
];

/** Why a packet was dropped, after a {@link Decision.DROP}. */
export const DropCause: {
  readonly NONE: 0;
  /** A packet that cannot open a connection (TCP without SYN, a forwarded packet) found none. */
  readonly NO_CONNECTION: 1;
  /** A non-first fragment with no tracking entry. */
  readonly UNKNOWN_FRAGMENT: 2;
  /** An ICMP error whose embedded tuple no member along its route knows. */
  readonly UNKNOWN_ICMP: 3;
  /** No free translated port (hide NAT) or the translated tuple is in use. */
  readonly NAT_EXHAUSTED: 4;
} = { NONE: 0, NO_CONNECTION: 1, UNKNOWN_FRAGMENT: 2, UNKNOWN_ICMP: 3, NAT_EXHAUSTED: 4 };
/** One of the {@link DropCause} values. */
export type DropCause = (typeof DropCause)[keyof typeof DropCause];
