import { assertFlowKey, type FlowKey } from '@maestro/hash';
import { HyperSyncError, shown } from './errors.js';
import { isMemberId } from './member-id.js';
import { type ConnectionFields, MAX_PAYLOAD_BYTES, type SyncPolicy } from './messages.js';
import { assertConnectionFields } from './record-codec.js';

/** A new connection, as its owner (the member that saw its first packet) creates it. */
export interface ConnectionInit {
  /** Cluster-wide unique id, a safe integer >= 0 (e.g. allocated by the owner). */
  readonly id: number;
  /** The connection's flow (client to server). */
  readonly flow: FlowKey;
  /** Its distribution hash, u32. */
  readonly hash: number;
  /** Correction target, when replies land on another member. */
  readonly target?: string;
  /** Application state, 0..65535. @default 0 */
  readonly state?: number;
  /** Application timeout/expiry, u32. @default 0 */
  readonly timeout?: number;
  /** Opaque application bytes, up to 1024. */
  readonly payload?: Uint8Array;
  /** Sync exception. @default the member's `defaultSync` */
  readonly sync?: SyncPolicy;
}

/** Fields an update may change. */
export interface ConnectionChange {
  readonly state?: number;
  readonly timeout?: number;
  readonly payload?: Uint8Array;
  readonly target?: string;
}

/** Validates a new connection and flattens it to synced fields. @throws HyperSyncError `INVALID_CONNECTION`. */
export function connectionFields(init: ConnectionInit, defaultSync: SyncPolicy): ConnectionFields {
  try {
    assertFlowKey(init.flow);
  } catch (e) {
    throw new HyperSyncError('INVALID_CONNECTION', `invalid flow: ${(e as Error).message}`);
  }
  const f = init.flow;
  const fields: ConnectionFields = {
    id: init.id,
    policy: init.sync ?? defaultSync,
    family: f.family,
    protocol: f.protocol,
    portKind: f.portKind,
    srcV4: f.family === 4 ? f.srcV4 : 0,
    dstV4: f.family === 4 ? f.dstV4 : 0,
    src6: f.family === 6 ? f.src6.slice() : undefined,
    dst6: f.family === 6 ? f.dst6.slice() : undefined,
    srcPort: f.srcPort,
    dstPort: f.dstPort,
    hash: init.hash,
    state: init.state ?? 0,
    timeout: init.timeout ?? 0,
    rev: 1,
    target: init.target,
    payload: init.payload?.slice(),
  };
  assertConnectionFields(fields);
  return fields;
}

/**
 * Validates a change, then applies it to `conn` in place (nothing is changed when it throws; no
 * copy of the connection is made: updates are a hot path).
 * @throws HyperSyncError `INVALID_CONNECTION`.
 */
export function applyChange(conn: ConnectionFields, change: ConnectionChange): void {
  if (typeof change !== 'object' || change === null) {
    throw new HyperSyncError('INVALID_CONNECTION', 'a connection change must be an object');
  }
  const { state, timeout, payload, target } = change;
  if (state !== undefined) inRange(state, 65535, 'state');
  if (timeout !== undefined) inRange(timeout, 0xffffffff, 'timeout');
  if (payload !== undefined && (!(payload instanceof Uint8Array) || payload.length > MAX_PAYLOAD_BYTES)) {
    throw new HyperSyncError(
      'INVALID_CONNECTION',
      `payload must be a Uint8Array of at most ${MAX_PAYLOAD_BYTES} bytes`,
    );
  }
  if (target !== undefined && !isMemberId(target)) {
    throw new HyperSyncError('INVALID_CONNECTION', `target ${shown(target)} is not a member id`);
  }
  if (state !== undefined) conn.state = state;
  if (timeout !== undefined) conn.timeout = timeout;
  if (payload !== undefined) conn.payload = payload.slice();
  if (target !== undefined) conn.target = target;
}

function inRange(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new HyperSyncError('INVALID_CONNECTION', `${what} ${shown(v)} outside 0..${max}`);
  }
}
