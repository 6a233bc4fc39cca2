import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { describe, expect, it } from 'vitest';
import { type CorrectionConfig, Decision, MemberEngine, type Packet } from '../src/index.js';

const ifaces = [{ id: 0, mode: 'general', layer: 'l4' }] as const;
function cfg(members: number, extra: Partial<CorrectionConfig> = {}, pick = 0): CorrectionConfig {
  return { members, interfaces: ifaces, distribute: () => pick, route: () => 0, ...extra };
}
function syn(src: number, sport: number, flags: number = TcpFlag.SYN): Packet {
  return {
    key: setFlowV4(createFlowKey(), IpProtocol.TCP, src, 0xc0000201, sport, 80, PortKind.PORTS),
    ingress: 0,
    ipId: 0,
    moreFragments: false,
    tcpFlags: flags,
    bytes: 60,
    embedded: null,
    hops: 0,
  };
}

describe('late messages', () => {
  it('keeps a correction entry a later owner sent when an earlier owner’s uncorrect arrives late', () => {
    const e = new MemberEngine(1, cfg(3));
    const k = syn(0x0a000001, 1234).key;
    e.deliver({ kind: 'correct', from: 0, to: 1, key: k, owner: 0, reason: 2 }, 0);
    e.deliver({ kind: 'correct', from: 2, to: 1, key: k, owner: 2, reason: 2 }, 1);
    e.deliver({ kind: 'uncorrect', from: 0, to: 1, key: k }, 2); // stale: member 0 no longer owns it
    expect(e.decide(syn(0x0a000001, 1234, TcpFlag.ACK), 3)).toBe(Decision.FORWARD);
    expect(e.lastTarget).toBe(2);
  });

  it('keeps an expectation a later owner announced when an earlier owner’s unexpect arrives late', () => {
    const e = new MemberEngine(1, cfg(3));
    const k = syn(0x0a000001, 0).key;
    e.deliver({ kind: 'expect', from: 0, to: 1, key: k, owner: 0 }, 0);
    e.deliver({ kind: 'expect', from: 2, to: 1, key: k, owner: 2 }, 1);
    e.deliver({ kind: 'unexpect', from: 0, to: 1, key: k, owner: 0 }, 2);
    expect(e.decide(syn(0x0a000001, 1234), 3)).toBe(Decision.FORWARD);
    expect(e.lastTarget).toBe(2);
    e.deliver({ kind: 'uncorrect', from: 2, to: 1, key: k }, 4); // no correction entry: nothing
    e.deliver({ kind: 'unexpect', from: 2, to: 1, key: k, owner: 2 }, 5);
    expect(e.expectations.size).toBe(0);
  });

  it('forwards under the reason of the latest correct for a tuple', () => {
    const e = new MemberEngine(1, cfg(3));
    const k = syn(0x0a000001, 1234).key;
    e.deliver({ kind: 'correct', from: 0, to: 1, key: k, owner: 0, reason: 1 }, 0);
    e.deliver({ kind: 'correct', from: 2, to: 1, key: k, owner: 2, reason: 2 }, 1);
    expect(e.decide(syn(0x0a000001, 1234, TcpFlag.ACK), 3)).toBe(Decision.FORWARD);
    expect([e.lastTarget, e.lastReason]).toEqual([2, 2]);
    expect([e.stats().reasons.nat.hops, e.stats().reasons.asymmetric.hops]).toEqual([0, 1]);
    expect(e.corrections.size).toBe(1);
  });
});
