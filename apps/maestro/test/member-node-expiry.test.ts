import { createPacket } from '@maestro/correction';
import { IpProtocol, PortKind } from '@maestro/hash';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FromMember, MemberInit } from '../src/cluster/ipc.js';
import { MemberNode } from '../src/cluster/member-node.js';
import { encodePacket } from '../src/cluster/wire.js';

const EPOCH = 1_700_000_000_000;
const DEAD_MS = 300;

/** A one-member group whose clock the test moves (Date.now), ACTIVE once it has formed its view. */
function activeNode(): { node: MemberNode; at: (ms: number) => void } {
  let now = EPOCH;
  vi.spyOn(Date, 'now').mockImplementation(() => now);
  const init: MemberInit = {
    t: 'init',
    id: 'sgm1',
    index: 0,
    ids: ['sgm1'],
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
  // Bootstrap: the lone member coordinates after a dead interval and puts its own table in force.
  for (let t = 0; t <= 4 * DEAD_MS; t += 50) {
    at(t);
    node.tick();
  }
  expect(node.status().state).toBe('ACTIVE');
  return { node, at };
}

/** A UDP packet from the client at 198.51.100.7:40000 to 203.0.113.53:53, entering on interface 0. */
function udpQuery(sentAt: number): Uint8Array {
  const p = createPacket();
  p.key.family = 4;
  p.key.protocol = IpProtocol.UDP;
  p.key.portKind = PortKind.PORTS;
  p.key.srcV4 = 0xc6336407;
  p.key.dstV4 = 0xcb007135;
  p.key.srcPort = 40000;
  p.key.dstPort = 53;
  p.bytes = 64;
  return encodePacket(p, { flow: 1, first: true, sentAt });
}

describe('maestro cluster member idle expiry', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  // The engine's flow tables take their time in milliseconds and a UDP connection's idle
  // timeout is 40 s: a member handing them seconds would keep every connection 1 000 times as long.
  it("should expire a member's UDP connection idle past its 40 s timeout, and keep one idle for less", () => {
    for (const [idle, kept] of [
      [30_000, 1],
      [50_000, 0],
    ] as const) {
      const { node, at } = activeNode();
      const start = 2_000;
      at(start);
      node.receive(undefined, udpQuery(start));
      expect(node.status().connections).toBe(1);
      at(start + idle);
      node.expire();
      expect(node.status().connections).toBe(kept);
      vi.restoreAllMocks();
    }
  });
});
