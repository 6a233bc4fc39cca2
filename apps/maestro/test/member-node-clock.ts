// A cluster member (MemberNode) on a clock the test moves (Date.now mocked), for the member tests.
import { createPacket } from '@maestro/correction';
import { IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { expect, vi } from 'vitest';
import type { FromMember, MemberInit } from '../src/cluster/ipc.js';
import { MemberNode } from '../src/cluster/member-node.js';
import { encodePacket } from '../src/cluster/wire.js';

export const EPOCH = 1_700_000_000_000;
export const DEAD_MS = 300;
/** The client and server of {@link udpQuery}: 198.51.100.7 and 203.0.113.53. */
export const CLIENT = 0xc6336407;
export const SERVER = 0xcb007135;

/**
 * Member sgm1 of a group of `ids` whose other members never answer, ACTIVE once it has formed its
 * view (it coordinates after a dead interval and puts its own table in force); `at(ms)` sets the
 * clock to `ms` past {@link EPOCH}. Restore the mock with `vi.restoreAllMocks()` after each test.
 */
export function activeNode(ids: readonly string[]): { node: MemberNode; at: (ms: number) => void } {
  let now = EPOCH;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  const init: MemberInit = {
    t: 'init',
    id: 'sgm1',
    index: 0,
    ids: [...ids],
    weight: 100,
    incarnation: 1,
    epoch: EPOCH,
    flags: { events: [] },
    heartbeatMs: 50,
    deadMs: DEAD_MS,
    tableSize: 251,
    syncLoss: 0,
    staleMs: 1e12,
  };
  const posted: FromMember[] = [];
  const node = new MemberNode(init, { datagram: () => {}, post: (m) => posted.push(m) }, () => 0.5);
  const at = (ms: number): void => {
    now = EPOCH + ms;
  };
  for (let t = 0; t <= 4 * DEAD_MS; t += 50) {
    at(t);
    node.tick();
  }
  expect(node.status().state).toBe('ACTIVE');
  return { node, at };
}

/** The first packet of flow 1: UDP 198.51.100.7:40000 -> 203.0.113.53:53 on interface 0. */
export function udpQuery(sentAt: number): Uint8Array {
  const p = createPacket();
  setFlowV4(p.key, IpProtocol.UDP, CLIENT, SERVER, 40000, 53, PortKind.PORTS);
  p.bytes = 64;
  return encodePacket(p, { flow: 1, first: true, sentAt });
}
