import { IpProtocol } from '@maestro/hash';

/**
 * Connection states, as a stateful firewall tracks them (Linux conntrack's TCP states, folded
 * where conntrack keeps distinctions a distributor does not need). Stored in 4 bits per entry.
 */
export const ConnState: {
  /** TCP, inserted, no packet recorded yet. */
  readonly TCP_NEW: 0;
  /** TCP, the originator's SYN seen. */
  readonly TCP_SYN_SENT: 1;
  /** TCP, the responder's SYN+ACK seen. */
  readonly TCP_SYN_RECV: 2;
  /** TCP, handshake done (or picked up mid-stream). */
  readonly TCP_ESTABLISHED: 3;
  /** TCP, the originator sent FIN first. */
  readonly TCP_FIN_WAIT: 4;
  /** TCP, the responder sent FIN first. */
  readonly TCP_CLOSE_WAIT: 5;
  /** TCP, both sides sent FIN; waiting for the last ACK. */
  readonly TCP_LAST_ACK: 6;
  /** TCP, the last ACK seen. */
  readonly TCP_TIME_WAIT: 7;
  /** TCP, reset. */
  readonly TCP_CLOSED: 8;
  /** UDP, no reply seen yet. */
  readonly UDP_UNREPLIED: 9;
  /** UDP, a reply seen (conntrack's ASSURED). */
  readonly UDP_REPLIED: 10;
  /** ICMP or ICMPv6. */
  readonly ICMP: 11;
  /** Any other protocol. */
  readonly OTHER: 12;
} = {
  TCP_NEW: 0,
  TCP_SYN_SENT: 1,
  TCP_SYN_RECV: 2,
  TCP_ESTABLISHED: 3,
  TCP_FIN_WAIT: 4,
  TCP_CLOSE_WAIT: 5,
  TCP_LAST_ACK: 6,
  TCP_TIME_WAIT: 7,
  TCP_CLOSED: 8,
  UDP_UNREPLIED: 9,
  UDP_REPLIED: 10,
  ICMP: 11,
  OTHER: 12,
};
/** One of the {@link ConnState} values. */
export type ConnState = (typeof ConnState)[keyof typeof ConnState];

/** Number of {@link ConnState} values (they are 0 .. STATE_COUNT - 1). */
export const STATE_COUNT = 13;

/** TCP header flag bits, as on the wire. */
export const TcpFlag: {
  readonly FIN: 0x01;
  readonly SYN: 0x02;
  readonly RST: 0x04;
  readonly PSH: 0x08;
  readonly ACK: 0x10;
} = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10 };

const STATE_NAMES: readonly string[] = [
  'TCP_NEW',
  'TCP_SYN_SENT',
  'TCP_SYN_RECV',
  'TCP_ESTABLISHED',
  'TCP_FIN_WAIT',
  'TCP_CLOSE_WAIT',
  'TCP_LAST_ACK',
  'TCP_TIME_WAIT',
  'TCP_CLOSED',
  'UDP_UNREPLIED',
  'UDP_REPLIED',
  'ICMP',
  'OTHER',
];

/** The name of a state, e.g. `'TCP_ESTABLISHED'`; `'UNKNOWN'` for a number that is not one. */
export function stateName(state: number): string {
  return STATE_NAMES[state] ?? 'UNKNOWN';
}

/** The state a new entry starts in, from its IP protocol. */
export function initialState(protocol: number): ConnState {
  if (protocol === IpProtocol.TCP) return ConnState.TCP_NEW;
  if (protocol === IpProtocol.UDP) return ConnState.UDP_UNREPLIED;
  if (protocol === IpProtocol.ICMP || protocol === IpProtocol.ICMPV6) return ConnState.ICMP;
  return ConnState.OTHER;
}

const SYN_ONLY = TcpFlag.SYN | TcpFlag.ACK;

/**
 * The state after one packet: `flags` are the TCP flags (ignored for other protocols), `reply` is
 * true for a packet travelling responder → originator. A first packet that is not a SYN picks the
 * connection up as established (conntrack's loose mode); whether to admit it is the caller's policy.
 *
 * @example
 * nextState(ConnState.TCP_SYN_SENT, TcpFlag.SYN | TcpFlag.ACK, true); // TCP_SYN_RECV
 */
export function nextState(state: number, flags: number, reply: boolean): ConnState {
  if (state === ConnState.UDP_UNREPLIED) return reply ? ConnState.UDP_REPLIED : ConnState.UDP_UNREPLIED;
  if (state > ConnState.TCP_CLOSED) return state as ConnState;
  if ((flags & TcpFlag.RST) !== 0) return ConnState.TCP_CLOSED;
  const synOnly = (flags & SYN_ONLY) === TcpFlag.SYN;
  const fin = (flags & TcpFlag.FIN) !== 0;
  switch (state) {
    case ConnState.TCP_NEW:
      if (synOnly) return ConnState.TCP_SYN_SENT;
      return fin ? (reply ? ConnState.TCP_CLOSE_WAIT : ConnState.TCP_FIN_WAIT) : ConnState.TCP_ESTABLISHED;
    case ConnState.TCP_SYN_SENT:
      if (fin) return reply ? ConnState.TCP_CLOSE_WAIT : ConnState.TCP_FIN_WAIT;
      return reply && (flags & SYN_ONLY) === SYN_ONLY ? ConnState.TCP_SYN_RECV : ConnState.TCP_SYN_SENT;
    case ConnState.TCP_SYN_RECV:
      if (fin) return reply ? ConnState.TCP_CLOSE_WAIT : ConnState.TCP_FIN_WAIT;
      return !reply && (flags & SYN_ONLY) === TcpFlag.ACK
        ? ConnState.TCP_ESTABLISHED
        : ConnState.TCP_SYN_RECV;
    case ConnState.TCP_ESTABLISHED:
      if (!fin) return ConnState.TCP_ESTABLISHED;
      return reply ? ConnState.TCP_CLOSE_WAIT : ConnState.TCP_FIN_WAIT;
    case ConnState.TCP_FIN_WAIT:
      return fin && reply ? ConnState.TCP_LAST_ACK : ConnState.TCP_FIN_WAIT;
    case ConnState.TCP_CLOSE_WAIT:
      return fin && !reply ? ConnState.TCP_LAST_ACK : ConnState.TCP_CLOSE_WAIT;
    case ConnState.TCP_LAST_ACK:
      return !fin && (flags & TcpFlag.ACK) !== 0 ? ConnState.TCP_TIME_WAIT : ConnState.TCP_LAST_ACK;
    default:
      // TIME_WAIT and CLOSED reopen on a fresh SYN from the originator (port reuse).
      return synOnly && !reply ? ConnState.TCP_SYN_SENT : (state as ConnState);
  }
}

/**
 * {@link nextState} as a table, for the record hot paths: entry `stateIndex(state, flags, reply)`
 * holds the next state. Only RST, SYN, ACK and FIN steer a transition, so four flag bits index it.
 * Internal to the package.
 */
export const STATE_TABLE: Uint8Array = buildStateTable();

/** The {@link STATE_TABLE} entry of `state` (0..15) on a packet of TCP `flags` (0..255). */
export function stateIndex(state: number, flags: number, reply: boolean): number {
  return (state << 5) | (reply ? 16 : 0) | (flags & 7) | ((flags >>> 1) & 8);
}

function buildStateTable(): Uint8Array {
  const table = new Uint8Array(16 << 5);
  for (let state = 0; state < 16; state++) {
    for (const reply of [false, true]) {
      // Every combination of FIN, SYN, RST (bits 0..2) and ACK (bit 4).
      for (let bits = 0; bits < 16; bits++) {
        const flags = (bits & 7) | ((bits & 8) << 1);
        table[stateIndex(state, flags, reply)] = state < STATE_COUNT ? nextState(state, flags, reply) : state;
      }
    }
  }
  return table;
}
