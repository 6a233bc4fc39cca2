import { TcpFlag } from '@maestro/flowtable';
import { createFlowKey, IpProtocol, PortKind, setFlowV4 } from '@maestro/hash';
import { describe, expect, it } from 'vitest';
import { type CorrectionConfig, Decision, DropCause, MemberEngine, type Packet } from '../src/index.js';
import { portSeed } from '../src/nat-table.js';

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

describe('hide NAT on a slice of more than 4096 ports', () => {
  it('gives a hidden connection a free port of a slice of more than 4096 ports while one is left', () => {
    const count = 4100;
    const hide = {
      kind: 'hide',
      match: {},
      address: 0xc6336401,
      portMin: 1024,
      portMax: 1024 + count - 1,
    } as const;
    const e = new MemberEngine(0, cfg(1, { nat: [hide], capacity: 8192 }));
    // A connection for each port search start 0..4096 takes that port; one more starting at 0
    // then needs the 4098th port tried, and 3 ports are still free.
    const bySeed = new Map<number, number>();
    const extra: number[] = [];
    const probe = syn(0, 1234).key;
    for (let src = 0x0a000001; bySeed.size < 4097 || extra.length === 0; src++) {
      probe.srcV4 = src;
      const start = portSeed(probe) % count;
      if (start > 4096) continue;
      if (!bySeed.has(start)) bySeed.set(start, src);
      else if (start === 0) extra.push(src);
    }
    for (const src of [...bySeed.values(), extra[0] as number]) {
      const d = e.decide(syn(src, 1234), 0);
      e.outbox.length = 0;
      expect([d, e.lastDrop]).toEqual([Decision.CREATE, DropCause.NONE]);
    }
    expect(e.owned.size).toBe(4098);
  });
});
