import { Reason } from '@maestro/correction';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConnectionLedger } from '../src/cluster/connection-ledger.js';
import type { MemberStatus } from '../src/cluster/ipc.js';
import { encodeCorrection } from '../src/cluster/wire.js';
import { activeNode, CLIENT, SERVER, udpQuery } from './member-node-clock.js';

describe('maestro cluster member, split connections', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('should count a connection it yields as yielded, not expired, so the ledger still knows it exists', () => {
    const { node, at } = activeNode(['sgm1', 'sgm2']);
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
