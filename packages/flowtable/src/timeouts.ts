import { ConnState, STATE_COUNT } from './conn-state.js';
import { FlowTableError, shown } from './errors.js';

/**
 * Idle timeouts in seconds, per protocol and TCP state: an entry whose last packet is at least this
 * old expires. Defaults follow Check Point's (TCP start 25 s, end 20 s, session 3600 s, UDP 40 s,
 * ICMP 30 s, other 60 s) and Linux conntrack for a reset connection (10 s).
 */
export interface Timeouts {
  /** New, SYN sent, SYN received. @default 25 */
  readonly tcpSyn: number;
  /** Established. @default 3600 */
  readonly tcpEstablished: number;
  /** FIN seen on either side, last ACK, time wait. @default 20 */
  readonly tcpClosing: number;
  /** Reset. @default 10 */
  readonly tcpClosed: number;
  /** UDP, replied or not. @default 40 */
  readonly udp: number;
  /** ICMP and ICMPv6. @default 30 */
  readonly icmp: number;
  /** Every other protocol. @default 60 */
  readonly other: number;
}

/** The default {@link Timeouts}. */
export const DEFAULT_TIMEOUTS: Timeouts = {
  tcpSyn: 25,
  tcpEstablished: 3600,
  tcpClosing: 20,
  tcpClosed: 10,
  udp: 40,
  icmp: 30,
  other: 60,
};

const FIELDS: readonly (keyof Timeouts)[] = [
  'tcpSyn',
  'tcpEstablished',
  'tcpClosing',
  'tcpClosed',
  'udp',
  'icmp',
  'other',
];

/** Merges `partial` over the defaults; throws a {@link FlowTableError} on an unknown or bad field. */
export function resolveTimeouts(partial: Partial<Timeouts> = {}): Timeouts {
  if (typeof partial !== 'object' || partial === null) {
    throw new FlowTableError('INVALID_OPTION', 'timeouts must be an object of seconds per class');
  }
  for (const name of Object.keys(partial)) {
    if (!FIELDS.includes(name as keyof Timeouts)) {
      throw new FlowTableError('INVALID_OPTION', `unknown timeout ${name}; allowed: ${FIELDS.join(', ')}`);
    }
  }
  const out = { ...DEFAULT_TIMEOUTS, ...partial };
  for (const name of FIELDS) {
    const value = out[name];
    if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new FlowTableError(
        'INVALID_OPTION',
        `timeout ${name} must be a finite number of seconds >= 0, got ${shown(value)}`,
      );
    }
  }
  return out;
}

/** Timeout of each {@link ConnState}, in milliseconds, indexed by state. */
export function timeoutsByState(t: Timeouts): Float64Array {
  const ms = new Float64Array(STATE_COUNT);
  ms[ConnState.TCP_NEW] = t.tcpSyn * 1000;
  ms[ConnState.TCP_SYN_SENT] = t.tcpSyn * 1000;
  ms[ConnState.TCP_SYN_RECV] = t.tcpSyn * 1000;
  ms[ConnState.TCP_ESTABLISHED] = t.tcpEstablished * 1000;
  ms[ConnState.TCP_FIN_WAIT] = t.tcpClosing * 1000;
  ms[ConnState.TCP_CLOSE_WAIT] = t.tcpClosing * 1000;
  ms[ConnState.TCP_LAST_ACK] = t.tcpClosing * 1000;
  ms[ConnState.TCP_TIME_WAIT] = t.tcpClosing * 1000;
  ms[ConnState.TCP_CLOSED] = t.tcpClosed * 1000;
  ms[ConnState.UDP_UNREPLIED] = t.udp * 1000;
  ms[ConnState.UDP_REPLIED] = t.udp * 1000;
  ms[ConnState.ICMP] = t.icmp * 1000;
  ms[ConnState.OTHER] = t.other * 1000;
  return ms;
}
