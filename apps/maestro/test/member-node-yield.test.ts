import { createPacket, Reason } from '@maestro/correction';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionLedger } from '../src/cluster/connection-ledger.js';
import type { FromMember, MemberInit, MemberStatus } from '../src/cluster/ipc.js';
import { MemberNode } from '../src/cluster/member-node.js';
import { encodeCorrection, encodePacket } from '../src/cluster/wire.js';

const EPOCH = 1_700_000_000_000;
const DEAD_MS = 300;
const CLIENT = 0xc6336407;
const SERVER = 0xcb007135;

/** Member sgm1 of a two-member group whose sgm2 never answers: ACTIVE alone once its view forms. */
function activeNode(): { node: MemberNode; at: (ms: number) => void } {
  let now = EPOCH;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  const init: MemberInit = {
    t: 'init',
    id: 'sgm1',
    index: 0,
    ids: ['sgm1', 'sgm2'],
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
function udpQuery(sentAt: number): Uint8Array {
  const p = createPacket();
  setFlowV4(p.key, IpProtocol.UDP, CLIENT, SERVER, 40000, 53, PortKind.PORTS);
  p.bytes = 64;
  return encodePacket(p, { flow: 1, first: true, sentAt });
}

describe('maestro cluster member, split connections', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('should count a connection it yields as yielded, not expired, so the ledger still knows it exists', () => {
    const { node, at } = activeNode();
    at(2_000);
    node.receive(undefined, udpQuery(2_000));
    const first = node.status();
    expect([first.connections, first.created]).toEqual([1, [1]]);
    // sgm2 created the same connection a second earlier, from its reply: this member yields.
    const reply = setFlowV4(createFlowKey(), IpProtocol.UDP, SERVER, CLIENT, 53, 40000, PortKind.PORTS);
    at(2_100);
    node.receive(
      'sgm2',
      encodeCorrection({
        kind: 'correct',
        from: 1,
        to: 0,
        key: reply,
        owner: 1,
        reason: Reason.ASYMMETRIC,
        created: 1_000,
      }),
    );
    node.expire();
    const after = node.status();
    expect(after.connections).toBe(0);
    expect({ yielded: after.yielded, expired: after.expired, yields: after.yields }).toEqual({
      yielded: [1],
      expired: [],
      yields: 1,
    });
    // The ledger still has the flow: it lives at sgm2, so a later miss of it is a lost connection.
    const ledger = new ConnectionLedger();
    ledger.reset(2);
    ledger.apply(first, () => {});
    ledger.apply(after, () => {});
    const lost: number[] = [];
    ledger.apply({ ...after, yielded: [], missed: [1] } as MemberStatus, (f) => lost.push(f));
    expect(lost).toEqual([1]);
  });
});
